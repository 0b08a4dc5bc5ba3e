//! [`Group`]: spawn tasks from anywhere, then wait for all of them.

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use std::sync::Arc;

use super::engine::{Collect, Owner};
use super::error::{GroupError, TaskResult};
use crate::rt::inherit::handed;

/// A cloneable set of tasks: [`spawn`](Self::spawn) from anywhere (including from inside
/// the group's own tasks), then [`join`](Self::join) to wait until none is left.
///
/// Port of `aioutils.Group`. Compared with tokio's `JoinSet`, `spawn` takes `&self`, so a
/// task can hold a clone of its group and spawn more tasks into it (tokio issue 6547),
/// and `join` also waits for the tasks spawned while it waits. Each task runs in its own
/// tokio task, so tasks run in parallel on a multi-thread runtime.
///
/// Tasks return `()` or `Result<(), E>` (see [`TaskResult`]). A task that fails or
/// panics does not disturb the others; the first failure is returned by `join`, the
/// others are counted in the [`GroupError`]. After `join` the group is empty and can be
/// used again.
///
/// # Dropping
///
/// Dropping the last clone of a `Group` aborts every task still running in it, as
/// dropping a `JoinSet` does: nobody could join them any more. As with tokio's `abort`,
/// a task stops at its next `.await`. A task that holds a clone keeps the group alive
/// until that task ends.
///
/// # Examples
///
/// The seed's nested loops: ten `f1` each spawn ten `f2`; all hundred calls overlap, so
/// the whole run takes two sleeps, not eleven seconds.
///
/// ```
/// use std::time::Duration;
/// use ayutil::Group;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let start = tokio::time::Instant::now();
/// let group = Group::new();
/// for i in 0..10 {
///     let g = group.clone();
///     group.spawn(async move {
///         tokio::time::sleep(Duration::from_millis(100)).await; // f1
///         for _ in 0..10 {
///             g.spawn(async move {
///                 tokio::time::sleep(Duration::from_millis(100)).await; // f2(i)
///                 let _ = i;
///             });
///         }
///     });
/// }
/// group.join().await.unwrap();
/// assert_eq!(start.elapsed(), Duration::from_millis(200));
/// # }
/// ```
#[must_use = "dropping a Group aborts its tasks"]
pub struct Group<E: Send + 'static = Infallible> {
    owner: Arc<Owner<E>>,
}

impl<E: Send + 'static> Group<E> {
    /// Creates an empty group.
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ayutil::Group::<std::io::Error>::new();
    /// assert!(group.is_empty());
    /// ```
    pub fn new() -> Self {
        Self {
            owner: Arc::new(Owner::new(usize::MAX, Collect::First)),
        }
    }

    /// Starts `task` in the background. Never blocks; works through a shared reference
    /// and from inside the group's own tasks.
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
    /// let group = ayutil::Group::new();
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    /// group.spawn(async move { tx.send(1).unwrap() });
    /// group.join().await.unwrap();
    /// assert_eq!(rx.recv().await, Some(1));
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

    /// Waits until no task is left, including tasks spawned while waiting, and returns
    /// the first failure since the previous `join`.
    ///
    /// Several `join`s may wait at once (from several tasks): they all return when the
    /// group is idle, and all return `Err` if a task failed; one of them receives the
    /// failure itself, the others a notice of it (see [`GroupError`]).
    ///
    /// # Errors
    ///
    /// A [`GroupError`] holding the first task error or panic, and how many other tasks
    /// failed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future leaves the tasks running and their failures kept
    /// for the next `join`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    /// let group = ayutil::Group::new();
    /// let g = group.clone();
    /// group.spawn(async move {
    ///     tokio::time::sleep(Duration::from_secs(1)).await;
    ///     // Spawned while `join` already waits: `join` waits for it too.
    ///     g.spawn(async move {
    ///         tokio::time::sleep(Duration::from_secs(1)).await;
    ///         tx.send("inner done").unwrap();
    ///     });
    /// });
    /// group.join().await.unwrap();
    /// assert_eq!(rx.try_recv(), Ok("inner done"));
    /// assert!(group.is_empty());
    /// # }
    /// ```
    pub async fn join(&self) -> Result<(), GroupError<E>> {
        self.owner.core.join_first().await
    }

    /// Number of tasks spawned and not finished yet.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = ayutil::Group::new();
    /// group.spawn(std::future::pending::<()>());
    /// assert_eq!(group.len(), 1);
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
    /// assert!(ayutil::Group::<()>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<E: Send + 'static> Clone for Group<E> {
    fn clone(&self) -> Self {
        Self {
            owner: Arc::clone(&self.owner),
        }
    }
}

impl<E: Send + 'static> Default for Group<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Send + 'static> fmt::Debug for Group<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group").field("len", &self.len()).finish()
    }
}
