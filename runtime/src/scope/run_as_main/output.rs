//! [`MainOutput`]: what `main` may return under `#[run_as_main]`, and the conversions
//! the expansion applies to it.

use core::fmt;
use core::future::Future;

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

/// Pins the output type of `main`'s body to the declared return type.
pub fn typed<R, F: Future<Output = R>>(fut: F) -> F {
    fut
}
