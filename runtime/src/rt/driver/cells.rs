//! [`Cells`]: the running futures of a driver, polled in batches, each caught if it
//! panics.

use core::any::Any;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};

use futures_core::Stream;
use futures_util::stream::FuturesUnordered;

/// A panic payload, as `std::panic::catch_unwind` returns it.
pub(crate) type Payload = Box<dyn Any + Send>;

pin_project_lite::pin_project! {
    /// A running future and where it sits: its column and its index in start order.
    struct Cell<F> {
        col: usize,
        index: usize,
        #[pin]
        fut: F,
    }
}

impl<F: Future> Future for Cell<F> {
    type Output = (usize, usize, Result<F::Output, Payload>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let fut = this.fut;
        // A panicking cell ends; it is never polled again.
        let out = match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(out)) => Ok(out),
            Err(payload) => Err(payload),
        };
        Poll::Ready((*this.col, *this.index, out))
    }
}

/// A set of running futures of one kind (one grid row, or a whole grid of boxed futures).
///
/// Polling it polls only the futures that were woken, as `FuturesUnordered` does: a
/// driver with thousands of cells pays for the ones that moved.
pub(crate) struct Cells<F> {
    set: FuturesUnordered<Cell<F>>,
}

impl<F: Future> Cells<F> {
    pub(crate) fn new() -> Self {
        Self {
            set: FuturesUnordered::new(),
        }
    }

    /// Starts `fut` as the cell of column `col`, the `index`-th cell started.
    pub(crate) fn push(&mut self, col: usize, index: usize, fut: F) {
        self.set.push(Cell { col, index, fut });
    }

    /// Polls the cells that were woken; calls `ended(col, index, output)` for each one
    /// that finished, with its output or the payload of its panic, until it returns
    /// `false` (a failure: the other cells are not polled any more).
    pub(crate) fn poll(
        &mut self,
        cx: &mut Context<'_>,
        mut ended: impl FnMut(usize, usize, Result<F::Output, Payload>) -> bool,
    ) {
        while let Poll::Ready(Some((col, index, out))) = Pin::new(&mut self.set).poll_next(cx) {
            if !ended(col, index, out) {
                return;
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.set.len()
    }

    /// Drops every running cell.
    pub(crate) fn clear(&mut self) {
        self.set.clear();
    }
}

impl<F: Future> Default for Cells<F> {
    fn default() -> Self {
        Self::new()
    }
}
