//! [`shutdown_signal`]: the process signals that cancel the root scope of
//! `#[run_as_main]`, as the exit status each calls for.

use core::future::Future;

use crate::scope::run_as_main::exit::MainExit;

/// Ctrl+C (SIGINT), or SIGTERM on Unix, as the exit status it calls for (128 + the
/// signal's number). Handlers are installed before this returns, so a signal that arrives
/// while `main` starts is not lost (nor kills the process).
pub(crate) fn shutdown_signal() -> impl Future<Output = MainExit> + Send + 'static {
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
