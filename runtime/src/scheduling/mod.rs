//! A scheduling executor: [`SchedulingExecutor`] runs tasks from a ready queue that the
//! program can read and reorder (asynkit's scheduling event loop and its functions).
//!
//! Inside [`SchedulingExecutor::run`], the functions of this module act on the running
//! executor: the ready queue itself ([`ready_len`], [`ready_pop`], [`ready_insert`],
//! [`ready_rotate`], [`call_insert`]), giving way at a chosen place ([`sleep_insert`],
//! [`yield_now`], [`task_switch`], [`spawn_descend`]), and the tasks ([`spawn`],
//! [`task_reinsert`], [`task_is_blocked`], [`current_task`], [`runnable_tasks`],
//! [`blocked_tasks`], [`all_tasks`]). Misuse (a task that is not where the function
//! needs it, a finished task, a call outside the executor) is returned as a
//! [`SchedulingError`], never raised as a panic.
//!
//! # Examples
//!
//! Depth-first start with [`spawn_descend`], then a switch back and forth:
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//!
//! use ayutil::scheduling;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let log = Rc::new(RefCell::new(Vec::new()));
//! ayutil::SchedulingExecutor::new()
//!     .run(async {
//!         let child = {
//!             let log = log.clone();
//!             scheduling::spawn_descend(async move {
//!                 log.borrow_mut().push("child 1");
//!                 scheduling::yield_now().await.unwrap();
//!                 log.borrow_mut().push("child 2");
//!             })
//!             .await
//!             .unwrap()
//!         };
//!         log.borrow_mut().push("parent 1");
//!         scheduling::task_switch(child.id(), Some(1)).await.unwrap();
//!         log.borrow_mut().push("parent 2");
//!     })
//!     .await;
//! assert_eq!(*log.borrow(), ["child 1", "parent 1", "child 2", "parent 2"]);
//! # }
//! ```

mod engine;
mod entry;
mod error;
mod executor;
mod job;
mod queue;
mod switch;
mod task;
mod task_id;
mod tasks;
mod waker;

pub use self::entry::ReadyEntry;
pub use self::error::{SchedulingError, TaskError};
pub use self::executor::{Run, SchedulingExecutor};
pub use self::queue::{call_insert, ready_insert, ready_len, ready_pop, ready_rotate};
pub use self::switch::{Reschedule, sleep_insert, spawn_descend, task_switch, yield_now};
pub use self::task::Task;
pub use self::task_id::TaskId;
pub use self::tasks::{
    all_tasks, blocked_tasks, current_task, runnable_tasks, spawn, task_is_blocked,
    task_reinsert,
};
