//! [`Waterfall`]: a builder of named stages, each an async fn of the previous stage's output.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::num::NonZeroUsize;

use futures_core::Stream;
use futures_util::StreamExt;

use super::run::WaterfallRun;
use super::stages::{EntryFn, StageFn, Stages, row_makers};
use super::timeline::Recorder;
use super::value::{BoxError, BoxedItems, Value};
use crate::rt::driver::grid::{Grid, Order};

#[derive(Clone)]
struct Stage {
    name: String,
    limit: usize,
    run: StageFn,
}

/// A pipeline of named async stages run as a grid: rows are stages, columns are items.
///
/// Stage r works on item c only once stage r - 1 has finished items 0..=c, and each stage
/// hands its outputs to the next in item order. Within one stage, items run concurrently
/// (up to the stage's limit) and may finish in any order. The first stage has no
/// dependency. [`run`](Self::run) returns the last stage's outputs in item order.
///
/// This is the Python original's "waterfall stream scheduler" (branches = stages, shoots = items);
/// [`branch_shoot`](crate::branch_shoot) gives the Python original's hand-driven shape on the same
/// core. Scheduling is greedy and optimal: with enough concurrency, the run's makespan is
/// the grid's critical path ([`Timeline::critical_path`](crate::Timeline::critical_path)).
///
/// Every cell of a run is polled by the run's driver, a tokio task of its own, so stages
/// make progress while the consumer is busy (hence the `Send + 'static` bounds) and a cell
/// costs no spawn. The cells of one run therefore share one worker thread at a time: a
/// stage that blocks or burns CPU holds up the whole run, so move such work into
/// `tokio::task::spawn_blocking` or [`offload`](crate::offload) inside the stage.
///
/// A `Waterfall` is a reusable description: cloning it or calling `run` twice shares the
/// stage functions.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let wf = ayutil::Waterfall::<&str>::new()
///     .stage("parse", NonZeroUsize::MAX, |s| async move { s.len() })
///     .try_stage("check", NonZeroUsize::new(2).unwrap(), |n| async move {
///         if n < 10 { Ok(n * 2) } else { Err("too long") }
///     });
/// let out: Vec<_> = wf.run(["a", "bb", "ccc"]).map(Result::unwrap).collect().await;
/// assert_eq!(out, [2, 4, 6]);
/// # }
/// ```
pub struct Waterfall<I, O = I> {
    stages: Vec<Stage>,
    /// The first stage on a typed input; `None` without stages.
    entry: Option<EntryFn<I>>,
    _types: PhantomData<fn(I) -> O>,
}

impl<I: Send + 'static> Waterfall<I, I> {
    /// A waterfall with no stage: running it yields nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u8>::new();
    /// assert_eq!(wf.run([1, 2, 3]).count().await, 0);
    /// # }
    /// ```
    pub fn new() -> Self {
        Self {
            stages: Vec::new(),
            entry: None,
            _types: PhantomData,
        }
    }
}

impl<I: Send + 'static> Default for Waterfall<I, I> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I, O> Waterfall<I, O>
where
    I: Send + 'static,
    O: Send + 'static,
{
    /// Adds a stage that maps the previous stage's output with `f`, running at most
    /// `limit` items at once (`NonZeroUsize::MAX` for no limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let wf = ayutil::Waterfall::<u32>::new().stage("double", NonZeroUsize::MIN, |x| async move { x * 2 });
    /// assert_eq!(wf.stage_names().collect::<Vec<_>>(), ["double"]);
    /// ```
    pub fn stage<N, F, Fut>(
        self,
        name: impl Into<String>,
        limit: NonZeroUsize,
        f: F,
    ) -> Waterfall<I, N>
    where
        N: Send + 'static,
        F: Fn(O) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = N> + Send + 'static,
    {
        self.push(name.into(), limit, move |input: O| {
            let fut = f(input);
            async move { Ok::<N, BoxError>(fut.await) }
        })
    }

    /// Adds a fallible stage. Its first `Err` stops the run, which yields a
    /// [`WaterfallError`](crate::WaterfallError) naming the stage and the item.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let wf = ayutil::Waterfall::<&str>::new()
    ///     .try_stage("parse", NonZeroUsize::MAX, |s| async move { s.parse::<u32>() });
    /// assert_eq!(wf.len(), 1);
    /// ```
    pub fn try_stage<N, E, F, Fut>(
        self,
        name: impl Into<String>,
        limit: NonZeroUsize,
        f: F,
    ) -> Waterfall<I, N>
    where
        N: Send + 'static,
        E: Into<BoxError>,
        F: Fn(O) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<N, E>> + Send + 'static,
    {
        self.push(name.into(), limit, move |input: O| {
            let fut = f(input);
            async move { fut.await.map_err(Into::into) }
        })
    }

    fn push<N, F, Fut>(self, name: String, limit: NonZeroUsize, f: F) -> Waterfall<I, N>
    where
        N: Send + 'static,
        F: Fn(O) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<N, BoxError>> + Send + 'static,
    {
        let (run, first) = row_makers::<I, O, N, F, Fut>(f);
        // The first stage's input type `O` is the item type `I`.
        let entry = self.entry.or(Some(first));
        let mut stages = self.stages;
        stages.push(Stage {
            name,
            limit: limit.get(),
            run,
        });
        Waterfall {
            stages,
            entry,
            _types: PhantomData,
        }
    }

    /// Number of stages.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let wf = ayutil::Waterfall::<u32>::new();
    /// assert_eq!(wf.len(), 0);
    /// let wf = wf
    ///     .stage("double", NonZeroUsize::MAX, |x| async move { x * 2 })
    ///     .stage("show", NonZeroUsize::MAX, |x| async move { x.to_string() });
    /// assert_eq!(wf.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.stages.len()
    }

    /// `true` when there is no stage.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ayutil::Waterfall::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Stage names in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let wf = ayutil::Waterfall::<String>::new()
    ///     .stage("trim", NonZeroUsize::MAX, |s| async move { s.trim().to_owned() })
    ///     .try_stage("parse", NonZeroUsize::MIN, |s| async move { s.parse::<i64>() });
    /// assert_eq!(wf.stage_names().collect::<Vec<_>>(), ["trim", "parse"]);
    /// ```
    pub fn stage_names(&self) -> impl Iterator<Item = &str> {
        self.stages.iter().map(|s| s.name.as_str())
    }

    /// Runs every item through every stage; yields the last stage's outputs in item order.
    ///
    /// The run is lazy: its driver task starts on the first poll. A stage error ends the
    /// stream with one `Err` after the outputs already delivered; zero stages or zero items
    /// end it at once with no output. [`WaterfallRun::timeline`] records every cell (see
    /// [`WaterfallRun::record_timeline`] to turn it off).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u32>::new().stage("inc", NonZeroUsize::MAX, |x| async move { x + 1 });
    /// let out: Vec<_> = wf.run(0..3).collect().await;
    /// assert_eq!(out.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [1, 2, 3]);
    /// # }
    /// ```
    pub fn run(&self, items: impl IntoIterator<Item = I>) -> WaterfallRun<O> {
        let items: Vec<I> = items.into_iter().collect();
        let cols = items.len();
        let mut grid = self.grid(cols, true);
        if let Some(entry) = &self.entry {
            grid.work_mut().set_first_row(entry(items.into_iter()));
        }
        WaterfallRun::new(grid, None)
    }

    /// Like [`run`](Self::run), for items that arrive as a stream: a stage starts on an
    /// item as soon as it arrives (and its grid dependencies are met), and the run ends
    /// once `items` has ended and every item went through every stage.
    ///
    /// The consumer pulls `items` when it polls the run, and at most `window` items are
    /// inside the run at once (pulled but not yet yielded), so a slow consumer holds the
    /// source back and memory stays bounded even for an endless stream. For the same
    /// reason a streamed run records no [`Timeline`](crate::Timeline) unless asked to
    /// ([`WaterfallRun::record_timeline`]). `NonZeroUsize::MAX` sets no window: the source
    /// is pulled as fast as it yields.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u64>::new().stage("square", NonZeroUsize::MAX, |x| async move { x * x });
    /// let items = futures::stream::iter(1..).take(4); // any stream
    /// let out: Vec<_> = wf.run_stream(items, NonZeroUsize::new(2).unwrap()).map(Result::unwrap).collect().await;
    /// assert_eq!(out, [1, 4, 9, 16]);
    /// # }
    /// ```
    pub fn run_stream<S>(&self, items: S, window: NonZeroUsize) -> WaterfallRun<O>
    where
        S: Stream<Item = I> + Send + 'static,
    {
        let grid = self.grid(0, false);
        let source: BoxedItems = Box::pin(StreamExt::map(items, |i| Box::new(i) as Value));
        WaterfallRun::new(grid, Some((source, window.get())))
    }

    /// The grid of a run: rows are stages, delivering in item order.
    fn grid(&self, cols: usize, cols_closed: bool) -> Grid<Stages<O>> {
        let names = self.stages.iter().map(|s| s.name.clone()).collect();
        let limits = self.stages.iter().map(|s| s.limit).collect();
        let rows = self.stages.iter().map(|s| (s.run)()).collect();
        let work = Stages::new(rows, Recorder::new(names, cols));
        Grid::new(limits, cols, cols_closed, Order::Columns, work)
    }
}

impl<I, O> Clone for Waterfall<I, O> {
    fn clone(&self) -> Self {
        Self {
            stages: self.stages.clone(),
            entry: self.entry.clone(),
            _types: PhantomData,
        }
    }
}

impl<I, O> fmt::Debug for Waterfall<I, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stages: Vec<_> = self.stages.iter().map(|s| (&s.name, s.limit)).collect();
        f.debug_struct("Waterfall")
            .field("stages", &stages)
            .finish()
    }
}
