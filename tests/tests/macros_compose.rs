//! `#[provider]` and `#[cached]` together, in either order, and task-local provider
//! overrides. The expansions compile under `deny(warnings, clippy::all)`.

#![deny(warnings, clippy::all)]

use std::sync::atomic::{AtomicUsize, Ordering};

use ayutil::{ProviderSpec, cached, provider};

/// A dependency that is not `Hash`: it can never be part of a cache key.
#[derive(Clone)]
struct Db {
    offset: u64,
}

static PROVIDER_CALLS: AtomicUsize = AtomicUsize::new(0);

fn production_db() -> Db {
    PROVIDER_CALLS.fetch_add(1, Ordering::SeqCst);
    Db { offset: 1000 }
}

static RUNS_PROVIDER_ON_TOP: AtomicUsize = AtomicUsize::new(0);

// Regression: `#[cached]` used to be copied onto `lookup_with`, which then answered from
// the cache filled through the provider.
#[provider(db, from = production_db)]
#[cached]
async fn provider_on_top(id: u64, db: Db) -> u64 {
    RUNS_PROVIDER_ON_TOP.fetch_add(1, Ordering::SeqCst);
    db.offset + id
}

static RUNS_CACHED_ON_TOP: AtomicUsize = AtomicUsize::new(0);

// Regression: with `#[cached]` on top, `db` used to become part of the key (`Db: Hash`
// is not satisfied), and `_with` returned the production value.
#[cached]
#[provider(db, from = production_db)]
async fn cached_on_top(id: u64, db: Db) -> u64 {
    RUNS_CACHED_ON_TOP.fetch_add(1, Ordering::SeqCst);
    db.offset + id
}

#[tokio::test(start_paused = true)]
async fn provider_on_top_caches_the_provided_call_only() {
    assert_eq!(provider_on_top(41).await, 1041);
    assert_eq!(provider_on_top(41).await, 1041);
    assert_eq!(RUNS_PROVIDER_ON_TOP.load(Ordering::SeqCst), 1);
    // The key is the id alone.
    assert_eq!(provider_on_top_cache().peek(&(41,)), Some(1041));
    // An explicit dependency answers for itself, never from the cache.
    assert_eq!(provider_on_top_with(41, Db { offset: 0 }).await, 41);
    assert_eq!(provider_on_top_with(41, Db { offset: 7 }).await, 48);
    assert_eq!(RUNS_PROVIDER_ON_TOP.load(Ordering::SeqCst), 3);
    assert_eq!(provider_on_top(41).await, 1041);
}

#[tokio::test(start_paused = true)]
async fn cached_on_top_caches_the_provided_call_only() {
    assert_eq!(cached_on_top(41).await, 1041);
    assert_eq!(cached_on_top(41).await, 1041);
    assert_eq!(RUNS_CACHED_ON_TOP.load(Ordering::SeqCst), 1);
    assert_eq!(cached_on_top_cache().peek(&(41,)), Some(1041));
    assert_eq!(cached_on_top_with(41, Db { offset: 0 }).await, 41);
    assert_eq!(cached_on_top_with(41, Db { offset: 7 }).await, 48);
    assert_eq!(cached_on_top(41).await, 1041);
}

static SYNC_RUNS: AtomicUsize = AtomicUsize::new(0);

#[cached]
#[provider(db, from = || Db { offset: 500 })]
fn sync_cached_on_top(id: u64, db: Db) -> u64 {
    SYNC_RUNS.fetch_add(1, Ordering::SeqCst);
    db.offset + id
}

#[test]
fn plain_functions_compose_too() {
    assert_eq!(sync_cached_on_top(1), 501);
    assert_eq!(sync_cached_on_top(1), 501);
    assert_eq!(SYNC_RUNS.load(Ordering::SeqCst), 1);
    assert_eq!(sync_cached_on_top_with(1, Db { offset: 0 }), 1);
    assert_eq!(SYNC_RUNS.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn the_provider_runs_only_on_a_miss() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    fn counted() -> Db {
        RUNS.fetch_add(1, Ordering::SeqCst);
        Db { offset: 0 }
    }
    #[cached]
    #[provider(db, from = counted)]
    async fn f(id: u64, db: Db) -> u64 {
        db.offset + id
    }
    for _ in 0..10 {
        assert_eq!(f(3).await, 3);
    }
    assert_eq!(RUNS.load(Ordering::SeqCst), 1);
}

#[derive(Clone, Hash, PartialEq, Eq)]
struct Service {
    region: &'static str,
}

impl Service {
    #[provider(db, from = || Db { offset: 10 })]
    #[cached]
    async fn price(&self, id: u64, db: Db) -> String {
        format!("{}:{}", self.region, db.offset + id)
    }
}

#[tokio::test(start_paused = true)]
async fn methods_compose_and_key_on_self_and_the_remaining_arguments() {
    let eu = Service { region: "eu" };
    assert_eq!(eu.price(1).await, "eu:11");
    assert_eq!(eu.price_with(1, Db { offset: 0 }).await, "eu:1");
    assert_eq!(
        Service::price_cache().peek(&(eu.clone(), 1)),
        Some("eu:11".to_owned())
    );
}

static LIMIT: ProviderSpec<u64> = ProviderSpec::lazy(|| 100);

#[provider(limit, from = LIMIT)]
async fn clamp(n: u64, limit: u64) -> u64 {
    tokio::task::yield_now().await;
    n.min(limit)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overrides_are_task_local_under_parallel_load() {
    let tasks: Vec<_> = (0..400u64)
        .map(|i| {
            tokio::spawn(async move {
                if i % 2 == 0 {
                    // Each task installs its own double; none sees another's.
                    let got = LIMIT.with_override(i, clamp(u64::MAX)).await;
                    assert_eq!(got, i);
                } else {
                    assert_eq!(clamp(u64::MAX).await, 100);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(clamp(u64::MAX).await, 100);
}

#[tokio::test(start_paused = true)]
async fn overrides_nest_and_end_with_their_future() {
    let nested = LIMIT.with_override(1, async {
        let inner = LIMIT.with_override(2, clamp(50)).await;
        (clamp(50).await, inner)
    });
    assert_eq!(nested.await, (1, 2));
    assert_eq!(clamp(50).await, 50);

    // Dropped before it finished: the override is gone too.
    let dropped = LIMIT.with_override(3, std::future::pending::<()>());
    let mut dropped = Box::pin(dropped);
    assert!(futures::poll!(dropped.as_mut()).is_pending());
    drop(dropped);
    assert_eq!(LIMIT.current().as_ref(), &100);
}

#[test]
fn sync_overrides() {
    #[provider(limit, from = LIMIT)]
    fn clamp_now(n: u64, limit: u64) -> u64 {
        n.min(limit)
    }
    assert_eq!(LIMIT.with_override_sync(7, || clamp_now(u64::MAX)), 7);
    assert_eq!(clamp_now(u64::MAX), 100);
}
