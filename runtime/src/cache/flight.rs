//! `Flight`: one running computation of a cached function, shared by all its waiters.
//!
//! The body of a cached `async fn` is not spawned up front: it is boxed into the flight
//! and polled by its waiter (the first caller, usually), so a miss costs no extra task.
//! It moves into a spawned tokio task as soon as a waiter of another task finds it still
//! pending (that waiter polls it once first: a body that was about to finish costs no
//! task), or a waiter is dropped before the outcome is known: from then on no caller can
//! hold it back by stalling (alive but busy elsewhere) or cancel it by leaving, and a
//! flight whose callers all went away still completes and stores. Waiters of a single
//! task (`join!` of two calls) keep polling it themselves: a wake-up of the body reaches
//! that task.
//!
//! Without a tokio runtime to spawn on, the parked waiters poll the body in turn with the
//! flight's own waker, which wakes every parked waiter (as `futures::future::Shared`
//! does), so whichever of them is alive and polled moves it on.

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use crate::rt::{lock, spawn};
use tokio::runtime::Handle;

use crate::Panicked;

/// How a flight ended.
#[derive(Clone)]
pub(crate) enum Outcome<V> {
    /// The body returned this value.
    Value(V),
    /// The body panicked; every waiter resumes it (see [`Panicked::resume_shared`]).
    Panicked(Arc<Panicked>),
    /// The body was dropped before it finished (its runtime shut down).
    Abandoned,
}

impl<V> Outcome<V> {
    /// The value, or the flight's panic re-raised in the caller.
    #[track_caller]
    pub(crate) fn into_value(self) -> V {
        match self {
            Outcome::Value(value) => value,
            Outcome::Panicked(panicked) => panicked.resume_shared(),
            Outcome::Abandoned => panic!(
                "#[cached]: the computation was dropped before it finished (its runtime shut down)"
            ),
        }
    }
}

/// The body, already wrapped so that it stores its own outcome when it ends.
pub(crate) type Body = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

enum BodySlot {
    /// Spawned, or not handed to the flight (plain fns, `task`, `local`), or finished.
    Elsewhere,
    /// Waiting for a waiter to poll it.
    Idle(Body),
    /// Taken out by the waiter polling it right now; that waiter hands it on afterwards
    /// if other waiters parked meanwhile.
    Polling,
}

struct State<V> {
    outcome: Option<Outcome<V>>,
    body: BodySlot,
    /// Whether the body may make progress if polled: its waker fired since its last
    /// poll, or that poll used a waiter's own waker and the flight cannot tell.
    woken: bool,
    waiters: Waiters,
}

/// The wakers of the parked async waiters, one slot per waiter; the first slot lives
/// inline, so a flight with one waiter allocates nothing.
#[derive(Default)]
struct Waiters {
    first: Option<Waker>,
    first_taken: bool,
    rest: Vec<Option<Waker>>,
    free: Vec<usize>,
    /// Slots in use: how many waiters are parked.
    parked: usize,
    /// The waker of the first waiter that parked.
    anchor: Option<Waker>,
    /// Whether a waiter of another task than the anchor's has parked. Until then the
    /// body is not shared: waiters of one task (`join!`, `join_all`) cannot stall each
    /// other, since a wake-up of the body reaches the task that all of them are in.
    across_tasks: bool,
}

impl Waiters {
    fn waker_mut(&mut self, slot: usize) -> &mut Option<Waker> {
        match slot {
            0 => &mut self.first,
            n => &mut self.rest[n - 1],
        }
    }

    /// Whether a waiter with this waker would share the body with another task.
    fn shared_with(&self, waker: &Waker) -> bool {
        self.across_tasks || self.anchor.as_ref().is_some_and(|a| !same_task(a, waker))
    }

    /// Parks a waiter (giving it a slot) or refreshes its waker.
    fn park(&mut self, slot: &mut Option<usize>, waker: &Waker) {
        match &self.anchor {
            None => self.anchor = Some(waker.clone()),
            Some(anchor) => self.across_tasks |= !same_task(anchor, waker),
        }
        if let Some(at) = *slot {
            match self.waker_mut(at) {
                Some(current) if current.will_wake(waker) => {}
                other => *other = Some(waker.clone()),
            }
            return;
        }
        self.parked += 1;
        let at = if !self.first_taken {
            self.first_taken = true;
            0
        } else if let Some(at) = self.free.pop() {
            at
        } else {
            self.rest.push(None);
            self.rest.len()
        };
        *self.waker_mut(at) = Some(waker.clone());
        *slot = Some(at);
    }

    fn release(&mut self, slot: usize) {
        self.parked -= 1;
        *self.waker_mut(slot) = None;
        match slot {
            0 => self.first_taken = false,
            n => self.free.push(n),
        }
    }

    /// Takes every parked waker out to be woken; the waiters keep their slots and put a
    /// waker back when polled.
    fn take_wakers(&mut self) -> Vec<Waker> {
        let mut wakers = Vec::new();
        wakers.extend(self.first.take());
        wakers.extend(self.rest.iter_mut().filter_map(Option::take));
        wakers
    }

    /// Takes every waker out for good, the anchor included, when the outcome is known
    /// (slots no longer count). A finished flight can outlive its waiters (in a
    /// `CachedTask`), and must not keep their tasks' memory alive.
    fn drain(&mut self) -> (Option<Waker>, Vec<Option<Waker>>, Option<Waker>) {
        (
            self.first.take(),
            mem::take(&mut self.rest),
            self.anchor.take(),
        )
    }
}

/// Whether two wakers wake the same task. `Waker::will_wake` cannot tell: it also compares
/// vtable addresses, which differ between a waker and its clone when the executor's vtable
/// is duplicated across codegen units (tokio's are). The data pointer is the task.
fn same_task(a: &Waker, b: &Waker) -> bool {
    std::ptr::eq(a.data(), b.data())
}

/// The result slot of one computation; async waiters park their wakers in it, blocking
/// waiters (synchronous cached functions) wait on `ready`.
pub(crate) struct Flight<V> {
    state: Mutex<State<V>>,
    ready: Condvar,
}

impl<V: Clone + Send + Sync + 'static> Flight<V> {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State {
                outcome: None,
                body: BodySlot::Elsewhere,
                woken: false,
                waiters: Waiters::default(),
            }),
            ready: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<V>> {
        lock::lock(&self.state)
    }

    /// Hands the body to the waiters, who poll it until it is shared.
    pub(crate) fn set_body(&self, body: Body) {
        let mut state = self.lock();
        state.body = BodySlot::Idle(body);
        state.woken = true;
    }

    /// Stores the outcome (the first one wins) and wakes every waiter.
    pub(crate) fn finish(&self, outcome: Outcome<V>) {
        let (first, rest, anchor) = {
            let mut state = self.lock();
            if state.outcome.is_some() {
                return;
            }
            state.outcome = Some(outcome);
            state.waiters.drain()
        };
        if let Some(waker) = first {
            waker.wake();
        }
        rest.into_iter().flatten().for_each(Waker::wake);
        drop(anchor);
        self.ready.notify_all();
    }

    pub(crate) fn try_outcome(&self) -> Option<Outcome<V>> {
        self.lock().outcome.clone()
    }

    /// Waits for the outcome, polling the body while no other task waits for it. Cancel
    /// safe: dropping the wait moves the body into a spawned task.
    pub(crate) fn wait(self: Arc<Self>) -> Wait<V> {
        Wait {
            flight: self,
            slot: None,
            done: false,
        }
    }

    /// Blocks the thread until the outcome is stored.
    pub(crate) fn wait_blocking(&self) -> Outcome<V> {
        let mut state = self.lock();
        loop {
            if let Some(outcome) = state.outcome.as_ref() {
                return outcome.clone();
            }
            state = lock::wait(&self.ready, state);
        }
    }
}

/// Moves an idle body into a task on `runtime`, where no waiter can hold it back.
fn spawn_body<V>(mut state: MutexGuard<'_, State<V>>, runtime: &Handle) {
    let BodySlot::Idle(body) = mem::replace(&mut state.body, BodySlot::Elsewhere) else {
        return;
    };
    drop(state);
    // Detached on purpose: the body stores the outcome and wakes the waiters itself.
    drop(spawn::spawn_on(runtime, body));
}

/// Wakes every parked waiter, so that one of them polls the idle body.
fn wake_waiters<V>(mut state: MutexGuard<'_, State<V>>) {
    let wakers = state.waiters.take_wakers();
    drop(state);
    wakers.into_iter().for_each(Waker::wake);
}

/// The flight's own waker, given to the body when shared waiters poll it without a
/// runtime: it wakes every parked waiter, so a stalled one cannot swallow the wake-up.
impl<V: Clone + Send + Sync + 'static> Wake for Flight<V> {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut state = self.lock();
        state.woken = true;
        // A waiter polling the body right now hands the wake-up on when it is done; a
        // spawned or finished body has no use for it.
        if matches!(state.body, BodySlot::Idle(_)) {
            wake_waiters(state);
        }
    }
}

/// One waiter of a flight (see [`Flight::wait`]).
pub(crate) struct Wait<V> {
    flight: Arc<Flight<V>>,
    /// This waiter's waker slot in the flight, once parked.
    slot: Option<usize>,
    done: bool,
}

impl<V: Clone + Send + Sync + 'static> Future for Wait<V> {
    type Output = Outcome<V>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome<V>> {
        let Wait { flight, slot, done } = self.get_mut();
        let mut state = flight.lock();
        if let Some(outcome) = state.outcome.clone() {
            *slot = None;
            *done = true;
            return Poll::Ready(outcome);
        }
        if !matches!(state.body, BodySlot::Idle(_)) {
            // Spawned (`finish` wakes this waiter), or polled by another waiter right now
            // (which hands it on when done).
            state.waiters.park(slot, cx.waker());
            return Poll::Pending;
        }
        // Shared with another task and no runtime to spawn on: the parked waiters take
        // turns, polling the body with the flight's waker when it was woken.
        let turns = state.waiters.shared_with(cx.waker()) && spawn::try_runtime().is_err();
        if turns {
            state.waiters.park(slot, cx.waker());
            if !state.woken {
                return Poll::Pending;
            }
        }
        let BodySlot::Idle(mut body) = mem::replace(&mut state.body, BodySlot::Polling) else {
            unreachable!("checked just above");
        };
        state.woken = !turns;
        // This waiter's waker stays out of its slot while the body is polled, so that a
        // body ending in this poll does not wake this very task; it goes back afterwards.
        // (A first poll parks only if the body is pending: a miss that completes at once
        // clones no waker.)
        let own = slot.and_then(|at| state.waiters.waker_mut(at).take());
        // Poll without the lock: the body ends by calling `finish`, which takes it.
        drop(state);
        let poll = if turns {
            let waker = Waker::from(Arc::clone(flight));
            body.as_mut().poll(&mut Context::from_waker(&waker))
        } else {
            body.as_mut().poll(cx)
        };
        let mut state = flight.lock();
        if poll.is_ready() {
            state.body = BodySlot::Elsewhere;
            let outcome = state.outcome.clone().expect("a finished body stored its outcome");
            *slot = None;
            *done = true;
            return Poll::Ready(outcome);
        }
        state.body = BodySlot::Idle(body);
        if let Some(at) = *slot {
            *state.waiters.waker_mut(at) = own;
        }
        state.waiters.park(slot, cx.waker());
        if !state.waiters.across_tasks {
            return Poll::Pending;
        }
        // Shared with another task, and still pending after this poll (which may have
        // been the last one it needed: then no task is spawned).
        if let Ok(runtime) = spawn::try_runtime() {
            spawn_body(state, &runtime);
        } else if state.woken {
            // A wake-up the flight's waker took during the poll goes to every waiter; so
            // does the unknown one of a poll with this waiter's own waker.
            wake_waiters(state);
        }
        Poll::Pending
    }
}

impl<V> Drop for Wait<V> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut state = lock::lock(&self.flight.state);
        if state.outcome.is_some() {
            return;
        }
        if let Some(slot) = self.slot.take() {
            state.waiters.release(slot);
        }
        if !matches!(state.body, BodySlot::Idle(_)) {
            // Polled by another waiter right now, or already elsewhere: nothing to move.
            return;
        }
        // The body may be registered with this waiter's waker: it must move on.
        if let Ok(runtime) = spawn::try_runtime() {
            spawn_body(state, &runtime);
        } else if state.waiters.parked > 0 {
            // No runtime to spawn on (dropped outside one): leave the body to the others.
            state.woken = true;
            wake_waiters(state);
        } else {
            // Nobody is left to poll it: drop it; its ticket ends the flight as abandoned
            // and frees the key. The lock must be free first (the ticket takes it).
            let body = mem::replace(&mut state.body, BodySlot::Elsewhere);
            drop(state);
            drop(body);
        }
    }
}
