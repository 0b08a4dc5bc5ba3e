//! [`GroupError`]: what [`Group::join`](crate::Group::join) and
//! [`Pool::join`](crate::Pool::join) return when a task failed.

use std::fmt;

use super::failure::TaskFailure;

/// The first task failure seen by a [`Group`](crate::Group) or [`Pool`](crate::Pool)
/// since the last `join`, and how many more tasks failed after it.
///
/// Unlike Python's `aioutils`, which drops task errors, every failure reaches `join`:
/// the first one is kept whole, the others are counted.
///
/// # Joins at the same time
///
/// `join`s that wait at the same time (from several tasks) all learn of a failure: each
/// returns `Err`. A failure is not `Clone`, so exactly one of them receives it whole
/// ([`first`](Self::first) is `Some`); the others receive a notice of it (`first` is
/// `None`, [`failed`](Self::failed) still counts it). A single `join` always receives the
/// failure itself.
///
/// # Examples
///
/// ```
/// use ayutil::Group;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// for i in 0..3 {
///     group.spawn(async move { if i > 0 { Err(i) } else { Ok(()) } });
/// }
/// let err = group.join().await.unwrap_err();
/// assert_eq!(err.others(), 1);
/// assert!(!err.first().unwrap().is_panic());
/// # }
/// ```
pub struct GroupError<E> {
    /// `None` when the failure went to another `join` of the same round.
    first: Option<TaskFailure<E>>,
    others: usize,
}

impl<E> GroupError<E> {
    pub(crate) fn new(first: TaskFailure<E>, others: usize) -> Self {
        Self {
            first: Some(first),
            others,
        }
    }

    /// The outcome of a `join` whose round another `join` ended: `Some(n)` if `n` tasks
    /// failed.
    pub(crate) fn notice(failed: Option<usize>) -> Result<(), Self> {
        match failed {
            None | Some(0) => Ok(()),
            Some(n) => Err(Self {
                first: None,
                others: n - 1,
            }),
        }
    }

    /// The first failure; `None` only when another `join`, waiting at the same time,
    /// received it (see [Joins at the same time](Self#joins-at-the-same-time)).
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{Group, TaskFailure};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// group.spawn(async { Err(std::io::Error::other("disk full")) });
    /// let err = group.join().await.unwrap_err();
    /// match err.first() {
    ///     Some(TaskFailure::Error(e)) => assert_eq!(e.to_string(), "disk full"),
    ///     Some(TaskFailure::Panic(p)) => panic!("no task panicked, yet got {p}"),
    ///     None => panic!("a single join receives the failure itself"),
    /// }
    /// # }
    /// ```
    pub fn first(&self) -> Option<&TaskFailure<E>> {
        self.first.as_ref()
    }

    /// Takes the first failure; `None` only when another `join`, waiting at the same
    /// time, received it.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{Group, TaskFailure};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// group.spawn(async { Err("no") });
    /// let first: Option<TaskFailure<&str>> = group.join().await.unwrap_err().into_first();
    /// assert_eq!(first.and_then(TaskFailure::into_error), Some("no"));
    /// # }
    /// ```
    pub fn into_first(self) -> Option<TaskFailure<E>> {
        self.first
    }

    /// How many tasks failed after the first one (their errors were dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = ayutil::Group::new();
    /// for i in 0..5 {
    ///     group.spawn(async move { if i % 2 == 0 { Err(i) } else { Ok(()) } });
    /// }
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.others(), 2); // 0, 2 and 4 failed: one kept, two counted
    /// // `join` took the failures: the group starts clean again.
    /// assert!(group.join().await.is_ok());
    /// # }
    /// ```
    pub fn others(&self) -> usize {
        self.others
    }

    /// How many tasks failed in all: the first one and the [`others`](Self::others).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = ayutil::Group::new();
    /// group.spawn(async { Err("a") });
    /// group.spawn(async { Err("b") });
    /// assert_eq!(group.join().await.unwrap_err().failed(), 2);
    /// # }
    /// ```
    pub fn failed(&self) -> usize {
        self.others + 1
    }
}

impl<E: fmt::Debug> fmt::Debug for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupError")
            .field("first", &self.first)
            .field("others", &self.others)
            .finish()
    }
}

impl<E: fmt::Display> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.first {
            Some(first) => fmt::Display::fmt(first, f)?,
            None => f.write_str("a task failed; its failure went to a concurrent join")?,
        }
        if self.others > 0 {
            write!(f, " (and {} more failed tasks)", self.others)?;
        }
        Ok(())
    }
}

impl<E: std::error::Error + 'static> std::error::Error for GroupError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.first
            .as_ref()
            .map(|first| first as &(dyn std::error::Error + 'static))
    }
}
