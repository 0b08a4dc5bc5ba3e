//! [`TaskFailure`] and [`TaskPanic`]: why a task spawned into a group did not succeed.

use std::any::Any;
use std::fmt;
use std::sync::Mutex;

use crate::rt::lock;

/// Why one task of a [`Group`](crate::Group), [`Pool`](crate::Pool),
/// [`TaskSet`](crate::TaskSet), [`Bag`](crate::Bag) or [`OrderedBag`](crate::OrderedBag)
/// did not succeed: it returned an error, or it panicked.
///
/// # Examples
///
/// ```
/// use ayutil::{Group, TaskFailure};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// group.spawn(async { Err::<(), _>("disk full") });
/// let err = group.join().await.unwrap_err();
/// assert!(matches!(err.first(), Some(TaskFailure::Error("disk full"))));
/// # }
/// ```
pub enum TaskFailure<E> {
    /// The task returned `Err(e)`.
    Error(E),
    /// The task panicked; the panic was caught so the other tasks kept running.
    Panic(TaskPanic),
}

impl<E> TaskFailure<E> {
    /// Returns the task's error, or `None` if it panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = ayutil::TaskFailure::Error(7);
    /// assert_eq!(failure.into_error(), Some(7));
    /// ```
    pub fn into_error(self) -> Option<E> {
        match self {
            Self::Error(e) => Some(e),
            Self::Panic(_) => None,
        }
    }

    /// Returns the caught panic, or `None` if the task returned an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{Group, TaskFailure};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// group.spawn(async { if true { panic!("bad input") } });
    /// let failure = group.join().await.unwrap_err().into_first().unwrap();
    /// let panic = failure.into_panic().expect("the task panicked");
    /// assert_eq!(panic.message(), Some("bad input"));
    ///
    /// assert!(TaskFailure::Error("no").into_panic().is_none());
    /// # }
    /// ```
    pub fn into_panic(self) -> Option<TaskPanic> {
        match self {
            Self::Error(_) => None,
            Self::Panic(p) => Some(p),
        }
    }

    /// Returns `true` if the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = ayutil::TaskFailure::Error(7);
    /// assert!(!failure.is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, Self::Panic(_))
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Error(e) => f.debug_tuple("Error").field(e).finish(),
            Self::Panic(p) => f.debug_tuple("Panic").field(p).finish(),
        }
    }
}

impl<E: fmt::Display> fmt::Display for TaskFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Error(e) => write!(f, "task failed: {e}"),
            Self::Panic(p) => fmt::Display::fmt(p, f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for TaskFailure<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Error(e) => Some(e),
            Self::Panic(_) => None,
        }
    }
}

/// A panic caught in a task: its message, and its payload for
/// [`std::panic::resume_unwind`].
///
/// The payload sits behind a mutex so that `TaskPanic` (and every error that holds one)
/// is `Send + Sync` and converts into `anyhow`-style boxed errors.
///
/// # Examples
///
/// ```
/// use ayutil::Group;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// group.spawn(async { if true { panic!("boom") } });
/// let err = group.join().await.unwrap_err();
/// let panic = err.into_first().unwrap().into_panic().unwrap();
/// assert_eq!(panic.message(), Some("boom"));
/// # }
/// ```
pub struct TaskPanic {
    message: Option<String>,
    payload: Mutex<Box<dyn Any + Send>>,
}

impl TaskPanic {
    pub(crate) fn new(payload: Box<dyn Any + Send>) -> Self {
        let message = payload
            .downcast_ref::<&'static str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned());
        Self {
            message,
            payload: Mutex::new(payload),
        }
    }

    /// The panic message, when the payload was a `&str` or a `String` (as `panic!`
    /// makes it).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// let code = 42;
    /// tasks.spawn(async move { if true { panic!("code {code}") } }); // a `String` payload
    /// tasks.spawn(async { if true { std::panic::panic_any(7_u8) } }); // not a string
    /// let failures = tasks.join().await.unwrap_err().into_failures();
    /// let mut messages: Vec<Option<String>> = failures
    ///     .into_iter()
    ///     .map(|failure| failure.into_panic().unwrap().message().map(str::to_owned))
    ///     .collect();
    /// messages.sort();
    /// assert_eq!(messages, [None, Some("code 42".to_owned())]);
    /// # }
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The original panic payload, to re-raise with [`std::panic::resume_unwind`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::Group;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// group.spawn(async { if true { std::panic::panic_any(42_u8) } });
    /// let panic = group.join().await.unwrap_err().into_first().unwrap().into_panic().unwrap();
    /// assert_eq!(panic.into_payload().downcast_ref::<u8>(), Some(&42));
    /// # }
    /// ```
    pub fn into_payload(self) -> Box<dyn Any + Send> {
        lock::into_inner(self.payload)
    }
}

impl fmt::Debug for TaskPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskPanic")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for TaskPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) => write!(f, "task panicked: {m}"),
            None => f.write_str("task panicked"),
        }
    }
}

impl std::error::Error for TaskPanic {}
