//! The engine shared by [`Funnel`](crate::Funnel) and [`TryFunnel`](crate::TryFunnel).

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use std::collections::VecDeque;

use futures_core::Stream;
use tokio::time::Sleep;

use super::driver::{Driver, Job};
use super::error::FunnelError;
use super::step::FunnelStep;

/// How many source items one poll may pull before it yields back to the executor, so a
/// source that is always ready cannot monopolise the thread.
const PULL_BUDGET: usize = 64;

/// What became of a source item on its first, inline poll.
pub(crate) enum Started<T, E> {
    /// It finished at once.
    Done(Result<T, E>),
    /// It goes on in the driver.
    Pending(Job<T, E>),
}

/// Starts one source item; `Err` is the source's own error.
pub(crate) type Launch<I, T, E> = fn(&mut Context<'_>, I) -> Result<Started<T, E>, E>;

/// Polls `fut` once in the consumer's task; a future that is ready at once (a cache hit,
/// say) never reaches the driver.
fn start<T, E, Fut>(cx: &mut Context<'_>, fut: Fut) -> Started<T, E>
where
    Fut: Future<Output = Result<T, E>> + Send + 'static,
{
    let mut fut = Box::pin(fut);
    match fut.as_mut().poll(cx) {
        Poll::Ready(out) => Started::Done(out),
        Poll::Pending => Started::Pending(fut),
    }
}

/// Starts a plain future; its output is the funnel's output.
pub(crate) fn launch_plain<F>(
    cx: &mut Context<'_>,
    fut: F,
) -> Result<Started<F::Output, Infallible>, Infallible>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Ok(start(cx, async move { Ok(fut.await) }))
}

/// Starts a future whose outcome may be a continuation; the continuation runs in the same
/// slot, at once.
pub(crate) fn launch_steps<F, T>(
    cx: &mut Context<'_>,
    fut: F,
) -> Result<Started<T, Infallible>, Infallible>
where
    F: Future<Output = FunnelStep<T>> + Send + 'static,
    T: Send + 'static,
{
    Ok(start(cx, async move { Ok(fut.await.finish().await) }))
}

/// Starts the `Ok` future of a fallible source; an `Err` item is the source's error.
pub(crate) fn launch_try<F, T, E>(
    cx: &mut Context<'_>,
    item: Result<F, E>,
) -> Result<Started<T, E>, E>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    Ok(start(cx, item?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Pulling the source and yielding outputs.
    Running,
    /// The deadline passed: the driver was aborted; outputs that had completed are still
    /// yielded, then the time-out error.
    Draining,
    /// Ended: yields `None` forever.
    Finished,
}

/// A source, the futures started from it, and the rules for limit, errors and time-out.
pub(crate) struct Core<S: Stream, T, E> {
    source: Pin<Box<S>>,
    source_done: bool,
    /// Spawned at the first future that does not finish on its inline poll.
    driver: Option<Driver<T, E>>,
    /// Futures handed to the driver whose outcome was not taken yet.
    running: usize,
    /// Outputs of futures that finished on their first, inline poll.
    ready: VecDeque<Result<T, E>>,
    launch: Launch<S::Item, T, E>,
    limit: usize,
    timeout: Option<Duration>,
    deadline: Option<Pin<Box<Sleep>>>,
    state: State,
}

impl<S: Stream, T, E> Core<S, T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    pub(crate) fn new(source: S, launch: Launch<S::Item, T, E>) -> Self {
        Self {
            source: Box::pin(source),
            source_done: false,
            driver: None,
            running: 0,
            ready: VecDeque::new(),
            launch,
            limit: usize::MAX,
            timeout: None,
            deadline: None,
            state: State::Running,
        }
    }

    pub(crate) fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    pub(crate) fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.running + self.ready.len()
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.state == State::Finished
    }

    /// Ends the funnel, dropping every future it holds.
    fn finish(&mut self) {
        self.state = State::Finished;
        // Dropping the driver aborts its task.
        self.driver = None;
        self.running = 0;
        self.ready.clear();
    }

    /// Ends the funnel with `error`.
    fn fail(&mut self, error: FunnelError<E>) -> Poll<Option<Result<T, FunnelError<E>>>> {
        self.finish();
        Poll::Ready(Some(Err(error)))
    }

    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<T, FunnelError<E>>>> {
        if self.state == State::Finished {
            return Poll::Ready(None);
        }
        if let (State::Running, Some(timeout)) = (self.state, self.timeout) {
            // The deadline starts at the first poll, not at construction.
            let deadline = self
                .deadline
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
            if deadline.as_mut().poll(cx).is_ready() {
                // Outcomes already sent stay in the channel and are still yielded.
                if let Some(driver) = &mut self.driver {
                    driver.abort();
                }
                self.state = State::Draining;
            }
        }

        let mut budget_spent = false;
        if self.state == State::Running && !self.source_done {
            let mut pulled = 0;
            while self.in_flight() < self.limit {
                if pulled == PULL_BUDGET {
                    budget_spent = true;
                    break;
                }
                match self.source.as_mut().poll_next(cx) {
                    Poll::Ready(Some(item)) => {
                        pulled += 1;
                        match (self.launch)(cx, item) {
                            Ok(Started::Done(out)) => self.ready.push_back(out),
                            Ok(Started::Pending(job)) => {
                                self.driver.get_or_insert_with(Driver::spawn).push(job);
                                self.running += 1;
                            }
                            Err(e) => return self.fail(FunnelError::Failed(e)),
                        }
                    }
                    Poll::Ready(None) => {
                        self.source_done = true;
                        if let Some(driver) = &mut self.driver {
                            driver.close();
                        }
                        break;
                    }
                    Poll::Pending => break,
                }
            }
            // Hand the jobs started above over in one go, before anything can wait.
            if let Some(driver) = &mut self.driver {
                driver.flush();
            }
        }

        match self.ready.pop_front() {
            Some(Ok(value)) => return Poll::Ready(Some(Ok(value))),
            Some(Err(e)) => return self.fail(FunnelError::Failed(e)),
            None => {}
        }
        let mut driver_stopped = self.driver.is_none();
        if let Some(driver) = &mut self.driver {
            match driver.poll_outcome(cx) {
                Poll::Ready(Some(Ok(Ok(value)))) => {
                    self.running -= 1;
                    return Poll::Ready(Some(Ok(value)));
                }
                Poll::Ready(Some(Ok(Err(e)))) => return self.fail(FunnelError::Failed(e)),
                Poll::Ready(Some(Err(payload))) => {
                    self.finish();
                    std::panic::resume_unwind(payload);
                }
                // The driver stopped and every outcome was taken: its futures all ended,
                // or it was aborted at the deadline.
                Poll::Ready(None) => {
                    self.driver = None;
                    self.running = 0;
                    driver_stopped = true;
                }
                Poll::Pending => {}
            }
        }
        if self.state == State::Draining && driver_stopped {
            let timeout = self.timeout.unwrap_or_default();
            self.finish();
            return Poll::Ready(Some(Err(FunnelError::TimedOut(timeout))));
        }
        if self.state == State::Running && self.source_done && self.running == 0 {
            self.finish();
            return Poll::Ready(None);
        }
        if budget_spent {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

// Nothing is structurally pinned: the source is boxed, outputs are plain values.
impl<S: Stream, T, E> Unpin for Core<S, T, E> {}

impl<S: Stream, T, E> fmt::Debug for Core<S, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Funnel")
            .field("in_flight", &(self.running + self.ready.len()))
            .field("limit", &self.limit)
            .field("timeout", &self.timeout)
            .field("source_done", &self.source_done)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
