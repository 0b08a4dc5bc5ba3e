//! The engine shared by [`Funnel`](crate::Funnel) and [`TryFunnel`](crate::TryFunnel).

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use futures_core::Stream;

use super::error::FunnelError;
use super::row::{self, Driver, Job};
use super::step::FunnelStep;
use crate::rt::driver::cells::Payload;
use crate::rt::driver::exchange::DriveEnd;
use crate::rt::lock;
use crate::rt::timer::Timer;

/// How many source items one poll may pull before it yields back to the executor, so a
/// source that is always ready cannot monopolise the thread.
const PULL_BUDGET: usize = 64;

/// What became of a source item on its first, inline poll.
pub(crate) enum Started<T, E> {
    /// It finished at once.
    Done(Result<T, E>),
    /// It goes on in the driver.
    Pending(Job<T, E>),
    /// It panicked: the payload, resumed once the funnel's other futures are dropped.
    Panicked(Payload),
}

/// Starts one source item; `Err` is the source's own error.
pub(crate) type Launch<I, T, E> = fn(&mut Context<'_>, I) -> Result<Started<T, E>, E>;

/// Polls `fut` once in the consumer's task; a future that is ready at once (a cache hit,
/// say) never reaches the driver.
fn start<T, E, Fut>(cx: &mut Context<'_>, fut: Fut) -> Started<T, E>
where
    Fut: Future<Output = Result<T, E>> + Send + 'static,
{
    let mut fut = Box::pin(crate::rt::inherit::handed(fut));
    match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
        Ok(Poll::Ready(out)) => Started::Done(out),
        Ok(Poll::Pending) => Started::Pending(fut),
        Err(payload) => Started::Panicked(payload),
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

/// Why the funnel ends early: yielded (or resumed) once the driver has stopped.
enum Failure<E> {
    /// A future's `Err`, or the source's.
    Failed(E),
    /// The payload of a future's panic; in a `Mutex` only so the funnel stays `Sync`.
    Panicked(Mutex<Payload>),
}

enum State<E> {
    /// Pulling the source and yielding outputs.
    Running,
    /// The deadline passed: the driver was aborted; outputs that had completed are still
    /// yielded, then the time-out error.
    Draining,
    /// A future that finished on its first poll, or the source, failed: the driver was
    /// aborted, and the failure waits until it reports that every future it held was
    /// dropped (so the consumer never sees the failure while the other futures are still
    /// alive). Outputs not yet yielded are dropped. (A future the driver runs that fails
    /// ends the driver itself, which reports the failure once its futures are dropped.)
    Failing(Failure<E>),
    /// Ended: yields `None` forever.
    Finished,
}

impl<E> State<E> {
    fn name(&self) -> &'static str {
        match self {
            Self::Running => "Running",
            Self::Draining => "Draining",
            Self::Failing(_) => "Failing",
            Self::Finished => "Finished",
        }
    }
}

/// A source, the futures started from it, and the rules for limit, errors and time-out.
pub(crate) struct Core<S: Stream, T, E> {
    source: Pin<Box<S>>,
    source_done: bool,
    /// Spawned at the first future that does not finish on its inline poll.
    driver: Option<Driver<T, E>>,
    /// Futures handed to the driver whose output was not taken yet.
    running: usize,
    /// Outputs of futures that finished on their first, inline poll.
    ready: VecDeque<Result<T, E>>,
    launch: Launch<S::Item, T, E>,
    limit: usize,
    timeout: Option<Duration>,
    /// Started at the first poll.
    deadline: Option<Timer>,
    state: State<E>,
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
        matches!(self.state, State::Finished)
    }

    /// Ends the funnel, dropping every future it holds.
    fn finish(&mut self) {
        self.state = State::Finished;
        // Dropping the driver aborts its task.
        self.driver = None;
        self.running = 0;
        self.ready.clear();
    }

    /// Ends the funnel with `failure` once every other future is dropped: the driver is
    /// aborted, and the failure comes out when it reports that it stopped.
    fn fail(
        &mut self,
        failure: Failure<E>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<T, FunnelError<E>>>> {
        self.ready.clear();
        if let Some(driver) = &mut self.driver {
            driver.abort();
        }
        self.state = State::Failing(failure);
        self.poll_failing(cx)
    }

    /// Waits for the aborted driver to stop, dropping the outputs it sent meanwhile, then
    /// yields the failure (or resumes the panic).
    fn poll_failing(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, FunnelError<E>>>> {
        if let Some(driver) = &mut self.driver {
            loop {
                match driver.poll_output(cx) {
                    Poll::Ready(Some(_late)) => {}
                    Poll::Ready(None) => break,
                    Poll::Pending => return Poll::Pending,
                }
            }
        }
        let state = core::mem::replace(&mut self.state, State::Finished);
        self.finish();
        match state {
            State::Failing(Failure::Failed(e)) => Poll::Ready(Some(Err(FunnelError::Failed(e)))),
            State::Failing(Failure::Panicked(payload)) => {
                std::panic::resume_unwind(lock::into_inner(payload))
            }
            _ => unreachable!("poll_failing runs only in the Failing state"),
        }
    }

    /// Starts the deadline at the first poll (not at construction) and, once it has
    /// passed, aborts the driver: outcomes already sent are still yielded, then the
    /// time-out error.
    fn check_deadline(&mut self, cx: &mut Context<'_>) {
        let Some(timeout) = self.timeout else { return };
        if !matches!(self.state, State::Running) {
            return;
        }
        // `Duration::MAX` never fires.
        let deadline = self.deadline.get_or_insert_with(|| Timer::after(timeout));
        if deadline.poll_elapsed(cx).is_ready() {
            if let Some(driver) = &mut self.driver {
                driver.abort();
            }
            self.state = State::Draining;
        }
    }

    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<T, FunnelError<E>>>> {
        match self.state {
            State::Finished => return Poll::Ready(None),
            State::Failing(_) => return self.poll_failing(cx),
            State::Running | State::Draining => {}
        }
        // A deadline started on an earlier poll is checked before pulling, so nothing new
        // starts once it has passed; a new deadline is checked after the first pull, so a
        // zero time-out still yields what was ready at once (as `tokio::time::timeout`).
        let first_poll = self.deadline.is_none();
        if !first_poll {
            self.check_deadline(cx);
        }

        let mut budget_spent = false;
        if matches!(self.state, State::Running) && !self.source_done {
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
                                self.driver.get_or_insert_with(row::spawn).push(job);
                                self.running += 1;
                            }
                            Ok(Started::Panicked(payload)) => {
                                return self.fail(Failure::Panicked(Mutex::new(payload)), cx);
                            }
                            Err(e) => return self.fail(Failure::Failed(e), cx),
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
        if first_poll {
            self.check_deadline(cx);
        }

        match self.ready.pop_front() {
            Some(Ok(value)) => return Poll::Ready(Some(Ok(value))),
            Some(Err(e)) => return self.fail(Failure::Failed(e), cx),
            None => {}
        }
        let mut driver_stopped = self.driver.is_none();
        if let Some(driver) = &mut self.driver {
            match driver.poll_output(cx) {
                Poll::Ready(Some(value)) => {
                    self.running -= 1;
                    return Poll::Ready(Some(Ok(value)));
                }
                // The driver stopped and every output was taken: its futures all ended, one
                // failed or panicked (and the others were dropped), or it was aborted at the
                // deadline.
                Poll::Ready(None) => {
                    let end = driver.take_end();
                    self.driver = None;
                    self.running = 0;
                    driver_stopped = true;
                    match end {
                        Some(DriveEnd::Failed { failure, .. }) => {
                            self.finish();
                            return Poll::Ready(Some(Err(FunnelError::Failed(failure))));
                        }
                        Some(DriveEnd::Panicked(payload)) => {
                            self.finish();
                            std::panic::resume_unwind(payload);
                        }
                        Some(DriveEnd::Done) | None => {}
                    }
                }
                Poll::Pending => {}
            }
        }
        if matches!(self.state, State::Draining) && driver_stopped {
            let timeout = self.timeout.unwrap_or_default();
            self.finish();
            return Poll::Ready(Some(Err(FunnelError::TimedOut(timeout))));
        }
        if matches!(self.state, State::Running) && self.source_done && self.running == 0 {
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
            .field("state", &self.state.name())
            .finish_non_exhaustive()
    }
}
