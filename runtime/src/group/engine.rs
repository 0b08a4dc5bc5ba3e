//! `Core`: the task engine shared by `Group`, `Pool`, `TaskSet`, `Bag` and `OrderedBag`.
//!
//! Tasks run inside *workers*: tokio tasks that each run one task at a time and, when it
//! ends, take the next queued task. At most `limit` workers exist, so at most `limit`
//! task bodies run at once, admitted in FIFO order. An unlimited group spawns one worker
//! per task. A pool of `n` spawns at most `n` tokio tasks however many tasks go through
//! it, which keeps the per-task cost to one allocation and about two lock acquisitions.
//!
//! The queue is split in two, each half under its own lock, so that on a multi-thread
//! runtime spawners and workers rarely wait for each other: spawners push to the *inbox*,
//! workers pop from the *outbox* and, once it is empty, move the whole inbox to it in one
//! go. Every job of the outbox is older than every job of the inbox, so the order stays
//! FIFO.
//!
//! Invariant (under the inbox lock): a task is queued only while `running == limit`, so
//! the queue is FIFO and nothing waits while a slot is free.
//!
//! # Why `Scope` has an engine of its own
//!
//! `Scope` runs on `scope/state.rs` and `scope/ledger.rs`, not on this core, and the two
//! are kept apart on purpose (issue 9 weighed one core with policies):
//!
//! - This core is cheap because a worker runs task after task inside one tokio task and
//!   keeps nothing per task once it ended. Measured on a current-thread runtime with
//!   10 000 tiny tasks and a limit of 64 (instructions per task, valgrind): `Pool` about
//!   900, tokio's `JoinSet` + `Semaphore` about 3 100, `Scope::max_concurrency(64)` about
//!   3 800 (3 700 with `discard_results`). An unlimited `Group`, one worker per task,
//!   costs about 2 900.
//! - A scope task must be its own tokio task, with its own abort handle: a `TaskHandle`
//!   aborts or awaits that one task, and a failing task makes the scope abort the others
//!   one by one. A worker that runs many tasks cannot be aborted for one of them. The scope
//!   also keeps each task's outcome in spawn order (its ledger) for `join_next` and the
//!   results, and carries `aside` closures, schedules and child scopes.
//!
//! One core would give `Pool`, `Group`, `TaskSet` and the bags the scope's per-task spawn,
//! abort handle and ledger slot (about four times their cost per task above), or give the
//! scope workers that cannot abort one task. What both need from a shared floor (locks,
//! limits, panics) comes from `rt/`.

use core::future::Future;
use core::pin::Pin;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use crossbeam_utils::CachePadded;
use futures_util::FutureExt as _;
use futures_util::task::AtomicWaker;
use tokio::sync::{Notify, oneshot};
use tokio::runtime::RuntimeFlavor;
use tokio::task::AbortHandle;

use super::error::{GroupError, TaskFailure, TaskSetError};
use crate::Panicked;
use crate::rt::lock::lock;
use crate::rt::spawn;
use super::join_round::{Ended, JoinRounds, Round, Summary};

/// A type-erased task body; its output is already converted to `Result<(), E>`.
///
/// Invariant: every job is an `async move` block wrapping the user's future (see the
/// `spawn` methods of `Group`, `Pool`, `TaskSet`, `Bag`, `OrderedBag`). Such a block drops
/// all its captures and locals when it returns, so a *completed* job holds no user state,
/// and the worker may hand its box to another thread to be freed later (see `recycle`).
/// A job built any other way (a bare user future) would break that.
pub(crate) type Job<E> = Pin<Box<dyn Future<Output = Result<(), E>> + Send + 'static>>;

/// How failures are kept until someone collects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Collect {
    /// Keep the first failure, count the others (`Group`, `Pool`, bags).
    First,
    /// Keep every failure (`TaskSet`).
    All,
}

/// The two locks sit on cache lines of their own (`CachePadded`, which also covers the
/// adjacent-line prefetch where a CPU has one), so that spawners and workers on different
/// cores do not slow each other down through them.
pub(crate) struct Core<E> {
    /// The workers' side: the jobs they take next and the failures they record. A worker
    /// finishing a task locks only this while it finds a next job here.
    outbox: CachePadded<Mutex<Outbox<E>>>,
    /// The spawners' side: newly queued jobs and the worker bookkeeping. Workers lock it
    /// only to move its queue to the outbox in one go, to go idle or to end.
    inbox: CachePadded<Mutex<Inbox<E>>>,
    limit: usize,
    collect: Collect,
    /// Woken (all waiters) whenever no task is queued or running any more.
    idle: Notify,
    /// Woken whenever no task is queued or running any more; used by the bag streams.
    idle_waker: AtomicWaker,
    /// The `join`s waiting together share one outcome.
    rounds: JoinRounds,
}

/// Locked first when both locks are taken.
struct Outbox<E> {
    /// Older than every job of `Inbox::queue`.
    queue: VecDeque<Queued<E>>,
    /// Bumped by `cancel_all`, so that aborted workers leave the counters alone.
    epoch: u64,
    first: Option<TaskFailure<E>>,
    others: usize,
    all: Vec<TaskFailure<E>>,
    /// Small finished jobs, on their way to `Inbox::finished`.
    finished: Vec<Job<E>>,
}

struct Inbox<E> {
    queue: VecDeque<Queued<E>>,
    /// The id of the next queued job: ids grow along both queues, so a job is found by
    /// binary search when its `spawn_wait` gives up.
    next_id: u64,
    /// Abort handles of the live workers; `workers.len() - free.len()` of them live.
    workers: Vec<Option<AbortHandle>>,
    free: Vec<usize>,
    /// Live workers, running a task or lingering.
    running: usize,
    /// Workers running a task: the tasks queued or running are `busy` plus both queues.
    busy: usize,
    /// Same as `Outbox::epoch`.
    epoch: u64,
    closed: bool,
    /// Small finished jobs, whose memory the next `spawn` frees. A job's box is allocated
    /// by the thread that spawns it; freeing it there too keeps the allocator's
    /// thread-local caches warm, where freeing it on a runtime thread made a multi-thread
    /// pool spend a third of its time in the allocator. A finished job holds no user
    /// state any more (an async block drops its captures when it completes), only its
    /// memory: at most `2 * FINISHED_CAP` boxes of `FINISHED_MAX_BYTES` are kept.
    finished: Vec<Job<E>>,
}

struct Queued<E> {
    id: u64,
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

/// What `spawn` did with a job.
pub(crate) enum Spawned {
    /// It started at once.
    Started,
    /// It waits in the queue under this id (see [`Core::withdraw`]).
    Queued(u64),
}

/// Removes the job queued under `id`, if it is still there.
fn remove_queued<E>(queue: &mut VecDeque<Queued<E>>, id: u64) -> Option<Queued<E>> {
    let at = queue.binary_search_by_key(&id, |queued| queued.id).ok()?;
    queue.remove(at)
}

/// What `cancel_all` did.
pub(crate) struct Cancelled {
    /// Tasks that were queued or running and will never finish.
    pub(crate) tasks: usize,
}

impl<E: Send + 'static> Core<E> {
    pub(crate) fn new(limit: usize, collect: Collect) -> Arc<Self> {
        Arc::new(Self {
            outbox: CachePadded::new(Mutex::new(Outbox {
                queue: VecDeque::new(),
                epoch: 0,
                first: None,
                others: 0,
                all: Vec::new(),
                finished: Vec::new(),
            })),
            inbox: CachePadded::new(Mutex::new(Inbox {
                queue: VecDeque::new(),
                next_id: 0,
                workers: Vec::new(),
                free: Vec::new(),
                running: 0,
                busy: 0,
                epoch: 0,
                closed: false,
                finished: Vec::new(),
            })),
            limit,
            collect,
            idle: Notify::new(),
            idle_waker: AtomicWaker::new(),
            rounds: JoinRounds::default(),
        })
    }

    /// Queues or starts `job`. Returns it back if the core was closed.
    ///
    /// Panics outside a tokio runtime when a worker must be started (the spawn policy's
    /// panic, at the caller).
    #[track_caller]
    pub(crate) fn spawn(
        self: &Arc<Self>,
        job: Job<E>,
        admitted: Option<oneshot::Sender<()>>,
    ) -> Result<Spawned, Job<E>> {
        let mut inbox = lock(&self.inbox);
        if inbox.closed {
            return Err(job);
        }
        // Two per spawn outpace the one job each spawn adds, and keep both vectors'
        // buffers where they are.
        let finished = [inbox.finished.pop(), inbox.finished.pop()];
        let spawned = if inbox.running < self.limit {
            // A free slot means both queues are empty (a job is queued only while every
            // slot is taken, and a worker ends only once both queues are empty).
            let rt = match spawn::try_runtime() {
                Ok(rt) => rt,
                Err(no_runtime) => {
                    drop(inbox);
                    no_runtime.panic()
                }
            };
            if let Some(tx) = admitted
                && tx.send(()).is_err()
            {
                // The `spawn_wait` caller left before its task could start.
                drop(inbox);
                drop(job);
                drop(finished);
                return Ok(Spawned::Started);
            }
            inbox.running += 1;
            inbox.busy += 1;
            let slot = inbox.free.pop().unwrap_or_else(|| {
                inbox.workers.push(None);
                inbox.workers.len() - 1
            });
            let epoch = inbox.epoch;
            // On one thread, spawner and workers share the allocator's caches anyway.
            let recycle = rt.runtime_flavor() != RuntimeFlavor::CurrentThread;
            let handle = spawn::spawn_on(&rt, worker(Arc::clone(self), job, epoch, slot, recycle));
            inbox.workers[slot] = Some(handle.abort_handle());
            Spawned::Started
        } else {
            let id = inbox.next_id;
            inbox.next_id += 1;
            inbox.queue.push_back(Queued { id, job, admitted });
            Spawned::Queued(id)
        };
        drop(inbox);
        drop(finished);
        Ok(spawned)
    }

    /// Takes the job queued under `id` out of the queue, if it has not started: the caller
    /// drops it (outside the locks). `None` once it has started or was cancelled.
    pub(crate) fn withdraw(&self, id: u64) -> Option<Job<E>> {
        let (queued, idle) = {
            let mut outbox = lock(&self.outbox);
            let mut inbox = lock(&self.inbox);
            // Every id of the outbox is below every id of the inbox; holding both locks,
            // no worker can move the inbox meanwhile.
            let queued = remove_queued(&mut outbox.queue, id)
                .or_else(|| remove_queued(&mut inbox.queue, id))?;
            let idle = outbox.queue.is_empty() && inbox.queue.is_empty() && inbox.busy == 0;
            (queued, idle)
        };
        if idle {
            self.notify_idle();
        }
        Some(queued.job)
    }

    /// Tasks queued or running.
    pub(crate) fn pending(&self) -> usize {
        let outbox = lock(&self.outbox);
        let inbox = lock(&self.inbox);
        outbox.queue.len() + inbox.queue.len() + inbox.busy
    }

    /// Registers a waker woken when no task is queued or running any more.
    pub(crate) fn register_idle_waker(&self, waker: &core::task::Waker) {
        self.idle_waker.register(waker);
    }

    /// Waits until no task is left (including tasks spawned meanwhile) or until another
    /// join of `round` has ended it; returns that join's summary in the second case.
    async fn wait_round(&self, round: &Round) -> Option<Summary> {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(summary) = round.outcome() {
                return Some(summary);
            }
            if self.pending() == 0 {
                return None;
            }
            notified.await;
        }
    }

    /// Ends `round` with what `take` returns, unless another join ended it first, and
    /// tells the other joins of the round, which may be waiting for a later idle moment.
    fn end_round<T>(&self, round: &Arc<Round>, take: impl FnOnce() -> (T, Summary)) -> Ended<T> {
        let ended = self.rounds.end(round, take);
        if let Ended::Owner(_) = ended {
            self.idle.notify_waiters();
        }
        ended
    }

    /// `join` of `Group` and `Pool`: waits until no task is left (including tasks spawned
    /// meanwhile), then returns the first failure since the previous round of joins.
    ///
    /// Joins that wait at the same time form one round (see `JoinRounds`): the first to
    /// see the group idle takes the failure, the others receive a notice of it.
    pub(crate) async fn join_first(&self) -> Result<(), GroupError<E>> {
        let round = self.rounds.enter();
        if let Some(summary) = self.wait_round(&round).await {
            return GroupError::notice(summary.failed);
        }
        let taken = || match self.take_first_failure() {
            Some((first, others)) => (
                Some((first, others)),
                Summary {
                    failed: others + 1,
                    cancelled: 0,
                },
            ),
            None => (None, Summary::default()),
        };
        match self.end_round(&round, taken) {
            Ended::Owner(None) => Ok(()),
            Ended::Owner(Some((first, others))) => Err(GroupError::new(first, others)),
            Ended::Notice(summary) => GroupError::notice(summary.failed),
        }
    }

    /// `join` of `TaskSet`: waits until no task is left, or until `deadline`, when it
    /// cancels the tasks still running; then returns every failure since the previous
    /// round of joins. Joins that wait at the same time form one round, as `join_first`'s.
    pub(crate) async fn join_all(
        &self,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<(), TaskSetError<E>> {
        let round = self.rounds.enter();
        let waited = match deadline {
            None => Ok(self.wait_round(&round).await),
            Some(deadline) => tokio::time::timeout_at(deadline, self.wait_round(&round)).await,
        };
        let cancelled = match waited {
            Ok(Some(summary)) => return TaskSetError::notice(summary),
            Ok(None) => 0,
            // Cancelling ends the round even if another join's deadline is later: its
            // tasks are gone.
            Err(_elapsed) => self.cancel_all(false).tasks,
        };
        let taken = || {
            let failures = self.take_all_failures();
            let summary = Summary {
                failed: failures.len(),
                cancelled,
            };
            (failures, summary)
        };
        match self.end_round(&round, taken) {
            Ended::Owner(failures) => TaskSetError::owned(failures, cancelled),
            Ended::Notice(summary) => TaskSetError::notice(summary),
        }
    }

    /// Takes the first failure and the number of further ones (mode `Collect::First`).
    pub(crate) fn take_first_failure(&self) -> Option<(TaskFailure<E>, usize)> {
        let mut outbox = lock(&self.outbox);
        let first = outbox.first.take()?;
        Some((first, core::mem::take(&mut outbox.others)))
    }

    /// Takes every failure so far (mode `Collect::All`).
    pub(crate) fn take_all_failures(&self) -> Vec<TaskFailure<E>> {
        core::mem::take(&mut lock(&self.outbox).all)
    }

    /// Aborts every running task and drops every queued one. With `close`, later spawns
    /// are refused. Futures are dropped after the locks are released.
    pub(crate) fn cancel_all(&self, close: bool) -> Cancelled {
        let (queued, newer, workers, finished, tasks) = {
            let mut outbox = lock(&self.outbox);
            let mut inbox = lock(&self.inbox);
            inbox.closed |= close;
            outbox.epoch = outbox.epoch.wrapping_add(1);
            inbox.epoch = outbox.epoch;
            let tasks = outbox.queue.len() + inbox.queue.len() + inbox.busy;
            inbox.running = 0;
            inbox.busy = 0;
            inbox.free.clear();
            (
                core::mem::take(&mut outbox.queue),
                core::mem::take(&mut inbox.queue),
                core::mem::take(&mut inbox.workers),
                (
                    core::mem::take(&mut outbox.finished),
                    core::mem::take(&mut inbox.finished),
                ),
                tasks,
            )
        };
        for handle in workers.into_iter().flatten() {
            handle.abort();
        }
        drop(queued);
        drop(newer);
        drop(finished);
        self.notify_idle();
        Cancelled { tasks }
    }

    fn notify_idle(&self) {
        self.idle.notify_waiters();
        self.idle_waker.wake();
    }

    fn record(&self, outbox: &mut Outbox<E>, failure: TaskFailure<E>) {
        match self.collect {
            Collect::All => outbox.all.push(failure),
            Collect::First if outbox.first.is_none() => outbox.first = Some(failure),
            Collect::First => outbox.others += 1,
        }
    }
}

/// At most this many finished jobs wait in each of `Outbox::finished` and
/// `Inbox::finished`; a worker frees its finished job itself when they are full.
const FINISHED_CAP: usize = 256;

/// Only boxes of at most this many bytes are handed back to be freed by `spawn`, so the
/// memory kept for finished jobs stays small.
const FINISHED_MAX_BYTES: usize = 256;

/// What a worker did before asking for its next job.
enum Done<E> {
    /// Finished a task, with its failure if any, and the job to free if it completed
    /// without a panic (its future dropped its state when it returned).
    Task(Option<TaskFailure<E>>, Option<Job<E>>),
    /// Waited one scheduler turn with nothing to run.
    Lingered,
}

/// Pops the next queued job that may start; jobs whose `spawn_wait` caller left without
/// withdrawing them are moved to `gave_up`, to be dropped outside the lock.
fn pop_admitted<E>(
    queue: &mut VecDeque<Queued<E>>,
    gave_up: &mut Vec<Job<E>>,
) -> Option<Job<E>> {
    loop {
        match queue.pop_front()?.admit() {
            Ok(job) => return Some(job),
            Err(abandoned) => gave_up.push(abandoned),
        }
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
        let mut overflow = None;
        let next = {
            let mut outbox = lock(&self.outbox);
            if outbox.epoch != epoch {
                drop(outbox);
                return Err(());
            }
            let was_busy = match done {
                Done::Task(failure, finished) => {
                    if let Some(failure) = failure {
                        self.record(&mut outbox, failure);
                    }
                    if let Some(job) = finished {
                        if outbox.finished.len() < FINISHED_CAP {
                            outbox.finished.push(job);
                        } else {
                            overflow = Some(job);
                        }
                    }
                    true
                }
                Done::Lingered => false,
            };
            let mut next = pop_admitted(&mut outbox.queue, &mut gave_up);
            // The hot path: a busy worker found its next job in the outbox and stays busy.
            if next.is_none() || !was_busy {
                let mut inbox = lock(&self.inbox);
                if inbox.finished.len() + outbox.finished.len() <= FINISHED_CAP {
                    inbox.finished.append(&mut outbox.finished);
                }
                if next.is_none() && !inbox.queue.is_empty() {
                    // Both queues are FIFO and the outbox is empty: take every newer job.
                    core::mem::swap(&mut outbox.queue, &mut inbox.queue);
                    next = pop_admitted(&mut outbox.queue, &mut gave_up);
                }
                match (next.is_some(), was_busy) {
                    (true, false) => inbox.busy += 1,
                    (false, true) => inbox.busy -= 1,
                    _ => {}
                }
                if next.is_none() {
                    // Both queues are empty.
                    if let Some(slot) = retire_slot {
                        inbox.running -= 1;
                        inbox.workers[slot] = None;
                        inbox.free.push(slot);
                    }
                    if inbox.busy == 0 {
                        self.notify_idle();
                    }
                }
            }
            next
        };
        drop(gave_up);
        drop(overflow);
        Ok(next)
    }
}

/// Runs `job`, then queued jobs, until the queue is empty.
///
/// With `recycle`, small finished jobs go back to `Inbox::finished`.
async fn worker<E: Send + 'static>(
    core: Arc<Core<E>>,
    first: Job<E>,
    epoch: u64,
    slot: usize,
    recycle: bool,
) {
    // A bounded pool lingers for one scheduler turn before its worker ends: while a
    // spawner is still queueing tasks, that saves starting a new tokio task for the next
    // one. An unbounded group never queues, so its workers end at once.
    let linger = core.limit != usize::MAX;
    let mut job = first;
    loop {
        let outcome = AssertUnwindSafe(&mut job).catch_unwind().await;
        let (failure, finished) = match outcome {
            Ok(result) => {
                let failure = result.err().map(TaskFailure::Error);
                let small = recycle && core::mem::size_of_val(&*job) <= FINISHED_MAX_BYTES;
                (failure, small.then_some(job))
            }
            Err(payload) => {
                drop(job);
                (Some(TaskFailure::Panic(Panicked::new(payload))), None)
            }
        };
        let retire = (!linger).then_some(slot);
        let next = match core.next_job(epoch, Done::Task(failure, finished), retire) {
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

/// `Pool::spawn_wait` after its task was queued: resolves once the task has started, and
/// withdraws the task from the queue if dropped before (so a caller that gives up leaves
/// nothing behind: its future is dropped at once).
pub(crate) struct AwaitStart<'a, E: Send + 'static> {
    core: &'a Core<E>,
    id: u64,
    started: oneshot::Receiver<()>,
    done: bool,
}

impl<'a, E: Send + 'static> AwaitStart<'a, E> {
    pub(crate) fn new(core: &'a Core<E>, id: u64, started: oneshot::Receiver<()>) -> Self {
        Self {
            core,
            id,
            started,
            done: false,
        }
    }
}

impl<E: Send + 'static> Future for AwaitStart<'_, E> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut core::task::Context<'_>) -> core::task::Poll<()> {
        // An error means the task was cancelled before it started: nothing to wait for.
        core::task::ready!(Pin::new(&mut self.started).poll(cx)).ok();
        self.done = true;
        core::task::Poll::Ready(())
    }
}

impl<E: Send + 'static> Drop for AwaitStart<'_, E> {
    fn drop(&mut self) {
        if !self.done {
            // Dropped outside the core's locks; a task that has started meanwhile is not
            // in the queue any more, and runs.
            drop(self.core.withdraw(self.id));
        }
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
