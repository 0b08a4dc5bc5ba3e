//! Integration tests of `Pool`.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ayutil::Pool;
use futures::FutureExt as _;
use tokio::time::{Instant, sleep};

use crate::support;

fn assert_send_sync<T: Send + Sync>(_: &T) {}

/// A pool limit; zero cannot be asked for (`Pool::new` takes a `NonZeroUsize`).
fn limit(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

/// Counts tasks running at once and remembers the peak.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
    done: AtomicUsize,
}

impl Gauge {
    async fn run(&self, work: impl Future<Output = ()>) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        work.await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        self.done.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn seed_nested_loops_respect_the_limit() {
    let start = Instant::now();
    let pool = Pool::new(limit(10));
    let gauge = Arc::new(Gauge::default());
    for _ in 0..10 {
        let p = pool.clone();
        let gauge = Arc::clone(&gauge);
        pool.spawn(async move {
            let g = Arc::clone(&gauge);
            g.run(async {
                sleep(Duration::from_millis(100)).await;
                for _ in 0..10 {
                    let gauge = Arc::clone(&gauge);
                    p.spawn(async move {
                        gauge.run(sleep(Duration::from_millis(100))).await;
                    });
                }
            })
            .await;
        });
    }
    pool.join().await.unwrap();
    // 10 f1 in one round, then 100 f2 in ten rounds of 10.
    assert_eq!(start.elapsed(), Duration::from_millis(1100));
    assert_eq!(gauge.done.load(Ordering::SeqCst), 110);
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 10);
}

#[tokio::test(start_paused = true)]
async fn limit_is_never_exceeded_under_thousands_of_tasks() {
    let pool = Pool::new(limit(16));
    let gauge = Arc::new(Gauge::default());
    for i in 0..5_000_u64 {
        let gauge = Arc::clone(&gauge);
        pool.spawn(async move {
            gauge
                .run(async {
                    sleep(Duration::from_micros(i % 13)).await;
                    tokio::task::yield_now().await;
                })
                .await;
        });
    }
    assert_eq!(pool.len(), 5_000);
    pool.join().await.unwrap();
    assert_eq!(gauge.done.load(Ordering::SeqCst), 5_000);
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn limit_holds_on_a_multi_thread_runtime() {
    let pool = Pool::new(limit(3));
    let gauge = Arc::new(Gauge::default());
    for _ in 0..2_000 {
        let gauge = Arc::clone(&gauge);
        pool.spawn(async move {
            gauge.run(tokio::task::yield_now()).await;
        });
    }
    pool.join().await.unwrap();
    assert_eq!(gauge.done.load(Ordering::SeqCst), 2_000);
    assert!(gauge.peak.load(Ordering::SeqCst) <= 3);
}

#[tokio::test(start_paused = true)]
async fn admission_is_fifo() {
    let pool = Pool::new(limit(3));
    let started = Arc::new(Mutex::new(Vec::new()));
    for i in 0..50_u64 {
        let started = Arc::clone(&started);
        pool.spawn(async move {
            started.lock().unwrap().push(i);
            // Uneven lengths, so slots free up in a different order than they filled.
            sleep(Duration::from_millis((i * 7) % 5 + 1)).await;
        });
    }
    pool.join().await.unwrap();
    assert_eq!(*started.lock().unwrap(), (0..50).collect::<Vec<_>>());
}

#[tokio::test]
async fn spawn_wait_holds_the_caller_until_its_task_starts() {
    let pool = Pool::new(limit(2));
    let (release_tx, release_rx) = tokio::sync::broadcast::channel::<()>(1);
    for _ in 0..2 {
        let mut rx = release_tx.subscribe();
        pool.spawn_wait(async move {
            let _ = rx.recv().await;
        })
        .await;
    }
    drop(release_rx);
    let started = Arc::new(AtomicUsize::new(0));
    let s = Arc::clone(&started);
    let mut third = Box::pin(pool.spawn_wait(async move {
        s.fetch_add(1, Ordering::SeqCst);
    }));
    for _ in 0..10 {
        assert!((&mut third).now_or_never().is_none(), "pool is full");
        tokio::task::yield_now().await;
    }
    release_tx.send(()).unwrap();
    third.await;
    pool.join().await.unwrap();
    assert_eq!(started.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn dropped_spawn_wait_discards_its_queued_task() {
    let pool = Pool::new(limit(1));
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    pool.spawn(async move {
        let _ = release_rx.await;
    });
    let ran = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&ran);
    let mut waiting = Box::pin(pool.spawn_wait(async move {
        r.fetch_add(1, Ordering::SeqCst);
    }));
    assert!((&mut waiting).now_or_never().is_none());
    assert_eq!(pool.len(), 2, "the task is queued at the first poll");
    drop(waiting);
    release_tx.send(()).unwrap();
    pool.join().await.unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    assert!(pool.is_empty());
}

#[tokio::test]
async fn unpolled_spawn_wait_queues_nothing() {
    let pool = Pool::new(limit(1));
    let lazy = pool.spawn_wait(async {});
    assert_eq!(pool.len(), 0);
    drop(lazy);
    assert_eq!(pool.len(), 0);
}

#[tokio::test(start_paused = true)]
async fn errors_and_panics_do_not_stop_the_queue() {
    let pool = Pool::new(limit(2));
    let ok = Arc::new(AtomicUsize::new(0));
    for i in 0..20_u64 {
        let ok = Arc::clone(&ok);
        pool.spawn(async move {
            sleep(Duration::from_millis(i + 1)).await;
            match i {
                3 => Err(i),
                7 => panic!("seven"),
                _ => {
                    ok.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            }
        });
    }
    let err = pool.join().await.unwrap_err();
    assert!(!err.first().unwrap().is_panic());
    assert_eq!(err.others(), 1);
    assert_eq!(err.into_first().unwrap().into_error(), Some(3));
    assert_eq!(ok.load(Ordering::SeqCst), 18);
}

#[tokio::test]
async fn dropping_the_pool_aborts_running_and_queued_tasks() {
    let pool = Pool::new(limit(1));
    let (dropped_tx, mut dropped_rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    struct Guard(u32, tokio::sync::mpsc::UnboundedSender<u32>);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.1.send(self.0);
        }
    }
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let g0 = Guard(0, dropped_tx.clone());
    pool.spawn(async move {
        let _g = g0;
        started_tx.send(()).unwrap();
        std::future::pending::<()>().await;
    });
    let g1 = Guard(1, dropped_tx.clone());
    pool.spawn(async move {
        let _g = g1;
    });
    drop(dropped_tx);
    started_rx.await.unwrap();
    drop(pool);
    let mut dropped = Vec::new();
    while let Some(i) = dropped_rx.recv().await {
        dropped.push(i);
    }
    dropped.sort();
    assert_eq!(
        dropped,
        [0, 1],
        "both the running and the queued task were dropped"
    );
}

#[tokio::test]
async fn pool_and_futures_are_send_and_sync() {
    let pool = Pool::<std::io::Error>::new(limit(2));
    assert_send_sync(&pool);
    let wait = pool.spawn_wait(async { Ok(()) });
    assert_send_sync(&wait);
    wait.await;
    let join = pool.join();
    assert_send_sync(&join);
    join.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn spawn_and_spawn_wait_share_one_fifo_queue() {
    let pool = Pool::new(limit(1));
    let started = Arc::new(Mutex::new(Vec::new()));
    let record = |i: u32| {
        let started = Arc::clone(&started);
        async move {
            started.lock().unwrap().push(i);
            sleep(Duration::from_millis(10)).await;
        }
    };
    pool.spawn(record(0));
    pool.spawn(record(1));
    // Queued behind 0 and 1: returns once 1 has finished and 2 has started.
    let start = Instant::now();
    pool.spawn_wait(record(2)).await;
    assert_eq!(start.elapsed(), Duration::from_millis(20));
    pool.spawn(record(3));
    pool.join().await.unwrap();
    assert_eq!(*started.lock().unwrap(), [0, 1, 2, 3]);
}

#[tokio::test(start_paused = true)]
async fn pool_is_reusable_after_join_and_after_idle_workers_end() {
    let pool = Pool::new(limit(4));
    let gauge = Arc::new(Gauge::default());
    for round in 1..=3 {
        for _ in 0..40 {
            let gauge = Arc::clone(&gauge);
            pool.spawn(async move { gauge.run(sleep(Duration::from_millis(3))).await });
        }
        pool.join().await.unwrap();
        // Let the idle workers end before the next round.
        sleep(Duration::from_millis(1)).await;
        assert_eq!(gauge.done.load(Ordering::SeqCst), round * 40);
    }
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 4);
}

/// Counts drops, so a test can see that a task's future was dropped.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn cancelled_spawn_wait_leaves_nothing_behind() {
    // Regression: a timed-out `spawn_wait` kept its task queued (and its future alive)
    // until a slot freed: 1,000 of them left `len() == 1001`.
    let pool = Pool::new(limit(1));
    pool.spawn(std::future::pending::<()>());
    let dropped = Arc::new(AtomicUsize::new(0));
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..1_000 {
        let guard = DropCount(Arc::clone(&dropped));
        let ran = Arc::clone(&ran);
        let wait = pool.spawn_wait(async move {
            let _guard = guard;
            ran.fetch_add(1, Ordering::SeqCst);
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(1), wait)
                .await
                .is_err()
        );
    }
    assert_eq!(pool.len(), 1, "only the task holding the slot is left");
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1_000,
        "every future dropped at once"
    );
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn cancelled_spawn_wait_keeps_the_order_of_the_others() {
    let pool = Pool::new(limit(1));
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    pool.spawn(async move {
        let _ = release_rx.await;
    });
    let order = Arc::new(Mutex::new(Vec::new()));
    let task = |n: u32| {
        let order = Arc::clone(&order);
        async move { order.lock().unwrap().push(n) }
    };
    pool.spawn(task(1));
    let mut two = Box::pin(pool.spawn_wait(task(2)));
    assert!((&mut two).now_or_never().is_none());
    pool.spawn(task(3));
    let mut four = Box::pin(pool.spawn_wait(task(4)));
    assert!((&mut four).now_or_never().is_none());
    pool.spawn(task(5));
    assert_eq!(pool.len(), 6);
    drop(two);
    assert_eq!(pool.len(), 5);
    release_tx.send(()).unwrap();
    four.await;
    pool.join().await.unwrap();
    assert_eq!(*order.lock().unwrap(), [1, 3, 4, 5]);
}

#[test]
fn cancelled_spawn_wait_races_with_admission_and_loses_nothing() {
    // Regression guard: a `spawn_wait` cancelled while a worker admits it either runs (it
    // had started) or is dropped unrun; never both, never neither.
    let rt = support::multi_thread();
    for round in 0..300 {
        rt.block_on(async {
            let pool = Pool::new(limit(2));
            let ran = Arc::new(AtomicUsize::new(0));
            let dropped = Arc::new(AtomicUsize::new(0));
            let mut waits = Vec::new();
            for i in 0..40 {
                let (ran, guard) = (Arc::clone(&ran), DropCount(Arc::clone(&dropped)));
                let pool = pool.clone();
                waits.push(tokio::spawn(async move {
                    let wait = pool.spawn_wait(async move {
                        let _guard = guard;
                        tokio::task::yield_now().await;
                        ran.fetch_add(1, Ordering::SeqCst);
                    });
                    // Some give up at once, some after a turn, some wait.
                    match i % 3 {
                        0 => drop(wait.now_or_never()),
                        1 => drop(tokio::time::timeout(Duration::from_micros(50), wait).await),
                        _ => wait.await,
                    }
                }));
            }
            for w in waits {
                w.await.unwrap();
            }
            pool.join().await.unwrap();
            assert_eq!(pool.len(), 0, "round {round}");
            assert_eq!(dropped.load(Ordering::SeqCst), 40, "round {round}");
            assert!(ran.load(Ordering::SeqCst) >= 13, "round {round}");
        });
    }
}

#[test]
fn concurrent_joins_all_learn_of_a_failure() {
    // Regression: with several joins waiting, the failure went to one of them and the
    // others returned `Ok`.
    let rt = support::multi_thread();
    for round in 0..300 {
        rt.block_on(async {
            let pool: Pool<&str> = Pool::new(limit(2));
            let (release_tx, release_rx) = tokio::sync::watch::channel(false);
            for i in 0..4 {
                let mut release = release_rx.clone();
                pool.spawn(async move {
                    let _ = release.wait_for(|go| *go).await;
                    if i == 2 { Err("task 2") } else { Ok(()) }
                });
            }
            let joins = support::joins_waiting_together(&pool, 3, release_tx, |pool| async move {
                pool.join().await
            })
            .await;
            let mut owners = 0;
            for join in joins {
                let err = join.expect_err("every join sees the failure");
                assert_eq!(err.failed(), 1, "round {round}");
                if let Some(first) = err.into_first() {
                    assert_eq!(first.into_error(), Some("task 2"));
                    owners += 1;
                }
            }
            assert_eq!(owners, 1, "exactly one join receives the failure itself");
            pool.join().await.unwrap();
        });
    }
}

#[tokio::test(start_paused = true)]
async fn limit_of_one_runs_tasks_one_by_one() {
    let pool = Pool::new(limit(1));
    let gauge = Arc::new(Gauge::default());
    for _ in 0..10 {
        let gauge = Arc::clone(&gauge);
        pool.spawn(async move { gauge.run(sleep(Duration::from_millis(10))).await });
    }
    let start = Instant::now();
    pool.join().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(100));
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn limit_of_max_is_unbounded() {
    let pool = Pool::new(NonZeroUsize::MAX);
    assert_eq!(pool.limit(), NonZeroUsize::MAX);
    let gauge = Arc::new(Gauge::default());
    for _ in 0..1_000 {
        let gauge = Arc::clone(&gauge);
        pool.spawn(async move { gauge.run(sleep(Duration::from_millis(10))).await });
    }
    let start = Instant::now();
    pool.join().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(10));
    assert_eq!(gauge.peak.load(Ordering::SeqCst), 1_000);
    // `spawn_wait` never waits in an unbounded pool.
    pool.spawn_wait(std::future::pending::<()>()).await;
    assert_eq!(pool.len(), 1);
}
