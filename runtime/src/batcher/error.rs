//! Errors of a [`Batcher`](crate::Batcher): per item ([`BatchError`]), per put
//! ([`BatcherClosed`]), at close ([`BatcherCloseError`], [`BatchFailure`]) and at build
//! ([`BatcherConfigError`]).
//!
//! A handler's panic is reported as a value ([`BatchError::Panicked`]): a batch serves many
//! independent callers, and each of them gets the outcome of its item as data.

use core::fmt;
use std::error::Error;
use std::sync::Arc;

use crate::rt::cause;
use crate::{NoRuntime, Panicked};

/// Why one item of a [`Batcher`](crate::Batcher) got no result.
///
/// Every caller whose item was in a failed batch receives the same error; the handler's
/// error is shared behind an [`Arc`] so that `E` need not be `Clone`.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use ayutil::{BatchError, Batcher};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let batcher = Batcher::builder(NonZeroUsize::new(2).unwrap(), Duration::from_millis(10))
///     .build(|items: Vec<u32>| async move {
///         if items.contains(&13) { Err("unlucky batch") } else { Ok(items) }
///     })
///     .unwrap();
/// let (a, b) = tokio::join!(batcher.call(12), batcher.call(13));
/// assert!(matches!(a, Err(BatchError::Handler(ref e)) if **e == "unlucky batch"));
/// assert!(matches!(b, Err(BatchError::Handler(_))));
/// # }
/// ```
#[non_exhaustive]
pub enum BatchError<E> {
    /// The handler returned this error for the whole batch.
    Handler(Arc<E>),
    /// The handler panicked. Every caller of the batch shares the one [`Panicked`]; the
    /// last owner can take it out of the `Arc` (with [`Arc::try_unwrap`]) to
    /// [`resume`](Panicked::resume) it.
    Panicked(Arc<Panicked>),
    /// The handler returned `got` results for a batch of `expected` items, so results
    /// cannot be matched to callers.
    ResultCount {
        /// Items in the batch.
        expected: usize,
        /// Results the handler returned.
        got: usize,
    },
    /// The batch was cancelled before it finished: [`Batcher::close_with_timeout`] ran out
    /// of time, or the runtime running the batcher shut down.
    ///
    /// [`Batcher::close_with_timeout`]: crate::Batcher::close_with_timeout
    Cancelled,
    /// The batcher was closed before the item could be put (only from
    /// [`Batcher::call`](crate::Batcher::call); the item is dropped).
    Closed,
}

impl<E> Clone for BatchError<E> {
    fn clone(&self) -> Self {
        match self {
            Self::Handler(e) => Self::Handler(Arc::clone(e)),
            Self::Panicked(p) => Self::Panicked(Arc::clone(p)),
            Self::ResultCount { expected, got } => Self::ResultCount {
                expected: *expected,
                got: *got,
            },
            Self::Cancelled => Self::Cancelled,
            Self::Closed => Self::Closed,
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for BatchError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handler(e) => f.debug_tuple("Handler").field(e).finish(),
            Self::Panicked(p) => f.debug_tuple("Panicked").field(p).finish(),
            Self::ResultCount { expected, got } => f
                .debug_struct("ResultCount")
                .field("expected", expected)
                .field("got", got)
                .finish(),
            Self::Cancelled => f.write_str("Cancelled"),
            Self::Closed => f.write_str("Closed"),
        }
    }
}

impl<E: fmt::Display + 'static> fmt::Display for BatchError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handler(e) => cause::fmt_layer(f, format_args!("the batch handler failed"), &**e),
            Self::Panicked(_) => f.write_str("the batch handler failed"),
            Self::ResultCount { expected, got } => write!(
                f,
                "the batch handler returned {got} results for {expected} items"
            ),
            Self::Cancelled => f.write_str("the batch was cancelled before it finished"),
            Self::Closed => f.write_str("the batcher is closed"),
        }
    }
}

/// An `Error` whenever `E: Debug + Display + 'static`, so that `?` converts it into
/// `anyhow::Error` or a boxed error whatever the handler's error type. Its `Display`
/// describes only its own layer; the handler's error or panic is the
/// [`source`](Error::source), except for an `E` that ayutil cannot see as an `Error` (any
/// type but a boxed error, `std::io::Error` and, with the `anyhow` feature,
/// `anyhow::Error`), which is part of the message instead: the cause is shown once.
impl<E> Error for BatchError<E>
where
    E: fmt::Debug + fmt::Display + 'static,
{
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Handler(e) => cause::source(&**e),
            Self::Panicked(p) => Some(&**p),
            _ => None,
        }
    }
}

/// A failed batch whose error nobody awaited: the items were put with
/// [`Batcher::put`](crate::Batcher::put) (or their [`BatchTicket`](crate::BatchTicket) was
/// dropped). Collected and returned by [`Batcher::close`](crate::Batcher::close).
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
/// let batcher = Batcher::builder(NonZeroUsize::new(10).unwrap(), Duration::from_millis(5))
///     .build(|_: Vec<u8>| async { Err::<Vec<()>, _>("disk full") })
///     .unwrap();
/// batcher.put(1).await.unwrap();
/// batcher.put(2).await.unwrap();
/// let err = batcher.close().await.unwrap_err();
/// let failure = &err.failures()[0];
/// assert_eq!(failure.items(), 2);
/// assert_eq!(failure.error().to_string(), "the batch handler failed: disk full");
/// # }
/// ```
pub struct BatchFailure<E> {
    pub(crate) error: BatchError<E>,
    pub(crate) items: usize,
}

impl<E> BatchFailure<E> {
    /// Why the batch failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use ayutil::{BatchError, Batcher};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// // A handler that loses an item: results can no longer be matched to items.
    /// let batcher = Batcher::builder(NonZeroUsize::new(2).unwrap(), Duration::from_millis(5))
    ///     .build(|mut items: Vec<u8>| async move {
    ///         items.pop();
    ///         Ok::<_, std::convert::Infallible>(items)
    ///     })
    ///     .unwrap();
    /// batcher.put(1).await.unwrap();
    /// batcher.put(2).await.unwrap();
    /// let err = batcher.close().await.unwrap_err();
    /// assert!(matches!(
    ///     err.failures()[0].error(),
    ///     BatchError::ResultCount { expected: 2, got: 1 }
    /// ));
    /// # }
    /// ```
    #[must_use]
    pub fn error(&self) -> &BatchError<E> {
        &self.error
    }

    /// How many of the batch's items had nobody awaiting their result.
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
    /// let batcher = Batcher::builder(NonZeroUsize::new(3).unwrap(), Duration::from_millis(5))
    ///     .build(|_: Vec<u8>| async { Err::<Vec<u8>, _>("offline") })
    ///     .unwrap();
    /// batcher.put(1).await.unwrap();
    /// batcher.put(2).await.unwrap();
    /// let ticket = batcher.submit(3).await.unwrap(); // its caller sees the error itself
    /// let err = batcher.close().await.unwrap_err();
    /// assert_eq!(err.failures()[0].items(), 2);
    /// assert!(ticket.await.is_err());
    /// # }
    /// ```
    #[must_use]
    pub fn items(&self) -> usize {
        self.items
    }
}

impl<E> Clone for BatchFailure<E> {
    fn clone(&self) -> Self {
        Self {
            error: self.error.clone(),
            items: self.items,
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for BatchFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchFailure")
            .field("error", &self.error)
            .field("items", &self.items)
            .finish()
    }
}

impl<E> fmt::Display for BatchFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.items {
            1 => f.write_str("a put-and-go item got no result"),
            n => write!(f, "{n} put-and-go items of one batch got no result"),
        }
    }
}

/// Its `Display` counts the items; the [`BatchError`] is its [`source`](Error::source).
impl<E> Error for BatchFailure<E>
where
    E: fmt::Debug + fmt::Display + 'static,
{
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

/// What went wrong with put-and-go items, returned by [`Batcher::close`](crate::Batcher::close).
///
/// Items whose caller awaited a result received their own error already; this lists the
/// failures nobody else saw, in the order the batches finished, including batches
/// cancelled by [`Batcher::close_with_timeout`](crate::Batcher::close_with_timeout).
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
/// let batcher = Batcher::builder(NonZeroUsize::MIN, Duration::from_secs(1))
///     .build(|items: Vec<u8>| async move {
///         tokio::time::sleep(Duration::from_secs(60)).await;
///         Ok::<_, std::convert::Infallible>(items)
///     })
///     .unwrap();
/// batcher.put(1).await.unwrap();
/// let err = batcher.close_with_timeout(Duration::from_secs(5)).await.unwrap_err();
/// assert_eq!(err.cancelled_items(), 1);
/// # }
/// ```
pub struct BatcherCloseError<E> {
    pub(crate) failures: Vec<BatchFailure<E>>,
    pub(crate) stopped: bool,
}

impl<E> BatcherCloseError<E> {
    /// The failed batches, in the order they finished.
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
    /// let batcher = Batcher::builder(NonZeroUsize::MIN, Duration::from_millis(5))
    ///     .max_concurrency(NonZeroUsize::MIN) // one batch at a time: they finish in order
    ///     .build(|items: Vec<u32>| async move {
    ///         match items[0] % 2 {
    ///             0 => Ok(items),
    ///             _ => Err(format!("odd item {}", items[0])),
    ///         }
    ///     })
    ///     .unwrap();
    /// for i in 1..=4 {
    ///     batcher.put(i).await.unwrap();
    /// }
    /// let err = batcher.close().await.unwrap_err();
    /// let errors: Vec<String> = err.failures().iter().map(|f| f.error().to_string()).collect();
    /// assert_eq!(errors, [
    ///     "the batch handler failed: odd item 1",
    ///     "the batch handler failed: odd item 3",
    /// ]);
    /// # }
    /// ```
    #[must_use]
    pub fn failures(&self) -> &[BatchFailure<E>] {
        &self.failures
    }

    /// Put-and-go items that got no result, for any reason.
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
    /// let batcher = Batcher::builder(NonZeroUsize::new(2).unwrap(), Duration::from_millis(5))
    ///     .build(|_: Vec<u8>| async { Err::<Vec<u8>, _>("read-only") })
    ///     .unwrap();
    /// for i in 0..5 {
    ///     batcher.put(i).await.unwrap();
    /// }
    /// let err = batcher.close().await.unwrap_err();
    /// assert_eq!(err.failures().len(), 3); // batches of 2, 2 and 1
    /// assert_eq!(err.failed_items(), 5);
    /// # }
    /// ```
    #[must_use]
    pub fn failed_items(&self) -> usize {
        self.failures.iter().map(|f| f.items).sum()
    }

    /// Put-and-go items whose batch was cancelled by the close deadline.
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
    /// let batcher = Batcher::builder(NonZeroUsize::MIN, Duration::from_millis(1))
    ///     .build(|items: Vec<u64>| async move {
    ///         if items[0] == 0 {
    ///             return Err("bad item");
    ///         }
    ///         tokio::time::sleep(Duration::from_secs(3600)).await;
    ///         Ok(items)
    ///     })
    ///     .unwrap();
    /// batcher.put(0).await.unwrap(); // fails at once
    /// batcher.put(1).await.unwrap(); // still running at the deadline
    /// let err = batcher.close_with_timeout(Duration::from_secs(1)).await.unwrap_err();
    /// assert_eq!(err.failed_items(), 2);
    /// assert_eq!(err.cancelled_items(), 1);
    /// # }
    /// ```
    #[must_use]
    pub fn cancelled_items(&self) -> usize {
        self.failures
            .iter()
            .filter(|f| matches!(f.error, BatchError::Cancelled))
            .map(|f| f.items)
            .sum()
    }

    /// `true` when the batcher's driver task stopped before it could report, because the
    /// runtime that ran it shut down: items still waiting then were lost and are not counted.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use ayutil::Batcher;
    ///
    /// let first = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    /// let batcher = first.block_on(async {
    ///     Batcher::builder(NonZeroUsize::new(10).unwrap(), Duration::from_secs(1))
    ///         .build(|items: Vec<u8>| async move { Ok::<_, std::convert::Infallible>(items) })
    ///         .unwrap()
    /// });
    /// drop(first); // shuts down the runtime that runs the batcher's driver
    ///
    /// let second = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let err = second.block_on(batcher.close()).unwrap_err();
    /// assert!(err.driver_stopped());
    /// assert_eq!(err.to_string(), "the batcher's runtime shut down before it finished");
    /// ```
    #[must_use]
    pub fn driver_stopped(&self) -> bool {
        self.stopped
    }
}

impl<E> Clone for BatcherCloseError<E> {
    fn clone(&self) -> Self {
        Self {
            failures: self.failures.clone(),
            stopped: self.stopped,
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for BatcherCloseError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatcherCloseError")
            .field("failures", &self.failures)
            .field("driver_stopped", &self.stopped)
            .finish()
    }
}

impl<E> fmt::Display for BatcherCloseError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.stopped {
            f.write_str("the batcher's runtime shut down before it finished")?;
            if self.failures.is_empty() {
                return Ok(());
            }
            f.write_str("; ")?;
        }
        let (items, batches) = (self.failed_items(), self.failures.len());
        let plural = |n: usize, word: &str, many: &str| {
            if n == 1 {
                format!("1 {word}")
            } else {
                format!("{n} {many}")
            }
        };
        write!(
            f,
            "{} failed in {}",
            plural(items, "put-and-go item", "put-and-go items"),
            plural(batches, "batch", "batches"),
        )
    }
}

/// Its `Display` counts the failed items and batches; the first failed batch's
/// [`BatchError`] is its [`source`](Error::source).
impl<E> Error for BatcherCloseError<E>
where
    E: fmt::Debug + fmt::Display + 'static,
{
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.failures
            .first()
            .map(|first| &first.error as &(dyn Error + 'static))
    }
}

/// The [`Batcher`](crate::Batcher) is closed: the item was not put and is given back.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use ayutil::{Batcher, BatcherClosed};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let batcher = Batcher::builder(NonZeroUsize::new(4).unwrap(), Duration::from_millis(1))
///     .build(|items: Vec<String>| async move { Ok::<_, std::convert::Infallible>(items) })
///     .unwrap();
/// batcher.close().await.unwrap();
/// let BatcherClosed(item) = batcher.put("late".to_string()).await.unwrap_err();
/// assert_eq!(item, "late");
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BatcherClosed<T>(pub T);

impl<T> fmt::Debug for BatcherClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BatcherClosed(..)")
    }
}

impl<T> fmt::Display for BatcherClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the batcher is closed")
    }
}

impl<T> Error for BatcherClosed<T> {}

/// A [`Batcher`](crate::Batcher) cannot start with these limits, or not here. Returned by
/// [`BatcherBuilder::build`](crate::BatcherBuilder::build).
///
/// Sizes cannot be zero (they are `NonZeroUsize`); what is left to check is the time limit,
/// the capacity against the batch size, and the runtime.
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
/// let err = Batcher::builder(NonZeroUsize::new(10).unwrap(), Duration::ZERO)
///     .build(|items: Vec<u8>| async move { Ok::<_, std::convert::Infallible>(items) })
///     .unwrap_err();
/// assert_eq!(err, BatcherConfigError::ZeroWait);
/// assert_eq!(err.to_string(), "max_wait must be greater than zero");
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatcherConfigError {
    /// `max_wait` is zero: use a small positive duration to dispatch almost at once.
    ZeroWait,
    /// `capacity` is below `max_volume`, so no batch could ever fill.
    CapacityBelowVolume {
        /// The capacity asked for.
        capacity: usize,
        /// The batch size asked for.
        max_volume: usize,
    },
    /// `build` was called outside a tokio runtime, where the driver task cannot start.
    NoRuntime(NoRuntime),
}

impl fmt::Display for BatcherConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroWait => f.write_str("max_wait must be greater than zero"),
            Self::CapacityBelowVolume {
                capacity,
                max_volume,
            } => write!(
                f,
                "capacity ({capacity}) must be at least max_volume ({max_volume})"
            ),
            Self::NoRuntime(no_runtime) => no_runtime.fmt(f),
        }
    }
}

/// The `NoRuntime` variant is transparent (it displays as the [`NoRuntime`] inside); the
/// others describe the mistake themselves. None has a cause to chain.
impl Error for BatcherConfigError {}
