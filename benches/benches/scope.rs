//! 100 000 tiny tasks with at most 64 in flight: ayutil's `Scope` against the two ways
//! people write it today, tokio's `JoinSet` + `Semaphore(64)` and `futures`'
//! `buffer_unordered(64)`, in one group so the ratios are read from one run.
//!
//! Every contender runs its tasks as spawned tokio tasks on the same 2-worker runtime
//! (a `Scope`'s tasks are tokio tasks, parallel on a multi-thread runtime); a last entry
//! drives the same futures inside one task with `buffer_unordered` (no spawn, no
//! parallelism) to show what spawning itself costs.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt as _;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const TASKS: u64 = 100_000;
const LIMIT: usize = 64;

async fn tiny(i: u64) -> u64 {
    black_box(i)
}

fn bench_scope(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();

    let mut g = c.benchmark_group("scope/100k tiny tasks, 64 at once");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));

    g.bench_function("ayutil::Scope max_concurrency(64)", |b| {
        b.to_async(&rt).iter(|| async {
            let out = ayutil::Scope::<u64>::options()
                .max_concurrency(NonZeroUsize::new(LIMIT).unwrap())
                .run(|s| async move {
                    for i in 0..TASKS {
                        s.spawn(tiny(i));
                    }
                })
                .await
                .unwrap();
            black_box(out.into_results().len())
        })
    });

    g.bench_function("tokio JoinSet + Semaphore(64)", |b| {
        b.to_async(&rt).iter(|| async {
            let sem = Arc::new(Semaphore::new(LIMIT));
            let mut set = JoinSet::new();
            for i in 0..TASKS {
                let permit = Arc::clone(&sem).acquire_owned().await.unwrap();
                set.spawn(async move {
                    let out = tiny(i).await;
                    drop(permit);
                    out
                });
            }
            let mut results = Vec::with_capacity(TASKS as usize);
            while let Some(out) = set.join_next().await {
                results.push(out.unwrap());
            }
            black_box(results.len())
        })
    });

    g.bench_function("futures buffer_unordered(64) of tokio::spawn", |b| {
        b.to_async(&rt).iter(|| async {
            let results: Vec<u64> = futures::stream::iter(0..TASKS)
                .map(|i| tokio::spawn(tiny(i)))
                .buffer_unordered(LIMIT)
                .map(Result::unwrap)
                .collect()
                .await;
            black_box(results.len())
        })
    });

    g.bench_function(
        "futures buffer_unordered(64), in one task (reference)",
        |b| {
            b.to_async(&rt).iter(|| async {
                let results: Vec<u64> = futures::stream::iter(0..TASKS)
                    .map(tiny)
                    .buffer_unordered(LIMIT)
                    .collect()
                    .await;
                black_box(results.len())
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench_scope);
criterion_main!(benches);
