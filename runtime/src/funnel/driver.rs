//! The funnel's driver: one task that polls every future the consumer handed over.

use core::any::Any;
use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::Poll;
use std::panic::AssertUnwindSafe;

use futures_core::Stream;
use futures_util::FutureExt;
use futures_util::future::CatchUnwind;
use futures_util::stream::FuturesUnordered;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

/// A future that was not finished by its first, inline poll.
pub(crate) type Job<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

/// A job's output, or the payload of its panic.
pub(crate) type Outcome<T, E> = Result<Result<T, E>, Box<dyn Any + Send>>;

/// The consumer's side of a driver: hands jobs over, receives outcomes in completion order.
///
/// Dropping it aborts the driver task, which drops every job it holds.
pub(crate) struct Driver<T, E> {
    jobs: Option<UnboundedSender<Job<T, E>>>,
    outcomes: UnboundedReceiver<Outcome<T, E>>,
    task: JoinHandle<()>,
}

impl<T: Send + 'static, E: Send + 'static> Driver<T, E> {
    /// Spawns the driver task.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as `tokio::spawn`.
    pub(crate) fn spawn() -> Self {
        let (jobs_tx, jobs_rx) = mpsc::unbounded_channel();
        let (outcomes_tx, outcomes_rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(drive(jobs_rx, outcomes_tx));
        Self {
            jobs: Some(jobs_tx),
            outcomes: outcomes_rx,
            task,
        }
    }
}

impl<T, E> Driver<T, E> {
    /// Hands a job over; it runs at once, whatever the consumer does next.
    pub(crate) fn push(&self, job: Job<T, E>) {
        if let Some(jobs) = &self.jobs {
            // The driver only stops once `close` or `abort` was called.
            drop(jobs.send(job));
        }
    }

    /// The next outcome; `None` once the driver has stopped and every outcome was taken.
    pub(crate) fn poll_outcome(
        &mut self,
        cx: &mut core::task::Context<'_>,
    ) -> Poll<Option<Outcome<T, E>>> {
        self.outcomes.poll_recv(cx)
    }

    /// No more jobs will come: the driver stops once the jobs it holds have finished.
    pub(crate) fn close(&mut self) {
        self.jobs = None;
    }

    /// Stops the driver now, dropping its jobs. Outcomes already sent can still be taken.
    pub(crate) fn abort(&mut self) {
        self.jobs = None;
        self.task.abort();
    }
}

impl<T, E> Drop for Driver<T, E> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Polls the jobs, sending each outcome as soon as it is there.
async fn drive<T, E>(
    mut jobs: UnboundedReceiver<Job<T, E>>,
    outcomes: UnboundedSender<Outcome<T, E>>,
) {
    let mut running: FuturesUnordered<CatchUnwind<AssertUnwindSafe<Job<T, E>>>> =
        FuturesUnordered::new();
    let mut jobs_open = true;
    poll_fn(|cx| {
        while jobs_open {
            match jobs.poll_recv(cx) {
                Poll::Ready(Some(job)) => running.push(AssertUnwindSafe(job).catch_unwind()),
                Poll::Ready(None) => jobs_open = false,
                Poll::Pending => break,
            }
        }
        while let Poll::Ready(Some(outcome)) = Pin::new(&mut running).poll_next(cx) {
            if outcomes.send(outcome).is_err() {
                // The consumer is gone.
                return Poll::Ready(());
            }
        }
        if !jobs_open && running.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}
