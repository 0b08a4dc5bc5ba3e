//! [`WaterfallRun`]: the stream of a waterfall's final outputs, in item order.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::{Arc, Mutex};

use futures_core::{FusedStream, Stream};

use super::error::WaterfallError;
use super::stages::Stages;
use super::timeline::Timeline;
use super::value::{BoxError, BoxedItems, Value};
use crate::rt::driver::exchange::{DriveEnd, Link, Shared};
use crate::rt::driver::grid::Grid;
use crate::rt::driver::task;
use crate::rt::lock;
use crate::rt::start::Start;

/// The consumer's side of a run's driver: streamed items in, outputs out in item order.
type Driver<O> = Link<Value, O, BoxError>;

/// A streamed input: pulled by the consumer, handed to the driver as new columns.
struct Feed {
    /// In a `Mutex` only so the run is `Sync`; always reached through `get_mut`.
    items: Mutex<BoxedItems>,
    /// Items may be pulled while fewer than `window` are inside the run.
    window: usize,
    pulled: usize,
}

/// Spawns the driver; the flag says whether it records the timeline.
type Spawn<O> = Box<dyn FnOnce(bool) -> Driver<O> + Send>;

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
    /// The driver, spawned on the first poll; dropped once the run has ended.
    driver: Start<Spawn<O>, Driver<O>>,
    /// Outputs yielded so far.
    yielded: usize,
    feed: Option<Feed>,
    timeline: Arc<Mutex<Timeline>>,
    /// Whether the driver will record the timeline; read when it is spawned.
    record: bool,
}

impl<O: Send + 'static> WaterfallRun<O> {
    pub(crate) fn new(mut grid: Grid<Stages<O>>, items: Option<(BoxedItems, usize)>) -> Self {
        let timeline = grid.work_mut().recorder_mut().timeline();
        // A streamed run may never end: it records no timeline unless asked to.
        let record = items.is_none();
        let feed = items.map(|(items, window)| Feed {
            items: Mutex::new(items),
            window,
            pulled: 0,
        });
        let spawn: Spawn<O> = Box::new(move |record| {
            grid.work_mut().recorder_mut().set_on(record);
            task::spawn(grid, Shared::new())
        });
        Self {
            driver: Start::new(spawn),
            yielded: 0,
            feed,
            timeline,
            record,
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
        lock::lock(&self.timeline).clone()
    }
}

/// Pulls the streamed input while the window has room, and hands what it pulled to the
/// driver; closes the driver's input once the stream has ended.
fn pull<O>(feed: &mut Option<Feed>, yielded: usize, driver: &mut Driver<O>, cx: &mut Context<'_>) {
    let Some(f) = feed else { return };
    let items = lock::get_mut(&mut f.items);
    while f.pulled - yielded < f.window {
        match items.as_mut().poll_next(cx) {
            Poll::Ready(Some(item)) => {
                driver.push(item);
                f.pulled += 1;
            }
            Poll::Ready(None) => {
                *feed = None;
                // Tells the driver no more columns will come.
                driver.close();
                return;
            }
            Poll::Pending => break,
        }
    }
    // A stopped driver no longer takes items; its end is seen by the caller.
    driver.flush();
}

impl<O: Send + 'static> Stream for WaterfallRun<O> {
    type Item = Result<O, WaterfallError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let (record, streamed) = (this.record, this.feed.is_some());
        let Some(driver) = this.driver.get_or_start(|spawn| {
            let mut driver = spawn(record);
            if !streamed {
                // Every item is in the grid already.
                driver.close();
            }
            driver
        }) else {
            return Poll::Ready(None);
        };
        pull(&mut this.feed, this.yielded, driver, cx);
        if let Some(value) = ready!(driver.poll_output(cx)) {
            this.yielded += 1;
            return Poll::Ready(Some(Ok(value)));
        }
        // Every output was taken and the driver stopped, its cells dropped.
        let end = driver.take_end();
        this.driver.finish();
        this.feed = None;
        match end {
            Some(DriveEnd::Done) | None => Poll::Ready(None),
            Some(DriveEnd::Failed { row, col, failure }) => {
                let name = lock::lock(&this.timeline).stage_names()[row].clone();
                Poll::Ready(Some(Err(WaterfallError::new(row, name, col, failure))))
            }
            Some(DriveEnd::Panicked(payload)) => std::panic::resume_unwind(payload),
        }
    }
}

impl<O: Send + 'static> FusedStream for WaterfallRun<O> {
    fn is_terminated(&self) -> bool {
        self.driver.is_finished()
    }
}

impl<O> fmt::Debug for WaterfallRun<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaterfallRun")
            .field("state", &self.driver.phase())
            .finish_non_exhaustive()
    }
}
