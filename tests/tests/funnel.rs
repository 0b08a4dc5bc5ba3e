//! Integration tests of `Funnel`, `funnel_steps`, `try_funnel`.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ayutil::{FunnelError, FunnelStep, funnel, funnel_steps, try_funnel};
use futures::{FutureExt, StreamExt, stream};
use tokio::time::{Instant, sleep};

use crate::support;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn nz(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

async fn after(delay: u64, value: u64) -> u64 {
    sleep(ms(delay)).await;
    value
}

/// Counts drops, so a test can see that a future was dropped, not leaked or finished.
struct DropCount(Arc<AtomicUsize>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Runs `test` on a paused current-thread runtime on its own thread, and fails if it has
/// not finished within 10 s: a hang detector that never polls what it watches.
fn finishes_paused(test: impl Future<Output = ()> + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(test);
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(()) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("the test hung"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("the test panicked"),
    }
}

#[tokio::test(start_paused = true)]
async fn yields_in_completion_order() {
    let source = stream::iter([50, 10, 40, 20, 30]).map(|d| after(d, d));
    let out: Vec<u64> = funnel(source).collect().await;
    assert_eq!(out, [10, 20, 30, 40, 50]);
}

#[tokio::test(start_paused = true)]
async fn empty_source_ends_at_once() {
    let source = stream::iter(Vec::<std::future::Ready<u8>>::new());
    let t0 = Instant::now();
    assert_eq!(funnel(source).collect::<Vec<_>>().await, []);
    assert_eq!(t0.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn first_output_comes_before_the_source_ends() {
    let (tx, rx) = futures::channel::mpsc::unbounded();
    let mut f = funnel(rx);
    tx.unbounded_send(after(10, 1)).unwrap();
    // The source is still open: the output still comes out.
    assert_eq!(f.next().await, Some(1));
    tx.unbounded_send(after(10, 2)).unwrap();
    assert_eq!(f.next().await, Some(2));
    drop(tx);
    assert_eq!(f.next().await, None);
}

#[tokio::test(start_paused = true)]
async fn ready_futures_come_out_without_a_spawn() {
    // A spawned task would need the runtime to run before its output is there.
    let mut f = funnel(stream::iter([1, 2]).map(std::future::ready));
    assert_eq!(f.next().now_or_never(), Some(Some(1)));
    assert_eq!(f.next().now_or_never(), Some(Some(2)));
    assert_eq!(f.next().now_or_never(), Some(None));
}

#[tokio::test(start_paused = true)]
async fn is_lazy_until_polled() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let p = pulled.clone();
    let source = stream::iter(0..3).map(move |i| {
        p.fetch_add(1, SeqCst);
        async move { i }
    });
    let mut f = funnel(source);
    sleep(ms(10)).await;
    assert_eq!((pulled.load(SeqCst), f.in_flight()), (0, 0));
    assert!(f.next().await.is_some());
    assert_eq!(pulled.load(SeqCst), 3);
}

/// The seed's demo: five sleepers, each returns a second sleeper that goes back in.
#[tokio::test(start_paused = true)]
async fn seed_demo_refeeds_continuations() {
    let log = Arc::new(Mutex::new(Vec::new()));
    // Recursive: `async fn` cannot name the `Send` bound the funnel needs.
    #[allow(clippy::manual_async_fn)]
    fn sleeper(
        n: u64,
        first: u64,
        second: u64,
        again: bool,
        log: Arc<Mutex<Vec<String>>>,
    ) -> impl Future<Output = FunnelStep<u64>> + Send {
        async move {
            let d = if again { first } else { second };
            sleep(ms(d)).await;
            if again {
                log.lock().unwrap().push(format!("first {n}"));
                FunnelStep::then(sleeper(n, first, second, false, log))
            } else {
                log.lock().unwrap().push(format!("second {n}"));
                FunnelStep::Done(n)
            }
        }
    }
    // (n, first sleep, second sleep) chosen so the two rounds interleave.
    let plan = [
        (1, 67, 60),
        (2, 58, 37),
        (3, 72, 21),
        (4, 11, 6),
        (5, 5, 25),
    ];
    let l = log.clone();
    let source = stream::iter(plan).map(move |(n, a, b)| sleeper(n, a, b, true, l.clone()));
    let t0 = Instant::now();
    let out: Vec<u64> = funnel_steps(source).collect().await;
    // Totals: 1 → 127, 2 → 95, 3 → 93, 4 → 17, 5 → 30.
    assert_eq!(out, [4, 5, 3, 2, 1]);
    assert_eq!(
        t0.elapsed(),
        ms(127),
        "continuations ran at once, concurrently"
    );
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log,
        [
            "first 5", "first 4", "second 4", "second 5", "first 2", "first 1", "first 3",
            "second 3", "second 2", "second 1"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn continuation_counts_once_against_the_limit() {
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    // Recursive: `async fn` cannot name the `Send` bound the funnel needs.
    #[allow(clippy::manual_async_fn)]
    fn job(
        depth: u32,
        now: Arc<AtomicUsize>,
        peak: Arc<AtomicUsize>,
    ) -> impl Future<Output = FunnelStep<u32>> + Send {
        async move {
            peak.fetch_max(now.fetch_add(1, SeqCst) + 1, SeqCst);
            sleep(ms(5)).await;
            now.fetch_sub(1, SeqCst);
            if depth == 0 {
                FunnelStep::Done(7)
            } else {
                FunnelStep::then(job(depth - 1, now, peak))
            }
        }
    }
    let (n2, p2) = (now.clone(), peak.clone());
    let source = stream::iter(0..50).map(move |_| job(3, n2.clone(), p2.clone()));
    let out: Vec<u32> = funnel_steps(source).limit(nz(4)).collect().await;
    assert_eq!(out.len(), 50);
    assert!(out.iter().all(|&v| v == 7));
    assert_eq!(peak.load(SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn limit_holds_under_load_and_loses_nothing() {
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (n2, p2) = (now.clone(), peak.clone());
    let source = stream::iter(0..5000u64).map(move |i| {
        let (now, peak) = (n2.clone(), p2.clone());
        async move {
            peak.fetch_max(now.fetch_add(1, SeqCst) + 1, SeqCst);
            sleep(ms(i % 7)).await;
            now.fetch_sub(1, SeqCst);
            i
        }
    });
    let mut out: Vec<u64> = funnel(source).limit(nz(64)).collect().await;
    out.sort_unstable();
    assert_eq!(out, (0..5000).collect::<Vec<_>>());
    assert_eq!(peak.load(SeqCst), 64);
}

#[tokio::test(start_paused = true)]
async fn unlimited_funnel_runs_everything_at_once() {
    let source = stream::iter(0..1000u64).map(|i| after(100, i));
    let t0 = Instant::now();
    let sum: u64 = funnel(source).fold(0, |a, b| async move { a + b }).await;
    assert_eq!(sum, 999 * 1000 / 2);
    assert_eq!(t0.elapsed(), ms(100));
}

#[tokio::test(start_paused = true)]
async fn limit_applies_backpressure_to_the_source() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let p = pulled.clone();
    let source = stream::iter(0..100u64).map(move |i| {
        p.fetch_add(1, SeqCst);
        after(10, i)
    });
    let mut f = funnel(source).limit(nz(3));
    assert!(f.next().await.is_some());
    // Nothing polls the funnel now: the source stays untouched however long we wait.
    sleep(ms(1000)).await;
    assert_eq!(pulled.load(SeqCst), 3);
    assert_eq!(f.in_flight(), 2);
    assert_eq!(f.count().await, 99);
    assert_eq!(pulled.load(SeqCst), 100);
}

#[tokio::test(start_paused = true)]
async fn always_ready_endless_source_does_not_starve_the_consumer() {
    let source = stream::repeat_with(|| async { 1u8 });
    let got: Vec<u8> = funnel(source).take(10).collect().await;
    assert_eq!(got, [1; 10]);
}

// futures-rs 2387: buffered/unordered futures are not polled while the consumer's loop
// body awaits something else, so they finish late.
#[tokio::test(start_paused = true)]
async fn futures_keep_running_while_the_consumer_is_busy() {
    let t0 = Instant::now();
    let source = stream::iter(1..=5u64).map(move |k| async move {
        sleep(ms(20 * k)).await;
        (k, t0.elapsed())
    });
    let mut f = funnel(source);
    let mut seen = 0;
    while let Some((k, finished_at)) = f.next().await {
        assert_eq!(finished_at, ms(20 * k), "item {k} finished late");
        sleep(ms(100)).await; // the consumer is busy
        seen += 1;
    }
    assert_eq!(seen, 5);
    assert_eq!(t0.elapsed(), ms(20 + 5 * 100));
}

#[tokio::test(start_paused = true)]
async fn dropping_the_funnel_cancels_every_future() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let (d, f2) = (dropped.clone(), finished.clone());
    let source = stream::iter(0..10u64).map(move |i| {
        let guard = DropCount(d.clone());
        let finished = f2.clone();
        async move {
            let _guard = guard;
            sleep(ms(if i == 0 { 1 } else { 1000 })).await;
            finished.fetch_add(1, SeqCst);
        }
    });
    let mut f = funnel(source);
    assert!(f.next().await.is_some());
    drop(f);
    sleep(ms(5000)).await;
    assert_eq!(finished.load(SeqCst), 1);
    assert_eq!(dropped.load(SeqCst), 10);
}

#[tokio::test(start_paused = true)]
async fn try_funnel_stops_at_the_first_error_and_drops_the_rest() {
    let finished = Arc::new(AtomicUsize::new(0));
    let f2 = finished.clone();
    let source = stream::iter([10u64, 20, 30, 40]).map(move |d| {
        let finished = f2.clone();
        Ok(async move {
            sleep(ms(d)).await;
            if d == 20 {
                return Err(format!("bad {d}"));
            }
            finished.fetch_add(1, SeqCst);
            Ok(d)
        })
    });
    let out: Vec<_> = try_funnel(source).collect().await;
    assert_eq!(out, [Ok(10), Err(FunnelError::Failed("bad 20".to_owned()))]);
    sleep(ms(1000)).await;
    assert_eq!(finished.load(SeqCst), 1, "30 and 40 were dropped");
}

#[tokio::test(start_paused = true)]
async fn try_funnel_ends_on_a_source_error() {
    let source = stream::iter([Ok(10u64), Ok(20), Err("source broke"), Ok(1)]).map(|item| {
        item.map(|d| async move {
            sleep(ms(d)).await;
            Ok(d)
        })
    });
    let mut f = try_funnel(source);
    // The source error is seen while pulling, before any output is ready.
    assert_eq!(
        f.next().await,
        Some(Err(FunnelError::Failed("source broke")))
    );
    assert_eq!(f.next().await, None);
    assert!(futures::stream::FusedStream::is_terminated(&f));
}

#[tokio::test(start_paused = true)]
async fn timeout_yields_what_finished_then_the_error() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let d = dropped.clone();
    let source = stream::iter([10u64, 30, 200, 300]).map(move |delay| {
        let guard = DropCount(d.clone());
        async move {
            let _guard = guard;
            after(delay, delay).await
        }
    });
    let mut f = funnel(source).timeout(ms(100));
    assert_eq!(f.next().await, Some(Ok(10)));
    // The consumer is late: 30 finished before the deadline, it still comes out.
    sleep(ms(150)).await;
    assert_eq!(f.next().await, Some(Ok(30)));
    assert_eq!(f.next().await, Some(Err(FunnelError::TimedOut(ms(100)))));
    assert_eq!(f.next().await, None);
    tokio::task::yield_now().await;
    assert_eq!(dropped.load(SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn timeout_that_does_not_fire_changes_nothing() {
    let source = stream::iter([10u64, 20]).map(|d| after(d, d));
    let out: Vec<_> = funnel(source).timeout(ms(100)).collect().await;
    assert_eq!(out, [Ok(10), Ok(20)]);
}

#[tokio::test(start_paused = true)]
async fn panic_in_a_future_reaches_the_consumer() {
    let source = stream::iter([1u64, 2]).map(|d| async move {
        sleep(ms(d)).await;
        assert!(d != 1, "future one exploded");
        d
    });
    let res = std::panic::AssertUnwindSafe(funnel(source).collect::<Vec<_>>())
        .catch_unwind()
        .await;
    let payload = res.unwrap_err();
    let msg = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or_default();
    assert_eq!(msg, "future one exploded");
}

#[test]
fn funnels_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    let f = funnel(stream::iter([async { 1 }]));
    assert_send_sync(&f);
    let t = try_funnel(stream::iter([Ok::<_, ()>(async { Ok::<_, ()>(1) })]));
    assert_send_sync(&t);
    assert_send_sync(&funnel(stream::iter([async { 1 }])).timeout(ms(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_on_a_multi_thread_runtime() {
    let source = stream::iter(0..3000u64).map(|i| async move {
        tokio::task::yield_now().await;
        i
    });
    let sum = tokio::spawn(async move {
        funnel(source)
            .limit(nz(16))
            .fold(0, |a, b| async move { a + b })
            .await
    })
    .await
    .unwrap();
    assert_eq!(sum, 2999 * 3000 / 2);
}

#[tokio::test(start_paused = true)]
async fn the_source_need_not_be_send() {
    // Only the futures move to the driver; the source stays with the consumer.
    let local = std::rc::Rc::new(3u64);
    let source = stream::iter(0..4u64).map(move |i| after(10 - i, i * *local));
    let out: Vec<u64> = funnel(source).collect().await;
    assert_eq!(out, [9, 6, 3, 0]);
}

/// A future that holds `tx` until it is dropped: the receiver then sees `Closed`.
async fn holds_forever(tx: tokio::sync::oneshot::Sender<()>) {
    let _tx = tx;
    std::future::pending::<()>().await;
}

#[tokio::test]
async fn try_funnel_error_comes_after_the_other_futures_are_dropped() {
    // Regression: the `Err` was yielded while the funnel's other futures were still alive.
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let fails = async {
        tokio::task::yield_now().await;
        Err::<(), _>("boom")
    }
    .boxed();
    let holds = async move {
        holds_forever(tx).await;
        Ok(())
    }
    .boxed();
    let mut f = try_funnel(stream::iter([Ok(holds), Ok(fails)]));
    assert_eq!(f.next().await, Some(Err(FunnelError::Failed("boom"))));
    assert_eq!(
        rx.try_recv(),
        Err(tokio::sync::oneshot::error::TryRecvError::Closed)
    );
    assert_eq!(f.next().await, None);
}

#[test]
fn try_funnel_ready_error_comes_after_the_running_futures_are_dropped() {
    // Regression: an `Err` ready on its first poll was yielded while the driver still ran;
    // waiting for the driver to stop must not hang when it never ran.
    finishes_paused(async {
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let holds = async move {
            holds_forever(tx).await;
            Ok(())
        }
        .boxed();
        let fails = async { Err::<(), _>("at once") }.boxed();
        let mut f = try_funnel(stream::iter([Ok(holds), Ok(fails)]));
        assert_eq!(f.next().await, Some(Err(FunnelError::Failed("at once"))));
        assert_eq!(
            rx.try_recv(),
            Err(tokio::sync::oneshot::error::TryRecvError::Closed)
        );
    });
}

#[tokio::test]
async fn try_funnel_source_error_comes_after_the_running_futures_are_dropped() {
    // Regression: a source `Err` was yielded while the driver still ran the earlier futures.
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let holds = async move {
        holds_forever(tx).await;
        Ok::<(), &str>(())
    };
    let (source_tx, source) = futures::channel::mpsc::unbounded();
    let mut f = try_funnel(source);
    source_tx.unbounded_send(Ok(holds.boxed())).unwrap();
    assert!(futures::poll!(f.next()).is_pending());
    // The driver takes the future over.
    tokio::task::yield_now().await;
    source_tx.unbounded_send(Err("source broke")).unwrap();
    assert_eq!(
        f.next().await,
        Some(Err(FunnelError::Failed("source broke")))
    );
    assert_eq!(
        rx.try_recv(),
        Err(tokio::sync::oneshot::error::TryRecvError::Closed)
    );
}

#[tokio::test]
async fn panic_is_resumed_after_the_other_futures_are_dropped() {
    // Regression: the panic was resumed while the funnel's other futures were still alive.
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let source = stream::iter([
        holds_forever(tx).boxed(),
        async {
            tokio::task::yield_now().await;
            panic!("future exploded");
        }
        .boxed(),
    ]);
    let res = std::panic::AssertUnwindSafe(funnel(source).collect::<Vec<()>>())
        .catch_unwind()
        .await;
    assert!(res.is_err());
    assert_eq!(
        rx.try_recv(),
        Err(tokio::sync::oneshot::error::TryRecvError::Closed)
    );
}

#[test]
fn try_funnel_error_after_drop_holds_on_a_multi_thread_runtime() {
    // Regression: the race of the error against the driver's drop, on worker threads.
    let rt = support::multi_thread();
    for round in 0..300 {
        rt.block_on(async {
            tokio::spawn(async move {
                let mut receivers = Vec::new();
                let mut futures: Vec<
                    futures::future::BoxFuture<'static, Result<(), &'static str>>,
                > = Vec::new();
                for _ in 0..4 {
                    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
                    receivers.push(rx);
                    futures.push(
                        async move {
                            holds_forever(tx).await;
                            Ok(())
                        }
                        .boxed(),
                    );
                }
                futures.push(
                    async {
                        tokio::task::yield_now().await;
                        Err::<(), _>("boom")
                    }
                    .boxed(),
                );
                let items: Vec<Result<_, &'static str>> = futures.into_iter().map(Ok).collect();
                let mut f = try_funnel(stream::iter(items));
                assert_eq!(f.next().await, Some(Err(FunnelError::Failed("boom"))));
                for mut rx in receivers {
                    assert_eq!(
                        rx.try_recv(),
                        Err(tokio::sync::oneshot::error::TryRecvError::Closed),
                        "round {round}"
                    );
                }
            })
            .await
            .unwrap();
        });
    }
}

#[tokio::test(start_paused = true)]
async fn limit_of_one_runs_one_at_a_time() {
    let source = stream::iter([30u64, 10, 20]).map(|d| after(d, d));
    let t0 = Instant::now();
    let out: Vec<u64> = funnel(source).limit(NonZeroUsize::MIN).collect().await;
    assert_eq!(out, [30, 10, 20], "one at a time: source order");
    assert_eq!(t0.elapsed(), ms(60));
}

#[tokio::test(start_paused = true)]
async fn limit_of_max_is_unbounded() {
    let source = stream::iter(0..1000u64).map(|i| after(10, i));
    let t0 = Instant::now();
    let f = funnel(source).limit(NonZeroUsize::MAX);
    assert_eq!(f.count().await, 1000);
    assert_eq!(t0.elapsed(), ms(10));
    let source = stream::iter(0..10u64).map(|i| Ok::<_, ()>(async move { Ok(after(10, i).await) }));
    assert_eq!(
        try_funnel(source).limit(NonZeroUsize::MAX).count().await,
        10
    );
}

#[test]
fn timeout_of_zero_yields_only_what_is_ready_at_once() {
    // As `tokio::time::timeout`: what is ready on the first poll still comes out. The
    // driver is aborted before it ever ran, which must not hang the funnel.
    finishes_paused(async {
        let source = stream::iter([0u64, 10]).map(|d| async move {
            if d > 0 {
                sleep(ms(d)).await;
            }
            d
        });
        let out: Vec<_> = funnel(source).timeout(Duration::ZERO).collect().await;
        assert_eq!(out, [Ok(0), Err(FunnelError::TimedOut(Duration::ZERO))]);
    });
}

#[tokio::test(start_paused = true)]
async fn timeout_of_max_never_fires() {
    let source = stream::iter([10u64, 3_600_000]).map(|d| after(d, d));
    let out: Vec<_> = funnel(source).timeout(Duration::MAX).collect().await;
    assert_eq!(out, [Ok(10), Ok(3_600_000)]);
    let never = stream::pending::<Result<std::future::Ready<Result<(), ()>>, ()>>();
    let mut f = try_funnel(never).timeout(Duration::MAX);
    assert!(
        tokio::time::timeout(Duration::from_secs(86_400 * 365), f.next())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn panic_on_the_first_poll_is_resumed_after_the_running_futures_are_dropped() {
    // Regression: a future that panicked on its inline first poll unwound through the
    // consumer at once, while the futures already in the driver were still alive.
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let (source_tx, source) = futures::channel::mpsc::unbounded();
    let mut f = funnel(source);
    source_tx.unbounded_send(holds_forever(tx).boxed()).unwrap();
    assert!(futures::poll!(f.next()).is_pending());
    // The driver takes the future over.
    tokio::task::yield_now().await;
    source_tx
        .unbounded_send(async { panic!("exploded on its first poll") }.boxed())
        .unwrap();
    let res = std::panic::AssertUnwindSafe(f.next()).catch_unwind().await;
    let payload = res.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>().copied(),
        Some("exploded on its first poll")
    );
    assert_eq!(
        rx.try_recv(),
        Err(tokio::sync::oneshot::error::TryRecvError::Closed)
    );
}
