//! [`TaskResult`]: what a task spawned into a [`Group`](crate::Group), [`Pool`](crate::Pool)
//! or [`TaskSet`](crate::TaskSet) may return.

use core::convert::Infallible;

/// The output of a task spawned into a [`Group`](crate::Group), [`Pool`](crate::Pool) or
/// [`TaskSet`](crate::TaskSet): `()` for a task that cannot fail, or `Result<(), E>`.
///
/// `()` is only accepted by a group whose error type is [`Infallible`], so that
/// `Group::new()` needs no type annotation when no task can fail; in a group with a real
/// error type, an infallible task ends with `Ok(())`.
///
/// A block that can only panic (`async { panic!() }`) has the never type `!` as its
/// output in edition 2024, which stable Rust cannot name in a trait impl; give it a `()`
/// path (`async { if cond { panic!() } }`) or an explicit `Ok::<(), E>(())` after it.
///
/// # Examples
///
/// ```
/// use ayutil::Group;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let infallible = Group::new(); // Group<Infallible>, inferred from the `()` task
/// infallible.spawn(async {});
/// assert!(infallible.join().await.is_ok());
///
/// let fallible = Group::new(); // Group<std::io::Error>, inferred from the task
/// fallible.spawn(async { Err(std::io::Error::other("no")) });
/// assert!(fallible.join().await.is_err());
/// # }
/// ```
pub trait TaskResult<E> {
    /// Converts the output into `Ok(())` or the task's error.
    ///
    /// # Errors
    ///
    /// The task's own error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use ayutil::TaskResult;
    ///
    /// assert_eq!(TaskResult::<Infallible>::into_task_result(()), Ok(()));
    /// assert_eq!(Err::<(), _>("no").into_task_result(), Err("no"));
    /// ```
    fn into_task_result(self) -> Result<(), E>;
}

impl TaskResult<Infallible> for () {
    fn into_task_result(self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl<E> TaskResult<E> for Result<(), E> {
    fn into_task_result(self) -> Result<(), E> {
        self
    }
}
