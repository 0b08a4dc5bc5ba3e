//! [`run_main`]: the runtime of `#[run_as_main]`: builds the tokio runtime, runs `main`
//! as the block of a root scope, and turns the end into an exit status.
//!
//! The macro only builds a [`MainConfig`] and calls [`run_main`]; everything else
//! (runtime, root scope, signals, hooks, exit code) happens here.

use core::fmt;
use core::future::Future;
use std::sync::{Arc, OnceLock};

use crate::rt::spawn;
use crate::scope::handle::Scope;
use crate::scope::options::ScopeOptions;
use crate::scope::run_as_main::config::MainConfig;
use crate::scope::run_as_main::exit::MainExit;
use crate::scope::run_as_main::hooks::{MainHooks, run_hooks};
use crate::scope::run_as_main::output::MainOutput;
use crate::scope::run_as_main::signals::shutdown_signal;
use crate::scope::state::StopReason;

/// Builds the runtime, runs `main` in a root scope until it ends, and cancels the root
/// scope on Ctrl+C (exit code 130) or SIGTERM (143).
pub fn run_main<T, E, C, F>(config: MainConfig, main: C) -> MainExit
where
    T: Send + 'static,
    E: fmt::Debug + Send + 'static,
    C: FnOnce(Scope<T, E>) -> F,
    F: Future,
    F::Output: MainOutput,
{
    run_main_until(config, main, shutdown_signal)
}

/// [`run_main`] with another interruption than the process signals: `interrupt()` is
/// called inside the runtime before `main` starts; when its future resolves to an exit
/// status, the root scope is cancelled and the program exits with that status (unless
/// `main` or a task failed: then 1).
pub fn run_main_until<T, E, C, F, I, IF>(config: MainConfig, main: C, interrupt: I) -> MainExit
where
    T: Send + 'static,
    E: fmt::Debug + Send + 'static,
    C: FnOnce(Scope<T, E>) -> F,
    F: Future,
    F::Output: MainOutput,
    I: FnOnce() -> IF,
    IF: Future<Output = MainExit> + Send + 'static,
{
    let mut builder = if config.current_thread {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if let Some(n) = config.worker_threads {
            builder.worker_threads(n);
        }
        builder
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Error: cannot build the tokio runtime: {error}");
            return MainExit::FAILURE;
        }
    };
    let MainConfig {
        timeout,
        max_concurrency,
        hooks,
        ..
    } = config;
    runtime.block_on(async move {
        let MainHooks {
            starting,
            started,
            stopping,
            stopped,
        } = hooks;
        run_hooks(starting).await;

        let root: Arc<OnceLock<Scope<T, E>>> = Arc::new(OnceLock::new());
        let interrupted = Arc::new(OnceLock::new());
        let signal = interrupt();
        let watcher = {
            let (root, interrupted) = (Arc::clone(&root), Arc::clone(&interrupted));
            spawn::spawn(async move {
                let exit = signal.await;
                let _ = interrupted.set(exit);
                if let Some(scope) = root.get() {
                    scope.cancel();
                }
            })
        };

        // Nobody reads the root scope's results: it holds memory only for live tasks.
        let mut options = ScopeOptions::<T, E>::default().discard_results();
        if let Some(timeout) = timeout {
            options = options.timeout(timeout);
        }
        if let Some(n) = max_concurrency {
            options = options.max_concurrency(n);
        }
        // `main` is the root scope's block: its `Err` cancels the tasks, and is kept
        // here (its type need not be the scope's `E`) even if a task fails too.
        let mut main_error = None;
        let main_error_slot = &mut main_error;
        let outcome = options
            .run(|scope| {
                let _ = root.set(scope.clone());
                // A signal that arrived before the scope existed still cancels it.
                if interrupted.get().is_some() {
                    scope.cancel();
                }
                async move {
                    run_hooks(started).await;
                    let result = main(scope.clone()).await.into_main_result();
                    if let Err(message) = result {
                        *main_error_slot = Some(message);
                        scope.inner().stop(StopReason::Failed);
                    }
                }
            })
            .await;
        watcher.abort();
        run_hooks(stopping).await;

        let main_ok = match main_error {
            Some(message) => {
                eprintln!("Error: {message}");
                false
            }
            None => true,
        };
        let scope_ok = match outcome {
            Ok(_) => true,
            Err(error) => {
                eprintln!("Error: {:?}", error.first());
                for later in error.secondary() {
                    eprintln!("Error (while cancelling): {later:?}");
                }
                false
            }
        };
        let exit = if main_ok && scope_ok {
            interrupted.get().copied().unwrap_or(MainExit::SUCCESS)
        } else {
            MainExit::FAILURE
        };
        run_hooks(stopped).await;
        exit
    })
}
