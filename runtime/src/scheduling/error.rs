//! [`SchedulingError`], what a misused scheduling function returns, and [`TaskError`],
//! why a task gave no output.

use core::fmt;

use super::TaskId;
use crate::Panicked;

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
/// A task's panic is reported here as a value ([`Panicked`]), not resumed in the task that
/// awaits it: the executor's tasks are independent, and an awaiting task decides what a
/// sibling's panic means.
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
/// assert_eq!(err.to_string(), "the task failed");
/// assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "panicked: boom");
/// # }
/// ```
#[non_exhaustive]
pub enum TaskError {
    /// The task was aborted, or the executor stopped before the task finished.
    Cancelled,
    /// The task panicked.
    Panicked(Panicked),
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

    /// The panic, to [`resume`](Panicked::resume) it or read its payload.
    ///
    /// # Errors
    ///
    /// Gives the error back if the task was cancelled rather than panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::Panicked;
    /// use ayutil::scheduling::TaskError;
    ///
    /// let err = TaskError::Panicked(Panicked::new(Box::new("boom")));
    /// let panicked = err.try_into_panic().unwrap();
    /// assert_eq!(panicked.message(), Some("boom"));
    /// assert!(TaskError::Cancelled.try_into_panic().is_err());
    /// ```
    pub fn try_into_panic(self) -> Result<Panicked, Self> {
        match self {
            Self::Panicked(panicked) => Ok(panicked),
            other => Err(other),
        }
    }
}

impl fmt::Debug for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("Cancelled"),
            Self::Panicked(panicked) => f.debug_tuple("Panicked").field(panicked).finish(),
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("the task was cancelled"),
            Self::Panicked(_) => f.write_str("the task failed"),
        }
    }
}

/// A panic is the [`source`](std::error::Error::source); `Display` describes only this layer.
impl std::error::Error for TaskError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Panicked(panicked) => Some(panicked),
            Self::Cancelled => None,
        }
    }
}
