//! `crate = …` takes a path or a string in every macro.
#![deny(warnings)]

use std::time::Duration;

#[ayutil::cached(crate = ::ayutil, ttl = Duration::from_secs(1))]
fn bare(x: u32) -> u32 {
    x
}

#[ayutil::cached(crate = "ayutil")]
fn quoted(x: u32) -> u32 {
    x
}

#[ayutil::provider(n, from = || 1, crate = "::ayutil")]
fn provided(n: u32) -> u32 {
    n
}

#[ayutil::provider(n, from = || 1, crate = ayutil)]
fn provided_bare(n: u32) -> u32 {
    n
}

#[ayutil::run_as_main(flavor = "current_thread", crate = ::ayutil, timeout = Duration::MAX)]
pub(super) async fn main(_run: ayutil::Scope) {
    assert_eq!(bare(1) + quoted(1) + provided() + provided_bare(), 4);
}
