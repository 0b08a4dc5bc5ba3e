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
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        if let Some(s) = self.payload.downcast_ref::<&'static str>() {
            Some(s)
        } else {
            self.payload.downcast_ref::<String>().map(String::as_str)
        }
    }

    /// The panic payload, for [`std::panic::resume_unwind`].
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
