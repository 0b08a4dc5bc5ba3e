//! `Waterfall` against chained `.buffered(k)` stages on the same stage functions, in one
//! group per shape so the ratio is read from one run.
//!
//! Both keep item order between stages. `buffered(k)` holds at most k items per stage and
//! only polls them when the stream is polled; the waterfall runs each cell as a task and
//! starts a cell the moment its grid dependencies are met. Before benching, the sleeping
//! shape prints the waterfall's makespan against the grid's critical path.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;

const ITEMS: u64 = 256;
const K: usize = 16;

async fn yielding(x: u64) -> u64 {
    tokio::task::yield_now().await;
    black_box(x + 1)
}

/// Stage `stage` sleeps a duration that varies by item, so items finish out of order.
async fn sleeping(stage: u64, x: u64) -> u64 {
    let micros = 200 + ((x * 7 + stage * 3) % 5) * 150;
    tokio::time::sleep(Duration::from_micros(micros)).await;
    black_box(x)
}

fn bench_waterfall(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let k = NonZeroUsize::new(K).unwrap();

    let mut g = c.benchmark_group("waterfall/3 stages x 256 items yielding once, k = 16");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("chained buffered(k)", |b| {
        b.to_async(&rt).iter(|| {
            futures::stream::iter(0..ITEMS)
                .map(yielding)
                .buffered(K)
                .map(yielding)
                .buffered(K)
                .map(yielding)
                .buffered(K)
                .fold(0, |a, v| async move { a + v })
        })
    });
    let wf = ayutil::Waterfall::<u64>::new()
        .stage("a", k, yielding)
        .stage("b", k, yielding)
        .stage("c", k, yielding);
    g.bench_function("ayutil::Waterfall", |b| {
        b.to_async(&rt).iter(|| {
            wf.run(0..ITEMS)
                .fold(0, |a, v| async move { a + v.unwrap() })
        })
    });
    g.finish();

    let wf = ayutil::Waterfall::<u64>::new()
        .stage("a", k, |x| sleeping(0, x))
        .stage("b", k, |x| sleeping(1, x))
        .stage("c", k, |x| sleeping(2, x));
    // Makespan against the critical-path bound, with the limit k and with no limit (where
    // the greedy schedule should reach the bound).
    for (label, limit) in [("k = 16", k), ("unlimited", NonZeroUsize::MAX)] {
        let wf = ayutil::Waterfall::<u64>::new()
            .stage("a", limit, |x| sleeping(0, x))
            .stage("b", limit, |x| sleeping(1, x))
            .stage("c", limit, |x| sleeping(2, x));
        rt.block_on(async {
            let mut run = wf.run(0..ITEMS);
            while run.next().await.is_some() {}
            let t = run.timeline();
            eprintln!(
                "waterfall sleeping 3 x {ITEMS}, {label}: makespan {:?}, critical-path bound {:?}, ratio {:.3}",
                t.makespan(),
                t.critical_path(),
                t.makespan().as_secs_f64() / t.critical_path().as_secs_f64()
            );
        });
    }
    let mut g = c.benchmark_group("waterfall/3 stages x 256 items sleeping 0.2-0.8 ms, k = 16");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("chained buffered(k)", |b| {
        b.to_async(&rt).iter(|| {
            futures::stream::iter(0..ITEMS)
                .map(|x| sleeping(0, x))
                .buffered(K)
                .map(|x| sleeping(1, x))
                .buffered(K)
                .map(|x| sleeping(2, x))
                .buffered(K)
                .fold(0, |a, v| async move { a + v })
        })
    });
    g.bench_function("ayutil::Waterfall", |b| {
        b.to_async(&rt).iter(|| {
            wf.run(0..ITEMS)
                .fold(0, |a, v| async move { a + v.unwrap() })
        })
    });
    g.finish();
}

criterion_group!(benches, bench_waterfall);
criterion_main!(benches);
