//! `Core`: the task engine shared by `Group`, `Pool`, `TaskSet`, `Bag` and `OrderedBag`.
//!
//! Tasks run inside *workers*: tokio tasks that each run one task at a time and, when it
//! ends, take the next queued task. At most `limit` workers exist, so at most `limit`
//! task bodies run at once, admitted in FIFO order. An unlimited group spawns one worker
//! per task. A pool of `n` spawns at most `n` tokio tasks however many tasks go through
//! it, which keeps the per-task cost to one allocation and two uncontended lock
//! acquisitions.
//!
//! Invariant (under the lock): a task is queued only while `running == limit`, so the
//! queue is FIFO and nothing waits while a slot is free.

use core::future::Future;
use core::pin::Pin;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::FutureExt as _;
use futures_util::task::AtomicWaker;
use tokio::sync::{Notify, oneshot};
use tokio::task::AbortHandle;

use super::failure::{TaskFailure, TaskPanic};

/// A type-erased task body; its output is already converted to `Result<(), E>`.
pub(crate) type Job<E> = Pin<Box<dyn Future<Output = Result<(), E>> + Send + 'static>>;

/// How failures are kept until someone collects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Collect {
    /// Keep the first failure, count the others (`Group`, `Pool`, bags).
    First,
    /// Keep every failure (`TaskSet`).
    All,
}

pub(crate) struct Core<E> {
    state: Mutex<State<E>>,
    limit: usize,
    collect: Collect,
    /// Woken (all waiters) whenever `pending` drops to zero.
    idle: Notify,
    /// Woken whenever `pending` drops to zero; used by the bag streams.
    idle_waker: AtomicWaker,
}

struct State<E> {
    queue: VecDeque<Queued<E>>,
    /// Tasks queued or running.
    pending: usize,
    /// Abort handles of the live workers; `workers.len() - free.len()` of them run.
    workers: Vec<Option<AbortHandle>>,
    free: Vec<usize>,
    running: usize,
    /// Bumped by `cancel_all`, so that aborted workers leave the counters alone.
    epoch: u64,
    first: Option<TaskFailure<E>>,
    others: usize,
    all: Vec<TaskFailure<E>>,
    closed: bool,
}

struct Queued<E> {
    job: Job<E>,
    /// Set by `Pool::spawn_wait`: told when the task starts; closed if the caller left.
    admitted: Option<oneshot::Sender<()>>,
}

impl<E> Queued<E> {
    /// Starts the task: tells a waiting `spawn_wait`, or hands the job back (to be
    /// dropped outside the lock) if that caller gave up.
    fn admit(self) -> Result<Job<E>, Job<E>> {
        match self.admitted {
            None => Ok(self.job),
            Some(tx) => match tx.send(()) {
                Ok(()) => Ok(self.job),
                Err(()) => Err(self.job),
            },
        }
    }
}

/// What `cancel_all` did.
pub(crate) struct Cancelled {
    /// Tasks that were queued or running and will never finish.
    pub(crate) tasks: usize,
}

impl<E: Send + 'static> Core<E> {
    pub(crate) fn new(limit: usize, collect: Collect) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                pending: 0,
                workers: Vec::new(),
                free: Vec::new(),
                running: 0,
                epoch: 0,
                first: None,
                others: 0,
                all: Vec::new(),
                closed: false,
            }),
            limit,
            collect,
            idle: Notify::new(),
            idle_waker: AtomicWaker::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State<E>> {
        // No user code runs under the lock, so a poisoned lock still holds sound state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Queues or starts `job`. Returns it back if the core was closed.
    ///
    /// Panics outside a tokio runtime when a worker must be started.
    #[track_caller]
    pub(crate) fn spawn(
        self: &Arc<Self>,
        job: Job<E>,
        admitted: Option<oneshot::Sender<()>>,
    ) -> Result<(), Job<E>> {
        let mut st = self.lock();
        if st.closed {
            return Err(job);
        }
        if st.running < self.limit {
            let Ok(rt) = tokio::runtime::Handle::try_current() else {
                drop(st);
                panic!("ayutil: tasks must be spawned from inside a tokio runtime");
            };
            if let Some(tx) = admitted
                && tx.send(()).is_err()
            {
                // The `spawn_wait` caller left before its task could start.
                drop(st);
                drop(job);
                return Ok(());
            }
            st.pending += 1;
            st.running += 1;
            let slot = st.free.pop().unwrap_or_else(|| {
                st.workers.push(None);
                st.workers.len() - 1
            });
            let epoch = st.epoch;
            let handle = rt.spawn(worker(Arc::clone(self), job, epoch, slot));
            st.workers[slot] = Some(handle.abort_handle());
        } else {
            st.pending += 1;
            st.queue.push_back(Queued { job, admitted });
        }
        Ok(())
    }

    /// Tasks queued or running.
    pub(crate) fn pending(&self) -> usize {
        self.lock().pending
    }

    /// Resolves once no task is queued or running (at once if none is).
    pub(crate) async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.lock().pending == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Registers a waker woken when `pending` drops to zero.
    pub(crate) fn register_idle_waker(&self, waker: &core::task::Waker) {
        self.idle_waker.register(waker);
    }

    /// Takes the first failure and the number of further ones (mode `Collect::First`).
    pub(crate) fn take_first_failure(&self) -> Option<(TaskFailure<E>, usize)> {
        let mut st = self.lock();
        let first = st.first.take()?;
        Some((first, core::mem::take(&mut st.others)))
    }

    /// Takes every failure so far (mode `Collect::All`).
    pub(crate) fn take_all_failures(&self) -> Vec<TaskFailure<E>> {
        core::mem::take(&mut self.lock().all)
    }

    /// Aborts every running task and drops every queued one. With `close`, later spawns
    /// are refused. Futures are dropped after the lock is released.
    pub(crate) fn cancel_all(&self, close: bool) -> Cancelled {
        let (queue, workers, tasks) = {
            let mut st = self.lock();
            st.closed |= close;
            st.epoch = st.epoch.wrapping_add(1);
            st.running = 0;
            st.free.clear();
            let tasks = core::mem::take(&mut st.pending);
            (
                core::mem::take(&mut st.queue),
                core::mem::take(&mut st.workers),
                tasks,
            )
        };
        for handle in workers.into_iter().flatten() {
            handle.abort();
        }
        drop(queue);
        self.idle.notify_waiters();
        self.idle_waker.wake();
        Cancelled { tasks }
    }

    fn record(&self, st: &mut State<E>, failure: TaskFailure<E>) {
        match self.collect {
            Collect::All => st.all.push(failure),
            Collect::First if st.first.is_none() => st.first = Some(failure),
            Collect::First => st.others += 1,
        }
    }
}

/// What a worker did before asking for its next job.
enum Done<E> {
    /// Finished a task, with its failure if any.
    Task(Option<TaskFailure<E>>),
    /// Waited one scheduler turn with nothing to run.
    Lingered,
}

impl<E> State<E> {
    /// Pops the next queued job that may start; jobs whose `spawn_wait` caller left are
    /// moved to `gave_up`, to be dropped outside the lock.
    fn pop_admitted(&mut self, gave_up: &mut Vec<Job<E>>) -> Option<Job<E>> {
        loop {
            match self.queue.pop_front()?.admit() {
                Ok(job) => return Some(job),
                Err(abandoned) => {
                    self.pending -= 1;
                    gave_up.push(abandoned);
                }
            }
        }
    }

    /// Frees the worker slot of a worker that is about to end.
    fn retire(&mut self, slot: usize) {
        self.running -= 1;
        self.workers[slot] = None;
        self.free.push(slot);
    }
}

impl<E: Send + 'static> Core<E> {
    /// Records what the worker just did and picks its next job; without a next job, the
    /// worker's slot is freed if `retire_slot` is given. Returns `Err(())` if `cancel_all`
    /// ran meanwhile: the counters were reset and the worker must end at once.
    fn next_job(
        &self,
        epoch: u64,
        done: Done<E>,
        retire_slot: Option<usize>,
    ) -> Result<Option<Job<E>>, ()> {
        let mut gave_up = Vec::new();
        let next = {
            let mut st = self.lock();
            if st.epoch != epoch {
                return Err(());
            }
            if let Done::Task(failure) = done {
                if let Some(failure) = failure {
                    self.record(&mut st, failure);
                }
                st.pending -= 1;
            }
            let next = st.pop_admitted(&mut gave_up);
            if let (None, Some(slot)) = (&next, retire_slot) {
                st.retire(slot);
            }
            if st.pending == 0 {
                self.idle.notify_waiters();
                self.idle_waker.wake();
            }
            next
        };
        drop(gave_up);
        Ok(next)
    }
}

/// Runs `job`, then queued jobs, until the queue is empty.
async fn worker<E: Send + 'static>(core: Arc<Core<E>>, first: Job<E>, epoch: u64, slot: usize) {
    // A bounded pool lingers for one scheduler turn before its worker ends: while a
    // spawner is still queueing tasks, that saves starting a new tokio task for the next
    // one. An unbounded group never queues, so its workers end at once.
    let linger = core.limit != usize::MAX;
    let mut job = first;
    loop {
        let outcome = AssertUnwindSafe(job).catch_unwind().await;
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(TaskFailure::Error(e)),
            Err(payload) => Some(TaskFailure::Panic(TaskPanic::new(payload))),
        };
        let retire = (!linger).then_some(slot);
        let next = match core.next_job(epoch, Done::Task(failure), retire) {
            Err(()) => return,
            Ok(Some(next)) => next,
            Ok(None) if !linger => return,
            Ok(None) => {
                tokio::task::yield_now().await;
                match core.next_job(epoch, Done::Lingered, Some(slot)) {
                    Ok(Some(next)) => next,
                    Err(()) | Ok(None) => return,
                }
            }
        };
        job = next;
        // A worker may run many ready tasks in a row: give the scheduler its turn.
        tokio::task::coop::consume_budget().await;
    }
}

/// The user-facing side of a `Core`: when the last handle holding it is dropped, every
/// task still queued or running is cancelled (nobody could observe it any more).
pub(crate) struct Owner<E: Send + 'static> {
    pub(crate) core: Arc<Core<E>>,
}

impl<E: Send + 'static> Owner<E> {
    pub(crate) fn new(limit: usize, collect: Collect) -> Self {
        Self {
            core: Core::new(limit, collect),
        }
    }
}

impl<E: Send + 'static> Drop for Owner<E> {
    fn drop(&mut self) {
        self.core.cancel_all(true);
    }
}
