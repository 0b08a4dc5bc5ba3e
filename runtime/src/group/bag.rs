//! [`Bag`]: tasks whose values are yielded as a stream, in arrival order.

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::Stream;

use super::bag_core::{Arrival, RawBag, RawPutter, RawStream};
use super::error::{BagClosed, BagResult, GroupError};

/// Turns concurrent tasks into a [`Stream`] of the values they produce, in the order
/// they arrive.
///
/// Port of `aioutils.Bag` (a generator fed by coroutines). A task yields its output (see
/// [`BagResult`]) and may [`put`](Putter::put) any number of values through a cloneable
/// [`Putter`], which can also [`spawn`](Putter::spawn) more tasks. The
/// [stream](Self::into_stream) yields each value as soon as it is put, and ends when
/// every task has finished and every putter is gone.
///
/// A failing or panicking task yields nothing and does not stop the others; the stream
/// yields every other value first, then ends with one `Err` holding the first failure
/// (and how many more there were).
///
/// # Dropping
///
/// Dropping the stream (or the bag before turning it into one) aborts every task still
/// running; later `put`s and `spawn`s through putters return [`BagClosed`].
///
/// # Examples
///
/// ```
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let bag = ayutil::Bag::new();
/// for word in ["a b", "c", "d e f"] {
///     let putter = bag.putter();
///     bag.spawn(async move {
///         for part in word.split(' ') {
///             putter.put(part.to_owned()).unwrap();
///         }
///     });
/// }
/// let mut parts: Vec<String> = bag.into_stream().map(Result::unwrap).collect().await;
/// parts.sort();
/// assert_eq!(parts, ["a", "b", "c", "d", "e", "f"]);
/// # }
/// ```
#[must_use = "a Bag does nothing unless turned into a stream"]
pub struct Bag<T: Send + 'static, E: Send + 'static = Infallible> {
    raw: RawBag<Arrival<T>, E>,
}

impl<T: Send + 'static, E: Send + 'static> Bag<T, E> {
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
    /// let bag = ayutil::Bag::<u32, std::io::Error>::new();
    /// bag.spawn(async { Ok(Some(1)) });
    /// let values: Vec<u32> = bag.into_stream().map(Result::unwrap).collect().await;
    /// assert_eq!(values, [1]);
    ///
    /// // No task and no putter: the stream ends at once.
    /// assert_eq!(ayutil::Bag::<u32>::new().into_stream().count().await, 0);
    /// # }
    /// ```
    pub fn new() -> Self {
        Self { raw: RawBag::new() }
    }

    /// Starts `task`; its output (if any) is yielded when it ends.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime, at the caller, with the message of
    /// [`NoRuntime`](crate::NoRuntime).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::Bag::new();
    /// bag.spawn(async { Some(1) }); // yields 1
    /// bag.spawn(async { None }); // yields nothing
    /// bag.spawn(async {}); // yields nothing either
    /// let values: Vec<i32> = bag.into_stream().map(Result::unwrap).collect().await;
    /// assert_eq!(values, [1]);
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

    /// Adds a value to yield.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::Bag::<_>::new();
    /// bag.put(1);
    /// let items: Vec<_> = bag.into_stream().collect().await;
    /// assert_eq!(items.len(), 1);
    /// # }
    /// ```
    pub fn put(&self, value: T) {
        self.raw.put(value);
    }

    /// Returns a new putter: a cloneable handle that puts values and spawns tasks. The
    /// stream does not end while a putter exists.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::Bag::<&str>::new();
    /// let putter = bag.putter();
    /// let mut stream = bag.into_stream();
    /// putter.put("hello").unwrap();
    /// assert_eq!(stream.next().await.unwrap().unwrap(), "hello");
    /// drop(putter); // the last putter is gone and no task runs: the stream ends
    /// assert!(stream.next().await.is_none());
    /// # }
    /// ```
    pub fn putter(&self) -> Putter<T, E> {
        Putter {
            raw: self.raw.putter(),
        }
    }

    /// Turns the bag into the stream of its values.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::Bag::new();
    /// bag.put(1); // already in the bag
    /// bag.spawn(async { Some(2) }); // arrives once the task has run
    /// let mut stream = bag.into_stream();
    /// assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    /// assert_eq!(stream.next().await.unwrap().unwrap(), 2);
    /// assert!(stream.next().await.is_none());
    /// # }
    /// ```
    pub fn into_stream(self) -> BagStream<T, E> {
        BagStream {
            raw: self.raw.into_stream(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Default for Bag<T, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static, E: Send + 'static> fmt::Debug for Bag<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt_as("Bag", f)
    }
}

/// The stream of a [`Bag`]'s values, in arrival order; see [`Bag`].
///
/// Items are `Ok(value)`; after all values, the stream ends with one `Err` if any task
/// failed.
///
/// # Cancel safety
///
/// `next()` is cancel safe: a value is removed from the bag only when it is returned.
/// Dropping the stream aborts the tasks still running.
///
/// # Examples
///
/// A failed task does not stop the others; its error comes last.
///
/// ```
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let bag = ayutil::Bag::new();
/// bag.spawn(async { Err("lost") });
/// bag.spawn(async { Ok(Some(1)) });
/// let items: Vec<_> = bag.into_stream().collect().await;
/// assert_eq!(items.len(), 2);
/// assert_eq!(items[0].as_ref().ok(), Some(&1));
/// let err = items[1].as_ref().unwrap_err();
/// assert!(matches!(err.first(), Some(ayutil::TaskFailure::Error("lost"))));
/// # }
/// ```
#[must_use = "streams do nothing unless polled; dropping this one aborts the bag's tasks"]
pub struct BagStream<T: Send + 'static, E: Send + 'static = Infallible> {
    raw: RawStream<Arrival<T>, E>,
}

impl<T: Send + 'static, E: Send + 'static> Stream for BagStream<T, E> {
    type Item = Result<T, GroupError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().raw.poll_next(cx)
    }
}

impl<T: Send + 'static, E: Send + 'static> fmt::Debug for BagStream<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt_as("BagStream", "Bag", f)
    }
}

/// A cloneable handle that puts values into a [`Bag`] and spawns tasks into it, from any
/// task or thread.
///
/// The bag's stream does not end while a putter exists: drop putters when done (a
/// putter moved into a task is dropped when the task ends).
///
/// # Examples
///
/// ```
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let bag = ayutil::Bag::<u32>::new();
/// let putter = bag.putter();
/// // From a plain thread; the putter is dropped when the thread ends.
/// std::thread::spawn(move || {
///     for i in 0..3 {
///         putter.put(i).unwrap();
///     }
/// });
/// let values: Vec<u32> = bag.into_stream().map(Result::unwrap).collect().await;
/// assert_eq!(values, [0, 1, 2]);
/// # }
/// ```
#[must_use = "a Putter keeps its bag's stream open until dropped"]
pub struct Putter<T: Send + 'static, E: Send + 'static = Infallible> {
    raw: RawPutter<Arrival<T>, E>,
}

impl<T: Send + 'static, E: Send + 'static> Putter<T, E> {
    /// Puts a value; the stream yields it next after the values already waiting.
    ///
    /// # Errors
    ///
    /// [`BagClosed`] with the value if the bag's stream was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let bag = ayutil::Bag::<&str>::new();
    /// let putter = bag.putter();
    /// assert!(putter.put("read later").is_ok());
    /// drop(bag); // nobody will read what is put now
    /// assert_eq!(putter.put("too late").unwrap_err().into_inner(), "too late");
    /// ```
    pub fn put(&self, value: T) -> Result<(), BagClosed<T>> {
        self.raw.put(value)
    }

    /// Starts `task` in the bag, like [`Bag::spawn`].
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
    /// use futures::StreamExt as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let bag = ayutil::Bag::new();
    /// let putter = bag.putter();
    /// bag.spawn(async move {
    ///     for i in 0..3 {
    ///         putter.spawn(async move { Some(i) }).unwrap(); // nested spawn
    ///     }
    /// });
    /// let mut got: Vec<i32> = bag.into_stream().map(Result::unwrap).collect().await;
    /// got.sort();
    /// assert_eq!(got, [0, 1, 2]);
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

impl<T: Send + 'static, E: Send + 'static> Clone for Putter<T, E> {
    fn clone(&self) -> Self {
        Self {
            raw: self.raw.clone(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> fmt::Debug for Putter<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt_as("Putter", f)
    }
}
