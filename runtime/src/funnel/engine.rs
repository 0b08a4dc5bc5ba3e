//! The engine shared by [`Funnel`](crate::Funnel) and [`TryFunnel`](crate::TryFunnel).

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use std::collections::VecDeque;

use futures_core::Stream;
use tokio::task::JoinSet;
use tokio::time::Sleep;

use super::error::FunnelError;
use super::step::Step;

/// How many source items one poll may pull before it yields back to the executor, so a
/// source that is always ready cannot monopolise the thread.
const PULL_BUDGET: usize = 64;

/// Starts one source item: polls it once inline and returns its output if that finished
/// it, else spawns it into the set. `Err` is the source's own error.
pub(crate) type Launch<I, T, E> =
    fn(&mut JoinSet<Result<T, E>>, &mut Context<'_>, I) -> Result<Option<Result<T, E>>, E>;

/// Polls `fut` once in the consumer's task; if it is not finished, moves it into its own
/// task. A future that is ready at once (a cache hit, say) so costs no spawn.
fn start<T, E, Fut>(
    set: &mut JoinSet<Result<T, E>>,
    cx: &mut Context<'_>,
    fut: Fut,
) -> Option<Result<T, E>>
where
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let mut fut = Box::pin(fut);
    match fut.as_mut().poll(cx) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => {
            set.spawn(fut);
            None
        }
    }
}

/// Starts a plain future; its output is the funnel's output.
pub(crate) fn launch_plain<F>(
    set: &mut JoinSet<Result<F::Output, Infallible>>,
    cx: &mut Context<'_>,
    fut: F,
) -> Result<Option<Result<F::Output, Infallible>>, Infallible>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Ok(start(set, cx, async move { Ok(fut.await) }))
}

/// Starts a future whose outcome may be a continuation; the continuation runs in the same
/// task, at once.
pub(crate) fn launch_steps<F, T>(
    set: &mut JoinSet<Result<T, Infallible>>,
    cx: &mut Context<'_>,
    fut: F,
) -> Result<Option<Result<T, Infallible>>, Infallible>
where
    F: Future<Output = Step<T>> + Send + 'static,
    T: Send + 'static,
{
    Ok(start(set, cx, async move { Ok(fut.await.finish().await) }))
}

/// Starts the `Ok` future of a fallible source; an `Err` item is the source's error.
pub(crate) fn launch_try<F, T, E>(
    set: &mut JoinSet<Result<T, E>>,
    cx: &mut Context<'_>,
    item: Result<F, E>,
) -> Result<Option<Result<T, E>>, E>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    Ok(start(set, cx, item?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Pulling the source and yielding outputs.
    Running,
    /// The deadline passed: every task was aborted; outputs that had completed are still
    /// yielded, then the time-out error.
    Draining,
    /// Ended: yields `None` forever.
    Finished,
}

/// A source, the tasks spawned from it, and the rules for limit, errors and time-out.
pub(crate) struct Core<S: Stream, T, E> {
    source: Pin<Box<S>>,
    source_done: bool,
    set: JoinSet<Result<T, E>>,
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
            set: JoinSet::new(),
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
        self.set.len() + self.ready.len()
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.state == State::Finished
    }

    /// Ends the funnel with `error`, aborting every task still held.
    fn fail(&mut self, error: FunnelError<E>) -> Poll<Option<Result<T, FunnelError<E>>>> {
        self.state = State::Finished;
        // Dropping the set aborts every task in it.
        self.set = JoinSet::new();
        self.ready.clear();
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
                self.set.abort_all();
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
                        match (self.launch)(&mut self.set, cx, item) {
                            Ok(Some(out)) => self.ready.push_back(out),
                            Ok(None) => {}
                            Err(e) => return self.fail(FunnelError::Failed(e)),
                        }
                    }
                    Poll::Ready(None) => {
                        self.source_done = true;
                        break;
                    }
                    Poll::Pending => break,
                }
            }
        }

        match self.ready.pop_front() {
            Some(Ok(value)) => return Poll::Ready(Some(Ok(value))),
            Some(Err(e)) => return self.fail(FunnelError::Failed(e)),
            None => {}
        }
        loop {
            match self.set.poll_join_next(cx) {
                Poll::Ready(Some(Ok(Ok(value)))) => return Poll::Ready(Some(Ok(value))),
                Poll::Ready(Some(Ok(Err(e)))) => return self.fail(FunnelError::Failed(e)),
                Poll::Ready(Some(Err(join_error))) => {
                    if join_error.is_panic() {
                        self.state = State::Finished;
                        self.set = JoinSet::new();
                        self.ready.clear();
                        std::panic::resume_unwind(join_error.into_panic());
                    }
                    // Cancelled: only tasks this funnel aborted after its deadline.
                }
                Poll::Ready(None) => {
                    return match self.state {
                        State::Draining => {
                            let timeout = self.timeout.unwrap_or_default();
                            self.state = State::Finished;
                            Poll::Ready(Some(Err(FunnelError::TimedOut(timeout))))
                        }
                        _ if self.source_done => {
                            self.state = State::Finished;
                            Poll::Ready(None)
                        }
                        _ => {
                            if budget_spent {
                                cx.waker().wake_by_ref();
                            }
                            Poll::Pending
                        }
                    };
                }
                Poll::Pending => {
                    if budget_spent {
                        cx.waker().wake_by_ref();
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

// Nothing is structurally pinned: the source is boxed, outputs are plain values.
impl<S: Stream, T, E> Unpin for Core<S, T, E> {}

impl<S: Stream, T, E> fmt::Debug for Core<S, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Funnel")
            .field("in_flight", &(self.set.len() + self.ready.len()))
            .field("limit", &self.limit)
            .field("timeout", &self.timeout)
            .field("source_done", &self.source_done)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
