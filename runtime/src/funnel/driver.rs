//! The funnel's driver: one task that polls every future the consumer handed over.
//!
//! The consumer and the driver share one small, briefly locked state: jobs go in, outcomes
//! come out in batches, so a driver poll that finishes many futures takes one lock and
//! wakes the consumer once, and the consumer takes the whole batch in one lock.

use core::any::Any;
use core::future::{Future, poll_fn};
use core::mem;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_core::Stream;
use futures_util::FutureExt;
use futures_util::future::CatchUnwind;
use futures_util::stream::FuturesUnordered;
use tokio::task::JoinHandle;

/// A future that was not finished by its first, inline poll.
pub(crate) type Job<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

/// A job's output, or the payload of its panic.
pub(crate) type Outcome<T, E> = Result<Result<T, E>, Box<dyn Any + Send>>;

/// What the consumer and the driver exchange.
struct Exchange<T, E> {
    /// Jobs handed over and not yet taken by the driver.
    jobs: Vec<Job<T, E>>,
    /// No more jobs will come.
    closed: bool,
    /// Woken when jobs arrive or the consumer closes.
    driver: Option<Waker>,
    /// Outcomes in completion order, not yet taken by the consumer.
    outcomes: VecDeque<Outcome<T, E>>,
    /// The driver stopped (its jobs all ended, or it was aborted): no more outcomes.
    stopped: bool,
    /// Woken when outcomes arrive or the driver stops.
    consumer: Option<Waker>,
}

type Shared<T, E> = Arc<Mutex<Exchange<T, E>>>;

/// Locks the exchange. Nothing user-written runs while it is held, so a poisoned lock
/// cannot hold a half-done change.
fn lock<T, E>(shared: &Mutex<Exchange<T, E>>) -> MutexGuard<'_, Exchange<T, E>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A buffer owned by one side, behind a `Mutex` only to be `Sync`: no lock is taken.
fn exclusive<B>(buffer: &mut Mutex<B>) -> &mut B {
    buffer.get_mut().unwrap_or_else(PoisonError::into_inner)
}

/// Stores `cx`'s waker in `slot`, cloning only when it changed.
fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

/// The consumer's side of a driver: hands jobs over, receives outcomes in completion order.
///
/// Dropping it aborts the driver task, which drops every job it holds.
pub(crate) struct Driver<T, E> {
    shared: Shared<T, E>,
    /// Jobs pushed since the last [`flush`](Self::flush). In a `Mutex` only so the funnel
    /// is `Sync`; always reached through `get_mut`, never locked.
    staged: Mutex<Vec<Job<T, E>>>,
    /// Outcomes taken from the exchange in one lock, handed out one by one. Never locked,
    /// as `staged`.
    taken: Mutex<VecDeque<Outcome<T, E>>>,
    task: JoinHandle<()>,
}

impl<T: Send + 'static, E: Send + 'static> Driver<T, E> {
    /// Spawns the driver task.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, with the spawn policy's message.
    pub(crate) fn spawn() -> Self {
        let shared = Arc::new(Mutex::new(Exchange {
            jobs: Vec::new(),
            closed: false,
            driver: None,
            outcomes: VecDeque::new(),
            stopped: false,
            consumer: None,
        }));
        let task = crate::rt::spawn::spawn(drive(StopOnDrop(shared.clone())));
        Self {
            shared,
            staged: Mutex::new(Vec::new()),
            taken: Mutex::new(VecDeque::new()),
            task,
        }
    }
}

impl<T, E> Driver<T, E> {
    /// Stages a job; it is handed over at the next [`flush`](Self::flush), which the
    /// consumer calls before it returns from its poll.
    pub(crate) fn push(&mut self, job: Job<T, E>) {
        exclusive(&mut self.staged).push(job);
    }

    /// Hands the staged jobs over in one lock and one wake-up; they run at once, whatever
    /// the consumer does next.
    pub(crate) fn flush(&mut self) {
        let staged = exclusive(&mut self.staged);
        if staged.is_empty() {
            return;
        }
        let waker = {
            let mut shared = lock(&self.shared);
            if shared.stopped || shared.closed {
                // The driver no longer takes jobs: it only stops once `close` or `abort`
                // was called.
                drop(shared);
                staged.clear();
                return;
            }
            if shared.jobs.is_empty() {
                mem::swap(&mut shared.jobs, staged);
            } else {
                shared.jobs.append(staged);
            }
            shared.driver.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The next outcome; `None` once the driver has stopped and every outcome was taken.
    pub(crate) fn poll_outcome(&mut self, cx: &mut Context<'_>) -> Poll<Option<Outcome<T, E>>> {
        let taken = exclusive(&mut self.taken);
        if let Some(outcome) = taken.pop_front() {
            return Poll::Ready(Some(outcome));
        }
        let mut shared = lock(&self.shared);
        if !shared.outcomes.is_empty() {
            // `taken` is empty: swap the buffers, keeping both allocations.
            mem::swap(&mut shared.outcomes, taken);
            drop(shared);
            return Poll::Ready(taken.pop_front());
        }
        if shared.stopped {
            return Poll::Ready(None);
        }
        register(&mut shared.consumer, cx);
        Poll::Pending
    }

    /// No more jobs will come: the driver stops once the jobs it holds have finished.
    pub(crate) fn close(&mut self) {
        self.flush();
        let waker = {
            let mut shared = lock(&self.shared);
            shared.closed = true;
            shared.driver.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Stops the driver now, dropping its jobs. Outcomes already sent can still be taken.
    pub(crate) fn abort(&mut self) {
        exclusive(&mut self.staged).clear();
        lock(&self.shared).closed = true;
        self.task.abort();
    }
}

impl<T, E> Drop for Driver<T, E> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Marks the exchange stopped when the drive ends or is dropped (its task aborted), and
/// wakes the consumer to see it.
struct StopOnDrop<T, E>(Shared<T, E>);

impl<T, E> Drop for StopOnDrop<T, E> {
    fn drop(&mut self) {
        let waker = {
            let mut shared = lock(&self.0);
            shared.stopped = true;
            shared.driver = None;
            shared.consumer.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Polls the jobs; the outcomes of one poll are handed over together.
///
/// `stop` is an argument, not a local, so that it reports the stop even when the task is
/// aborted before its first poll; being the first binding it is also dropped last: the jobs
/// below are dropped before the consumer hears that the driver stopped.
async fn drive<T, E>(stop: StopOnDrop<T, E>) {
    let mut running: FuturesUnordered<CatchUnwind<AssertUnwindSafe<Job<T, E>>>> =
        FuturesUnordered::new();
    let mut jobs_open = true;
    let mut incoming: Vec<Job<T, E>> = Vec::new();
    let mut ended: VecDeque<Outcome<T, E>> = VecDeque::new();
    poll_fn(|cx| {
        if jobs_open {
            let mut exchange = lock(&stop.0);
            mem::swap(&mut exchange.jobs, &mut incoming);
            if exchange.closed {
                // Every job that will ever come is in `incoming` now.
                jobs_open = false;
                exchange.driver = None;
            } else {
                register(&mut exchange.driver, cx);
            }
        }
        for job in incoming.drain(..) {
            running.push(AssertUnwindSafe(job).catch_unwind());
        }
        while let Poll::Ready(Some(outcome)) = Pin::new(&mut running).poll_next(cx) {
            ended.push_back(outcome);
        }
        if !ended.is_empty() {
            let waker = {
                let mut exchange = lock(&stop.0);
                if exchange.outcomes.is_empty() {
                    mem::swap(&mut exchange.outcomes, &mut ended);
                } else {
                    exchange.outcomes.append(&mut ended);
                }
                exchange.consumer.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
        if !jobs_open && running.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    drop(stop);
}
