//! The funnel on the driver engine: a grid of one row, one column per future that did
//! not finish on its first poll, delivered in completion order.

use core::future::Future;
use core::ops::Range;
use core::pin::Pin;
use core::task::Context;
use std::collections::VecDeque;

use crate::rt::driver::cells::Cells;
use crate::rt::driver::exchange::{Link, Shared};
use crate::rt::driver::ends::Ends;
use crate::rt::driver::grid::{Grid, Order, Work};
use crate::rt::driver::task;

/// A future that was not finished by its first, inline poll.
pub(crate) type Job<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

/// The consumer's side of a funnel's driver: jobs in, `Ok` outputs out in completion
/// order; the first `Err` or panic ends the driver (see `DriveEnd`).
pub(crate) type Driver<T, E> = Link<Job<T, E>, T, E>;

/// Spawns a funnel's driver task.
///
/// # Panics
///
/// Outside a tokio runtime, with the message of [`NoRuntime`](crate::NoRuntime).
#[track_caller]
pub(crate) fn spawn<T: Send + 'static, E: Send + 'static>() -> Driver<T, E> {
    // No row limit: the funnel holds its source back itself, counting the outputs not
    // yielded yet too.
    let grid = Grid::new(vec![usize::MAX], 0, false, Order::Completion, Row::new());
    task::spawn(grid, Shared::new())
}

/// The funnel's one row.
struct Row<T, E> {
    /// Jobs handed over and not started yet, the next one last: the grid starts them all
    /// in the round they arrive (the row has no limit).
    queue: Vec<Job<T, E>>,
    cells: Cells<Job<T, E>>,
}

impl<T, E> Row<T, E> {
    fn new() -> Self {
        Self {
            queue: Vec::new(),
            cells: Cells::new(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Work for Row<T, E> {
    type Command = Job<T, E>;
    type Output = T;
    type Failure = E;

    fn start(&mut self, _row: usize, cols: Range<usize>, index: usize) -> usize {
        let mut started = 0;
        for col in cols {
            let Some(job) = self.queue.pop() else { break };
            self.cells.push(col, index + started, job);
            started += 1;
        }
        started
    }

    fn poll_cells(&mut self, cx: &mut Context<'_>, ends: &mut Ends<E>, out: &mut VecDeque<T>) {
        self.cells.poll(cx, |col, index, output| {
            // Handed over at once: completion order.
            let result = output.map(|output| output.map(|value| out.push_back(value)));
            ends.report(0, col, index, result)
        });
    }

    fn idle(&self) -> bool {
        self.cells.is_empty() && self.queue.is_empty()
    }

    fn drop_cells(&mut self) {
        self.cells.clear();
        self.queue.clear();
    }

    fn deliver(&mut self, _row: usize, _col: usize, _out: &mut VecDeque<T>) {
        unreachable!("a funnel delivers in completion order, as its cells end")
    }

    fn commands(&mut self, jobs: &mut Vec<Job<T, E>>) -> usize {
        let added = jobs.len();
        // Reversed, so that `start` pops them in the order they came.
        jobs.reverse();
        if !self.queue.is_empty() {
            // Older jobs still wait (never, as the row has no limit): they go first.
            jobs.append(&mut self.queue);
        }
        core::mem::swap(&mut self.queue, jobs);
        added
    }
}
