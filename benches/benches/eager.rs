//! Eager start and the scheduling executor, each beside what a user would do instead, one
//! group per comparison so the ratio is read from one run:
//! - `eager/finished body`: an eager future whose body finishes without waiting, against
//!   the same body as a plain `async` block awaited and as a `tokio::spawn`ed task. The
//!   body is boxed before its first poll (safe Rust cannot move a future once polled);
//!   here the optimizer sees that it finishes and removes the allocation, which it cannot
//!   do for a body that waits on a condition known only at run time;
//! - `scheduling/spawn and run 100k tasks`: the scheduling executor against a tokio
//!   `LocalSet`, both single-threaded and both joining every task;
//! - `scheduling/1000 switch round trips`: two tasks handing over with `task_switch`,
//!   against two tokio tasks alternating with `tokio::task::yield_now`.

use std::hint::black_box;

use ayutil::SchedulingExecutor;
use ayutil::scheduling;
use criterion::{Criterion, criterion_group, criterion_main};

const TASKS: usize = 100_000;
const ROUND_TRIPS: usize = 1_000;

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn bench_eager_finished(c: &mut Criterion) {
    let rt = current_thread();
    let mut g = c.benchmark_group("eager/finished body");
    g.bench_function("async block awaited", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(async { black_box(1_u64) }.await) })
    });
    g.bench_function("ayutil::eager", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(ayutil::eager(async { black_box(1_u64) }).await) })
    });
    g.bench_function("tokio::spawn", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(tokio::spawn(async { black_box(1_u64) }).await.unwrap()) })
    });
    g.finish();
}

fn bench_spawn_and_run(c: &mut Criterion) {
    let rt = current_thread();
    let mut g = c.benchmark_group("scheduling/spawn and run 100k tasks");
    g.sample_size(20);
    g.bench_function("tokio LocalSet", |b| {
        b.to_async(&rt).iter(|| async {
            tokio::task::LocalSet::new()
                .run_until(async {
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|i| tokio::task::spawn_local(async move { black_box(i) }))
                        .collect();
                    let mut sum = 0;
                    for task in tasks {
                        sum += task.await.unwrap();
                    }
                    black_box(sum)
                })
                .await
        })
    });
    g.bench_function("ayutil::SchedulingExecutor", |b| {
        b.to_async(&rt).iter(|| async {
            SchedulingExecutor::new()
                .run(async {
                    let tasks: Vec<_> = (0..TASKS)
                        .map(|i| scheduling::spawn(async move { black_box(i) }).unwrap())
                        .collect();
                    let mut sum = 0;
                    for task in tasks {
                        sum += task.await.unwrap();
                    }
                    black_box(sum)
                })
                .await
        })
    });
    g.finish();
}

fn bench_switch(c: &mut Criterion) {
    let rt = current_thread();
    let mut g = c.benchmark_group("scheduling/1000 switch round trips");
    g.bench_function("tokio::task::yield_now ping-pong", |b| {
        b.to_async(&rt).iter(|| async {
            let other = tokio::spawn(async {
                for _ in 0..ROUND_TRIPS {
                    tokio::task::yield_now().await;
                }
            });
            for _ in 0..ROUND_TRIPS {
                tokio::task::yield_now().await;
            }
            other.await.unwrap();
        })
    });
    g.bench_function("ayutil::scheduling::task_switch", |b| {
        b.to_async(&rt).iter(|| async {
            SchedulingExecutor::new()
                .run(async {
                    let main = scheduling::current_task().unwrap();
                    let other = scheduling::spawn(async move {
                        for _ in 0..ROUND_TRIPS {
                            scheduling::task_switch(main, Some(1)).await.unwrap();
                        }
                    })
                    .unwrap();
                    for _ in 0..ROUND_TRIPS {
                        scheduling::task_switch(other.id(), Some(1)).await.unwrap();
                    }
                    other.await.unwrap();
                })
                .await
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_eager_finished,
    bench_spawn_and_run,
    bench_switch
);
criterion_main!(benches);
