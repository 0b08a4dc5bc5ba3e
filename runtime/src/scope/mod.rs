//! [`Scope`]: execution scopes (Trio's nurseries, ayo's `ExecutionScope`) and
//! `#[run_as_main]`.

mod error;
mod executor;
mod handle;
mod ledger;
mod main;
mod nesting;
mod options;
mod outcome;
mod schedule;
mod state;
mod task;

pub use self::error::{BoxError, ExecutorError, JoinError, ScopeError, ZeroConcurrencyError};
pub use self::executor::{Executor, ExecutorJob, register_executor};
pub use self::handle::Scope;
pub use self::main::{MainExit, MainHooks};
pub use self::options::{ScopeOptions, scope};
pub use self::outcome::{ScopeOutput, TaskOutcome};
pub use self::schedule::ScheduledHandle;
pub use self::task::TaskHandle;

/// Runs `async fn main(run: ayutil::Scope)` in a root [`Scope`] on a new tokio runtime
/// (the seed's `@ayo.run_as_main()`).
///
/// The generated `fn main` builds the runtime, opens the root scope, runs the body in
/// it, and returns only once every task of that scope finished. Ctrl+C (and SIGTERM on
/// Unix) cancels the root scope gracefully. The body is the root scope's block, as in
/// [`ScopeOptions::try_run`]: when it returns `Err`, the root scope's tasks are
/// cancelled at once. The exit code ([`MainExit`]) is 0 on success, 1 if the body
/// returned `Err` or a task of the root scope failed (each error is printed to stderr,
/// as `Debug`; none is dropped), 130 after a signal; a failure wins over a signal. A
/// panic is not caught: it propagates as from a plain `main`.
///
/// Nobody reads the root scope's results, so it keeps none
/// ([`ScopeOptions::discard_results`]): a server that spawns a task per connection in
/// it holds memory only for the live connections.
///
/// The function must be `async`, take exactly one parameter whose type is `Scope` (any
/// path to it, with or without `<T, E>`), and return `()` or `Result<(), E>` with
/// `E: Debug`. The macro reports these mistakes itself, at the offending tokens.
///
/// Options, all optional:
///
/// | option | meaning |
/// | --- | --- |
/// | `flavor = "multi_thread"` / `"current_thread"` | the runtime (default: multi-thread) |
/// | `worker_threads = 4` | worker count of the multi-thread runtime |
/// | `max_concurrency = 10` | limit of the root scope (must be at least 1) |
/// | `timeout = Duration::from_secs(5)` | deadline of the root scope (any `Duration` expression) |
/// | `hooks = my_hooks()` | a [`MainHooks`] expression: code run at starting, started, stopping, stopped |
///
/// The body becomes an `async move` block in the generated function; tasks the scope
/// spawns are tokio tasks, so they need `Send + 'static`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[ayutil::run_as_main(flavor = "current_thread", timeout = Duration::from_secs(10))]
/// async fn main(run: ayutil::Scope) -> Result<(), std::io::Error> {
///     run.spawn(async {
///         tokio::time::sleep(Duration::from_millis(10)).await;
///         println!("Hello !");
///     });
///     Ok(())
/// }
/// ```
///
/// The same program without the macro:
///
/// ```
/// use std::time::Duration;
///
/// fn main() -> std::process::ExitCode {
///     let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
///     let out = runtime.block_on(
///         ayutil::Scope::<()>::options()
///             .timeout(Duration::from_secs(10))
///             .run(|run| async move {
///                 run.spawn(async { println!("Hello !") });
///                 Ok::<(), std::io::Error>(())
///             }),
///     );
///     // ...plus signal handling, hooks and error printing, which `#[run_as_main]` adds.
///     match out {
///         Ok(out) if !matches!(out.value(), Some(Err(_))) => std::process::ExitCode::SUCCESS,
///         _ => std::process::ExitCode::FAILURE,
///     }
/// }
/// ```
pub use ayutil_macros::run_as_main;

#[doc(hidden)]
pub mod __private {
    pub use super::main::{
        MainConfig, MainExit, MainOutput, MainResult, main_output, run_main, run_main_until, typed,
    };
}
