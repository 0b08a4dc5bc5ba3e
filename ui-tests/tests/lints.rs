//! The expansions of every macro, with single-expression bodies, compile without a
//! warning under `deny(warnings, clippy::all)` (thiserror's `test_lints.rs`): `cargo clippy
//! --all-targets` lints this file, trybuild's pass cases only get rustc's lints.

#![deny(warnings, clippy::all)]

use std::time::Duration;

use ayutil::{MainExit, ProviderSpec, Scope, cached, eager, provider, run_as_main};

#[derive(Clone, Hash, PartialEq, Eq)]
struct Rate(u32);

static FACTOR: ProviderSpec<u32> = ProviderSpec::lazy(|| 3);

#[cached]
fn sync_plain(x: u32) -> u32 {
    x + 1
}

#[cached(ttl = "1m", max = 10)]
async fn async_result(x: u32) -> Result<u32, std::io::Error> {
    Ok(x)
}

#[cached(ttl = Duration::from_secs(5), cache_errors)]
async fn anyhow_result(x: u32) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    Ok(x)
}

#[cached(task)]
async fn task(x: u32) -> u32 {
    x
}

#[cached]
fn no_arguments() {}

#[allow(clippy::too_many_arguments)]
#[cached]
fn wide(
    a: u8,
    b: u8,
    c: u8,
    d: u8,
    e: u8,
    f: u8,
    g: u8,
    h: u8,
    i: u8,
    j: u8,
    k: u8,
    l: u8,
    m: u8,
) -> u8 {
    a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ i ^ j ^ k ^ l ^ m
}

impl Rate {
    #[cached]
    async fn apply(&self, x: u32) -> u32 {
        self.0 * x
    }

    #[cached]
    async fn into_apply(mut self, x: u32) -> u32 {
        self.0 * x
    }

    #[provider(factor, from = FACTOR)]
    fn scaled(&self, factor: u32) -> u32 {
        self.0 * factor
    }
}

#[provider(factor, from = FACTOR)]
fn scale(x: u32, factor: u32) -> u32 {
    x * factor
}

#[provider(factor, from = FACTOR)]
#[cached]
async fn scale_cached(x: u32, factor: u32) -> u32 {
    x * factor
}

#[cached]
#[provider(factor, from = FACTOR)]
fn cached_scale(x: u32, factor: u32) -> u32 {
    x * factor
}

#[eager]
async fn eager_single(x: u32) -> u32 {
    x + 1
}

#[eager]
async fn eager_patterns((a, b): (u32, u32), mut n: u32, _: u8) -> u32 {
    n += a;
    n + b
}

#[eager(local)]
async fn eager_local(x: u32) -> u32 {
    x
}

#[eager]
#[cached]
async fn eager_cached(x: u32) -> u32 {
    x * 2
}

#[provider(factor, from = FACTOR)]
#[eager]
async fn eager_provided(x: u32, factor: u32) -> u32 {
    x * factor
}

impl Rate {
    #[eager]
    async fn eager_by_value(self, x: u32) -> u32 {
        self.0 + x
    }
}

#[run_as_main(flavor = "current_thread", timeout = "10s")]
async fn app() {}

#[run_as_main(flavor = "current_thread")]
async fn app_with_scope(run: Scope) -> Result<(), String> {
    run.spawn(async {});
    Ok(())
}

#[tokio::test]
async fn every_expansion_runs() {
    assert_eq!(sync_plain(1), 2);
    assert_eq!(async_result(1).await.unwrap(), 1);
    assert_eq!(anyhow_result(1).await.unwrap(), 1);
    assert_eq!(task(2).await, 2);
    no_arguments();
    assert_eq!(wide(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 1);
    assert_eq!(Rate(2).apply(3).await, 6);
    assert_eq!(Rate(2).into_apply(3).await, 6);
    assert_eq!(Rate(2).scaled(), 6);
    assert_eq!(scale(2), 6);
    assert_eq!(scale_cached(2).await, 6);
    assert_eq!(scale_cached_with(2, 1).await, 2);
    assert_eq!(cached_scale(2), 6);
    assert_eq!(cached_scale_with(2, 1), 2);
    assert_eq!(eager_single(1).await, 2);
    assert_eq!(eager_patterns((1, 2), 3, 0).await, 6);
    let local = tokio::task::LocalSet::new();
    assert_eq!(local.run_until(async { eager_local(4).await }).await, 4);
    assert_eq!(eager_cached(2).await, 4);
    assert_eq!(eager_provided(2).await, 6);
    assert_eq!(eager_provided_with(2, 1).await, 2);
    assert_eq!(Rate(2).eager_by_value(3).await, 5);
    let link = ayutil::link!(async { 1 }, || 2, 3).await;
    assert_eq!(link, (1, 2, 3));
}

#[test]
fn run_as_main_expansions_run() {
    assert_eq!(app(), MainExit::SUCCESS);
    assert_eq!(app_with_scope(), MainExit::SUCCESS);
}
