//! Integration tests of `ayutil::iter_stream`: laziness, backpressure, drop, panics.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc as std_mpsc};
use std::thread::ThreadId;
use std::time::Duration;

use ayutil::{IterStream, iter_stream};
use futures::StreamExt;
use futures::stream::FusedStream;

fn buffer(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

/// Safety net only: a correct implementation finishes these waits at once; a broken one
/// would hang, and this turns the hang into a failure.
const HANG: Duration = Duration::from_secs(20);

/// Counts `next()` calls and tells which thread made them and where it was dropped.
struct Probe {
    produced: Arc<AtomicUsize>,
    limit: Option<usize>,
    threads: std_mpsc::Sender<ThreadId>,
    dropped: std_mpsc::Sender<ThreadId>,
}

impl Iterator for Probe {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        let n = self.produced.load(Ordering::SeqCst);
        if self.limit.is_some_and(|limit| n >= limit) {
            return None;
        }
        let _ = self.threads.send(std::thread::current().id());
        self.produced.fetch_add(1, Ordering::SeqCst);
        Some(n)
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.dropped.send(std::thread::current().id());
    }
}

struct Probed {
    stream: IterStream<usize>,
    produced: Arc<AtomicUsize>,
    threads: std_mpsc::Receiver<ThreadId>,
    dropped: std_mpsc::Receiver<ThreadId>,
}

fn probed(limit: Option<usize>, buf: usize) -> Probed {
    let produced = Arc::new(AtomicUsize::new(0));
    let (threads_tx, threads) = std_mpsc::channel();
    let (dropped_tx, dropped) = std_mpsc::channel();
    let probe = Probe {
        produced: Arc::clone(&produced),
        limit,
        threads: threads_tx,
        dropped: dropped_tx,
    };
    Probed {
        stream: iter_stream(probe, buffer(buf)),
        produced,
        threads,
        dropped,
    }
}

/// Waits (without sleeping) until the worker has called `next()` `n` times.
async fn wait_produced(produced: &AtomicUsize, n: usize) {
    tokio::time::timeout(HANG, async {
        while produced.load(Ordering::SeqCst) < n {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the worker never produced the expected items");
}

#[tokio::test]
async fn yields_every_item_in_order_then_ends() {
    let items: Vec<_> = iter_stream(0..1000, buffer(7))
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(items, (0..1000).collect::<Vec<_>>());
}

#[tokio::test]
async fn empty_iterator_ends_at_once() {
    let mut stream = iter_stream(std::iter::empty::<u8>(), buffer(1));
    assert!(stream.next().await.is_none());
    assert!(stream.is_terminated());
    assert!(stream.next().await.is_none(), "fused");
}

#[tokio::test]
async fn nothing_runs_before_the_first_poll() {
    let started = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&started);
    let source = std::iter::from_fn(move || {
        flag.store(true, Ordering::SeqCst);
        Some(1)
    });
    let mut stream = iter_stream(source, buffer(4));
    // Give an eager implementation every chance to run: the blocking pool round-trips once.
    tokio::task::spawn_blocking(|| ()).await.unwrap();
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert!(
        !started.load(Ordering::SeqCst),
        "started before the first poll"
    );
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    assert!(started.load(Ordering::SeqCst));
}

#[tokio::test]
async fn iterator_runs_and_is_dropped_on_another_thread() {
    let p = probed(Some(3), 2);
    let here = std::thread::current().id();
    let items: Vec<_> = p.stream.map(Result::unwrap).collect().await;
    assert_eq!(items, [0, 1, 2]);
    let next_threads: Vec<_> = p.threads.try_iter().collect();
    assert_eq!(next_threads.len(), 3);
    assert!(next_threads.iter().all(|t| *t != here));
    let dropped_on = p.dropped.recv_timeout(HANG).unwrap();
    assert_ne!(dropped_on, here);
}

#[tokio::test]
async fn worker_is_never_more_than_buffer_plus_one_items_ahead() {
    const BUF: usize = 3;
    let mut p = probed(Some(40), BUF);
    let mut taken = 0;
    while let Some(item) = p.stream.next().await {
        assert_eq!(item.unwrap(), taken);
        taken += 1;
        // Let the worker run as far ahead as it can: it fills the buffer and holds one.
        let reachable = (taken + BUF + 1).min(40);
        wait_produced(&p.produced, reachable).await;
        tokio::task::spawn_blocking(|| ()).await.unwrap();
        let produced = p.produced.load(Ordering::SeqCst);
        assert!(
            produced <= taken + BUF + 1,
            "{produced} produced with {taken} taken and a buffer of {BUF}"
        );
    }
    assert_eq!(taken, 40);
}

#[tokio::test]
async fn a_full_buffer_blocks_the_worker() {
    let p = probed(None, 5);
    let mut stream = p.stream;
    assert_eq!(stream.next().await.unwrap().unwrap(), 0);
    // 1 taken + 5 buffered + 1 held by the blocked worker.
    wait_produced(&p.produced, 7).await;
    // The worker is now blocked on the full buffer: a round-trip of the blocking pool and a
    // stretch of the worker's own time do not move it (an unbounded one would be far ahead).
    for _ in 0..10 {
        tokio::task::spawn_blocking(std::thread::yield_now)
            .await
            .unwrap();
    }
    assert_eq!(p.produced.load(Ordering::SeqCst), 7);
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    wait_produced(&p.produced, 8).await;
}

#[tokio::test]
async fn dropping_the_stream_stops_an_endless_iterator_and_drops_it_on_the_worker() {
    let mut p = probed(None, 2);
    assert_eq!(p.stream.next().await.unwrap().unwrap(), 0);
    wait_produced(&p.produced, 4).await;
    drop(p.stream);
    let here = std::thread::current().id();
    let dropped_on = tokio::task::spawn_blocking(move || p.dropped.recv_timeout(HANG))
        .await
        .unwrap()
        .expect("the iterator was never dropped: the worker kept running");
    assert_ne!(dropped_on, here);
    // Blocked holding item 3 when the stream went away: it read nothing more.
    assert_eq!(p.produced.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn dropping_an_unpolled_stream_never_starts_the_iterator() {
    let p = probed(None, 2);
    drop(p.stream);
    // Dropped with the stream, on this thread, without a single `next()`.
    assert_eq!(p.dropped.try_recv(), Ok(std::thread::current().id()));
    assert_eq!(p.produced.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_panic_arrives_after_the_items_before_it() {
    let source = (0..10).inspect(|&n| assert!(n != 4, "item {n} is cursed"));
    let results: Vec<_> = iter_stream(source, buffer(2)).collect().await;
    assert_eq!(results.len(), 5);
    for (n, r) in results[..4].iter().enumerate() {
        assert_eq!(*r.as_ref().unwrap(), n);
    }
    let err = results[4].as_ref().unwrap_err();
    assert_eq!(err.message(), Some("item 4 is cursed"));
    assert_eq!(err.to_string(), "panicked: item 4 is cursed");
}

#[tokio::test]
async fn panic_payload_can_be_resumed() {
    let source = std::iter::once(()).map(|()| -> u8 { std::panic::panic_any(42_i32) });
    let mut stream = iter_stream(source, buffer(1));
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.message(), None);
    let payload = err.into_payload();
    assert_eq!(payload.downcast_ref::<i32>(), Some(&42));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_panic_in_into_iter_or_drop_is_reported_too() {
    struct Exploding;
    impl IntoIterator for Exploding {
        type Item = u8;
        type IntoIter = std::vec::IntoIter<u8>;
        fn into_iter(self) -> Self::IntoIter {
            panic!("cannot open")
        }
    }
    let results: Vec<_> = iter_stream(Exploding, buffer(1)).collect().await;
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0].as_ref().unwrap_err().message(),
        Some("cannot open")
    );

    struct CloseFails(u8);
    impl Iterator for CloseFails {
        type Item = u8;
        fn next(&mut self) -> Option<u8> {
            self.0 = self.0.checked_sub(1)?;
            Some(self.0)
        }
    }
    impl Drop for CloseFails {
        fn drop(&mut self) {
            panic!("cannot close");
        }
    }
    let results: Vec<_> = iter_stream(CloseFails(2), buffer(1)).collect().await;
    assert_eq!(*results[0].as_ref().unwrap(), 1);
    assert_eq!(*results[1].as_ref().unwrap(), 0);
    assert_eq!(
        results[2].as_ref().unwrap_err().message(),
        Some("cannot close")
    );
    assert_eq!(results.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_streams_at_once_lose_nothing() {
    let mut tasks = tokio::task::JoinSet::new();
    for s in 0..32_u64 {
        tasks.spawn(async move {
            iter_stream((0..500).map(move |n| n * s), buffer(8))
                .fold(0_u64, |acc, r| async move { acc + r.unwrap() })
                .await
        });
    }
    let total: u64 = tasks.join_all().await.into_iter().sum();
    let per_stream: u64 = (0..500).sum();
    assert_eq!(total, per_stream * (0..32).sum::<u64>());
}

#[test]
fn stream_is_send_and_sync_without_a_sync_iterator() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    // `Cell` is `Send` but not `Sync`: the stream is `Sync` anyway.
    let cell = std::cell::Cell::new(0_u32);
    let source = std::iter::from_fn(move || {
        cell.set(cell.get() + 1);
        Some(cell.get())
    });
    let stream = iter_stream(source, buffer(1));
    send_sync(&stream);
    assert_eq!(format!("{stream:?}"), "IterStream { state: \"idle\" }");
}

#[tokio::test]
async fn buffer_of_max_is_unbounded() {
    // Regression: `NonZeroUsize::MAX` panicked with tokio's MAX_PERMITS message.
    let p = probed(Some(10_000), usize::MAX);
    let mut stream = p.stream;
    assert_eq!(stream.next().await.unwrap().unwrap(), 0);
    // The worker never waits for the consumer: it reads the whole iterator.
    wait_produced(&p.produced, 10_000).await;
    let rest: Vec<usize> = stream.map(Result::unwrap).collect().await;
    assert!(rest.into_iter().eq(1..10_000));
}

#[tokio::test]
async fn dropping_an_unbounded_stream_stops_an_endless_iterator() {
    let mut p = probed(None, usize::MAX);
    assert_eq!(p.stream.next().await.unwrap().unwrap(), 0);
    drop(p.stream);
    let here = std::thread::current().id();
    let dropped_on = tokio::task::spawn_blocking(move || p.dropped.recv_timeout(HANG))
        .await
        .unwrap()
        .expect("the iterator was never dropped: the worker kept running");
    assert_ne!(dropped_on, here);
}

#[tokio::test]
async fn buffer_of_one_holds_at_most_two_items_ahead() {
    let p = probed(None, 1);
    let mut stream = p.stream;
    assert_eq!(stream.next().await.unwrap().unwrap(), 0);
    // 1 taken + 1 buffered + 1 held by the blocked worker.
    wait_produced(&p.produced, 3).await;
    for _ in 0..10 {
        tokio::task::spawn_blocking(std::thread::yield_now)
            .await
            .unwrap();
    }
    assert_eq!(p.produced.load(Ordering::SeqCst), 3);
}
