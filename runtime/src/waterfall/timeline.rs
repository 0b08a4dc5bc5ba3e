//! [`Timeline`]: start and end of every cell of a waterfall run (drawn by `svg.rs`), and
//! the [`Recorder`] that fills it in as the run goes.

use core::time::Duration;
use std::sync::{Arc, Mutex};

use crate::rt::lock;

/// One cell of a run: stage (row) `stage` working on item (column) `item`.
///
/// Times are measured from the start of the run.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let span = ayutil::CellSpan { stage: 1, item: 0, start: Duration::ZERO, end: Some(Duration::from_millis(5)) };
/// assert_eq!(span.duration(), Some(Duration::from_millis(5)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellSpan {
    /// Stage (row) index, from 0.
    pub stage: usize,
    /// Item (column) index, from 0, in input order.
    pub item: usize,
    /// When the cell started.
    pub start: Duration,
    /// When the cell finished; `None` if it was dropped (the run failed or was dropped).
    pub end: Option<Duration>,
}

impl CellSpan {
    /// How long the cell ran, if it finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ayutil::CellSpan;
    ///
    /// let ms = Duration::from_millis;
    /// let done = CellSpan { stage: 0, item: 3, start: ms(20), end: Some(ms(45)) };
    /// assert_eq!(done.duration(), Some(ms(25)));
    /// let dropped = CellSpan { end: None, ..done };
    /// assert_eq!(dropped.duration(), None);
    /// ```
    pub fn duration(&self) -> Option<Duration> {
        self.end.map(|end| end.saturating_sub(self.start))
    }
}

/// Start and end of every cell of one waterfall run, in the order the cells started.
///
/// Get it from [`WaterfallRun::timeline`](crate::WaterfallRun::timeline) or
/// [`Branch::timeline`](crate::Branch::timeline) (a snapshot: take it after the run to see
/// every cell), then draw it with [`to_svg`](Self::to_svg).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let wf = ayutil::Waterfall::<u64>::new()
///     .stage("sleep", NonZeroUsize::MAX, |ms| async move {
///         tokio::time::sleep(Duration::from_millis(ms)).await;
///         ms
///     });
/// let mut run = wf.run([30, 10]);
/// while run.next().await.is_some() {}
/// let timeline = run.timeline();
/// assert_eq!(timeline.cells().len(), 2);
/// assert_eq!(timeline.makespan(), Duration::from_millis(30));
/// assert_eq!(timeline.critical_path(), Duration::from_millis(30));
/// assert!(timeline.to_svg().starts_with("<svg"));
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    stages: Vec<String>,
    items: usize,
    cells: Vec<CellSpan>,
}

impl Timeline {
    pub(crate) fn new(stages: Vec<String>, items: usize) -> Self {
        // Every cell of the known grid is recorded: reserve once instead of regrowing
        // (bounded, for huge grids).
        let cells = Vec::with_capacity(stages.len().saturating_mul(items).min(1 << 16));
        Self {
            stages,
            items,
            cells,
        }
    }

    pub(crate) fn set_items(&mut self, items: usize) {
        self.items = items;
    }

    /// Records a start and returns the cell's index for [`Self::end`].
    pub(crate) fn start(&mut self, stage: usize, item: usize, at: Duration) -> usize {
        self.cells.push(CellSpan {
            stage,
            item,
            start: at,
            end: None,
        });
        self.cells.len() - 1
    }

    pub(crate) fn end(&mut self, index: usize, at: Duration) {
        if let Some(cell) = self.cells.get_mut(index) {
            cell.end = Some(at);
        }
    }

    /// Every cell that started, in start order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u64>::new()
    ///     .stage("fetch", NonZeroUsize::MAX, |x| async move { x })
    ///     .stage("store", NonZeroUsize::MAX, |x| async move { x });
    /// let mut run = wf.run([1, 2]);
    /// while run.next().await.is_some() {}
    /// let timeline = run.timeline();
    /// let mut cells: Vec<_> = timeline.cells().iter().map(|c| (c.stage, c.item)).collect();
    /// // "store" cannot start an item before "fetch" has finished it.
    /// assert_eq!(cells[0].0, 0);
    /// cells.sort();
    /// assert_eq!(cells, [(0, 0), (0, 1), (1, 0), (1, 1)]);
    /// assert!(timeline.cells().iter().all(|c| c.end.is_some()), "every cell finished");
    /// # }
    /// ```
    pub fn cells(&self) -> &[CellSpan] {
        &self.cells
    }

    /// Names of the stages, in row order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u8>::new()
    ///     .stage("decode", NonZeroUsize::MAX, |x| async move { x })
    ///     .stage("resize", NonZeroUsize::MAX, |x| async move { x });
    /// let run = wf.run([1, 2, 3]);
    /// assert_eq!(run.timeline().stage_names(), ["decode", "resize"]);
    /// # }
    /// ```
    pub fn stage_names(&self) -> &[String] {
        &self.stages
    }

    /// Number of items (columns) of the grid.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u32>::new().stage("inc", NonZeroUsize::MAX, |x| async move { x + 1 });
    /// let mut run = wf.run(0..5);
    /// while run.next().await.is_some() {}
    /// assert_eq!(run.timeline().items(), 5);
    ///
    /// // A streamed input counts the items pulled so far.
    /// let items = futures::stream::iter(0..3);
    /// let mut run = wf.run_stream(items, NonZeroUsize::MAX);
    /// while run.next().await.is_some() {}
    /// assert_eq!(run.timeline().items(), 3);
    /// # }
    /// ```
    pub fn items(&self) -> usize {
        self.items
    }

    /// The latest end of any cell: the run's length as far as it is recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u64>::new()
    ///     .stage("sleep", NonZeroUsize::MIN, |ms| async move { // one item at a time
    ///         tokio::time::sleep(Duration::from_millis(ms)).await;
    ///         ms
    ///     });
    /// let mut run = wf.run([10, 20]);
    /// assert_eq!(run.timeline().makespan(), Duration::ZERO, "nothing ran yet");
    /// while run.next().await.is_some() {}
    /// // The two sleeps ran one after the other.
    /// assert!(run.timeline().makespan() >= Duration::from_millis(30));
    /// # }
    /// ```
    pub fn makespan(&self) -> Duration {
        self.cells
            .iter()
            .map(|c| c.end.unwrap_or(c.start))
            .max()
            .unwrap_or_default()
    }

    /// The lower bound on the makespan given the recorded cell durations: the longest chain
    /// of dependent cells, where cell (r, c) depends on cells (r - 1, 0..=c).
    ///
    /// A run with enough concurrency reaches it exactly. Cells that did not finish count
    /// as zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let sleeper = |ms| async move {
    ///     tokio::time::sleep(Duration::from_millis(ms)).await;
    ///     ms
    /// };
    /// // One item at a time: the stage's limit, not the grid, makes the run long.
    /// let wf = ayutil::Waterfall::<u64>::new().stage("sleep", NonZeroUsize::MIN, sleeper);
    /// let mut run = wf.run([10, 20]);
    /// while run.next().await.is_some() {}
    /// let timeline = run.timeline();
    /// assert!(timeline.critical_path() >= Duration::from_millis(20));
    /// assert!(timeline.critical_path() < timeline.makespan(), "more concurrency would help");
    /// # }
    /// ```
    pub fn critical_path(&self) -> Duration {
        let rows = self.stages.len();
        let cols = self.items;
        let mut duration = vec![Duration::ZERO; rows * cols];
        for cell in &self.cells {
            if cell.stage < rows && cell.item < cols {
                duration[cell.stage * cols + cell.item] = cell.duration().unwrap_or_default();
            }
        }
        // finish[c] holds row r - 1's earliest finish of column c; prefix max gives the
        // earliest time row r - 1 has delivered columns 0..=c.
        let mut finish = vec![Duration::ZERO; cols];
        for r in 0..rows {
            let mut ready = Duration::ZERO;
            for (c, slot) in finish.iter_mut().enumerate() {
                ready = ready.max(*slot);
                *slot = ready + duration[r * cols + c];
            }
        }
        finish.into_iter().max().unwrap_or_default()
    }
}

/// Records a run's cells on its shared [`Timeline`], or only its number of columns when
/// off (a streamed run that may never end must not keep a span per cell).
pub(crate) struct Recorder {
    timeline: Arc<Mutex<Timeline>>,
    on: bool,
}

impl Recorder {
    /// Records the cells of a grid of `stages` by `items` (more may come).
    pub(crate) fn new(stages: Vec<String>, items: usize) -> Self {
        Self {
            timeline: Arc::new(Mutex::new(Timeline::new(stages, items))),
            on: true,
        }
    }

    /// The timeline, shared with the run's handles.
    pub(crate) fn timeline(&self) -> Arc<Mutex<Timeline>> {
        self.timeline.clone()
    }

    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    /// Records every cell (the default), or none.
    pub(crate) fn set_on(&mut self, on: bool) {
        self.on = on;
    }

    /// Cells (stage, item) started at `at`, in start order; their indices follow on from
    /// the cells recorded before.
    pub(crate) fn started(&self, cells: &[(usize, usize)], at: Duration) {
        if !self.on {
            return;
        }
        let mut timeline = lock::lock(&self.timeline);
        for &(stage, item) in cells {
            timeline.start(stage, item, at);
        }
    }

    /// The cells of these start indices ended at `at`.
    pub(crate) fn finished(&self, indices: &mut dyn Iterator<Item = usize>, at: Duration) {
        if !self.on {
            return;
        }
        let mut timeline = lock::lock(&self.timeline);
        for index in indices {
            timeline.end(index, at);
        }
    }

    /// The grid has `items` columns now (recorded even when cells are not).
    pub(crate) fn columns(&self, items: usize) {
        lock::lock(&self.timeline).set_items(items);
    }
}
