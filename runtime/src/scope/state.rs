//! [`Inner`]: the shared state behind a [`Scope`](crate::Scope) and the rules that move it.
//!
//! Every unit of work (a spawned task, queued or running, an `aside` closure, a scheduled
//! callback) is counted while it is alive. A unit reports its end exactly once through
//! [`Inner::finish_task`] or [`Inner::finish`] (or [`Inner::settle_dropped`] for a queued
//! future that never ran), after its future is dropped; so the scope knows that every
//! future is gone when the counters reach zero.
//!
//! Locking discipline: the mutex is never held while user code runs (a future's or a
//! value's destructor included) or while tokio is asked to spawn or abort (a spawn on a
//! runtime that shuts down drops the future on the spot, which re-enters
//! [`Inner::finish_task`]). Decisions are taken under the lock and carried out after it
//! is released, through [`Actions`]; a task given a slot is returned as a [`Start`], and
//! the caller spawns it (the task runner, `scope/task.rs`, depends on this file, not the
//! other way round).
//!
//! This engine is not the one of `Group` and `Pool` (`group/engine.rs`): a scope task is a
//! tokio task of its own, which a `TaskHandle` or a failing sibling can abort alone, and
//! its outcome is kept in spawn order. `group/engine.rs` says why the two stay apart, with
//! the measurements (a `Pool` worker running task after task costs about a quarter of a
//! scope task).

use core::any::Any;
use core::future::Future;
use core::num::NonZeroUsize;
use core::pin::Pin;
use core::task::{Poll, Waker};
use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::runtime::Handle;
use tokio::task::AbortHandle;

use crate::scope::control::Control;
use crate::rt::lock;
use crate::scope::error::JoinError;
use crate::scope::ledger::{Ended, Ledger, Lookup, Slot};
use crate::scope::outcome::TaskOutcome;

/// A panic payload, as `std::panic::catch_unwind` returns it.
pub(crate) type Payload = Box<dyn Any + Send + 'static>;

/// A boxed task future; fallible so that `spawn` and `try_spawn` share one path.
pub(crate) type BoxTask<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'static>>;

/// Work waiting for a free slot.
pub(crate) enum Job<T, E> {
    /// A future created by the caller (`spawn`, `try_spawn`).
    Ready(BoxTask<T, E>),
    /// A callable that creates the future when a slot frees (`spawn_lazy`).
    Lazy(Box<dyn FnOnce() -> BoxTask<T, E> + Send + 'static>),
}

/// A queued task the scope gave a slot. The scope only decides: its caller spawns the
/// task once the lock is released ([`TaskFuture::spawn`](crate::scope::task::TaskFuture::spawn)).
#[must_use = "a task given a slot must be spawned"]
pub(crate) struct Start<T, E> {
    pub(crate) index: usize,
    pub(crate) job: Job<T, E>,
}

/// How a unit ended.
pub(crate) enum Outcome<T, E> {
    Value(T),
    Error(E),
    Panic(Payload),
    Cancelled,
}

/// What a unit is, which decides what its end releases.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Unit {
    /// A task counted by `max_concurrency`, with a ledger slot.
    Task(usize),
    /// A blocking closure (`aside`, `aside_in`), with a ledger slot, not counted.
    Aside(usize),
    /// A scheduled callback (`after`, `at`, `every`), without a ledger slot.
    Scheduled(u64),
    /// A scope opened inside this one, until all its tasks are gone.
    Child,
}

struct Scheduled {
    abort: Option<AbortHandle>,
    holds: bool,
    /// `unschedule()` was called before the abort handle arrived.
    unscheduled: bool,
}

/// A future being dropped outside the lock, and what its ledger slot says afterwards.
struct Dropping<T, E> {
    job: Job<T, E>,
    /// `None` for a spawn refused after the scope finished: it was never counted.
    index: Option<usize>,
    ended: fn() -> Ended<T>,
}

pub(crate) struct State<T, E> {
    ledger: Ledger<T>,
    queue: VecDeque<(usize, Job<T, E>)>,
    /// Tasks started and not ended (bounded by `max_concurrency`).
    running: usize,
    /// Units alive, queued tasks included: tasks, blocking closures, scheduled callbacks,
    /// child scopes, and refused futures until they are dropped.
    outstanding: usize,
    /// Units alive that keep the scope open (all but `dont_hold_exit` schedules).
    holding: usize,
    scheduled: HashMap<u64, Scheduled>,
    next_scheduled: u64,
    /// No unit starts any more: an error, a panic, a time-out, `cancel()` or a drop.
    stopping: bool,
    /// The scope finished or was dropped: spawns are refused.
    closed: bool,
    pub(crate) timed_out: bool,
    pub(crate) cancelled: bool,
    pub(crate) first_error: Option<E>,
    pub(crate) secondary: Vec<E>,
    pub(crate) panic: Option<Payload>,
    /// Outcomes are not kept for `join_next` or the final results.
    discard: bool,
    /// The scope's own future.
    waker: Option<Waker>,
    /// `TaskHandle`s waiting for their task, by index.
    awaited: HashMap<usize, Waker>,
    /// Outcomes of awaited tasks, until their handle takes them.
    handed: HashMap<usize, Ended<T>>,
    /// `join_next` callers waiting for an outcome.
    joiners: Vec<Waker>,
    /// The scope this one was opened in; released once this one is closed and empty.
    parent: Option<Arc<dyn Control>>,
}

/// Side effects decided under the lock and carried out after it is released.
#[must_use]
pub(crate) struct Actions<T, E> {
    aborts: Vec<AbortHandle>,
    dropped: Vec<Dropping<T, E>>,
    payloads: Vec<Payload>,
    /// A value nobody will take (`discard_results`), dropped outside the lock.
    discarded: Option<T>,
    wake: Option<Waker>,
    wakers: Vec<Waker>,
    release_parent: Option<Arc<dyn Control>>,
}

impl<T, E> Default for Actions<T, E> {
    fn default() -> Self {
        Self {
            aborts: Vec::new(),
            dropped: Vec::new(),
            payloads: Vec::new(),
            discarded: None,
            wake: None,
            wakers: Vec::new(),
            release_parent: None,
        }
    }
}

/// What the scope's future should do after [`Inner::poll_done`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Every unit ended and the block is gone: the scope is closed.
    Done,
    /// Wait for a wake-up.
    Pending,
    /// The scope is stopping and the block is still alive: drop it, then poll again.
    DropBlock,
}

pub(crate) struct Inner<T, E> {
    state: Mutex<State<T, E>>,
    pub(crate) handle: Handle,
    limit: Option<NonZeroUsize>,
}

impl<T, E> core::fmt::Debug for Inner<T, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Inner")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<T: 'static, E> State<T, E> {
    /// Enters the stopping phase: queued work is dropped, running work is aborted.
    fn begin_stop(&mut self, actions: &mut Actions<T, E>) {
        if self.stopping {
            return;
        }
        self.stopping = true;
        // Still counted in `outstanding` until `settle_dropped`, after their drop.
        actions
            .dropped
            .extend(self.queue.drain(..).map(|(index, job)| Dropping {
                job,
                index: Some(index),
                ended: || Ended::Cancelled,
            }));
        actions
            .aborts
            .extend(self.ledger.abort_handles().cloned());
        actions
            .aborts
            .extend(self.scheduled.values().filter_map(|s| s.abort.clone()));
        actions.wake = self.waker.take();
    }

    fn record_error(&mut self, error: E, actions: &mut Actions<T, E>) {
        if self.first_error.is_none() {
            self.first_error = Some(error);
        } else {
            self.secondary.push(error);
        }
        self.begin_stop(actions);
    }

    fn record_panic(&mut self, payload: Payload, actions: &mut Actions<T, E>) {
        // The first panic wins; later payloads are dropped after the lock is released.
        if self.panic.is_none() {
            self.panic = Some(payload);
        } else {
            actions.payloads.push(payload);
        }
        self.begin_stop(actions);
    }

    /// Gives the outcome of task `index` to its awaiting handle, or keeps it for
    /// `join_next` and the results, or drops it (`discard_results`).
    fn deliver(&mut self, index: usize, ended: Ended<T>, actions: &mut Actions<T, E>) {
        if !self.awaited.is_empty()
            && let Some(waker) = self.awaited.remove(&index)
        {
            self.ledger.end_taken(index);
            self.handed.insert(index, ended);
            actions.wakers.push(waker);
        } else if self.discard {
            self.ledger.end_taken(index);
            if let Ended::Completed(value) = ended {
                actions.discarded = Some(value);
            }
        } else {
            self.ledger.end(index, ended);
        }
        // A joiner may now take this outcome, or learn that no task is left.
        actions.wakers.append(&mut self.joiners);
    }

    /// Wakes the scope's future when the units it waits for are gone.
    fn wake_if_idle(&mut self, actions: &mut Actions<T, E>) {
        if self.holding == 0 || self.outstanding == 0 {
            actions.wake = actions.wake.take().or_else(|| self.waker.take());
        }
        if self.closed && self.outstanding == 0 {
            actions.release_parent = self.parent.take();
        }
    }
}

impl<T, E> Inner<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    pub(crate) fn new(handle: Handle, limit: Option<NonZeroUsize>, discard: bool) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                ledger: Ledger::new(),
                queue: VecDeque::new(),
                running: 0,
                outstanding: 0,
                holding: 0,
                scheduled: HashMap::new(),
                next_scheduled: 0,
                stopping: false,
                closed: false,
                timed_out: false,
                cancelled: false,
                first_error: None,
                secondary: Vec::new(),
                panic: None,
                discard,
                waker: None,
                awaited: HashMap::new(),
                handed: HashMap::new(),
                joiners: Vec::new(),
                parent: None,
            }),
            handle,
            limit,
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State<T, E>> {
        lock::lock(&self.state)
    }

    fn has_room(&self, state: &State<T, E>) -> bool {
        self.limit.is_none_or(|limit| state.running < limit.get())
    }

    /// Adds a task; starts it now or queues it. Returns its index, whether the scope
    /// accepted it (a refused future is dropped unpolled), and the task to spawn if it
    /// got a slot at once.
    pub(crate) fn submit(self: &Arc<Self>, job: Job<T, E>) -> (usize, bool, Option<Start<T, E>>) {
        let mut actions = Actions::default();
        let mut start = None;
        let accepted;
        let index = {
            let mut state = self.lock();
            accepted = !(state.closed || state.stopping);
            if state.closed {
                // The results were handed out: nothing left to record it in.
                actions.dropped.push(Dropping {
                    job,
                    index: None,
                    ended: || Ended::Rejected,
                });
                state.ledger.next_index()
            } else if state.stopping {
                // Counted until dropped: the scope does not return before.
                let index = state.ledger.push(Slot::AbortRequested);
                state.outstanding += 1;
                state.holding += 1;
                actions.dropped.push(Dropping {
                    job,
                    index: Some(index),
                    ended: || Ended::Rejected,
                });
                index
            } else if self.has_room(&state) {
                let index = state.ledger.push(Slot::Running(None));
                state.running += 1;
                state.outstanding += 1;
                state.holding += 1;
                start = Some(Start { index, job });
                index
            } else {
                let index = state.ledger.push(Slot::Queued);
                state.outstanding += 1;
                state.holding += 1;
                state.queue.push_back((index, job));
                index
            }
        };
        self.apply(actions);
        (index, accepted, start)
    }

    /// Reserves a slot for a blocking closure; `false` if the scope no longer accepts
    /// work (the slot, if any, then already says rejected).
    pub(crate) fn reserve_aside(&self) -> (usize, bool) {
        let mut state = self.lock();
        if state.closed {
            return (state.ledger.next_index(), false);
        }
        if state.stopping {
            let index = state.ledger.push(Slot::AbortRequested);
            state.ledger.end(index, Ended::Rejected);
            return (index, false);
        }
        let index = state.ledger.push(Slot::Running(None));
        state.outstanding += 1;
        state.holding += 1;
        (index, true)
    }

    /// Reserves an id for a scheduled callback; `None` if the scope refuses work.
    pub(crate) fn reserve_scheduled(&self) -> Option<u64> {
        let mut state = self.lock();
        if state.closed || state.stopping {
            return None;
        }
        let id = state.next_scheduled;
        state.next_scheduled += 1;
        state.scheduled.insert(
            id,
            Scheduled {
                abort: None,
                holds: true,
                unscheduled: false,
            },
        );
        state.outstanding += 1;
        state.holding += 1;
        Some(id)
    }

    /// Stores the abort handle of a unit that was just spawned.
    pub(crate) fn register(&self, unit: Unit, abort: AbortHandle) {
        let abort_now = {
            let mut state = self.lock();
            let stopping = state.stopping;
            match unit {
                // The unit may already have ended: then there is nothing to register.
                Unit::Task(index) | Unit::Aside(index) => match state.ledger.live_slot(index) {
                    Some(slot @ Slot::Running(None)) => {
                        *slot = Slot::Running(Some(abort.clone()));
                        stopping
                    }
                    Some(slot @ Slot::AbortRequested) => {
                        *slot = Slot::Running(Some(abort.clone()));
                        true
                    }
                    _ => false,
                },
                Unit::Child => false,
                Unit::Scheduled(id) => match state.scheduled.get_mut(&id) {
                    Some(entry) => {
                        entry.abort = Some(abort.clone());
                        stopping || entry.unscheduled
                    }
                    None => false,
                },
            }
        };
        if abort_now {
            abort.abort();
        }
    }

    /// Records the end of a unit other than a task (those end through
    /// [`finish_task`](Self::finish_task)).
    pub(crate) fn finish(self: &Arc<Self>, unit: Unit, outcome: Outcome<T, E>) {
        debug_assert!(!matches!(unit, Unit::Task(_)), "a task ends through finish_task");
        // Only a task's end gives its slot to a queued task.
        let _none = self.end(unit, outcome);
    }

    /// Records the end of task `index`; returns the queued task that takes its slot, for
    /// the caller to spawn.
    pub(crate) fn finish_task(
        self: &Arc<Self>,
        index: usize,
        outcome: Outcome<T, E>,
    ) -> Option<Start<T, E>> {
        self.end(Unit::Task(index), outcome)
    }

    fn end(self: &Arc<Self>, unit: Unit, outcome: Outcome<T, E>) -> Option<Start<T, E>> {
        let mut actions = Actions::default();
        let mut start = None;
        {
            let mut state = self.lock();
            state.outstanding -= 1;
            let holds = match unit {
                Unit::Task(_) => {
                    state.running -= 1;
                    true
                }
                Unit::Aside(_) | Unit::Child => true,
                Unit::Scheduled(id) => state.scheduled.remove(&id).is_some_and(|s| s.holds),
            };
            if holds {
                state.holding -= 1;
            }
            let ended = match outcome {
                Outcome::Value(value) => Ended::Completed(value),
                Outcome::Cancelled => Ended::Cancelled,
                Outcome::Error(error) => {
                    state.record_error(error, &mut actions);
                    Ended::Failed
                }
                Outcome::Panic(payload) => {
                    state.record_panic(payload, &mut actions);
                    Ended::Failed
                }
            };
            if let Unit::Task(index) | Unit::Aside(index) = unit {
                state.deliver(index, ended, &mut actions);
            }
            if matches!(unit, Unit::Task(_)) && !state.stopping {
                start = self.start_next(&mut state, &mut actions);
            }
            state.wake_if_idle(&mut actions);
        }
        self.apply(actions);
        start
    }

    /// Gives a slot to the first queued task if there is room; queued tasks aborted
    /// through their handle are dropped on the way.
    fn start_next(&self, state: &mut State<T, E>, actions: &mut Actions<T, E>) -> Option<Start<T, E>> {
        // After a burst of queued tasks, give the memory back.
        if state.queue.capacity() > 4 * state.queue.len() + 1024 {
            let len = state.queue.len();
            state.queue.shrink_to(2 * len);
        }
        while self.has_room(state) {
            let Some((next, job)) = state.queue.pop_front() else {
                break;
            };
            match state.ledger.live_slot(next) {
                Some(slot @ Slot::Queued) => {
                    *slot = Slot::Running(None);
                    state.running += 1;
                    return Some(Start { index: next, job });
                }
                _ => actions.dropped.push(Dropping {
                    job,
                    index: Some(next),
                    ended: || Ended::Cancelled,
                }),
            }
        }
        None
    }

    /// Records that the counted futures of `dropped` are gone.
    fn settle_dropped(self: &Arc<Self>, dropped: Vec<(usize, Ended<T>)>) {
        let mut actions = Actions::default();
        {
            let mut state = self.lock();
            for (index, ended) in dropped {
                state.outstanding -= 1;
                state.holding -= 1;
                state.deliver(index, ended, &mut actions);
            }
            state.wake_if_idle(&mut actions);
        }
        self.apply(actions);
    }

    /// Registers this scope as a child of `parent` (see [`nesting`](crate::scope::nesting)).
    pub(crate) fn set_parent(&self, parent: Arc<dyn Control>) {
        parent.open_child();
        self.lock().parent = Some(parent);
    }

    /// Records a panic raised outside any unit (the scope's block, a dropped job).
    pub(crate) fn panicked(self: &Arc<Self>, payload: Payload) {
        let mut actions = Actions::default();
        self.lock().record_panic(payload, &mut actions);
        self.apply(actions);
    }

    /// Records the failure of the scope's block (`try_run`): kept like a task's error.
    pub(crate) fn block_failed(self: &Arc<Self>, error: E) {
        let mut actions = Actions::default();
        self.lock().record_error(error, &mut actions);
        self.apply(actions);
    }

    /// Stops the scope because of `reason`; the first reason wins.
    pub(crate) fn stop(self: &Arc<Self>, reason: StopReason) {
        let mut actions = Actions::default();
        {
            let mut state = self.lock();
            if !state.stopping && !state.closed {
                match reason {
                    StopReason::Cancel => state.cancelled = true,
                    StopReason::Timeout => state.timed_out = true,
                    StopReason::Failed | StopReason::Dropped => {}
                }
                state.begin_stop(&mut actions);
            }
            if let StopReason::Dropped = reason {
                state.closed = true;
                actions.wakers.append(&mut state.joiners);
                if state.outstanding == 0 {
                    actions.release_parent = state.parent.take();
                }
            }
        }
        self.apply(actions);
    }

    pub(crate) fn is_stopping(&self) -> bool {
        let state = self.lock();
        state.stopping || state.closed
    }

    /// Aborts one task: a queued one never starts, a running one is dropped.
    pub(crate) fn abort_one(&self, index: usize) {
        let abort = {
            let mut state = self.lock();
            match state.ledger.live_slot(index) {
                // Dropped when it reaches the head of the queue, or when the scope stops.
                Some(slot @ Slot::Queued) => {
                    *slot = Slot::AbortRequested;
                    None
                }
                Some(Slot::Running(Some(abort))) => Some(abort.clone()),
                Some(slot @ Slot::Running(None)) => {
                    *slot = Slot::AbortRequested;
                    None
                }
                _ => None,
            }
        };
        if let Some(abort) = abort {
            abort.abort();
        }
    }

    /// Whether a blocking closure may still start: the scope goes on and its handle did
    /// not abort it (executors of `aside_in` give no abort handle).
    pub(crate) fn may_start(&self, index: usize) -> bool {
        let mut state = self.lock();
        let aborted = matches!(state.ledger.live_slot(index), Some(Slot::AbortRequested));
        !(state.stopping || state.closed || aborted)
    }

    pub(crate) fn is_finished(&self, index: usize) -> bool {
        !self.lock().ledger.is_live(index)
    }

    /// Polled by an awaited `TaskHandle`: its task's outcome once it ended.
    pub(crate) fn poll_take(&self, index: usize, waker: &Waker) -> Poll<Result<T, JoinError>> {
        let mut joiners = Vec::new();
        let polled = {
            let mut state = self.lock();
            if let Some(ended) = state.handed.remove(&index) {
                Poll::Ready(ended.into_result())
            } else {
                match state.ledger.take(index) {
                    Lookup::Live => {
                        match state.awaited.get(&index) {
                            Some(w) if w.will_wake(waker) => {}
                            _ => {
                                state.awaited.insert(index, waker.clone());
                            }
                        }
                        Poll::Pending
                    }
                    Lookup::Ended(ended) => {
                        // A joiner may now learn that no outcome is left.
                        joiners = core::mem::take(&mut state.joiners);
                        Poll::Ready(ended.into_result())
                    }
                    Lookup::Gone => Poll::Ready(Err(JoinError::Taken)),
                }
            }
        };
        joiners.into_iter().for_each(Waker::wake);
        polled
    }

    /// An awaiting `TaskHandle` is dropped: its task's outcome, if handed already, is
    /// returned so that the caller drops it outside the lock.
    pub(crate) fn release(&self, index: usize) -> Option<Ended<T>> {
        let mut state = self.lock();
        state.awaited.remove(&index);
        state.handed.remove(&index)
    }

    /// Polled by `join_next`: the ended outcome with the lowest index, or `None` once no
    /// task is live and no outcome is left.
    pub(crate) fn poll_join_next(
        &self,
        waker: &Waker,
    ) -> Poll<Option<(usize, Result<T, JoinError>)>> {
        let mut state = self.lock();
        if let Some((index, ended)) = state.ledger.take_first() {
            return Poll::Ready(Some((index, ended.into_result())));
        }
        if state.closed || state.ledger.live() == 0 {
            return Poll::Ready(None);
        }
        if !state.joiners.iter().any(|w| w.will_wake(waker)) {
            state.joiners.push(waker.clone());
        }
        Poll::Pending
    }

    /// Stops a scheduled callback; `false` if it already ended.
    pub(crate) fn unschedule(&self, id: u64) -> bool {
        let abort = {
            let mut state = self.lock();
            match state.scheduled.get_mut(&id) {
                Some(entry) => {
                    entry.unscheduled = true;
                    Some(entry.abort.clone())
                }
                None => None,
            }
        };
        match abort {
            Some(abort) => {
                // Without a handle yet, `register` aborts on arrival.
                if let Some(abort) = abort {
                    abort.abort();
                }
                true
            }
            None => false,
        }
    }

    /// Lets the scope finish without waiting for this scheduled callback.
    pub(crate) fn apply_dont_hold(&self, id: u64) {
        let wake = {
            let mut state = self.lock();
            let released = match state.scheduled.get_mut(&id) {
                Some(entry) if entry.holds => {
                    entry.holds = false;
                    true
                }
                _ => false,
            };
            if released {
                state.holding -= 1;
            }
            if released && state.holding == 0 {
                state.waker.take()
            } else {
                None
            }
        };
        if let Some(waker) = wake {
            waker.wake();
        }
    }

    /// Polled by the scope's future after it polled the block: registers its waker and
    /// says what to do next. Checking for a stop and registering the waker happen in one
    /// critical section, so a stop that comes while the block was polled (from the
    /// block itself or from another thread) is never missed. Closes the scope once the
    /// block is gone and every unit ended, so no spawn slips in afterwards.
    pub(crate) fn poll_done(self: &Arc<Self>, waker: &Waker, block_alive: bool) -> Progress {
        let mut actions = Actions::default();
        let progress = {
            let mut state = self.lock();
            if block_alive && (state.stopping || state.closed) {
                Progress::DropBlock
            } else if !block_alive && state.outstanding == 0 {
                state.closed = true;
                actions.release_parent = state.parent.take();
                actions.wakers.append(&mut state.joiners);
                Progress::Done
            } else {
                if !block_alive && state.holding == 0 {
                    // Only `dont_hold_exit` callbacks remain: they end with the scope.
                    for entry in state.scheduled.values() {
                        if let Some(abort) = &entry.abort {
                            actions.aborts.push(abort.clone());
                        }
                    }
                }
                match &state.waker {
                    Some(w) if w.will_wake(waker) => {}
                    _ => state.waker = Some(waker.clone()),
                }
                Progress::Pending
            }
        };
        self.apply(actions);
        progress
    }

    /// The task outcomes nobody took, in spawn order; the ledger is empty afterwards.
    pub(crate) fn take_outcomes(&self) -> Vec<TaskOutcome<T>> {
        let ledger = core::mem::replace(&mut self.lock().ledger, Ledger::new());
        ledger.into_outcomes()
    }

    /// Slots the ledger holds, for tests of memory.
    #[cfg(test)]
    pub(crate) fn stored(&self) -> usize {
        let state = self.lock();
        state.ledger.stored() + state.queue.len() + state.handed.len() + state.awaited.len()
    }

    fn apply(self: &Arc<Self>, actions: Actions<T, E>) {
        let Actions {
            aborts,
            dropped,
            payloads,
            discarded,
            wake,
            wakers,
            release_parent,
        } = actions;
        for abort in aborts {
            abort.abort();
        }
        if !dropped.is_empty() {
            let mut settled = Vec::with_capacity(dropped.len());
            for Dropping { job, index, ended } in dropped {
                // A queued future's destructor is user code: a panic there is recorded.
                if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(move || drop(job)))
                {
                    self.panicked(payload);
                }
                if let Some(index) = index {
                    settled.push((index, ended()));
                }
            }
            if !settled.is_empty() {
                self.settle_dropped(settled);
            }
        }
        for payload in payloads {
            // Only the first panic is resumed; a later payload whose destructor panics
            // again is forgotten rather than unwinding through the scope.
            if let Err(again) = std::panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
                core::mem::forget(again);
            }
        }
        if let Some(value) = discarded
            && let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(move || drop(value)))
        {
            self.panicked(payload);
        }
        if let Some(waker) = wake {
            waker.wake();
        }
        for waker in wakers {
            waker.wake();
        }
        if let Some(parent) = release_parent {
            parent.close_child();
        }
    }
}

impl<T, E> Control for Inner<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn abort_task(&self, index: usize) {
        self.abort_one(index);
    }

    fn is_task_finished(&self, index: usize) -> bool {
        self.is_finished(index)
    }

    fn release_task(&self, index: usize) {
        // Returned after the lock is released: the outcome is dropped here, outside it.
        drop(self.release(index));
    }

    fn unschedule(&self, id: u64) -> bool {
        Inner::unschedule(self, id)
    }

    fn dont_hold(&self, id: u64) {
        self.apply_dont_hold(id);
    }

    fn open_child(&self) {
        let mut state = self.lock();
        state.outstanding += 1;
        state.holding += 1;
    }

    fn close_child(self: Arc<Self>) {
        self.finish(Unit::Child, Outcome::Cancelled);
    }
}

/// Why a scope stops early, apart from a task's failure.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StopReason {
    Cancel,
    Timeout,
    /// The block failed in a way the scope does not record (`#[run_as_main]`'s `main`
    /// returned `Err`, which it reports itself).
    Failed,
    Dropped,
}

#[cfg(test)]
mod tests {
    //! Memory follows live work: scopes that run many short tasks, with few alive at a
    //! time, hold a bounded number of slots. (`examples/soak.rs` measures the resident
    //! set of the same workloads through the public API.)

    use std::sync::Arc;

    use tokio::sync::{Semaphore, oneshot};

    use crate::{Scope, ScopeOptions};

    const LIVE: usize = 100;

    /// Spawns `tasks` tasks through `spawn`, at most `LIVE` alive at a time, and returns
    /// the most slots the scope held, sampled every 1,000 spawns.
    async fn peak_slots<T, E>(s: &Scope<T, E>, tasks: usize, spawn: impl Fn(usize, Box<dyn FnOnce() + Send>)) -> usize
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        let live = Arc::new(Semaphore::new(LIVE));
        let mut peak = 0;
        for i in 0..tasks {
            let permit = Arc::clone(&live).acquire_owned().await.unwrap();
            spawn(i, Box::new(move || drop(permit)));
            if i % 1_000 == 0 {
                peak = peak.max(s.inner().stored());
            }
        }
        peak
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_unit_scope_of_a_million_tasks_holds_slots_only_for_live_ones() {
        // Bug: one result slot per task ever spawned (2,000,000 `()` tasks: +30 MiB).
        const TASKS: usize = 1_000_000;
        let (stop, stopped) = oneshot::channel::<()>();
        let out = crate::scope(|s: Scope| async move {
            // A task that lives through the whole run, like a server's accept loop.
            s.spawn(async move { stopped.await.unwrap() });
            let peak = peak_slots(&s, TASKS, |_, release| {
                s.spawn(async move {
                    tokio::task::yield_now().await;
                    release();
                });
            })
            .await;
            stop.send(()).unwrap();
            peak
        })
        .await
        .unwrap();
        let peak = *out.value().unwrap();
        assert!(peak <= 4 * LIVE + 256, "peak of {peak} slots");
        assert_eq!(out.results().len(), TASKS + 1);
        assert_eq!(out.completed().count(), TASKS + 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_collecting_scope_holds_each_value_only_until_it_is_taken() {
        const TASKS: usize = 200_000;
        let out = crate::scope(|s: Scope<u64>| async move {
            let mut peak = 0;
            let mut sum = 0;
            for i in 0..TASKS {
                s.spawn(async move {
                    tokio::task::yield_now().await;
                    i as u64
                });
                if i >= LIVE {
                    sum += s.join_next().await.unwrap().unwrap();
                }
                if i % 1_000 == 0 {
                    peak = peak.max(s.inner().stored());
                }
            }
            while let Some(value) = s.join_next().await {
                sum += value.unwrap();
            }
            (peak, sum)
        })
        .await
        .unwrap();
        let (peak, sum) = *out.value().unwrap();
        assert!(peak <= 4 * LIVE + 256, "peak of {peak} slots");
        assert_eq!(sum, (0..TASKS as u64).sum::<u64>());
        assert!(out.results().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_discarding_scope_holds_slots_only_for_live_tasks() {
        const TASKS: usize = 200_000;
        let out = ScopeOptions::<u64>::default()
            .discard_results()
            .run(|s| async move {
                peak_slots(&s, TASKS, |i, release| {
                    s.spawn(async move {
                        tokio::task::yield_now().await;
                        release();
                        i as u64
                    });
                })
                .await
            })
            .await
            .unwrap();
        let peak = *out.value().unwrap();
        assert!(peak <= 4 * LIVE + 256, "peak of {peak} slots");
        assert!(out.results().is_empty());
    }
}
