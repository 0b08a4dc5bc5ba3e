//! [`Task`]: a task spawned on the scheduling executor, awaited for its output.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::rc::Rc;

use super::engine::Executor;
use super::error::{SchedulingError, TaskError};
use super::task_id::TaskId;

/// A task spawned on a [`SchedulingExecutor`](crate::SchedulingExecutor): await it for its
/// output.
///
/// Created by [`scheduling::spawn`](crate::scheduling::spawn) and
/// [`scheduling::spawn_descend`](crate::scheduling::spawn_descend). Awaiting gives
/// `Ok(output)`, or a [`TaskError`] if the task panicked or was cancelled (by
/// [`abort`](Task::abort), or because the executor stopped first). The output is held
/// until taken; dropping the `Task` detaches it: the task keeps running and its output
/// is dropped when it finishes.
///
/// A `Task` belongs to its executor's thread: it is neither `Send` nor `Sync`.
///
/// # Examples
///
/// ```
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let out = ayutil::SchedulingExecutor::new()
///     .run(async {
///         let task = scheduling::spawn(async { 6 * 7 }).unwrap();
///         task.await.unwrap()
///     })
///     .await;
/// assert_eq!(out, 42);
/// # }
/// ```
#[must_use = "dropping a `Task` detaches it; keep it to await its output"]
pub struct Task<T> {
    executor: Rc<Executor>,
    id: TaskId,
    /// Set once the output was handed out.
    taken: bool,
    _output: PhantomData<fn() -> T>,
}

impl<T: 'static> Task<T> {
    /// Spawns `fut` at the tail of `executor`'s ready queue.
    pub(crate) fn spawn<F>(executor: Rc<Executor>, fut: F) -> Result<Self, SchedulingError>
    where
        F: Future<Output = T> + 'static,
    {
        let id = executor.spawn(fut)?;
        Ok(Self {
            executor,
            id,
            taken: false,
            _output: PhantomData,
        })
    }

    /// The task's id, for the functions of [`scheduling`](crate::scheduling).
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::scheduling;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// ayutil::SchedulingExecutor::new()
    ///     .run(async {
    ///         let task = scheduling::spawn(async {}).unwrap();
    ///         assert_eq!(scheduling::task_is_blocked(task.id()), Ok(false)); // runnable
    ///     })
    ///     .await;
    /// # }
    /// ```
    #[must_use]
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Whether the task has finished: returned, panicked or been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::scheduling;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// ayutil::SchedulingExecutor::new()
    ///     .run(async {
    ///         let task = scheduling::spawn(async {}).unwrap();
    ///         assert!(!task.is_finished());
    ///         scheduling::yield_now().await.unwrap(); // the task runs
    ///         assert!(task.is_finished());
    ///     })
    ///     .await;
    /// # }
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.taken || self.executor.is_finished(self.id)
    }

    /// Cancels the task: its future is dropped now (at the end of its current step if it
    /// aborts itself), and awaiting the `Task` gives [`TaskError::Cancelled`]. Does
    /// nothing to a task that has finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::scheduling;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// ayutil::SchedulingExecutor::new()
    ///     .run(async {
    ///         let task = scheduling::spawn(std::future::pending::<()>()).unwrap();
    ///         task.abort();
    ///         assert!(task.await.unwrap_err().is_cancelled());
    ///     })
    ///     .await;
    /// # }
    /// ```
    pub fn abort(&self) {
        if !self.taken {
            self.executor.abort(self.id);
        }
    }
}

impl<T: 'static> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.taken, "`Task` polled after it returned its output");
        let Some(finished) = this.executor.poll_join(this.id, cx) else {
            return Poll::Pending;
        };
        this.taken = true;
        Poll::Ready(match finished {
            // The executor dropped the task before it finished.
            None => Err(TaskError::Cancelled),
            Some(mut job) => job
                .as_mut()
                .output()
                .downcast_mut::<Option<Result<T, TaskError>>>()
                .and_then(Option::take)
                .unwrap_or(Err(TaskError::Cancelled)),
        })
    }
}

// A `Task` only holds an id; its output lives in the executor.
impl<T> Unpin for Task<T> {}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if !self.taken {
            self.executor.detach(self.id);
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task").field("id", &self.id).finish()
    }
}
