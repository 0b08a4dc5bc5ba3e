//! `Funnel` against `FuturesUnordered` fed from a stream and against `buffer_unordered`,
//! on the same futures, in one group per shape so the ratio is read from one run.
//!
//! The funnel polls each future once inline, then hands the pending ones to a driver task
//! of its own (so futures keep running while the consumer is busy, futures-rs 2387); the
//! anchors poll them inline in the consumer. The groups show what that costs: ready futures
//! (pure overhead), futures that yield a few times, and futures that sleep (the common
//! case: waiting on I/O).

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures::stream::{FuturesUnordered, StreamExt};

const N: u64 = 1000;
const LIMIT: usize = 64;

/// Drives a `FuturesUnordered` fed from `source`, at most `limit` at once: the hand-written
/// loop `buffer_unordered` replaces.
async fn futures_unordered<S, F>(mut source: S, limit: usize) -> u64
where
    S: futures::Stream<Item = F> + Unpin,
    F: Future<Output = u64>,
{
    let mut set = FuturesUnordered::new();
    let mut sum = 0;
    let mut source_done = false;
    loop {
        while !source_done && set.len() < limit {
            match source.next().await {
                Some(f) => set.push(f),
                None => source_done = true,
            }
        }
        match set.next().await {
            Some(v) => sum += v,
            None if source_done => return sum,
            None => {}
        }
    }
}

async fn yielding(i: u64) -> u64 {
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    black_box(i)
}

async fn sleeping(i: u64) -> u64 {
    tokio::time::sleep(Duration::from_micros(200 + (i % 5) * 100)).await;
    black_box(i)
}

fn bench_funnel(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let limit = NonZeroUsize::new(LIMIT).unwrap();

    macro_rules! group {
        ($name:literal, $make:expr) => {{
            let mut g = c.benchmark_group($name);
            g.sample_size(20)
                .measurement_time(Duration::from_secs(3))
                .warm_up_time(Duration::from_secs(1));
            g.bench_function("FuturesUnordered fed from a stream", |b| {
                b.to_async(&rt)
                    .iter(|| futures_unordered(futures::stream::iter(0..N).map($make), LIMIT))
            });
            g.bench_function("buffer_unordered", |b| {
                b.to_async(&rt).iter(|| {
                    futures::stream::iter(0..N)
                        .map($make)
                        .buffer_unordered(LIMIT)
                        .fold(0, |a, v| async move { a + v })
                })
            });
            g.bench_function("ayutil::funnel", |b| {
                b.to_async(&rt).iter(|| {
                    ayutil::funnel(futures::stream::iter(0..N).map($make))
                        .limit(limit)
                        .fold(0, |a, v| async move { a + v })
                })
            });
            g.finish();
        }};
    }

    group!("funnel/1000 ready futures, limit 64", |i| async move {
        black_box(i)
    });
    group!("funnel/1000 futures yielding 3 times, limit 64", yielding);
    group!(
        "funnel/1000 futures sleeping 0.2-0.6 ms, limit 64",
        sleeping
    );
}

criterion_group!(benches, bench_funnel);
criterion_main!(benches);
