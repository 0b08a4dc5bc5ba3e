//! `iter_stream`: a blocking iterator read from async code. Run: `cargo run --example iter_stream`.
//!
//! Reads a file line by line with `BufRead::lines` (blocking reads) on a worker thread, at
//! most 16 lines ahead, while a ticker keeps running on the (single-threaded) executor: the
//! reads never block it. Then stops an endless iterator early by dropping its stream.

use std::io::{BufRead, BufReader, Write};
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let path = std::env::temp_dir().join(format!("ayutil-iter-stream-{}.txt", std::process::id()));
    let mut file = std::fs::File::create(&path)?;
    for n in 0..20_000 {
        writeln!(file, "line {n} has some words in it")?;
    }
    drop(file);

    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = tokio::spawn({
        let ticks = Arc::clone(&ticks);
        async move {
            loop {
                tokio::time::sleep(Duration::from_micros(200)).await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        }
    });

    let lines = BufReader::new(std::fs::File::open(&path)?).lines();
    let mut stream = ayutil::iter_stream(lines, NonZeroUsize::new(16).unwrap());
    let (mut count, mut words) = (0, 0);
    while let Some(line) = stream.next().await {
        let line = line.expect("the reader does not panic")?;
        count += 1;
        words += line.split_whitespace().count();
        if count % 5_000 == 0 {
            tokio::task::yield_now().await;
        }
    }
    ticker.abort();
    std::fs::remove_file(&path)?;
    println!(
        "{count} lines, {words} words; the executor ticked {} times meanwhile",
        ticks.load(Ordering::Relaxed)
    );

    // An endless iterator: dropping the stream stops it at its next item.
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let naturals = (0_u64..).inspect(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let first: Vec<u64> = ayutil::iter_stream(naturals, NonZeroUsize::new(4).unwrap())
        .take(10)
        .map(|n| n.expect("no panic"))
        .collect()
        .await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    println!(
        "took {first:?}; the worker read {} items (10 taken + at most 4 buffered + 1 held)",
        pulled.load(Ordering::Relaxed)
    );
    Ok(())
}
