//! `Group` and `Pool`: 110 nested calls, all overlapping or 10 at a time. Run: `cargo run --example group_pool_nested`.
//!
//! Python aioutils' nested loops: ten `f1` calls, each followed by ten `f2(v1)` calls, every
//! call sleeping 0.1 s. Run sequentially this takes 11 s; with a `Group` every call overlaps
//! and the whole run takes two sleeps (about 0.2 s). A `Pool(10)` runs the same work at most
//! ten calls at a time (about 1.1 s).

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ayutil::{Group, Pool};

async fn f1(i: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(100)).await;
    i
}

async fn f2(v1: u64, j: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(100)).await;
    v1 * 10 + j
}

#[tokio::main]
async fn main() {
    // Group: every call overlaps.
    let start = Instant::now();
    let sum = Arc::new(AtomicU64::new(0));
    let group = Group::new();
    for i in 0..10 {
        let g = group.clone();
        let sum = Arc::clone(&sum);
        group.spawn(async move {
            let v1 = f1(i).await;
            for j in 0..10 {
                let sum = Arc::clone(&sum);
                g.spawn(async move {
                    sum.fetch_add(f2(v1, j).await, Ordering::Relaxed);
                });
            }
        });
    }
    group.join().await.expect("no task fails");
    println!(
        "Group:    100 f2 calls, sum {} in {:.2?} (sequential: 11 s)",
        sum.load(Ordering::Relaxed),
        start.elapsed()
    );

    // Pool(10): the same nested spawns, at most ten calls at once.
    let start = Instant::now();
    let sum = Arc::new(AtomicU64::new(0));
    let pool = Pool::new(NonZeroUsize::new(10).unwrap());
    for i in 0..10 {
        let p = pool.clone();
        let sum = Arc::clone(&sum);
        pool.spawn(async move {
            let v1 = f1(i).await;
            for j in 0..10 {
                let sum = Arc::clone(&sum);
                p.spawn(async move {
                    sum.fetch_add(f2(v1, j).await, Ordering::Relaxed);
                });
            }
        });
    }
    pool.join().await.expect("no task fails");
    println!(
        "Pool(10): 100 f2 calls, sum {} in {:.2?} (10 at a time: about 1.1 s)",
        sum.load(Ordering::Relaxed),
        start.elapsed()
    );
}
