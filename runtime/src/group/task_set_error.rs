//! [`TaskSetError`]: every failure a [`TaskSet`](crate::TaskSet) collected.

use std::fmt;

use super::failure::TaskFailure;

/// Every task failure a [`TaskSet`](crate::TaskSet) saw since the last `join`, in the
/// order they happened, and how many tasks its exit timeout cancelled.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let tasks = ayutil::TaskSet::new();
/// tasks.spawn(async { Err(1) });
/// tasks.spawn(async { Err(2) });
/// let mut errors: Vec<i32> = tasks
///     .join()
///     .await
///     .unwrap_err()
///     .into_failures()
///     .into_iter()
///     .filter_map(ayutil::TaskFailure::into_error)
///     .collect();
/// errors.sort();
/// assert_eq!(errors, [1, 2]);
/// # }
/// ```
pub struct TaskSetError<E> {
    pub(crate) failures: Vec<TaskFailure<E>>,
    pub(crate) cancelled: usize,
}

impl<E> TaskSetError<E> {
    /// The errors and panics, in the order the tasks ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::TaskFailure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(async { Err("a") });
    /// tasks.spawn(async { Err("b") });
    /// let err = tasks.join().await.unwrap_err();
    /// let mut errors: Vec<&str> = err
    ///     .failures()
    ///     .iter()
    ///     .filter_map(|failure| match failure {
    ///         TaskFailure::Error(e) => Some(*e),
    ///         TaskFailure::Panic(_) => None,
    ///     })
    ///     .collect();
    /// errors.sort();
    /// assert_eq!(errors, ["a", "b"]);
    /// # }
    /// ```
    pub fn failures(&self) -> &[TaskFailure<E>] {
        &self.failures
    }

    /// Takes the errors and panics.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(async { if true { panic!("boom") } });
    /// let failures = tasks.join().await.unwrap_err().into_failures();
    /// assert_eq!(failures.len(), 1);
    /// // Owned failures: a panic's original payload can be re-raised.
    /// let failure = failures.into_iter().next().unwrap();
    /// let payload = failure.into_panic().unwrap().into_payload();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// # }
    /// ```
    pub fn into_failures(self) -> Vec<TaskFailure<E>> {
        self.failures
    }

    /// How many tasks the exit timeout cancelled (zero if it did not expire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new().with_exit_timeout(Duration::from_secs(1));
    /// for _ in 0..3 {
    ///     tasks.spawn(std::future::pending::<()>());
    /// }
    /// tasks.spawn(async {});
    /// let err = tasks.join().await.unwrap_err();
    /// assert_eq!(err.cancelled(), 3);
    /// assert!(err.failures().is_empty()); // counted, not failures
    /// assert_eq!(err.to_string(), "0 task(s) failed, 3 cancelled by the exit timeout");
    /// # }
    /// ```
    pub fn cancelled(&self) -> usize {
        self.cancelled
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskSetError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskSetError")
            .field("failures", &self.failures)
            .field("cancelled", &self.cancelled)
            .finish()
    }
}

impl<E: fmt::Display> fmt::Display for TaskSetError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} task(s) failed", self.failures.len())?;
        if self.cancelled > 0 {
            write!(f, ", {} cancelled by the exit timeout", self.cancelled)?;
        }
        if let Some(first) = self.failures.first() {
            write!(f, "; first: {first}")?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for TaskSetError<E> {}
