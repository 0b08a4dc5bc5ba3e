//! `Scope`: at most 10 tasks at once, a time-out, then code after the scope. Run: `cargo run --example execution_scope`.
//!
//! A port of ayo's "Execution scope" demo (Trio's nursery): the code after the scope runs only
//! once every task completed or was cancelled. ayo's demo sleeps 0 to 15 seconds with a 12
//! second time-out; here a tenth of that.

use std::num::NonZeroUsize;
use std::time::Duration;

use ayutil::Scope;

/// A fixed pseudo-random sequence, so every run prints the same thing.
fn tenths(i: u64) -> u64 {
    (i * 7 + 3) % 16
}

async fn zzz(tenths: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(tenths * 100)).await;
    println!("Slept for {:.1} seconds", tenths as f64 / 10.0);
    tenths
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = Scope::<u64>::options()
        .max_concurrency(NonZeroUsize::new(10).unwrap())
        .timeout(Duration::from_millis(1200))
        .run(|run| async move {
            for i in 0..20 {
                &run << zzz(tenths(i)); // schedule the future in the scope
            }
        })
        .await?;
    let done = out.completed().count();
    let cancelled = out.results().iter().filter(|r| r.is_cancelled()).count();
    println!(
        "timed out: {}, completed: {done}, cancelled: {cancelled}",
        out.timed_out()
    );

    // `all` spawns several futures at once; `cancel` stops everything in the scope.
    let out = ayutil::scope(|run| async move {
        run.all((0..3).map(|i| zzz(i + 1)));
        tokio::time::sleep(Duration::from_millis(250)).await;
        run.cancel();
    })
    .await?;
    println!(
        "after cancel(): cancelled = {}, results = {:?}",
        out.cancelled(),
        out.results()
    );
    Ok(())
}
