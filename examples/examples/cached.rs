//! `#[cached]`: 1,000 concurrent calls over 10 keys run a slow lookup 10 times. Run: `cargo run --example cached`.
//!
//! A port of the `corocache`/`taskcache` demo of Python's async-utils: later calls are hits,
//! and `ttl` frees the values.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static EXECUTIONS: AtomicUsize = AtomicUsize::new(0);

/// Pretends to ask a slow service for a user's name.
#[ayutil::cached(ttl = "2s", max = 100)]
async fn user_name(id: u32) -> String {
    EXECUTIONS.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(200)).await;
    format!("user-{id}")
}

/// The same lookup as a task cache: calling it starts the work and returns a handle.
#[ayutil::cached(task)]
async fn avatar(id: u32) -> Vec<u8> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    vec![id as u8; 4]
}

#[tokio::main]
async fn main() {
    let t0 = Instant::now();
    let calls: Vec<_> = (0..1000u32)
        .map(|i| tokio::spawn(user_name(i % 10)))
        .collect();
    let mut names = Vec::with_capacity(calls.len());
    for call in calls {
        names.push(call.await.expect("lookup task"));
    }
    assert!(
        names
            .iter()
            .enumerate()
            .all(|(i, n)| *n == format!("user-{}", i % 10))
    );
    let stats = user_name_cache().stats();
    println!("1000 concurrent calls over 10 keys in {:?}", t0.elapsed());
    println!(
        "  executions: {} (misses {}, joined a running lookup {}, hits {})",
        EXECUTIONS.load(Ordering::Relaxed),
        stats.misses,
        stats.joins,
        stats.hits
    );

    let t0 = Instant::now();
    for i in 0..1000u32 {
        user_name(i % 10).await;
    }
    println!(
        "1000 more calls, all hits, in {:?}; stored values: {}",
        t0.elapsed(),
        user_name_cache().len()
    );

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let stats = user_name_cache().stats();
    println!(
        "after the 2s ttl, without any read: stored values {}, expirations {}",
        user_name_cache().len(),
        stats.expirations
    );

    let first = avatar(7); // not awaited: the computation is already running
    let second = avatar(7).clone();
    println!(
        "task cache: two handles, one computation; finished yet: {}",
        first.is_finished()
    );
    let (a, b) = (first.await, second.await);
    println!(
        "  both got {a:?} == {b:?}; misses {}",
        avatar_cache().stats().misses
    );
}
