//! `Flight`: one running computation of a cached function, shared by all its waiters.
//!
//! The body of a cached `async fn` is not spawned up front: it is boxed into the flight
//! and polled by whichever waiter is polled (the first caller, usually), so a miss costs
//! no extra task. As soon as any waiter is dropped before the outcome is known, the body
//! moves into a spawned tokio task, so dropping callers, the first included, never
//! cancels it, and a flight whose callers all went away still completes and stores.

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use tokio::runtime::Handle;

/// How a flight ended.
#[derive(Clone)]
pub(crate) enum Outcome<V> {
    /// The body returned this value.
    Value(V),
    /// The body panicked with this message.
    Panicked(Arc<str>),
    /// The body was dropped before it finished (its runtime shut down).
    Abandoned,
}

impl<V> Outcome<V> {
    /// The value, or the flight's panic re-raised in the caller.
    #[track_caller]
    pub(crate) fn into_value(self) -> V {
        match self {
            Outcome::Value(value) => value,
            Outcome::Panicked(message) => std::panic::resume_unwind(Box::new(message.to_string())),
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
    /// Taken out by the waiter polling it right now.
    Polling,
}

struct State<V> {
    outcome: Option<Outcome<V>>,
    body: BodySlot,
    /// Wakers of parked async waiters, by slot.
    wakers: WakerSlots,
}

/// Waker slots; the first lives inline, so a flight with one waiter allocates nothing.
#[derive(Default)]
struct WakerSlots {
    first: Option<Waker>,
    first_taken: bool,
    rest: Vec<Option<Waker>>,
    free: Vec<usize>,
}

impl WakerSlots {
    fn get_mut(&mut self, slot: usize) -> Option<&mut Option<Waker>> {
        match slot {
            0 => Some(&mut self.first),
            n => self.rest.get_mut(n - 1),
        }
    }

    fn insert(&mut self, waker: Waker) -> usize {
        if !self.first_taken {
            self.first_taken = true;
            self.first = Some(waker);
            return 0;
        }
        match self.free.pop() {
            Some(slot) => {
                self.rest[slot - 1] = Some(waker);
                slot
            }
            None => {
                self.rest.push(Some(waker));
                self.rest.len()
            }
        }
    }

    fn release(&mut self, slot: usize) {
        match slot {
            0 => {
                self.first = None;
                self.first_taken = false;
            }
            n => {
                if let Some(waker) = self.rest.get_mut(n - 1) {
                    *waker = None;
                    self.free.push(n);
                }
            }
        }
    }

    fn take_all(&mut self) -> (Option<Waker>, Vec<Option<Waker>>) {
        self.first_taken = false;
        self.free.clear();
        (self.first.take(), mem::take(&mut self.rest))
    }
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
                wakers: WakerSlots::default(),
            }),
            ready: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<V>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands the body to the waiters, who poll it in turn.
    pub(crate) fn set_body(&self, body: Body) {
        self.lock().body = BodySlot::Idle(body);
    }

    /// Stores the outcome (the first one wins) and wakes every waiter.
    pub(crate) fn finish(&self, outcome: Outcome<V>) {
        let wakers = {
            let mut state = self.lock();
            if state.outcome.is_some() {
                return;
            }
            state.outcome = Some(outcome);
            state.wakers.take_all()
        };
        let (first, rest) = wakers;
        for waker in first.into_iter().chain(rest.into_iter().flatten()) {
            waker.wake();
        }
        self.ready.notify_all();
    }

    pub(crate) fn try_outcome(&self) -> Option<Outcome<V>> {
        self.lock().outcome.clone()
    }

    /// Waits for the outcome, polling the body when nobody else does. Cancel safe:
    /// dropping the wait moves the body into a spawned task.
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
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// One waiter of a flight (see [`Flight::wait`]).
pub(crate) struct Wait<V> {
    flight: Arc<Flight<V>>,
    /// Index of this waiter's waker in the flight.
    slot: Option<usize>,
    done: bool,
}

impl<V> Wait<V> {
    fn release_slot(&mut self, state: &mut State<V>) {
        if let Some(slot) = self.slot.take() {
            state.wakers.release(slot);
        }
    }

    fn park(&mut self, state: &mut State<V>, cx: &Context<'_>) {
        if let Some(slot) = self.slot
            && let Some(current) = state.wakers.get_mut(slot)
        {
            match current {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                other => *other = Some(cx.waker().clone()),
            }
            return;
        }
        self.slot = Some(state.wakers.insert(cx.waker().clone()));
    }
}

impl<V: Clone + Send + Sync + 'static> Future for Wait<V> {
    type Output = Outcome<V>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome<V>> {
        let this = self.get_mut();
        let flight = Arc::clone(&this.flight);
        let mut state = flight.lock();
        loop {
            if let Some(outcome) = state.outcome.clone() {
                this.release_slot(&mut state);
                this.done = true;
                return Poll::Ready(outcome);
            }
            if !matches!(state.body, BodySlot::Idle(_)) {
                // Spawned, or polled by another waiter: wait for `finish`.
                this.park(&mut state, cx);
                return Poll::Pending;
            }
            let BodySlot::Idle(mut body) = mem::replace(&mut state.body, BodySlot::Polling) else {
                unreachable!("checked just above");
            };
            // This task is the one the body wakes; `finish` need not wake it as well.
            this.release_slot(&mut state);
            // Poll without the lock: the body ends by calling `finish`, which takes it.
            drop(state);
            let poll = body.as_mut().poll(cx);
            state = flight.lock();
            match poll {
                Poll::Ready(()) => state.body = BodySlot::Elsewhere,
                Poll::Pending => {
                    state.body = BodySlot::Idle(body);
                    // The body wakes this task when it can progress; `finish` wakes it
                    // too in case the body moves to a spawned task meanwhile.
                    this.park(&mut state, cx);
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<V> Drop for Wait<V> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let flight = Arc::clone(&self.flight);
        let mut state = flight.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.release_slot(&mut state);
        if state.outcome.is_some() {
            return;
        }
        if !matches!(state.body, BodySlot::Idle(_)) {
            // Polled by another waiter right now, or already elsewhere: nothing to move.
            return;
        }
        let Ok(runtime) = Handle::try_current() else {
            // No runtime to spawn on (dropped outside one): leave the body to the other
            // waiters and wake them so one of them polls it. With none left, drop it: its
            // ticket ends the flight as abandoned and frees the key.
            let (first, rest) = state.wakers.take_all();
            let wakers: Vec<Waker> = first
                .into_iter()
                .chain(rest.into_iter().flatten())
                .collect();
            if !wakers.is_empty() {
                drop(state);
                wakers.into_iter().for_each(Waker::wake);
                return;
            }
            let BodySlot::Idle(body) = mem::replace(&mut state.body, BodySlot::Elsewhere) else {
                unreachable!("checked above");
            };
            // The lock must be free before the body is dropped (its ticket takes it).
            drop(state);
            drop(body);
            return;
        };
        let BodySlot::Idle(body) = mem::replace(&mut state.body, BodySlot::Elsewhere) else {
            unreachable!("checked above");
        };
        drop(state);
        // Detached on purpose: the flight stores its outcome and wakes the waiters.
        drop(runtime.spawn(body));
    }
}

/// The text of a panic payload (`&str` and `String` payloads; others get a placeholder).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> Arc<str> {
    if let Some(s) = payload.downcast_ref::<&str>() {
        Arc::from(*s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        Arc::from(s.as_str())
    } else {
        Arc::from("#[cached] body panicked with a non-string payload")
    }
}
