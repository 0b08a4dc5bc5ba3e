//! Integration tests of `Scope`: ordering, limits, failures, time-outs, cancellation,
//! drops, nesting, blocking work, scheduled callbacks, handles and `join_next`, and every
//! public parameter at its extremes. Time is paused, except in the multi-thread race
//! checks, which loop a few hundred rounds and watch for hangs from outside.

use std::future::pending;
use std::num::NonZeroUsize;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ayutil::{Scope, ScopeError, TaskOutcome};
use futures::FutureExt as _;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep};

/// A concurrency limit; zero cannot be asked for (`max_concurrency` takes a `NonZeroUsize`).
fn limit(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Sets its flag when dropped: proves a task's future is gone.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flag() -> (Arc<AtomicBool>, DropFlag) {
    let f = Arc::new(AtomicBool::new(false));
    (Arc::clone(&f), DropFlag(f))
}

/// Tracks how many tasks run at once and the highest value seen.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Gauge {
    async fn hold(&self, work: impl Future<Output = ()>) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
        work.await;
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

fn values<T: Clone>(results: &[TaskOutcome<T>]) -> Vec<Option<T>> {
    results.iter().map(|r| r.completed().cloned()).collect()
}

#[tokio::test(start_paused = true)]
async fn results_are_in_spawn_order_not_completion_order() {
    let out = ayutil::scope(|s| async move {
        for i in 0..5u64 {
            s.spawn(async move {
                sleep(secs(10 - i)).await;
                i
            });
        }
    })
    .await
    .unwrap();
    assert_eq!(
        values(out.results()),
        [Some(0), Some(1), Some(2), Some(3), Some(4)]
    );
}

#[tokio::test(start_paused = true)]
async fn code_after_the_scope_runs_once_every_task_ended() {
    let done = Arc::new(AtomicUsize::new(0));
    let d = Arc::clone(&done);
    ayutil::scope(|s: Scope| async move {
        for i in 0..100 {
            let d = Arc::clone(&d);
            s.spawn(async move {
                sleep(Duration::from_millis(i * 7)).await;
                d.fetch_add(1, Ordering::SeqCst);
            });
        }
    })
    .await
    .unwrap();
    assert_eq!(done.load(Ordering::SeqCst), 100);
}

#[tokio::test(start_paused = true)]
async fn operator_all_and_map_spawn_in_order() {
    let out = ayutil::scope(|s| async move {
        &s << async { 1 };
        s.all((2..=3).map(|n| async move { n }));
        s.map(|n| async move { n * 10 }, [4, 5]);
    })
    .await
    .unwrap();
    assert_eq!(
        out.completed().copied().collect::<Vec<_>>(),
        [1, 2, 3, 40, 50]
    );
}

#[tokio::test(start_paused = true)]
async fn block_value_is_returned_with_the_results() {
    let out = ayutil::scope(|s: Scope<u8>| async move {
        s.spawn(async { 1 });
        "done"
    })
    .await
    .unwrap();
    assert_eq!(out.into_value(), Some("done"));
}

#[tokio::test(start_paused = true)]
async fn empty_scope_finishes_at_once() {
    let out = ayutil::scope(|_s: Scope<u8>| async {}).await.unwrap();
    assert!(out.results().is_empty());
    assert!(!out.timed_out() && !out.cancelled());
}

#[tokio::test(start_paused = true)]
async fn limit_is_never_exceeded_under_thousands_of_tasks() {
    let gauge = Arc::new(Gauge::default());
    let g = Arc::clone(&gauge);
    let out = Scope::<usize>::options()
        .max_concurrency(limit(7))
        .run(|s| async move {
            for i in 0..5_000 {
                let g = Arc::clone(&g);
                s.spawn(async move {
                    g.hold(sleep(Duration::from_millis((i % 13) as u64))).await;
                    i
                });
            }
        })
        .await
        .unwrap();
    assert_eq!(gauge.max.load(Ordering::SeqCst), 7);
    assert_eq!(
        out.completed().copied().collect::<Vec<_>>(),
        (0..5_000).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn limit_holds_on_a_multi_thread_runtime() {
    let gauge = Arc::new(Gauge::default());
    let g = Arc::clone(&gauge);
    let out = Scope::<()>::options()
        .max_concurrency(limit(5))
        .run(|s| async move {
            for _ in 0..4_000 {
                let g = Arc::clone(&g);
                s.spawn(async move { g.hold(tokio::task::yield_now()).await });
            }
        })
        .await
        .unwrap();
    assert!(gauge.max.load(Ordering::SeqCst) <= 5);
    assert_eq!(out.completed().count(), 4_000);
}

#[tokio::test(start_paused = true)]
async fn limit_counts_tasks_spawned_by_tasks() {
    let gauge = Arc::new(Gauge::default());
    let g = Arc::clone(&gauge);
    let out = Scope::<()>::options()
        .max_concurrency(limit(3))
        .run(|s| async move {
            for _ in 0..10 {
                let (g, s2) = (Arc::clone(&g), s.clone());
                s.spawn(async move {
                    for _ in 0..10 {
                        let g = Arc::clone(&g);
                        s2.spawn(async move { g.hold(sleep(secs(1))).await });
                    }
                    g.hold(sleep(secs(1))).await;
                });
            }
        })
        .await
        .unwrap();
    assert_eq!(gauge.max.load(Ordering::SeqCst), 3);
    assert_eq!(out.results().len(), 110);
    assert!(out.results().iter().all(|r| !r.is_cancelled()));
}

#[tokio::test(start_paused = true)]
async fn spawns_from_tasks_while_the_scope_joins_are_not_lost() {
    // A tree of tasks: each spawns two children until depth 8, after the block returned.
    // Spelled out: an `async fn` spawning itself would need its own `Send` bound proven
    // while it is being defined.
    #[allow(clippy::manual_async_fn)]
    fn grow(s: Scope<u32>, depth: u32) -> impl Future<Output = u32> + Send + 'static {
        async move {
            sleep(Duration::from_millis(1)).await;
            if depth < 8 {
                s.spawn(grow(s.clone(), depth + 1));
                s.spawn(grow(s.clone(), depth + 1));
            }
            depth
        }
    }
    let out = Scope::<u32>::options()
        .max_concurrency(limit(16))
        .run(|s| async move {
            s.spawn(grow(s.clone(), 0));
        })
        .await
        .unwrap();
    assert_eq!(out.results().len(), (1 << 9) - 1);
    assert_eq!(out.completed().filter(|d| **d == 8).count(), 256);
}

#[tokio::test(start_paused = true)]
async fn first_error_cancels_the_others_and_is_returned() {
    let (dropped, guard) = flag();
    let started = Instant::now();
    let err: ScopeError<String> = Scope::<u8, String>::options()
        .run(|s| async move {
            s.spawn(async move {
                let _guard = guard;
                pending::<u8>().await
            });
            s.try_spawn(async {
                sleep(secs(3)).await;
                Err::<u8, _>("failed at 3s".to_string())
            });
            s.try_spawn(async {
                sleep(secs(5)).await;
                Err::<u8, _>("never reached".to_string())
            });
            pending::<()>().await;
        })
        .await
        .unwrap_err();
    assert_eq!(err.first(), "failed at 3s");
    assert!(
        err.secondary().is_empty(),
        "tasks stopped by the failure are not errors"
    );
    assert!(
        dropped.load(Ordering::SeqCst),
        "the pending task's future was dropped before returning"
    );
    assert_eq!(started.elapsed(), secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_arriving_while_cancelling_are_kept() {
    // Two tasks fail in parallel: the abort reaches the second one mid-poll, too late
    // to stop it, so its error arrives while the scope cancels.
    let met = Arc::new(std::sync::Barrier::new(2));
    let err = Scope::<(), &'static str>::options()
        .run(|s| async move {
            for name in ["a", "b"] {
                let met = Arc::clone(&met);
                s.try_spawn(async move {
                    met.wait();
                    Err::<(), _>(name)
                });
            }
        })
        .await
        .unwrap_err();
    let mut all = err.into_all();
    all.sort_unstable();
    assert_eq!(all, ["a", "b"]);
}

#[tokio::test(start_paused = true)]
async fn a_panic_resumes_after_every_task_stopped() {
    let (dropped, guard) = flag();
    let run = ayutil::scope(|s: Scope| async move {
        s.spawn(async move {
            let _guard = guard;
            pending::<()>().await;
        });
        s.spawn(async {
            sleep(secs(1)).await;
            panic!("task exploded");
        });
    });
    let payload = AssertUnwindSafe(run).catch_unwind().await.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"task exploded"));
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn a_panic_while_cancelling_wins_over_the_error() {
    // The blocking closure cannot be interrupted: it panics after the error arrived.
    // (No sleeps: a running blocking closure keeps paused time from auto-advancing.)
    let (started, is_started) = oneshot::channel::<()>();
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let run = Scope::<(), &'static str>::options().run(|s| async move {
        s.aside(move || {
            started.send(()).unwrap();
            wait.recv().unwrap();
            panic!("late panic");
        });
        s.try_spawn(async move {
            is_started.await.unwrap();
            go.send(()).unwrap();
            Err("ordinary error")
        });
    });
    let payload = AssertUnwindSafe(run).catch_unwind().await.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"late panic"));
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_a_destructor_during_cancel_is_not_lost() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("drop exploded");
        }
    }
    let run = Scope::<(), &'static str>::options().run(|s| async move {
        s.spawn(async {
            let _bomb = PanicOnDrop;
            pending::<()>().await;
        });
        s.try_spawn(async {
            sleep(secs(1)).await;
            Err("error first")
        });
    });
    let payload = AssertUnwindSafe(run).catch_unwind().await.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"drop exploded"));
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_the_block_stops_the_tasks_then_resumes() {
    let (dropped, guard) = flag();
    let run = ayutil::scope(|s: Scope| async move {
        s.spawn(async move {
            let _guard = guard;
            pending::<()>().await;
        });
        sleep(secs(1)).await;
        panic!("block exploded");
    });
    let payload = AssertUnwindSafe(run).catch_unwind().await.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"block exploded"));
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn timeout_cancels_what_runs_and_is_reported() {
    let started = Instant::now();
    let out = Scope::<u64>::options()
        .timeout(secs(10))
        .run(|s| async move {
            s.spawn(async {
                sleep(secs(1)).await;
                1
            });
            s.spawn(async {
                sleep(secs(100)).await;
                100
            });
        })
        .await
        .unwrap();
    assert!(out.timed_out());
    assert!(!out.cancelled());
    assert_eq!(values(out.results()), [Some(1), None]);
    assert_eq!(started.elapsed(), secs(10));
}

#[tokio::test(start_paused = true)]
async fn timeout_is_a_deadline_not_a_slot() {
    // With max_concurrency(1) the time-out must not occupy the only slot.
    let out = Scope::<u8>::options()
        .max_concurrency(limit(1))
        .timeout(secs(5))
        .run(|s| async move {
            s.spawn(async { 1 });
        })
        .await
        .unwrap();
    assert!(!out.timed_out());
    assert_eq!(values(out.results()), [Some(1)]);
}

#[tokio::test(start_paused = true)]
async fn timeout_drops_a_waiting_block() {
    let out = Scope::<()>::options()
        .timeout(secs(2))
        .run(|_s| async {
            sleep(secs(60)).await;
            "unreachable"
        })
        .await
        .unwrap();
    assert!(out.timed_out());
    assert_eq!(out.value(), None);
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_everything_and_queued_lazy_tasks_never_start() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let out = Scope::<u8>::options()
        .max_concurrency(limit(2))
        .run(|s| async move {
            for _ in 0..10 {
                let c = Arc::clone(&c);
                s.spawn_lazy(move || {
                    c.fetch_add(1, Ordering::SeqCst);
                    pending::<u8>()
                });
            }
            sleep(secs(1)).await;
            s.cancel();
            assert!(s.is_stopping());
            // Spawning after cancel() never starts the task.
            s.spawn(async { 9 });
        })
        .await
        .unwrap();
    assert!(out.cancelled());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "only the two running callables were called"
    );
    assert_eq!(out.results().len(), 11);
    assert!(out.results().iter().all(TaskOutcome::is_cancelled));
}

#[tokio::test(start_paused = true)]
async fn spawn_lazy_creates_futures_only_when_a_slot_frees() {
    let calls = Arc::new(AtomicUsize::new(0));
    let (c, c2) = (Arc::clone(&calls), Arc::clone(&calls));
    let out = Scope::<usize>::options()
        .max_concurrency(limit(3))
        .run(|s| async move {
            for i in 0..1_000 {
                let c = Arc::clone(&c);
                s.spawn_lazy(move || {
                    let called = c.fetch_add(1, Ordering::SeqCst) + 1;
                    async move {
                        sleep(secs(1)).await;
                        (i, called)
                    }
                    .map(|(i, _)| i)
                });
            }
            tokio::task::yield_now().await;
            assert!(c2.load(Ordering::SeqCst) <= 3);
        })
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1_000);
    assert_eq!(
        out.completed().copied().collect::<Vec<_>>(),
        (0..1_000).collect::<Vec<_>>()
    );
}

#[tokio::test(start_paused = true)]
async fn aborting_one_task_leaves_the_others_running() {
    let out = Scope::<u8>::options()
        .max_concurrency(limit(1))
        .run(|s| async move {
            let running = s.spawn(pending());
            let queued = s.spawn(async { 2 });
            s.spawn(async { 3 });
            queued.abort();
            sleep(secs(1)).await;
            assert!(!running.is_finished());
            running.abort();
        })
        .await
        .unwrap();
    assert!(!out.cancelled());
    assert_eq!(values(out.results()), [None, None, Some(3)]);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_scope_future_aborts_its_tasks() {
    let (tx, mut rx) = mpsc::channel::<()>(1);
    let (dropped, guard) = flag();
    let run = ayutil::scope(|s: Scope| async move {
        for _ in 0..3 {
            let tx = tx.clone();
            s.spawn(async move {
                let _tx = tx;
                pending::<()>().await;
            });
        }
        s.spawn(async move {
            let _guard = guard;
            pending::<()>().await;
        });
        pending::<()>().await;
    });
    assert!(tokio::time::timeout(secs(1), run).await.is_err());
    // Every sender lives in an aborted task: the channel closes once they are dropped.
    assert_eq!(rx.recv().await, None);
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn nested_scopes_finish_inside_out() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = Arc::clone(&log);
    let out = ayutil::scope(|outer: Scope<&'static str>| async move {
        let l2 = Arc::clone(&l);
        outer.spawn(async move {
            sleep(secs(5)).await;
            l2.lock().unwrap().push("outer task");
            "outer"
        });
        let inner = Scope::<&'static str>::options()
            .timeout(Duration::from_millis(30))
            .run(|sub| async move {
                sub.spawn(async { "foo" });
                sub.spawn(async {
                    sleep(secs(1)).await;
                    "bar"
                });
            })
            .await
            .unwrap();
        l.lock().unwrap().push("inner scope");
        assert!(inner.timed_out());
        assert_eq!(values(inner.results()), [Some("foo"), None]);
    })
    .await
    .unwrap();
    assert_eq!(*log.lock().unwrap(), ["inner scope", "outer task"]);
    assert_eq!(values(out.results()), [Some("outer")]);
}

#[tokio::test(start_paused = true)]
async fn cancelling_the_outer_scope_cancels_scopes_opened_by_its_tasks() {
    let (dropped, guard) = flag();
    let out = ayutil::scope(|outer: Scope| async move {
        outer.spawn(async move {
            let _ = ayutil::scope(|inner: Scope| async move {
                inner.spawn(async move {
                    let _guard = guard;
                    pending::<()>().await;
                });
            })
            .await;
        });
        sleep(secs(1)).await;
        outer.cancel();
    })
    .await
    .unwrap();
    assert!(out.cancelled());
    // The inner scope registered in the outer one: the outer scope returned only after
    // the inner scope's task (aborted in turn) was dropped.
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn an_outer_scope_waits_for_the_tasks_of_scopes_opened_in_its_block() {
    let (dropped, guard) = flag();
    let out = Scope::<()>::options()
        .timeout(secs(1))
        .run(|_outer| async move {
            let _ = ayutil::scope(|inner: Scope| async move {
                inner.spawn(async move {
                    let _guard = guard;
                    pending::<()>().await;
                });
            })
            .await;
        })
        .await
        .unwrap();
    assert!(out.timed_out());
    assert!(dropped.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn plain_tokio_tasks_run_beside_a_scope() {
    let (tx, rx) = oneshot::channel();
    let plain = tokio::spawn(async move {
        sleep(secs(1)).await;
        tx.send(41).unwrap();
    });
    let out = ayutil::scope(|s| async move {
        s.spawn(async move { rx.await.unwrap() + 1 });
    })
    .await
    .unwrap();
    plain.await.unwrap();
    assert_eq!(values(out.results()), [Some(42)]);
}

#[tokio::test(start_paused = true)]
async fn a_leaked_handle_cannot_spawn_after_the_scope_ended() {
    let (tx, rx) = oneshot::channel();
    ayutil::scope(|s: Scope<u8>| async move {
        tx.send(s.clone()).unwrap();
    })
    .await
    .unwrap();
    let leaked = rx.await.unwrap();
    assert!(leaked.is_stopping());
    let handle = leaked.spawn(async { 1 });
    assert!(handle.is_finished());
}

#[tokio::test(start_paused = true)]
async fn handles_kept_after_the_scope_say_finished_and_abort_is_a_no_op() {
    // Regression: handles indexed the result slots, which the finished scope hands out.
    let (tx, rx) = oneshot::channel();
    let out = ayutil::scope(|s| async move {
        tx.send(s.spawn(async { 5 })).unwrap();
    })
    .await
    .unwrap();
    let handle = rx.await.unwrap();
    assert!(handle.is_finished());
    handle.abort();
    assert_eq!(values(out.results()), [Some(5)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_ends_before_its_abort_handle_is_stored_is_fine() {
    // Regression: a queued task started by a finishing task could end, and the scope
    // finish, before the starter stored its abort handle (index out of bounds). That
    // panic happened inside a tokio task, which swallows it: count it through the hook.
    static RUNTIME_PANICS: AtomicUsize = AtomicUsize::new(0);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info
            .location()
            .is_some_and(|l| l.file().contains("src/scope/"))
        {
            RUNTIME_PANICS.fetch_add(1, Ordering::SeqCst);
        }
        previous(info);
    }));
    for _ in 0..50 {
        let out = Scope::<u32>::options()
            .max_concurrency(limit(2))
            .run(|s| async move {
                for i in 0..2_000 {
                    s.spawn(async move { i });
                }
            })
            .await
            .unwrap();
        assert_eq!(out.completed().count(), 2_000);
    }
    assert_eq!(RUNTIME_PANICS.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn aside_runs_blocking_work_outside_the_limit() {
    let (tx, rx) = oneshot::channel();
    let out = Scope::<u32>::options()
        .max_concurrency(limit(1))
        .run(|s| async move {
            // The only slot waits for the blocking closure: it must not need a slot.
            s.spawn(async move { rx.await.unwrap() });
            s.aside(move || {
                tx.send(7).unwrap();
                8
            });
        })
        .await
        .unwrap();
    assert_eq!(values(out.results()), [Some(7), Some(8)]);
}

#[tokio::test(start_paused = true)]
async fn aside_in_uses_the_named_executor_and_rejects_unknown_names() {
    let ran_on = Arc::new(Mutex::new(None));
    let r = Arc::clone(&ran_on);
    ayutil::register_executor("tests-scope-named", move |job: ayutil::ExecutorJob| {
        let r = Arc::clone(&r);
        std::thread::Builder::new()
            .name("named-executor".into())
            .spawn(move || {
                *r.lock().unwrap() = std::thread::current().name().map(str::to_owned);
                job();
            })
            .unwrap();
    })
    .unwrap();
    let out = ayutil::scope(|s| async move {
        let unknown = s.aside_in("tests-scope-missing", || 0).unwrap_err();
        assert_eq!(
            unknown,
            ayutil::ExecutorError::Unknown("tests-scope-missing".into())
        );
        s.aside_in("tests-scope-named", || 5).unwrap();
    })
    .await
    .unwrap();
    assert_eq!(values(out.results()), [Some(5)]);
    assert_eq!(ran_on.lock().unwrap().as_deref(), Some("named-executor"));
}

#[tokio::test(start_paused = true)]
async fn an_aside_in_job_aborted_before_it_starts_never_runs() {
    // This executor holds jobs until told to run them.
    let parked = Arc::new(Mutex::new(Vec::<ayutil::ExecutorJob>::new()));
    let p = Arc::clone(&parked);
    ayutil::register_executor("tests-scope-parking", move |job: ayutil::ExecutorJob| {
        p.lock().unwrap().push(job);
    })
    .unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    let out = ayutil::scope(|s| async move {
        let handle = s.aside_in("tests-scope-parking", move || {
            r.store(true, Ordering::SeqCst)
        });
        handle.unwrap().abort();
        let jobs: Vec<_> = parked.lock().unwrap().drain(..).collect();
        assert_eq!(jobs.len(), 1);
        std::thread::spawn(move || jobs.into_iter().for_each(|job| job()));
    })
    .await
    .unwrap();
    assert!(!ran.load(Ordering::SeqCst));
    assert!(out.results()[0].is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn scheduled_tasks_hold_the_scope_open() {
    let started = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    ayutil::scope(|s: Scope| async move {
        let t = tx.clone();
        s.after(secs(2), move || async move {
            t.send(("after", Instant::now())).unwrap()
        });
        s.at(started + secs(5), move || async move {
            tx.send(("at", Instant::now())).unwrap()
        });
    })
    .await
    .unwrap();
    assert_eq!(started.elapsed(), secs(5));
    assert_eq!(rx.recv().await.unwrap(), ("after", started + secs(2)));
    assert_eq!(rx.recv().await.unwrap(), ("at", started + secs(5)));
}

#[tokio::test(start_paused = true)]
async fn every_runs_until_unscheduled() {
    let ticks = Arc::new(AtomicUsize::new(0));
    let t = Arc::clone(&ticks);
    let started = Instant::now();
    ayutil::scope(|s: Scope| async move {
        let every = s.every(secs(1), move || {
            let t = Arc::clone(&t);
            async move {
                t.fetch_add(1, Ordering::SeqCst);
            }
        });
        let stopper = every.clone();
        s.after(Duration::from_millis(4_500), move || async move {
            assert!(stopper.unschedule());
        });
    })
    .await
    .unwrap();
    assert_eq!(ticks.load(Ordering::SeqCst), 4);
    assert_eq!(started.elapsed(), Duration::from_millis(4_500));
}

#[tokio::test(start_paused = true)]
async fn dont_hold_exit_lets_the_scope_finish_and_cancels_the_callback() {
    let started = Instant::now();
    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    let out = ayutil::scope(|s: Scope<u8>| async move {
        s.after(secs(3600), move || async move {
            r.store(true, Ordering::SeqCst)
        })
        .dont_hold_exit();
        s.every(secs(1), || async {}).dont_hold_exit();
        s.spawn(async {
            sleep(secs(3)).await;
            3
        });
    })
    .await
    .unwrap();
    assert_eq!(started.elapsed(), secs(3));
    assert_eq!(values(out.results()), [Some(3)]);
    sleep(secs(7200)).await;
    assert!(
        !ran.load(Ordering::SeqCst),
        "the callback was cancelled with the scope"
    );
}

#[tokio::test(start_paused = true)]
async fn a_panicking_scheduled_callback_fails_the_scope() {
    let run = ayutil::scope(|s: Scope| async move {
        s.after(secs(1), || async { panic!("scheduled exploded") });
        s.spawn(pending());
    });
    let payload = AssertUnwindSafe(run).catch_unwind().await.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"scheduled exploded"));
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Scope<u8, String>>();
    send_sync::<ayutil::TaskHandle>();
    send_sync::<ayutil::ScheduledHandle>();
    send_sync::<ayutil::ScopeOutput<u8, ()>>();
    send_sync::<ayutil::ScopeError<String>>();
    send_sync::<ayutil::ScopeOptions<u8, String>>();
    send_sync::<ayutil::TaskHandle<u8>>();
    send_sync::<ayutil::JoinError>();
    let run = ayutil::scope(|s: Scope<u8>| async move {
        s.spawn(async { 1 });
    });
    send(&run);
    let try_run = Scope::<u8, String>::options().try_run(|s| async move {
        send(&s.join_next());
        send(&s.spawn(async { 1 }));
        Ok(())
    });
    send(&try_run);
}

/// Sleeps 3 ms in its destructor, then counts itself: a slow drop that a scope which
/// returns too early would not have waited for.
struct SlowDrop(Arc<AtomicUsize>);

impl Drop for SlowDrop {
    fn drop(&mut self) {
        std::thread::sleep(Duration::from_millis(3));
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The last instant `Instant` can hold.
fn last_instant() -> Instant {
    let mut last = Instant::now();
    let mut step = Duration::MAX;
    while !step.is_zero() {
        match last.checked_add(step) {
            Some(later) => last = later,
            None => step /= 2,
        }
    }
    last
}

#[tokio::test(start_paused = true)]
async fn cancel_in_the_block_drops_it_at_its_next_await() {
    // Bug: lost wake-up: `s.cancel(); sleep(3600 s).await` returned after 3600 s.
    let started = Instant::now();
    let out = ayutil::scope(|s: Scope| async move {
        s.cancel();
        sleep(secs(3600)).await;
        "unreachable"
    })
    .await
    .unwrap();
    assert!(out.cancelled());
    assert_eq!(out.value(), None);
    assert_eq!(started.elapsed(), Duration::ZERO);
}

/// Runs `rounds` rounds of `round` on a 2-worker runtime in a thread of their own, and
/// fails if one of them does not end within a minute. The watchdog only waits on a
/// channel: it never polls the scope, so it cannot rescue a lost wake-up. (A hung round
/// leaves its thread behind; the test fails anyway.)
fn rounds_end<F, Fut>(rounds: usize, round: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (done, ended) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        for n in 0..rounds {
            runtime.block_on(round());
            done.send(n).unwrap();
        }
    });
    for n in 0..rounds {
        match ended.recv_timeout(secs(60)) {
            Ok(ended) => assert_eq!(ended, n),
            Err(_) => panic!("round {n}: the scope hung (or the round panicked)"),
        }
    }
}

/// Busy-waits (without yielding to the runtime) until the scope stops: whatever stops
/// it happens while the block is being polled.
fn spin_until_stopping<T: Send + 'static, E: Send + 'static>(s: &Scope<T, E>) {
    let since = std::time::Instant::now();
    while !s.is_stopping() {
        assert!(since.elapsed() < secs(60), "the scope never stopped");
        std::hint::spin_loop();
    }
}

#[test]
fn a_failure_while_the_block_is_polled_stops_the_block() {
    // Bug: lost wake-up: a child failing on a worker while the block was polled left the
    // block's `pending().await` waiting forever (hung within 300 rounds).
    rounds_end(300, || async {
        let err = Scope::<(), &'static str>::options()
            .run(|s| async move {
                s.try_spawn(async { Err("child failed") });
                for _ in 0..8 {
                    s.spawn(async {});
                }
                pending::<()>().await;
            })
            .await
            .unwrap_err();
        assert_eq!(*err.first(), "child failed");
    });
}

#[test]
fn a_failure_that_lands_while_the_block_runs_stops_it_at_its_next_await() {
    // Bug: lost wake-up: the waker taken on a stop during the block's first poll was
    // empty, so `pending().await` after the failure hung forever.
    rounds_end(20, || async {
        let err = Scope::<(), &'static str>::options()
            .run(|s| async move {
                s.try_spawn(async { Err("child failed") });
                spin_until_stopping(&s);
                pending::<()>().await;
            })
            .await
            .unwrap_err();
        assert_eq!(*err.first(), "child failed");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_futures_are_dropped_before_a_failing_scope_returns() {
    // Bug: the queue drained by a task failing on a worker was dropped after the lock was
    // released, outside the count of live work: the scope returned first.
    for round in 0..100 {
        let dropped = Arc::new(AtomicUsize::new(0));
        let d = Arc::clone(&dropped);
        let out = Scope::<(), &'static str>::options()
            .max_concurrency(limit(1))
            .run(|s| async move {
                s.try_spawn(async { Err("fails on a worker") });
                for _ in 0..3 {
                    let guard = SlowDrop(Arc::clone(&d));
                    s.spawn(async move { drop(guard) });
                }
                spin_until_stopping(&s);
            })
            .await;
        assert!(out.is_err());
        assert_eq!(dropped.load(Ordering::SeqCst), 3, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_futures_are_dropped_before_a_scope_cancelled_from_another_thread_returns() {
    // Bug: `cancel()` from another thread dropped the queue after releasing the lock,
    // outside the count of live work: the scope returned first.
    for round in 0..100 {
        let dropped = Arc::new(AtomicUsize::new(0));
        let d = Arc::clone(&dropped);
        let out = Scope::<()>::options()
            .max_concurrency(limit(1))
            .run(|s| async move {
                s.spawn(pending());
                for _ in 0..3 {
                    let guard = SlowDrop(Arc::clone(&d));
                    s.spawn(async move { drop(guard) });
                }
                let remote = s.clone();
                std::thread::spawn(move || remote.cancel());
                // The block is still being polled when the cancel lands.
                spin_until_stopping(&s);
            })
            .await
            .unwrap();
        assert!(out.cancelled());
        assert_eq!(dropped.load(Ordering::SeqCst), 3, "round {round}");
    }
}

#[tokio::test(start_paused = true)]
async fn after_duration_max_means_never() {
    // Bug: `after(Duration::MAX, ..)` panicked ("overflow when adding duration to instant").
    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    let out = ayutil::scope(|s: Scope<u8>| async move {
        s.after(Duration::MAX, move || async move {
            r.store(true, Ordering::SeqCst)
        })
        .dont_hold_exit();
        let held = s.after(Duration::MAX, || async {});
        s.spawn(async {
            sleep(secs(1)).await;
            1
        });
        sleep(secs(2)).await;
        assert!(held.unschedule(), "it never ran, so it was still scheduled");
    })
    .await
    .unwrap();
    assert_eq!(values(out.results()), [Some(1)]);
    assert!(!ran.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn at_the_last_instant_means_never() {
    // Bug: `at(far instant)` panicked in tokio's timer (it rounds the deadline up).
    let started = Instant::now();
    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    let out = ayutil::scope(|s: Scope| async move {
        s.at(last_instant(), move || async move {
            r.store(true, Ordering::SeqCst)
        });
        sleep(secs(5)).await;
        s.cancel();
    })
    .await
    .unwrap();
    assert!(out.cancelled());
    assert!(!ran.load(Ordering::SeqCst));
    assert_eq!(started.elapsed(), secs(5));
}

#[tokio::test(start_paused = true)]
async fn every_duration_max_means_never() {
    // Bug: `every(Duration::MAX, ..)` panicked ("overflow when adding duration to instant").
    let ticks = Arc::new(AtomicUsize::new(0));
    let t = Arc::clone(&ticks);
    ayutil::scope(|s: Scope| async move {
        let every = s.every(Duration::MAX, move || {
            let t = Arc::clone(&t);
            async move {
                t.fetch_add(1, Ordering::SeqCst);
            }
        });
        sleep(secs(3600)).await;
        assert!(every.unschedule());
    })
    .await
    .unwrap();
    assert_eq!(ticks.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn every_zero_runs_back_to_back() {
    // `every(Duration::ZERO)` used to panic at the call; it now means "back to back".
    let ticks = Arc::new(AtomicUsize::new(0));
    let t = Arc::clone(&ticks);
    let started = Instant::now();
    ayutil::scope(|s: Scope| async move {
        let (tx, rx) = oneshot::channel();
        let mut tx = Some(tx);
        let every = s.every(Duration::ZERO, move || {
            if t.fetch_add(1, Ordering::SeqCst) + 1 == 100 {
                tx.take().unwrap().send(()).unwrap();
            }
            async {}
        });
        rx.await.unwrap();
        assert!(every.unschedule());
    })
    .await
    .unwrap();
    assert_eq!(ticks.load(Ordering::SeqCst), 100);
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn after_zero_and_a_past_instant_run_at_once() {
    let started = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    ayutil::scope(|s: Scope| async move {
        let t = tx.clone();
        s.after(
            Duration::ZERO,
            move || async move { t.send("after").unwrap() },
        );
        s.at(started, move || async move { tx.send("at").unwrap() });
    })
    .await
    .unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO);
    let mut seen = vec![rx.recv().await.unwrap(), rx.recv().await.unwrap()];
    seen.sort_unstable();
    assert_eq!(seen, ["after", "at"]);
}

#[tokio::test(start_paused = true)]
async fn max_concurrency_one_runs_tasks_one_at_a_time() {
    let gauge = Arc::new(Gauge::default());
    let g = Arc::clone(&gauge);
    let started = Instant::now();
    Scope::<()>::options()
        .max_concurrency(limit(1))
        .run(|s| async move {
            for _ in 0..10 {
                let g = Arc::clone(&g);
                s.spawn(async move { g.hold(sleep(secs(1))).await });
            }
        })
        .await
        .unwrap();
    assert_eq!(gauge.max.load(Ordering::SeqCst), 1);
    assert_eq!(started.elapsed(), secs(10));
}

#[tokio::test(start_paused = true)]
async fn max_concurrency_usize_max_means_unbounded() {
    let gauge = Arc::new(Gauge::default());
    let g = Arc::clone(&gauge);
    let started = Instant::now();
    Scope::<()>::options()
        .max_concurrency(NonZeroUsize::MAX)
        .run(|s| async move {
            for _ in 0..1_000 {
                let g = Arc::clone(&g);
                s.spawn(async move { g.hold(sleep(secs(1))).await });
            }
        })
        .await
        .unwrap();
    assert_eq!(gauge.max.load(Ordering::SeqCst), 1_000);
    assert_eq!(started.elapsed(), secs(1));
}

#[tokio::test(start_paused = true)]
async fn timeout_zero_cancels_what_is_still_running() {
    let (dropped, guard) = flag();
    let started = Instant::now();
    let out = Scope::<u8>::options()
        .timeout(Duration::ZERO)
        .run(|s| async move {
            s.spawn(async move {
                let _guard = guard;
                sleep(secs(1)).await;
                1
            });
            sleep(secs(1)).await;
            "unreachable"
        })
        .await
        .unwrap();
    assert!(out.timed_out());
    assert_eq!(out.value(), None);
    assert_eq!(values(out.results()), [None]);
    assert!(dropped.load(Ordering::SeqCst));
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn timeout_duration_max_means_no_deadline() {
    let started = Instant::now();
    let out = Scope::<u8>::options()
        .timeout(Duration::MAX)
        .run(|s| async move {
            s.spawn(async {
                sleep(secs(1_000 * 86_400)).await;
                1
            });
        })
        .await
        .unwrap();
    assert!(!out.timed_out());
    assert_eq!(values(out.results()), [Some(1)]);
    assert_eq!(started.elapsed(), secs(1_000 * 86_400));
}

#[tokio::test(start_paused = true)]
async fn a_failing_block_cancels_the_tasks_at_once() {
    // Bug: a block returning `Err` did not cancel the tasks (returned after 3600 s).
    let (dropped, guard) = flag();
    let started = Instant::now();
    let err = Scope::<(), &'static str>::options()
        .try_run(|s| async move {
            s.spawn(async move {
                let _guard = guard;
                sleep(secs(3600)).await;
            });
            Err::<(), _>("config missing")
        })
        .await
        .unwrap_err();
    assert_eq!(*err.first(), "config missing");
    assert!(err.secondary().is_empty());
    assert!(dropped.load(Ordering::SeqCst));
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn the_block_error_is_reported_even_when_a_task_fails_later() {
    // Bug: a block's `Err` at 50 ms was dropped for a task's failure at 100 ms.
    let started = Instant::now();
    let err = Scope::<(), &'static str>::options()
        .try_run(|s| async move {
            s.try_spawn(async {
                sleep(Duration::from_millis(100)).await;
                Err("task")
            });
            sleep(Duration::from_millis(50)).await;
            Err::<(), _>("body")
        })
        .await
        .unwrap_err();
    assert_eq!(*err.first(), "body");
    assert!(
        err.secondary().is_empty(),
        "the task was cancelled, not failed"
    );
    assert_eq!(started.elapsed(), Duration::from_millis(50));
}

#[test]
fn a_block_error_that_comes_while_a_task_failure_cancels_is_kept() {
    // Bug: no error may be dropped: the block's `Err` after a task's failure is kept.
    rounds_end(20, || async {
        let err = Scope::<(), &'static str>::options()
            .try_run(|s| async move {
                s.try_spawn(async { Err("task") });
                spin_until_stopping(&s);
                Err::<(), _>("body")
            })
            .await
            .unwrap_err();
        assert_eq!(*err.first(), "task");
        assert_eq!(err.secondary(), ["body"]);
    });
}

#[tokio::test(start_paused = true)]
async fn try_run_returns_the_block_value_on_success() {
    let out = Scope::<u8, String>::options()
        .try_run(|s| async move {
            s.try_spawn(async { Ok(1) });
            let n: u8 = "41".parse().map_err(|e| format!("{e}"))?;
            Ok(n + 1)
        })
        .await
        .unwrap();
    assert_eq!(out.value(), Some(&42));
    assert_eq!(values(out.results()), [Some(1)]);
}

#[tokio::test(start_paused = true)]
async fn spawning_into_a_stopping_scope_is_rejected_visibly() {
    // Bug: a spawn into a stopping scope returned a normal-looking handle.
    let (dropped, guard) = flag();
    let out = ayutil::scope(|s: Scope<u8>| async move {
        s.cancel();
        let late = s.spawn(async move {
            let _guard = guard;
            1
        });
        assert!(late.is_rejected());
        assert!(late.is_finished());
        assert!(dropped.load(Ordering::SeqCst), "dropped unpolled, at once");
        assert!(s.aside(|| 2).is_rejected());
        assert!(s.after(secs(1), || async {}).is_rejected());
        late.await
    })
    .await
    .unwrap();
    assert_eq!(values(out.results()), [None, None]);
    assert_eq!(out.into_value(), Some(Err(ayutil::JoinError::Rejected)));
}

#[tokio::test(start_paused = true)]
async fn spawning_into_a_finished_scope_is_rejected_and_drops_the_future() {
    // Bug: a spawn into a finished scope silently dropped the future.
    let (tx, rx) = oneshot::channel();
    ayutil::scope(|s: Scope<u8>| async move {
        tx.send(s.clone()).unwrap();
    })
    .await
    .unwrap();
    let leaked = rx.await.unwrap();
    let (dropped, guard) = flag();
    let handle = leaked.spawn(async move {
        let _guard = guard;
        1
    });
    assert!(handle.is_rejected());
    assert!(dropped.load(Ordering::SeqCst));
    assert_eq!(handle.await, Err(ayutil::JoinError::Rejected));
    assert!(leaked.aside(|| 2).is_rejected());
    assert!(leaked.every(secs(1), || async {}).is_rejected());
    assert!(leaked.join_next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn an_awaited_handle_gets_the_output_and_the_results_leave_it_out() {
    let out = ayutil::scope(|s| async move {
        let first = s.spawn(async {
            sleep(secs(1)).await;
            "first"
        });
        s.spawn(async { "second" });
        assert_eq!(first.await, Ok("first"));
    })
    .await
    .unwrap();
    assert_eq!(values(out.results()), [Some("second")]);
}

#[tokio::test(start_paused = true)]
async fn a_handle_awaited_before_its_task_ends_wins_over_join_next() {
    let out = ayutil::scope(|s: Scope<&'static str>| async move {
        let (tx, rx) = oneshot::channel();
        let task = s.spawn(async move {
            rx.await.unwrap();
            "mine"
        });
        let waiter = s.clone();
        let awaited = tokio::spawn(task);
        tokio::task::yield_now().await; // the handle is now waiting
        tx.send(()).unwrap();
        assert_eq!(waiter.join_next().await, None);
        assert_eq!(awaited.await.unwrap(), Ok("mine"));
    })
    .await
    .unwrap();
    assert!(out.results().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_outcome_goes_to_one_taker_only() {
    let out = ayutil::scope(|s: Scope<u8>| async move {
        let task = s.spawn(async { 7 });
        sleep(secs(1)).await;
        assert_eq!(s.join_next().await, Some(Ok(7)));
        assert_eq!(task.await, Err(ayutil::JoinError::Taken));
    })
    .await
    .unwrap();
    assert!(out.results().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_handle_says_why_there_is_no_value() {
    let (tx, rx) = oneshot::channel();
    let err = Scope::<u8, &'static str>::options()
        .run(|s| async move {
            let aborted = s.spawn(pending());
            aborted.abort();
            assert_eq!(aborted.await, Err(ayutil::JoinError::Cancelled));
            let failing = s.try_spawn(async {
                sleep(secs(1)).await;
                Err("boom")
            });
            // Awaited outside the scope, which the failure stops.
            tx.send(tokio::spawn(failing)).unwrap();
        })
        .await
        .unwrap_err();
    assert_eq!(*err.first(), "boom");
    assert_eq!(
        rx.await.unwrap().await.unwrap(),
        Err(ayutil::JoinError::Failed)
    );
}

#[tokio::test(start_paused = true)]
async fn a_handle_dropped_after_its_outcome_was_handed_drops_it() {
    // A value handed to a waiting handle that then went away must not stay in the scope.
    let (dropped, guard) = flag();
    let out = ayutil::scope(|s: Scope<DropFlag>| async move {
        let mut task = s.spawn(async move {
            sleep(secs(1)).await;
            guard
        });
        assert!(futures::poll!(&mut task).is_pending()); // now waiting for the outcome
        sleep(secs(2)).await; // the task ends: its outcome is handed to `task`
        assert!(!dropped.load(Ordering::SeqCst));
        drop(task);
        assert!(dropped.load(Ordering::SeqCst));
    })
    .await
    .unwrap();
    assert!(out.results().is_empty(), "the outcome was the handle's");
}

#[tokio::test(start_paused = true)]
async fn a_handle_that_stops_waiting_before_its_task_ends_leaves_the_outcome() {
    let out = ayutil::scope(|s: Scope<u8>| async move {
        let mut task = s.spawn(async move {
            sleep(secs(1)).await;
            5
        });
        let waited = tokio::time::timeout(Duration::from_millis(10), &mut task).await;
        assert!(waited.is_err());
        drop(task);
    })
    .await
    .unwrap();
    assert_eq!(values(out.results()), [Some(5)]);
}

#[tokio::test(start_paused = true)]
async fn join_next_hands_out_outcomes_as_tasks_end() {
    let out = Scope::<u64>::options()
        .max_concurrency(limit(2))
        .run(|s| async move {
            for secs_to_sleep in [3, 1, 2] {
                s.spawn(async move {
                    sleep(secs(secs_to_sleep)).await;
                    secs_to_sleep
                });
            }
            s.spawn(pending()).abort();
            let mut seen = Vec::new();
            while let Some(outcome) = s.join_next().await {
                seen.push(outcome);
            }
            seen
        })
        .await
        .unwrap();
    // 1 ends at 1 s; 3 and 2 both at 3 s (lowest index first); the aborted queued task
    // leaves the queue when its turn comes.
    use ayutil::JoinError::Cancelled;
    assert_eq!(
        out.value(),
        Some(&vec![Ok(1), Ok(3), Ok(2), Err(Cancelled)])
    );
    assert!(out.results().is_empty());
}

#[tokio::test(start_paused = true)]
async fn join_next_takes_waiting_outcomes_in_spawn_order() {
    let out = ayutil::scope(|s| async move {
        let handles = s.map(|n: u32| async move { n }, 0..5);
        sleep(secs(1)).await;
        let (index, first) = s.join_next_with_index().await.unwrap();
        assert_eq!((index, first), (handles[0].index(), Ok(0)));
    })
    .await
    .unwrap();
    assert_eq!(values(out.results()), [Some(1), Some(2), Some(3), Some(4)]);
}

#[tokio::test(start_paused = true)]
async fn join_next_with_discard_results_waits_for_the_tasks_then_ends() {
    let started = Instant::now();
    let out = Scope::<u32>::options()
        .discard_results()
        .run(|s| async move {
            for n in 1..=3 {
                s.spawn(async move {
                    sleep(secs(n.into())).await;
                    n
                });
            }
            assert_eq!(s.join_next().await, None);
            assert_eq!(started.elapsed(), secs(3));
        })
        .await
        .unwrap();
    assert!(out.results().is_empty());
}

#[tokio::test(start_paused = true)]
async fn discarded_values_are_dropped_as_their_tasks_end() {
    let drops = Arc::new(AtomicUsize::new(0));
    let d = Arc::clone(&drops);
    Scope::<Counted>::options()
        .discard_results()
        .run(|s| async move {
            for _ in 0..10 {
                let d = Arc::clone(&d);
                s.spawn(async move { Counted(d) });
            }
            sleep(secs(1)).await;
            assert_eq!(d.load(Ordering::SeqCst), 10, "freed before the scope ended");
        })
        .await
        .unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 10);
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_next_and_handles_share_outcomes_under_load() {
    // Every outcome reaches exactly one taker, on a multi-thread runtime.
    for _ in 0..20 {
        let out = Scope::<usize>::options()
            .max_concurrency(limit(8))
            .run(|s| async move {
                let handles: Vec<_> = (0..2_000)
                    .map(|i| {
                        s.spawn(async move {
                            tokio::task::yield_now().await;
                            i
                        })
                    })
                    .collect();
                let mut taken = Vec::new();
                for handle in handles.into_iter().step_by(3) {
                    if let Ok(i) = handle.await {
                        taken.push(i);
                    }
                }
                for _ in 0..500 {
                    match s.join_next().await {
                        Some(Ok(i)) => taken.push(i),
                        other => panic!("unexpected {other:?}"),
                    }
                }
                taken
            })
            .await
            .unwrap();
        let mut all: Vec<usize> = out.completed().copied().collect();
        all.extend(out.value().unwrap());
        all.sort_unstable();
        assert_eq!(all, (0..2_000).collect::<Vec<_>>());
    }
}

#[tokio::test(start_paused = true)]
async fn a_unit_scope_reports_every_outcome_in_spawn_order() {
    // `()` results are counted, not stored: the results still say which task did what.
    let out = ayutil::scope(|s: Scope| async move {
        for i in 0..3_000u64 {
            let task = s.spawn(sleep(Duration::from_millis(i % 7)));
            if i % 1_000 == 999 {
                task.abort();
            }
        }
    })
    .await
    .unwrap();
    let cancelled: Vec<usize> = out
        .results()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_cancelled())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(out.results().len(), 3_000);
    assert_eq!(cancelled, [999, 1_999, 2_999]);
}
