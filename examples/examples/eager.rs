//! `#[eager]`: a request sent at the call, in flight during local work. Run: `cargo run --example eager`.
//!
//! A port of the eager demos of Python's asynkit: the remote-data flow, with timings, and the
//! log of three ways to start a coroutine.
//!
//! `get_slow_remote_data` is decorated with `#[eager]`: calling it sends the request at
//! once and returns a future for the answer, so the request is in flight while the caller
//! does its local computation. The same flow with a plain (lazy) `async fn` sends the
//! request only when the answer is awaited, after the local work: the two waits add up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ayutil::eager;
use tokio::time::Instant;

const REMOTE: Duration = Duration::from_millis(200);
const LOCAL: Duration = Duration::from_millis(150);

/// Prints a line with the time since `start`.
fn note(start: Instant, what: &str) {
    println!("  {:>4} ms  {what}", start.elapsed().as_millis());
}

struct Response {
    important_data: u32,
}

async fn execute_remote_request(start: Instant) -> Response {
    note(start, "request sent");
    tokio::time::sleep(REMOTE).await;
    note(start, "response received");
    Response { important_data: 40 }
}

/// The Python demo's decorated coroutine: starts at the call, runs until it waits for the
/// response, then continues as a task while the caller goes on.
#[eager]
async fn get_slow_remote_data(start: Instant) -> u32 {
    let result = execute_remote_request(start).await;
    result.important_data
}

/// The same body, lazy: nothing happens until it is awaited.
async fn get_slow_remote_data_lazily(start: Instant) -> u32 {
    let result = execute_remote_request(start).await;
    result.important_data
}

async fn some_local_computation(start: Instant) -> u32 {
    note(start, "local computation starts");
    tokio::time::sleep(LOCAL).await;
    note(start, "local computation done");
    2
}

fn compute_result(intermediate: u32, remote: u32) -> u32 {
    intermediate + remote
}

async fn my_complex_thing() -> u32 {
    let start = Instant::now();
    // Kick off the request as soon as possible.
    let future = get_slow_remote_data(start);
    // The remote request is now in flight. Do some work taking time.
    let intermediate_result = some_local_computation(start).await;
    // Wait for the result of the request.
    let result = compute_result(intermediate_result, future.await);
    note(start, "done");
    result
}

async fn my_complex_thing_lazily() -> u32 {
    let start = Instant::now();
    let future = get_slow_remote_data_lazily(start);
    let intermediate_result = some_local_computation(start).await;
    let result = compute_result(intermediate_result, future.await);
    note(start, "done");
    result
}

/// The Python demo's `test()`: logs 1, some long IO, logs 2.
async fn test(log: Arc<Mutex<Vec<String>>>) {
    log.lock().unwrap().push("1".into());
    tokio::time::sleep(Duration::from_millis(200)).await;
    log.lock().unwrap().push("2".into());
}

/// The Python demo's `caller(convert)`: what `convert` does with the coroutine decides the log.
async fn caller<F: Future<Output = ()>>(
    convert: impl FnOnce(Arc<Mutex<Vec<String>>>) -> F,
) -> String {
    let log = Arc::new(Mutex::new(Vec::new()));
    log.lock().unwrap().push("a".into());
    let future = convert(log.clone());
    log.lock().unwrap().push("b".into());
    tokio::time::sleep(Duration::from_millis(100)).await;
    log.lock().unwrap().push("c".into());
    future.await;
    let log = log.lock().unwrap();
    format!("{:?}", *log)
}

#[tokio::main]
async fn main() {
    println!("eager (`#[eager] async fn`):");
    let eager_start = Instant::now();
    assert_eq!(my_complex_thing().await, 42);
    let eager_took = eager_start.elapsed();

    println!("lazy (plain `async fn`):");
    let lazy_start = Instant::now();
    assert_eq!(my_complex_thing_lazily().await, 42);
    let lazy_took = lazy_start.elapsed();

    println!(
        "eager took {} ms (the longer wait), lazy took {} ms (both waits)",
        eager_took.as_millis(),
        lazy_took.as_millis()
    );
    assert!(eager_took < lazy_took);
    assert!(lazy_took >= REMOTE + LOCAL);

    println!();
    println!("the Python demo's log:");
    let plain = caller(test).await;
    println!("  do nothing:      {plain}");
    let spawned = caller(|log| {
        let task = tokio::spawn(test(log));
        async { task.await.unwrap() }
    })
    .await;
    println!("  create a task:   {spawned}");
    let eager = caller(|log| ayutil::eager(test(log))).await;
    println!("  ayutil::eager:   {eager}");
    assert_eq!(plain, r#"["a", "b", "c", "1", "2"]"#);
    assert_eq!(spawned, r#"["a", "b", "1", "c", "2"]"#);
    assert_eq!(eager, r#"["a", "1", "b", "c", "2"]"#);
}
