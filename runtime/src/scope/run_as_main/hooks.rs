//! [`MainHooks`]: code `#[run_as_main]` runs at four moments of the program.

use core::fmt;
use core::future::Future;
use core::pin::Pin;

pub(crate) type Hook = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

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
    pub(crate) starting: Vec<Hook>,
    pub(crate) started: Vec<Hook>,
    pub(crate) stopping: Vec<Hook>,
    pub(crate) stopped: Vec<Hook>,
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

pub(crate) async fn run_hooks(hooks: Vec<Hook>) {
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
