//! [`Waterfall`]: a builder of named stages, each an async fn of the previous stage's output.

use core::any::Any;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::num::NonZeroUsize;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::collections::VecDeque;
use std::sync::Arc;

use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use super::grid::{BoxError, Cell, Grid, Joined, Value, Window, Work};
use super::outputs::{self, OutputRx, OutputTx};
use super::run::{BoxedItems, WaterfallRun};

/// Makes a stage's row of cells for one run.
type StageFn = Arc<dyn Fn() -> Box<dyn Row> + Send + Sync>;
/// Makes the first stage's row on typed items: [`Waterfall::run`] feeds its items
/// without boxing each one.
type EntryFn<I> = Arc<dyn Fn(std::vec::IntoIter<I>) -> Box<dyn Row> + Send + Sync>;

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
/// This is the seed's "waterfall stream scheduler" (branches = stages, shoots = items);
/// [`branch_shoot`](crate::branch_shoot) gives the seed's hand-driven shape on the same
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
        let f = Arc::new(f);
        let entry = match self.entry {
            Some(entry) => Some(entry),
            None => {
                // The first stage: its input type `O` is the item type `I`.
                let f = f.clone();
                let entry: EntryFn<I> = Arc::new(move |items: std::vec::IntoIter<I>| {
                    let items: Box<dyn Iterator<Item = O> + Send> =
                        Box::new(items.map(same::<I, O>));
                    Box::new(TypedRow::<O, N, F, Fut>::new(f.clone(), Some(items)))
                });
                Some(entry)
            }
        };
        let run: StageFn = Arc::new(move || {
            Box::new(TypedRow::<O, N, F, Fut>::new(f.clone(), None))
        });
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
        let (mut grid, outputs) = self.grid(cols, true);
        if let Some(entry) = &self.entry {
            grid.work_mut().rows[0] = entry(items.into_iter());
        }
        WaterfallRun::new(grid, outputs, None)
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
        let (grid, outputs) = self.grid(0, false);
        let source: BoxedItems = Box::pin(StreamExt::map(items, |i| Box::new(i) as Value));
        WaterfallRun::new(grid, outputs, Some((source, window.get())))
    }

    /// The grid of a run.
    fn grid(&self, cols: usize, cols_closed: bool) -> (Grid<Stages>, OutputRx) {
        let (tx, rx) = outputs::channel();
        let names = self.stages.iter().map(|s| s.name.clone()).collect();
        let limits = self.stages.iter().map(|s| s.limit).collect();
        let work = Stages {
            rows: self.stages.iter().map(|s| (s.run)()).collect(),
            out: tx,
        };
        (Grid::new(names, limits, cols, cols_closed, work), rx)
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

/// Unboxes a value whose type the builder's type parameters guarantee.
pub(crate) fn downcast<T: 'static>(value: Value) -> T {
    match value.downcast::<T>() {
        Ok(value) => *value,
        Err(_) => unreachable!("waterfall stages are chained by type"),
    }
}

/// `a` as a `B`, which is the same type: moved through an `Option`, not boxed.
fn same<A: 'static, B: 'static>(a: A) -> B {
    let mut slot = Some(a);
    match (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<B>>()
        .and_then(Option::take)
    {
        Some(b) => b,
        None => unreachable!("the first stage takes the item type"),
    }
}

/// One stage's cells in a run, typed: neither a cell's future nor its output is boxed
/// (except the last stage's outputs, handed to the consumer).
trait Row: Send {
    /// Starts cell `col` (timeline index `index`) on the row's next input: its own typed
    /// item if it has them, else the front of its input queue. Returns whether it started.
    fn start(&mut self, col: usize, index: usize) -> bool;
    /// Polls the running cells, pushing every one that ended onto `ended` as row `row`.
    fn poll(&mut self, row: usize, cx: &mut Context<'_>, ended: &mut Vec<Joined>);
    fn is_empty(&self) -> bool;
    fn clear(&mut self);
    /// Queues a type-erased input (an item of a streamed input).
    fn push_value(&mut self, value: Value);
    /// The input queue, a `VecDeque` of the stage's input type.
    fn inputs(&mut self) -> &mut dyn Any;
    /// Hands column `col`'s output to the next stage's `inputs`, or to `out` if last.
    fn deliver(&mut self, col: usize, next: Option<&mut dyn Any>, out: &mut OutputTx);
}

struct TypedRow<In, N, F, Fut> {
    f: Arc<F>,
    /// The typed items of [`Waterfall::run`], for the first stage.
    items: Option<Box<dyn Iterator<Item = In> + Send>>,
    /// Inputs waiting for this stage, in column order.
    inputs: VecDeque<In>,
    cells: FuturesUnordered<Cell<Fut>>,
    /// Outputs of finished cells not delivered yet.
    done: Window<N>,
}

impl<In, N, F, Fut> TypedRow<In, N, F, Fut> {
    fn new(f: Arc<F>, items: Option<Box<dyn Iterator<Item = In> + Send>>) -> Self {
        Self {
            f,
            items,
            inputs: VecDeque::new(),
            cells: FuturesUnordered::new(),
            done: Window::new(),
        }
    }
}

impl<In, N, F, Fut> Row for TypedRow<In, N, F, Fut>
where
    In: Send + 'static,
    N: Send + 'static,
    F: Fn(In) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<N, BoxError>> + Send + 'static,
{
    fn start(&mut self, col: usize, index: usize) -> bool {
        let input = match &mut self.items {
            Some(items) => items.next(),
            None => self.inputs.pop_front(),
        };
        let Some(input) = input else {
            return false;
        };
        self.cells.push(Cell::new(col, index, (self.f)(input)));
        true
    }

    fn poll(&mut self, row: usize, cx: &mut Context<'_>, ended: &mut Vec<Joined>) {
        while let Poll::Ready(Some((col, index, out))) = Pin::new(&mut self.cells).poll_next(cx) {
            let out = out.map(|out| out.map(|n| self.done.put(col, n)));
            ended.push((row, col, index, out));
        }
    }

    fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    fn clear(&mut self) {
        self.cells.clear();
    }

    fn push_value(&mut self, value: Value) {
        self.inputs.push_back(downcast::<In>(value));
    }

    fn inputs(&mut self) -> &mut dyn Any {
        &mut self.inputs
    }

    fn deliver(&mut self, col: usize, next: Option<&mut dyn Any>, out: &mut OutputTx) {
        let value = self.done.take(col);
        match next {
            Some(next) => match next.downcast_mut::<VecDeque<N>>() {
                Some(next) => next.push_back(value),
                None => unreachable!("waterfall stages are chained by type"),
            },
            // The consumer may be gone; the driver is then being dropped too.
            None => out.send(Box::new(value)),
        }
    }
}

/// The high-level form's work: stage r maps the in-order outputs of stage r - 1.
struct Stages {
    /// Declared first: the running cells go before the output channel.
    rows: Vec<Box<dyn Row>>,
    out: OutputTx,
}

impl Work for Stages {
    /// An item of a streamed input: the next column.
    type Command = Value;

    fn start(&mut self, row: usize, col: usize, index: usize) -> bool {
        self.rows[row].start(col, index)
    }

    fn poll_cells(&mut self, cx: &mut Context<'_>, ended: &mut Vec<Joined>) {
        for (row, cells) in self.rows.iter_mut().enumerate() {
            cells.poll(row, cx, ended);
        }
    }

    fn idle(&self) -> bool {
        self.rows.iter().all(|cells| cells.is_empty())
    }

    fn drop_cells(&mut self) {
        for cells in &mut self.rows {
            cells.clear();
        }
    }

    fn deliver(&mut self, row: usize, col: usize) {
        let (this, rest) = self.rows.split_at_mut(row + 1);
        let next = rest.first_mut().map(|next| next.inputs());
        this[row].deliver(col, next, &mut self.out);
    }

    fn flush(&mut self) {
        self.out.flush();
    }

    fn command(&mut self, item: Self::Command) -> usize {
        match self.rows.first_mut() {
            Some(first) => {
                first.push_value(item);
                1
            }
            // No stage: the run is already complete.
            None => 0,
        }
    }
}
