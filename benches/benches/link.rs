//! `link!` against `futures::join!` on the same futures, in one group per shape, so the
//! ratio is read from one run. Futures are ready at once: the bench measures the gather's
//! own cost, not the work.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

async fn one(x: u64) -> u64 {
    black_box(x)
}

fn bench_link(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    let mut g = c.benchmark_group("link/3 ready futures");
    g.bench_function("futures::join!", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(futures::join!(one(1), one(2), one(3))) })
    });
    g.bench_function("ayutil::link!", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(ayutil::link!(one(1), one(2), one(3)).await) })
    });
    g.finish();

    let mut g = c.benchmark_group("link/8 ready futures");
    g.bench_function("futures::join!", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(futures::join!(
                one(1),
                one(2),
                one(3),
                one(4),
                one(5),
                one(6),
                one(7),
                one(8)
            ))
        })
    });
    g.bench_function("ayutil::link!", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(
                ayutil::link!(
                    one(1),
                    one(2),
                    one(3),
                    one(4),
                    one(5),
                    one(6),
                    one(7),
                    one(8)
                )
                .await,
            )
        })
    });
    g.finish();

    // The seed's mix: an async fn item, a future, a sync closure and a value. `join!`
    // needs each adapted by hand.
    async fn st() -> u64 {
        black_box(0)
    }
    let mut g = c.benchmark_group("link/seed mix");
    g.bench_function("futures::join!", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(futures::join!(
                st(),
                one(1),
                async { black_box(2u64) },
                async { 420u64 }
            ))
        })
    });
    g.bench_function("ayutil::link!", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(ayutil::link!(st, one(1), || black_box(2u64), 420u64).await)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_link);
criterion_main!(benches);
