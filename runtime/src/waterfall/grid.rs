//! The grid core shared by [`Waterfall`](crate::Waterfall) and
//! [`branch_shoot`](crate::branch_shoot): dependency rule, ordered hand-off, timeline.
//!
//! Cell (r, c) starts only when row r - 1 has delivered columns 0..=c, and at most
//! `limits[r]` cells of row r run at once. Each row starts its cells in column order (the
//! earliest ready first) and delivers them in column order, whatever order they finish in.
//! With enough concurrency every cell starts the moment its dependencies are met, so the
//! makespan is the grid's critical path.
//!
//! The cells are polled by the driver, itself a task of its own that does nothing but
//! poll cells and react to their ends: no cell waits for the consumer (futures-rs 2387),
//! and a cell costs no spawn.

use core::any::Any;
use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

use futures_core::Stream;
use futures_util::stream::FuturesUnordered;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use super::error::WaterfallError;
use super::timeline::Timeline;

/// A type-erased cell value (stages may change the item's type).
pub(crate) type Value = Box<dyn Any + Send>;
pub(crate) use crate::BoxError;
/// The work of one cell.
pub(crate) type CellFuture = Pin<Box<dyn Future<Output = Result<Value, BoxError>> + Send>>;

/// Where cells come from, where they run, and where delivered values go.
pub(crate) trait Work: Send + 'static {
    /// Messages from outside the driver (the low-level form's pushes).
    type Command: Send + 'static;
    /// Starts cell (row, col), recorded at timeline index `index`, if its work is there
    /// yet; returns whether it started. Called at most once per cell, in column order
    /// within a row, and only once the dependency rule holds.
    fn start(&mut self, row: usize, col: usize, index: usize) -> bool;
    /// Polls the running cells, pushing every one that ended onto `ended`.
    fn poll_cells(&mut self, cx: &mut Context<'_>, ended: &mut Vec<Joined>);
    /// No cell is running.
    fn idle(&self) -> bool;
    /// Drops every cell still running.
    fn drop_cells(&mut self);
    /// Row `row` delivers column `col`, whose value the work kept when the cell ended;
    /// called in column order.
    fn deliver(&mut self, row: usize, col: usize);
    /// Handles one message; returns how many columns it added to the grid.
    fn command(&mut self, command: Self::Command) -> usize;
    /// The end of a round of deliveries: hands what was delivered on, if it batches.
    fn flush(&mut self) {}
}

/// How a drive ended.
pub(crate) enum DriveEnd {
    /// Every cell finished, or no more work can arrive.
    Done,
    /// A cell failed; nothing else started after it.
    Failed(WaterfallError),
    /// A cell panicked: the payload, to resume in the consumer.
    Panicked(Box<dyn Any + Send>),
}

pub(crate) type Panic = Box<dyn Any + Send>;

/// A cell's end: row, column, timeline index, and its result or panic. A successful
/// cell's value is kept by the work until [`Work::deliver`].
pub(crate) type Joined = (usize, usize, usize, Result<Result<(), BoxError>, Panic>);

/// The values of a row's finished cells not delivered yet, by column.
pub(crate) struct Window<T> {
    /// The column of `slots[0]`: every column before it was delivered.
    base: usize,
    slots: VecDeque<Option<T>>,
}

impl<T> Window<T> {
    pub(crate) fn new() -> Self {
        Self {
            base: 0,
            slots: VecDeque::new(),
        }
    }

    pub(crate) fn put(&mut self, col: usize, value: T) {
        let slot = col - self.base;
        if self.slots.len() <= slot {
            self.slots.resize_with(slot + 1, || None);
        }
        self.slots[slot] = Some(value);
    }

    /// Takes the value of column `col`, the first not delivered yet.
    pub(crate) fn take(&mut self, col: usize) -> T {
        debug_assert_eq!(col, self.base);
        self.base += 1;
        match self.slots.pop_front() {
            Some(Some(value)) => value,
            _ => unreachable!("the grid delivers finished columns in order"),
        }
    }
}

pin_project_lite::pin_project! {
    /// A running cell: its future and where it sits in the grid. The row is that of the
    /// set it runs in.
    pub(crate) struct Cell<F> {
        col: usize,
        index: usize,
        #[pin]
        fut: F,
    }
}

impl<F> Cell<F> {
    pub(crate) fn new(col: usize, index: usize, fut: F) -> Self {
        Self { col, index, fut }
    }
}

impl<F: Future> Future for Cell<F> {
    type Output = (usize, usize, Result<F::Output, Panic>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let fut = this.fut;
        // A panicking cell ends the drive; it is never polled again.
        let out = match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(out)) => Ok(out),
            Err(payload) => Err(payload),
        };
        Poll::Ready((*this.col, *this.index, out))
    }
}

/// The running cells of type-erased futures, any row.
pub(crate) struct DynCells {
    cells: FuturesUnordered<Cell<CellFuture>>,
    rows: Vec<usize>,
    /// `windows[r]`: row r's values not delivered yet.
    windows: Vec<Window<Value>>,
}

impl DynCells {
    pub(crate) fn new() -> Self {
        Self {
            cells: FuturesUnordered::new(),
            rows: Vec::new(),
            windows: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, row: usize, col: usize, index: usize, fut: CellFuture) {
        // `rows[index]`: the row of the cell at timeline index `index`.
        if self.rows.len() <= index {
            self.rows.resize(index + 1, 0);
        }
        self.rows[index] = row;
        if self.windows.len() <= row {
            self.windows.resize_with(row + 1, Window::new);
        }
        self.cells.push(Cell::new(col, index, fut));
    }

    pub(crate) fn poll(&mut self, cx: &mut Context<'_>, ended: &mut Vec<Joined>) {
        while let Poll::Ready(Some((col, index, out))) = Pin::new(&mut self.cells).poll_next(cx) {
            let row = self.rows[index];
            let out = out.map(|out| out.map(|value| self.windows[row].put(col, value)));
            ended.push((row, col, index, out));
        }
    }

    /// The value of cell (row, col), once it is delivered.
    pub(crate) fn take(&mut self, row: usize, col: usize) -> Value {
        self.windows[row].take(col)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.cells.clear();
    }
}

pub(crate) struct Grid<W> {
    names: Vec<String>,
    /// Columns known so far.
    cols: usize,
    /// No more columns will come.
    cols_closed: bool,
    limits: Vec<usize>,
    running: Vec<usize>,
    next_start: Vec<usize>,
    delivered: Vec<usize>,
    /// `finished[r][i]`: column `delivered[r] + i` finished (its value is in the work).
    finished: Vec<VecDeque<bool>>,
    timeline: Arc<Mutex<Timeline>>,
    /// Whether cells are recorded on the timeline: off, the grid keeps no memory per
    /// cell, which an endless streamed run needs.
    record: bool,
    work: W,
    /// Cells started so far: the timeline index of the next one.
    started: usize,
    /// Scratch space of `schedule`, kept to reuse its allocation.
    starting: Vec<(usize, usize)>,
}

impl<W: Work> Grid<W> {
    /// A grid of `names.len()` rows and `cols` columns; `limits[r]` bounds row r. With
    /// `cols_closed` false, commands may add columns until the command channel closes.
    pub(crate) fn new(
        names: Vec<String>,
        limits: Vec<usize>,
        cols: usize,
        cols_closed: bool,
        work: W,
    ) -> Self {
        let rows = names.len();
        debug_assert_eq!(limits.len(), rows);
        let timeline = Arc::new(Mutex::new(Timeline::new(names.clone(), cols)));
        Self {
            names,
            cols,
            cols_closed,
            limits,
            running: vec![0; rows],
            next_start: vec![0; rows],
            delivered: vec![0; rows],
            finished: (0..rows).map(|_| VecDeque::new()).collect(),
            timeline,
            record: true,
            work,
            started: 0,
            starting: Vec::new(),
        }
    }

    pub(crate) fn work_mut(&mut self) -> &mut W {
        &mut self.work
    }

    pub(crate) fn timeline(&self) -> Arc<Mutex<Timeline>> {
        self.timeline.clone()
    }

    /// Records every cell on the timeline (the default), or none.
    pub(crate) fn set_record(&mut self, record: bool) {
        self.record = record;
    }

    fn rows(&self) -> usize {
        self.names.len()
    }

    fn complete(&self) -> bool {
        self.rows() == 0
            || self.cols_closed && (self.cols == 0 || self.delivered[self.rows() - 1] == self.cols)
    }

    /// Starts every cell whose dependencies are met, within each row's limit; `now` is
    /// their start time.
    fn schedule(&mut self, now: Duration) {
        // `start` may run user code (a stage function): collect first, so the timeline is
        // never locked while it runs.
        let mut starting = core::mem::take(&mut self.starting);
        for row in 0..self.rows() {
            loop {
                let col = self.next_start[row];
                let ready = if row == 0 {
                    self.cols
                } else {
                    self.delivered[row - 1]
                };
                if col >= ready || self.running[row] >= self.limits[row] {
                    break;
                }
                let index = self.started + starting.len();
                if !self.work.start(row, col, index) {
                    break;
                }
                self.next_start[row] += 1;
                self.running[row] += 1;
                starting.push((row, col));
            }
        }
        if !self.record {
            self.started += starting.len();
            starting.clear();
        } else if !starting.is_empty() {
            let mut timeline = lock(&self.timeline);
            for (row, col) in starting.drain(..) {
                let index = timeline.start(row, col, now);
                debug_assert_eq!(index, self.started);
                self.started += 1;
            }
        }
        self.starting = starting;
    }

    /// Takes in a finished cell (its end is already on the timeline) and delivers what is
    /// now in order.
    fn finish(&mut self, joined: Joined) -> Result<(), DriveEnd> {
        let (row, col, _index, out) = joined;
        self.running[row] -= 1;
        out.map_err(DriveEnd::Panicked)?.map_err(|e| {
            DriveEnd::Failed(WaterfallError::new(row, self.names[row].clone(), col, e))
        })?;
        let window = &mut self.finished[row];
        let slot = col - self.delivered[row];
        if window.len() <= slot {
            window.resize(slot + 1, false);
        }
        window[slot] = true;
        // Deliver the finished prefix, in column order; a gap (`false`) stops it.
        while self.finished[row].front() == Some(&true) {
            self.finished[row].pop_front();
            self.work.deliver(row, self.delivered[row]);
            self.delivered[row] += 1;
        }
        Ok(())
    }

    /// Runs the grid to its end. Dropping this future drops every running cell.
    ///
    /// Hands the work back, so the caller decides when its output channels close (after
    /// it has stored a panic payload, say).
    pub(crate) async fn drive(
        mut self,
        commands: Option<UnboundedReceiver<W::Command>>,
    ) -> (DriveEnd, W) {
        let end = self.drive_cells(commands).await;
        // Drop the cells still running before the work (and its channels) goes.
        self.work.drop_cells();
        (end, self.work)
    }

    async fn drive_cells(
        &mut self,
        mut commands: Option<UnboundedReceiver<W::Command>>,
    ) -> DriveEnd {
        let origin = Instant::now();
        let mut now = Duration::ZERO;
        let mut ended: Vec<Joined> = Vec::new();
        loop {
            self.schedule(now);
            if self.complete() {
                return DriveEnd::Done;
            }
            if self.work.idle() && commands.is_none() {
                // Nothing runs and no work can arrive any more.
                return DriveEnd::Done;
            }
            // Wait for at least one event, then take every cell that has ended too: the
            // batch shares one clock reading and one pass of the scheduler.
            let command = poll_fn(|cx| {
                self.work.poll_cells(cx, &mut ended);
                if let Some(rx) = commands.as_mut()
                    && let Poll::Ready(command) = rx.poll_recv(cx)
                {
                    return Poll::Ready(Some(command));
                }
                if ended.is_empty() {
                    Poll::Pending
                } else {
                    Poll::Ready(None)
                }
            })
            .await;
            now = origin.elapsed();
            if self.record {
                let mut timeline = lock(&self.timeline);
                for &(_, _, index, _) in &ended {
                    timeline.end(index, now);
                }
            }
            for joined in ended.drain(..) {
                if let Err(end) = self.finish(joined) {
                    // The caller drops the cells still running.
                    return end;
                }
            }
            self.work.flush();
            match command {
                Some(Some(command)) => {
                    let added = self.work.command(command);
                    if added > 0 {
                        self.cols += added;
                        lock(&self.timeline).set_items(self.cols);
                    }
                }
                Some(None) => {
                    commands = None;
                    self.cols_closed = true;
                }
                None => {}
            }
        }
    }
}

/// Locks the timeline; a panic while it was held cannot leave it half-written, so a
/// poisoned lock is used as is.
pub(crate) fn lock(timeline: &Mutex<Timeline>) -> std::sync::MutexGuard<'_, Timeline> {
    timeline.lock().unwrap_or_else(PoisonError::into_inner)
}
