//! Integration tests of `Group`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ayutil::{Group, GroupError, TaskFailure};
use tokio::time::{Instant, sleep};

use crate::support;

fn assert_send_sync<T: Send + Sync>(_: &T) {}

/// Sends on drop: proves a task's future was dropped (finished or aborted).
struct DropSignal(Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

#[tokio::test(start_paused = true)]
async fn seed_nested_loops_take_two_rounds() {
    let start = Instant::now();
    let group = Group::new();
    let done = Arc::new(AtomicUsize::new(0));
    for _ in 0..10 {
        let g = group.clone();
        let done = Arc::clone(&done);
        group.spawn(async move {
            sleep(Duration::from_millis(100)).await;
            for _ in 0..10 {
                let done = Arc::clone(&done);
                g.spawn(async move {
                    sleep(Duration::from_millis(100)).await;
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
    }
    group.join().await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(200));
    assert_eq!(done.load(Ordering::SeqCst), 100);
}

#[tokio::test(start_paused = true)]
async fn join_waits_for_tasks_spawned_while_joining() {
    let group = Group::new();
    let done = Arc::new(AtomicUsize::new(0));
    // A chain: each task spawns the next after a sleep, five levels deep.
    // An explicit `impl Future + Send` lets the recursive call be spawned.
    #[allow(clippy::manual_async_fn)]
    fn chain(g: Group, done: Arc<AtomicUsize>, depth: usize) -> impl Future<Output = ()> + Send {
        async move {
            sleep(Duration::from_millis(10)).await;
            done.fetch_add(1, Ordering::SeqCst);
            if depth > 0 {
                let next = chain(g.clone(), Arc::clone(&done), depth - 1);
                g.spawn(next);
            }
        }
    }
    group.spawn(chain(group.clone(), Arc::clone(&done), 4));
    group.join().await.unwrap();
    assert_eq!(done.load(Ordering::SeqCst), 5);
    assert!(group.is_empty());
}

#[tokio::test]
async fn join_on_empty_group_returns_at_once() {
    let group: Group = Group::new();
    group.join().await.unwrap();
    group.join().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn group_is_reusable_after_join() {
    let group = Group::new();
    let n = Arc::new(AtomicUsize::new(0));
    for round in 1..=3 {
        for _ in 0..10 {
            let n = Arc::clone(&n);
            group.spawn(async move {
                sleep(Duration::from_millis(5)).await;
                n.fetch_add(1, Ordering::SeqCst);
            });
        }
        group.join().await.unwrap();
        assert_eq!(n.load(Ordering::SeqCst), round * 10);
    }
}

#[tokio::test(start_paused = true)]
async fn first_error_is_returned_and_the_rest_counted() {
    let group = Group::new();
    let ok = Arc::new(AtomicUsize::new(0));
    for i in 0..10_u64 {
        let ok = Arc::clone(&ok);
        group.spawn(async move {
            sleep(Duration::from_millis(10 * (i + 1))).await;
            if i % 3 == 0 {
                return Err(format!("task {i}"));
            }
            ok.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
    }
    let err: GroupError<String> = group.join().await.unwrap_err();
    // Task 0 fails first (shortest sleep); tasks 3, 6 and 9 fail after it.
    assert!(matches!(err.first(), Some(TaskFailure::Error(e)) if e == "task 0"));
    assert_eq!(err.others(), 3);
    assert_eq!(ok.load(Ordering::SeqCst), 6, "a failure cancels no sibling");
    assert_eq!(err.to_string(), "a task failed (and 3 more)");
    assert_eq!(
        format!("{:#}", anyhow::Error::from(err)),
        "a task failed (and 3 more): task 0"
    );
    // The failures were taken by that join.
    group.join().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn panics_are_caught_and_returned() {
    let group = Group::new();
    let ok = Arc::new(AtomicUsize::new(0));
    group.spawn(async {
        sleep(Duration::from_millis(1)).await;
        if true {
            panic!("task blew up");
        }
    });
    for _ in 0..5 {
        let ok = Arc::clone(&ok);
        group.spawn(async move {
            sleep(Duration::from_millis(2)).await;
            ok.fetch_add(1, Ordering::SeqCst);
        });
    }
    let err = group.join().await.unwrap_err();
    let panic = err
        .into_first()
        .unwrap()
        .into_panic()
        .expect("a panic failure");
    assert_eq!(panic.message(), Some("task blew up"));
    assert_eq!(ok.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn dropping_the_last_handle_aborts_running_tasks() {
    let group = Group::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    group.spawn(async move {
        let _signal = DropSignal(Some(tx));
        started_tx.send(()).unwrap();
        std::future::pending::<()>().await;
    });
    started_rx.await.unwrap();
    let clone = group.clone();
    drop(group);
    tokio::task::yield_now().await;
    assert_eq!(clone.len(), 1, "a remaining clone keeps the tasks running");
    drop(clone);
    // The pending task is aborted: its future is dropped.
    tokio::time::timeout(Duration::from_secs(5), rx)
        .await
        .expect("task was not aborted")
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn dropping_join_midway_keeps_tasks_and_failures() {
    let group = Group::new();
    group.spawn(async {
        sleep(Duration::from_millis(50)).await;
        Err("late")
    });
    // Cancel a join before the task ends.
    let cut = tokio::time::timeout(Duration::from_millis(10), group.join()).await;
    assert!(cut.is_err());
    assert_eq!(group.len(), 1);
    let err = group.join().await.unwrap_err();
    assert_eq!(err.into_first().unwrap().into_error(), Some("late"));
}

#[tokio::test(start_paused = true)]
async fn thousands_of_tasks_lose_no_completion() {
    let group = Group::new();
    let n = Arc::new(AtomicUsize::new(0));
    for i in 0..5_000_u64 {
        let n = Arc::clone(&n);
        group.spawn(async move {
            sleep(Duration::from_micros(i % 97)).await;
            n.fetch_add(1, Ordering::SeqCst);
        });
    }
    group.join().await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 5_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn spawning_from_many_threads_at_once() {
    let group = Group::new();
    let n = Arc::new(AtomicUsize::new(0));
    for _ in 0..8 {
        let g = group.clone();
        let n = Arc::clone(&n);
        group.spawn(async move {
            for _ in 0..500 {
                let n = Arc::clone(&n);
                g.spawn(async move {
                    tokio::task::yield_now().await;
                    n.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
    }
    group.join().await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 4_000);
}

#[tokio::test]
async fn handles_futures_and_errors_are_send_and_sync() {
    let group: Group<std::io::Error> = Group::new();
    assert_send_sync(&group);
    let join = group.join();
    assert_send_sync(&join);
    join.await.unwrap();
    let err: Option<GroupError<std::io::Error>> = None;
    assert_send_sync(&err);
    // Boxes into the usual dynamic error type.
    group.spawn(async { Err(std::io::Error::other("x")) });
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(group.join().await.unwrap_err());
    assert_eq!(boxed.to_string(), "a task failed");
    assert_eq!(boxed.source().unwrap().to_string(), "x");
}

#[test]
#[should_panic(expected = "no tokio runtime here")]
fn spawn_outside_a_runtime_panics_clearly() {
    let group = Group::new();
    group.spawn(async {});
}

#[test]
fn concurrent_joins_all_learn_of_a_failure() {
    // Regression: with several joins waiting, the failure went to one of them and the
    // others returned `Ok`.
    let rt = support::multi_thread();
    for round in 0..300 {
        rt.block_on(async {
            let group: Group<String> = Group::new();
            let (release_tx, release_rx) = tokio::sync::watch::channel(false);
            for i in 0..4 {
                let mut release = release_rx.clone();
                group.spawn(async move {
                    let _ = release.wait_for(|go| *go).await;
                    if i % 2 == 1 {
                        Err(format!("task {i}"))
                    } else {
                        Ok(())
                    }
                });
            }
            let joins =
                support::joins_waiting_together(&group, 3, release_tx, |group| async move {
                    group.join().await
                })
                .await;
            let mut owners = 0;
            for join in joins {
                let err = join.expect_err("every join sees the failure");
                assert_eq!((err.failed(), err.others()), (2, 1), "round {round}");
                if err.first().is_some() {
                    owners += 1;
                } else {
                    assert_eq!(
                        err.to_string(),
                        "a task failed (and 1 more); the failure went to a concurrent join"
                    );
                }
            }
            assert_eq!(owners, 1, "exactly one join receives the failure itself");
            // The failures were taken by that round.
            group.join().await.unwrap();
        });
    }
}

#[tokio::test(start_paused = true)]
async fn a_join_that_starts_after_the_round_ended_sees_a_clean_group() {
    let group: Group<&str> = Group::new();
    group.spawn(async {
        sleep(Duration::from_millis(10)).await;
        Err("boom")
    });
    let (a, b) = tokio::join!(group.join(), group.join());
    let (a, b) = (a.unwrap_err(), b.unwrap_err());
    assert!(
        a.first().is_some() != b.first().is_some(),
        "one owner: {a:?} {b:?}"
    );
    assert!(group.join().await.is_ok());
}
