//! [`WaterfallRun`]: the stream of a waterfall's final outputs, in item order.

use core::fmt;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::{Arc, Mutex, PoisonError};

use futures_core::{FusedStream, Stream};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

use super::builder::downcast;
use super::error::WaterfallError;
use super::grid::{DriveEnd, Grid, Value, Work, lock};
use super::timeline::Timeline;

type Pending = Box<dyn FnOnce() -> JoinHandle<DriveEnd> + Send>;

enum State {
    /// Not polled yet: the driver is spawned on the first poll.
    Idle(Mutex<Pending>),
    Running(JoinHandle<DriveEnd>),
    Finished,
}

/// Stream returned by [`Waterfall::run`](crate::Waterfall::run): the last stage's outputs
/// in item order, then at most one [`WaterfallError`].
///
/// # Panics
///
/// Polling panics outside a tokio runtime. A panic in a stage is resumed in the consumer.
///
/// # Cancel safety
///
/// Dropping the stream aborts the driver and every cell still running.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use futures::StreamExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let wf = ayutil::Waterfall::<u8>::new().stage("id", NonZeroUsize::MAX, |x| async move { x });
/// let mut run = wf.run([7]);
/// assert_eq!(run.next().await.unwrap().unwrap(), 7);
/// assert!(run.next().await.is_none());
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct WaterfallRun<O> {
    state: State,
    outputs: UnboundedReceiver<Value>,
    timeline: Arc<Mutex<Timeline>>,
    _output: PhantomData<fn() -> O>,
}

impl<O: Send + 'static> WaterfallRun<O> {
    pub(crate) fn new<W: Work>(grid: Grid<W>, outputs: UnboundedReceiver<Value>) -> Self {
        let timeline = grid.timeline();
        let spawn: Pending =
            Box::new(move || tokio::spawn(async move { grid.drive(None).await.0 }));
        Self {
            state: State::Idle(Mutex::new(spawn)),
            outputs,
            timeline,
            _output: PhantomData,
        }
    }

    /// A snapshot of the run's timeline: every cell started so far, with its end if it has
    /// finished. Take it after the stream ended to see the whole run.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u8>::new()
    ///     .stage("a", NonZeroUsize::MAX, |x| async move { x })
    ///     .stage("b", NonZeroUsize::MAX, |x| async move { x });
    /// let mut run = wf.run([1, 2, 3]);
    /// assert!(run.timeline().cells().is_empty(), "lazy");
    /// while run.next().await.is_some() {}
    /// assert_eq!(run.timeline().cells().len(), 6);
    /// # }
    /// ```
    pub fn timeline(&self) -> Timeline {
        lock(&self.timeline).clone()
    }
}

impl<O: Send + 'static> Stream for WaterfallRun<O> {
    type Item = Result<O, WaterfallError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Finished => return Poll::Ready(None),
                State::Idle(_) => {
                    let State::Idle(spawn) = core::mem::replace(&mut this.state, State::Finished)
                    else {
                        unreachable!()
                    };
                    let spawn = spawn.into_inner().unwrap_or_else(PoisonError::into_inner);
                    this.state = State::Running(spawn());
                }
                State::Running(driver) => {
                    if let Some(value) = ready!(this.outputs.poll_recv(cx)) {
                        return Poll::Ready(Some(Ok(downcast::<O>(value))));
                    }
                    // Every output was taken and the driver dropped its sender: it ended.
                    let end = ready!(Pin::new(driver).poll(cx));
                    this.state = State::Finished;
                    return match end {
                        Ok(DriveEnd::Done) => Poll::Ready(None),
                        Ok(DriveEnd::Failed(error)) => Poll::Ready(Some(Err(error))),
                        Ok(DriveEnd::Panicked(payload)) => std::panic::resume_unwind(payload),
                        Err(join_error) if join_error.is_panic() => {
                            std::panic::resume_unwind(join_error.into_panic())
                        }
                        Err(_) => Poll::Ready(None),
                    };
                }
            }
        }
    }
}

impl<O: Send + 'static> FusedStream for WaterfallRun<O> {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Finished)
    }
}

impl<O> Drop for WaterfallRun<O> {
    fn drop(&mut self) {
        if let State::Running(driver) = &self.state {
            driver.abort();
        }
    }
}

impl<O> fmt::Debug for WaterfallRun<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Idle(_) => "idle",
            State::Running(_) => "running",
            State::Finished => "finished",
        };
        f.debug_struct("WaterfallRun")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
