//! [`SchedulingError`], what a misused scheduling function returns, and [`TaskError`],
//! why a task gave no output.

use core::any::Any;
use core::fmt;

use super::TaskId;

/// Why a function of [`scheduling`](crate::scheduling) could not do what it was asked.
///
/// Misuse is reported as a value, never as a panic: a task that is not where the function
/// needs it, a finished task, a position past the end, or a call outside the executor.
///
/// # Examples
///
/// ```
/// use ayutil::scheduling::{self, SchedulingError};
///
/// // Outside a `SchedulingExecutor`:
/// assert_eq!(scheduling::ready_len(), Err(SchedulingError::NoExecutor));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchedulingError {
    /// Called outside a running [`SchedulingExecutor`](crate::SchedulingExecutor).
    NoExecutor,
    /// Needs the current task, but was called from a callback
    /// ([`call_insert`](crate::scheduling::call_insert)), which runs outside any task.
    NoCurrentTask,
    /// The task is not in the ready queue: it waits, is running, or its entry was popped.
    NotRunnable(TaskId),
    /// The task has finished.
    Finished(TaskId),
    /// The task, or the ready entry, belongs to another executor.
    ForeignTask(TaskId),
    /// A ready entry of another executor.
    ForeignEntry,
    /// No entry at `pos`: the ready queue holds `len`.
    NoSuchPosition {
        /// The position asked for.
        pos: usize,
        /// The length of the ready queue.
        len: usize,
    },
    /// The executor has stopped (its main future finished or was dropped): it runs
    /// nothing more.
    Stopped,
}

impl fmt::Display for SchedulingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoExecutor => f.write_str(
                "not inside a scheduling executor; run this inside `SchedulingExecutor::run`",
            ),
            Self::NoCurrentTask => {
                f.write_str("no current task: called from a ready-queue callback, not a task")
            }
            Self::NotRunnable(id) => write!(f, "{id} is not in the ready queue"),
            Self::Finished(id) => write!(f, "{id} has finished"),
            Self::ForeignTask(id) => write!(f, "{id} belongs to another scheduling executor"),
            Self::ForeignEntry => f.write_str("the ready entry belongs to another executor"),
            Self::NoSuchPosition { pos, len } => {
                write!(f, "no ready entry at position {pos}: the queue holds {len}")
            }
            Self::Stopped => f.write_str("the scheduling executor has stopped"),
        }
    }
}

impl std::error::Error for SchedulingError {}

/// Why a [`Task`](crate::scheduling::Task) gave no output.
///
/// # Examples
///
/// ```
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let hook = std::panic::take_hook();
/// # std::panic::set_hook(Box::new(|_| {}));
/// let err = ayutil::SchedulingExecutor::new()
///     .run(async { scheduling::spawn(async { panic!("boom") }).unwrap().await })
///     .await
///     .unwrap_err();
/// # std::panic::set_hook(hook);
/// assert!(err.is_panic());
/// assert_eq!(err.to_string(), "the task panicked: boom");
/// # }
/// ```
#[non_exhaustive]
pub enum TaskError {
    /// The task was aborted, or the executor stopped before the task finished.
    Cancelled,
    /// The task panicked; the payload, for [`std::panic::resume_unwind`].
    Panicked(Box<dyn Any + Send + 'static>),
}

impl TaskError {
    /// Whether the task was cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ayutil::scheduling::TaskError::Cancelled.is_cancelled());
    /// ```
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled)
    }

    /// Whether the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ayutil::scheduling::TaskError::Cancelled.is_panic());
    /// ```
    #[must_use]
    pub fn is_panic(&self) -> bool {
        matches!(self, Self::Panicked(_))
    }

    /// The panic payload, to resume the panic with [`std::panic::resume_unwind`].
    ///
    /// # Errors
    ///
    /// Gives the error back if the task was cancelled rather than panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::scheduling::TaskError;
    ///
    /// let err = TaskError::Panicked(Box::new("boom"));
    /// let payload = err.try_into_panic().unwrap();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, Self> {
        match self {
            Self::Panicked(payload) => Ok(payload),
            other => Err(other),
        }
    }
}

/// The message of a panic payload, when it is a string.
fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Debug for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("Cancelled"),
            Self::Panicked(payload) => f
                .debug_tuple("Panicked")
                .field(&panic_message(&**payload).unwrap_or("<non-string payload>"))
                .finish(),
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("the task was cancelled"),
            Self::Panicked(payload) => match panic_message(&**payload) {
                Some(message) => write!(f, "the task panicked: {message}"),
                None => f.write_str("the task panicked"),
            },
        }
    }
}

impl std::error::Error for TaskError {}
