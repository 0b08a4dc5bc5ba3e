//! [`ScopeError`], and the errors of a scope's configuration and executors.

use core::fmt;

use crate::rt::cause;

pub(crate) use crate::BoxError;

/// A scope failed: the first failure is reported (a task that returned `Err`, or the
/// block of [`try_run`](crate::ScopeOptions::try_run)), and the errors that arrived while
/// the scope was cancelling are kept, never lost.
///
/// Tasks stopped *because* of that first failure are not errors; they do not appear.
///
/// Its `Display` says that the scope failed, and the first failure is its
/// [`source`](std::error::Error::source) (for a [`BoxError`], the default) or, for an `E`
/// that is not an error type ayutil can chain, part of the message: the cause is shown
/// once either way, as by every ayutil error.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let err = ayutil::Scope::<u8, String>::options()
///     .run(|s| async move {
///         s.try_spawn(async { Err::<u8, _>("boom".to_string()) });
///     })
///     .await
///     .unwrap_err();
/// assert_eq!(err.first(), "boom");
/// assert!(err.secondary().is_empty());
/// assert_eq!(err.to_string(), "the scope failed: boom");
/// # }
/// ```
///
/// With the default [`BoxError`], the failure is the `source()`:
///
/// ```
/// use std::error::Error as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let err = ayutil::scope(|s: ayutil::Scope<u8>| async move {
///     s.try_spawn(async { Ok("x".parse::<u8>()?) });
/// })
/// .await
/// .unwrap_err();
/// assert_eq!(err.to_string(), "the scope failed");
/// assert_eq!(err.source().unwrap().to_string(), "invalid digit found in string");
/// # }
/// ```
#[derive(Debug)]
pub struct ScopeError<E> {
    pub(crate) first: E,
    pub(crate) secondary: Vec<E>,
}

impl<E> ScopeError<E> {
    /// The first failure, which stopped the scope: a task's error, or the block's (with
    /// [`try_run`](crate::ScopeOptions::try_run)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let err = ayutil::Scope::<(), String>::options()
    ///     .run(|s| async move {
    ///         s.try_spawn(async {
    ///             tokio::time::sleep(Duration::from_secs(2)).await;
    ///             Err("late".to_string())
    ///         });
    ///         s.try_spawn(async {
    ///             tokio::time::sleep(Duration::from_secs(1)).await;
    ///             Err("early".to_string())
    ///         });
    ///     })
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(err.first(), "early");
    /// # }
    /// ```
    #[must_use]
    pub fn first(&self) -> &E {
        &self.first
    }

    /// Takes the first failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::{IntErrorKind, ParseIntError};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let err = ayutil::scope(|s: ayutil::Scope<u32>| async move {
    ///     s.try_spawn(async { Ok("x7".parse::<u32>()?) });
    /// })
    /// .await
    /// .unwrap_err();
    /// // The default error type is boxed: downcast it to get the original back.
    /// let parse_error = err.into_first().downcast::<ParseIntError>().unwrap();
    /// assert_eq!(parse_error.kind(), &IntErrorKind::InvalidDigit);
    /// # }
    /// ```
    #[must_use]
    pub fn into_first(self) -> E {
        self.first
    }

    /// Failures that arrived after the first one, while the scope was cancelling, in
    /// arrival order.
    ///
    /// Only a task that was already finishing when the first failure came (on another
    /// worker thread of a multi-thread runtime), or a [`try_run`](crate::ScopeOptions::try_run)
    /// block that returned `Err` in the same step, can add one: a task that the failure
    /// cancelled is not an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let err = ayutil::Scope::<(), &str>::options()
    ///     .run(|s| async move {
    ///         s.try_spawn(async { Err("first") });
    ///         s.try_spawn(async {
    ///             tokio::time::sleep(Duration::from_secs(1)).await;
    ///             Err("never reached: cancelled by the first failure")
    ///         });
    ///     })
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(*err.first(), "first");
    /// assert!(err.secondary().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn secondary(&self) -> &[E] {
        &self.secondary
    }

    /// Takes every failure: the first one, then the secondary ones.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let err = ayutil::Scope::<(), String>::options()
    ///     .run(|s| async move {
    ///         s.try_spawn(async { Err("disk full".to_string()) });
    ///     })
    ///     .await
    ///     .unwrap_err();
    /// let all: Vec<String> = err.into_all();
    /// assert_eq!(all, ["disk full"]);
    /// # }
    /// ```
    #[must_use]
    pub fn into_all(self) -> Vec<E> {
        let mut all = Vec::with_capacity(1 + self.secondary.len());
        all.push(self.first);
        all.extend(self.secondary);
        all
    }
}

impl<E: fmt::Display + 'static> fmt::Display for ScopeError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.secondary.len() {
            0 => cause::fmt_layer(f, format_args!("the scope failed"), &self.first),
            n => cause::fmt_layer(
                f,
                format_args!("the scope failed (and {n} more failures while it cancelled)"),
                &self.first,
            ),
        }
    }
}

/// Only `Debug + Display` is required of `E`, so that the default [`BoxError`] (which is
/// not itself an `Error`) converts with `?`. The first failure is the
/// [`source`](std::error::Error::source) when `E` is a [`BoxError`] (or another boxed error,
/// a `std::io::Error` or, with the `anyhow` feature, an `anyhow::Error`), with all its own
/// causes; any other `E` is written into the message instead. Either way it is shown once.
impl<E> std::error::Error for ScopeError<E>
where
    E: fmt::Debug + fmt::Display + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        cause::source(&self.first)
    }
}

/// A named executor could not be registered or found.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// ayutil::scope(|s| async move {
///     let err = s.aside_in("no-such-pool", || ()).unwrap_err();
///     assert_eq!(err.to_string(), "no executor is registered under the name `no-such-pool`");
/// })
/// .await
/// .unwrap();
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExecutorError {
    /// `aside_in` named an executor that was never registered.
    Unknown(String),
    /// `register_executor` was called twice with the same name.
    Duplicate(String),
}

impl fmt::Display for ExecutorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(name) => write!(f, "no executor is registered under the name `{name}`"),
            Self::Duplicate(name) => {
                write!(
                    f,
                    "an executor is already registered under the name `{name}`"
                )
            }
        }
    }
}

impl std::error::Error for ExecutorError {}

/// Why a [`TaskHandle`](crate::TaskHandle) or [`Scope::join_next`](crate::Scope::join_next)
/// gives no value for a task.
///
/// A task's error or panic is never here: the scope reports it (as [`ScopeError`] or by
/// resuming the panic), and the task's takers only learn that it [`Failed`](Self::Failed).
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// ayutil::scope(|s: ayutil::Scope<u8>| async move {
///     let stuck = s.spawn(std::future::pending());
///     stuck.abort();
///     assert_eq!(stuck.await, Err(ayutil::JoinError::Cancelled));
/// })
/// .await
/// .unwrap();
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JoinError {
    /// The task was stopped before completing: aborted through its handle, or cut by the
    /// scope's time-out, `cancel()` or another task's failure.
    Cancelled,
    /// The task was spawned into a scope that was stopping or had finished: its future
    /// was dropped without being polled.
    Rejected,
    /// The task returned `Err` or panicked; the scope reports the failure.
    Failed,
    /// The outcome was already taken: by [`Scope::join_next`](crate::Scope::join_next),
    /// by an earlier await of the handle, or by the scope's final
    /// [`results`](crate::ScopeOutput::results).
    Taken,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cancelled => "the task was cancelled",
            Self::Rejected => "the task was spawned into a stopping or finished scope and never ran",
            Self::Failed => "the task failed; its scope reports the error",
            Self::Taken => "the task's outcome was already taken",
        })
    }
}

impl std::error::Error for JoinError {}
