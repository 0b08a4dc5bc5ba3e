//! `Scope::spawn_lazy`: a million queued tasks cost closures, not futures. Run: `cargo run --release --example saving_ram`.
//!
//! A port of ayo's "Saving RAM" demo: `spawn_lazy` (ayo's `from_callable`) stores a callable
//! and creates the future only when a slot frees, so a long queue behind `max_concurrency`
//! costs its closures, not its futures.
//!
//! Then a measurement (Linux, through the resident set size): one million tasks queued
//! behind 10 blocked ones, as closures (`spawn_lazy`) or as futures (`spawn`) that hold a
//! 1 KiB buffer across an await, the way a coroutine keeps its locals.
//!
//! `cargo run --release --example saving_ram` (lazy), add `-- eager` for the comparison.
//! Each mode runs in its own process so that freed memory does not skew the other.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use ayutil::Scope;
use tokio::sync::Semaphore;

async fn zzz(millis: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(millis)).await;
    millis
}

/// Resident memory in bytes, from `/proc/self/statm` (4 KiB pages).
fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

async fn work(buffer: &mut [u8; 1024]) -> u8 {
    tokio::task::yield_now().await;
    buffer[0] = buffer[1].wrapping_add(1);
    buffer[0]
}

async fn measure(lazy: bool) -> Result<(), Box<dyn std::error::Error>> {
    const QUEUED: u64 = 1_000_000;
    let gate = Arc::new(Semaphore::new(0));
    let g = Arc::clone(&gate);
    let before = rss();
    let out = Scope::<u8>::options()
        .max_concurrency(NonZeroUsize::new(10).unwrap())
        .run(|run| async move {
            for _ in 0..10 {
                let g = Arc::clone(&g);
                run.spawn(async move {
                    drop(g.acquire().await);
                    0
                });
            }
            for _ in 0..QUEUED {
                if lazy {
                    run.spawn_lazy(|| async {
                        let mut buffer = [0u8; 1024];
                        work(&mut buffer).await
                    });
                } else {
                    run.spawn(async {
                        let mut buffer = [0u8; 1024];
                        work(&mut buffer).await
                    });
                }
            }
            let queued = rss();
            g.add_permits(10);
            queued
        })
        .await?;
    let after = out.into_value().flatten();
    if let (Some(before), Some(after)) = (before, after) {
        println!(
            "{}: {} tasks queued -> {:.0} bytes of resident memory per queued task",
            if lazy {
                "spawn_lazy"
            } else {
                "spawn (1 KiB future)"
            },
            QUEUED,
            (after.saturating_sub(before)) as f64 / QUEUED as f64
        );
    } else {
        println!("no /proc/self/statm here: memory not measured");
    }
    Ok(())
}

#[ayutil::run_as_main]
async fn main(run_in_top: Scope) -> Result<(), Box<dyn std::error::Error>> {
    let _ = run_in_top;
    let mode = std::env::args().nth(1).unwrap_or_default();
    if mode == "eager" {
        return measure(false).await;
    }

    // ayo's demo: 10 000 callables, at most 10 futures alive at once.
    let out = Scope::<u64>::options()
        .max_concurrency(NonZeroUsize::new(10).unwrap())
        .run(|run| async move {
            for _ in 0..10_000 {
                // Pass a callable that makes the future, not the future itself.
                run.spawn_lazy(|| zzz(1));
            }
        })
        .await?;
    println!(
        "{} lazy tasks ran, at most 10 at a time",
        out.completed().count()
    );
    measure(true).await
}
