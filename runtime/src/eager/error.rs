//! [`NotDone`]: a [`CoroStart`] asked for its output while its future still waits.

use core::fmt;
use core::future::Future;

use super::CoroStart;

/// The future of a [`CoroStart`] waits: it has no output yet. Holds the `CoroStart`, so
/// nothing is lost: take it back with [`into_inner`](NotDone::into_inner) and await it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let start = ayutil::CoroStart::new(async {
///     tokio::task::yield_now().await;
///     "later"
/// });
/// let err = start.into_output().unwrap_err();
/// assert_eq!(err.to_string(), "the future has not finished: it waits");
/// assert_eq!(err.into_inner().await, "later");
/// # }
/// ```
pub struct NotDone<F: Future> {
    start: CoroStart<F>,
}

impl<F: Future> NotDone<F> {
    pub(crate) fn new(start: CoroStart<F>) -> Self {
        Self { start }
    }

    /// The `CoroStart` that was asked for its output.
    ///
    /// # Examples
    ///
    /// ```
    /// let start = ayutil::CoroStart::new(std::future::pending::<()>());
    /// let start = start.into_ready().unwrap_err().into_inner();
    /// assert!(start.is_blocked());
    /// ```
    #[must_use]
    pub fn into_inner(self) -> CoroStart<F> {
        self.start
    }
}

impl<F: Future> fmt::Debug for NotDone<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotDone").finish_non_exhaustive()
    }
}

impl<F: Future> fmt::Display for NotDone<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the future has not finished: it waits")
    }
}

impl<F: Future> std::error::Error for NotDone<F> {}
