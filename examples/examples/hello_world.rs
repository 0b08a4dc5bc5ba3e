//! `#[run_as_main]`: `main` runs in the root scope of the program. Run: `cargo run --example hello_world`.
//!
//! `run` is that root scope: tasks spawned in it are done before the program exits.
//! Ctrl+C cancels it and the program exits with code 130.

use std::time::Duration;

use ayutil::Scope;

#[ayutil::run_as_main]
async fn main(run: Scope) {
    run.spawn(async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        println!("...and a task of the root scope finished before the exit");
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!("Hello !");
}
