//! [`Scope`]: execution scopes (Trio's nurseries, ayo's `ExecutionScope`) and
//! `#[run_as_main]`.

mod error;
mod executor;
mod handle;
mod main;
mod options;
mod outcome;
mod schedule;
mod state;
mod task;

pub use self::error::{BoxError, ExecutorError, ScopeError, ZeroConcurrencyError};
pub use self::executor::{Executor, ExecutorJob, register_executor};
pub use self::handle::Scope;
pub use self::main::{MainExit, MainHooks};
pub use self::options::{ScopeOptions, scope};
pub use self::outcome::{ScopeOutput, TaskOutcome};
pub use self::schedule::ScheduledHandle;
pub use self::task::TaskHandle;

pub use ayutil_macros::run_as_main;

#[doc(hidden)]
pub mod __private {
    pub use super::main::{MainConfig, MainExit, MainOutput, run_main, run_main_until, typed};
}
