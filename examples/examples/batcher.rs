//! `Batcher`: many small requests become a few batched round-trips. Run: `cargo run --example batcher`.
//!
//! 300 tasks each look up one user; the batcher turns them into queries of at most 64 ids,
//! or whatever arrived within 10 ms of a batch's first id. Each task gets its own user back.
//! Audit events are put without waiting for their result (`put`): the one failing batch is
//! reported by `close`, and the events still waiting when `close` is called are flushed
//! instead of lost.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ayutil::Batcher;

#[derive(Debug)]
struct DbError(String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[tokio::main]
async fn main() {
    let queries = Arc::new(AtomicUsize::new(0));
    let q = Arc::clone(&queries);
    let users = Batcher::builder(NonZeroUsize::new(64).unwrap(), Duration::from_millis(10))
        .max_concurrency(NonZeroUsize::new(2).unwrap())
        .build(move |ids: Vec<u32>| {
            q.fetch_add(1, Ordering::Relaxed);
            async move {
                // SELECT name FROM users WHERE id IN (...): one round-trip for the batch.
                tokio::time::sleep(Duration::from_millis(5)).await;
                Ok::<_, DbError>(
                    ids.iter()
                        .map(|id| format!("user-{id}"))
                        .collect::<Vec<_>>(),
                )
            }
        })
        .expect("valid limits");

    let t0 = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for id in 0..300 {
        let users = users.clone();
        tasks.spawn(async move {
            // Spread the callers over ~30 ms, as requests would arrive.
            tokio::time::sleep(Duration::from_micros(u64::from(id) * 100)).await;
            let name = users.call(id).await.expect("lookup");
            assert_eq!(name, format!("user-{id}"));
        });
    }
    tasks.join_all().await;
    users.close().await.expect("no put-and-go lookups");
    println!(
        "300 lookups answered by {} queries in {:?}",
        queries.load(Ordering::Relaxed),
        t0.elapsed()
    );

    let audit = Batcher::builder(NonZeroUsize::new(10).unwrap(), Duration::from_secs(60))
        .build(|events: Vec<String>| async move {
            if events.iter().any(|e| e.contains("#13")) {
                return Err(DbError(format!(
                    "audit store rejected {} events",
                    events.len()
                )));
            }
            println!("  audit: stored {} events", events.len());
            Ok(vec![(); events.len()])
        })
        .expect("valid limits");
    for n in 0..25 {
        audit.put(format!("event #{n}")).await.expect("open");
    }
    // 5 events wait for a 60 s timer: `close` sends them now.
    match audit.close().await {
        Ok(()) => println!("audit: all events stored"),
        Err(report) => println!("audit: {report}"),
    }
}
