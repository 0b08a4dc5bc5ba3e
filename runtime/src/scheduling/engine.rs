//! [`Executor`]: the state of one scheduling executor (its tasks and its ready queue) and
//! the thread-local that tells the scheduling functions which executor is running.
//!
//! Every task is in exactly one state: `Queued` (one entry in the ready queue), `Running`
//! (being polled: the current task), `Blocked` (waiting for a wake), `Popped` (its entry
//! was taken out with `ready_pop` and is held by the user) or `Done`. The ready queue holds
//! an entry for every `Queued` task and for nothing else but callbacks.
//!
//! User code (a future's poll or drop, a callback, an output's drop, a foreign waker) never
//! runs while the state is borrowed: each operation takes what it must drop or wake out of
//! the state and does it after the borrow ends, so user code may call the scheduling
//! functions again.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Waker};
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use slab::Slab;

use super::task::{Job, JobCell};
use super::waker::{TaskWaker, WakeKind, WakeList};
use super::{SchedulingError, Task, TaskId};

/// Wakers kept for reuse, at most: enough for bursts of short tasks, bounded so memory
/// follows live work.
const SPARE_WAKERS: usize = 256;

/// Source of executor ids, so a task id of one executor is never taken for another's.
static NEXT_EXECUTOR: AtomicU64 = AtomicU64::new(1);

std::thread_local! {
    /// The executor whose run loop this thread is inside, if any.
    static CURRENT: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
}

/// One entry of the ready queue.
pub(crate) enum Entry {
    /// Run a step of this task.
    Task(TaskId),
    /// Call this (from [`call_insert`](crate::scheduling::call_insert)).
    Callback(Box<dyn FnOnce()>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Queued,
    Running,
    Blocked,
    Popped,
    Done,
}

struct Slot {
    serial: u64,
    state: State,
    /// The future and then its output; `None` for the main task (its future lives in the
    /// run loop), while the task runs, and once a cancelled task's future is dropped.
    job: Option<Pin<Box<dyn Job>>>,
    /// `None` while the task runs (the step holds it).
    waker: Option<(Arc<TaskWaker>, Waker)>,
    /// Woken while running: goes back to the tail when its step ends.
    woken: bool,
    /// Aborted while running: dropped when its step ends.
    abort: bool,
    /// Whoever awaits the task's [`Task`] handle.
    join: Option<Waker>,
    /// The [`Task`] handle is gone: nobody will take the output.
    detached: bool,
}

struct Core {
    /// The id of the executor this is the state of.
    executor: u64,
    tasks: Slab<Slot>,
    ready: VecDeque<Entry>,
    next_serial: u64,
    current: Option<TaskId>,
    /// Where the current task goes if its step ends waiting (set by `sleep_insert`).
    requeue_at: Option<usize>,
    stopped: bool,
    spare_wakers: Vec<(Arc<TaskWaker>, Waker)>,
    /// Scratch space for draining the wake list.
    drained: Vec<(TaskId, WakeKind)>,
}

/// One scheduling executor, shared by its run loop, its task handles and its ready entries.
pub(crate) struct Executor {
    id: u64,
    core: RefCell<Core>,
    wakes: Arc<WakeList>,
}

/// What a step of a task holds while the task is polled outside the borrow.
pub(crate) struct Step {
    id: TaskId,
    job: Option<Pin<Box<dyn Job>>>,
    waker: (Arc<TaskWaker>, Waker),
}

impl Step {
    pub(crate) fn waker(&self) -> &Waker {
        &self.waker.1
    }

    /// Polls the task's future; `true` once it is done.
    pub(crate) fn poll_job(&mut self) -> bool {
        let Some(job) = &mut self.job else {
            return true;
        };
        job.as_mut()
            .poll(&mut Context::from_waker(&self.waker.1))
            .is_ready()
    }
}

/// Restores the previous current executor when a run-loop poll ends.
pub(crate) struct Enter {
    previous: Option<Rc<Executor>>,
}

impl Drop for Enter {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // During thread teardown the thread-local may be gone; nothing is left to restore.
        let _ = CURRENT.try_with(|current| *current.borrow_mut() = previous);
    }
}

impl Executor {
    pub(crate) fn new() -> Rc<Self> {
        let id = NEXT_EXECUTOR.fetch_add(1, Ordering::Relaxed);
        Rc::new(Self {
            id,
            core: RefCell::new(Core {
                executor: id,
                tasks: Slab::new(),
                ready: VecDeque::new(),
                next_serial: 0,
                current: None,
                requeue_at: None,
                stopped: false,
                spare_wakers: Vec::new(),
                drained: Vec::new(),
            }),
            wakes: Arc::default(),
        })
    }

    /// The executor whose run loop this thread is inside.
    pub(crate) fn current() -> Result<Rc<Self>, SchedulingError> {
        CURRENT
            .try_with(|current| current.borrow().clone())
            .ok()
            .flatten()
            .ok_or(SchedulingError::NoExecutor)
    }

    /// Makes this the current executor until the guard drops.
    pub(crate) fn enter(self: &Rc<Self>) -> Enter {
        let previous = CURRENT.with(|current| current.borrow_mut().replace(self.clone()));
        Enter { previous }
    }

    /// Applies a wake of `id` on the spot if its executor runs on this thread and its state
    /// is free; `false` if the wake must go through the wake list.
    pub(crate) fn wake_here(id: TaskId) -> bool {
        CURRENT
            .try_with(|current| {
                let Ok(current) = current.try_borrow() else {
                    return false;
                };
                match current.as_ref() {
                    Some(executor) if executor.id == id.executor => {
                        match executor.core.try_borrow_mut() {
                            Ok(mut core) => {
                                core.wake(id);
                                true
                            }
                            Err(_) => false,
                        }
                    }
                    _ => false,
                }
            })
            .unwrap_or(false)
    }

    // ----- tasks -----------------------------------------------------------------------

    /// Adds a task at the tail of the ready queue.
    pub(crate) fn spawn<F>(self: &Rc<Self>, fut: F) -> Result<Task<F::Output>, SchedulingError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let mut core = self.core.borrow_mut();
        if core.stopped {
            return Err(SchedulingError::Stopped);
        }
        let job: Pin<Box<dyn Job>> = Box::pin(JobCell::new(crate::rt::inherit::handed(fut)));
        let id = core.insert(self, Some(job));
        drop(core);
        Ok(Task::new(self.clone(), id))
    }

    /// Adds the main task, whose future the run loop holds, at the tail of the ready queue.
    pub(crate) fn spawn_main(&self) -> TaskId {
        self.core.borrow_mut().insert(self, None)
    }

    /// The next entry of the ready queue, after applying the wakes that came from outside.
    pub(crate) fn next_entry(&self) -> Option<Entry> {
        let mut core = self.core.borrow_mut();
        core.apply_wake_list(&self.wakes);
        core.ready.pop_front()
    }

    /// Parks the run loop on `run_loop`; `false` if wakes arrived meanwhile.
    pub(crate) fn park(&self, run_loop: &Waker) -> bool {
        self.wakes.park(run_loop)
    }

    /// Starts a step of `id`: it becomes the current task. `None` if it is not queued.
    pub(crate) fn begin(&self, id: TaskId) -> Option<Step> {
        let mut core = self.core.borrow_mut();
        let slot = core.slot_mut(id).ok()?;
        if slot.state != State::Queued {
            return None;
        }
        slot.state = State::Running;
        slot.woken = false;
        let job = slot.job.take();
        let waker = slot.waker.take()?;
        core.current = Some(id);
        core.requeue_at = None;
        Some(Step { id, job, waker })
    }

    /// Ends a step: places the task by what it asked for and what happened to it.
    pub(crate) fn end(&self, step: Step, finished: bool) {
        let Step { id, job, waker } = step;
        let mut leftovers = Leftovers::default();
        self.core.borrow_mut().end(id, job, waker, finished, &mut leftovers);
        leftovers.release();
    }

    /// The finished task's job (holding its output), taking it out of the executor;
    /// `Some(None)` if the task was cancelled or dropped; `None` while it runs.
    pub(crate) fn poll_join(
        &self,
        id: TaskId,
        cx: &mut Context<'_>,
    ) -> Option<Option<Pin<Box<dyn Job>>>> {
        let mut leftovers = Leftovers::default();
        let out = {
            let mut core = self.core.borrow_mut();
            match core.slot_mut(id) {
                Ok(slot) if slot.state == State::Done => {
                    let job = slot.job.take();
                    leftovers.slot = core.remove(id.key);
                    Some(job)
                }
                Ok(slot) => {
                    match &mut slot.join {
                        Some(join) if join.will_wake(cx.waker()) => {}
                        join => leftovers.join = join.replace(cx.waker().clone()),
                    }
                    None
                }
                Err(_) => Some(None),
            }
        };
        // A replaced join waker is dropped, not woken.
        drop(leftovers.join.take());
        leftovers.release();
        out
    }

    /// The task's handle is gone: its output is dropped when it finishes.
    pub(crate) fn detach(&self, id: TaskId) {
        let mut leftovers = Leftovers::default();
        {
            // A handle dropped while the state is borrowed cannot happen (no user code runs
            // then); if it ever did, the slot would simply wait for the executor to stop.
            let Ok(mut core) = self.core.try_borrow_mut() else {
                return;
            };
            if let Ok(slot) = core.slot_mut(id) {
                leftovers.join = slot.join.take();
                if slot.state == State::Done {
                    leftovers.slot = core.remove(id.key);
                } else {
                    slot.detached = true;
                }
            }
        }
        drop(leftovers.join.take());
        leftovers.release();
    }

    /// Cancels a task: its future is dropped now, or at the end of its step if it runs.
    pub(crate) fn abort(&self, id: TaskId) {
        let mut leftovers = Leftovers::default();
        self.core.borrow_mut().abort(id, &mut leftovers);
        leftovers.release();
    }

    pub(crate) fn is_finished(&self, id: TaskId) -> bool {
        self.core
            .borrow()
            .slot(id)
            .is_none_or(|slot| slot.state == State::Done)
    }

    /// Stops the executor: every task left is dropped, in creation order, and so is every
    /// callback left in the ready queue. Idempotent.
    pub(crate) fn stop(&self) {
        let (slots, entries) = {
            let mut core = self.core.borrow_mut();
            if core.stopped {
                return;
            }
            core.stopped = true;
            core.current = None;
            let mut slots: Vec<Slot> = core.tasks.drain().collect();
            slots.sort_by_key(|slot| slot.serial);
            let entries: Vec<Entry> = core.ready.drain(..).collect();
            (slots, entries)
        };
        let mut first_panic = None;
        let mut guarded = |f: &mut dyn FnMut()| {
            if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
                first_panic.get_or_insert(payload);
            }
        };
        let mut entries = Some(entries);
        guarded(&mut || drop(entries.take()));
        for slot in slots {
            let mut slot = Some(slot);
            guarded(&mut || {
                if let Some(mut slot) = slot.take() {
                    let join = slot.join.take();
                    drop(slot);
                    if let Some(join) = join {
                        join.wake();
                    }
                }
            });
        }
        if let Some(payload) = first_panic
            && !std::thread::panicking()
        {
            resume_unwind(payload);
        }
    }

    // ----- ready queue -----------------------------------------------------------------

    pub(crate) fn ready_len(&self) -> usize {
        self.core.borrow().ready.len()
    }

    pub(crate) fn ready_pop(&self, pos: usize) -> Result<Entry, SchedulingError> {
        let mut core = self.core.borrow_mut();
        let len = core.ready.len();
        let entry = core
            .ready
            .remove(pos)
            .ok_or(SchedulingError::NoSuchPosition { pos, len })?;
        if let Entry::Task(id) = &entry
            && let Ok(slot) = core.slot_mut(*id)
        {
            slot.state = State::Popped;
        }
        Ok(entry)
    }

    /// Puts a popped entry back. A task entry whose task finished meanwhile is refused.
    pub(crate) fn ready_insert(&self, pos: usize, entry: Entry) -> Result<(), SchedulingError> {
        let mut core = self.core.borrow_mut();
        if let Entry::Task(id) = &entry {
            let slot = core.slot_mut(*id)?;
            if slot.state != State::Popped {
                return Err(SchedulingError::Finished(*id));
            }
            slot.state = State::Queued;
        }
        core.insert_at(pos, entry);
        Ok(())
    }

    /// A popped task entry was dropped: the task goes back to the tail.
    pub(crate) fn requeue_popped(&self, id: TaskId) {
        match self.core.try_borrow_mut() {
            Ok(mut core) => core.requeue_popped(id),
            Err(_) => self.wakes.push(id, WakeKind::Requeue),
        }
    }

    pub(crate) fn ready_rotate(&self, n: isize) {
        let mut core = self.core.borrow_mut();
        let len = core.ready.len();
        if len > 1 {
            // `deque.rotate(n)`: a positive `n` moves entries from the tail to the head.
            let shift = n.rem_euclid(len as isize) as usize;
            core.ready.rotate_right(shift);
        }
    }

    pub(crate) fn call_insert(&self, pos: usize, callback: Box<dyn FnOnce()>) {
        self.core
            .borrow_mut()
            .insert_at(pos, Entry::Callback(callback));
    }

    // ----- task-level operations -------------------------------------------------------

    pub(crate) fn current_task(&self) -> Result<TaskId, SchedulingError> {
        self.core
            .borrow()
            .current
            .ok_or(SchedulingError::NoCurrentTask)
    }

    /// The current task goes to `pos` when its step ends waiting; if `switch_to` is given,
    /// that task first moves to the head of the ready queue.
    pub(crate) fn reschedule(
        &self,
        switch_to: Option<TaskId>,
        pos: usize,
    ) -> Result<(), SchedulingError> {
        let mut core = self.core.borrow_mut();
        if core.current.is_none() {
            return Err(SchedulingError::NoCurrentTask);
        }
        if let Some(target) = switch_to {
            let index = core.ready_index(target)?;
            if let Some(entry) = core.ready.remove(index) {
                core.ready.push_front(entry);
            }
        }
        core.requeue_at = Some(pos);
        Ok(())
    }

    pub(crate) fn task_reinsert(&self, id: TaskId, pos: usize) -> Result<(), SchedulingError> {
        let mut core = self.core.borrow_mut();
        let index = core.ready_index(id)?;
        if let Some(entry) = core.ready.remove(index) {
            core.insert_at(pos, entry);
        }
        Ok(())
    }

    pub(crate) fn task_is_blocked(&self, id: TaskId) -> Result<bool, SchedulingError> {
        let mut core = self.core.borrow_mut();
        let slot = core.slot_mut(id)?;
        match slot.state {
            State::Blocked | State::Popped => Ok(true),
            State::Queued | State::Running => Ok(false),
            State::Done => Err(SchedulingError::Finished(id)),
        }
    }

    pub(crate) fn runnable_tasks(&self) -> Vec<TaskId> {
        let core = self.core.borrow();
        core.ready
            .iter()
            .filter_map(|entry| match entry {
                Entry::Task(id) => Some(*id),
                Entry::Callback(_) => None,
            })
            .collect()
    }

    pub(crate) fn blocked_tasks(&self) -> Vec<TaskId> {
        self.tasks_where(|state| matches!(state, State::Blocked | State::Popped))
    }

    pub(crate) fn all_tasks(&self) -> Vec<TaskId> {
        self.tasks_where(|state| state != State::Done)
    }

    fn tasks_where(&self, keep: impl Fn(State) -> bool) -> Vec<TaskId> {
        let core = self.core.borrow();
        let mut ids: Vec<TaskId> = core
            .tasks
            .iter()
            .filter(|(_, slot)| keep(slot.state))
            .map(|(key, slot)| TaskId {
                executor: self.id,
                serial: slot.serial,
                key,
            })
            .collect();
        ids.sort_unstable();
        ids
    }

    pub(crate) fn owns(&self, other: &Executor) -> bool {
        self.id == other.id
    }
}

impl Core {
    fn end(
        &mut self,
        id: TaskId,
        job: Option<Pin<Box<dyn Job>>>,
        waker: (Arc<TaskWaker>, Waker),
        finished: bool,
        leftovers: &mut Leftovers,
    ) {
        self.current = None;
        let requeue_at = self.requeue_at.take();
        let Some(slot) = self.tasks.get_mut(id.key).filter(|s| s.serial == id.serial) else {
            // The executor stopped during the step.
            leftovers.job = job;
            return;
        };
        slot.waker = Some(waker);
        if finished || slot.abort {
            slot.state = State::Done;
            leftovers.join = slot.join.take();
            if finished && !slot.detached {
                slot.job = job;
            } else {
                // Cancelled (its output was never made), or nobody will take the output.
                leftovers.job = job;
                if slot.detached {
                    leftovers.slot = self.remove(id.key);
                }
            }
        } else {
            slot.job = job;
            if let Some(pos) = requeue_at {
                slot.state = State::Queued;
                self.insert_at(pos, Entry::Task(id));
            } else if slot.woken {
                slot.state = State::Queued;
                self.ready.push_back(Entry::Task(id));
            } else {
                slot.state = State::Blocked;
            }
        }
    }

    fn insert(&mut self, executor: &Executor, job: Option<Pin<Box<dyn Job>>>) -> TaskId {
        let entry = self.tasks.vacant_entry();
        let id = TaskId {
            executor: executor.id,
            serial: self.next_serial,
            key: entry.key(),
        };
        self.next_serial += 1;
        let waker = match self.spare_wakers.pop() {
            Some(spare) => {
                spare.0.retarget(id);
                spare
            }
            None => {
                let arc = TaskWaker::new(executor.wakes.clone(), id);
                let waker = Waker::from(arc.clone());
                (arc, waker)
            }
        };
        entry.insert(Slot {
            serial: id.serial,
            state: State::Queued,
            job,
            waker: Some(waker),
            woken: false,
            abort: false,
            join: None,
            detached: false,
        });
        self.ready.push_back(Entry::Task(id));
        id
    }

    /// Frees a slot, keeping its waker for reuse if nobody else holds it.
    fn remove(&mut self, key: usize) -> Option<Slot> {
        let mut slot = self.tasks.try_remove(key)?;
        if let Some(waker) = slot.waker.take() {
            // The slot holds the `Arc` and the `Waker` made from it: two counts. More means
            // someone kept a clone, which could still wake this task's id.
            if Arc::strong_count(&waker.0) == 2 && self.spare_wakers.len() < SPARE_WAKERS {
                self.spare_wakers.push(waker);
            }
        }
        Some(slot)
    }

    fn slot(&self, id: TaskId) -> Option<&Slot> {
        self.tasks.get(id.key).filter(|slot| slot.serial == id.serial)
    }

    /// The live or finished-but-unclaimed slot of `id`, or why there is none.
    fn slot_mut(&mut self, id: TaskId) -> Result<&mut Slot, SchedulingError> {
        if id.executor != self.executor {
            return Err(SchedulingError::ForeignTask(id));
        }
        // Ids are never reused: a slot that is gone held a task that finished.
        self.tasks
            .get_mut(id.key)
            .filter(|slot| slot.serial == id.serial)
            .ok_or(SchedulingError::Finished(id))
    }

    /// Index in the ready queue of a runnable task.
    fn ready_index(&mut self, id: TaskId) -> Result<usize, SchedulingError> {
        let slot = self.slot_mut(id)?;
        match slot.state {
            State::Queued => {}
            State::Done => return Err(SchedulingError::Finished(id)),
            State::Running | State::Blocked | State::Popped => {
                return Err(SchedulingError::NotRunnable(id));
            }
        }
        self.ready
            .iter()
            .position(|entry| matches!(entry, Entry::Task(queued) if *queued == id))
            .ok_or(SchedulingError::NotRunnable(id))
    }

    fn remove_from_ready(&mut self, id: TaskId) {
        if let Some(index) = self
            .ready
            .iter()
            .position(|entry| matches!(entry, Entry::Task(queued) if *queued == id))
        {
            drop(self.ready.remove(index));
        }
    }

    /// Inserts at `pos`, or at the tail if `pos` is past it (as Python's `list.insert`).
    fn insert_at(&mut self, pos: usize, entry: Entry) {
        let pos = pos.min(self.ready.len());
        self.ready.insert(pos, entry);
    }

    fn wake(&mut self, id: TaskId) {
        let Some(slot) = self.tasks.get_mut(id.key).filter(|s| s.serial == id.serial) else {
            return;
        };
        match slot.state {
            State::Blocked => {
                slot.state = State::Queued;
                self.ready.push_back(Entry::Task(id));
            }
            State::Running => slot.woken = true,
            // Already due to run, or held by whoever popped its entry, or finished.
            State::Queued | State::Popped | State::Done => {}
        }
    }

    fn abort(&mut self, id: TaskId, leftovers: &mut Leftovers) {
        let Some(slot) = self.tasks.get_mut(id.key).filter(|s| s.serial == id.serial) else {
            return;
        };
        let was_queued = match slot.state {
            State::Done => return,
            State::Running => {
                slot.abort = true;
                return;
            }
            State::Queued => true,
            State::Blocked | State::Popped => false,
        };
        slot.state = State::Done;
        leftovers.job = slot.job.take();
        leftovers.join = slot.join.take();
        if slot.detached {
            leftovers.slot = self.remove(id.key);
        }
        if was_queued {
            self.remove_from_ready(id);
        }
    }

    fn requeue_popped(&mut self, id: TaskId) {
        let Some(slot) = self.tasks.get_mut(id.key).filter(|s| s.serial == id.serial) else {
            return;
        };
        if slot.state == State::Popped {
            slot.state = State::Queued;
            self.ready.push_back(Entry::Task(id));
        }
    }

    fn apply_wake_list(&mut self, wakes: &WakeList) {
        let mut drained = std::mem::take(&mut self.drained);
        wakes.drain_into(&mut drained);
        for (id, kind) in drained.drain(..) {
            match kind {
                WakeKind::Wake => self.wake(id),
                WakeKind::Requeue => self.requeue_popped(id),
            }
        }
        self.drained = drained;
    }
}

/// What an operation took out of the state to drop or wake once the borrow ended.
#[derive(Default)]
struct Leftovers {
    job: Option<Pin<Box<dyn Job>>>,
    slot: Option<Slot>,
    join: Option<Waker>,
}

impl Leftovers {
    fn release(self) {
        let Self { job, slot, join } = self;
        drop(job);
        drop(slot);
        if let Some(join) = join {
            join.wake();
        }
    }
}
