//! The funnel on the driver engine: a grid of one row, one column per future that did
//! not finish on its first poll, delivered in completion order.

use core::future::Future;
use core::pin::Pin;
use core::task::Context;
use std::collections::VecDeque;

use crate::rt::driver::cells::Cells;
use crate::rt::driver::exchange::{Link, Shared};
use crate::rt::driver::grid::{Ended, Grid, Order, Work};
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
/// Outside a tokio runtime, as `tokio::spawn`.
pub(crate) fn spawn<T: Send + 'static, E: Send + 'static>() -> Driver<T, E> {
    // No row limit: the funnel holds its source back itself, counting the outputs not
    // yielded yet too.
    let grid = Grid::new(vec![usize::MAX], 0, false, Order::Completion, Row::new());
    task::spawn(grid, Shared::new())
}

/// The funnel's one row.
struct Row<T, E> {
    /// Jobs handed over and not started yet: the grid starts them in the same round.
    queue: VecDeque<Job<T, E>>,
    cells: Cells<Job<T, E>>,
    /// The values of cells that ended, in end order, until the grid delivers them.
    done: VecDeque<T>,
}

impl<T, E> Row<T, E> {
    fn new() -> Self {
        Self {
            queue: VecDeque::new(),
            cells: Cells::new(),
            done: VecDeque::new(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Work for Row<T, E> {
    type Command = Job<T, E>;
    type Output = T;
    type Failure = E;

    fn start(&mut self, _row: usize, col: usize, index: usize) -> bool {
        let Some(job) = self.queue.pop_front() else {
            return false;
        };
        self.cells.push(col, index, job);
        true
    }

    fn poll_cells(&mut self, cx: &mut Context<'_>, ended: &mut Vec<Ended<E>>) {
        let done = &mut self.done;
        self.cells.poll(cx, |col, index, out| {
            let result = out.map(|out| out.map(|value| done.push_back(value)));
            ended.push(Ended {
                row: 0,
                col,
                index,
                result,
            });
        });
    }

    fn idle(&self) -> bool {
        self.cells.is_empty() && self.queue.is_empty()
    }

    fn drop_cells(&mut self) {
        self.cells.clear();
        self.queue.clear();
        self.done.clear();
    }

    fn deliver(&mut self, _row: usize, _col: usize, out: &mut VecDeque<T>) {
        // In completion order the grid delivers each cell as it ends, in the order
        // `poll_cells` reported them: the front value is this cell's.
        if let Some(value) = self.done.pop_front() {
            out.push_back(value);
        }
    }

    fn command(&mut self, job: Job<T, E>) -> usize {
        self.queue.push_back(job);
        1
    }
}
