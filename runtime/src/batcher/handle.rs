//! [`Batcher`]: the cloneable handle that puts items and closes the batcher.

use core::fmt;
use core::num::NonZeroUsize;
use core::time::Duration;
use std::sync::Arc;

use tokio::sync::{Semaphore, TryAcquireError, mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::batcher::driver::{Entry, Msg, Report};
use crate::batcher::{BatchError, BatchTicket, BatcherBuilder, BatcherCloseError, BatcherClosed};
use crate::rt::time::deadline_in;

/// Groups items put from many tasks into batches for one async handler (async-utils'
/// `Waterfall`).
///
/// A batch is dispatched when it holds `max_volume` items, or exactly `max_wait` after its
/// first item was put, whichever comes first (the original could wait up to twice
/// `max_wait`). The handler gets the batch as a `Vec<T>` and returns one result per item, in
/// order, or one error for the whole batch. Batches run in tasks of their own, at most
/// [`max_concurrency`](BatcherBuilder::max_concurrency) at once, and start in the order
/// they closed.
///
/// Three ways to put an item:
///
/// - [`call`](Self::call): put and await this item's result;
/// - [`submit`](Self::submit): put, and get a [`BatchTicket`] to await the result later;
/// - [`put`](Self::put): put and go; if its batch fails, [`close`](Self::close) returns it.
///
/// # No item is lost
///
/// All handles share one driver task that owns the batches. [`close`](Self::close)
/// dispatches everything put so far at once, without waiting for time limits, and waits
/// for every batch to finish. Dropping the last handle without `close` does the same in the
/// background: the driver task flushes and runs every batch, then ends (callers holding
/// tickets still get their results). This is why dropping a batcher inside a scope that is
/// shutting down still dispatches its items. Failures of put-and-go items then have nobody
/// to go to: they are logged with `tracing::error!`. Only the shutdown of the tokio runtime
/// itself cancels the driver and the batches, as it does every task.
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
/// // One "query" per batch instead of one per id.
/// let batcher = Batcher::builder(NonZeroUsize::new(50).unwrap(), Duration::from_millis(5))
///     .build(|ids: Vec<u64>| async move {
///         Ok::<_, std::convert::Infallible>(ids.iter().map(|id| format!("user-{id}")).collect())
///     })
///     .unwrap();
///
/// let mut tasks = tokio::task::JoinSet::new();
/// for id in 0..200 {
///     let batcher = batcher.clone();
///     tasks.spawn(async move { batcher.call(id).await.unwrap() });
/// }
/// let names = tasks.join_all().await;
/// assert_eq!(names.len(), 200);
/// batcher.close().await.unwrap();
/// # }
/// ```
#[must_use = "dropping the last handle closes the batcher"]
pub struct Batcher<T, R, E> {
    pub(crate) tx: mpsc::UnboundedSender<Msg<T, R, E>>,
    pub(crate) capacity: Option<Arc<Semaphore>>,
    pub(crate) report: watch::Receiver<Report<E>>,
}

impl Batcher<(), (), ()> {
    /// Starts configuring a batcher: a batch closes at `max_volume` items or `max_wait`
    /// after its first item. Same as [`BatcherBuilder::new`].
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
    /// let batcher = Batcher::builder(NonZeroUsize::new(2).unwrap(), Duration::from_secs(1))
    ///     .build(|items: Vec<i32>| async move {
    ///         Ok::<_, std::convert::Infallible>(items.into_iter().map(|n| -n).collect())
    ///     })
    ///     .unwrap();
    /// let (a, b) = tokio::join!(batcher.call(1), batcher.call(2));
    /// assert_eq!((a.unwrap(), b.unwrap()), (-1, -2));
    /// # }
    /// ```
    pub fn builder(max_volume: NonZeroUsize, max_wait: Duration) -> BatcherBuilder {
        BatcherBuilder::new(max_volume, max_wait)
    }
}

impl<T, R, E> Batcher<T, R, E>
where
    T: Send + 'static,
    R: Send + 'static,
    E: Send + Sync + 'static,
{
    /// Waits for room (when a [`capacity`](BatcherBuilder::capacity) is set), then sends the
    /// entry to the driver. Gives the item back if the batcher is closed.
    async fn send(
        &self,
        item: T,
        reply: Option<crate::batcher::ticket::Reply<R, E>>,
    ) -> Result<(), BatcherClosed<T>> {
        if let Some(sem) = &self.capacity {
            // The driver adds the permit back when the item's batch starts. While there is
            // room, `try_acquire` takes it without building an `Acquire` future (it fails
            // while `put`s are queued for room, so it never jumps that queue).
            let permit = match sem.try_acquire() {
                Ok(permit) => Ok(permit),
                Err(TryAcquireError::NoPermits) => sem.acquire().await,
                Err(TryAcquireError::Closed) => return Err(BatcherClosed(item)),
            };
            match permit {
                Ok(permit) => permit.forget(),
                Err(_) => return Err(BatcherClosed(item)),
            }
        }
        let entry = Entry {
            item,
            reply,
            at: Instant::now(),
        };
        self.tx
            .send(Msg::Item(entry))
            .map_err(|mpsc::error::SendError(msg)| {
                if let Some(sem) = &self.capacity {
                    sem.add_permits(1);
                }
                match msg {
                    Msg::Item(entry) => BatcherClosed(entry.item),
                    Msg::Close { .. } => unreachable!("only an item was sent"),
                }
            })
    }

    /// Puts an item and goes: its result is dropped.
    ///
    /// If the item's batch fails, the failure is returned by [`close`](Self::close) (or
    /// logged, if every handle is dropped without `close`).
    ///
    /// # Errors
    ///
    /// [`BatcherClosed`], holding the item, once the batcher is closed.
    ///
    /// # Cancel safety
    ///
    /// Waiting happens only while a [`capacity`](BatcherBuilder::capacity) bound is full.
    /// Dropping the future during that wait drops the item without putting it; once the
    /// future has returned, the item is put.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::time::Duration;
    /// use ayutil::Batcher;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let written = Arc::new(AtomicUsize::new(0));
    /// let sink = Arc::clone(&written);
    /// let batcher = Batcher::builder(NonZeroUsize::new(10).unwrap(), Duration::from_millis(5))
    ///     .build(move |lines: Vec<String>| {
    ///         let sink = Arc::clone(&sink);
    ///         async move {
    ///             sink.fetch_add(lines.len(), Ordering::Relaxed);
    ///             Ok::<_, std::io::Error>(vec![(); lines.len()])
    ///         }
    ///     })
    ///     .unwrap();
    /// for i in 0..25 {
    ///     batcher.put(format!("line {i}")).await.unwrap();
    /// }
    /// batcher.close().await.unwrap();
    /// assert_eq!(written.load(Ordering::Relaxed), 25);
    /// # }
    /// ```
    pub async fn put(&self, item: T) -> Result<(), BatcherClosed<T>> {
        self.send(item, None).await
    }

    /// Puts an item and returns a [`BatchTicket`] that resolves to its result.
    ///
    /// # Errors
    ///
    /// [`BatcherClosed`], holding the item, once the batcher is closed.
    ///
    /// # Cancel safety
    ///
    /// As for [`put`](Self::put): dropped while waiting for room, the item is dropped and not
    /// put.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use ayutil::Batcher;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let batcher = Batcher::builder(NonZeroUsize::new(100).unwrap(), Duration::from_secs(1))
    ///     .build(|items: Vec<u8>| async move {
    ///         Ok::<_, std::convert::Infallible>(items.iter().map(|b| b.count_ones()).collect())
    ///     })
    ///     .unwrap();
    /// let ticket = batcher.submit(0b1011).await.unwrap();
    /// // The batch is far from full: it goes out one second after this item was put.
    /// assert_eq!(ticket.await.unwrap(), 3);
    /// # }
    /// ```
    pub async fn submit(&self, item: T) -> Result<BatchTicket<R, E>, BatcherClosed<T>> {
        let (tx, rx) = oneshot::channel();
        self.send(item, Some(tx)).await?;
        Ok(BatchTicket { rx })
    }

    /// Puts an item and waits for its result.
    ///
    /// # Errors
    ///
    /// The [`BatchError`] of the item's batch, or [`BatchError::Closed`] if the batcher was
    /// closed before the item could be put (the item is then dropped: use
    /// [`submit`](Self::submit) to get it back).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future after the item was put does not take it back: it is still
    /// dispatched, and a failure of its batch is then returned by [`close`](Self::close).
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
    /// let batcher = Batcher::builder(NonZeroUsize::new(8).unwrap(), Duration::from_millis(2))
    ///     .build(|words: Vec<&'static str>| async move {
    ///         Ok::<_, std::convert::Infallible>(words.iter().map(|w| w.to_uppercase()).collect())
    ///     })
    ///     .unwrap();
    /// assert_eq!(batcher.call("hi").await.unwrap(), "HI");
    /// # }
    /// ```
    pub async fn call(&self, item: T) -> Result<R, BatchError<E>> {
        match self.submit(item).await {
            Ok(ticket) => ticket.await,
            Err(BatcherClosed(_)) => Err(BatchError::Closed),
        }
    }

    /// Closes the batcher, dispatches every item put so far, and waits for every batch.
    ///
    /// Puts that have not finished when `close` is called fail with [`BatcherClosed`], and
    /// so do later ones, on every clone of this handle. Items already put are dispatched at
    /// once, without waiting for their batch's time limit, still at most `max_volume` per
    /// batch and `max_concurrency` at once. Several tasks may call `close`: each gets the
    /// same outcome.
    ///
    /// # Errors
    ///
    /// [`BatcherCloseError`] listing the failed batches of put-and-go items (items whose
    /// callers awaited a result already got their own error).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future does not undo the close: the batcher still flushes and finishes
    /// in the background.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use ayutil::Batcher;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let batcher = Batcher::builder(NonZeroUsize::new(100).unwrap(), Duration::from_secs(3600))
    ///     .build(|items: Vec<u8>| async move { Ok::<_, std::convert::Infallible>(items) })
    ///     .unwrap();
    /// let ticket = batcher.submit(7).await.unwrap();
    /// let start = tokio::time::Instant::now();
    /// batcher.close().await.unwrap();
    /// assert_eq!(start.elapsed(), Duration::ZERO, "flushed without waiting an hour");
    /// assert_eq!(ticket.await.unwrap(), 7);
    /// # }
    /// ```
    pub async fn close(&self) -> Result<(), BatcherCloseError<E>> {
        self.close_inner(None).await
    }

    /// Like [`close`](Self::close), but once `timeout` has passed, running batches are
    /// cancelled (their tasks aborted) and batches not started yet never start.
    /// `Duration::ZERO` cancels whatever has not finished at once; `Duration::MAX` means no
    /// deadline, as `close`.
    ///
    /// Callers awaiting items of those batches get [`BatchError::Cancelled`]; put-and-go
    /// items are reported in the returned error, see
    /// [`BatcherCloseError::cancelled_items`].
    ///
    /// # Errors
    ///
    /// As for [`close`](Self::close), plus the cancelled put-and-go items.
    ///
    /// # Cancel safety
    ///
    /// As for [`close`](Self::close): the deadline still applies if the future is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use ayutil::{BatchError, Batcher};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let batcher = Batcher::builder(NonZeroUsize::MIN, Duration::from_secs(1))
    ///     .build(|items: Vec<u64>| async move {
    ///         tokio::time::sleep(Duration::from_secs(items[0])).await;
    ///         Ok::<_, std::convert::Infallible>(items)
    ///     })
    ///     .unwrap();
    /// let quick = batcher.submit(1).await.unwrap();
    /// let slow = batcher.submit(100).await.unwrap();
    /// batcher.close_with_timeout(Duration::from_secs(10)).await.unwrap();
    /// assert_eq!(quick.await.unwrap(), 1);
    /// assert!(matches!(slow.await, Err(BatchError::Cancelled)));
    /// # }
    /// ```
    pub async fn close_with_timeout(&self, timeout: Duration) -> Result<(), BatcherCloseError<E>> {
        // `Duration::MAX` (or past the clock's range): no deadline, as `close`.
        self.close_inner(deadline_in(timeout)).await
    }

    async fn close_inner(&self, deadline: Option<Instant>) -> Result<(), BatcherCloseError<E>> {
        // Fails only when the driver already finished: its report is then in `report`.
        drop(self.tx.send(Msg::Close { deadline }));
        let mut report = self.report.clone();
        let outcome = match report.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            Err(_) => None,
        };
        // `None`: the driver was dropped without reporting, so its runtime shut down.
        outcome.unwrap_or(Err(BatcherCloseError {
            failures: Vec::new(),
            stopped: true,
        }))
    }

    /// `true` once the batcher is closed (by [`close`](Self::close) on any handle) and no
    /// longer accepts items.
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
    /// let batcher = Batcher::builder(NonZeroUsize::new(4).unwrap(), Duration::from_millis(1))
    ///     .build(|items: Vec<u8>| async move { Ok::<_, std::convert::Infallible>(items) })
    ///     .unwrap();
    /// assert!(!batcher.is_closed());
    /// batcher.close().await.unwrap();
    /// assert!(batcher.is_closed());
    /// # }
    /// ```
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

impl<T, R, E> Clone for Batcher<T, R, E> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
            capacity: self.capacity.clone(),
            report: self.report.clone(),
        }
    }
}

impl<T, R, E> fmt::Debug for Batcher<T, R, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batcher")
            .field("closed", &self.tx.is_closed())
            .field(
                "room",
                &self.capacity.as_ref().map(|sem| sem.available_permits()),
            )
            .finish()
    }
}
