//! [`MainExit`]: the exit status of a `#[run_as_main]` program.

use std::process::{ExitCode, Termination};

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
