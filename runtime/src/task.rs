//! Tasks that cannot be lost: spawn them from anywhere, then wait for all of them.
//!
//! | type | for |
//! |---|---|
//! | [`Scope`] (and [`scope`]) | a block whose tasks end with it: results in spawn order, a concurrency limit, a time-out, the first failure cancels the rest |
//! | [`run_as_main`](macro@run_as_main) | `fn main` as the root scope of the program, with Ctrl+C handling and exit codes |
//! | [`Group`] | a cloneable set of tasks; `join` waits for all, including those spawned meanwhile |
//! | [`Pool`] | a `Group` that runs at most `n` tasks at once |
//! | [`TaskSet`] | background tasks: failures never cancel siblings, every error is returned, an exit time-out |
//! | [`Bag`], [`OrderedBag`] | tasks that put values into one stream, in arrival or in spawn order |
//! | [`offload`] | blocking work on tokio's blocking pool, as a future |
//!
//! Every task is a tokio task, so it must be `Send + 'static` (it cannot borrow from
//! the caller's stack) and runs in parallel with the others on a multi-thread runtime.

cfg_scope! {
    pub use crate::scope::*;
}
cfg_group! {
    pub use crate::group::*;
}
pub use crate::link::{Offload, offload};
