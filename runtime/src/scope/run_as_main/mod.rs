//! [`#[run_as_main]`](run_as_main): `fn main` as the root scope of the program; and the
//! runtime the macro expands to: [`MainHooks`], signals, [`MainExit`] codes.

mod attr;
mod config;
mod exit;
mod hooks;
mod output;
mod run;
mod signals;

#[doc(hidden)]
pub mod __private;

pub use self::attr::run_as_main;
pub use self::exit::MainExit;
pub use self::hooks::MainHooks;
