//! [`TaskSet`]: background tasks whose failures are all collected, with an optional exit
//! timeout.

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::time::Duration;
use std::sync::Arc;

use super::engine::{Collect, Owner};
use super::error::{TaskResult, TaskSetError};
use crate::rt::inherit::handed;
use crate::rt::time::deadline_in;

/// Background tasks that are waited for together; a failing task never cancels its
/// siblings, and every failure is returned.
///
/// Port of async-utils' `BGTasks`. [`join`](Self::join) waits for every task (including
/// those spawned while it waits) and returns all errors and panics. With
/// [`with_exit_timeout`](Self::with_exit_timeout), `join` waits at most that long in
/// total, counted from its first poll; the tasks still running then are cancelled and
/// counted in the error. (The original can take up to twice its timeout; this one
/// cannot.) Cancelling aborts the tokio tasks: `join` returns at the deadline, and a
/// task body running on another worker thread stops at its next `.await`.
///
/// # Dropping
///
/// Dropping the last clone of a `TaskSet` aborts every task still running in it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ayutil::TaskSet;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let tasks = TaskSet::new().with_exit_timeout(Duration::from_secs(5));
/// tasks.spawn(async { Err("first") });
/// tasks.spawn(async { Err("second") });
/// tasks.spawn(async { tokio::time::sleep(Duration::from_secs(1)).await; Ok(()) });
/// tasks.spawn(async { tokio::time::sleep(Duration::from_secs(60)).await; Ok(()) });
///
/// let err = tasks.join().await.unwrap_err();
/// assert_eq!(err.failures().len(), 2); // both errors, none dropped
/// assert_eq!(err.cancelled(), 1); // the 60 s task hit the exit timeout
/// # }
/// ```
#[must_use = "dropping a TaskSet aborts its tasks"]
pub struct TaskSet<E: Send + 'static = Infallible> {
    owner: Arc<Owner<E>>,
    exit_timeout: Option<Duration>,
}

impl<E: Send + 'static> TaskSet<E> {
    /// Creates an empty set with no exit timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// let tasks = ayutil::TaskSet::<()>::new();
    /// assert!(tasks.is_empty());
    /// ```
    pub fn new() -> Self {
        Self {
            owner: Arc::new(Owner::new(usize::MAX, Collect::All)),
            exit_timeout: None,
        }
    }

    /// Sets the exit timeout: [`join`](Self::join) waits at most `timeout` from its first
    /// poll, then cancels the tasks still running. Clones made afterwards share it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new().with_exit_timeout(Duration::from_secs(1));
    /// tasks.spawn(tokio::time::sleep(Duration::from_millis(500))); // ends in time
    /// tasks.spawn(std::future::pending::<()>()); // never ends
    /// let err = tasks.clone().join().await.unwrap_err(); // the clone has the timeout too
    /// assert_eq!(err.cancelled(), 1);
    /// assert!(err.failures().is_empty());
    /// # }
    /// ```
    pub fn with_exit_timeout(mut self, timeout: Duration) -> Self {
        self.exit_timeout = Some(timeout);
        self
    }

    /// Starts `task` in the background. Never blocks; works from inside the set's tasks.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime, at the caller, with the message of
    /// [`NoRuntime`](crate::NoRuntime).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// let t = tasks.clone();
    /// tasks.spawn(async move {
    ///     // From inside a task of the set.
    ///     t.spawn(async { Err(std::io::Error::other("inner")) });
    ///     Ok(())
    /// });
    /// let err = tasks.join().await.unwrap_err();
    /// assert_eq!(err.failures().len(), 1);
    /// assert_eq!(err.failures()[0].to_string(), "inner");
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, task: F)
    where
        F: Future + Send + 'static,
        F::Output: TaskResult<E>,
    {
        let task = handed(task);
        let job = Box::pin(async move { task.await.into_task_result() });
        // The owner is alive (we hold it), so the core is not closed.
        let _ = self.owner.core.spawn(job, None);
    }

    /// Waits for every task, then returns every failure since the previous `join`. With
    /// an exit timeout, the tasks still running when it expires are cancelled.
    ///
    /// # Errors
    ///
    /// A [`TaskSetError`] if any task returned an error, panicked or was cancelled by
    /// the exit timeout.
    ///
    /// # Joins at the same time
    ///
    /// Several `join`s (of clones) that wait at the same time share one outcome: each
    /// returns `Err` if a task failed, but only the first to wake holds the failures; the
    /// others' [`TaskSetError::failures`] is empty and [`TaskSetError::failed`] counts
    /// them. The first exit timeout to expire cancels the tasks for every `join` waiting.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future leaves the tasks running (the exit timeout only
    /// applies while `join` is polled) and their failures kept for the next `join`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(async { Err("a") });
    /// tasks.spawn(async {
    ///     if true {
    ///         panic!("b");
    ///     }
    ///     Ok(())
    /// });
    /// tasks.spawn(async { Ok(()) });
    /// let err = tasks.join().await.unwrap_err();
    /// let panics = err.failures().iter().filter(|f| f.is_panic()).count();
    /// assert_eq!((err.failures().len(), panics), (2, 1)); // none dropped
    /// // The failures were taken: the next `join` starts clean.
    /// assert!(tasks.join().await.is_ok());
    /// # }
    /// ```
    pub async fn join(&self) -> Result<(), TaskSetError<E>> {
        let deadline = self.exit_timeout.and_then(deadline_in);
        self.owner.core.join_all(deadline).await
    }

    /// Number of tasks spawned and not finished yet.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(async {});
    /// assert_eq!(tasks.len(), 1);
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.owner.core.pending()
    }

    /// Returns `true` if no task is running.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(tokio::task::yield_now());
    /// assert!(!tasks.is_empty());
    /// tasks.join().await.unwrap();
    /// assert!(tasks.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<E: Send + 'static> Clone for TaskSet<E> {
    fn clone(&self) -> Self {
        Self {
            owner: Arc::clone(&self.owner),
            exit_timeout: self.exit_timeout,
        }
    }
}

impl<E: Send + 'static> Default for TaskSet<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Send + 'static> fmt::Debug for TaskSet<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskSet")
            .field("len", &self.len())
            .field("exit_timeout", &self.exit_timeout)
            .finish()
    }
}
