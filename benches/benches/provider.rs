//! `#[provider]` calls against the same function called with the value passed by hand
//! (its explicit `_with` variant), in one group per kind of provider, so the ratio is read
//! from one run. The difference is the provider's own cost: for `ProviderSpec`, a read
//! lock and an `Arc` clone; for a closure, nothing.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use ayutil::{ProviderSpec, SharedArc, provider};
use criterion::{Criterion, criterion_group, criterion_main};

type Map = BTreeMap<u32, &'static str>;

fn base_map() -> Map {
    BTreeMap::from([(1, "h"), (2, "l"), (5, "test")])
}

static FRESH: ProviderSpec<Map> = ProviderSpec::lazy(base_map);
static SHARED: ProviderSpec<Map, SharedArc> = ProviderSpec::lazy(base_map);

#[provider(dic, from = FRESH)]
fn lookup_fresh(key: u32, dic: Map) -> usize {
    dic.get(&key).map_or(0, |v| v.len())
}

#[provider(dic, from = SHARED)]
fn lookup_shared(key: u32, dic: Arc<Map>) -> usize {
    dic.get(&key).map_or(0, |v| v.len())
}

#[provider(factor, from = || 3_u64)]
fn scale(x: u64, factor: u64) -> u64 {
    x * factor
}

#[provider(dic, from = SHARED)]
async fn lookup_async(key: u32, dic: Arc<Map>) -> usize {
    dic.get(&key).map_or(0, |v| v.len())
}

fn bench_provider(c: &mut Criterion) {
    let by_hand_map = base_map();
    let by_hand_arc = Arc::new(base_map());

    let mut g = c.benchmark_group("provider/fresh clone of a 3-entry BTreeMap");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("by hand: f_with(key, map.clone())", |b| {
        b.iter(|| lookup_fresh_with(black_box(5), by_hand_map.clone()))
    });
    g.bench_function("#[provider] ProviderSpec::new", |b| {
        b.iter(|| lookup_fresh(black_box(5)))
    });
    g.finish();

    let mut g = c.benchmark_group("provider/shared Arc");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("by hand: f_with(key, Arc::clone(&arc))", |b| {
        b.iter(|| lookup_shared_with(black_box(5), Arc::clone(&by_hand_arc)))
    });
    g.bench_function("#[provider] ProviderSpec::shared", |b| {
        b.iter(|| lookup_shared(black_box(5)))
    });
    g.finish();

    let mut g = c.benchmark_group("provider/closure provider (u64)");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("by hand: f_with(x, 3)", |b| {
        b.iter(|| scale_with(black_box(7), 3))
    });
    g.bench_function("#[provider] || 3", |b| b.iter(|| scale(black_box(7))));
    g.finish();

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("provider/async fn, shared Arc");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("by hand: f_with(key, Arc::clone(&arc)).await", |b| {
        b.to_async(&rt)
            .iter(|| lookup_async_with(black_box(5), Arc::clone(&by_hand_arc)))
    });
    g.bench_function("#[provider] ProviderSpec::shared", |b| {
        b.to_async(&rt).iter(|| lookup_async(black_box(5)))
    });
    g.finish();
}

criterion_group!(benches, bench_provider);
criterion_main!(benches);
