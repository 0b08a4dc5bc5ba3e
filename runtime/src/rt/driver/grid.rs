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

use core::ops::Range;
use core::task::{Context, Poll};
use core::time::Duration;
use std::collections::VecDeque;

use tokio::time::Instant;

use super::ends::{Ends, Failure};
use super::exchange::{DriveEnd, Port};
use crate::rt::window::Window;

/// The order in which each row hands its outputs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// In column order: a finished cell waits for the cells of earlier columns.
    Columns,
    /// As the cells finish: the work hands a cell's value to the consumer itself, in
    /// [`Work::poll_cells`], and [`Work::deliver`] is never called.
    Completion,
}

/// Where cells come from, where they run, and where delivered values go.
pub(crate) trait Work: Send + 'static {
    /// What the feeding side sends the driver: new work, each command adding columns.
    type Command: Send + 'static;
    /// What the rows deliver to the consumer.
    type Output: Send + 'static;
    /// A cell's error; the first one ends the grid.
    type Failure: Send + 'static;

    /// Starts the cells of row `row` for columns `cols`, in column order, the first being
    /// the `index`-th cell started, and stops at the first whose work is not there yet;
    /// returns how many started. Called at most once per cell, in column order within a
    /// row, and only once the dependency rule and the row's limit allow it.
    fn start(&mut self, row: usize, cols: Range<usize>, index: usize) -> usize;
    /// Polls the running cells and reports every one that ended to `ends`; with
    /// [`Order::Completion`], the values of those that succeeded go to `out`, in the order
    /// they are reported. Once a cell failed or panicked, the others need not be polled.
    fn poll_cells(
        &mut self,
        cx: &mut Context<'_>,
        ends: &mut Ends<Self::Failure>,
        out: &mut VecDeque<Self::Output>,
    );
    /// No cell is running.
    fn idle(&self) -> bool;
    /// Drops every cell still running.
    fn drop_cells(&mut self);
    /// Row `row` delivers column `col`, whose value the work kept when the cell ended;
    /// outputs for the consumer go to `out`. Called in column order, with
    /// [`Order::Columns`] only.
    fn deliver(&mut self, row: usize, col: usize, out: &mut VecDeque<Self::Output>);
    /// Takes in a batch of commands (leaving `commands` empty); returns how many columns
    /// they added to the grid.
    fn commands(&mut self, commands: &mut Vec<Self::Command>) -> usize;

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
    /// What ended in the current round.
    ends: Ends<W::Failure>,
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
        let list = order == Order::Columns || work.records();
        let ends = Ends::new(limits.len(), list);
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
            ends,
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

    /// Starts every cell whose dependencies are met, within each row's limit; returns
    /// whether any started.
    fn schedule(&mut self) -> bool {
        let before = self.started;
        for r in 0..self.rows.len() {
            let ready = match r {
                0 => self.cols,
                _ => self.rows[r - 1].delivered,
            };
            let row = &self.rows[r];
            let col = row.next_start;
            let n = ready
                .saturating_sub(col)
                .min(row.limit.saturating_sub(row.running));
            if n == 0 {
                continue;
            }
            // May run user code (a stage function).
            let started = self.work.start(r, col..col + n, self.started);
            debug_assert!(started <= n);
            self.started += started;
            let row = &mut self.rows[r];
            row.next_start += started;
            row.running += started;
            if started > 0 && self.work.records() {
                self.starting.extend((col..col + started).map(|c| (r, c)));
            }
        }
        if !self.starting.is_empty() {
            let now = self.now();
            self.work.started(&self.starting, now);
            self.starting.clear();
        }
        self.started != before
    }

    /// Takes in what ended this round and delivers what is now due; the first failure
    /// ends the grid, after the cells that ended well before it were delivered.
    fn finish_round(&mut self, out: &mut VecDeque<W::Output>) -> Result<(), DriveEnd<W::Failure>> {
        let listed = self.ends.take_listed();
        for &(r, col, _) in &listed {
            let row = &mut self.rows[r];
            row.running -= 1;
            match self.order {
                // The work handed the value over when the cell ended.
                Order::Completion => row.delivered += 1,
                Order::Columns => {
                    row.finished.fill(col, ());
                    // Deliver the finished prefix, in column order; a gap stops it.
                    while row.finished.pop().is_some() {
                        self.work.deliver(r, row.delivered, out);
                        row.delivered += 1;
                    }
                }
            }
        }
        self.ends.restore_listed(listed);
        for (row, count) in self.rows.iter_mut().zip(self.ends.counts_mut()) {
            // Counted ends are in completion order: delivered already.
            row.running -= *count;
            row.delivered += *count;
            *count = 0;
        }
        match self.ends.finish_round() {
            None => Ok(()),
            Some((row, col, _, how)) => {
                self.rows[row].running -= 1;
                Err(match how {
                    Failure::Error(failure) => DriveEnd::Failed { row, col, failure },
                    Failure::Panic(payload) => DriveEnd::Panicked(payload),
                })
            }
        }
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
        // Commands are taken once per poll: one that arrives later wakes the driver, which
        // is then polled again.
        let mut commands_taken = false;
        // Whether some cell was not polled since it started or was woken. After a round
        // that polled every cell until it was pending, only cells started since need a
        // poll.
        let mut unpolled = true;
        loop {
            unpolled |= self.schedule();
            if self.complete() {
                return Poll::Ready(DriveEnd::Done);
            }
            if !commands_taken {
                commands_taken = true;
                let open = port.take_commands(cx, &mut self.commands);
                if !self.commands.is_empty() {
                    let added = self.work.commands(&mut self.commands);
                    if added > 0 {
                        self.cols += added;
                        self.work.columns(self.cols);
                    }
                    // Start the new cells before polling: they run in this same round.
                    continue;
                }
                if !open && !self.cols_closed {
                    self.cols_closed = true;
                    continue;
                }
            }
            if !port.is_open() && self.work.idle() {
                // Nothing runs and no work can arrive any more.
                return Poll::Ready(DriveEnd::Done);
            }
            if !unpolled {
                return Poll::Pending;
            }
            unpolled = false;
            // Take every cell that has ended: the batch shares one clock reading and one
            // hand-off to the consumer.
            self.work.poll_cells(cx, &mut self.ends, port.outputs());
            if self.ends.is_empty() {
                return Poll::Pending;
            }
            if self.work.records() {
                let now = self.now();
                self.work.finished(&mut self.ends.indices(), now);
            }
            if let Err(end) = self.finish_round(port.outputs()) {
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
