//! [`Panicked`]: the one type of a panic reported as a value, and the one rule for when a
//! panic is reported rather than resumed.
//!
//! A panic in work that ayutil runs on a user's behalf goes to exactly one place:
//!
//! - **Resumed in the caller** (with [`std::panic::resume_unwind`] and the original
//!   payload) when the caller awaits the very computation that panicked, as if it had run
//!   it inline: [`link!`](crate::link) and [`offload`](crate::offload), a `Scope` (once
//!   every task has stopped), a funnel (at the poll of the stream), a `Waterfall` run (at
//!   the poll of the run), a `#[cached]` call (every caller of that computation), and
//!   `eager` / `CoroStart` (at the await).
//! - **Reported as a [`Panicked`] value** when the caller collects the outcomes of
//!   independent tasks as data: `TaskSet`, `Group` and `Pool` joins (`TaskFailure::Panic`),
//!   `Bag` and `OrderedBag` streams, `iter_stream` (an `Err` item, then the end), a
//!   `Batcher`'s batches (`BatchError::Panicked`, to every caller of that batch) and the
//!   scheduling executor's tasks (`TaskError::Panicked`). A `Scope`'s `TaskHandle` and
//!   `join_next` only learn that the task failed: its panic belongs to the scope.
//!
//! Resuming keeps a panic a panic where the caller could not have told it apart from one
//! of its own; a value keeps one task's panic from tearing down a caller that asked for
//! many independent outcomes. Either way nothing is lost: a value holds the payload, and
//! [`Panicked::resume`] turns it back into the panic.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use sync_wrapper::SyncWrapper;

/// A panic caught in a task or a callback that ayutil ran for you, reported as a value:
/// its message, and its payload to [`resume`](Self::resume) it.
///
/// # When a panic is a value, and when it is resumed
///
/// A panic goes to exactly one place. It is **resumed in the caller** (its original
/// payload, through [`std::panic::resume_unwind`]) when the caller awaits the very
/// computation that panicked: [`link!`](crate::link), [`offload`](crate::offload), a
/// `Scope` (once every task has stopped), a funnel, a `Waterfall` run, a `#[cached]` call,
/// `eager` and `CoroStart`. It is **reported as a `Panicked`** when the caller collects
/// the outcomes of independent tasks as data: `TaskSet`, `Group` and `Pool` joins
/// (`TaskFailure::Panic`), `Bag` and `OrderedBag` streams, `iter_stream`, a `Batcher`'s
/// batches (`BatchError::Panicked`) and the scheduling executor's tasks
/// (`TaskError::Panicked`). A `Scope`'s `TaskHandle` and `join_next` only learn that a task
/// failed: its panic belongs to the scope, which resumes it.
///
/// `Panicked` is `Send + Sync` (the payload, which is only `Send`, is reachable only
/// through `self`), so it and every error that holds one convert into `anyhow::Error` or
/// `Box<dyn Error + Send + Sync>`. It has no [`source`](std::error::Error::source).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let rows = (0..).map(|n| if n == 2 { panic!("bad row {n}") } else { n });
/// let mut stream = ayutil::iter_stream(rows, NonZeroUsize::MIN);
/// assert_eq!(stream.next().await.unwrap().unwrap(), 0);
/// assert_eq!(stream.next().await.unwrap().unwrap(), 1);
/// let panicked: ayutil::Panicked = stream.next().await.unwrap().unwrap_err();
/// assert_eq!(panicked.message(), Some("bad row 2"));
/// assert_eq!(panicked.to_string(), "panicked: bad row 2");
/// // To carry the panic on in this task: `panicked.resume()`.
/// # }
/// ```
pub struct Panicked {
    /// Read once at construction: the payload itself is reachable only by value.
    message: Option<Box<str>>,
    payload: SyncWrapper<Box<dyn Any + Send + 'static>>,
}

impl Panicked {
    /// Wraps a panic payload, as caught by [`std::panic::catch_unwind`] or returned by
    /// tokio's `JoinError::into_panic`.
    ///
    /// # Examples
    ///
    /// ```
    /// let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
    /// let panicked = ayutil::Panicked::new(payload);
    /// assert_eq!(panicked.message(), Some("boom"));
    /// ```
    #[must_use]
    pub fn new(payload: Box<dyn Any + Send + 'static>) -> Self {
        let message = panic_message(&*payload).map(Box::from);
        Self {
            message,
            payload: SyncWrapper::new(payload),
        }
    }

    /// The panic message, when the payload is a `&str` or a `String` (as `panic!` makes
    /// it); `None` for any other payload.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::Panicked;
    ///
    /// let code = 42;
    /// let formatted = std::panic::catch_unwind(|| panic!("code {code}")).unwrap_err();
    /// assert_eq!(Panicked::new(formatted).message(), Some("code 42"));
    ///
    /// let other = Panicked::new(Box::new(7_u8));
    /// assert_eq!(other.message(), None);
    /// assert_eq!(other.to_string(), "panicked with a non-string payload");
    /// ```
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The original panic payload, for [`std::panic::resume_unwind`] or to downcast.
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(Debug, PartialEq)]
    /// struct Corrupt {
    ///     offset: u64,
    /// }
    ///
    /// let payload = std::panic::catch_unwind(|| {
    ///     std::panic::panic_any(Corrupt { offset: 512 })
    /// })
    /// .unwrap_err();
    /// let panicked = ayutil::Panicked::new(payload);
    /// let payload = panicked.into_payload();
    /// assert_eq!(payload.downcast_ref::<Corrupt>(), Some(&Corrupt { offset: 512 }));
    /// ```
    #[must_use]
    pub fn into_payload(self) -> Box<dyn Any + Send + 'static> {
        self.payload.into_inner()
    }

    /// Resumes the panic in the current thread, with its original payload.
    ///
    /// # Panics
    ///
    /// Always: that is its purpose. The panic hook does not run again.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(async { if true { std::panic::panic_any(404_u16) } });
    /// let failure = tasks.join().await.unwrap_err().into_failures().pop().unwrap();
    /// let panicked = failure.into_panic().unwrap();
    /// let resumed = std::panic::catch_unwind(move || panicked.resume()).unwrap_err();
    /// assert_eq!(resumed.downcast_ref::<u16>(), Some(&404));
    /// # }
    /// ```
    pub fn resume(self) -> ! {
        std::panic::resume_unwind(self.into_payload())
    }

    /// Resumes a panic that several callers share: the last owner resumes the original
    /// payload, every other one a [`copy`](Self::copy).
    #[cfg_attr(not(feature = "cache"), allow(dead_code))]
    pub(crate) fn resume_shared(self: Arc<Self>) -> ! {
        match Arc::try_unwrap(self) {
            Ok(panicked) => panicked.resume(),
            Err(shared) => shared.copy().resume(),
        }
    }

    /// A panic with the same message, whose payload is that message as a `String` (a
    /// payload cannot be cloned): for the other callers of a computation whose panic one
    /// caller resumes.
    #[cfg_attr(not(feature = "cache"), allow(dead_code))]
    pub(crate) fn copy(&self) -> Self {
        let message = self.message().unwrap_or(NON_STRING);
        Self::new(Box::new(message.to_owned()))
    }
}

/// What a panic without a string payload is called.
const NON_STRING: &str = "panicked with a non-string payload";

/// The message of a panic payload, when it is a `&str` or a `String` (as `panic!` makes it).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    match payload.downcast_ref::<&'static str>() {
        Some(message) => Some(message),
        None => payload.downcast_ref::<String>().map(String::as_str),
    }
}

impl fmt::Debug for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panicked")
            .field("message", &self.message())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            Some(message) => write!(f, "panicked: {message}"),
            None => f.write_str(NON_STRING),
        }
    }
}

impl std::error::Error for Panicked {}

// The payload is reachable only by value (never through `&self`), so no state of it can be
// observed half-changed after an unwind: a `Panicked` may cross `catch_unwind`, as the
// `Mutex` that held a group task's payload before allowed.
impl std::panic::UnwindSafe for Panicked {}
impl std::panic::RefUnwindSafe for Panicked {}

#[cfg(test)]
mod tests {
    use super::*;

    fn caught(f: impl FnOnce()) -> Box<dyn Any + Send> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err()
    }

    #[test]
    fn is_send_sync_unwind_safe_and_an_error() {
        use std::panic::{RefUnwindSafe, UnwindSafe};
        fn assert<T: Send + Sync + UnwindSafe + RefUnwindSafe + std::error::Error + 'static>() {}
        assert::<Panicked>();
    }

    #[test]
    fn message_of_str_string_and_other_payloads() {
        assert_eq!(
            Panicked::new(caught(|| panic!("plain"))).message(),
            Some("plain")
        );
        let n = 3;
        assert_eq!(
            Panicked::new(caught(|| panic!("n = {n}"))).message(),
            Some("n = 3")
        );
        assert_eq!(Panicked::new(Box::new(3_u8)).message(), None);
        assert_eq!(panic_message(&*caught(|| panic!("x"))), Some("x"));
        assert_eq!(panic_message(&7_u8), None);
    }

    #[test]
    fn display_and_debug() {
        let p = Panicked::new(Box::new("boom"));
        assert_eq!(p.to_string(), "panicked: boom");
        assert_eq!(
            format!("{p:?}"),
            r#"Panicked { message: Some("boom"), .. }"#
        );
        let other = Panicked::new(Box::new(1_i32));
        assert_eq!(other.to_string(), "panicked with a non-string payload");
    }

    #[test]
    fn resume_rethrows_the_original_payload() {
        let p = Panicked::new(Box::new(42_u64));
        let again = caught(move || p.resume());
        assert_eq!(again.downcast_ref::<u64>(), Some(&42));
    }

    #[test]
    fn a_copy_keeps_the_message() {
        let copy = Panicked::new(Box::new("boom")).copy();
        assert_eq!(copy.message(), Some("boom"));
        assert_eq!(
            copy.into_payload()
                .downcast_ref::<String>()
                .map(String::as_str),
            Some("boom")
        );
        let other = Panicked::new(Box::new(1_u8)).copy();
        assert_eq!(other.message(), Some("panicked with a non-string payload"));
    }

    #[test]
    fn a_shared_panic_resumes_the_message_in_all_but_the_last_owner() {
        let p = Arc::new(Panicked::new(Box::new(9_u8)));
        let other = Arc::clone(&p);
        let first = caught(move || other.resume_shared());
        assert_eq!(
            first.downcast_ref::<String>().map(String::as_str),
            Some("panicked with a non-string payload")
        );
        let last = caught(move || p.resume_shared());
        assert_eq!(last.downcast_ref::<u8>(), Some(&9));
    }
}
