//! [`TaskId`]: the name of a task of the scheduling executor, in the functions that move
//! tasks around.

use core::fmt;

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
