//! Integration tests of `ayutil::scheduling`: the exact interleavings of every ready-queue
//! and task operation (asynkit's documented behaviour), errors as values, tokio inside,
//! determinism, cancellation, panics and load.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use ayutil::SchedulingExecutor;
use ayutil::scheduling::{self, SchedulingError, Task, TaskId};
use futures::FutureExt;

use crate::support;

/// Safety net only: a correct executor finishes at once; a lost wake-up would hang.
const HANG: Duration = Duration::from_secs(20);

/// A shared log of labels, in the order things ran.
#[derive(Clone, Default)]
struct Log(Rc<RefCell<Vec<String>>>);

impl Log {
    fn push(&self, label: impl ToString) {
        self.0.borrow_mut().push(label.to_string());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.borrow_mut())
    }

    /// A task body that logs `label` once and ends.
    fn entry(&self, label: impl ToString) -> impl Future<Output = ()> + 'static {
        let log = self.clone();
        let label = label.to_string();
        async move { log.push(label) }
    }

    /// Spawns `n` tasks that log `0`, `1`, ... when they run.
    fn spawn_numbered(&self, n: usize) -> Vec<Task<()>> {
        (0..n)
            .map(|i| scheduling::spawn(self.entry(i)).unwrap())
            .collect()
    }
}

fn labels<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

fn numbers(range: impl IntoIterator<Item = usize>) -> Vec<String> {
    range.into_iter().map(|i| i.to_string()).collect()
}

async fn run<F: Future>(main: F) -> F::Output {
    SchedulingExecutor::new().run(main).await
}

// ----- the ready queue ---------------------------------------------------------------

#[tokio::test]
async fn ready_len_counts_tasks_and_callbacks_but_not_the_current_task() {
    run(async {
        assert_eq!(scheduling::ready_len(), Ok(0));
        let log = Log::default();
        let _tasks = log.spawn_numbered(3);
        assert_eq!(scheduling::ready_len(), Ok(3));
        scheduling::yield_now().await.unwrap();
        assert_eq!(scheduling::ready_len(), Ok(0));
        scheduling::call_insert(0, || {}).unwrap();
        assert_eq!(scheduling::ready_len(), Ok(1));
        assert_eq!(scheduling::runnable_tasks(), Ok(vec![]));
    })
    .await;
}

/// Inserting callbacks at `positions` in order runs them as `Vec::insert` would order them.
async fn check_call_insert(positions: &[usize]) {
    let log = Log::default();
    let mut expect = Vec::new();
    for (i, &pos) in positions.iter().enumerate() {
        let log = log.clone();
        scheduling::call_insert(pos, move || log.push(i)).unwrap();
        expect.insert(pos.min(expect.len()), i.to_string());
    }
    scheduling::yield_now().await.unwrap();
    assert_eq!(log.take(), expect, "positions {positions:?}");
}

#[tokio::test]
async fn call_insert_runs_callbacks_in_list_insert_order() {
    run(async {
        for count in [1, 2, 6] {
            let normal: Vec<usize> = (0..count).collect();
            check_call_insert(&normal).await;
            let reverse: Vec<usize> = (0..count).rev().collect();
            check_call_insert(&reverse).await;
            let mut cut: Vec<usize> = (0..count).collect();
            cut.rotate_left(count / 2);
            cut.reverse();
            check_call_insert(&cut).await;
        }
        // Past the tail means the tail.
        check_call_insert(&[0, usize::MAX, 1, usize::MAX]).await;
    })
    .await;
}

#[tokio::test]
async fn call_insert_at_zero_runs_before_queued_tasks() {
    let log = Log::default();
    run(async {
        let _tasks = log.spawn_numbered(2);
        let cb = log.clone();
        scheduling::call_insert(0, move || cb.push("callback")).unwrap();
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert_eq!(log.take(), labels(["callback", "0", "1"]));
}

#[tokio::test]
async fn ready_pop_and_insert_move_a_task_and_it_counts_as_blocked_meanwhile() {
    let log = Log::default();
    run(async {
        let tasks = log.spawn_numbered(4);
        let entry = scheduling::ready_pop(2).unwrap();
        assert_eq!(entry.task(), Some(tasks[2].id()));
        assert_eq!(scheduling::ready_len(), Ok(3));
        assert_eq!(scheduling::task_is_blocked(tasks[2].id()), Ok(true));
        assert_eq!(scheduling::blocked_tasks(), Ok(vec![tasks[2].id()]));
        assert_identity();
        scheduling::ready_insert(0, entry).unwrap();
        assert_eq!(scheduling::task_is_blocked(tasks[2].id()), Ok(false));
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert_eq!(log.take(), numbers([2, 0, 1, 3]));
}

#[tokio::test]
async fn ready_pop_past_the_end_is_an_error() {
    run(async {
        let log = Log::default();
        let _tasks = log.spawn_numbered(2);
        let err = scheduling::ready_pop(2).unwrap_err();
        assert_eq!(err, SchedulingError::NoSuchPosition { pos: 2, len: 2 });
        assert_eq!(
            err.to_string(),
            "no ready entry at position 2: the queue holds 2"
        );
        assert!(scheduling::ready_pop(usize::MAX).is_err());
        assert_eq!(scheduling::ready_len(), Ok(2));
    })
    .await;
}

#[tokio::test]
async fn a_popped_task_entry_that_is_dropped_goes_back_to_the_tail() {
    let log = Log::default();
    run(async {
        let tasks = log.spawn_numbered(3);
        drop(scheduling::ready_pop(0).unwrap());
        assert_eq!(
            scheduling::runnable_tasks(),
            Ok(vec![tasks[1].id(), tasks[2].id(), tasks[0].id()])
        );
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert_eq!(log.take(), numbers([1, 2, 0]));
}

#[tokio::test]
async fn a_popped_callback_entry_that_is_dropped_is_never_called() {
    let log = Log::default();
    run(async {
        let cb = log.clone();
        scheduling::call_insert(0, move || cb.push("callback")).unwrap();
        let entry = scheduling::ready_pop(0).unwrap();
        assert_eq!(entry.task(), None);
        drop(entry);
        scheduling::yield_now().await.unwrap();
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert!(log.take().is_empty());
}

#[tokio::test]
async fn a_popped_main_entry_can_be_moved_by_another_task() {
    let log = Log::default();
    run(async {
        let mover = {
            let log = log.clone();
            scheduling::spawn(async move {
                log.push("mover");
                // The main task is queued behind us; hand it over to a later position.
                let main = scheduling::ready_pop(0).unwrap();
                scheduling::ready_insert(usize::MAX, main).unwrap();
            })
            .unwrap()
        };
        let _last = scheduling::spawn(log.entry("last")).unwrap();
        scheduling::task_switch(mover.id(), Some(1)).await.unwrap();
        log.push("main");
    })
    .await;
    assert_eq!(log.take(), labels(["mover", "last", "main"]));
}

#[tokio::test]
async fn ready_insert_refuses_an_entry_whose_task_was_aborted() {
    run(async {
        let log = Log::default();
        let tasks = log.spawn_numbered(1);
        let entry = scheduling::ready_pop(0).unwrap();
        tasks[0].abort();
        assert_eq!(
            scheduling::ready_insert(0, entry),
            Err(SchedulingError::Finished(tasks[0].id()))
        );
        assert_eq!(scheduling::ready_len(), Ok(0));
    })
    .await;
}

#[tokio::test]
async fn ready_insert_refuses_an_entry_of_another_executor_which_goes_home() {
    let log = Log::default();
    run(async {
        let outer = log.spawn_numbered(1);
        let entry = scheduling::ready_pop(0).unwrap();
        let entry = run(async move {
            let err = scheduling::ready_insert(0, entry);
            assert_eq!(err, Err(SchedulingError::ForeignEntry));
            assert_eq!(scheduling::ready_len(), Ok(0));
        })
        .await;
        let () = entry;
        // The refused entry was dropped, which put its task back in its own queue.
        assert_eq!(scheduling::runnable_tasks(), Ok(vec![outer[0].id()]));
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert_eq!(log.take(), numbers([0]));
}

/// Python's `deque.rotate(n)` on `0..len`.
fn rotated(len: usize, n: isize) -> Vec<usize> {
    let mut deque: VecDeque<usize> = (0..len).collect();
    if len > 0 {
        if n >= 0 {
            for _ in 0..(n.unsigned_abs() % len) {
                let back = deque.pop_back().unwrap();
                deque.push_front(back);
            }
        } else {
            for _ in 0..(n.unsigned_abs() % len) {
                let front = deque.pop_front().unwrap();
                deque.push_back(front);
            }
        }
    }
    deque.into()
}

#[tokio::test]
async fn ready_rotate_follows_deque_rotate() {
    run(async {
        for len in [0, 1, 2, 5] {
            for n in [0, 1, 2, -1, -2, 7, -7, isize::MAX, isize::MIN] {
                let log = Log::default();
                let _tasks = log.spawn_numbered(len);
                scheduling::ready_rotate(n).unwrap();
                scheduling::yield_now().await.unwrap();
                assert_eq!(log.take(), numbers(rotated(len, n)), "len {len}, n {n}");
            }
        }
    })
    .await;
}

// ----- task-level operations ---------------------------------------------------------

#[tokio::test]
async fn sleep_insert_sleeps_for_a_number_of_places() {
    for pos in [0, 1, 3, 6, usize::MAX] {
        let log = Log::default();
        run(async {
            let _tasks = log.spawn_numbered(6);
            assert_eq!(scheduling::ready_len(), Ok(6));
            scheduling::sleep_insert(pos).await.unwrap();
            assert_eq!(scheduling::ready_len(), Ok(6 - pos.min(6)));
            log.push("me");
            scheduling::yield_now().await.unwrap();
        })
        .await;
        let mut expect = numbers(0..6);
        expect.insert(pos.min(6), "me".into());
        assert_eq!(log.take(), expect, "pos {pos}");
    }
}

#[tokio::test]
async fn sleep_insert_zero_runs_again_before_anything_else() {
    let log = Log::default();
    run(async {
        let _tasks = log.spawn_numbered(2);
        for i in 0..3 {
            scheduling::sleep_insert(0).await.unwrap();
            log.push(format!("me{i}"));
        }
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert_eq!(log.take(), labels(["me0", "me1", "me2", "0", "1"]));
}

#[tokio::test]
async fn yield_now_goes_to_the_tail_behind_tasks_woken_in_the_same_step() {
    let log = Log::default();
    run(async {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let waiter = {
            let log = log.clone();
            scheduling::spawn(async move {
                rx.await.unwrap();
                log.push("woken");
            })
            .unwrap()
        };
        scheduling::yield_now().await.unwrap(); // the waiter settles on its channel
        assert_eq!(scheduling::blocked_tasks(), Ok(vec![waiter.id()]));
        tx.send(()).unwrap(); // wakes it: it joins the tail now
        let _spawned = scheduling::spawn(log.entry("spawned")).unwrap();
        scheduling::yield_now().await.unwrap();
        log.push("me");
    })
    .await;
    assert_eq!(log.take(), labels(["woken", "spawned", "me"]));
}

#[tokio::test]
async fn task_reinsert_moves_a_runnable_task() {
    for pos in [0, 1, 5, 6, usize::MAX] {
        let log = Log::default();
        run(async {
            let tasks = log.spawn_numbered(6);
            scheduling::task_reinsert(tasks[5].id(), pos).unwrap();
            scheduling::yield_now().await.unwrap();
        })
        .await;
        let mut expect = numbers(0..5);
        expect.insert(pos.min(5), "5".into());
        assert_eq!(log.take(), expect, "pos {pos}");
    }
}

#[tokio::test]
async fn task_reinsert_refuses_blocked_finished_and_current_tasks() {
    run(async {
        let blocked = scheduling::spawn(std::future::pending::<()>()).unwrap();
        let done = scheduling::spawn(async {}).unwrap();
        scheduling::yield_now().await.unwrap();
        let me = scheduling::current_task().unwrap();
        assert_eq!(
            scheduling::task_reinsert(blocked.id(), 0),
            Err(SchedulingError::NotRunnable(blocked.id()))
        );
        assert_eq!(
            scheduling::task_reinsert(done.id(), 0),
            Err(SchedulingError::Finished(done.id()))
        );
        assert_eq!(
            scheduling::task_reinsert(me, 0),
            Err(SchedulingError::NotRunnable(me))
        );
        blocked.abort();
    })
    .await;
}

#[tokio::test]
async fn task_switch_runs_the_task_next_and_the_caller_at_the_tail() {
    for pos in [0, 1, 3, 5] {
        let log = Log::default();
        run(async {
            let tasks = log.spawn_numbered(6);
            scheduling::task_switch(tasks[pos].id(), None)
                .await
                .unwrap();
            log.push("me");
            scheduling::yield_now().await.unwrap();
        })
        .await;
        let mut expect = numbers(0..6);
        let first = expect.remove(pos);
        expect.insert(0, first);
        expect.push("me".into());
        assert_eq!(log.take(), expect, "pos {pos}");
    }
}

#[tokio::test]
async fn task_switch_with_insert_pos_resumes_the_caller_there() {
    for pos in [0, 1, 3, 5] {
        let log = Log::default();
        run(async {
            let tasks = log.spawn_numbered(6);
            scheduling::task_switch(tasks[pos].id(), Some(1))
                .await
                .unwrap();
            log.push("me");
            scheduling::yield_now().await.unwrap();
        })
        .await;
        let mut expect = numbers(0..6);
        let first = expect.remove(pos);
        expect.insert(0, first);
        expect.insert(1, "me".into());
        assert_eq!(log.take(), expect, "pos {pos}");
    }
}

#[tokio::test]
async fn task_switch_with_insert_pos_zero_queues_the_caller_before_the_task() {
    let log = Log::default();
    run(async {
        let tasks = log.spawn_numbered(3);
        scheduling::task_switch(tasks[2].id(), Some(0))
            .await
            .unwrap();
        log.push("me");
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert_eq!(log.take(), labels(["me", "2", "0", "1"]));
}

#[tokio::test]
async fn task_switch_refuses_a_task_that_is_not_runnable_without_yielding() {
    let log = Log::default();
    run(async {
        let blocked = scheduling::spawn(std::future::pending::<()>()).unwrap();
        scheduling::yield_now().await.unwrap();
        let _queued = log.spawn_numbered(1);
        let popped = scheduling::spawn(async {}).unwrap();
        let entry = scheduling::ready_pop(1).unwrap();
        let me = scheduling::current_task().unwrap();
        for (task, err) in [
            (blocked.id(), SchedulingError::NotRunnable(blocked.id())),
            (popped.id(), SchedulingError::NotRunnable(popped.id())),
            (me, SchedulingError::NotRunnable(me)),
        ] {
            assert_eq!(scheduling::task_switch(task, Some(0)).await, Err(err));
        }
        // No yield happened: the queued task has not run.
        assert!(log.take().is_empty());
        scheduling::ready_insert(0, entry).unwrap();
        let done = popped.id();
        popped.await.unwrap();
        assert_eq!(
            scheduling::task_switch(done, None).await,
            Err(SchedulingError::Finished(done))
        );
        blocked.abort();
    })
    .await;
}

#[tokio::test]
async fn task_switch_ping_pong_alternates_exactly() {
    let log = Log::default();
    run(async {
        let me = scheduling::current_task().unwrap();
        let other = {
            let log = log.clone();
            scheduling::spawn(async move {
                for i in 0..3 {
                    log.push(format!("pong{i}"));
                    scheduling::task_switch(me, Some(1)).await.unwrap();
                }
            })
            .unwrap()
        };
        // A bystander shows that the switches bypass the queue.
        let _bystander = scheduling::spawn(log.entry("bystander")).unwrap();
        for i in 0..3 {
            log.push(format!("ping{i}"));
            scheduling::task_switch(other.id(), Some(1)).await.unwrap();
        }
        log.push("end");
    })
    .await;
    assert_eq!(
        log.take(),
        labels(["ping0", "pong0", "ping1", "pong1", "ping2", "pong2", "end"])
    );
}

#[tokio::test]
async fn spawn_descend_runs_the_child_at_once_and_the_parent_right_after_its_first_wait() {
    let log = Log::default();
    run(async {
        let _before = scheduling::spawn(log.entry("queued before")).unwrap();
        let child = {
            let log = log.clone();
            scheduling::spawn_descend(async move {
                log.push("child 1");
                scheduling::yield_now().await.unwrap();
                log.push("child 2");
            })
            .await
            .unwrap()
        };
        log.push("parent");
        child.await.unwrap();
    })
    .await;
    assert_eq!(
        log.take(),
        labels(["child 1", "parent", "queued before", "child 2"])
    );
}

/// A task that descends into two children, each of which descends into two leaves.
fn tree(log: Log, name: String, depth: usize) -> std::pin::Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(async move {
        log.push(format!("{name} starts"));
        let mut children = Vec::new();
        if depth > 0 {
            for side in ["l", "r"] {
                let child = tree(log.clone(), format!("{name}{side}"), depth - 1);
                children.push(scheduling::spawn_descend(child).await.unwrap());
            }
        }
        scheduling::yield_now().await.unwrap();
        for child in children {
            child.await.unwrap();
        }
        log.push(format!("{name} ends"));
    })
}

#[tokio::test]
async fn spawn_descend_starts_a_tree_depth_first() {
    let log = Log::default();
    run(tree(log.clone(), "t".into(), 2)).await;
    let starts: Vec<String> = log
        .take()
        .into_iter()
        .filter(|line| line.ends_with("starts"))
        .collect();
    assert_eq!(
        starts,
        labels([
            "t starts",
            "tl starts",
            "tll starts",
            "tlr starts",
            "tr starts",
            "trl starts",
            "trr starts"
        ])
    );
}

#[tokio::test]
async fn spawn_descend_of_a_child_that_finishes_at_once_resumes_the_parent_next() {
    let log = Log::default();
    run(async {
        let _before = scheduling::spawn(log.entry("queued before")).unwrap();
        let child = scheduling::spawn_descend(log.entry("child")).await.unwrap();
        log.push("parent");
        assert!(child.is_finished());
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert_eq!(log.take(), labels(["child", "parent", "queued before"]));
}

#[tokio::test(start_paused = true)]
async fn task_is_blocked_follows_a_task_through_its_life() {
    run(async {
        let sleeper = scheduling::spawn(tokio::time::sleep(Duration::from_millis(100))).unwrap();
        let id = sleeper.id();
        assert_eq!(scheduling::task_is_blocked(id), Ok(false));
        scheduling::yield_now().await.unwrap(); // settles on its sleep
        assert_eq!(scheduling::task_is_blocked(id), Ok(true));
        sleeper.await.unwrap();
        assert_eq!(
            scheduling::task_is_blocked(id),
            Err(SchedulingError::Finished(id))
        );

        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let waiter = scheduling::spawn(rx).unwrap();
        scheduling::yield_now().await.unwrap();
        assert_eq!(scheduling::task_is_blocked(waiter.id()), Ok(true));
        tx.send(()).unwrap();
        assert_eq!(scheduling::task_is_blocked(waiter.id()), Ok(false));
        assert_eq!(scheduling::runnable_tasks(), Ok(vec![waiter.id()]));
        waiter.await.unwrap().unwrap();

        let aborted = scheduling::spawn(std::future::pending::<()>()).unwrap();
        scheduling::yield_now().await.unwrap();
        aborted.abort();
        assert_eq!(
            scheduling::task_is_blocked(aborted.id()),
            Err(SchedulingError::Finished(aborted.id()))
        );
    })
    .await;
}

#[tokio::test]
async fn a_task_waiting_for_a_blocked_task_is_blocked_until_that_one_finishes() {
    run(async {
        let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
        let inner = scheduling::spawn(rx).unwrap();
        let inner_id = inner.id();
        let outer = scheduling::spawn(async move { inner.await.unwrap().unwrap() }).unwrap();
        scheduling::yield_now().await.unwrap();
        assert_eq!(scheduling::task_is_blocked(inner_id), Ok(true));
        assert_eq!(scheduling::task_is_blocked(outer.id()), Ok(true));
        tx.send(7).unwrap();
        assert_eq!(scheduling::task_is_blocked(inner_id), Ok(false));
        assert_eq!(scheduling::task_is_blocked(outer.id()), Ok(true));
        assert_eq!(outer.await.unwrap(), 7);
    })
    .await;
}

/// all = runnable ∪ blocked ∪ {current}, and the three are disjoint.
fn assert_identity() {
    let mut union = scheduling::runnable_tasks().unwrap();
    union.extend(scheduling::blocked_tasks().unwrap());
    if let Ok(current) = scheduling::current_task() {
        union.push(current);
    }
    let count = union.len();
    union.sort();
    union.dedup();
    assert_eq!(union.len(), count, "a task is in two places");
    assert_eq!(union, scheduling::all_tasks().unwrap());
}

#[tokio::test(start_paused = true)]
async fn runnable_and_blocked_tasks_and_the_current_one_make_all_tasks() {
    run(async {
        assert_identity();
        let tasks: Vec<Task<()>> = (0..4)
            .map(|_| scheduling::spawn(tokio::time::sleep(Duration::from_millis(100))).unwrap())
            .collect();
        let ids: Vec<TaskId> = tasks.iter().map(Task::id).collect();
        assert_eq!(scheduling::runnable_tasks(), Ok(ids.clone()));
        assert_identity();
        scheduling::yield_now().await.unwrap(); // they settle on their sleep
        assert_eq!(scheduling::blocked_tasks(), Ok(ids.clone()));
        assert_eq!(scheduling::runnable_tasks(), Ok(vec![]));
        assert_identity();
        let _popped_soon = scheduling::spawn(async {}).unwrap();
        let entry = scheduling::ready_pop(0).unwrap();
        assert_identity();
        drop(entry);
        tasks[0].abort();
        assert_identity();
        for task in tasks {
            let _ = task.await;
        }
        assert_identity();
        assert_eq!(scheduling::all_tasks().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_identity_holds_inside_every_task_and_callback() {
    run(async {
        for _ in 0..5 {
            drop(
                scheduling::spawn(async {
                    assert_identity();
                    scheduling::yield_now().await.unwrap();
                    assert_identity();
                })
                .unwrap(),
            );
        }
        scheduling::call_insert(2, assert_identity).unwrap();
        scheduling::yield_now().await.unwrap();
        scheduling::yield_now().await.unwrap();
        assert_identity();
    })
    .await;
}

// ----- errors as values --------------------------------------------------------------

#[tokio::test]
async fn every_function_outside_the_executor_returns_no_executor() {
    let some_id = run(async { scheduling::current_task().unwrap() }).await;
    let no = SchedulingError::NoExecutor;
    assert_eq!(scheduling::ready_len(), Err(no.clone()));
    assert!(matches!(
        scheduling::ready_pop(0),
        Err(SchedulingError::NoExecutor)
    ));
    assert_eq!(scheduling::ready_rotate(1), Err(no.clone()));
    assert_eq!(scheduling::call_insert(0, || {}), Err(no.clone()));
    assert!(matches!(
        scheduling::spawn(async {}),
        Err(SchedulingError::NoExecutor)
    ));
    assert_eq!(scheduling::current_task(), Err(no.clone()));
    assert_eq!(scheduling::runnable_tasks(), Err(no.clone()));
    assert_eq!(scheduling::blocked_tasks(), Err(no.clone()));
    assert_eq!(scheduling::all_tasks(), Err(no.clone()));
    assert_eq!(scheduling::task_is_blocked(some_id), Err(no.clone()));
    assert_eq!(scheduling::task_reinsert(some_id, 0), Err(no.clone()));
    assert_eq!(scheduling::sleep_insert(0).await, Err(no.clone()));
    assert_eq!(scheduling::yield_now().await, Err(no.clone()));
    assert_eq!(scheduling::task_switch(some_id, None).await, Err(no));
    assert!(matches!(
        scheduling::spawn_descend(async {}).await,
        Err(SchedulingError::NoExecutor)
    ));
    assert_eq!(
        SchedulingError::NoExecutor.to_string(),
        "not inside a scheduling executor; run this inside `SchedulingExecutor::run`"
    );
}

#[tokio::test]
async fn a_tokio_task_spawned_from_inside_is_outside_the_executor() {
    run(async {
        let outside = tokio::spawn(async { scheduling::ready_len() })
            .await
            .unwrap();
        assert_eq!(outside, Err(SchedulingError::NoExecutor));
    })
    .await;
}

#[tokio::test]
async fn functions_that_need_a_task_return_no_current_task_from_a_callback() {
    let results = Rc::new(RefCell::new(Vec::new()));
    run(async {
        let results = results.clone();
        scheduling::call_insert(0, move || {
            let mut sleep = std::pin::pin!(scheduling::sleep_insert(0));
            let mut descend = std::pin::pin!(scheduling::spawn_descend(async {}));
            let noop = &mut std::task::Context::from_waker(std::task::Waker::noop());
            results.borrow_mut().extend([
                scheduling::current_task().map(drop),
                match sleep.as_mut().poll(noop) {
                    std::task::Poll::Ready(result) => result,
                    std::task::Poll::Pending => Ok(()),
                },
                match descend.as_mut().poll(noop) {
                    std::task::Poll::Ready(result) => result.map(drop),
                    std::task::Poll::Pending => Ok(()),
                },
            ]);
            // Still usable from a callback: queue operations.
            assert_eq!(scheduling::ready_len(), Ok(1));
        })
        .unwrap();
        scheduling::yield_now().await.unwrap();
        assert_eq!(scheduling::all_tasks().unwrap().len(), 1, "nothing spawned");
    })
    .await;
    assert_eq!(
        *results.borrow(),
        vec![Err(SchedulingError::NoCurrentTask); 3]
    );
}

#[tokio::test]
async fn ids_of_another_executor_are_reported_as_foreign() {
    let foreign = run(async { scheduling::spawn(async {}).unwrap().id() }).await;
    run(async move {
        assert_eq!(
            scheduling::task_is_blocked(foreign),
            Err(SchedulingError::ForeignTask(foreign))
        );
        assert_eq!(
            scheduling::task_switch(foreign, None).await,
            Err(SchedulingError::ForeignTask(foreign))
        );
    })
    .await;
}

// ----- tokio inside ------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn tokio_timers_wake_tasks_in_deadline_order() {
    let log = Log::default();
    run(async {
        let tasks: Vec<_> = [30_u64, 10, 20]
            .into_iter()
            .map(|ms| {
                let log = log.clone();
                scheduling::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    log.push(ms);
                })
                .unwrap()
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    })
    .await;
    assert_eq!(log.take(), labels(["10", "20", "30"]));
}

#[tokio::test]
async fn tokio_io_works_inside() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let echoed = run(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = scheduling::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0; 5];
            socket.read_exact(&mut buf).await.unwrap();
            socket.write_all(&buf).await.unwrap();
        })
        .unwrap();
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        client.write_all(b"hello").await.unwrap();
        let mut buf = [0; 5];
        client.read_exact(&mut buf).await.unwrap();
        server.await.unwrap();
        buf
    })
    .await;
    assert_eq!(&echoed, b"hello");
}

#[tokio::test]
async fn tokio_yield_now_inside_still_comes_back() {
    let log = Log::default();
    run(async {
        let _other = scheduling::spawn(log.entry("other")).unwrap();
        tokio::task::yield_now().await;
        log.push("me");
    })
    .await;
    assert_eq!(log.take(), labels(["other", "me"]));
}

#[test]
fn wakes_from_other_threads_are_never_lost() {
    let rt = support::multi_thread();
    for round in 0..300 {
        let (done_tx, done_rx) = std_mpsc::channel();
        let handle = rt.handle().clone();
        let watched = std::thread::spawn(move || {
            let sum = handle.block_on(run(async {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
                let producer = std::thread::spawn(move || {
                    for i in 0..20 {
                        tx.send(i).unwrap();
                        if i % 7 == 0 {
                            std::thread::yield_now();
                        }
                    }
                });
                let consumer = scheduling::spawn(async move {
                    let mut sum = 0;
                    while let Some(i) = rx.recv().await {
                        sum += i;
                    }
                    sum
                })
                .unwrap();
                let sum = consumer.await.unwrap();
                producer.join().unwrap();
                sum
            }));
            done_tx.send(sum).unwrap();
        });
        let sum = done_rx
            .recv_timeout(HANG)
            .unwrap_or_else(|_| panic!("round {round} hung"));
        assert_eq!(sum, (0..20).sum::<u32>());
        watched.join().unwrap();
    }
}

// ----- determinism -------------------------------------------------------------------

/// A busy program: tasks that send to each other, switch, sleep in places and spawn.
async fn busy_program(log: Log) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<usize>();
    let rx = Rc::new(RefCell::new(rx));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let log = log.clone();
        let tx = tx.clone();
        let rx = rx.clone();
        tasks.push(
            scheduling::spawn(async move {
                for round in 0..4 {
                    log.push(format!("{i}.{round}"));
                    match (i + round) % 4 {
                        0 => scheduling::sleep_insert(i % 3).await.unwrap(),
                        1 => tx.send(i).unwrap(),
                        2 => {
                            let next = rx.borrow_mut().try_recv();
                            if let Ok(n) = next {
                                log.push(format!("{i} got {n}"));
                            }
                            scheduling::yield_now().await.unwrap();
                        }
                        _ => {
                            tokio::time::sleep(Duration::from_millis((i * 3 % 5) as u64)).await;
                        }
                    }
                }
            })
            .unwrap(),
        );
    }
    for task in tasks {
        task.await.unwrap();
    }
}

#[test]
fn the_same_program_gives_the_same_interleaving_every_run() {
    let once = || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let log = Log::default();
        rt.block_on(run(busy_program(log.clone())));
        log.take()
    };
    let first = once();
    assert!(first.len() > 32);
    for _ in 0..20 {
        assert_eq!(once(), first);
    }
}

// ----- tasks: outputs, panics, cancellation ------------------------------------------

#[tokio::test]
async fn a_panicking_task_is_reported_and_the_others_go_on() {
    let log = Log::default();
    run(async {
        let bad = scheduling::spawn(async { panic!("task boom") }).unwrap();
        let good = scheduling::spawn(log.entry("good")).unwrap();
        let err = bad.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(err.to_string(), "the task failed");
        assert_eq!(
            format!("{:#}", anyhow::Error::from(err)),
            "the task failed: panicked: task boom"
        );
        good.await.unwrap();
    })
    .await;
    assert_eq!(log.take(), labels(["good"]));
}

#[tokio::test]
async fn a_panic_of_main_propagates_out_of_run_after_the_tasks_are_dropped() {
    let (dropped_tx, dropped_rx) = std_mpsc::channel::<()>();
    let outcome = std::panic::AssertUnwindSafe(run(async move {
        let _task = scheduling::spawn(async move {
            let _guard = DropSignal(dropped_tx);
            std::future::pending::<()>().await;
        })
        .unwrap();
        scheduling::yield_now().await.unwrap();
        panic!("main boom");
    }))
    .catch_unwind()
    .await;
    let payload = outcome.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"main boom"));
    assert!(dropped_rx.try_recv().is_ok(), "the task was not dropped");
}

#[tokio::test]
async fn a_panic_of_a_callback_propagates_out_of_run() {
    let outcome = std::panic::AssertUnwindSafe(run(async {
        scheduling::call_insert(0, || panic!("callback boom")).unwrap();
        scheduling::yield_now().await.unwrap();
    }))
    .catch_unwind()
    .await;
    assert!(outcome.is_err());
}

struct DropSignal(std_mpsc::Sender<()>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

#[tokio::test]
async fn abort_drops_a_queued_a_blocked_and_a_self_aborting_task() {
    let log = Log::default();
    run(async {
        let (tx, rx) = std_mpsc::channel();
        let queued = {
            let guard = DropSignal(tx.clone());
            scheduling::spawn(async move {
                let _guard = guard;
            })
            .unwrap()
        };
        queued.abort();
        assert_eq!(scheduling::ready_len(), Ok(0));
        assert!(rx.try_recv().is_ok());
        assert!(queued.await.unwrap_err().is_cancelled());

        let blocked = {
            let tx = tx.clone();
            scheduling::spawn(async move {
                let _guard = DropSignal(tx);
                std::future::pending::<()>().await;
            })
            .unwrap()
        };
        scheduling::yield_now().await.unwrap();
        blocked.abort();
        assert!(rx.try_recv().is_ok());
        assert!(blocked.await.unwrap_err().is_cancelled());

        let (handle_tx, handle_rx) = tokio::sync::oneshot::channel::<Rc<Task<()>>>();
        let self_aborting = {
            let log = log.clone();
            scheduling::spawn(async move {
                let me = handle_rx.await.unwrap();
                me.abort();
                log.push("still runs to its next wait");
                scheduling::yield_now().await.unwrap();
                log.push("never");
            })
            .unwrap()
        };
        let self_aborting = Rc::new(self_aborting);
        assert!(handle_tx.send(self_aborting.clone()).is_ok());
        scheduling::yield_now().await.unwrap();
        scheduling::yield_now().await.unwrap();
        assert!(self_aborting.is_finished());
        assert_eq!(scheduling::all_tasks().unwrap().len(), 1);
    })
    .await;
    assert_eq!(log.take(), labels(["still runs to its next wait"]));
}

#[tokio::test]
async fn when_main_finishes_the_tasks_left_are_dropped_in_creation_order() {
    let log = Log::default();
    let (tasks, dropped) = run(async {
        let (tx, rx) = std_mpsc::channel();
        let mut tasks = Vec::new();
        for i in 0..3 {
            let tx = tx.clone();
            let log = log.clone();
            tasks.push(
                scheduling::spawn(async move {
                    struct Named(usize, Log, std_mpsc::Sender<()>);
                    impl Drop for Named {
                        fn drop(&mut self) {
                            self.1.push(format!("drop {}", self.0));
                            // Spawning while the executor stops is refused, not lost.
                            assert!(matches!(
                                scheduling::spawn(async {}),
                                Err(SchedulingError::Stopped)
                            ));
                            let _ = self.2.send(());
                        }
                    }
                    let _named = Named(i, log, tx);
                    std::future::pending::<()>().await;
                })
                .unwrap(),
            );
        }
        scheduling::yield_now().await.unwrap();
        (tasks, rx)
    })
    .await;
    assert_eq!(dropped.try_iter().count(), 3);
    assert_eq!(log.take(), labels(["drop 0", "drop 1", "drop 2"]));
    for task in tasks {
        assert!(task.is_finished());
        assert!(task.await.unwrap_err().is_cancelled());
    }
}

#[tokio::test]
async fn dropping_run_midway_drops_every_task() {
    let (tx, rx) = std_mpsc::channel();
    let stalled = run(async move {
        for _ in 0..5 {
            let tx = tx.clone();
            drop(
                scheduling::spawn(async move {
                    let _guard = DropSignal(tx);
                    std::future::pending::<()>().await;
                })
                .unwrap(),
            );
        }
        std::future::pending::<()>().await;
    });
    let timed_out = tokio::time::timeout(Duration::from_millis(10), stalled).await;
    assert!(timed_out.is_err());
    assert_eq!(rx.try_iter().count(), 5);
}

#[tokio::test]
async fn a_detached_task_still_runs_to_the_end() {
    let log = Log::default();
    run(async {
        let task = scheduling::spawn({
            let log = log.clone();
            async move {
                scheduling::yield_now().await.unwrap();
                log.push("detached ran");
            }
        })
        .unwrap();
        drop(task);
        scheduling::yield_now().await.unwrap();
        scheduling::yield_now().await.unwrap();
    })
    .await;
    assert_eq!(log.take(), labels(["detached ran"]));
}

#[tokio::test]
async fn main_need_not_be_static() {
    let local = String::from("borrowed");
    let len = run(async { local.len() }).await;
    assert_eq!(len, 8);
}

#[tokio::test]
async fn nested_executors_each_see_their_own_queue() {
    run(async {
        let outer_main = scheduling::current_task().unwrap();
        let _queued = scheduling::spawn(async {}).unwrap();
        let inner_len = run(async {
            assert_ne!(scheduling::current_task().unwrap(), outer_main);
            scheduling::ready_len().unwrap()
        })
        .await;
        assert_eq!(inner_len, 0);
        assert_eq!(scheduling::current_task(), Ok(outer_main));
        assert_eq!(scheduling::ready_len(), Ok(1));
    })
    .await;
}

// ----- load and memory ---------------------------------------------------------------

#[tokio::test]
async fn a_hundred_thousand_tasks_run_and_leave_nothing_behind() {
    let count = run(async {
        let counter = Rc::new(RefCell::new(0_usize));
        for _ in 0..100_000 {
            let counter = counter.clone();
            drop(
                scheduling::spawn(async move {
                    scheduling::yield_now().await.unwrap();
                    *counter.borrow_mut() += 1;
                })
                .unwrap(),
            );
        }
        while scheduling::all_tasks().unwrap().len() > 1 {
            scheduling::yield_now().await.unwrap();
        }
        *counter.borrow()
    })
    .await;
    assert_eq!(count, 100_000);
}

#[tokio::test]
async fn thousands_of_tasks_waiting_on_each_other_in_a_chain_finish() {
    let out = run(async {
        let (first_tx, mut rx) = tokio::sync::oneshot::channel::<usize>();
        let mut tasks = Vec::new();
        for _ in 0..5_000 {
            let (tx, next_rx) = tokio::sync::oneshot::channel::<usize>();
            tasks.push(
                scheduling::spawn(async move {
                    let n = rx.await.unwrap();
                    tx.send(n + 1).unwrap();
                })
                .unwrap(),
            );
            rx = next_rx;
        }
        first_tx.send(0).unwrap();
        rx.await.unwrap()
    })
    .await;
    assert_eq!(out, 5_000);
}

#[test]
fn the_executor_runs_without_tokio_too() {
    let out = futures::executor::block_on(run(async {
        let task = scheduling::spawn(async { 2 }).unwrap();
        scheduling::yield_now().await.unwrap();
        task.await.unwrap() + 1
    }));
    assert_eq!(out, 3);
}
