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
/// assert!(!err.first().is_panic());
/// # }
/// ```
pub struct GroupError<E> {
    pub(crate) first: TaskFailure<E>,
    pub(crate) others: usize,
}

impl<E> GroupError<E> {
    /// The first failure.
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
    ///     TaskFailure::Error(e) => assert_eq!(e.to_string(), "disk full"),
    ///     TaskFailure::Panic(p) => panic!("no task panicked, yet got {p}"),
    /// }
    /// # }
    /// ```
    pub fn first(&self) -> &TaskFailure<E> {
        &self.first
    }

    /// Takes the first failure.
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
    /// let first: TaskFailure<&str> = group.join().await.unwrap_err().into_first();
    /// assert_eq!(first.into_error(), Some("no"));
    /// # }
    /// ```
    pub fn into_first(self) -> TaskFailure<E> {
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
        fmt::Display::fmt(&self.first, f)?;
        if self.others > 0 {
            write!(f, " (and {} more failed tasks)", self.others)?;
        }
        Ok(())
    }
}

impl<E: std::error::Error + 'static> std::error::Error for GroupError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.first)
    }
}
