//! [`IterPanicked`]: the error an [`IterStream`](crate::IterStream) yields when its iterator panics.

use core::any::Any;
use core::fmt;

/// The iterator behind an [`IterStream`](crate::IterStream) panicked.
///
/// It is yielded once, after every item produced before the panic, and the stream ends
/// right after it. It holds the panic payload: [`message`](Self::message) reads it when it
/// is a string, [`into_panic`](Self::into_panic) returns it so the caller can
/// [`resume_unwind`](std::panic::resume_unwind) it.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use futures_util::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let numbers = (1..).map(|n| if n == 3 { panic!("three is too many") } else { n });
/// let mut stream = ayutil::iter_stream(numbers, NonZeroUsize::MIN);
/// assert_eq!(stream.next().await.unwrap().unwrap(), 1);
/// assert_eq!(stream.next().await.unwrap().unwrap(), 2);
/// let err = stream.next().await.unwrap().unwrap_err();
/// assert_eq!(err.message(), Some("three is too many"));
/// assert!(stream.next().await.is_none());
/// # }
/// ```
pub struct IterPanicked {
    payload: Box<dyn Any + Send + 'static>,
}

impl IterPanicked {
    pub(crate) fn new(payload: Box<dyn Any + Send + 'static>) -> Self {
        Self { payload }
    }

    /// The panic message, when the payload is a `&str` or a `String` (as `panic!` makes).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures_util::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let rows = (0..).map(|n| if n == 1 { panic!("bad row {n}") } else { n });
    /// let mut stream = ayutil::iter_stream(rows, NonZeroUsize::MIN);
    /// assert_eq!(stream.next().await.unwrap().unwrap(), 0);
    /// let err = stream.next().await.unwrap().unwrap_err();
    /// assert_eq!(err.message(), Some("bad row 1")); // a formatted `String` payload
    ///
    /// // Any other payload has no message.
    /// let odd = std::iter::from_fn(|| -> Option<u8> { std::panic::panic_any(7_u32) });
    /// let err = ayutil::iter_stream(odd, NonZeroUsize::MIN).next().await.unwrap().unwrap_err();
    /// assert_eq!(err.message(), None);
    /// assert_eq!(err.to_string(), "the iterator panicked");
    /// # }
    /// ```
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        if let Some(s) = self.payload.downcast_ref::<&'static str>() {
            Some(s)
        } else {
            self.payload.downcast_ref::<String>().map(String::as_str)
        }
    }

    /// The panic payload, for [`std::panic::resume_unwind`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures_util::StreamExt;
    ///
    /// #[derive(Debug, PartialEq)]
    /// struct Corrupt { offset: u64 }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let reader = std::iter::from_fn(|| -> Option<u8> {
    ///     std::panic::panic_any(Corrupt { offset: 512 })
    /// });
    /// let err = ayutil::iter_stream(reader, NonZeroUsize::MIN).next().await.unwrap().unwrap_err();
    /// let payload = err.into_panic();
    /// assert_eq!(payload.downcast_ref::<Corrupt>(), Some(&Corrupt { offset: 512 }));
    /// // or carry the panic on in this task: std::panic::resume_unwind(payload)
    /// # }
    /// ```
    #[must_use]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.payload
    }
}

impl fmt::Debug for IterPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterPanicked")
            .field("message", &self.message())
            .finish()
    }
}

impl fmt::Display for IterPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(msg) => write!(f, "the iterator panicked: {msg}"),
            None => f.write_str("the iterator panicked"),
        }
    }
}

impl std::error::Error for IterPanicked {}
