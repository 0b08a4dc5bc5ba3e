//! Giving way at a chosen place: [`sleep_insert`], [`yield_now`], [`task_switch`] and
//! [`spawn_descend`], and the [`Reschedule`] future behind the first three.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::engine::Executor;
use super::{SchedulingError, Task, TaskId};

/// Yields, and queues the current task at `pos` in the ready queue instead of the tail:
/// it sleeps for `pos` places rather than for a time. `pos` = 0 runs it again next,
/// before any other entry; a `pos` past the tail (`usize::MAX`) is a plain yield.
///
/// # Errors
///
/// The future gives [`SchedulingError::NoCurrentTask`] if polled from a callback, and
/// [`SchedulingError::NoExecutor`] outside a running executor; it then returns at once,
/// without yielding.
///
/// # Examples
///
/// Six tasks are runnable; sleeping 2 places lets two of them run first.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Rc::new(RefCell::new(Vec::new()));
/// ayutil::SchedulingExecutor::new()
///     .run(async {
///         for n in 0..6 {
///             let log = log.clone();
///             let _ = scheduling::spawn(async move { log.borrow_mut().push(n.to_string()) });
///         }
///         scheduling::sleep_insert(2).await.unwrap();
///         log.borrow_mut().push("me".into());
///         scheduling::yield_now().await.unwrap();
///     })
///     .await;
/// assert_eq!(*log.borrow(), ["0", "1", "me", "2", "3", "4", "5"]);
/// # }
/// ```
pub fn sleep_insert(pos: usize) -> Reschedule {
    Reschedule {
        switch_to: None,
        pos,
        yielded: false,
    }
}

/// Yields: the current task goes to the tail of the ready queue, as `asyncio.sleep(0)`.
/// The same as [`sleep_insert(usize::MAX)`](sleep_insert).
///
/// `tokio::task::yield_now` also works inside the executor, but tokio delays its wake-up
/// until the executor itself yields to tokio, so the task runs after everything else that
/// is ready rather than at its place in the queue.
///
/// # Errors
///
/// As [`sleep_insert`].
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Rc::new(RefCell::new(Vec::new()));
/// ayutil::SchedulingExecutor::new()
///     .run(async {
///         let child = {
///             let log = log.clone();
///             scheduling::spawn(async move { log.borrow_mut().push("child") }).unwrap()
///         };
///         scheduling::yield_now().await.unwrap();
///         log.borrow_mut().push("main");
///         child.await.unwrap();
///     })
///     .await;
/// assert_eq!(*log.borrow(), ["child", "main"]);
/// # }
/// ```
pub fn yield_now() -> Reschedule {
    sleep_insert(usize::MAX)
}

/// Switches to `task` now: it moves to the head of the ready queue and the current task
/// yields, queued at `insert_pos` (typically 1: right after `task`) or, with `None`, at
/// the tail.
///
/// # Errors
///
/// The future gives [`SchedulingError::NotRunnable`] if `task` is not in the ready queue
/// (blocked, running — the current task itself — or its entry popped),
/// [`SchedulingError::Finished`] or [`SchedulingError::ForeignTask`]; and the errors of
/// [`sleep_insert`]. It then returns at once, without yielding.
///
/// # Examples
///
/// Six tasks are runnable; switching to the fourth runs it first, and with
/// `insert_pos = Some(1)` the caller resumes right after it.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Rc::new(RefCell::new(Vec::new()));
/// ayutil::SchedulingExecutor::new()
///     .run(async {
///         let tasks: Vec<_> = (0..6)
///             .map(|n| {
///                 let log = log.clone();
///                 scheduling::spawn(async move { log.borrow_mut().push(n.to_string()) }).unwrap()
///             })
///             .collect();
///         scheduling::task_switch(tasks[3].id(), Some(1)).await.unwrap();
///         log.borrow_mut().push("me".into());
///         scheduling::yield_now().await.unwrap();
///     })
///     .await;
/// assert_eq!(*log.borrow(), ["3", "me", "0", "1", "2", "4", "5"]);
/// # }
/// ```
pub fn task_switch(task: TaskId, insert_pos: Option<usize>) -> Reschedule {
    Reschedule {
        switch_to: Some(task),
        pos: insert_pos.unwrap_or(usize::MAX),
        yielded: false,
    }
}

/// Spawns `fut` depth-first: the new task runs at once, and the caller resumes right after
/// the new task first waits (or finishes). A task is always created; compare
/// [`eager`](fn@crate::eager), which runs the body in the caller and creates a task only if it
/// waits.
///
/// # Errors
///
/// [`SchedulingError::NoCurrentTask`] from a callback, [`SchedulingError::NoExecutor`]
/// outside a running executor, [`SchedulingError::Stopped`] while the executor stops;
/// nothing is spawned then.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Rc::new(RefCell::new(Vec::new()));
/// ayutil::SchedulingExecutor::new()
///     .run(async {
///         let other = {
///             let log = log.clone();
///             scheduling::spawn(async move { log.borrow_mut().push("other") }).unwrap()
///         };
///         let child = {
///             let log = log.clone();
///             scheduling::spawn_descend(async move {
///                 log.borrow_mut().push("child starts");
///                 scheduling::yield_now().await.unwrap();
///                 log.borrow_mut().push("child ends");
///             })
///             .await
///             .unwrap()
///         };
///         log.borrow_mut().push("parent");
///         child.await.unwrap();
///         other.await.unwrap();
///     })
///     .await;
/// assert_eq!(*log.borrow(), ["child starts", "parent", "other", "child ends"]);
/// # }
/// ```
pub async fn spawn_descend<F>(fut: F) -> Result<Task<F::Output>, SchedulingError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let executor = Executor::current()?;
    executor.current_task()?;
    let task = Task::spawn(executor, fut)?;
    task_switch(task.id(), Some(1)).await?;
    Ok(task)
}

/// Future of [`sleep_insert`], [`yield_now`] and [`task_switch`]: yields once, with the
/// current task queued where it asked.
///
/// # Cancel safety
///
/// Dropping it after its first poll leaves the task queued where it asked; the task runs
/// from wherever it is polled next.
///
/// # Examples
///
/// ```
/// use ayutil::scheduling::{self, Reschedule};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// ayutil::SchedulingExecutor::new()
///     .run(async {
///         let give_way: Reschedule = scheduling::sleep_insert(0);
///         give_way.await.unwrap(); // nothing else was queued: runs again at once
///     })
///     .await;
/// # }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Reschedule {
    switch_to: Option<TaskId>,
    pos: usize,
    yielded: bool,
}

impl Future for Reschedule {
    type Output = Result<(), SchedulingError>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.yielded {
            return Poll::Ready(Ok(()));
        }
        let queued = Executor::current().and_then(|executor| {
            executor.reschedule(this.switch_to, this.pos)
        });
        match queued {
            // No wake-up: the executor queues the task where it asked when the step ends.
            Ok(()) => {
                this.yielded = true;
                Poll::Pending
            }
            Err(err) => Poll::Ready(Err(err)),
        }
    }
}

impl fmt::Debug for Reschedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reschedule")
            .field("switch_to", &self.switch_to)
            .field("pos", &self.pos)
            .field("yielded", &self.yielded)
            .finish()
    }
}
