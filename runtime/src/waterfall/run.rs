//! [`WaterfallRun`]: the stream of a waterfall's final outputs, in item order.

use core::fmt;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::{Arc, Mutex, PoisonError};

use futures_core::{FusedStream, Stream};
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;

use super::builder::downcast;
use super::error::WaterfallError;
use super::grid::{DriveEnd, Grid, Value, Work, lock};
use super::outputs::OutputRx;
use super::timeline::Timeline;

/// Spawns the driver; the flag says whether it records the timeline.
type Pending = Box<dyn FnOnce(bool) -> JoinHandle<DriveEnd> + Send>;

/// The streamed input of [`Waterfall::run_stream`](crate::Waterfall::run_stream), boxed.
pub(crate) type BoxedItems = Pin<Box<dyn Stream<Item = Value> + Send>>;

/// A streamed input: pulled by the consumer, handed to the driver as new columns.
struct Feed {
    /// In a `Mutex` only so the run is `Sync`; always reached through `get_mut`.
    items: Mutex<BoxedItems>,
    to_driver: UnboundedSender<Value>,
    /// Items may be pulled while fewer than `window` are inside the run.
    window: usize,
    pulled: usize,
}

enum State {
    /// Not polled yet: the driver is spawned on the first poll.
    Idle(Mutex<Pending>),
    Running(JoinHandle<DriveEnd>),
    Finished,
}

/// Stream returned by [`Waterfall::run`](crate::Waterfall::run) and
/// [`Waterfall::run_stream`](crate::Waterfall::run_stream): the last stage's outputs in
/// item order, then at most one [`WaterfallError`].
///
/// # Panics
///
/// The first poll panics outside a tokio runtime, with the message of
/// [`NoRuntime`](crate::NoRuntime). A panic in a stage is resumed in the consumer.
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
    outputs: OutputRx,
    /// Outputs yielded so far.
    yielded: usize,
    feed: Option<Feed>,
    timeline: Arc<Mutex<Timeline>>,
    /// Whether the driver will record the timeline; read when it is spawned.
    record: bool,
    _output: PhantomData<fn() -> O>,
}

impl<O: Send + 'static> WaterfallRun<O> {
    pub(crate) fn new<W: Work<Command = Value>>(
        grid: Grid<W>,
        outputs: OutputRx,
        items: Option<(BoxedItems, usize)>,
    ) -> Self {
        let timeline = grid.timeline();
        let record = items.is_none();
        let (feed, commands) = match items {
            Some((items, window)) => {
                let (to_driver, commands) = mpsc::unbounded_channel();
                let feed = Feed {
                    items: Mutex::new(items),
                    to_driver,
                    window,
                    pulled: 0,
                };
                (Some(feed), Some(commands))
            }
            None => (None, None),
        };
        // A streamed run may never end: it records no timeline unless asked to.
        let spawn: Pending = Box::new(move |record| {
            let mut grid = grid;
            grid.set_record(record);
            crate::rt::spawn::spawn(crate::rt::inherit::handed(async move {
                grid.drive(commands).await.0
            }))
        });
        Self {
            state: State::Idle(Mutex::new(spawn)),
            outputs,
            yielded: 0,
            feed,
            timeline,
            record,
            _output: PhantomData,
        }
    }

    /// Pulls the streamed input while the window has room.
    fn pull(&mut self, cx: &mut Context<'_>) {
        let Some(feed) = &mut self.feed else { return };
        let items = feed.items.get_mut().unwrap_or_else(PoisonError::into_inner);
        while feed.pulled - self.yielded < feed.window {
            match items.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => {
                    // A stopped driver no longer takes items; its end is seen below.
                    drop(feed.to_driver.send(item));
                    feed.pulled += 1;
                }
                Poll::Ready(None) => {
                    // Dropping the sender tells the driver no more columns will come.
                    self.feed = None;
                    return;
                }
                Poll::Pending => return,
            }
        }
    }

    /// Records the run's [`Timeline`] (`true`) or not (`false`).
    ///
    /// A run of [`Waterfall::run`](crate::Waterfall::run) records it by default: one
    /// [`CellSpan`](crate::CellSpan) per cell, kept as long as the run. A run of
    /// [`Waterfall::run_stream`](crate::Waterfall::run_stream) does not, so that an endless
    /// stream runs in bounded memory; turn it on for a stream you know ends. Takes effect
    /// when the run starts (its first poll); called later, it changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u8>::new().stage("id", NonZeroUsize::MAX, |x| async move { x });
    /// let items = futures::stream::iter([1, 2, 3]);
    /// let mut run = wf.run_stream(items, NonZeroUsize::MIN).record_timeline(true);
    /// while run.next().await.is_some() {}
    /// assert_eq!(run.timeline().cells().len(), 3);
    ///
    /// let mut quiet = wf.run([1, 2, 3]).record_timeline(false);
    /// while quiet.next().await.is_some() {}
    /// assert!(quiet.timeline().cells().is_empty());
    /// # }
    /// ```
    pub fn record_timeline(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// A snapshot of the run's timeline: every cell started so far, with its end if it has
    /// finished. Take it after the stream ended to see the whole run. Empty when the run
    /// does not [record](Self::record_timeline) it (the default of a streamed run).
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
                    this.state = State::Running(spawn(this.record));
                }
                State::Running(_) => {
                    this.pull(cx);
                    let State::Running(driver) = &mut this.state else {
                        unreachable!()
                    };
                    if let Some(value) = ready!(this.outputs.poll_recv(cx)) {
                        this.yielded += 1;
                        return Poll::Ready(Some(Ok(downcast::<O>(value))));
                    }
                    // Every output was taken and the driver dropped its sender: it ended.
                    let end = ready!(Pin::new(driver).poll(cx));
                    this.state = State::Finished;
                    this.feed = None;
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
