//! Eager start: [`eager`](fn@eager), [`eager_local`] and [`CoroStart`] run a future at
//! once, on the caller's stack, until it first waits.
//!
//! Rust futures are lazy: nothing runs until the first poll. An eager future starts the
//! moment it is called, like an `async` method in C#: the caller gets control back when
//! the body first waits, returns or panics. A body that finished is handed back as a
//! ready [`Eager`] (no task is spawned); a body that waits continues as a tokio task, so
//! it makes progress while the caller does other work.

mod attr;
mod continuation;
mod future;
mod spawn;
mod start;

#[doc(hidden)]
pub mod __private;

pub use self::attr::eager;
pub use self::continuation::Continuation;
pub use self::future::Eager;
pub use self::spawn::{eager, eager_local};
pub use self::start::{CoroStart, NotDone};
pub use crate::rt::inherit::inherit_task_local;
