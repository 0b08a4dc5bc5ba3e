//! [`ReadyEntry`]: an entry taken out of the ready queue, to be put back elsewhere.

use core::fmt;
use std::rc::Rc;

use super::TaskId;
use super::engine::{Entry, Executor};

/// An entry popped off the ready queue by [`ready_pop`](crate::scheduling::ready_pop): a
/// step of a task, or a callback. Put it back with
/// [`ready_insert`](crate::scheduling::ready_insert).
///
/// While its entry is out of the queue, a task does not run and counts as blocked.
/// Dropping a task's entry without inserting it puts the task back at the tail of the
/// ready queue, so no task is lost; dropping a callback's entry drops the callback
/// without calling it.
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
///         let entry = scheduling::ready_pop(1).unwrap(); // b's entry
///         assert_eq!(entry.task(), Some(b.id()));
///         assert_eq!(scheduling::task_is_blocked(b.id()), Ok(true));
///         scheduling::ready_insert(0, entry).unwrap(); // b now runs before a
///         assert_eq!(scheduling::runnable_tasks().unwrap(), [b.id(), a.id()]);
///     })
///     .await;
/// # }
/// ```
#[must_use = "a popped entry belongs back in the ready queue: dropping a task's entry requeues it at the tail, dropping a callback's entry drops the callback"]
pub struct ReadyEntry {
    executor: Rc<Executor>,
    /// `None` once handed back to the executor.
    entry: Option<Entry>,
}

impl ReadyEntry {
    pub(crate) fn new(executor: Rc<Executor>, entry: Entry) -> Self {
        Self {
            executor,
            entry: Some(entry),
        }
    }

    pub(crate) fn executor(&self) -> &Executor {
        &self.executor
    }

    pub(crate) fn take(mut self) -> Option<Entry> {
        self.entry.take()
    }

    /// The task this entry would run a step of; `None` for a callback.
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
    ///         scheduling::call_insert(0, || {}).unwrap();
    ///         let entry = scheduling::ready_pop(0).unwrap();
    ///         assert_eq!(entry.task(), None);
    ///     })
    ///     .await;
    /// # }
    /// ```
    #[must_use]
    pub fn task(&self) -> Option<TaskId> {
        match &self.entry {
            Some(Entry::Task(id)) => Some(*id),
            Some(Entry::Callback(_)) | None => None,
        }
    }
}

impl Drop for ReadyEntry {
    fn drop(&mut self) {
        if let Some(Entry::Task(id)) = self.entry.take() {
            self.executor.requeue_popped(id);
        }
    }
}

impl fmt::Debug for ReadyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entry {
            Some(Entry::Task(id)) => f.debug_tuple("ReadyEntry").field(id).finish(),
            Some(Entry::Callback(_)) => f.write_str("ReadyEntry(<callback>)"),
            None => f.write_str("ReadyEntry(<inserted>)"),
        }
    }
}
