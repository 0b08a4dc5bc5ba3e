//! Integration tests of `TaskSet`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ayutil::{TaskFailure, TaskSet};
use tokio::time::{Instant, sleep};

use crate::support;

fn assert_send_sync<T: Send + Sync>(_: &T) {}

/// Counts drops: proves how many task futures were dropped (finished or cancelled).
struct CountDrop(Arc<AtomicUsize>);

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn every_error_is_collected_and_siblings_finish() {
    let tasks = TaskSet::new();
    let ok = Arc::new(AtomicUsize::new(0));
    for i in 0..12_u64 {
        let ok = Arc::clone(&ok);
        tasks.spawn(async move {
            sleep(Duration::from_millis(i)).await;
            if i % 4 == 0 {
                return Err(i);
            }
            ok.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
    }
    let err = tasks.join().await.unwrap_err();
    let errors: Vec<u64> = err
        .into_failures()
        .into_iter()
        .filter_map(TaskFailure::into_error)
        .collect();
    // In the order the tasks ended.
    assert_eq!(errors, [0, 4, 8]);
    assert_eq!(ok.load(Ordering::SeqCst), 9);
}

#[tokio::test(start_paused = true)]
async fn panics_are_collected_with_errors() {
    let tasks = TaskSet::new();
    tasks.spawn(async {
        sleep(Duration::from_millis(1)).await;
        Err("error")
    });
    tasks.spawn(async {
        sleep(Duration::from_millis(2)).await;
        if true {
            panic!("panic");
        }
        Ok(())
    });
    let err = tasks.join().await.unwrap_err();
    assert_eq!(err.failures().len(), 2);
    assert!(!err.failures()[0].is_panic());
    assert!(err.failures()[1].is_panic());
    assert_eq!(err.cancelled(), 0);
    assert_eq!(err.to_string(), "a task failed (and 1 more)");
    assert_eq!(
        format!("{:#}", anyhow::Error::from(err)),
        "a task failed (and 1 more): error"
    );
}

#[tokio::test(start_paused = true)]
async fn exit_timeout_is_one_deadline_from_the_start_of_waiting() {
    let tasks = TaskSet::new().with_exit_timeout(Duration::from_secs(3));
    let dropped = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    for secs in [1_u64, 2, 10, 20] {
        let guard = CountDrop(Arc::clone(&dropped));
        let finished = Arc::clone(&finished);
        tasks.spawn(async move {
            let _guard = guard;
            sleep(Duration::from_secs(secs)).await;
            finished.fetch_add(1, Ordering::SeqCst);
        });
    }
    // Time before `join` is polled does not count.
    sleep(Duration::from_millis(500)).await;
    let start = Instant::now();
    let err = tasks.join().await.unwrap_err();
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(3),
        "one deadline, not one per task"
    );
    assert_eq!(err.cancelled(), 2);
    assert!(err.failures().is_empty());
    assert_eq!(finished.load(Ordering::SeqCst), 2);
    // The cancelled tasks are really gone.
    tokio::task::yield_now().await;
    assert_eq!(dropped.load(Ordering::SeqCst), 4);
    assert!(tasks.is_empty());
}

#[tokio::test(start_paused = true)]
async fn set_is_reusable_after_a_timeout() {
    let tasks = TaskSet::new().with_exit_timeout(Duration::from_secs(1));
    tasks.spawn(async { sleep(Duration::from_secs(60)).await });
    assert_eq!(tasks.join().await.unwrap_err().cancelled(), 1);
    let n = Arc::new(AtomicUsize::new(0));
    for _ in 0..5 {
        let n = Arc::clone(&n);
        tasks.spawn(async move {
            sleep(Duration::from_millis(100)).await;
            n.fetch_add(1, Ordering::SeqCst);
        });
    }
    tasks.join().await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 5);
}

#[tokio::test(start_paused = true)]
async fn without_timeout_join_waits_for_everything() {
    let tasks = TaskSet::new();
    let n = Arc::new(AtomicUsize::new(0));
    for secs in [1_u64, 100, 1000] {
        let n = Arc::clone(&n);
        tasks.spawn(async move {
            sleep(Duration::from_secs(secs)).await;
            n.fetch_add(1, Ordering::SeqCst);
        });
    }
    tasks.join().await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn tasks_spawned_by_tasks_are_waited_for() {
    let tasks = TaskSet::new();
    let n = Arc::new(AtomicUsize::new(0));
    let inner = tasks.clone();
    let n2 = Arc::clone(&n);
    tasks.spawn(async move {
        sleep(Duration::from_millis(10)).await;
        for _ in 0..3 {
            let n = Arc::clone(&n2);
            inner.spawn(async move {
                sleep(Duration::from_millis(10)).await;
                n.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    tasks.join().await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn dropping_the_set_cancels_its_tasks() {
    let tasks = TaskSet::new();
    let dropped = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        let guard = CountDrop(Arc::clone(&dropped));
        tasks.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
    }
    tokio::task::yield_now().await;
    drop(tasks);
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(dropped.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn set_and_join_are_send_and_sync() {
    let tasks = TaskSet::<std::io::Error>::new();
    assert_send_sync(&tasks);
    let join = tasks.join();
    assert_send_sync(&join);
    join.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn exit_timeout_of_zero_cancels_whatever_is_not_done_at_once() {
    let tasks: TaskSet = TaskSet::new().with_exit_timeout(Duration::ZERO);
    let dropped = Arc::new(AtomicUsize::new(0));
    let guard = CountDrop(Arc::clone(&dropped));
    tasks.spawn(async move {
        let _guard = guard;
        sleep(Duration::from_millis(1)).await;
    });
    let start = Instant::now();
    let err = tasks.join().await.unwrap_err();
    assert_eq!((err.cancelled(), start.elapsed()), (1, Duration::ZERO));
    tokio::task::yield_now().await;
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
    // Nothing left to wait for: a zero timeout does not fail an idle set.
    tasks.join().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn exit_timeout_of_max_never_fires() {
    let tasks: TaskSet = TaskSet::new().with_exit_timeout(Duration::MAX);
    tasks.spawn(sleep(Duration::from_secs(86_400 * 365)));
    let start = Instant::now();
    tasks.join().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(86_400 * 365));
}

#[test]
fn concurrent_joins_all_learn_of_every_failure() {
    // Regression: with several joins waiting, one took every failure and the others
    // returned `Ok`, although they had waited for the very same tasks.
    let rt = support::multi_thread();
    for round in 0..300 {
        rt.block_on(async {
            let tasks: TaskSet<String> = TaskSet::new();
            let (release_tx, release_rx) = tokio::sync::watch::channel(false);
            for i in 0..4 {
                let mut release = release_rx.clone();
                tasks.spawn(async move {
                    let _ = release.wait_for(|go| *go).await;
                    if i % 2 == 1 {
                        Err(format!("task {i}"))
                    } else {
                        Ok(())
                    }
                });
            }
            let joins =
                support::joins_waiting_together(&tasks, 3, release_tx, |tasks| async move {
                    tasks.join().await
                })
                .await;
            let mut owners = 0;
            for join in joins {
                let err = join.expect_err("every join sees the failures");
                assert_eq!(err.failed(), 2, "round {round}");
                match err.failures().len() {
                    2 => owners += 1,
                    0 => assert_eq!(
                        err.to_string(),
                        "a task failed (and 1 more); the failures went to a concurrent join"
                    ),
                    n => panic!("a join received {n} of 2 failures"),
                }
            }
            assert_eq!(
                owners, 1,
                "exactly one join receives the failures themselves"
            );
            tasks.join().await.unwrap();
        });
    }
}

#[tokio::test(start_paused = true)]
async fn a_join_without_timeout_learns_what_a_concurrent_exit_timeout_cancelled() {
    let tasks: TaskSet<&str> = TaskSet::new();
    tasks.spawn(async { Err("early") });
    tasks.spawn(async {
        std::future::pending::<()>().await;
        Ok(())
    });
    let patient = tasks.clone(); // no exit timeout
    let hasty = tasks.clone().with_exit_timeout(Duration::from_secs(1));
    let start = Instant::now();
    let (patient, hasty) = tokio::join!(patient.join(), hasty.join());
    assert_eq!(start.elapsed(), Duration::from_secs(1));
    for err in [patient.unwrap_err(), hasty.unwrap_err()] {
        assert_eq!((err.failed(), err.cancelled()), (1, 1));
    }
    assert!(tasks.is_empty());
    tasks.join().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_dropped_join_leaves_the_failures_to_the_next() {
    let tasks: TaskSet<&str> = TaskSet::new();
    tasks.spawn(async {
        sleep(Duration::from_millis(10)).await;
        Err("late")
    });
    {
        let mut join = std::pin::pin!(tasks.join());
        assert!(futures::poll!(join.as_mut()).is_pending());
    }
    let err = tasks.join().await.unwrap_err();
    assert_eq!((err.failed(), err.failures().len()), (1, 1));
}
