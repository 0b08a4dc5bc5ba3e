//! `TaskSet`: one job fails, the others go on, one exit time-out for all. Run: `cargo run --example task_set`.
//!
//! async-utils' background tasks: start several jobs, let one fail without disturbing the
//! others, and wait for all of them with one overall exit timeout.

use std::time::{Duration, Instant};

use ayutil::{TaskFailure, TaskSet};

async fn job(name: &'static str, ms: u64, fail: bool) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    if fail {
        return Err(format!("{name} failed after {ms} ms"));
    }
    println!("{name} done after {ms} ms");
    Ok(())
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let tasks = TaskSet::new().with_exit_timeout(Duration::from_millis(500));
    tasks.spawn(job("flush-cache", 100, false));
    tasks.spawn(job("upload", 200, true));
    tasks.spawn(job("reindex", 300, false));
    tasks.spawn(job("compact", 5_000, false)); // too slow: cancelled at the deadline

    match tasks.join().await {
        Ok(()) => println!("all jobs succeeded"),
        Err(err) => {
            for failure in err.failures() {
                match failure {
                    TaskFailure::Error(e) => println!("error: {e}"),
                    TaskFailure::Panic(p) => println!("panic: {p}"),
                    other => println!("failure: {other}"),
                }
            }
            println!("{} job(s) cancelled by the exit timeout", err.cancelled());
        }
    }
    println!("waited {:.2?} (exit timeout 500 ms)", start.elapsed());
}
