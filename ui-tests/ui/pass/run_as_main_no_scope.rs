//! `main` without the root scope, a duration string, and `crate` written as a string;
//! prelude names shadowed.
#![deny(warnings)]
#![allow(dead_code)]

struct Result;
struct Option;
struct Duration;
mod ayutil {}

#[::ayutil::run_as_main(flavor = "current_thread", timeout = "1m30s", crate = "::ayutil")]
pub(super) async fn main() {}
