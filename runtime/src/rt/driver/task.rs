//! The driver task: runs a [`Grid`] and announces its end once its cells are dropped.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::exchange::{DriveEnd, Link, Port, Shared};
use super::grid::{Grid, Work};

/// The future of a driver task.
///
/// Field order matters: when the task is aborted, the grid (and every cell in it) is
/// dropped before the port, whose drop tells the consumer that the driver stopped.
struct Driver<W: Work> {
    grid: Option<Grid<W>>,
    port: Port<W::Command, W::Output, W::Failure>,
}

// Nothing is structurally pinned: the cells sit in `FuturesUnordered`s, which pin them
// in their own allocations.
impl<W: Work> Unpin for Driver<W> {}

impl<W: Work> Future for Driver<W> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let Some(grid) = &mut this.grid else {
            return Poll::Ready(());
        };
        // Cells catch their own panics; this catches one in code the driver runs for a
        // cell (a stage function that panics before it returns its future).
        let end = match catch_unwind(AssertUnwindSafe(|| grid.poll_drive(cx, &mut this.port))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(end)) => {
                grid.drop_cells();
                end
            }
            Err(payload) => {
                // Whatever state the grid is in, all of it goes.
                this.grid = None;
                DriveEnd::Panicked(payload)
            }
        };
        this.port.stop(end);
        // The work goes after the end is recorded: a consumer that watches the work's own
        // channels close finds the end already there.
        this.grid = None;
        Poll::Ready(())
    }
}

/// Spawns the driver task of `grid`, fed and read through `shared`.
///
/// The driver runs work on the caller's behalf (a waterfall's stage functions, the cells
/// it polls), so it is handed over here: with the `tracing` feature it runs in the span
/// current now.
///
/// # Panics
///
/// Outside a tokio runtime, with the message of [`NoRuntime`](crate::NoRuntime), at the
/// caller.
#[track_caller]
pub(crate) fn spawn<W: Work>(
    grid: Grid<W>,
    shared: std::sync::Arc<Shared<W::Command, W::Output, W::Failure>>,
) -> Link<W::Command, W::Output, W::Failure> {
    let driver = Driver {
        grid: Some(grid),
        port: Port::new(shared.clone()),
    };
    let task = crate::rt::spawn::spawn(crate::rt::inherit::handed(driver));
    Link::new(shared, task.abort_handle())
}
