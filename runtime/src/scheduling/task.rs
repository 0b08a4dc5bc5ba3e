//! [`Task`] and [`TaskId`]: a task of the scheduling executor, and its name in the
//! ready-queue functions.

use core::any::Any;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use super::TaskError;
use crate::Panicked;
use super::engine::Executor;

/// Names one task of one [`SchedulingExecutor`](crate::SchedulingExecutor), for the
/// functions of [`scheduling`](crate::scheduling) that move tasks around.
///
/// Ids are never reused: an id outlives its task, and the functions report a finished
/// task as such. Ids order by creation within one executor.
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
///         let main = scheduling::current_task().unwrap();
///         let task = scheduling::spawn(async {}).unwrap();
///         assert!(main < task.id());
///         assert_eq!(scheduling::runnable_tasks().unwrap(), [task.id()]);
///     })
///     .await;
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId {
    // Field order gives the derived order: executor, then creation.
    pub(crate) executor: u64,
    pub(crate) serial: u64,
    /// The task's slot; only meaningful while `serial` matches the slot's.
    pub(crate) key: usize,
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({}.{})", self.executor, self.serial)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}.{}", self.executor, self.serial)
    }
}

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
    pub(crate) fn new(executor: Rc<Executor>, id: TaskId) -> Self {
        Self {
            executor,
            id,
            taken: false,
            _output: PhantomData,
        }
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

/// A task's future with its output type erased, as the executor stores it.
pub(crate) trait Job {
    /// Polls the future; `Ready` once it returned or panicked (its output is then stored
    /// and the future itself already dropped).
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;

    /// The stored output: an `Option<Result<T, TaskError>>`.
    fn output(self: Pin<&mut Self>) -> &mut dyn Any;
}

pin_project_lite::pin_project! {
    /// The future of a task and, once it finished, its output.
    pub(crate) struct JobCell<F: Future> {
        #[pin]
        fut: Option<F>,
        out: Option<Result<F::Output, TaskError>>,
    }
}

impl<F: Future> JobCell<F> {
    pub(crate) fn new(fut: F) -> Self {
        Self {
            fut: Some(fut),
            out: None,
        }
    }
}

impl<F> Job for JobCell<F>
where
    F: Future,
    F::Output: 'static,
{
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let Some(fut) = this.fut.as_mut().as_pin_mut() else {
            return Poll::Ready(());
        };
        let out = match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(value)) => Ok(value),
            Err(payload) => Err(TaskError::Panicked(Panicked::new(payload))),
        };
        // The future is dropped as soon as it is done; a panic in its drop is dropped
        // with it (the first outcome is the one reported).
        let mut fut = this.fut;
        drop(catch_unwind(AssertUnwindSafe(move || fut.set(None))));
        *this.out = Some(out);
        Poll::Ready(())
    }

    fn output(self: Pin<&mut Self>) -> &mut dyn Any {
        self.project().out
    }
}
