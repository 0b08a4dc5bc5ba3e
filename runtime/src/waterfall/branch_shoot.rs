//! [`branch_shoot`]: the Python original's hand-driven form of the waterfall grid, with [`Branch`]
//! and [`Shoot`] handles.

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::ops::Range;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_core::{FusedStream, Stream};
use tokio::sync::mpsc;

use super::timeline::{Recorder, Timeline};
use super::value::{Value, downcast};
use crate::rt::driver::cells::Cells;
use crate::rt::driver::ends::Ends;
use crate::rt::driver::exchange::{DriveEnd, Link, Shared};
use crate::rt::driver::grid::{Grid, Order, Work};
use crate::rt::driver::task;
use crate::rt::lock;
use crate::rt::window::Window;

/// A pushed cell's work.
type CellFuture = Pin<Box<dyn Future<Output = Value> + Send>>;

/// A push: the column and its next cell.
type Push = (usize, CellFuture);

/// Builds a grid of `branches` rows and `shoots` columns driven by hand, as the Python original's
/// `make_brancheshoot(branches, shoots)`.
///
/// [`Shoot::push`] schedules the next cell of a column: a column's first push is its cell
/// in branch 0, its second push its cell in branch 1, and so on. A cell (b, s) starts once
/// it was pushed and branch b - 1 has finished shoots 0..=s. [`Branch`] b yields the
/// outputs of its cells in shoot order, each with the [`Shoot`] it came from, so the next
/// stage can be pushed from there, like the Python original's `gen_passthrough`.
///
/// This is the same core as [`Waterfall`](crate::Waterfall), without stage functions:
/// every cell is whatever future was pushed, and nothing limits concurrency.
///
/// # Panics
///
/// Panics outside a tokio runtime, with the message of [`NoRuntime`](crate::NoRuntime): the
/// grid's driver task is spawned here (it does nothing until a cell is pushed).
///
/// # Cancel safety
///
/// Dropping every [`Branch`] aborts the driver and every running cell; later pushes
/// return [`ShootError::Closed`].
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let (mut branches, shoots) = ayutil::branch_shoot::<u64>(2, 3);
/// for (s, shoot) in shoots.iter().enumerate() {
///     shoot.push(async move { s as u64 }).unwrap();
/// }
/// let first = branches.remove(0);
/// let second = branches.remove(0);
/// let feed = first.for_each(|(v, shoot)| async move {
///     shoot.push(async move { v * 10 }).unwrap();
/// });
/// let (_, out) = tokio::join!(feed, second.map(|(v, _)| v).collect::<Vec<_>>());
/// assert_eq!(out, [0, 10, 20]);
/// # }
/// ```
#[track_caller]
pub fn branch_shoot<T: Send + 'static>(
    branches: usize,
    shoots: usize,
) -> (Vec<Branch<T>>, Vec<Shoot<T>>) {
    let mut branch_txs = Vec::with_capacity(branches);
    let mut branch_rxs = Vec::with_capacity(branches);
    for _ in 0..branches {
        let (tx, rx) = mpsc::unbounded_channel();
        branch_txs.push(tx);
        branch_rxs.push(rx);
    }
    let names = (0..branches).map(|b| format!("branch {b}")).collect();
    let recorder = Recorder::new(names, shoots);
    let timeline = recorder.timeline();
    let work = Pushed {
        cells: (0..branches).map(|_| Cells::new()).collect(),
        values: (0..branches).map(|_| Window::new()).collect(),
        queues: (0..shoots).map(|_| VecDeque::new()).collect(),
        branches: branch_txs,
        recorder,
    };
    let grid = Grid::new(vec![usize::MAX; branches], shoots, true, Order::Columns, work);
    let driver = Arc::new(task::spawn(grid, Shared::new()));
    let pushes = Arc::new(Pushes {
        shared: driver.shared().clone(),
        pushed: (0..shoots).map(|_| AtomicUsize::new(0)).collect(),
    });
    let shoot_handles: Vec<Shoot<T>> = (0..shoots)
        .map(|index| Shoot {
            index,
            rows: branches,
            pushes: pushes.clone(),
            _output: PhantomData,
        })
        .collect();
    let branch_handles = branch_rxs
        .into_iter()
        .enumerate()
        .map(|(index, rx)| Branch {
            index,
            rx,
            seen: 0,
            shoots: shoot_handles.clone(),
            driver: driver.clone(),
            timeline: timeline.clone(),
        })
        .collect();
    (branch_handles, shoot_handles)
}

/// The consumer's side of the grid's driver, shared by the branches: dropping the last
/// one aborts it.
type Driver = Link<Push, Infallible, Infallible>;

/// What every [`Shoot`] of a grid shares: the driver's input, closed when the last one is
/// dropped (then no cell can come any more).
struct Pushes {
    shared: Arc<Shared<Push, Infallible, Infallible>>,
    /// Cells pushed so far, by shoot.
    pushed: Box<[AtomicUsize]>,
}

impl Drop for Pushes {
    fn drop(&mut self) {
        self.shared.close();
    }
}

/// The pushed cells of each column, run in their rows.
struct Pushed {
    /// Declared first: the running cells go before the branches' channels.
    cells: Vec<Cells<CellFuture>>,
    /// Each row's finished values, by column, until delivered.
    values: Vec<Window<Value>>,
    /// Each column's pushed cells not started yet, in row order.
    queues: Vec<VecDeque<CellFuture>>,
    branches: Vec<mpsc::UnboundedSender<(usize, Value)>>,
    recorder: Recorder,
}

impl Work for Pushed {
    type Command = Push;
    type Output = Infallible;
    type Failure = Infallible;

    fn start(&mut self, row: usize, cols: Range<usize>, index: usize) -> usize {
        let mut started = 0;
        for col in cols {
            // The grid takes a column's cells in row order, so the front is this row's
            // cell.
            let Some(fut) = self.queues[col].pop_front() else { break };
            self.cells[row].push(col, index + started, fut);
            started += 1;
        }
        started
    }

    fn poll_cells(
        &mut self,
        cx: &mut Context<'_>,
        ends: &mut Ends<Infallible>,
        _out: &mut VecDeque<Infallible>,
    ) {
        for (row, (cells, values)) in self.cells.iter_mut().zip(&mut self.values).enumerate() {
            cells.poll(cx, |col, index, out| {
                let result = out.map(|value| {
                    values.fill(col, value);
                    Ok(())
                });
                ends.report(row, col, index, result)
            });
            if ends.has_failed() {
                return;
            }
        }
    }

    fn idle(&self) -> bool {
        self.cells.iter().all(Cells::is_empty)
    }

    fn drop_cells(&mut self) {
        for cells in &mut self.cells {
            cells.clear();
        }
    }

    fn deliver(&mut self, row: usize, col: usize, _out: &mut VecDeque<Infallible>) {
        let Some(value) = self.values[row].pop() else {
            unreachable!("the grid delivers finished columns only");
        };
        // A dropped branch no longer wants its values.
        drop(self.branches[row].send((col, value)));
    }

    fn commands(&mut self, pushes: &mut Vec<Push>) -> usize {
        for (col, cell) in pushes.drain(..) {
            self.queues[col].push_back(cell);
        }
        0
    }

    fn records(&self) -> bool {
        true
    }

    fn started(&mut self, cells: &[(usize, usize)], at: core::time::Duration) {
        self.recorder.started(cells, at);
    }

    fn finished(&mut self, indices: &mut dyn Iterator<Item = usize>, at: core::time::Duration) {
        self.recorder.finished(indices, at);
    }
}

/// Why [`Shoot::push`] refused a future.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (_branches, shoots) = ayutil::branch_shoot::<()>(1, 1);
/// shoots[0].push(async {}).unwrap();
/// assert_eq!(shoots[0].push(async {}), Err(ayutil::ShootError::Full { branches: 1 }));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShootError {
    /// The shoot already has one cell in every branch.
    Full {
        /// Number of branches of the grid.
        branches: usize,
    },
    /// Every [`Branch`] was dropped: the grid stopped.
    Closed,
}

impl fmt::Display for ShootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full { branches } => write!(
                f,
                "the shoot already has a cell in each of its {branches} branches"
            ),
            Self::Closed => f.write_str("the waterfall grid stopped: every branch was dropped"),
        }
    }
}

impl std::error::Error for ShootError {}

/// One column of a [`branch_shoot`] grid: pushes its next cell.
///
/// Cheap to clone; every clone pushes into the same column.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (mut branches, shoots) = ayutil::branch_shoot::<&str>(2, 1);
/// let shoot = shoots[0].clone(); // same column as `shoots[0]`
/// shoots[0].push(async { "first push: branch 0" }).unwrap();
/// shoot.push(async { "second push: branch 1" }).unwrap();
/// let (second, first) = (branches.pop().unwrap(), branches.pop().unwrap());
/// let first: Vec<_> = first.map(|(v, _)| v).collect().await;
/// let second: Vec<_> = second.map(|(v, _)| v).collect().await;
/// assert_eq!((first, second), (vec!["first push: branch 0"], vec!["second push: branch 1"]));
/// # }
/// ```
pub struct Shoot<T> {
    index: usize,
    rows: usize,
    pushes: Arc<Pushes>,
    _output: PhantomData<fn(T)>,
}

impl<T: Send + 'static> Shoot<T> {
    /// Schedules `cell` as this shoot's next cell: in branch 0 for the first push, branch
    /// 1 for the second, and so on. It starts once the previous branch has finished shoots
    /// 0..=this one (at once in branch 0), as the Python original's `shoot_next`.
    ///
    /// # Errors
    ///
    /// [`ShootError::Full`] when the shoot has a cell in every branch already;
    /// [`ShootError::Closed`] when every [`Branch`] was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use ayutil::ShootError;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (mut branches, shoots) = ayutil::branch_shoot::<u32>(2, 2);
    /// shoots[1].push(async { 10 }).unwrap(); // shoot 1, branch 0
    /// shoots[0].push(async { 0 }).unwrap(); // shoot 0, branch 0
    /// shoots[0].push(async { 1 }).unwrap(); // shoot 0, branch 1
    /// shoots[1].push(async { 11 }).unwrap(); // shoot 1, branch 1
    /// assert_eq!(shoots[1].push(async { 12 }), Err(ShootError::Full { branches: 2 }));
    ///
    /// // Branch 1 gets the second push of each shoot, in shoot order.
    /// let last = branches.pop().unwrap();
    /// assert_eq!(last.map(|(v, _)| v).collect::<Vec<_>>().await, [1, 11]);
    /// # }
    /// ```
    pub fn push<F>(&self, cell: F) -> Result<(), ShootError>
    where
        F: Future<Output = T> + Send + 'static,
    {
        let rows = self.rows;
        self.pushes.pushed[self.index]
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < rows).then_some(n + 1)
            })
            .map_err(|_| ShootError::Full { branches: rows })?;
        let cell = crate::rt::inherit::handed(cell);
        let cell: CellFuture = Box::pin(async move { Box::new(cell.await) as Value });
        self.pushes
            .shared
            .send((self.index, cell))
            .map_err(|_| ShootError::Closed)
    }

    /// This shoot's column index, from 0.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (_b, shoots) = ayutil::branch_shoot::<()>(1, 3);
    /// assert_eq!(shoots[2].index(), 2);
    /// # }
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }
}

impl<T> Clone for Shoot<T> {
    fn clone(&self) -> Self {
        Self {
            index: self.index,
            rows: self.rows,
            pushes: self.pushes.clone(),
            _output: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Shoot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shoot")
            .field("index", &self.index)
            .field("pushed", &self.pushes.pushed[self.index].load(Ordering::Relaxed))
            .finish()
    }
}

/// One row of a [`branch_shoot`] grid: its cells' outputs in shoot order, each with its
/// [`Shoot`], ending after the last shoot.
///
/// # Panics
///
/// A panic in a cell is resumed in the first branch that notices the grid stopped.
///
/// # Cancel safety
///
/// Dropping every branch stops the grid and drops its running cells.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
/// use futures::stream::FusedStream;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (mut branches, shoots) = ayutil::branch_shoot::<String>(1, 3);
/// for (s, shoot) in shoots.iter().enumerate().rev() {
///     shoot.push(async move { format!("cell {s}") }).unwrap();
/// }
/// let mut branch = branches.pop().unwrap();
/// let mut seen = Vec::new();
/// while let Some((value, shoot)) = branch.next().await {
///     seen.push((value, shoot.index()));
/// }
/// // In shoot order, whatever the order of the pushes.
/// assert_eq!(seen, [("cell 0".to_string(), 0), ("cell 1".to_string(), 1), ("cell 2".to_string(), 2)]);
/// assert!(branch.is_terminated());
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct Branch<T> {
    index: usize,
    rx: mpsc::UnboundedReceiver<(usize, Value)>,
    seen: usize,
    shoots: Vec<Shoot<T>>,
    driver: Arc<Driver>,
    timeline: Arc<Mutex<Timeline>>,
}

impl<T> Branch<T> {
    /// This branch's row index, from 0.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (branches, _s) = ayutil::branch_shoot::<()>(2, 1);
    /// assert_eq!(branches[1].index(), 1);
    /// # }
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// A snapshot of the whole grid's timeline (every branch's cells).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let (branches, _s) = ayutil::branch_shoot::<()>(2, 3);
    /// assert_eq!(branches[0].timeline().items(), 3);
    /// # }
    /// ```
    pub fn timeline(&self) -> Timeline {
        lock::lock(&self.timeline).clone()
    }
}

impl<T: Send + 'static> Stream for Branch<T> {
    type Item = (T, Shoot<T>);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.seen == this.shoots.len() {
            return Poll::Ready(None);
        }
        match this.rx.poll_recv(cx) {
            Poll::Ready(Some((col, value))) => {
                this.seen += 1;
                Poll::Ready(Some((downcast::<T>(value), this.shoots[col].clone())))
            }
            Poll::Ready(None) => {
                // The grid stopped before this branch was complete.
                this.seen = this.shoots.len();
                // The driver records its end before its work, with the branches' senders,
                // goes: a panic is there to see.
                if let Some(DriveEnd::Panicked(payload)) = this.driver.take_end() {
                    std::panic::resume_unwind(payload);
                }
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: Send + 'static> FusedStream for Branch<T> {
    fn is_terminated(&self) -> bool {
        self.seen == self.shoots.len()
    }
}

impl<T> fmt::Debug for Branch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Branch")
            .field("index", &self.index)
            .field("seen", &self.seen)
            .field("shoots", &self.shoots.len())
            .finish_non_exhaustive()
    }
}
