//! [`OrderedBag`]: tasks run concurrently, their values are yielded in spawn order.

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::Stream;

use super::bag_core::{RawBag, RawPutter, RawStream, SpawnOrder};
use super::error::{BagClosed, BagResult, GroupError};

/// Like [`Bag`](crate::Bag), but yields in spawn order: tasks run concurrently, and each
/// task's output takes the place where it was spawned.
///
/// Port of `aioutils.OrderedBag`. A [`put`](Self::put) takes its place in the same
/// order: spawn a, b, c; put z; spawn d yields a b c z d. A task that yields nothing
/// (`None`, `()`, an error or a panic) keeps its place but produces no item and does not
/// stall the later ones; a value is yielded as soon as every earlier place is settled.
/// Compared with tokio-util's `JoinQueue` or `FuturesOrdered`, values can also be put
/// from other tasks through a cloneable [`OrderedPutter`], and tasks can spawn tasks.
///
/// Errors and dropping behave as in [`Bag`](crate::Bag).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let bag = ayutil::OrderedBag::new();
/// for (name, ms) in [("a", 30), ("b", 10), ("c", 20)] {
///     bag.spawn(async move {
///         tokio::time::sleep(Duration::from_millis(ms)).await;
///         Some(name)
///     });
/// }
/// bag.put("z");
/// bag.spawn(async { Some("d") });
/// let out: Vec<_> = bag.into_stream().map(Result::unwrap).collect().await;
/// assert_eq!(out, ["a", "b", "c", "z", "d"]);
/// # }
/// ```
#[must_use = "an OrderedBag does nothing unless turned into a stream"]
pub struct OrderedBag<T: Send + 'static, E: Send + 'static = Infallible> {
    raw: RawBag<SpawnOrder<T>, E>,
}

impl<T: Send + 'static, E: Send + 'static> OrderedBag<T, E> {
    /// Creates an empty bag.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// // A bag whose tasks may fail with an `io::Error`.
    /// let bag = ayutil::OrderedBag::<u32, std::io::Error>::new();
    /// bag.spawn(async { Ok(Some(1)) });
    /// bag.spawn(async { Ok(None) }); // keeps its place, yields nothing
    /// bag.spawn(async { Ok(Some(3)) });
    /// let values: Vec<u32> = bag.into_stream().map(Result::unwrap).collect().await;
    /// assert_eq!(values, [1, 3]);
    /// # }
    /// ```
    pub fn new() -> Self {
        Self { raw: RawBag::new() }
    }

    /// Starts `task`; its output takes the next place in the order.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime, at the caller, with the message of
    /// [`NoRuntime`](crate::NoRuntime).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let bag = ayutil::OrderedBag::new();
    /// bag.spawn(async {
    ///     tokio::time::sleep(Duration::from_secs(2)).await;
    ///     Some("slow")
    /// });
    /// bag.spawn(async { Some("fast") });
    /// // "fast" ends first, but waits for the place spawned before it.
    /// let values: Vec<_> = bag.into_stream().map(Result::unwrap).collect().await;
    /// assert_eq!(values, ["slow", "fast"]);
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, task: F)
    where
        F: Future + Send + 'static,
        F::Output: BagResult<T, E>,
    {
        self.raw.spawn(task);
    }

    /// Adds a value at the next place in the order.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::OrderedBag::new();
    /// bag.spawn(async {
    ///     tokio::task::yield_now().await;
    ///     Some(1)
    /// });
    /// bag.put(2); // ready now, but placed after the task spawned before it
    /// let values: Vec<i32> = bag.into_stream().map(Result::unwrap).collect().await;
    /// assert_eq!(values, [1, 2]);
    /// # }
    /// ```
    pub fn put(&self, value: T) {
        self.raw.put(value);
    }

    /// Returns a new putter: a cloneable handle that puts values and spawns tasks, each
    /// taking the next place in the order at the time of the call. The stream does not
    /// end while a putter exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::OrderedBag::new();
    /// let putter = bag.putter();
    /// bag.spawn(async { Some(1) });
    /// putter.put(2).unwrap();
    /// putter.spawn(async { Some(3) }).unwrap();
    /// drop(putter);
    /// let out: Vec<i32> = bag.into_stream().map(Result::unwrap).collect().await;
    /// assert_eq!(out, [1, 2, 3]);
    /// # }
    /// ```
    pub fn putter(&self) -> OrderedPutter<T, E> {
        OrderedPutter {
            raw: self.raw.putter(),
        }
    }

    /// Turns the bag into the stream of its values, in spawn order.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::OrderedBag::new();
    /// bag.put('a');
    /// bag.spawn(async { Some('b') });
    /// let mut stream = bag.into_stream();
    /// assert_eq!(stream.next().await.unwrap().unwrap(), 'a');
    /// assert_eq!(stream.next().await.unwrap().unwrap(), 'b');
    /// assert!(stream.next().await.is_none());
    /// # }
    /// ```
    pub fn into_stream(self) -> OrderedBagStream<T, E> {
        OrderedBagStream {
            raw: self.raw.into_stream(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Default for OrderedBag<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static, E: Send + 'static> fmt::Debug for OrderedBag<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt_as("OrderedBag", f)
    }
}

/// The stream of an [`OrderedBag`]'s values, in spawn order; see [`OrderedBag`].
///
/// # Cancel safety
///
/// `next()` is cancel safe: a value is removed from the bag only when it is returned.
/// Dropping the stream aborts the tasks still running.
///
/// # Examples
///
/// A failed task keeps its place without stalling the later ones; its error comes last.
///
/// ```
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let bag = ayutil::OrderedBag::new();
/// bag.spawn(async { Ok(Some(1)) });
/// bag.spawn(async { Err("broken") });
/// bag.spawn(async { Ok(Some(3)) });
/// let items: Vec<_> = bag.into_stream().collect().await;
/// assert_eq!(items.len(), 3);
/// assert_eq!(items[0].as_ref().ok(), Some(&1));
/// assert_eq!(items[1].as_ref().ok(), Some(&3));
/// let err = items[2].as_ref().unwrap_err();
/// assert!(matches!(err.first(), Some(ayutil::TaskFailure::Error("broken"))));
/// # }
/// ```
#[must_use = "streams do nothing unless polled; dropping this one aborts the bag's tasks"]
pub struct OrderedBagStream<T: Send + 'static, E: Send + 'static = Infallible> {
    raw: RawStream<SpawnOrder<T>, E>,
}

impl<T: Send + 'static, E: Send + 'static> Stream for OrderedBagStream<T, E> {
    type Item = Result<T, GroupError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().raw.poll_next(cx)
    }
}

impl<T: Send + 'static, E: Send + 'static> fmt::Debug for OrderedBagStream<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt_as("OrderedBagStream", "OrderedBag", f)
    }
}

/// A cloneable handle that puts values into an [`OrderedBag`] and spawns tasks into it;
/// each call takes the next place in the order at the moment it is made.
///
/// # Examples
///
/// ```
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let bag = ayutil::OrderedBag::new();
/// let putter = bag.putter();
/// bag.spawn(async move {
///     // The task's own place was taken when it was spawned; this one comes after it.
///     putter.put("put by the task").unwrap();
///     Some("returned by the task")
/// });
/// let values: Vec<_> = bag.into_stream().map(Result::unwrap).collect().await;
/// assert_eq!(values, ["returned by the task", "put by the task"]);
/// # }
/// ```
#[must_use = "an OrderedPutter keeps its bag's stream open until dropped"]
pub struct OrderedPutter<T: Send + 'static, E: Send + 'static = Infallible> {
    raw: RawPutter<SpawnOrder<T>, E>,
}

impl<T: Send + 'static, E: Send + 'static> OrderedPutter<T, E> {
    /// Puts a value at the next place in the order.
    ///
    /// # Errors
    ///
    /// [`BagClosed`] with the value if the bag's stream was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::OrderedBag::<u8>::new();
    /// let putter = bag.putter();
    /// putter.put(1).unwrap();
    /// let mut stream = bag.into_stream();
    /// assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    /// drop(stream); // the bag goes with its stream
    /// assert_eq!(putter.put(2).unwrap_err().into_inner(), 2);
    /// # }
    /// ```
    pub fn put(&self, value: T) -> Result<(), BagClosed<T>> {
        self.raw.put(value)
    }

    /// Starts `task` at the next place in the order, like [`OrderedBag::spawn`].
    ///
    /// # Errors
    ///
    /// [`BagClosed`] if the bag's stream was dropped; the task is dropped unstarted.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime, at the caller, with the message of
    /// [`NoRuntime`](crate::NoRuntime).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let bag = ayutil::OrderedBag::new();
    /// let putter = bag.putter();
    /// let slow = async {
    ///     tokio::time::sleep(Duration::from_secs(1)).await;
    ///     Some("first place")
    /// };
    /// putter.spawn(slow).unwrap();
    /// bag.put("second place");
    /// let mut stream = bag.into_stream();
    /// assert_eq!(stream.next().await.unwrap().unwrap(), "first place");
    /// assert_eq!(stream.next().await.unwrap().unwrap(), "second place");
    /// drop(stream);
    /// assert!(putter.spawn(async { Some("too late") }).is_err());
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, task: F) -> Result<(), BagClosed<()>>
    where
        F: Future + Send + 'static,
        F::Output: BagResult<T, E>,
    {
        self.raw.spawn(task)
    }
}

impl<T: Send + 'static, E: Send + 'static> Clone for OrderedPutter<T, E> {
    fn clone(&self) -> Self {
        Self {
            raw: self.raw.clone(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> fmt::Debug for OrderedPutter<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt_as("OrderedPutter", f)
    }
}
