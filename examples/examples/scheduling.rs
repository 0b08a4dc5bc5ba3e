//! `SchedulingExecutor`: tasks run in the order the program sets in the ready queue. Run: `cargo run --example scheduling`.
//!
//! The scheduling functions of Python's asynkit on ayutil's `SchedulingExecutor`: each
//! section starts six tasks that log their number, steers the ready queue one way, and prints
//! the order the tasks ran in. The executor is deterministic: every run prints the same lines.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use ayutil::SchedulingExecutor;
use ayutil::scheduling::{self, Task};

type Log = Rc<RefCell<Vec<String>>>;

/// Spawns six tasks that log `0` to `5` when they run.
fn six_tasks(log: &Log) -> Vec<Task<()>> {
    (0..6)
        .map(|n| {
            let log = log.clone();
            scheduling::spawn(async move { log.borrow_mut().push(n.to_string()) }).unwrap()
        })
        .collect()
}

fn me(log: &Log) {
    log.borrow_mut().push("me".into());
}

/// Lets every queued task run, then prints and clears the log.
async fn show(title: &str, log: &Log) {
    scheduling::yield_now().await.unwrap();
    println!("{title:<44} {}", log.borrow().join(" "));
    log.borrow_mut().clear();
}

async fn demo() {
    let log = Log::default();

    six_tasks(&log);
    scheduling::yield_now().await.unwrap();
    me(&log);
    show("yield (asyncio.sleep(0)):", &log).await;

    six_tasks(&log);
    scheduling::sleep_insert(2).await.unwrap();
    me(&log);
    show("sleep_insert(2):", &log).await;

    let tasks = six_tasks(&log);
    scheduling::task_reinsert(tasks[5].id(), 1).unwrap();
    show("task_reinsert(task 5, 1):", &log).await;

    let tasks = six_tasks(&log);
    scheduling::task_switch(tasks[3].id(), None).await.unwrap();
    me(&log);
    show("task_switch(task 3):", &log).await;

    let tasks = six_tasks(&log);
    scheduling::task_switch(tasks[3].id(), Some(1))
        .await
        .unwrap();
    me(&log);
    show("task_switch(task 3, insert_pos = 1):", &log).await;

    six_tasks(&log);
    scheduling::ready_rotate(2).unwrap();
    show("ready_rotate(2):", &log).await;

    six_tasks(&log);
    scheduling::ready_rotate(-2).unwrap();
    show("ready_rotate(-2):", &log).await;

    six_tasks(&log);
    let entry = scheduling::ready_pop(4).unwrap();
    scheduling::ready_insert(0, entry).unwrap();
    show("ready_insert(0, ready_pop(4)):", &log).await;

    six_tasks(&log);
    let callback_log = log.clone();
    scheduling::call_insert(3, move || callback_log.borrow_mut().push("callback".into())).unwrap();
    show("call_insert(3, callback):", &log).await;

    six_tasks(&log);
    let child = {
        let log = log.clone();
        scheduling::spawn_descend(async move {
            log.borrow_mut().push("child".into());
            scheduling::yield_now().await.unwrap();
            log.borrow_mut().push("child again".into());
        })
        .await
        .unwrap()
    };
    me(&log);
    child.await.unwrap();
    show("spawn_descend(child):", &log).await;

    // Runnable and blocked tasks, and the identity all = runnable + blocked + current.
    let sleepers: Vec<Task<()>> = (0..3)
        .map(|_| scheduling::spawn(tokio::time::sleep(Duration::from_millis(10))).unwrap())
        .collect();
    let runnable = scheduling::runnable_tasks().unwrap();
    scheduling::yield_now().await.unwrap();
    let blocked = scheduling::blocked_tasks().unwrap();
    println!(
        "{:<44} {} runnable, then {} blocked on their sleep; all = {} (+ me)",
        "runnable_tasks / blocked_tasks:",
        runnable.len(),
        blocked.len(),
        scheduling::all_tasks().unwrap().len() - 1,
    );
    for sleeper in sleepers {
        sleeper.await.unwrap();
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    SchedulingExecutor::new().run(demo()).await;
}
