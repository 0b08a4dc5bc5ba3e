//! [`MainExit`] and [`MainHooks`]: the runtime side of `#[run_as_main]`.
//!
//! The macro only builds a [`MainConfig`] and calls [`run_main`]; everything else
//! (runtime, root scope, signals, hooks, exit code) happens here.

use core::fmt;
use core::future::Future;
use core::num::NonZeroUsize;
use core::pin::Pin;
use core::time::Duration;
use std::process::{ExitCode, Termination};
use std::sync::{Arc, OnceLock};

use crate::rt::spawn;
use crate::scope::handle::Scope;
use crate::scope::options::ScopeOptions;
use crate::scope::state::StopReason;

type Hook = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// Code that `#[run_as_main]` runs at four moments of the program, in registration order:
///
/// - **starting**: the runtime is built, the root scope is not open yet;
/// - **started**: the root scope is open, `main`'s body is about to run;
/// - **stopping**: the root scope ended (every task finished or was cancelled), the exit
///   code is not reported yet;
/// - **stopped**: the exit code is decided and any error printed; last thing on the
///   runtime.
///
/// Hand them to the macro with `#[run_as_main(hooks = my_hooks())]`.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
///
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let (a, b) = (Arc::clone(&log), Arc::clone(&log));
/// let hooks = ayutil::MainHooks::new()
///     .on_stopping(move || async move { a.lock().unwrap().push("stopping") })
///     .on_started(move || async move { b.lock().unwrap().push("started") });
/// // Registering runs nothing: `#[run_as_main]` runs them at their moment.
/// assert!(log.lock().unwrap().is_empty());
/// assert_eq!(
///     format!("{hooks:?}"),
///     "MainHooks { starting: 0, started: 1, stopping: 1, stopped: 0 }"
/// );
/// ```
#[derive(Default)]
pub struct MainHooks {
    starting: Vec<Hook>,
    started: Vec<Hook>,
    stopping: Vec<Hook>,
    stopped: Vec<Hook>,
}

impl fmt::Debug for MainHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MainHooks")
            .field("starting", &self.starting.len())
            .field("started", &self.started.len())
            .field("stopping", &self.stopping.len())
            .field("stopped", &self.stopped.len())
            .finish()
    }
}

fn hook<C, F>(f: C) -> Hook
where
    C: FnOnce() -> F + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    Box::new(move || Box::pin(f()))
}

async fn run_hooks(hooks: Vec<Hook>) {
    for hook in hooks {
        hook().await;
    }
}

impl MainHooks {
    /// No hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// let hooks = ayutil::MainHooks::new();
    /// assert_eq!(
    ///     format!("{hooks:?}"),
    ///     "MainHooks { starting: 0, started: 0, stopping: 0, stopped: 0 }"
    /// );
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a hook run before the root scope opens.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    ///
    /// static CONFIG_LOADED: AtomicBool = AtomicBool::new(false);
    ///
    /// fn hooks() -> ayutil::MainHooks {
    ///     ayutil::MainHooks::new().on_starting(|| async {
    ///         // e.g. read the configuration, before any task can run
    ///         CONFIG_LOADED.store(true, Ordering::SeqCst);
    ///     })
    /// }
    ///
    /// #[ayutil::run_as_main(flavor = "current_thread", hooks = hooks())]
    /// async fn main(_run: ayutil::Scope) {
    ///     assert!(CONFIG_LOADED.load(Ordering::SeqCst));
    /// }
    /// ```
    #[must_use]
    pub fn on_starting<C, F>(mut self, f: C) -> Self
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.starting.push(hook(f));
        self
    }

    /// Adds a hook run inside the root scope, right before `main`'s body.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    ///
    /// static LOG: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    ///
    /// fn hooks() -> ayutil::MainHooks {
    ///     ayutil::MainHooks::new()
    ///         .on_started(|| async { LOG.lock().unwrap().push("started") })
    ///         .on_starting(|| async { LOG.lock().unwrap().push("starting") })
    /// }
    ///
    /// #[ayutil::run_as_main(flavor = "current_thread", hooks = hooks())]
    /// async fn main(_run: ayutil::Scope) {
    ///     // Each moment in turn, whatever the registration order.
    ///     assert_eq!(*LOG.lock().unwrap(), ["starting", "started"]);
    /// }
    /// ```
    #[must_use]
    pub fn on_started<C, F>(mut self, f: C) -> Self
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.started.push(hook(f));
        self
    }

    /// Adds a hook run once the root scope ended, before the exit code is reported.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// static DONE: AtomicUsize = AtomicUsize::new(0);
    ///
    /// fn hooks() -> ayutil::MainHooks {
    ///     ayutil::MainHooks::new().on_stopping(|| async {
    ///         // The root scope waited for its tasks: every one of them is done.
    ///         assert_eq!(DONE.load(Ordering::SeqCst), 3);
    ///     })
    /// }
    ///
    /// #[ayutil::run_as_main(flavor = "current_thread", hooks = hooks())]
    /// async fn main(run: ayutil::Scope) {
    ///     for _ in 0..3 {
    ///         run.spawn(async {
    ///             tokio::task::yield_now().await;
    ///             DONE.fetch_add(1, Ordering::SeqCst);
    ///         });
    ///     }
    /// }
    /// ```
    #[must_use]
    pub fn on_stopping<C, F>(mut self, f: C) -> Self
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.stopping.push(hook(f));
        self
    }

    /// Adds a hook run last, after the exit code is decided.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Mutex;
    ///
    /// static LOG: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    ///
    /// fn hooks() -> ayutil::MainHooks {
    ///     ayutil::MainHooks::new()
    ///         .on_stopped(|| async {
    ///             // Last of all, after the `on_stopping` hooks (even ones added later).
    ///             assert_eq!(*LOG.lock().unwrap(), ["body", "stopping"]);
    ///         })
    ///         .on_stopping(|| async { LOG.lock().unwrap().push("stopping") })
    /// }
    ///
    /// #[ayutil::run_as_main(flavor = "current_thread", hooks = hooks())]
    /// async fn main(_run: ayutil::Scope) {
    ///     LOG.lock().unwrap().push("body");
    /// }
    /// ```
    #[must_use]
    pub fn on_stopped<C, F>(mut self, f: C) -> Self
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.stopped.push(hook(f));
        self
    }
}

/// The exit status of a `#[run_as_main]` program: 0 on success, 1 when `main` or a task
/// of its root scope failed (the error is printed to stderr), and 128 + the signal's
/// number when a signal cancelled it: 130 for Ctrl+C (SIGINT), 143 for SIGTERM. A failure
/// wins over an interruption.
///
/// # Examples
///
/// ```
/// assert_eq!(ayutil::MainExit::INTERRUPTED.code(), 130);
/// assert_eq!(ayutil::MainExit::TERMINATED.code(), 143);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MainExit(u8);

impl MainExit {
    /// Everything finished (or timed out) without failure.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ayutil::MainExit::SUCCESS.code(), 0);
    /// ```
    pub const SUCCESS: Self = Self(0);
    /// `main` returned `Err`, or a task of the root scope failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::MainExit;
    ///
    /// assert_eq!(MainExit::FAILURE.code(), 1);
    /// assert_ne!(MainExit::FAILURE, MainExit::SUCCESS);
    /// ```
    pub const FAILURE: Self = Self(1);
    /// Ctrl+C (SIGINT) cancelled the root scope.
    ///
    /// # Examples
    ///
    /// ```
    /// // 128 + 2 (SIGINT), what shells report for a program stopped by Ctrl+C.
    /// assert_eq!(ayutil::MainExit::INTERRUPTED.code(), 128 + 2);
    /// ```
    pub const INTERRUPTED: Self = Self(130);
    /// SIGTERM cancelled the root scope.
    ///
    /// # Examples
    ///
    /// ```
    /// // 128 + 15 (SIGTERM), what a service manager expects after asking a program to stop.
    /// assert_eq!(ayutil::MainExit::TERMINATED.code(), 128 + 15);
    /// ```
    pub const TERMINATED: Self = Self(143);

    /// The process exit code.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::MainExit;
    ///
    /// let exits = [MainExit::SUCCESS, MainExit::FAILURE, MainExit::INTERRUPTED, MainExit::TERMINATED];
    /// assert_eq!(exits.map(MainExit::code), [0, 1, 130, 143]);
    /// ```
    #[must_use]
    pub fn code(self) -> u8 {
        self.0
    }
}

impl Termination for MainExit {
    fn report(self) -> ExitCode {
        ExitCode::from(self.0)
    }
}

/// What `main` may return under `#[run_as_main]`: `()` or `Result<(), E: Debug>`.
#[diagnostic::on_unimplemented(
    message = "a `#[run_as_main]` function must return `()` or `Result<(), E>` with `E: Debug`, not `{Self}`",
    label = "change this return type"
)]
pub trait MainOutput {
    /// `Err` with the `Debug` text of the failure.
    fn into_main_result(self) -> Result<(), String>;
}

impl MainOutput for () {
    fn into_main_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: fmt::Debug> MainOutput for Result<(), E> {
    fn into_main_result(self) -> Result<(), String> {
        self.map_err(|error| format!("{error:?}"))
    }
}

/// `main`'s output once converted; what the generated closure returns.
#[derive(Debug)]
pub struct MainResult(Result<(), String>);

impl MainOutput for MainResult {
    fn into_main_result(self) -> Result<(), String> {
        self.0
    }
}

/// The conversion of `main`'s output. Called on its own in the expansion, so that a wrong
/// return type is reported once, on that type.
pub fn main_output<R: MainOutput>() -> fn(R) -> MainResult {
    |output| MainResult(output.into_main_result())
}

/// The options of `#[run_as_main]`, built by the macro.
#[derive(Debug, Default)]
pub struct MainConfig {
    current_thread: bool,
    worker_threads: Option<usize>,
    timeout: Option<Duration>,
    max_concurrency: Option<NonZeroUsize>,
    hooks: MainHooks,
}

impl MainConfig {
    /// Default options: multi-thread runtime, no limit, no time-out, no hooks.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs on a current-thread runtime.
    #[must_use]
    pub fn current_thread(mut self) -> Self {
        self.current_thread = true;
        self
    }

    /// Sets the multi-thread runtime's worker count.
    #[must_use]
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.worker_threads = Some(n);
        self
    }

    /// Sets the root scope's time-out.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the root scope's concurrency limit (the macro rejects zero at compile time).
    #[must_use]
    pub fn max_concurrency(mut self, n: NonZeroUsize) -> Self {
        self.max_concurrency = Some(n);
        self
    }

    /// Sets the life-cycle hooks.
    #[must_use]
    pub fn hooks(mut self, hooks: MainHooks) -> Self {
        self.hooks = hooks;
        self
    }
}

/// Pins the output type of `main`'s body to the declared return type.
pub fn typed<R, F: Future<Output = R>>(fut: F) -> F {
    fut
}

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

/// Ctrl+C (SIGINT), or SIGTERM on Unix, as the exit status it calls for (128 + the
/// signal's number). Handlers are installed before this returns, so a signal that arrives
/// while `main` starts is not lost (nor kills the process).
fn shutdown_signal() -> impl Future<Output = MainExit> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => MainExit::INTERRUPTED,
                        _ = terminate.recv() => MainExit::TERMINATED,
                    }
                }
                // Without handlers the default action (exit) stays; never cancel.
                _ => core::future::pending().await,
            }
        }
    }
    #[cfg(not(unix))]
    {
        async move {
            if tokio::signal::ctrl_c().await.is_err() {
                core::future::pending::<()>().await;
            }
            MainExit::INTERRUPTED
        }
    }
}
