//! [`Scope`]: execution scopes (Trio's nurseries, ayo's `ExecutionScope`) and
//! `#[run_as_main]`.

mod control;
mod drive;
mod error;
mod executor;
mod handle;
mod ledger;
mod nesting;
mod options;
mod outcome;
pub(crate) mod run_as_main;
mod schedule;
mod state;
mod task;

pub use self::error::{ExecutorError, JoinError, ScopeError};
pub use self::executor::{Executor, ExecutorJob, register_executor};
pub use self::handle::Scope;
pub use self::options::{ScopeOptions, scope};
pub use self::outcome::{ScopeOutput, TaskOutcome};
pub use self::run_as_main::{MainExit, MainHooks, run_as_main};
pub use self::schedule::ScheduledHandle;
pub use self::task::TaskHandle;
