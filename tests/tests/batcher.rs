//! Integration tests of `ayutil::Batcher`: batching rules under paused time, result routing,
//! errors, close and drop flushing, limits under load, bad configuration.

use std::convert::Infallible;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ayutil::{BatchError, Batcher, BatcherClosed, BatcherConfigError};
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

const MS: Duration = Duration::from_millis(1);

/// A batch size, concurrency limit or capacity; zero cannot be asked for (they are
/// `NonZeroUsize`).
fn nz(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

/// What the handler saw: when each batch started and what it held.
type Log = Arc<Mutex<Vec<(Instant, Vec<u32>)>>>;

/// A batcher whose handler logs each batch and answers `n * 10` for item `n`.
fn logging(volume: usize, wait: Duration) -> (Batcher<u32, u32, Infallible>, Log) {
    let log = Log::default();
    let sink = Arc::clone(&log);
    let batcher = Batcher::builder(nz(volume), wait)
        .build(move |items: Vec<u32>| {
            sink.lock().unwrap().push((Instant::now(), items.clone()));
            async move { Ok(items.into_iter().map(|n| n * 10).collect()) }
        })
        .unwrap();
    (batcher, log)
}

fn batches(log: &Log) -> Vec<Vec<u32>> {
    log.lock().unwrap().iter().map(|(_, b)| b.clone()).collect()
}

fn ok_echo(items: Vec<u32>) -> std::future::Ready<Result<Vec<u32>, Infallible>> {
    std::future::ready(Ok(items))
}

#[tokio::test(start_paused = true)]
async fn full_batch_is_dispatched_at_once() {
    let (batcher, log) = logging(3, Duration::from_secs(3600));
    let t0 = Instant::now();
    let (a, b, c) = tokio::join!(batcher.call(1), batcher.call(2), batcher.call(3));
    assert_eq!((a.unwrap(), b.unwrap(), c.unwrap()), (10, 20, 30));
    assert_eq!(t0.elapsed(), Duration::ZERO);
    assert_eq!(batches(&log), [vec![1, 2, 3]]);
}

#[tokio::test(start_paused = true)]
async fn volume_splits_a_burst_into_full_batches_in_order() {
    let (batcher, log) = logging(4, Duration::from_secs(1));
    for n in 0..10 {
        batcher.put(n).await.unwrap();
    }
    batcher.close().await.unwrap();
    assert_eq!(
        batches(&log),
        [vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
    );
}

#[tokio::test(start_paused = true)]
async fn partial_batch_goes_out_exactly_max_wait_after_its_first_item() {
    let (batcher, log) = logging(100, 100 * MS);
    let t0 = Instant::now();
    let first = batcher.submit(1).await.unwrap();
    tokio::time::sleep(60 * MS).await;
    let second = batcher.submit(2).await.unwrap();
    assert_eq!(first.await.unwrap(), 10);
    assert_eq!(second.await.unwrap(), 20);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    // Measured from the first item, not the last (the original could wait 160 ms here).
    assert_eq!(log[0].0 - t0, 100 * MS);
    assert_eq!(log[0].1, [1, 2]);
}

#[tokio::test(start_paused = true)]
async fn item_put_at_the_deadline_opens_the_next_batch() {
    let (batcher, log) = logging(100, 100 * MS);
    let t0 = Instant::now();
    batcher.put(1).await.unwrap();
    tokio::time::sleep(100 * MS).await;
    batcher.put(2).await.unwrap();
    tokio::time::sleep(150 * MS).await;
    batcher.put(3).await.unwrap();
    batcher.close().await.unwrap();
    let log = log.lock().unwrap();
    let seen: Vec<_> = log.iter().map(|(at, b)| (*at - t0, b.clone())).collect();
    assert_eq!(
        seen,
        [
            (100 * MS, vec![1]),
            (200 * MS, vec![2]),
            // Put at 250 ms, flushed by `close` at once rather than at 350 ms.
            (250 * MS, vec![3]),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn each_caller_gets_the_result_of_its_own_item() {
    let batcher = Batcher::builder(nz(7), 5 * MS)
        .build(|items: Vec<u32>| async move {
            // Answers in item order, computed from the item: a mix-up would show.
            Ok::<_, Infallible>(items.iter().map(|n| format!("#{n}")).collect())
        })
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..50 {
        let batcher = batcher.clone();
        tasks.spawn(async move { (n, batcher.call(n).await.unwrap()) });
    }
    for (n, answer) in tasks.join_all().await {
        assert_eq!(answer, format!("#{n}"));
    }
}

#[tokio::test(start_paused = true)]
async fn handler_error_reaches_only_the_callers_of_that_batch() {
    let batcher = Batcher::builder(nz(2), Duration::from_secs(1))
        .build(|items: Vec<u32>| async move {
            if items.contains(&13) {
                Err(format!("bad batch {items:?}"))
            } else {
                Ok(items)
            }
        })
        .unwrap();
    let (a, b) = tokio::join!(batcher.call(12), batcher.call(13));
    let (c, d) = tokio::join!(batcher.call(14), batcher.call(15));
    for failed in [a, b] {
        match failed {
            Err(BatchError::Handler(e)) => assert_eq!(*e, "bad batch [12, 13]"),
            other => panic!("expected the handler error, got {other:?}"),
        }
    }
    assert_eq!((c.unwrap(), d.unwrap()), (14, 15));
    // Everybody awaited their error: nothing is left for `close`.
    batcher.close().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn handler_panic_becomes_an_error_for_its_callers() {
    let batcher = Batcher::builder(nz(1), Duration::from_secs(1))
        .build(|items: Vec<u32>| async move {
            if items[0] == 0 {
                panic!("division by zero");
            }
            Ok::<_, Infallible>(vec![100 / items[0]])
        })
        .unwrap();
    match batcher.call(0).await {
        Err(BatchError::Panicked(p)) => assert_eq!(p.message(), Some("division by zero")),
        other => panic!("expected a panic error, got {other:?}"),
    }
    // The batcher survives the panic.
    assert_eq!(batcher.call(4).await.unwrap(), 25);
}

#[tokio::test(start_paused = true)]
async fn handler_panicking_before_returning_its_future_is_caught_too() {
    let batcher = Batcher::builder(nz(1), Duration::from_secs(1))
        .build(|items: Vec<u32>| {
            assert!(!items.is_empty() && items[0] != 7, "seven is not allowed");
            ok_echo(items)
        })
        .unwrap();
    match batcher.call(7).await {
        Err(BatchError::Panicked(p)) => assert_eq!(p.message(), Some("seven is not allowed")),
        other => panic!("expected a panic error, got {other:?}"),
    }
    assert_eq!(batcher.call(8).await.unwrap(), 8);
}

#[tokio::test(start_paused = true)]
async fn wrong_number_of_results_is_an_error_not_a_mix_up() {
    let batcher = Batcher::builder(nz(3), Duration::from_secs(1))
        .build(|items: Vec<u32>| async move { Ok::<_, Infallible>(items[1..].to_vec()) })
        .unwrap();
    let (a, b, c) = tokio::join!(batcher.call(1), batcher.call(2), batcher.call(3));
    for r in [a, b, c] {
        assert!(
            matches!(
                r,
                Err(BatchError::ResultCount {
                    expected: 3,
                    got: 2
                })
            ),
            "{r:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn put_and_go_failures_are_returned_by_close() {
    let batcher = Batcher::builder(nz(2), 10 * MS)
        .build(|items: Vec<u32>| async move {
            if items[0] % 2 == 1 {
                Err("odd batch")
            } else {
                Ok(vec![(); items.len()])
            }
        })
        .unwrap();
    for n in [0, 0, 1, 1, 2, 2, 3] {
        batcher.put(n).await.unwrap();
    }
    let err = batcher.close().await.unwrap_err();
    assert_eq!(err.failures().len(), 2);
    assert_eq!(err.failed_items(), 3);
    assert_eq!(err.cancelled_items(), 0);
    assert!(!err.driver_stopped());
    assert_eq!(err.to_string(), "3 put-and-go items failed in 2 batches");
    assert_eq!(
        format!("{:#}", anyhow::Error::from(err)),
        "3 put-and-go items failed in 2 batches: the batch handler failed: odd batch"
    );
}

#[tokio::test(start_paused = true)]
async fn awaited_failures_are_not_reported_twice_but_dropped_tickets_are() {
    let batcher = Batcher::builder(nz(3), 10 * MS)
        .build(|_: Vec<u32>| async { Err::<Vec<()>, _>("always") })
        .unwrap();
    let awaited = batcher.submit(1).await.unwrap();
    let dropped = batcher.submit(2).await.unwrap();
    batcher.put(3).await.unwrap();
    drop(dropped);
    assert!(matches!(awaited.await, Err(BatchError::Handler(_))));
    let err = batcher.close().await.unwrap_err();
    assert_eq!(
        err.failed_items(),
        2,
        "the put-and-go item and the dropped ticket"
    );
}

#[tokio::test(start_paused = true)]
async fn close_flushes_at_once_and_waits_for_running_batches() {
    let done = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&done);
    let batcher = Batcher::builder(nz(10), Duration::from_secs(3600))
        .build(move |items: Vec<u32>| {
            let counter = Arc::clone(&counter);
            async move {
                tokio::time::sleep(Duration::from_secs(5)).await;
                counter.fetch_add(items.len(), Ordering::SeqCst);
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    for n in 0..3 {
        batcher.put(n).await.unwrap();
    }
    let t0 = Instant::now();
    batcher.close().await.unwrap();
    // Dispatched at once (not after an hour), then the 5 s handler was awaited.
    assert_eq!(t0.elapsed(), Duration::from_secs(5));
    assert_eq!(done.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn closed_batcher_gives_items_back() {
    let (batcher, _log) = logging(4, MS);
    let other = batcher.clone();
    batcher.close().await.unwrap();
    assert!(other.is_closed());
    assert_eq!(other.put(5).await.unwrap_err(), BatcherClosed(5));
    assert_eq!(other.submit(6).await.unwrap_err(), BatcherClosed(6));
    assert!(matches!(other.call(7).await, Err(BatchError::Closed)));
    // Closing again returns the same outcome instead of hanging.
    other.close().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn every_closer_gets_the_same_outcome() {
    let batcher = Batcher::builder(nz(1), MS)
        .build(|_: Vec<u32>| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Err::<Vec<()>, _>("nope")
        })
        .unwrap();
    batcher.put(1).await.unwrap();
    let other = batcher.clone();
    let (a, b) = tokio::join!(batcher.close(), other.close());
    let (a, b) = (a.unwrap_err(), b.unwrap_err());
    assert_eq!((a.failed_items(), b.failed_items()), (1, 1));
    assert_eq!(
        format!("{:#}", anyhow::Error::from(a)),
        "1 put-and-go item failed in 1 batch: the batch handler failed: nope"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_every_handle_still_dispatches_what_was_put() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let batcher = Batcher::builder(nz(3), Duration::from_secs(3600))
        .build(move |items: Vec<u32>| {
            let tx = tx.clone();
            async move {
                tx.send(items.clone()).unwrap();
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    for n in 0..5 {
        batcher.put(n).await.unwrap();
    }
    let ticket = batcher.submit(5).await.unwrap();
    let t0 = Instant::now();
    drop(batcher);
    // A ticket outlives the batcher and still resolves.
    assert_eq!(ticket.await.unwrap(), 5);
    assert_eq!(
        t0.elapsed(),
        Duration::ZERO,
        "flushed at once, not after an hour"
    );
    let mut seen = Vec::new();
    while let Some(batch) = rx.recv().await {
        seen.extend(batch);
    }
    // The channel closed: the driver finished and dropped the handler.
    assert_eq!(seen, [0, 1, 2, 3, 4, 5]);
}

#[tokio::test(start_paused = true)]
async fn aborted_task_holding_the_batcher_does_not_lose_items() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let batcher = Batcher::builder(nz(100), Duration::from_secs(60))
        .build(move |items: Vec<u32>| {
            let tx = tx.clone();
            async move {
                tx.send(items.len()).unwrap();
                Ok::<_, Infallible>(vec![(); items.len()])
            }
        })
        .unwrap();
    let (put_tx, put_rx) = tokio::sync::oneshot::channel();
    // A task of a scope that is being shut down: it owns the last handle and is aborted.
    let task = tokio::spawn(async move {
        for n in 0..10 {
            batcher.put(n).await.unwrap();
        }
        put_tx.send(()).unwrap();
        std::future::pending::<()>().await;
    });
    put_rx.await.unwrap();
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        total += n;
    }
    assert_eq!(total, 10);
}

#[tokio::test(start_paused = true)]
async fn concurrency_limit_is_respected_and_reached() {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (Arc::clone(&running), Arc::clone(&peak));
    let batcher = Batcher::builder(nz(1), MS)
        .max_concurrency(nz(3))
        .build(move |items: Vec<u32>| {
            let (r, p) = (Arc::clone(&r), Arc::clone(&p));
            async move {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(1)).await;
                r.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    let t0 = Instant::now();
    for n in 0..20 {
        batcher.put(n).await.unwrap();
    }
    batcher.close().await.unwrap();
    assert_eq!(peak.load(Ordering::SeqCst), 3);
    // 20 one-second batches, 3 at a time: 7 rounds.
    assert_eq!(t0.elapsed(), Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn waiting_batches_start_in_the_order_they_closed() {
    let (batcher, log) = {
        let log = Log::default();
        let sink = Arc::clone(&log);
        let b = Batcher::builder(nz(2), Duration::from_secs(1))
            .max_concurrency(nz(1))
            .build(move |items: Vec<u32>| {
                sink.lock().unwrap().push((Instant::now(), items.clone()));
                async move {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Ok::<_, Infallible>(items)
                }
            })
            .unwrap();
        (b, log)
    };
    for n in 0..8 {
        batcher.put(n).await.unwrap();
    }
    batcher.close().await.unwrap();
    assert_eq!(
        batches(&log),
        [vec![0, 1], vec![2, 3], vec![4, 5], vec![6, 7]]
    );
}

#[tokio::test(start_paused = true)]
async fn capacity_makes_put_wait_until_a_batch_starts() {
    let gate = Arc::new(Semaphore::new(0));
    let g = Arc::clone(&gate);
    let batcher = Batcher::builder(nz(2), Duration::from_secs(3600))
        .max_concurrency(nz(1))
        .capacity(nz(4))
        .build(move |items: Vec<u32>| {
            let g = Arc::clone(&g);
            async move {
                g.acquire().await.unwrap().forget();
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    // Batch [0,1] starts (and frees its room); [2,3] and [4,5] wait for the slot: full.
    for n in 0..6 {
        batcher.put(n).await.unwrap();
    }
    let blocked = tokio::spawn({
        let batcher = batcher.clone();
        async move { batcher.put(6).await }
    });
    // Paused time: this runs every task until all are idle.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(!blocked.is_finished(), "put must wait while 4 items wait");
    gate.add_permits(1); // [0,1] finishes, [2,3] starts: two items of room.
    blocked.await.unwrap().unwrap();
    gate.add_permits(100);
    batcher.close().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn cancelled_put_while_waiting_for_room_puts_nothing() {
    let count = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&count);
    let batcher = Batcher::builder(nz(1), MS)
        .max_concurrency(nz(1))
        .capacity(nz(1))
        .build(move |items: Vec<u32>| {
            c.fetch_add(items.len(), Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    batcher.put(0).await.unwrap(); // running
    batcher.put(1).await.unwrap(); // waiting: the bound is full
    let timed_out = tokio::time::timeout(100 * MS, batcher.put(2)).await;
    assert!(timed_out.is_err());
    batcher.close().await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn put_waiting_for_room_gets_its_item_back_on_close() {
    let batcher = Batcher::builder(nz(1), MS)
        .max_concurrency(nz(1))
        .capacity(nz(1))
        .build(|items: Vec<u32>| async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok::<_, Infallible>(items)
        })
        .unwrap();
    batcher.put(0).await.unwrap();
    batcher.put(1).await.unwrap();
    let blocked = tokio::spawn({
        let batcher = batcher.clone();
        async move { batcher.put(2).await }
    });
    tokio::task::yield_now().await;
    batcher.close().await.unwrap();
    assert_eq!(blocked.await.unwrap().unwrap_err(), BatcherClosed(2));
}

#[tokio::test(start_paused = true)]
async fn close_deadline_cancels_running_and_waiting_batches() {
    let started = Arc::new(AtomicUsize::new(0));
    let s = Arc::clone(&started);
    let batcher = Batcher::builder(nz(1), MS)
        .max_concurrency(nz(1))
        .build(move |items: Vec<u32>| {
            s.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_secs(100)).await;
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    let ticket = batcher.submit(0).await.unwrap();
    for n in 1..4 {
        batcher.put(n).await.unwrap();
    }
    let t0 = Instant::now();
    let err = batcher
        .close_with_timeout(Duration::from_secs(10))
        .await
        .unwrap_err();
    assert_eq!(t0.elapsed(), Duration::from_secs(10));
    assert!(matches!(ticket.await, Err(BatchError::Cancelled)));
    assert_eq!(err.cancelled_items(), 3);
    assert_eq!(
        started.load(Ordering::SeqCst),
        1,
        "waiting batches never start"
    );
}

#[tokio::test(start_paused = true)]
async fn close_deadline_does_not_cut_batches_that_finish_in_time() {
    let (batcher, log) = logging(2, Duration::from_secs(60));
    for n in 0..5 {
        batcher.put(n).await.unwrap();
    }
    batcher
        .close_with_timeout(Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(batches(&log).concat(), [0, 1, 2, 3, 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousands_of_concurrent_callers_lose_nothing() {
    const N: u32 = 5_000;
    let handled = Arc::new(AtomicUsize::new(0));
    let biggest = Arc::new(AtomicUsize::new(0));
    let (h, big) = (Arc::clone(&handled), Arc::clone(&biggest));
    let batcher = Batcher::builder(nz(64), 2 * MS)
        .max_concurrency(nz(4))
        .capacity(nz(256))
        .build(move |items: Vec<u32>| {
            h.fetch_add(items.len(), Ordering::SeqCst);
            big.fetch_max(items.len(), Ordering::SeqCst);
            async move {
                tokio::task::yield_now().await;
                Ok::<_, Infallible>(items.into_iter().map(u64::from).collect())
            }
        })
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..N {
        let batcher = batcher.clone();
        tasks.spawn(async move {
            if n % 2 == 0 {
                assert_eq!(batcher.call(n).await.unwrap(), u64::from(n));
            } else {
                batcher.put(n).await.unwrap();
            }
        });
    }
    tasks.join_all().await;
    batcher.close().await.unwrap();
    assert_eq!(handled.load(Ordering::SeqCst), N as usize);
    assert!(biggest.load(Ordering::SeqCst) <= 64);
}

#[tokio::test]
async fn zero_wait_and_inconsistent_limits_are_rejected() {
    // Zero sizes cannot be written: they are `NonZeroUsize`.
    let build = |b: ayutil::BatcherBuilder| b.build(ok_echo).map(drop);
    let wait = Duration::from_secs(1);
    assert_eq!(
        build(Batcher::builder(nz(1), Duration::ZERO)),
        Err(BatcherConfigError::ZeroWait)
    );
    assert_eq!(
        build(Batcher::builder(nz(10), wait).capacity(nz(9))),
        Err(BatcherConfigError::CapacityBelowVolume {
            capacity: 9,
            max_volume: 10
        })
    );
    assert_eq!(
        BatcherConfigError::ZeroWait.to_string(),
        "max_wait must be greater than zero"
    );
    assert!(build(Batcher::builder(nz(10), wait).capacity(nz(10))).is_ok());
    assert_eq!(
        build(Batcher::builder(NonZeroUsize::MAX, wait).capacity(NonZeroUsize::MIN)),
        Err(BatcherConfigError::CapacityBelowVolume {
            capacity: 1,
            max_volume: usize::MAX
        })
    );
}

#[test]
fn building_outside_a_runtime_is_an_error_not_a_panic() {
    let err = Batcher::builder(nz(1), MS).build(ok_echo).unwrap_err();
    assert!(matches!(err, BatcherConfigError::NoRuntime(_)), "{err:?}");
}

#[test]
fn handles_and_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let batcher: Batcher<String, usize, std::io::Error> = Batcher::builder(nz(2), MS)
        .build(|items: Vec<String>| async move { Ok(items.iter().map(String::len).collect()) })
        .unwrap();
    send_sync(&batcher);
    send(&batcher.put(String::new()));
    send(&batcher.submit(String::new()));
    send(&batcher.call(String::new()));
    send(&batcher.close());
    send(&batcher.close_with_timeout(MS));
    fn send_sync_type<T: Send + Sync>() {}
    send_sync_type::<ayutil::BatchTicket<usize, std::io::Error>>();
    send_sync_type::<ayutil::BatcherCloseError<std::io::Error>>();
    send_sync(&BatcherClosed(String::new()));
}

#[tokio::test(start_paused = true)]
async fn a_batch_closed_by_time_waits_for_a_slot_and_takes_no_more_items() {
    let log = Log::default();
    let sink = Arc::clone(&log);
    let batcher = Batcher::builder(nz(100), 10 * MS)
        .max_concurrency(nz(1))
        .build(move |items: Vec<u32>| {
            sink.lock().unwrap().push((Instant::now(), items.clone()));
            async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    let t0 = Instant::now();
    batcher.put(1).await.unwrap(); // closes at 10 ms, starts at once
    tokio::time::sleep(20 * MS).await;
    batcher.put(2).await.unwrap(); // closes at 30 ms, waits for the slot
    tokio::time::sleep(20 * MS).await;
    batcher.put(3).await.unwrap(); // a new batch, although [2] has not started yet
    batcher.close().await.unwrap();
    let seen: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .map(|(at, b)| (*at - t0, b.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (10 * MS, vec![1]),
            (1010 * MS, vec![2]),
            (2010 * MS, vec![3]),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn zero_close_timeout_cancels_everything_not_finished() {
    let batcher = Batcher::builder(nz(1), MS)
        .build(|items: Vec<u32>| async move {
            tokio::time::sleep(MS).await;
            Ok::<_, Infallible>(items)
        })
        .unwrap();
    let ticket = batcher.submit(1).await.unwrap();
    batcher.put(2).await.unwrap();
    let err = batcher
        .close_with_timeout(Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(err.cancelled_items(), 1);
    assert!(matches!(ticket.await, Err(BatchError::Cancelled)));
}

#[tokio::test(start_paused = true)]
async fn max_wait_of_max_means_no_time_limit_and_loses_nothing() {
    // Regression: `Instant + Duration::MAX` panicked in the driver on the first item, after
    // `put` had returned `Ok`: the item was lost, `call` got `Cancelled`.
    let (batcher, log) = logging(3, Duration::MAX);
    batcher.put(1).await.unwrap();
    let second = tokio::spawn({
        let batcher = batcher.clone();
        async move { batcher.call(2).await }
    });
    tokio::time::sleep(Duration::from_secs(86_400 * 365)).await;
    assert!(
        batches(&log).is_empty(),
        "no time limit: the batch waits to fill"
    );
    assert_eq!(
        batcher.call(3).await.unwrap(),
        30,
        "the third item fills it"
    );
    assert_eq!(second.await.unwrap().unwrap(), 20);
    batcher.put(4).await.unwrap();
    batcher.close().await.unwrap();
    assert_eq!(batches(&log), [vec![1, 2, 3], vec![4]]);
}

#[tokio::test(start_paused = true)]
async fn close_timeout_of_max_means_no_deadline() {
    // Regression: `close_with_timeout(Duration::MAX)` panicked on `Instant + Duration`.
    let batcher = Batcher::builder(nz(1), MS)
        .build(|items: Vec<u32>| async move {
            tokio::time::sleep(Duration::from_secs(86_400)).await;
            Ok::<_, Infallible>(items)
        })
        .unwrap();
    let ticket = batcher.submit(1).await.unwrap();
    let t0 = Instant::now();
    batcher.close_with_timeout(Duration::MAX).await.unwrap();
    assert_eq!(t0.elapsed(), Duration::from_secs(86_400));
    assert_eq!(ticket.await.unwrap(), 1);
}

#[tokio::test(start_paused = true)]
async fn capacity_of_max_means_unbounded() {
    // Regression: `capacity(usize::MAX)` panicked with tokio's MAX_PERMITS message.
    let log = Log::default();
    let sink = Arc::clone(&log);
    let batcher = Batcher::builder(NonZeroUsize::MAX, 10 * MS)
        .capacity(NonZeroUsize::MAX)
        .build(move |items: Vec<u32>| {
            sink.lock().unwrap().push((Instant::now(), items.clone()));
            async move { Ok::<_, Infallible>(items) }
        })
        .unwrap();
    for n in 0..10_000 {
        batcher.put(n).await.unwrap();
    }
    batcher.close().await.unwrap();
    assert_eq!(batches(&log), [(0..10_000).collect::<Vec<_>>()]);
}

#[tokio::test(start_paused = true)]
async fn max_volume_and_concurrency_of_max_are_unbounded() {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (Arc::clone(&running), Arc::clone(&peak));
    let batcher = Batcher::builder(NonZeroUsize::MAX, 10 * MS)
        .max_concurrency(NonZeroUsize::MAX)
        .build(move |items: Vec<u32>| {
            let (running, peak) = (Arc::clone(&r), Arc::clone(&p));
            async move {
                peak.fetch_max(running.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(1)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    // One batch closes by time every 20 ms: fifty of them run at once.
    for n in 0..50 {
        batcher.put(n).await.unwrap();
        tokio::time::sleep(20 * MS).await;
    }
    batcher.close().await.unwrap();
    assert_eq!(peak.load(Ordering::SeqCst), 50);
}

#[tokio::test(start_paused = true)]
async fn limits_of_one_batch_one_item_at_a_time() {
    let log = Log::default();
    let sink = Arc::clone(&log);
    let batcher = Batcher::builder(nz(1), Duration::from_nanos(1))
        .max_concurrency(nz(1))
        .capacity(nz(1))
        .build(move |items: Vec<u32>| {
            sink.lock().unwrap().push((Instant::now(), items.clone()));
            async move {
                tokio::time::sleep(MS).await;
                Ok::<_, Infallible>(items)
            }
        })
        .unwrap();
    let t0 = Instant::now();
    let results = futures::future::join_all((0..5).map(|n| batcher.call(n))).await;
    assert!(results.into_iter().map(Result::unwrap).eq(0..5));
    let seen: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .map(|(at, b)| (*at - t0, b.clone()))
        .collect();
    assert_eq!(
        seen,
        (0..5).map(|n| (n * MS, vec![n])).collect::<Vec<_>>(),
        "one item per batch, one batch at a time"
    );
    batcher.close().await.unwrap();
}
