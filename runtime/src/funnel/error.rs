//! [`FunnelError`]: why a [`TryFunnel`](crate::TryFunnel) ended early.

use core::fmt;
use core::time::Duration;

/// Why a [`TryFunnel`](crate::TryFunnel) ended before its source and futures were done.
///
/// After yielding one `FunnelError` the funnel ends: every future still running was
/// dropped (the funnel's driver task is aborted) and the source is not polled again.
///
/// # Examples
///
/// ```
/// use ayutil::FunnelError;
///
/// let e: FunnelError<&str> = FunnelError::Failed("boom");
/// assert_eq!(e.to_string(), "a funnel item failed: boom");
/// assert_eq!(e.into_failed(), Some("boom"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunnelError<E> {
    /// A future finished with `Err`, or the source yielded `Err`.
    Failed(E),
    /// The overall [`timeout`](crate::TryFunnel::timeout) elapsed; outputs completed
    /// before it were yielded first.
    TimedOut(Duration),
}

impl<E> FunnelError<E> {
    /// The error of a failed item or source, or `None` for a time-out.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let e = ayutil::FunnelError::<()>::TimedOut(Duration::from_secs(1));
    /// assert_eq!(e.into_failed(), None);
    /// ```
    pub fn into_failed(self) -> Option<E> {
        match self {
            Self::Failed(e) => Some(e),
            Self::TimedOut(_) => None,
        }
    }

    /// `true` when the funnel ended because its time-out elapsed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// assert!(ayutil::FunnelError::<()>::TimedOut(Duration::from_secs(1)).is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::TimedOut(_))
    }
}

impl<E: fmt::Display> fmt::Display for FunnelError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(e) => write!(f, "a funnel item failed: {e}"),
            Self::TimedOut(d) => write!(f, "the funnel timed out after {d:?}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for FunnelError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Failed(e) => Some(e),
            Self::TimedOut(_) => None,
        }
    }
}
