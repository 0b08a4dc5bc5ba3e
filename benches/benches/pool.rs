//! `Pool(64)` against the usual ways to bound concurrency in tokio, in one group so the
//! ratio is read from one run: `JoinSet` + `Semaphore(64)` (an owned permit acquired
//! before each spawn) and `futures`' `buffer_unordered(64)` of `tokio::spawn`ed tasks, both
//! doing the same work as the pool (every body a tokio task that may run in parallel).
//! `buffer_unordered(64)` of the bare futures, polled inside the caller's task with no
//! spawn and no parallelism, is the reference: the limit to approach, not a contender.
//! Each iteration pushes 100,000 tiny tasks through the limit and waits for all of them.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures::StreamExt as _;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const TASKS: u64 = 100_000;
const LIMIT: usize = 64;

/// The task body: ready at once, so the bench measures the pool, not the work.
async fn tiny(i: u64) {
    black_box(i);
}

async fn joinset_semaphore() {
    let sem = Arc::new(Semaphore::new(LIMIT));
    let mut set = JoinSet::new();
    for i in 0..TASKS {
        let permit = Arc::clone(&sem).acquire_owned().await.unwrap();
        set.spawn(async move {
            tiny(i).await;
            drop(permit);
        });
        // Reap finished tasks as we go, as a careful user would, so the set stays small.
        while let Some(res) = set.try_join_next() {
            res.unwrap();
        }
    }
    while let Some(res) = set.join_next().await {
        res.unwrap();
    }
}

async fn buffer_unordered_spawned() {
    futures::stream::iter(0..TASKS)
        .map(|i| tokio::spawn(tiny(i)))
        .buffer_unordered(LIMIT)
        .for_each(|res| async move { res.unwrap() })
        .await;
}

async fn buffer_unordered_in_task() {
    futures::stream::iter(0..TASKS)
        .map(tiny)
        .buffer_unordered(LIMIT)
        .for_each(|()| async {})
        .await;
}

async fn ayutil_pool() {
    let pool = ayutil::Pool::new(NonZeroUsize::new(LIMIT).unwrap());
    for i in 0..TASKS {
        pool.spawn(tiny(i));
    }
    pool.join().await.unwrap();
}

fn bench_pool(c: &mut Criterion) {
    let runtimes = [
        (
            "current_thread",
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
        ),
        (
            "multi_thread(2)",
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .unwrap(),
        ),
    ];
    let mut g = c.benchmark_group("pool/100k tiny tasks, limit 64");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    for (flavor, rt) in &runtimes {
        g.bench_function(BenchmarkId::new("tokio JoinSet + Semaphore", flavor), |b| {
            b.to_async(rt).iter(joinset_semaphore)
        });
        g.bench_function(
            BenchmarkId::new("futures buffer_unordered of tokio::spawn", flavor),
            |b| b.to_async(rt).iter(buffer_unordered_spawned),
        );
        g.bench_function(
            BenchmarkId::new("futures buffer_unordered, in one task (reference)", flavor),
            |b| b.to_async(rt).iter(buffer_unordered_in_task),
        );
        g.bench_function(BenchmarkId::new("ayutil Pool", flavor), |b| {
            b.to_async(rt).iter(ayutil_pool)
        });
    }
    g.finish();
}

criterion_group!(benches, bench_pool);
criterion_main!(benches);
