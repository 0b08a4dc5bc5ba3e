//! What `#[run_as_main]` expands to: `::ayutil::__private::run_as_main::...`. Not public
//! API: no semver guarantees.

pub use crate::scope::run_as_main::config::MainConfig;
pub use crate::scope::run_as_main::exit::MainExit;
pub use crate::scope::run_as_main::output::{MainOutput, MainResult, main_output, typed};
pub use crate::scope::run_as_main::run::{run_main, run_main_until};
