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

pub use self::error::{ExecutorError, JoinError, ScopeError};
pub use self::executor::{Executor, ExecutorJob, register_executor};
pub use self::handle::Scope;
pub use self::main::{MainExit, MainHooks};
pub use self::options::{ScopeOptions, scope};
pub use self::outcome::{ScopeOutput, TaskOutcome};
pub use self::schedule::ScheduledHandle;
pub use self::task::TaskHandle;

/// Runs `async fn main()` in a root [`Scope`] on a new tokio runtime (the seed's
/// `@ayo.run_as_main()`).
///
/// The generated `fn main` builds the runtime, opens the root scope, runs the body in
/// it, and returns only once every task of that scope finished. `main` may take the root
/// scope as its one parameter (`async fn main(run: ayutil::Scope)`, any path to `Scope`,
/// with or without `<T, E>`) to spawn tasks into it, or take nothing. Ctrl+C (and SIGTERM
/// on Unix) cancels the root scope gracefully. The body is the root scope's block, as in
/// [`ScopeOptions::try_run`]: when it returns `Err`, the root scope's tasks are cancelled
/// at once. The exit code ([`MainExit`]) is 0 on success, 1 if the body returned `Err` or
/// a task of the root scope failed (each error is printed to stderr, as `Debug`; none is
/// dropped), and 128 + the signal's number after a signal: 130 for Ctrl+C, 143 for
/// SIGTERM. A failure wins over a signal. A panic is not caught: it propagates as from a
/// plain `main`.
///
/// Nobody reads the root scope's results, so it keeps none
/// ([`ScopeOptions::discard_results`]): a server that spawns a task per connection in it
/// holds memory only for the live connections.
///
/// The function must be a safe, non-generic `async fn` returning `()` or `Result<(), E>`
/// with `E: Debug`. The macro reports these mistakes itself, at the offending tokens.
///
/// Options, all optional:
///
/// | option | meaning |
/// | --- | --- |
/// | `flavor = "multi_thread"` / `"current_thread"` | the runtime (default: multi-thread) |
/// | `worker_threads = 4` | worker count of the multi-thread runtime |
/// | `max_concurrency = 10` | limit of the root scope (must be at least 1) |
/// | `timeout = "1m30s"` / `timeout = Duration::from_secs(90)` | deadline of the root scope: a string with units `d h m s ms us ns` (checked at compile time) or any `Duration` expression; `Duration::MAX` is no deadline |
/// | `hooks = my_hooks()` | a [`MainHooks`] expression: code run at starting, started, stopping, stopped |
/// | `crate = ay` / `crate = "ay"` | the path of `ayutil` when the dependency is renamed |
///
/// Durations and `crate` are written the same way in every ayutil attribute
/// ([`cached`](crate::cached), [`provider`](crate::provider)).
///
/// The body becomes an `async move` block in the generated function; tasks the scope
/// spawns are tokio tasks, so they need `Send + 'static`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[ayutil::run_as_main(flavor = "current_thread", timeout = "10s")]
/// async fn main(run: ayutil::Scope) -> Result<(), std::io::Error> {
///     run.spawn(async {
///         tokio::time::sleep(Duration::from_millis(10)).await;
///         println!("Hello !");
///     });
///     Ok(())
/// }
/// ```
///
/// A `main` that spawns nothing need not take the scope:
///
/// ```
/// #[ayutil::run_as_main(flavor = "current_thread")]
/// async fn main() -> Result<(), std::num::ParseIntError> {
///     let port: u16 = "8080".parse()?;
///     println!("listening on {port}");
///     Ok(())
/// }
/// ```
///
/// The first program without the macro:
///
/// ```
/// use std::time::Duration;
///
/// fn main() -> std::process::ExitCode {
///     let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
///     let out = runtime.block_on(
///         ayutil::Scope::<(), std::io::Error>::options()
///             .discard_results()
///             .timeout(Duration::from_secs(10))
///             .try_run(|run| async move {
///                 run.spawn(async { println!("Hello !") });
///                 Ok(())
///             }),
///     );
///     // ...plus signal handling, hooks and error printing, which `#[run_as_main]` adds.
///     match out {
///         Ok(_) => std::process::ExitCode::SUCCESS,
///         Err(_) => std::process::ExitCode::FAILURE,
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
