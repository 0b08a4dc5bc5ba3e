//! The ready queue itself: [`ready_len`], [`ready_pop`], [`ready_insert`],
//! [`ready_rotate`] and [`call_insert`].
//!
//! Positions count from the head: position 0 runs next. A position past the tail means the
//! tail, as Python's `list.insert` does, so `usize::MAX` always means "last".

use super::engine::Executor;
use super::{ReadyEntry, SchedulingError};

/// The number of entries in the ready queue: runnable tasks and pending callbacks. The
/// current task is not in it.
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
///         assert_eq!(scheduling::ready_len(), Ok(0));
///         let _a = scheduling::spawn(async {}).unwrap();
///         scheduling::call_insert(0, || {}).unwrap();
///         assert_eq!(scheduling::ready_len(), Ok(2));
///     })
///     .await;
/// # }
/// ```
pub fn ready_len() -> Result<usize, SchedulingError> {
    Ok(Executor::current()?.ready_len())
}

/// Takes the entry at `pos` out of the ready queue.
///
/// A task whose entry is out does not run, and counts as blocked, until the entry is put
/// back with [`ready_insert`] (or dropped, which puts it back at the tail).
///
/// # Errors
///
/// [`SchedulingError::NoSuchPosition`] if the queue is not longer than `pos`;
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
///         let task = scheduling::spawn(async {}).unwrap();
///         let entry = scheduling::ready_pop(0).unwrap();
///         assert_eq!(entry.task(), Some(task.id()));
///         assert!(scheduling::ready_pop(0).is_err()); // now empty
///         scheduling::ready_insert(0, entry).unwrap();
///     })
///     .await;
/// # }
/// ```
pub fn ready_pop(pos: usize) -> Result<ReadyEntry, SchedulingError> {
    let executor = Executor::current()?;
    let entry = executor.ready_pop(pos)?;
    Ok(ReadyEntry::new(executor, entry))
}

/// Puts an entry taken with [`ready_pop`] back at `pos` (the tail if `pos` is past it).
///
/// # Errors
///
/// [`SchedulingError::ForeignEntry`] for an entry of another executor (it goes back to
/// the tail of its own queue); [`SchedulingError::Finished`] if the entry's task was
/// aborted meanwhile; [`SchedulingError::NoExecutor`] outside a running executor.
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
///         for n in 0..3 {
///             let log = log.clone();
///             let _ = scheduling::spawn(async move { log.borrow_mut().push(n) }).unwrap();
///         }
///         let last = scheduling::ready_pop(2).unwrap();
///         scheduling::ready_insert(0, last).unwrap();
///         scheduling::yield_now().await.unwrap();
///     })
///     .await;
/// assert_eq!(*log.borrow(), [2, 0, 1]);
/// # }
/// ```
pub fn ready_insert(pos: usize, entry: ReadyEntry) -> Result<(), SchedulingError> {
    let executor = Executor::current()?;
    if !executor.owns(entry.executor()) {
        return Err(SchedulingError::ForeignEntry);
    }
    match entry.take() {
        Some(entry) => executor.ready_insert(pos, entry),
        None => Ok(()),
    }
}

/// Rotates the ready queue by `n` steps, as Python's `deque.rotate`: a positive `n` moves
/// the last `n` entries to the head, a negative `n` moves the first `-n` entries to the
/// tail. Any `n` is accepted (it counts modulo the length).
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
///         let ids: Vec<_> = (0..4).map(|_| scheduling::spawn(async {}).unwrap()).collect();
///         scheduling::ready_rotate(1).unwrap();
///         let order = scheduling::runnable_tasks().unwrap();
///         assert_eq!(order, [ids[3].id(), ids[0].id(), ids[1].id(), ids[2].id()]);
///     })
///     .await;
/// # }
/// ```
pub fn ready_rotate(n: isize) -> Result<(), SchedulingError> {
    Executor::current()?.ready_rotate(n);
    Ok(())
}

/// Schedules `callback` at `pos` in the ready queue (the tail if `pos` is past it): it is
/// called, outside any task, when its entry comes up.
///
/// A callback may call the scheduling functions, except those that need a current task.
/// A panic in a callback propagates out of [`SchedulingExecutor::run`](crate::SchedulingExecutor::run),
/// like a panic of the main future.
///
/// # Errors
///
/// [`SchedulingError::NoExecutor`] outside a running executor.
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
///         for (label, pos) in [("a", 0), ("b", 0), ("c", 1)] {
///             let log = log.clone();
///             scheduling::call_insert(pos, move || log.borrow_mut().push(label)).unwrap();
///         }
///         scheduling::yield_now().await.unwrap();
///     })
///     .await;
/// assert_eq!(*log.borrow(), ["b", "c", "a"]);
/// # }
/// ```
pub fn call_insert(pos: usize, callback: impl FnOnce() + 'static) -> Result<(), SchedulingError> {
    Executor::current()?.call_insert(pos, Box::new(callback));
    Ok(())
}
