//! [`Inner`]: the shared state behind a [`Scope`](crate::Scope) and the rules that move it.
//!
//! Every unit of work (a spawned task, an `aside` closure, a scheduled callback) is
//! counted while it is alive. A unit reports its end exactly once through
//! [`Inner::finish`], either when it completes or when its future is dropped; so the scope
//! knows that every future is gone when the counters reach zero.
//!
//! Locking discipline: the mutex is never held while user code runs or while tokio is
//! asked to spawn or abort (a spawn on a runtime that shuts down drops the future on the
//! spot, which re-enters [`Inner::finish`]). Decisions are taken under the lock and
//! carried out after it is released, through [`Actions`].

use core::any::Any;
use core::future::Future;
use core::num::NonZeroUsize;
use core::pin::Pin;
use core::task::Waker;
use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::runtime::Handle;
use tokio::task::AbortHandle;

use crate::scope::nesting::ChildLink;
use crate::scope::task::TaskFuture;

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
    /// A task counted by `max_concurrency`, with a result slot.
    Task(usize),
    /// A blocking closure (`aside`, `aside_in`), with a result slot, not counted.
    Aside(usize),
    /// A scheduled callback (`after`, `at`, `every`), without a result slot.
    Scheduled(u64),
    /// A scope opened inside this one, until all its tasks are gone.
    Child,
}

/// The result slot of one spawn.
pub(crate) enum Slot<T> {
    /// Queued behind `max_concurrency`.
    Waiting,
    /// Started; the abort handle arrives right after the spawn.
    Running(Option<AbortHandle>),
    /// `TaskHandle::abort` was called before the abort handle arrived.
    AbortRequested,
    Done(T),
    Cancelled,
    /// Ended with an error or a panic (the scope then returns that error).
    Failed,
}

struct Scheduled {
    abort: Option<AbortHandle>,
    holds: bool,
    /// `unschedule()` was called before the abort handle arrived.
    unscheduled: bool,
}

pub(crate) struct State<T, E> {
    pub(crate) slots: Vec<Slot<T>>,
    queue: VecDeque<(usize, Job<T, E>)>,
    /// Tasks started and not ended (bounded by `max_concurrency`).
    running: usize,
    /// Units alive: tasks, blocking closures, scheduled callbacks.
    outstanding: usize,
    /// Units alive that keep the scope open (all but `dont_hold_exit` schedules).
    holding: usize,
    scheduled: HashMap<u64, Scheduled>,
    next_scheduled: u64,
    /// No unit starts any more: an error, a panic, a time-out, `cancel()` or a drop.
    stopping: bool,
    /// The scope finished or was dropped: spawns are refused.
    pub(crate) closed: bool,
    pub(crate) timed_out: bool,
    pub(crate) cancelled: bool,
    pub(crate) first_error: Option<E>,
    pub(crate) secondary: Vec<E>,
    pub(crate) panic: Option<Payload>,
    waker: Option<Waker>,
    /// The scope this one was opened in; released once this one is closed and empty.
    parent: Option<Arc<dyn ChildLink>>,
}

/// Side effects decided under the lock and carried out after it is released.
#[must_use]
pub(crate) struct Actions<T, E> {
    aborts: Vec<AbortHandle>,
    dropped: Vec<Job<T, E>>,
    payloads: Vec<Payload>,
    spawn: Option<(usize, Job<T, E>)>,
    wake: Option<Waker>,
    release_parent: Option<Arc<dyn ChildLink>>,
}

impl<T, E> Default for Actions<T, E> {
    fn default() -> Self {
        Self {
            aborts: Vec::new(),
            dropped: Vec::new(),
            payloads: Vec::new(),
            spawn: None,
            wake: None,
            release_parent: None,
        }
    }
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

impl<T, E> State<T, E> {
    /// Enters the stopping phase: queued work is dropped, running work is aborted.
    fn begin_stop(&mut self, actions: &mut Actions<T, E>) {
        if self.stopping {
            return;
        }
        self.stopping = true;
        for (index, job) in self.queue.drain(..) {
            self.slots[index] = Slot::Cancelled;
            actions.dropped.push(job);
        }
        for slot in &self.slots {
            if let Slot::Running(Some(abort)) = slot {
                actions.aborts.push(abort.clone());
            }
        }
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
}

impl<T, E> Inner<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    pub(crate) fn new(handle: Handle, limit: Option<NonZeroUsize>) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                slots: Vec::new(),
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
                waker: None,
                parent: None,
            }),
            handle,
            limit,
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State<T, E>> {
        // A poisoned lock only means a panic elsewhere; the state stays consistent
        // because no user code runs under it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn has_room(&self, state: &State<T, E>) -> bool {
        self.limit.is_none_or(|limit| state.running < limit.get())
    }

    /// Adds a task; starts it now or queues it. Returns its result index.
    pub(crate) fn submit(self: &Arc<Self>, job: Job<T, E>) -> usize {
        let mut actions = Actions::default();
        let index;
        {
            let mut state = self.lock();
            index = state.slots.len();
            if state.closed || state.stopping {
                state.slots.push(Slot::Cancelled);
                actions.dropped.push(job);
            } else if self.has_room(&state) {
                state.slots.push(Slot::Running(None));
                state.running += 1;
                state.outstanding += 1;
                state.holding += 1;
                actions.spawn = Some((index, job));
            } else {
                state.slots.push(Slot::Waiting);
                state.queue.push_back((index, job));
            }
        }
        self.apply(actions);
        index
    }

    /// Reserves a slot for a blocking closure; `false` if the scope no longer accepts
    /// work (the slot is then already `Cancelled`).
    pub(crate) fn reserve_aside(&self) -> (usize, bool) {
        let mut state = self.lock();
        let index = state.slots.len();
        if state.closed || state.stopping {
            state.slots.push(Slot::Cancelled);
            (index, false)
        } else {
            state.slots.push(Slot::Running(None));
            state.outstanding += 1;
            state.holding += 1;
            (index, true)
        }
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
            match unit {
                // The unit may already have ended, and the scope finished and handed
                // its slots out: then there is nothing to register.
                Unit::Task(index) | Unit::Aside(index) => {
                    let stopping = state.stopping;
                    match state.slots.get_mut(index) {
                        Some(slot @ Slot::Running(None)) => {
                            *slot = Slot::Running(Some(abort.clone()));
                            stopping
                        }
                        Some(slot @ Slot::AbortRequested) => {
                            *slot = Slot::Running(Some(abort.clone()));
                            true
                        }
                        _ => false,
                    }
                }
                Unit::Child => false,
                Unit::Scheduled(id) => {
                    let stopping = state.stopping;
                    match state.scheduled.get_mut(&id) {
                        Some(entry) => {
                            entry.abort = Some(abort.clone());
                            stopping || entry.unscheduled
                        }
                        None => false,
                    }
                }
            }
        };
        if abort_now {
            abort.abort();
        }
    }

    /// Records the end of a unit; starts the next queued task if there is room.
    pub(crate) fn finish(self: &Arc<Self>, unit: Unit, outcome: Outcome<T, E>) {
        let mut actions = Actions::default();
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
            let slot = match outcome {
                Outcome::Value(value) => Slot::Done(value),
                Outcome::Cancelled => Slot::Cancelled,
                Outcome::Error(error) => {
                    state.record_error(error, &mut actions);
                    Slot::Failed
                }
                Outcome::Panic(payload) => {
                    state.record_panic(payload, &mut actions);
                    Slot::Failed
                }
            };
            if let Unit::Task(index) | Unit::Aside(index) = unit {
                state.slots[index] = slot;
            }
            if matches!(unit, Unit::Task(_)) && !state.stopping {
                while self.has_room(&state) {
                    let Some((next, job)) = state.queue.pop_front() else {
                        break;
                    };
                    if !matches!(state.slots[next], Slot::Waiting) {
                        // Aborted through its handle while queued.
                        actions.dropped.push(job);
                        continue;
                    }
                    state.slots[next] = Slot::Running(None);
                    state.running += 1;
                    state.outstanding += 1;
                    state.holding += 1;
                    actions.spawn = Some((next, job));
                    break;
                }
            }
            if state.holding == 0 || state.outstanding == 0 {
                actions.wake = actions.wake.take().or_else(|| state.waker.take());
            }
            if state.closed && state.outstanding == 0 {
                actions.release_parent = state.parent.take();
            }
        }
        self.apply(actions);
    }

    /// Registers this scope as a child of `parent` (see [`nesting`](crate::scope::nesting)).
    pub(crate) fn set_parent(&self, parent: Arc<dyn ChildLink>) {
        parent.open_child();
        self.lock().parent = Some(parent);
    }

    /// Records a panic raised outside any unit (the scope's block, a dropped job).
    pub(crate) fn panicked(self: &Arc<Self>, payload: Payload) {
        let mut actions = Actions::default();
        self.lock().record_panic(payload, &mut actions);
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
                    StopReason::Dropped => {}
                }
                state.begin_stop(&mut actions);
            }
            if let StopReason::Dropped = reason {
                state.closed = true;
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
            // Out of range: the scope finished and handed its slots out.
            match state.slots.get_mut(index) {
                Some(slot @ Slot::Waiting) => {
                    *slot = Slot::Cancelled;
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
        let state = self.lock();
        let aborted = matches!(state.slots.get(index), Some(Slot::AbortRequested));
        !(state.stopping || state.closed || aborted)
    }

    pub(crate) fn is_finished(&self, index: usize) -> bool {
        // Out of range: the scope finished, so every task did.
        self.lock()
            .slots
            .get(index)
            .is_none_or(|slot| matches!(slot, Slot::Done(_) | Slot::Cancelled | Slot::Failed))
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

    /// Polled by the scope's future: registers its waker and, once the block is gone
    /// (`block_alive == false`), reports whether every unit ended. Closes the scope in the
    /// same critical section, so no spawn slips in afterwards.
    pub(crate) fn poll_done(self: &Arc<Self>, waker: &Waker, block_alive: bool) -> bool {
        let mut actions = Actions::default();
        let done = {
            let mut state = self.lock();
            if !block_alive && state.outstanding == 0 {
                state.closed = true;
                actions.release_parent = state.parent.take();
                true
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
                false
            }
        };
        self.apply(actions);
        done
    }

    fn apply(self: &Arc<Self>, actions: Actions<T, E>) {
        let Actions {
            aborts,
            dropped,
            payloads,
            spawn,
            wake,
            release_parent,
        } = actions;
        for abort in aborts {
            abort.abort();
        }
        for job in dropped {
            // A queued future's destructor is user code: a panic there is recorded.
            if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(move || drop(job))) {
                self.panicked(payload);
            }
        }
        for payload in payloads {
            // Only the first panic is resumed; a later payload whose destructor panics
            // again is forgotten rather than unwinding through the scope.
            if let Err(again) = std::panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
                core::mem::forget(again);
            }
        }
        if let Some((index, job)) = spawn {
            let join = self
                .handle
                .spawn(TaskFuture::new(Arc::clone(self), index, job));
            self.register(Unit::Task(index), join.abort_handle());
        }
        if let Some(waker) = wake {
            waker.wake();
        }
        if let Some(parent) = release_parent {
            parent.close_child();
        }
    }
}

impl<T, E> ChildLink for Inner<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    fn open_child(&self) {
        let mut state = self.lock();
        state.outstanding += 1;
        state.holding += 1;
    }

    fn close_child(self: Arc<Self>) {
        self.finish(Unit::Child, Outcome::Cancelled);
    }
}

/// Why a scope stops early, apart from failures.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StopReason {
    Cancel,
    Timeout,
    Dropped,
}
