//! `#[cached]` on the functions a real service writes: `anyhow::Result` and other
//! non-`Clone` errors, many arguments, methods with nested items or `mut self`, durations
//! written either way. The expansions compile under `deny(warnings, clippy::all)`.

#![deny(warnings, clippy::all)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ayutil::cached;
use tokio::sync::Semaphore;

/// Lets `n` bodies through once every caller has joined.
async fn open(gate: &Semaphore, n: usize) {
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    gate.add_permits(n);
}

static GATE_ANYHOW: Semaphore = Semaphore::const_new(0);
static RUNS_ANYHOW: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection refused")
    }
}

impl std::error::Error for Refused {}

fn failure(id: u32) -> anyhow::Error {
    anyhow::Error::new(Refused)
        .context(format!("loading user {id}"))
        .context("request failed")
}

#[cached]
async fn user(id: u32) -> anyhow::Result<String> {
    RUNS_ANYHOW.fetch_add(1, Ordering::SeqCst);
    let _permit = GATE_ANYHOW.acquire().await?;
    if id == 0 {
        return Err(failure(id));
    }
    Ok(format!("user {id}"))
}

#[tokio::test(start_paused = true)]
async fn anyhow_errors_reach_every_caller_of_one_flight() {
    let callers: Vec<_> = (0..50).map(|_| tokio::spawn(user(0))).collect();
    open(&GATE_ANYHOW, 1).await;
    let expected = format!("{:#}", failure(0));
    assert_eq!(
        expected,
        "request failed: loading user 0: connection refused"
    );
    for caller in callers {
        let err = caller.await.unwrap().unwrap_err();
        assert_eq!(format!("{err:#}"), expected);
        assert_eq!(err.to_string(), "request failed");
        assert_eq!(err.chain().count(), 3);
        assert!(err.chain().any(|cause| cause.is::<Refused>()));
    }
    assert_eq!(RUNS_ANYHOW.load(Ordering::SeqCst), 1);
    // Errors are not stored: the next call runs again.
    open(&GATE_ANYHOW, 1).await;
    assert!(user(0).await.is_err());
    assert_eq!(RUNS_ANYHOW.load(Ordering::SeqCst), 2);
    GATE_ANYHOW.add_permits(1);
    assert_eq!(user(7).await.unwrap(), "user 7");
    assert_eq!(user(7).await.unwrap(), "user 7");
    assert_eq!(user_cache().stats().misses, 3);
}

static GATE_IO: Semaphore = Semaphore::const_new(0);

#[cached]
async fn read(path: String) -> std::io::Result<Vec<u8>> {
    let _permit = GATE_IO.acquire().await.map_err(std::io::Error::other)?;
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("{path}: no such file"),
    ))
}

#[tokio::test(start_paused = true)]
async fn io_errors_keep_their_kind_and_message_for_every_caller() {
    let callers: Vec<_> = (0..20)
        .map(|_| tokio::spawn(read("a.txt".to_owned())))
        .collect();
    open(&GATE_IO, 1).await;
    for caller in callers {
        let err = caller.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(err.to_string(), "a.txt: no such file");
    }
    assert_eq!(read_cache().stats().misses, 1);
    assert_eq!(read_cache().stats().joins, 19);
}

#[cached(cache_errors)]
fn parse_port(text: String) -> Result<u16, Box<dyn std::error::Error + Send + Sync>> {
    Ok(text.parse::<u16>()?)
}

#[test]
fn boxed_errors_are_shared_and_can_be_stored() {
    let first = parse_port("http".to_owned()).unwrap_err();
    let second = parse_port("http".to_owned()).unwrap_err();
    assert_eq!(first.to_string(), second.to_string());
    assert_eq!(first.to_string(), "invalid digit found in string");
    assert_eq!(parse_port_cache().stats().hits, 1);
    assert_eq!(parse_port("80".to_owned()).unwrap(), 80);
}

#[cached]
async fn clone_errors(x: u32) -> Result<u32, String> {
    if x == 0 {
        Err("zero".to_owned())
    } else {
        Ok(x)
    }
}

#[tokio::test(start_paused = true)]
async fn clone_errors_are_cloned() {
    assert_eq!(clone_errors(0).await, Err("zero".to_owned()));
    assert_eq!(clone_errors(2).await, Ok(2));
    assert_eq!(clone_errors_cache().peek(&(2,)), Some(Ok(2)));
}

#[cached]
fn fmt_result(x: u8) -> std::fmt::Result {
    if x == 0 { Err(std::fmt::Error) } else { Ok(()) }
}

#[test]
fn result_aliases_without_parameters() {
    assert!(fmt_result(0).is_err());
    assert!(fmt_result(1).is_ok());
}

static WIDE_RUNS: AtomicUsize = AtomicUsize::new(0);

// Regression: a key of 13 or more arguments did not compile (tuples implement `Hash`
// up to 12 elements).
#[allow(clippy::too_many_arguments)]
#[cached]
fn thirteen(
    a: u8,
    b: u8,
    c: u8,
    d: u8,
    e: u8,
    f: u8,
    g: u8,
    h: u8,
    i: u8,
    j: u8,
    k: u8,
    l: u8,
    m: u8,
) -> u32 {
    WIDE_RUNS.fetch_add(1, Ordering::SeqCst);
    [a, b, c, d, e, f, g, h, i, j, k, l, m]
        .iter()
        .map(|x| u32::from(*x))
        .sum()
}

#[allow(clippy::too_many_arguments)]
#[cached]
async fn thirty(
    a0: u8,
    a1: u8,
    a2: u8,
    a3: u8,
    a4: u8,
    a5: u8,
    a6: u8,
    a7: u8,
    a8: u8,
    a9: u8,
    b0: u8,
    b1: u8,
    b2: u8,
    b3: u8,
    b4: u8,
    b5: u8,
    b6: u8,
    b7: u8,
    b8: u8,
    b9: u8,
    c0: u8,
    c1: u8,
    c2: u8,
    c3: u8,
    c4: u8,
    c5: u8,
    c6: u8,
    c7: u8,
    c8: u8,
    c9: u8,
) -> u32 {
    [
        a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, c0, c1, c2,
        c3, c4, c5, c6, c7, c8, c9,
    ]
    .iter()
    .map(|x| u32::from(*x))
    .sum()
}

#[tokio::test(start_paused = true)]
async fn keys_of_any_arity() {
    assert_eq!(thirteen(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 13);
    assert_eq!(thirteen(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 13);
    assert_eq!(thirteen(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2), 14);
    assert_eq!(WIDE_RUNS.load(Ordering::SeqCst), 2);
    // Past 12 parts, the key nests in tuples of 12.
    assert_eq!(
        thirteen_cache().peek(&((1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), (2,))),
        Some(14)
    );
    let ones = thirty(
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    );
    assert_eq!(ones.await, 30);
    assert_eq!(thirty_cache().len(), 1);
}

#[derive(Clone, Hash, PartialEq, Eq)]
struct Shelf {
    base: u32,
}

impl Shelf {
    // Regression: the nested `impl` and `fn` had their `self` renamed, which did not parse.
    #[cached]
    async fn nested(&self, x: u32) -> u32 {
        struct Local(u32);
        impl Local {
            fn get(&self) -> u32 {
                self.0
            }
        }
        fn twice(n: u32) -> u32 {
            n * 2
        }
        Local(twice(self.base + x)).get()
    }

    // Regression: `mut self` gave `unused_mut` on the signature, denied here.
    #[cached]
    async fn consume(mut self, x: u32) -> u32 {
        self.base += x;
        self.base
    }
}

#[tokio::test(start_paused = true)]
async fn nested_items_keep_their_self_and_mut_self_compiles() {
    let shelf = Shelf { base: 10 };
    assert_eq!(shelf.nested(1).await, 22);
    assert_eq!(shelf.clone().consume(5).await, 15);
    assert_eq!(shelf.consume(5).await, 15);
    assert_eq!(Shelf::consume_cache().stats().hits, 1);
}

#[cached(ttl = Duration::from_secs(2))]
async fn ttl_expression(x: u32) -> u32 {
    x
}

#[cached(ttl = "0s")]
async fn ttl_zero(x: u32) -> u32 {
    x
}

#[tokio::test(start_paused = true)]
async fn ttl_takes_a_duration_expression_or_string() {
    ttl_expression(1).await;
    assert_eq!(ttl_expression_cache().len(), 1);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(ttl_expression_cache().peek(&(1,)), None);
    // Zero: nothing outlives its computation, but concurrent calls still share one.
    assert_eq!(ttl_zero(1).await, 1);
    assert_eq!(ttl_zero(1).await, 1);
    assert_eq!(ttl_zero_cache().stats().misses, 2);
}

#[cached(task)]
async fn task_result(x: u32) -> Result<u32, String> {
    Ok(x)
}

#[tokio::test(start_paused = true)]
async fn task_keeps_returning_the_declared_type() {
    let handle: ayutil::CachedTask<Result<u32, String>> = task_result(3);
    assert_eq!(handle.await, Ok(3));
}
