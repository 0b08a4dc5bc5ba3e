//! `Batcher` against tokio-stream's `chunks_timeout`, the stream adaptor users pick today, in
//! one group so the ratio is read from one run. Both sides batch the same 10 000 items into
//! batches of 100 (the volume always triggers first; the 10 ms time limit is a fallback),
//! with a bound of 1024 waiting items and one batch handled at a time.
//!
//! - put-and-go: one producer, the handler sums each batch.
//! - per-caller result: 10 000 tasks each await the result of their own item. `chunks_timeout`
//!   has no such thing, so that side hand-rolls it with a `oneshot` per item, as users do.

use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ayutil::Batcher;
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

const ITEMS: u64 = 10_000;
const VOLUME: NonZeroUsize = NonZeroUsize::new(100).unwrap();
const WAIT: Duration = Duration::from_millis(10);
const BOUND: NonZeroUsize = NonZeroUsize::new(1024).unwrap();

async fn ayutil_put_and_go() -> u64 {
    let total = Arc::new(AtomicU64::new(0));
    let sink = Arc::clone(&total);
    let batcher = Batcher::builder(VOLUME, WAIT)
        .max_concurrency(NonZeroUsize::MIN)
        .capacity(BOUND)
        .build(move |items: Vec<u64>| {
            sink.fetch_add(items.iter().sum::<u64>(), Ordering::Relaxed);
            std::future::ready(Ok::<_, std::convert::Infallible>(vec![(); items.len()]))
        })
        .unwrap();
    for n in 0..ITEMS {
        batcher.put(n).await.unwrap();
    }
    batcher.close().await.unwrap();
    total.load(Ordering::Relaxed)
}

async fn chunks_timeout_put_and_go() -> u64 {
    let (tx, rx) = mpsc::channel::<u64>(BOUND.get());
    let consumer = tokio::spawn(async move {
        let chunks = ReceiverStream::new(rx).chunks_timeout(VOLUME.get(), WAIT);
        tokio::pin!(chunks);
        let mut total = 0;
        while let Some(items) = chunks.next().await {
            total += items.iter().sum::<u64>();
        }
        total
    });
    for n in 0..ITEMS {
        tx.send(n).await.unwrap();
    }
    drop(tx);
    consumer.await.unwrap()
}

async fn ayutil_per_caller() -> u64 {
    let batcher = Batcher::builder(VOLUME, WAIT)
        .max_concurrency(NonZeroUsize::MIN)
        .capacity(BOUND)
        .build(|items: Vec<u64>| {
            std::future::ready(Ok::<_, std::convert::Infallible>(
                items.into_iter().map(|n| n * 2).collect::<Vec<_>>(),
            ))
        })
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..ITEMS {
        let batcher = batcher.clone();
        tasks.spawn(async move { batcher.call(n).await.unwrap() });
    }
    drop(batcher);
    tasks.join_all().await.into_iter().sum()
}

async fn chunks_timeout_per_caller() -> u64 {
    let (tx, rx) = mpsc::channel::<(u64, oneshot::Sender<u64>)>(BOUND.get());
    let consumer = tokio::spawn(async move {
        let chunks = ReceiverStream::new(rx).chunks_timeout(VOLUME.get(), WAIT);
        tokio::pin!(chunks);
        while let Some(items) = chunks.next().await {
            for (n, reply) in items {
                let _ = reply.send(n * 2);
            }
        }
    });
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..ITEMS {
        let tx = tx.clone();
        tasks.spawn(async move {
            let (reply, answer) = oneshot::channel();
            tx.send((n, reply)).await.unwrap();
            answer.await.unwrap()
        });
    }
    drop(tx);
    let total = tasks.join_all().await.into_iter().sum();
    consumer.await.unwrap();
    total
}

fn bench_batcher(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    // Both sides must compute the same thing before they are timed.
    let sum: u64 = (0..ITEMS).sum();
    assert_eq!(rt.block_on(ayutil_put_and_go()), sum);
    assert_eq!(rt.block_on(chunks_timeout_put_and_go()), sum);
    assert_eq!(rt.block_on(ayutil_per_caller()), 2 * sum);
    assert_eq!(rt.block_on(chunks_timeout_per_caller()), 2 * sum);

    let mut g = c.benchmark_group("batcher/10k items in batches of 100");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("tokio-stream chunks_timeout, put-and-go", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(chunks_timeout_put_and_go().await) })
    });
    g.bench_function("ayutil Batcher::put, put-and-go", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(ayutil_put_and_go().await) })
    });
    g.bench_function(
        "tokio-stream chunks_timeout + oneshot, per-caller result",
        |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(chunks_timeout_per_caller().await) })
        },
    );
    g.bench_function("ayutil Batcher::call, per-caller result", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(ayutil_per_caller().await) })
    });
    g.finish();
}

criterion_group!(benches, bench_batcher);
criterion_main!(benches);
