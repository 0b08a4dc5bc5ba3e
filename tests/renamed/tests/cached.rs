//! `#[cached]` with `ayutil` renamed to `ay`: the `crate = "..."` option points the
//! expansion at it.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

static RUNS: AtomicUsize = AtomicUsize::new(0);

#[ay::cached(crate = "ay", ttl = "1s")]
async fn renamed(x: u32) -> u32 {
    RUNS.fetch_add(1, SeqCst);
    x + 1
}

#[ay::cached(crate = "::ay", task)]
async fn renamed_task(x: u32) -> u32 {
    x * 2
}

#[tokio::test(start_paused = true)]
async fn cached_works_under_a_renamed_crate() {
    assert_eq!(renamed(1).await, 2);
    assert_eq!(renamed(1).await, 2);
    assert_eq!(RUNS.load(SeqCst), 1);
    let stats: ay::CacheStats = renamed_cache().stats();
    assert_eq!((stats.hits, stats.misses), (1, 1));
    assert_eq!(renamed_task(4).await, 8);
}
