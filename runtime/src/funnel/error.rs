//! [`FunnelError`]: why a [`TryFunnel`](crate::TryFunnel) ended early.

use core::fmt;
use core::time::Duration;
use std::error::Error;

use crate::rt::cause;

/// Why a [`TryFunnel`](crate::TryFunnel) ended before its source and futures were done.
///
/// After yielding one `FunnelError` the funnel ends: every future still running was
/// dropped (the funnel's driver task is aborted) and the source is not polled again.
///
/// It is an `Error` whenever `E: Debug + Display + 'static`, so `?` converts it into
/// `anyhow::Error` or a boxed error whatever `E` is. Its `Display` describes only its own
/// layer and the item's error is the [`source`](Error::source) when ayutil can see it as
/// an `Error` (a boxed error, `std::io::Error` or, with the `anyhow` feature,
/// `anyhow::Error`, with all its causes); any other `E` is part of the message instead. The
/// cause is shown once either way.
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
#[non_exhaustive]
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

impl<E: fmt::Display + 'static> fmt::Display for FunnelError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(e) => cause::fmt_layer(f, format_args!("a funnel item failed"), e),
            Self::TimedOut(d) => write!(f, "the funnel timed out after {d:?}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display + 'static> Error for FunnelError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Failed(e) => cause::source(e),
            Self::TimedOut(_) => None,
        }
    }
}
