//! [`Grid`]: the scheduler a driver runs. Rows of cells over columns of work: the
//! dependency rule, per-row limits, and the hand-off of each row's outputs, in column
//! order or in completion order.
//!
//! Cell (r, c) starts only when row r - 1 has delivered c + 1 cells, and at most
//! `limits[r]` cells of row r run at once. Each row starts its cells in column order (the
//! earliest ready first). With [`Order::Columns`] a row delivers its cells in column
//! order whatever order they finish in, so row r - 1 having delivered c + 1 cells means
//! it delivered columns 0..=c; with enough concurrency every cell then starts the moment
//! its dependencies are met, and the makespan is the grid's critical path. With
//! [`Order::Completion`] (a funnel: one row) a cell is delivered as soon as it finishes.
//!
//! The grid knows positions only: what a cell runs, where its value waits and where a
//! delivered value goes is the [`Work`]'s business (a waterfall keeps each stage's cells
//! typed, a funnel's are boxed futures), and so is recording a timeline.

use core::task::{Context, Poll};
use core::time::Duration;
use std::collections::VecDeque;

use tokio::time::Instant;

use super::cells::Payload;
use super::exchange::{DriveEnd, Port};
use crate::rt::window::Window;

/// The order in which each row hands its outputs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// In column order: a finished cell waits for the cells of earlier columns.
    Columns,
    /// As the cells finish.
    Completion,
}

/// A cell's end: row, column, start index, and its result or the payload of its panic.
/// A successful cell's value is kept by the work until [`Work::deliver`].
pub(crate) struct Ended<F> {
    pub(crate) row: usize,
    pub(crate) col: usize,
    pub(crate) index: usize,
    pub(crate) result: Result<Result<(), F>, Payload>,
}

/// Where cells come from, where they run, and where delivered values go.
pub(crate) trait Work: Send + 'static {
    /// What the feeding side sends the driver: new work, each command adding columns.
    type Command: Send + 'static;
    /// What the rows deliver to the consumer.
    type Output: Send + 'static;
    /// A cell's error; the first one ends the grid.
    type Failure: Send + 'static;

    /// Starts cell (row, col), the `index`-th cell started, if its work is there yet;
    /// returns whether it started. Called at most once per cell, in column order within a
    /// row, and only once the dependency rule and the row's limit allow it.
    fn start(&mut self, row: usize, col: usize, index: usize) -> bool;
    /// Polls the running cells, pushing every one that ended onto `ended`.
    fn poll_cells(&mut self, cx: &mut Context<'_>, ended: &mut Vec<Ended<Self::Failure>>);
    /// No cell is running.
    fn idle(&self) -> bool;
    /// Drops every cell still running.
    fn drop_cells(&mut self);
    /// Row `row` delivers column `col`, whose value the work kept when the cell ended;
    /// outputs for the consumer go to `out`.
    fn deliver(&mut self, row: usize, col: usize, out: &mut VecDeque<Self::Output>);
    /// Takes in one command; returns how many columns it added to the grid.
    fn command(&mut self, command: Self::Command) -> usize;

    /// Whether the grid reads the clock for [`started`](Self::started) and
    /// [`finished`](Self::finished). A work that records nothing costs no clock reading.
    fn records(&self) -> bool {
        false
    }
    /// Cells (row, col) started at `at` (from the grid's first poll), in start order.
    fn started(&mut self, _cells: &[(usize, usize)], _at: Duration) {}
    /// The cells of these start indices ended at `at`.
    fn finished(&mut self, _indices: &mut dyn Iterator<Item = usize>, _at: Duration) {}
    /// The grid has `cols` columns now.
    fn columns(&mut self, _cols: usize) {}
}

/// Where one row stands.
struct Row {
    limit: usize,
    running: usize,
    /// The column of the row's next cell to start.
    next_start: usize,
    /// Cells delivered so far.
    delivered: usize,
    /// With [`Order::Columns`]: the finished cells waiting for earlier columns.
    finished: Window<()>,
}

pub(crate) struct Grid<W: Work> {
    rows: Vec<Row>,
    order: Order,
    /// Columns known so far.
    cols: usize,
    /// No more columns will come.
    cols_closed: bool,
    work: W,
    /// Cells started so far: the start index of the next one.
    started: usize,
    /// The first poll, which times are measured from.
    origin: Option<Instant>,
    /// Scratch space, kept to reuse its allocation: cells started in one pass.
    starting: Vec<(usize, usize)>,
    /// Scratch space: cells that ended in one round.
    ended: Vec<Ended<W::Failure>>,
    /// Scratch space: commands taken in one round.
    commands: Vec<W::Command>,
}

impl<W: Work> Grid<W> {
    /// A grid of `limits.len()` rows and `cols` columns; `limits[r]` bounds row r
    /// (`usize::MAX`: no bound). With `cols_closed` false, commands may add columns until
    /// the feeding side closes.
    pub(crate) fn new(
        limits: Vec<usize>,
        cols: usize,
        cols_closed: bool,
        order: Order,
        work: W,
    ) -> Self {
        let rows = limits
            .into_iter()
            .map(|limit| Row {
                limit,
                running: 0,
                next_start: 0,
                delivered: 0,
                finished: Window::new(),
            })
            .collect();
        Self {
            rows,
            order,
            cols,
            cols_closed,
            work,
            started: 0,
            origin: None,
            starting: Vec::new(),
            ended: Vec::new(),
            commands: Vec::new(),
        }
    }

    pub(crate) fn work_mut(&mut self) -> &mut W {
        &mut self.work
    }

    /// Every column went through every row.
    fn complete(&self) -> bool {
        match self.rows.last() {
            None => true,
            Some(last) => self.cols_closed && last.delivered == self.cols,
        }
    }

    /// The time since the first poll, if the work records times.
    fn now(&mut self) -> Duration {
        self.origin.get_or_insert_with(Instant::now).elapsed()
    }

    /// Starts every cell whose dependencies are met, within each row's limit.
    fn schedule(&mut self) {
        let record = self.work.records();
        let mut starting = core::mem::take(&mut self.starting);
        for r in 0..self.rows.len() {
            let ready = match r {
                0 => self.cols,
                _ => self.rows[r - 1].delivered,
            };
            loop {
                let row = &self.rows[r];
                let col = row.next_start;
                if col >= ready || row.running >= row.limit {
                    break;
                }
                // May run user code (a stage function).
                if !self.work.start(r, col, self.started) {
                    break;
                }
                self.started += 1;
                let row = &mut self.rows[r];
                row.next_start += 1;
                row.running += 1;
                if record {
                    starting.push((r, col));
                }
            }
        }
        if !starting.is_empty() {
            let now = self.now();
            self.work.started(&starting, now);
            starting.clear();
        }
        self.starting = starting;
    }

    /// Takes in a finished cell and delivers what is now due.
    fn finish(&mut self, ended: Ended<W::Failure>, out: &mut VecDeque<W::Output>) -> Result<(), DriveEnd<W::Failure>> {
        let Ended { row: r, col, result, .. } = ended;
        let row = &mut self.rows[r];
        row.running -= 1;
        match result {
            Err(payload) => return Err(DriveEnd::Panicked(payload)),
            Ok(Err(failure)) => return Err(DriveEnd::Failed { row: r, col, failure }),
            Ok(Ok(())) => {}
        }
        match self.order {
            Order::Completion => {
                self.work.deliver(r, col, out);
                row.delivered += 1;
            }
            Order::Columns => {
                row.finished.fill(col, ());
                // Deliver the finished prefix, in column order; a gap stops it.
                while row.finished.pop().is_some() {
                    self.work.deliver(r, row.delivered, out);
                    row.delivered += 1;
                }
            }
        }
        Ok(())
    }

    /// Runs the grid until it ends (then its cells may still be running: the caller drops
    /// them) or waits for a cell or a command. Outputs go through `port`, one batch per
    /// round.
    pub(crate) fn poll_drive(
        &mut self,
        cx: &mut Context<'_>,
        port: &mut Port<W::Command, W::Output, W::Failure>,
    ) -> Poll<DriveEnd<W::Failure>> {
        if self.origin.is_none() && self.work.records() {
            self.origin = Some(Instant::now());
        }
        loop {
            self.schedule();
            if self.complete() {
                return Poll::Ready(DriveEnd::Done);
            }
            let open = port.take_commands(cx, &mut self.commands);
            if !self.commands.is_empty() {
                let mut added = 0;
                for command in self.commands.drain(..) {
                    added += self.work.command(command);
                }
                if added > 0 {
                    self.cols += added;
                    self.work.columns(self.cols);
                }
                // Start the new cells before polling: they run in this same round.
                continue;
            }
            if !open {
                self.cols_closed = true;
                if self.complete() {
                    return Poll::Ready(DriveEnd::Done);
                }
                if self.work.idle() {
                    // Nothing runs and no work can arrive any more.
                    return Poll::Ready(DriveEnd::Done);
                }
            }
            // Take every cell that has ended: the batch shares one clock reading and one
            // hand-off to the consumer.
            let mut ended = core::mem::take(&mut self.ended);
            self.work.poll_cells(cx, &mut ended);
            if ended.is_empty() {
                self.ended = ended;
                return Poll::Pending;
            }
            if self.work.records() {
                let now = self.now();
                self.work
                    .finished(&mut ended.iter().map(|e| e.index), now);
            }
            let mut failed = None;
            for e in ended.drain(..) {
                if let Err(end) = self.finish(e, port.outputs()) {
                    failed = Some(end);
                    break;
                }
            }
            ended.clear();
            self.ended = ended;
            if let Some(end) = failed {
                // The outputs delivered before the failure go with the end.
                return Poll::Ready(end);
            }
            port.publish();
        }
    }

    /// Drops every cell still running, before the work itself goes.
    pub(crate) fn drop_cells(&mut self) {
        self.work.drop_cells();
    }
}
