//! [`TaskWaker`]: how a task of the executor is woken, from its own thread or any other.
//!
//! A wake on the executor's thread while the executor runs (a task sending to another, a
//! task waking itself) enqueues the task on the spot, so the ready queue sees it in the
//! order the program did it, as asyncio's `call_soon` does. Any other wake (a tokio timer,
//! I/O, another thread) goes to the [`WakeList`], which the run loop drains between two
//! steps, and wakes the run loop if it is parked.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Wake, Waker};

use crate::rt::lock;
use super::engine::Executor;
use super::task::TaskId;

/// What a message on the [`WakeList`] asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WakeKind {
    /// The task's waker fired.
    Wake,
    /// A popped ready entry of the task was dropped: put the task back at the tail.
    Requeue,
}

/// Wakes that could not be applied on the spot, in arrival order.
#[derive(Default)]
pub(crate) struct WakeList {
    /// Whether `inner` may hold messages: the run loop skips the lock when it does not.
    pending: AtomicBool,
    inner: Mutex<WakeListInner>,
}

#[derive(Default)]
struct WakeListInner {
    messages: Vec<(TaskId, WakeKind)>,
    /// The waker of the tokio task that polls the run loop, while it is parked.
    run_loop: Option<Waker>,
}

impl WakeList {
    pub(crate) fn push(&self, id: TaskId, kind: WakeKind) {
        let run_loop = {
            let mut inner = lock::lock(&self.inner);
            inner.messages.push((id, kind));
            self.pending.store(true, Ordering::Release);
            inner.run_loop.take()
        };
        if let Some(run_loop) = run_loop {
            run_loop.wake();
        }
    }

    /// Moves every message into `into`, oldest first.
    pub(crate) fn drain_into(&self, into: &mut Vec<(TaskId, WakeKind)>) {
        if !self.pending.load(Ordering::Acquire) {
            return;
        }
        let mut inner = lock::lock(&self.inner);
        self.pending.store(false, Ordering::Relaxed);
        into.append(&mut inner.messages);
    }

    /// Parks the run loop: `false` (and nothing stored) if messages arrived meanwhile.
    pub(crate) fn park(&self, run_loop: &Waker) -> bool {
        let mut inner = lock::lock(&self.inner);
        if !inner.messages.is_empty() {
            return false;
        }
        match &mut inner.run_loop {
            Some(parked) if parked.will_wake(run_loop) => {}
            slot => *slot = Some(run_loop.clone()),
        }
        true
    }
}

/// The waker of one task. Reused by a later task once nobody else holds it, so a program
/// that spawns millions of short tasks allocates wakers only for those alive at once.
pub(crate) struct TaskWaker {
    list: Arc<WakeList>,
    executor: u64,
    key: AtomicUsize,
    serial: AtomicU64,
}

impl TaskWaker {
    pub(crate) fn new(list: Arc<WakeList>, id: TaskId) -> Arc<Self> {
        Arc::new(Self {
            list,
            executor: id.executor,
            key: AtomicUsize::new(id.key),
            serial: AtomicU64::new(id.serial),
        })
    }

    /// Points a waker nobody else holds at another task.
    pub(crate) fn retarget(&self, id: TaskId) {
        self.key.store(id.key, Ordering::Relaxed);
        self.serial.store(id.serial, Ordering::Relaxed);
    }

    fn id(&self) -> TaskId {
        TaskId {
            executor: self.executor,
            key: self.key.load(Ordering::Relaxed),
            serial: self.serial.load(Ordering::Relaxed),
        }
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let id = self.id();
        if !Executor::wake_here(id) {
            self.list.push(id, WakeKind::Wake);
        }
    }
}
