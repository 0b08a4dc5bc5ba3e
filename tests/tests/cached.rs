#![deny(warnings, clippy::all)]
//! `#[cached]`: single flight, dropped callers, errors, panics, invalidation, TTL, LRU,
//! methods, plain functions, task handles, `local`, and the counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use ayutil::{CacheStats, CachedTask, FnCache, cached};
use futures::FutureExt as _;
use tokio::sync::Semaphore;

/// Yields until `cond` holds; panics instead of hanging when it never does.
async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..10_000 {
        if cond() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("never happened: {what}");
}

/// [`until`] for the multi-thread runtime, where the other workers may lag far behind on
/// a loaded machine: gives up after 20 s of real time instead of a count of yields.
async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        tokio::task::yield_now().await;
    }
}

/// Lets one waiting body through.
fn release(gate: &Semaphore) {
    gate.add_permits(1);
}

async fn pass(gate: &Semaphore) {
    gate.acquire().await.expect("gate never closes").forget();
}

fn stats(hits: u64, joins: u64, misses: u64) -> (u64, u64, u64) {
    (hits, joins, misses)
}

fn hjm(s: CacheStats) -> (u64, u64, u64) {
    (s.hits, s.joins, s.misses)
}

#[tokio::test(start_paused = true)]
async fn one_execution_for_a_thousand_concurrent_callers() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    async fn slow(x: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        tokio::time::sleep(Duration::from_secs(1)).await;
        x * 10
    }

    let handles: Vec<_> = (0..1000).map(|_| tokio::spawn(slow(7))).collect();
    for handle in handles {
        assert_eq!(handle.await.unwrap(), 70);
    }
    assert_eq!(RUNS.load(SeqCst), 1);
    assert_eq!(hjm(slow_cache().stats()), stats(0, 999, 1));
    assert_eq!(slow(7).await, 70);
    assert_eq!(slow_cache().stats().hits, 1);
}

#[tokio::test(start_paused = true)]
async fn ten_keys_under_load_run_ten_times() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    async fn lookup(key: u64) -> u64 {
        RUNS.fetch_add(1, SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        key * key
    }

    let handles: Vec<_> = (0..5000u64).map(|i| tokio::spawn(lookup(i % 10))).collect();
    for (i, handle) in handles.into_iter().enumerate() {
        let key = i as u64 % 10;
        assert_eq!(handle.await.unwrap(), key * key);
    }
    assert_eq!(RUNS.load(SeqCst), 10);
    assert_eq!(lookup_cache().len(), 10);
    let s = lookup_cache().stats();
    assert_eq!(s.misses, 10);
    assert_eq!(s.hits + s.joins + s.misses, 5000);
}

#[tokio::test(start_paused = true)]
async fn a_hit_completes_on_first_poll() {
    #[cached]
    async fn value(x: u8) -> u8 {
        tokio::task::yield_now().await;
        x
    }

    assert_eq!(value(1).now_or_never(), None, "a miss suspends");
    until("stored", || value_cache().len() == 1).await;
    assert_eq!(value(1).now_or_never(), Some(1), "a hit must not suspend");
}

#[tokio::test(start_paused = true)]
async fn distinct_keys_never_wait_for_each_other() {
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn blocked_on_one(x: u32) -> u32 {
        if x == 1 {
            pass(&GATE).await;
        }
        x
    }

    let stuck = tokio::spawn(blocked_on_one(1));
    tokio::task::yield_now().await;
    // Key 1 is still running; key 2 goes through.
    assert_eq!(blocked_on_one(2).await, 2);
    assert!(!stuck.is_finished());
    release(&GATE);
    assert_eq!(stuck.await.unwrap(), 1);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_first_caller_does_not_cancel_the_others() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static STARTED: Semaphore = Semaphore::const_new(0);
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn fetch(x: u32) -> String {
        RUNS.fetch_add(1, SeqCst);
        release(&STARTED);
        pass(&GATE).await;
        format!("value {x}")
    }

    let first = tokio::spawn(fetch(3));
    pass(&STARTED).await;
    let second = tokio::spawn(fetch(3));
    until("second joined", || fetch_cache().stats().joins == 1).await;
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    release(&GATE);
    assert_eq!(second.await.unwrap(), "value 3");
    assert_eq!(RUNS.load(SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stalled_first_caller_does_not_block_the_others() {
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn fetch(x: u32) -> u32 {
        pass(&GATE).await;
        x * 2
    }

    // The first caller starts the body, then is never polled again (but stays alive).
    let mut stalled = Box::pin(fetch(21));
    assert!(futures::poll!(stalled.as_mut()).is_pending());
    let joiner = tokio::spawn(fetch(21));
    until("joined", || fetch_cache().stats().joins == 1).await;
    release(&GATE);
    assert_eq!(
        joiner.await.unwrap(),
        42,
        "the joiner drove the body itself"
    );
    assert_eq!(stalled.await, 42);
    assert_eq!(fetch_cache().stats().misses, 1);
}

// Regression: a first caller alive but busy elsewhere held the body's wake-up, so a joiner
// got the result of a 100 ms body only when that caller came back, at 1.03 s.
#[tokio::test(start_paused = true)]
async fn a_first_caller_busy_elsewhere_does_not_delay_the_joiners() {
    #[cached]
    async fn slow(x: u32) -> u32 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        x + 1
    }

    let start = tokio::time::Instant::now();
    let mut first = Box::pin(slow(1));
    assert!(futures::poll!(first.as_mut()).is_pending());
    let joiner = tokio::spawn(async move {
        let value = slow(1).await;
        (value, start.elapsed())
    });
    until("joined", || slow_cache().stats().joins == 1).await;
    // The first caller polls once more, then awaits something else for a second.
    assert!(futures::poll!(first.as_mut()).is_pending());
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        joiner.is_finished(),
        "the joiner still waits for the busy first caller"
    );
    let (value, at) = joiner.await.unwrap();
    assert_eq!(value, 2);
    assert!(
        at < Duration::from_millis(150),
        "the joiner waited for the busy first caller: {at:?}"
    );
    assert_eq!(first.await, 2);
    assert_eq!(slow_cache().stats().misses, 1);
}

#[tokio::test(start_paused = true)]
async fn callers_in_one_task_share_the_body_without_spawning() {
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn fetch(x: u32) -> u32 {
        pass(&GATE).await;
        x * 3
    }

    let metrics = tokio::runtime::Handle::current().metrics();
    let mut both = std::pin::pin!(async { tokio::join!(fetch(1), fetch(1)) });
    assert!(futures::poll!(both.as_mut()).is_pending());
    assert_eq!(hjm(fetch_cache().stats()), stats(0, 1, 1));
    // A wake-up of the body reaches the one task both callers are in.
    assert_eq!(
        metrics.num_alive_tasks(),
        0,
        "no task for callers of one task"
    );
    release(&GATE);
    assert_eq!(both.await, (3, 3));
}

#[tokio::test(start_paused = true)]
async fn a_later_caller_in_the_same_task_drives_the_body_of_an_earlier_one() {
    #[cached]
    async fn slow(x: u32) -> u32 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        x
    }

    let start = tokio::time::Instant::now();
    let mut first = Box::pin(slow(5));
    assert!(futures::poll!(first.as_mut()).is_pending());
    // The task sets the first call aside and awaits a second one of the same key.
    assert_eq!(slow(5).await, 5);
    assert_eq!(start.elapsed(), Duration::from_millis(100));
    assert_eq!(first.await, 5);
    assert_eq!(slow_cache().stats().misses, 1);
}

// Regression: without a tokio runtime to spawn on, the body's wake-up still went to the
// last waiter that polled it, so a stalled first caller blocked the others forever.
#[test]
fn without_a_runtime_a_stalled_first_caller_does_not_block_the_others() {
    use futures::channel::oneshot;
    use std::sync::Mutex;
    static SIGNAL: Mutex<Option<oneshot::Receiver<u32>>> = Mutex::new(None);
    #[cached]
    async fn signalled(x: u32) -> u32 {
        let signal = SIGNAL.lock().unwrap().take().expect("one run");
        x + signal.await.unwrap()
    }

    use std::future::Future as _;
    let (tx, rx) = oneshot::channel();
    *SIGNAL.lock().unwrap() = Some(rx);
    let noop = futures::task::noop_waker();
    let mut cx = std::task::Context::from_waker(&noop);
    let mut first = Box::pin(signalled(1));
    assert!(first.as_mut().poll(&mut cx).is_pending());
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let joiner = std::thread::spawn(move || {
        done_tx
            .send(futures::executor::block_on(signalled(1)))
            .unwrap();
    });
    while signalled_cache().stats().joins == 0 {
        std::thread::yield_now();
    }
    // Polled once more, then never again while the value arrives.
    assert!(first.as_mut().poll(&mut cx).is_pending());
    tx.send(10).unwrap();
    let value = done_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the joiner hangs behind the stalled first caller");
    assert_eq!(value, 11);
    joiner.join().unwrap();
    assert_eq!(first.as_mut().poll(&mut cx), std::task::Poll::Ready(11));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn joiners_of_a_stalled_first_caller_all_finish_under_load() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn work(round: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        pass(&GATE).await;
        tokio::task::yield_now().await;
        round * 2
    }

    const ROUNDS: u32 = 300;
    const JOINERS: u64 = 8;
    for round in 0..ROUNDS {
        // The first caller polls, lets joiners in, polls again, then stays alive without
        // being polled while the body is let through and they wait.
        let mut first = Box::pin(work(round));
        assert!(futures::poll!(first.as_mut()).is_pending());
        let joins = work_cache().stats().joins;
        let joiners: Vec<_> = (0..JOINERS).map(|_| tokio::spawn(work(round))).collect();
        eventually("joined", || work_cache().stats().joins == joins + JOINERS).await;
        assert!(futures::poll!(first.as_mut()).is_pending());
        release(&GATE);
        for joiner in joiners {
            // A hang detector on the task handle, never on the waiter itself.
            let value = tokio::time::timeout(Duration::from_secs(20), joiner)
                .await
                .unwrap_or_else(|_| panic!("round {round}: a joiner hangs"))
                .unwrap();
            assert_eq!(value, round * 2);
        }
        assert_eq!(first.await, round * 2);
    }
    assert_eq!(RUNS.load(SeqCst), ROUNDS as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hand_offs_under_load_run_once_and_lose_nothing() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    async fn work(round: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        for _ in 0..5 {
            tokio::task::yield_now().await;
        }
        round + 7
    }

    const ROUNDS: u32 = 300;
    for round in 0..ROUNDS {
        // Callers join while the body is polled by another one, and some leave mid-way.
        let callers: Vec<_> = (0..8).map(|_| tokio::spawn(work(round))).collect();
        for (i, caller) in callers.into_iter().enumerate() {
            if i % 3 == 1 {
                caller.abort();
                continue;
            }
            let value = tokio::time::timeout(Duration::from_secs(20), caller)
                .await
                .unwrap_or_else(|_| panic!("round {round}: a caller hangs"))
                .unwrap();
            assert_eq!(value, round + 7);
        }
    }
    assert_eq!(RUNS.load(SeqCst), ROUNDS as usize);
    assert_eq!(work_cache().in_flight(), 0);
    assert_eq!(work_cache().len(), ROUNDS as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn callers_aborted_at_random_under_load_lose_nothing() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    async fn work(x: u64) -> u64 {
        RUNS.fetch_add(1, SeqCst);
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        x + 1
    }

    let tasks: Vec<_> = (0..2000u64).map(|i| tokio::spawn(work(i % 20))).collect();
    let mut kept = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        if i % 3 == 0 {
            task.abort();
        } else {
            kept.push((i as u64 % 20, task));
        }
    }
    for (key, task) in kept {
        assert_eq!(task.await.unwrap(), key + 1);
    }
    // Flights whose callers were all aborted still finish and store.
    while work_cache().in_flight() > 0 {
        tokio::task::yield_now().await;
    }
    // Every key kept some caller, so every key ran exactly once and was stored.
    assert_eq!(RUNS.load(SeqCst), 20);
    for key in 0..20 {
        assert_eq!(work_cache().peek(&(key,)), Some(key + 1));
    }
}

#[tokio::test(start_paused = true)]
async fn a_flight_whose_callers_all_dropped_still_stores() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static STARTED: Semaphore = Semaphore::const_new(0);
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn fetch(x: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        release(&STARTED);
        pass(&GATE).await;
        x + 100
    }

    // Drop the only caller mid-flight (by timing it out).
    let dropped = tokio::time::timeout(Duration::from_millis(1), fetch(1)).await;
    assert!(dropped.is_err());
    pass(&STARTED).await;
    assert_eq!(fetch_cache().in_flight(), 1);
    release(&GATE);
    until("stored", || fetch_cache().len() == 1).await;
    assert_eq!(fetch(1).await, 101);
    assert_eq!(RUNS.load(SeqCst), 1);
    assert_eq!(fetch_cache().stats().hits, 1);
}

#[tokio::test(start_paused = true)]
async fn errors_reach_every_waiter_and_are_not_stored() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn flaky(x: u32) -> Result<u32, String> {
        let run = RUNS.fetch_add(1, SeqCst);
        pass(&GATE).await;
        if run == 0 {
            Err(format!("run {run} failed"))
        } else {
            Ok(x)
        }
    }

    let waiters: Vec<_> = (0..10).map(|_| tokio::spawn(flaky(5))).collect();
    until("all joined", || flaky_cache().stats().joins == 9).await;
    release(&GATE);
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap(), Err("run 0 failed".to_owned()));
    }
    assert!(flaky_cache().is_empty());
    release(&GATE);
    assert_eq!(flaky(5).await, Ok(5));
    assert_eq!(RUNS.load(SeqCst), 2);
    assert_eq!(flaky(5).await, Ok(5));
    assert_eq!(RUNS.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn cache_errors_stores_err() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(cache_errors)]
    async fn always_fails(x: u32) -> Result<(), u32> {
        RUNS.fetch_add(1, SeqCst);
        Err(x)
    }

    assert_eq!(always_fails(4).await, Err(4));
    assert_eq!(always_fails(4).await, Err(4));
    assert_eq!(RUNS.load(SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_panic_reaches_every_waiter_and_stores_nothing() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn explode(x: u32) -> u32 {
        let run = RUNS.fetch_add(1, SeqCst);
        pass(&GATE).await;
        if run == 0 {
            panic!("boom {x}");
        }
        x
    }

    let waiters: Vec<_> = (0..5).map(|_| tokio::spawn(explode(9))).collect();
    until("all joined", || explode_cache().stats().joins == 4).await;
    release(&GATE);
    for waiter in waiters {
        let payload = waiter.await.unwrap_err().into_panic();
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("boom 9")
        );
    }
    assert!(explode_cache().is_empty());
    assert_eq!(explode_cache().in_flight(), 0);
    release(&GATE);
    assert_eq!(explode(9).await, 9, "the key is usable again at once");
    assert_eq!(RUNS.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn invalidating_during_a_flight_serves_its_waiters_but_stores_nothing() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn fetch(x: u32) -> usize {
        pass(&GATE).await;
        RUNS.fetch_add(1, SeqCst) + x as usize
    }

    let waiter = tokio::spawn(fetch(0));
    until("in flight", || fetch_cache().in_flight() == 1).await;
    assert!(fetch_cache().invalidate(&(0,)));
    // A call after the invalidation starts a new flight.
    let after = tokio::spawn(fetch(0));
    until("second flight", || fetch_cache().stats().misses == 2).await;
    release(&GATE);
    release(&GATE);
    let (a, b) = (waiter.await.unwrap(), after.await.unwrap());
    assert_eq!([a.min(b), a.max(b)], [0, 1]);
    // Only the second flight's value was stored.
    assert_eq!(fetch_cache().len(), 1);
    assert_eq!(fetch_cache().peek(&(0,)), Some(b));
}

#[tokio::test(start_paused = true)]
async fn ttl_expires_values_without_a_read() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(ttl = "10s")]
    async fn token(user: u32) -> usize {
        tokio::time::sleep(Duration::from_secs(1)).await;
        RUNS.fetch_add(1, SeqCst) + user as usize
    }

    assert_eq!(token(0).await, 0);
    tokio::time::sleep(Duration::from_secs(9)).await;
    assert_eq!(token(0).await, 0, "9s after completion: still stored");
    let users: Vec<_> = (1..100).map(|user| tokio::spawn(token(user))).collect();
    for user in users {
        user.await.unwrap();
    }
    assert_eq!(token_cache().len(), 99, "user 0 expired meanwhile");
    assert_eq!(token_cache().stats().expirations, 1);
    // Nobody reads: the sweeper frees every key once its ttl passes.
    tokio::time::sleep(Duration::from_secs(200)).await;
    assert_eq!(token_cache().len(), 0);
    assert_eq!(token_cache().stats().expirations, 100);
    assert_eq!(token(0).await, 100, "expired: computed again");
    assert_eq!(token_cache().stats().misses, 101);
}

#[tokio::test(start_paused = true)]
async fn ttl_is_counted_from_completion_and_not_refreshed_by_hits() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(ttl = "1m")]
    async fn slow_token() -> usize {
        tokio::time::sleep(Duration::from_secs(30)).await;
        RUNS.fetch_add(1, SeqCst)
    }

    assert_eq!(slow_token().await, 0);
    tokio::time::sleep(Duration::from_secs(59)).await;
    assert_eq!(
        slow_token().await,
        0,
        "60s counted from completion, not from the call"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        slow_token().await,
        1,
        "the hit at 59s did not extend the deadline"
    );
}

#[tokio::test(start_paused = true)]
async fn max_evicts_the_least_recently_used_and_hits_refresh() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(max = 2)]
    async fn square(x: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        x * x
    }

    square(1).await;
    square(2).await;
    square(1).await; // hit: 1 becomes the most recently used
    square(3).await; // evicts 2
    assert_eq!(square_cache().peek(&(2,)), None);
    assert_eq!(square_cache().peek(&(1,)), Some(1));
    assert_eq!(square_cache().peek(&(3,)), Some(9));
    assert_eq!(square_cache().stats().evictions, 1);
    assert_eq!(RUNS.load(SeqCst), 3);
    square(2).await; // computed again, evicts 1 (3 is more recent)
    assert_eq!(RUNS.load(SeqCst), 4);
    assert_eq!(square_cache().peek(&(1,)), None);
    assert_eq!(square_cache().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn ttl_and_max_together() {
    #[cached(ttl = "5s", max = 3)]
    async fn id(x: u32) -> u32 {
        x
    }

    for x in 0..5 {
        id(x).await;
    }
    assert_eq!(id_cache().len(), 3);
    assert_eq!(id_cache().stats().evictions, 2);
    tokio::time::sleep(Duration::from_secs(5)).await;
    until("swept", || id_cache().is_empty()).await;
    assert_eq!(id_cache().stats().expirations, 3);
}

#[derive(Clone, Hash, PartialEq, Eq)]
struct Client {
    base: u32,
}

static CLIENT_RUNS: AtomicUsize = AtomicUsize::new(0);

impl Client {
    /// `&self` is part of the key.
    #[cached]
    async fn get(&self, x: u32) -> u32 {
        CLIENT_RUNS.fetch_add(1, SeqCst);
        tokio::task::yield_now().await;
        self.base + x + self.helper()
    }

    fn helper(&self) -> u32 {
        0
    }

    /// A plain method: the body borrows `self` directly.
    #[cached]
    fn scaled(&self, x: u32) -> u32 {
        self.base * x
    }

    /// `self` by value.
    #[cached]
    async fn into_base(self) -> u32 {
        self.base
    }
}

struct Registry;

impl Registry {
    /// No receiver, but `Self` in the signature: found as an associated fn.
    #[cached]
    fn make(id: u32) -> Option<Self> {
        (id > 0).then_some(Registry)
    }

    /// No receiver and no `Self`: `in_impl` says it is an associated fn.
    #[cached(in_impl)]
    async fn lookup(id: u32) -> u32 {
        id * 3
    }
}

impl Clone for Registry {
    fn clone(&self) -> Self {
        Registry
    }
}

#[tokio::test(start_paused = true)]
async fn associated_functions_without_a_receiver() {
    assert!(Registry::make(1).is_some());
    assert!(Registry::make(0).is_none());
    assert!(Registry::make(1).is_some());
    assert_eq!(Registry::make_cache().stats().hits, 1);
    assert_eq!(Registry::lookup(2).await, 6);
    assert_eq!(Registry::lookup(2).await, 6);
    assert_eq!(Registry::lookup_cache().stats().misses, 1);
}

#[tokio::test(start_paused = true)]
async fn methods_key_on_self() {
    let (a, b) = (Client { base: 100 }, Client { base: 200 });
    assert_eq!(a.get(1).await, 101);
    assert_eq!(b.get(1).await, 201);
    assert_eq!(a.get(1).await, 101);
    assert_eq!(CLIENT_RUNS.load(SeqCst), 2);
    assert_eq!(
        Client::get_cache().peek(&(Client { base: 200 }, 1)),
        Some(201)
    );
    assert_eq!(a.scaled(3), 300);
    assert_eq!(b.scaled(3), 600);
    assert_eq!(Client::scaled_cache().len(), 2);
    assert_eq!(a.clone().into_base().await, 100);
    assert_eq!(a.into_base().await, 100);
    assert_eq!(Client::into_base_cache().stats().hits, 1);
}

#[tokio::test(start_paused = true)]
async fn key_expression_picks_the_key() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    /// `verbose` is not part of the key.
    #[cached(key: String = name.to_lowercase())]
    async fn greet(name: String, verbose: bool) -> String {
        RUNS.fetch_add(1, SeqCst);
        if verbose {
            format!("Hello, {name}!")
        } else {
            name
        }
    }

    assert_eq!(greet("Ada".into(), true).await, "Hello, Ada!");
    assert_eq!(greet("ADA".into(), false).await, "Hello, Ada!");
    assert_eq!(RUNS.load(SeqCst), 1);
    assert!(greet_cache().invalidate(&"ada".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn key_expression_allows_impl_trait_arguments() {
    #[cached(key: String = label.to_string())]
    async fn render(label: impl std::fmt::Display + Send + 'static) -> usize {
        label.to_string().len()
    }

    assert_eq!(render(12345).await, 5);
    assert_eq!(render("12345").await, 5);
    assert_eq!(render_cache().stats().hits, 1);
}

#[tokio::test(start_paused = true)]
async fn async_fn_with_reference_arguments_and_a_key() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    /// `name` and `times` are copied (`ToOwned`) into the computation on a miss.
    #[cached(key: (String, usize) = (name.to_owned(), *times))]
    async fn shout(name: &str, times: &usize) -> String {
        RUNS.fetch_add(1, SeqCst);
        tokio::task::yield_now().await;
        name.to_uppercase().repeat(*times)
    }

    let name = String::from("hey");
    assert_eq!(shout(&name, &2).await, "HEYHEY");
    drop(name);
    assert_eq!(shout("hey", &2).await, "HEYHEY");
    assert_eq!(shout("hey", &1).await, "HEY");
    assert_eq!(RUNS.load(SeqCst), 2);
}

#[test]
fn plain_fn_with_references_and_a_key() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(key: String = text.to_owned())]
    fn word_count(text: &str) -> usize {
        RUNS.fetch_add(1, SeqCst);
        text.split_whitespace().count()
    }

    assert_eq!(word_count("a b c"), 3);
    assert_eq!(word_count("a b c"), 3);
    assert_eq!(word_count("a b"), 2);
    assert_eq!(RUNS.load(SeqCst), 2);
}

#[test]
fn plain_fn_single_flight_across_threads() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static GATE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    #[cached]
    fn expensive(x: u64) -> u64 {
        RUNS.fetch_add(1, SeqCst);
        // Held by the test until every other thread has joined this computation.
        drop(GATE.lock().unwrap());
        x + 1
    }

    let guard = GATE.lock().unwrap();
    let threads: Vec<_> = (0..8)
        .map(|_| std::thread::spawn(|| expensive(41)))
        .collect();
    while expensive_cache().stats().joins < 7 {
        std::thread::yield_now();
    }
    drop(guard);
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 42);
    }
    assert_eq!(RUNS.load(SeqCst), 1);
}

#[test]
fn plain_fn_panic_is_raised_and_not_stored() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    fn fragile(x: u32) -> u32 {
        if RUNS.fetch_add(1, SeqCst) == 0 {
            panic!("first run fails");
        }
        x
    }

    let err = std::panic::catch_unwind(|| fragile(1)).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"first run fails"));
    assert_eq!(fragile_cache().in_flight(), 0);
    assert_eq!(fragile(1), 1);
    assert_eq!(fragile(1), 1);
    assert_eq!(RUNS.load(SeqCst), 2);
}

#[test]
fn plain_fn_without_arguments_and_unit_return() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    fn init() {
        RUNS.fetch_add(1, SeqCst);
    }

    init();
    init();
    assert_eq!(RUNS.load(SeqCst), 1);
    init_cache().clear();
    init();
    assert_eq!(RUNS.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn task_handles_share_one_running_computation() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached(task)]
    async fn build(x: u32) -> Arc<String> {
        RUNS.fetch_add(1, SeqCst);
        pass(&GATE).await;
        Arc::new(format!("artifact {x}"))
    }

    let first: CachedTask<Arc<String>> = build(1);
    let second = build(1);
    let third = second.clone();
    assert!(!first.is_finished());
    assert_eq!(first.try_value(), None);
    drop(first);
    release(&GATE);
    let (a, b) = (second.await, third.await);
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(*a, "artifact 1");
    // Finished: a new call is a ready handle.
    let ready = build(1);
    assert!(ready.is_finished());
    assert_eq!(
        ready.try_value().as_deref().map(String::as_str),
        Some("artifact 1")
    );
    assert_eq!(RUNS.load(SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn task_runs_and_stores_with_no_handle_kept() {
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached(task)]
    async fn warm(x: u32) -> u32 {
        pass(&GATE).await;
        x
    }

    drop(warm(5));
    release(&GATE);
    until("stored", || warm_cache().len() == 1).await;
    assert_eq!(warm(5).await, 5);
    assert_eq!(warm_cache().stats().hits, 1);
}

#[test]
fn task_outside_a_runtime_panics_and_frees_the_key() {
    #[cached(task)]
    async fn outside(x: u32) -> u32 {
        x
    }

    let err = std::panic::catch_unwind(|| drop(outside(1))).unwrap_err();
    let message = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_default();
    assert!(
        message.starts_with("no tokio runtime here"),
        "unexpected panic: {message:?}"
    );
    assert_eq!(outside_cache().in_flight(), 0, "the key is not poisoned");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(rt.block_on(async { outside(1).await }), 1);
}

#[tokio::test(start_paused = true)]
async fn local_runs_non_send_bodies_on_a_local_set() {
    use std::rc::Rc;
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(local)]
    async fn rc_body(x: u32) -> u32 {
        let shared = Rc::new(x);
        tokio::task::yield_now().await;
        RUNS.fetch_add(1, SeqCst);
        *shared * 2
    }

    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let a = tokio::task::spawn_local(rc_body(4));
            let b = tokio::task::spawn_local(rc_body(4));
            assert_eq!(a.await.unwrap(), 8);
            assert_eq!(b.await.unwrap(), 8);
            assert_eq!(rc_body(4).await, 8);
        })
        .await;
    assert_eq!(RUNS.load(SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn clear_forgets_values_and_flights() {
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn val(x: u32) -> u32 {
        if x == 0 {
            pass(&GATE).await;
        }
        x
    }

    val(1).await;
    val(2).await;
    let running = tokio::spawn(val(0));
    until("in flight", || val_cache().in_flight() == 1).await;
    val_cache().clear();
    assert_eq!((val_cache().len(), val_cache().in_flight()), (0, 0));
    release(&GATE);
    assert_eq!(
        running.await.unwrap(),
        0,
        "a cleared flight still serves its waiter"
    );
    assert!(val_cache().is_empty(), "but does not store");
}

#[test]
fn a_flight_dropped_with_its_runtime_does_not_hang_its_waiters() {
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn never(x: u32) -> u32 {
        pass(&GATE).await;
        x
    }

    let doomed = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let other = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // The flight starts on `doomed` and its first caller leaves, so the body moves into
    // a task there; a waiter joins from `other`.
    doomed.block_on(async {
        let mut first = Box::pin(never(1));
        assert!(futures::poll!(first.as_mut()).is_pending());
    });
    assert_eq!(never_cache().in_flight(), 1);
    let waiter = other.spawn(never(1));
    other.block_on(until("joined", || never_cache().stats().joins == 1));
    drop(doomed);
    let err = other.block_on(waiter).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(never_cache().in_flight(), 0, "the key is usable again");
}

#[test]
fn a_caller_dropped_outside_any_runtime_leaves_the_body_to_the_others() {
    static GATE: Semaphore = Semaphore::const_new(0);
    #[cached]
    async fn fetch(x: u32) -> u32 {
        pass(&GATE).await;
        x
    }

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut leader = Box::pin(fetch(5));
    rt.block_on(async { assert!(futures::poll!(leader.as_mut()).is_pending()) });
    let joiner = rt.spawn(fetch(5));
    rt.block_on(until("joined", || fetch_cache().stats().joins == 1));
    // No runtime context here: the body cannot be spawned, the joiner keeps driving it.
    drop(leader);
    release(&GATE);
    assert_eq!(rt.block_on(joiner).unwrap(), 5);
    assert_eq!(fetch_cache().peek(&(5,)), Some(5));
}

#[test]
fn without_a_runtime_a_dropped_first_caller_leaves_the_body_to_a_joiner() {
    use futures::channel::oneshot;
    use std::future::Future as _;
    use std::sync::Mutex;
    static SIGNAL: Mutex<Option<oneshot::Receiver<u32>>> = Mutex::new(None);
    #[cached]
    async fn signalled(x: u32) -> u32 {
        let signal = SIGNAL.lock().unwrap().take().expect("one run");
        x + signal.await.unwrap()
    }

    let (tx, rx) = oneshot::channel();
    *SIGNAL.lock().unwrap() = Some(rx);
    let noop = futures::task::noop_waker();
    let mut first = Box::pin(signalled(2));
    assert!(
        first
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&noop))
            .is_pending()
    );
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let joiner = std::thread::spawn(move || {
        done_tx
            .send(futures::executor::block_on(signalled(2)))
            .unwrap();
    });
    while signalled_cache().stats().joins == 0 {
        std::thread::yield_now();
    }
    drop(first);
    tx.send(20).unwrap();
    let value = done_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the joiner hangs after the first caller left");
    assert_eq!(value, 22);
    joiner.join().unwrap();
    assert_eq!(signalled_cache().peek(&(2,)), Some(22));
}

#[test]
fn without_a_runtime_a_flight_whose_callers_all_left_frees_its_key() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    async fn pending_once(x: u32) -> u32 {
        if RUNS.fetch_add(1, SeqCst) == 0 {
            std::future::pending::<()>().await;
        }
        x
    }

    let noop = futures::task::noop_waker();
    let mut only = Box::pin(pending_once(1));
    let polled =
        std::future::Future::poll(only.as_mut(), &mut std::task::Context::from_waker(&noop));
    assert!(polled.is_pending());
    // Nothing can run the body any more: it is dropped and the key is free at once.
    drop(only);
    assert_eq!(pending_once_cache().in_flight(), 0);
    assert_eq!(futures::executor::block_on(pending_once(1)), 1);
    assert_eq!(RUNS.load(SeqCst), 2);
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<FnCache<(u32,), String>>();
    send_sync::<CachedTask<String>>();
    send_sync::<CacheStats>();

    #[cached]
    async fn f(x: u32) -> u32 {
        x
    }
    send(&f(1));
    send(&f_cache());
}

#[derive(Clone, Hash, PartialEq, Eq)]
struct Typed<T> {
    value: T,
}

static TYPED_RUNS: AtomicUsize = AtomicUsize::new(0);

impl<T: Clone + std::hash::Hash + Eq + Send + Sync + ToString + 'static> Typed<T> {
    /// A method of a generic `impl`: one static, one cache per instantiation.
    #[cached]
    fn describe(&self) -> String {
        TYPED_RUNS.fetch_add(1, SeqCst);
        self.value.to_string()
    }
}

// Regression: a generic impl used to compile, then panic on its second instantiation.
#[test]
fn methods_of_a_generic_impl_get_one_cache_per_instantiation() {
    let a = Typed { value: 7u32 };
    let b = Typed { value: "seven" };
    let c = Typed { value: 7u64 };
    assert_eq!(a.describe(), "7");
    assert_eq!(b.describe(), "seven");
    assert_eq!(c.describe(), "7");
    assert_eq!(
        (a.describe(), b.describe(), c.describe()),
        ("7".into(), "seven".into(), "7".into())
    );
    assert_eq!(
        TYPED_RUNS.load(SeqCst),
        3,
        "each instantiation ran once, then hit"
    );
}

// Regression: a ttl this long compiled, then panicked on the first call ("overflow when
// adding duration to instant"); it means that values never expire.
#[tokio::test(start_paused = true)]
async fn a_ttl_beyond_the_clock_range_never_expires() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(ttl = "200000000000000d")]
    async fn forever(x: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        x
    }

    assert_eq!(forever(1).await, 1);
    tokio::time::advance(Duration::from_secs(100 * 365 * 24 * 3600)).await;
    assert_eq!(forever(1).await, 1);
    assert_eq!(RUNS.load(SeqCst), 1);
    assert_eq!(forever_cache().stats().expirations, 0);
}

#[tokio::test(start_paused = true)]
async fn a_one_nanosecond_ttl_expires_at_the_next_tick() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(ttl = "1ns")]
    async fn brief(x: u32) -> usize {
        RUNS.fetch_add(1, SeqCst) + x as usize
    }

    assert_eq!(brief(0).await, 0);
    assert_eq!(brief(0).await, 0, "alive at its completion instant");
    tokio::time::sleep(Duration::from_millis(1)).await;
    until("swept", || brief_cache().is_empty()).await;
    assert_eq!(brief(0).await, 1);
}

#[tokio::test(start_paused = true)]
async fn max_one_keeps_only_the_last_key() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(max = 1)]
    async fn last(x: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        x
    }

    for x in [1, 1, 2, 2, 1] {
        assert_eq!(last(x).await, x);
    }
    assert_eq!(RUNS.load(SeqCst), 3);
    assert_eq!(last_cache().len(), 1);
    assert_eq!(last_cache().stats().evictions, 2);
}

#[cfg(target_pointer_width = "64")]
#[tokio::test(start_paused = true)]
async fn max_usize_max_is_unbounded() {
    #[cached(max = 18446744073709551615)]
    async fn all(x: u32) -> u32 {
        x
    }

    for x in 0..10_000 {
        all(x).await;
    }
    assert_eq!(all_cache().len(), 10_000);
    assert_eq!(all_cache().stats().evictions, 0);
}

#[tokio::test(start_paused = true)]
async fn task_handles_at_the_extremes() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached(task, max = 1, ttl = "200000000000000d")]
    async fn build(x: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        tokio::task::yield_now().await;
        x
    }

    assert_eq!(build(1).await, 1);
    assert_eq!(build(1).await, 1);
    assert_eq!(build(2).await, 2, "evicts 1");
    tokio::time::advance(Duration::from_secs(100 * 365 * 24 * 3600)).await;
    assert_eq!(build(2).await, 2, "never expires");
    assert_eq!(build(1).await, 1);
    assert_eq!(RUNS.load(SeqCst), 3);
    assert_eq!(build_cache().stats().evictions, 2);
}

/// Distinct keys through a cache of a thousand, 200 times its size: the stored values and
/// the running computations stay at the live thousand (the deadlines too: `ttl.rs` counts
/// them over a million keys; the soak example measures memory over millions, in release).
#[tokio::test(start_paused = true)]
async fn many_distinct_keys_stay_within_max() {
    const KEYS: u64 = 200_000;
    #[cached(max = 1000)]
    async fn bounded(x: u64) -> u64 {
        x
    }
    #[cached(max = 1000, ttl = "1h")]
    async fn bounded_ttl(x: u64) -> u64 {
        x
    }

    for x in 0..KEYS {
        assert_eq!(bounded(x).await, x);
        assert_eq!(bounded_ttl(x).await, x);
    }
    for cache in [bounded_cache(), bounded_ttl_cache()] {
        assert_eq!(cache.len(), 1000);
        assert_eq!(cache.in_flight(), 0);
        let stats = cache.stats();
        assert_eq!((stats.misses, stats.evictions), (KEYS, KEYS - 1000));
        assert_eq!(stats.expirations, 0);
    }
}
