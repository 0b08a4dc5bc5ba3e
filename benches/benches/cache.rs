//! `#[cached]` against moka's `future::Cache` and the `cached` crate, in one criterion
//! group so the ratios are read from one run:
//!
//! - `hit/*`: a stored value, read from one task (ayutil vs moka `get` and `get_with`);
//! - `burst32/*`: 32 tasks ask for one missing key at once (1 execution), against moka
//!   `get_with`;
//! - `miss10k/*`: 10,000 tasks ask for 10,000 distinct missing keys at once, each body
//!   sleeping 1 ms, against the `cached` crate's `#[cached]` (default, and
//!   `sync_writes = "by_key"`, its single-flight mode).

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cached::Cached as _;
use criterion::{Criterion, criterion_group, criterion_main};

const BURST: usize = 32;
const MISSES: u64 = 10_000;
const SLOW: Duration = Duration::from_millis(1);

#[ayutil::cached]
async fn ayutil_hit(key: u64) -> u64 {
    key * 2
}

static BURST_RUNS: AtomicUsize = AtomicUsize::new(0);

#[ayutil::cached]
async fn ayutil_burst(key: u64) -> u64 {
    BURST_RUNS.fetch_add(1, Ordering::Relaxed);
    tokio::task::yield_now().await;
    key * 2
}

#[ayutil::cached]
async fn ayutil_slow(key: u64) -> u64 {
    tokio::time::sleep(SLOW).await;
    key * 2
}

#[cached::proc_macro::cached]
async fn cached_slow(key: u64) -> u64 {
    tokio::time::sleep(SLOW).await;
    key * 2
}

#[cached::proc_macro::cached(sync_writes = "by_key")]
async fn cached_slow_by_key(key: u64) -> u64 {
    tokio::time::sleep(SLOW).await;
    key * 2
}

async fn spawn_all<F, Fut>(n: u64, call: F)
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = u64> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(call(i))).collect();
    for task in tasks {
        black_box(task.await.unwrap());
    }
}

fn bench_cache(c: &mut Criterion) {
    let local = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let moka: moka::future::Cache<u64, u64> = moka::future::Cache::new(100_000);
    local.block_on(async {
        ayutil_hit(1).await;
        moka.insert(1, 2).await;
    });

    let mut g = c.benchmark_group("cache");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));

    g.bench_function("hit/ayutil #[cached]", |b| {
        b.to_async(&local)
            .iter(|| async { black_box(ayutil_hit(black_box(1)).await) })
    });
    g.bench_function("hit/moka get", |b| {
        b.to_async(&local)
            .iter(|| async { black_box(moka.get(&black_box(1)).await) })
    });
    g.bench_function("hit/moka get_with", |b| {
        b.to_async(&local)
            .iter(|| async { black_box(moka.get_with(black_box(1), async { 2 }).await) })
    });

    g.bench_function("burst32/ayutil #[cached]", |b| {
        b.to_async(&multi).iter(|| async {
            ayutil_burst_cache().clear();
            spawn_all(BURST as u64, |_| ayutil_burst(7)).await;
        })
    });
    let moka_burst: moka::future::Cache<u64, u64> = moka::future::Cache::new(100);
    g.bench_function("burst32/moka get_with", |b| {
        b.to_async(&multi).iter(|| async {
            moka_burst.invalidate(&7).await;
            let tasks: Vec<_> = (0..BURST)
                .map(|_| {
                    let cache = moka_burst.clone();
                    tokio::spawn(async move {
                        cache
                            .get_with(7, async {
                                tokio::task::yield_now().await;
                                14
                            })
                            .await
                    })
                })
                .collect();
            for task in tasks {
                black_box(task.await.unwrap());
            }
        })
    });

    g.bench_function("miss10k/ayutil #[cached]", |b| {
        b.to_async(&multi).iter(|| async {
            ayutil_slow_cache().clear();
            spawn_all(MISSES, ayutil_slow).await;
        })
    });
    g.bench_function("miss10k/cached #[cached]", |b| {
        b.to_async(&multi).iter(|| async {
            CACHED_SLOW.write().await.cache_clear();
            spawn_all(MISSES, cached_slow).await;
        })
    });
    g.bench_function("miss10k/cached #[cached(sync_writes = by_key)]", |b| {
        b.to_async(&multi).iter(|| async {
            (**CACHED_SLOW_BY_KEY).write().await.cache_clear();
            spawn_all(MISSES, cached_slow_by_key).await;
        })
    });
    g.finish();

    // The burst ran one execution per iteration: check the single flight held under load.
    let stats = ayutil_burst_cache().stats();
    assert_eq!(stats.misses as usize, BURST_RUNS.load(Ordering::Relaxed));
    assert_eq!((stats.hits + stats.joins + stats.misses) % BURST as u64, 0);
}

criterion_group!(benches, bench_cache);
criterion_main!(benches);
