//! [`MainConfig`]: the options of `#[run_as_main]`, as the macro builds them.

use core::num::NonZeroUsize;
use core::time::Duration;

use crate::scope::run_as_main::hooks::MainHooks;

/// The options of `#[run_as_main]`, built by the macro.
#[derive(Debug, Default)]
pub struct MainConfig {
    pub(crate) current_thread: bool,
    pub(crate) worker_threads: Option<usize>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_concurrency: Option<NonZeroUsize>,
    pub(crate) hooks: MainHooks,
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
