//! [`BatcherBuilder`]: the limits of a [`Batcher`](crate::Batcher), checked before it starts.

use core::fmt;
use core::future::Future;
use core::num::NonZeroUsize;
use core::time::Duration;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, watch};

use crate::batcher::driver::{self, Config};
use crate::batcher::{Batcher, BatcherConfigError};
use crate::rt::inherit::handed;
use crate::rt::limit::bounded;
use crate::rt::spawn;

/// Configures and starts a [`Batcher`]. Made by [`Batcher::builder`].
///
/// A batch is dispatched when it holds `max_volume` items, or `max_wait` after its first
/// item was put, whichever comes first. By default any number of batches run at once and
/// `put` never waits; [`max_concurrency`](Self::max_concurrency) and
/// [`capacity`](Self::capacity) bound both.
///
/// Sizes are [`NonZeroUsize`], so none can be zero. Extreme values are legal:
/// `max_wait = Duration::MAX` means no time limit (a batch goes out when full, or at
/// close), and [`NonZeroUsize::MAX`] for `max_volume`, `max_concurrency` or `capacity` means
/// no bound.
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
/// let batcher = Batcher::builder(NonZeroUsize::new(100).unwrap(), Duration::from_millis(20))
///     .max_concurrency(NonZeroUsize::new(4).unwrap()) // at most 4 batches in the handler at once
///     .capacity(NonZeroUsize::new(1_000).unwrap()) // `put` waits while 1000 items wait for dispatch
///     .build(|rows: Vec<String>| async move {
///         Ok::<_, std::io::Error>(rows.iter().map(String::len).collect())
///     })
///     .expect("valid limits");
/// assert_eq!(batcher.call("four".to_string()).await.unwrap(), 4);
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct BatcherBuilder {
    max_volume: NonZeroUsize,
    max_wait: Duration,
    max_concurrency: Option<NonZeroUsize>,
    capacity: Option<NonZeroUsize>,
}

impl BatcherBuilder {
    /// A builder with a batch size and a time limit, no concurrency limit and no capacity
    /// bound. Same as [`Batcher::builder`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    /// use ayutil::BatcherBuilder;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let sizes = Arc::new(Mutex::new(Vec::new()));
    /// let seen = Arc::clone(&sizes);
    /// let batcher = BatcherBuilder::new(NonZeroUsize::new(3).unwrap(), Duration::from_secs(60))
    ///     .build(move |items: Vec<u32>| {
    ///         seen.lock().unwrap().push(items.len());
    ///         async move { Ok::<_, std::convert::Infallible>(items) }
    ///     })
    ///     .unwrap();
    /// let (a, b, c) = tokio::join!(batcher.call(1), batcher.call(2), batcher.call(3));
    /// assert_eq!((a.unwrap(), b.unwrap(), c.unwrap()), (1, 2, 3));
    /// // The third item filled the batch: it went out without waiting for `max_wait`.
    /// assert_eq!(*sizes.lock().unwrap(), [3]);
    /// # }
    /// ```
    pub fn new(max_volume: NonZeroUsize, max_wait: Duration) -> Self {
        Self {
            max_volume,
            max_wait,
            max_concurrency: None,
            capacity: None,
        }
    }

    /// At most `n` batches are in the handler at once; further closed batches wait, in order,
    /// for a slot (while items keep filling new batches).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    /// use std::time::Duration;
    /// use ayutil::Batcher;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    /// let (r, p) = (Arc::clone(&running), Arc::clone(&peak));
    /// let batcher = Batcher::builder(NonZeroUsize::new(2).unwrap(), Duration::from_millis(1))
    ///     .max_concurrency(NonZeroUsize::MIN)
    ///     .build(move |items: Vec<u32>| {
    ///         let (running, peak) = (Arc::clone(&r), Arc::clone(&p));
    ///         async move {
    ///             peak.fetch_max(running.fetch_add(1, SeqCst) + 1, SeqCst);
    ///             tokio::time::sleep(Duration::from_millis(10)).await;
    ///             running.fetch_sub(1, SeqCst);
    ///             Ok::<_, std::convert::Infallible>(items)
    ///         }
    ///     })
    ///     .unwrap();
    /// let results = futures::future::join_all((0..10).map(|i| batcher.call(i))).await;
    /// assert!(results.into_iter().map(Result::unwrap).eq(0..10));
    /// assert_eq!(peak.load(SeqCst), 1, "five batches, never two in the handler at once");
    /// # }
    /// ```
    pub fn max_concurrency(mut self, n: NonZeroUsize) -> Self {
        self.max_concurrency = Some(n);
        self
    }

    /// At most `n` items wait for dispatch (in the batch being filled and in closed batches
    /// waiting for a slot); `put` waits for room beyond that. Must be at least `max_volume`,
    /// or batches could never fill.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use ayutil::Batcher;
    /// use futures::FutureExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let batcher = Batcher::builder(NonZeroUsize::new(2).unwrap(), Duration::from_secs(1))
    ///     .capacity(NonZeroUsize::new(2).unwrap())
    ///     .build(|items: Vec<u32>| async move { Ok::<_, std::convert::Infallible>(items) })
    ///     .unwrap();
    /// batcher.put(1).await.unwrap();
    /// batcher.put(2).await.unwrap();
    /// // Two items wait for dispatch, as many as the capacity: a third put has to wait.
    /// assert!(batcher.put(3).now_or_never().is_none());
    /// // Once the full batch has gone to the handler, its room is given back.
    /// assert_eq!(batcher.call(3).await.unwrap(), 3);
    /// batcher.close().await.unwrap();
    /// # }
    /// ```
    pub fn capacity(mut self, n: NonZeroUsize) -> Self {
        self.capacity = Some(n);
        self
    }

    /// Checks the limits and starts the batcher's driver task on the current tokio runtime.
    ///
    /// `handler` receives each batch and returns one result per item, in the same order, or
    /// one error for the whole batch. It runs in a task of its own, so a slow batch does not
    /// stop the next batch from filling.
    ///
    /// # Errors
    ///
    /// [`BatcherConfigError`] when `max_wait` is zero, when the capacity is below
    /// `max_volume`, or when called outside a tokio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use ayutil::{Batcher, BatcherConfigError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let handler = |items: Vec<u8>| async move { Ok::<_, std::convert::Infallible>(items) };
    /// let err = Batcher::builder(NonZeroUsize::new(8).unwrap(), Duration::from_secs(1))
    ///     .capacity(NonZeroUsize::new(4).unwrap())
    ///     .build(handler)
    ///     .unwrap_err();
    /// assert_eq!(err, BatcherConfigError::CapacityBelowVolume { capacity: 4, max_volume: 8 });
    /// # }
    /// ```
    pub fn build<T, R, E, H, Fut>(self, handler: H) -> Result<Batcher<T, R, E>, BatcherConfigError>
    where
        T: Send + 'static,
        R: Send + 'static,
        E: fmt::Debug + Send + Sync + 'static,
        H: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<R>, E>> + Send + 'static,
    {
        if self.max_wait.is_zero() {
            return Err(BatcherConfigError::ZeroWait);
        }
        if let Some(capacity) = self.capacity
            && capacity < self.max_volume
        {
            return Err(BatcherConfigError::CapacityBelowVolume {
                capacity: capacity.get(),
                max_volume: self.max_volume.get(),
            });
        }
        let runtime = spawn::try_runtime().map_err(BatcherConfigError::NoRuntime)?;

        let cfg = Config {
            max_volume: self.max_volume.get(),
            max_wait: self.max_wait,
            max_concurrency: self.max_concurrency.map_or(usize::MAX, NonZeroUsize::get),
        };
        // `NonZeroUsize::MAX` (or anything a semaphore cannot hold) means no capacity bound.
        let capacity = self
            .capacity
            .and_then(|n| bounded(n.get()))
            .map(|n| Arc::new(Semaphore::new(n)));
        let (tx, rx) = mpsc::unbounded_channel();
        let (report_tx, report_rx) = watch::channel(None);
        // Detached on purpose: the driver ends by itself once the batcher is closed or every
        // handle is dropped, after flushing what was put.
        // The driver, and through it every handler call, runs in the span current here.
        let driver = handed(driver::drive(cfg, handler, capacity.clone(), rx, report_tx));
        drop(spawn::spawn_on(&runtime, driver));
        Ok(Batcher {
            tx,
            capacity,
            report: report_rx,
        })
    }
}
