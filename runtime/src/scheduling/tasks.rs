//! Tasks of the executor: [`spawn`], [`current_task`], [`runnable_tasks`],
//! [`blocked_tasks`], [`all_tasks`], [`task_is_blocked`] and [`task_reinsert`].
//!
//! Every live task is in exactly one place, so `all_tasks` = `runnable_tasks` ∪
//! `blocked_tasks` ∪ {`current_task`}.

use core::future::Future;

use super::engine::Executor;
use super::{SchedulingError, Task, TaskId};

/// Spawns `fut` as a task of the current executor, at the tail of the ready queue.
///
/// The future need not be `Send`: it runs on the executor's thread.
///
/// # Errors
///
/// [`SchedulingError::NoExecutor`] outside a running executor;
/// [`SchedulingError::Stopped`] while the executor drops what is left after its main
/// future finished.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// ayutil::SchedulingExecutor::new()
///     .run(async {
///         let shared = Rc::new(5); // not `Send`
///         let task = scheduling::spawn(async move { *shared * 2 }).unwrap();
///         assert_eq!(task.await.unwrap(), 10);
///     })
///     .await;
/// assert!(scheduling::spawn(async {}).is_err()); // outside the executor
/// # }
/// ```
pub fn spawn<F>(fut: F) -> Result<Task<F::Output>, SchedulingError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    Task::spawn(Executor::current()?, fut)
}

/// The task running now: the one that called this.
///
/// # Errors
///
/// [`SchedulingError::NoCurrentTask`] from a callback;
/// [`SchedulingError::NoExecutor`] outside a running executor.
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
///         let child = scheduling::spawn(async { scheduling::current_task().unwrap() }).unwrap();
///         assert_ne!(child.await.unwrap(), main);
///     })
///     .await;
/// # }
/// ```
pub fn current_task() -> Result<TaskId, SchedulingError> {
    Executor::current()?.current_task()
}

/// The runnable tasks: those with an entry in the ready queue, in queue order.
///
/// # Errors
///
/// [`SchedulingError::NoExecutor`] outside a running executor.
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
///         let a = scheduling::spawn(async {}).unwrap();
///         let b = scheduling::spawn(async {}).unwrap();
///         assert_eq!(scheduling::runnable_tasks().unwrap(), [a.id(), b.id()]);
///     })
///     .await;
/// # }
/// ```
pub fn runnable_tasks() -> Result<Vec<TaskId>, SchedulingError> {
    Ok(Executor::current()?.runnable_tasks())
}

/// The blocked tasks: waiting for a wake-up, or with their entry popped off the ready
/// queue; in creation order.
///
/// # Errors
///
/// [`SchedulingError::NoExecutor`] outside a running executor.
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
///         let (tx, rx) = tokio::sync::oneshot::channel::<()>();
///         let waiting = scheduling::spawn(rx).unwrap();
///         scheduling::yield_now().await.unwrap(); // it runs and waits
///         assert_eq!(scheduling::blocked_tasks().unwrap(), [waiting.id()]);
///         tx.send(()).unwrap();
///         assert_eq!(scheduling::runnable_tasks().unwrap(), [waiting.id()]);
///     })
///     .await;
/// # }
/// ```
pub fn blocked_tasks() -> Result<Vec<TaskId>, SchedulingError> {
    Ok(Executor::current()?.blocked_tasks())
}

/// Every task of the executor that has not finished, the main one included, in creation
/// order.
///
/// # Errors
///
/// [`SchedulingError::NoExecutor`] outside a running executor.
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
///         assert_eq!(scheduling::all_tasks().unwrap(), [main, task.id()]);
///     })
///     .await;
/// # }
/// ```
pub fn all_tasks() -> Result<Vec<TaskId>, SchedulingError> {
    Ok(Executor::current()?.all_tasks())
}

/// Whether `task` is blocked: waiting for a wake-up (or with its entry popped off the
/// ready queue), so not in the ready queue and not running.
///
/// # Errors
///
/// [`SchedulingError::Finished`] if the task finished; [`SchedulingError::ForeignTask`]
/// for a task of another executor; [`SchedulingError::NoExecutor`] outside a running
/// executor.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// ayutil::SchedulingExecutor::new()
///     .run(async {
///         let task = scheduling::spawn(tokio::time::sleep(Duration::from_millis(100))).unwrap();
///         assert_eq!(scheduling::task_is_blocked(task.id()), Ok(false)); // runnable
///         scheduling::yield_now().await.unwrap(); // it settles on its sleep
///         assert_eq!(scheduling::task_is_blocked(task.id()), Ok(true));
///         let id = task.id();
///         task.await.unwrap();
///         assert!(scheduling::task_is_blocked(id).is_err()); // finished
///     })
///     .await;
/// # }
/// ```
pub fn task_is_blocked(task: TaskId) -> Result<bool, SchedulingError> {
    Executor::current()?.task_is_blocked(task)
}

/// Moves a runnable task to `pos` in the ready queue (the tail if `pos` is past it).
///
/// # Errors
///
/// [`SchedulingError::NotRunnable`] if the task is not in the ready queue (blocked,
/// running, or its entry popped); [`SchedulingError::Finished`],
/// [`SchedulingError::ForeignTask`]; [`SchedulingError::NoExecutor`] outside a running
/// executor.
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
///         let a = scheduling::spawn(async {}).unwrap();
///         let b = scheduling::spawn(async {}).unwrap();
///         scheduling::task_reinsert(b.id(), 0).unwrap();
///         assert_eq!(scheduling::runnable_tasks().unwrap(), [b.id(), a.id()]);
///     })
///     .await;
/// # }
/// ```
pub fn task_reinsert(task: TaskId, pos: usize) -> Result<(), SchedulingError> {
    Executor::current()?.task_reinsert(task, pos)
}
