//! [`BatchTicket`]: the future of one item's result, routed back from its batch.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use tokio::sync::oneshot;

use crate::batcher::BatchError;

pub(crate) type Reply<R, E> = oneshot::Sender<Result<R, BatchError<E>>>;

/// The result of one item put with [`Batcher::submit`](crate::Batcher::submit).
///
/// Resolves once the item's batch has run: to the handler's result for this item, or to the
/// batch's [`BatchError`].
///
/// # Cancel safety
///
/// Dropping the ticket does not take the item back: it is still dispatched, and if its batch
/// fails, the failure is counted as a put-and-go failure and returned by
/// [`Batcher::close`](crate::Batcher::close).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use ayutil::Batcher;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let batcher = Batcher::builder(NonZeroUsize::new(2).unwrap(), Duration::from_millis(10))
///     .build(|items: Vec<u32>| async move {
///         Ok::<_, std::convert::Infallible>(items.into_iter().map(|n| n * 10).collect())
///     })
///     .unwrap();
/// let first = batcher.submit(1).await.unwrap();
/// let second = batcher.submit(2).await.unwrap(); // fills the batch: it is dispatched now
/// assert_eq!(second.await.unwrap(), 20);
/// assert_eq!(first.await.unwrap(), 10);
/// # }
/// ```
#[must_use = "a ticket does nothing unless awaited; drop it to put and go"]
pub struct BatchTicket<R, E> {
    pub(crate) rx: oneshot::Receiver<Result<R, BatchError<E>>>,
}

impl<R, E> Future for BatchTicket<R, E> {
    type Output = Result<R, BatchError<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The sender is dropped without a value only when the batch's task was aborted (close
        // deadline) or the runtime shut down.
        Poll::Ready(ready!(Pin::new(&mut self.rx).poll(cx)).unwrap_or(Err(BatchError::Cancelled)))
    }
}

impl<R, E> fmt::Debug for BatchTicket<R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchTicket").finish_non_exhaustive()
    }
}
