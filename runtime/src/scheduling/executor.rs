//! [`SchedulingExecutor`]: a single-threaded executor on top of tokio whose ready queue
//! the program can steer, and [`Run`], the future that drives it.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::rc::Rc;

use tokio::task::coop::{Unconstrained, unconstrained};

use super::TaskId;
use super::engine::{Entry, Executor};

/// Entries run per poll of the run loop before it gives tokio a turn (timers, I/O, other
/// tokio tasks). Only when tokio runs changes with it, never the order of the queue.
const STEPS_PER_POLL: usize = 128;

/// A single-threaded executor whose ready queue is open to the program: asynkit's
/// scheduling event loop, on top of tokio.
///
/// [`run`](SchedulingExecutor::run) drives a main future and the tasks it spawns with
/// [`scheduling::spawn`](crate::scheduling::spawn). Every runnable task has one entry in a
/// ready queue, and entries run in queue order, one step (poll) each; the functions of
/// [`scheduling`](crate::scheduling) read and reorder that queue from inside. The run loop
/// is itself a future polled by tokio, so tokio's timers, I/O, channels and
/// `tokio::spawn` keep working inside; it needs no `LocalSet`, and tasks need not be
/// `Send`.
///
/// The interleaving is deterministic: a task woken from the executor's own thread while
/// the executor runs (by another task, a callback, itself) joins the tail of the queue at
/// that moment, as asyncio's `call_soon` does; wakes from outside (timers, I/O, other
/// threads) join it between two steps, in arrival order. So a program whose outside
/// events are deterministic (paused time, channels) gives the same interleaving every
/// run, and the executor doubles as a test scheduler.
///
/// Inside the executor tokio's cooperative budget does not apply (one budget would be
/// shared by all tasks and force spurious yields); tasks yield where they wait or with
/// [`yield_now`](crate::scheduling::yield_now).
///
/// # Examples
///
/// asynkit's remote-data example, steered: the second task is made to run first.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// use ayutil::scheduling;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let out = ayutil::SchedulingExecutor::new()
///     .run(async {
///         let first = {
///             let log = log.clone();
///             scheduling::spawn(async move { log.borrow_mut().push("first") }).unwrap()
///         };
///         let second = {
///             let log = log.clone();
///             scheduling::spawn(async move { log.borrow_mut().push("second") }).unwrap()
///         };
///         scheduling::task_reinsert(second.id(), 0).unwrap();
///         first.await.unwrap();
///         second.await.unwrap();
///         "done"
///     })
///     .await;
/// assert_eq!(out, "done");
/// assert_eq!(*log.borrow(), ["second", "first"]);
/// # }
/// ```
pub struct SchedulingExecutor {
    executor: Rc<Executor>,
}

impl SchedulingExecutor {
    /// A new executor, with nothing to run yet.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let n = ayutil::SchedulingExecutor::new().run(async { 1 }).await;
    /// assert_eq!(n, 1);
    /// # }
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self {
            executor: Executor::new(),
        }
    }

    /// Runs `main` as the executor's first task, with every task it spawns, until `main`
    /// finishes; resolves to its output.
    ///
    /// `main` is a task like the others (it has a [`TaskId`], it can be switched to and
    /// reordered) but its future lives in the returned [`Run`], so it need not be
    /// `'static`. When `main` finishes, the tasks left are dropped, in creation order, as
    /// `asyncio.run` cancels them; their [`Task`](crate::scheduling::Task) handles then
    /// give [`TaskError::Cancelled`](crate::scheduling::TaskError::Cancelled).
    ///
    /// # Panics
    ///
    /// A panic of `main` or of a callback propagates out of the `Run` (the executor is
    /// stopped first). A panic of a spawned task is caught and reported by its `Task`.
    ///
    /// # Cancel safety
    ///
    /// Dropping the `Run` stops the executor: every task, `main` included, is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::scheduling;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let local = String::from("borrowed by main");
    /// let len = ayutil::SchedulingExecutor::new()
    ///     .run(async {
    ///         let lengths: Vec<_> = (1..=3)
    ///             .map(|n| scheduling::spawn(async move { n * 10 }).unwrap())
    ///             .collect();
    ///         let mut sum = local.len();
    ///         for task in lengths {
    ///             sum += task.await.unwrap();
    ///         }
    ///         sum
    ///     })
    ///     .await;
    /// assert_eq!(len, 16 + 60);
    /// # }
    /// ```
    pub fn run<F: Future>(self, main: F) -> Run<F> {
        let main_id = self.executor.spawn_main();
        Run {
            inner: unconstrained(RunLoop {
                main,
                executor: self.executor,
                main_id,
                done: false,
            }),
        }
    }
}

impl Default for SchedulingExecutor {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SchedulingExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchedulingExecutor").finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// Future returned by [`SchedulingExecutor::run`]: drives the executor until its main
    /// future finishes, and resolves to that future's output.
    ///
    /// Not `Send`: poll it on one thread (`#[tokio::main]`, `block_on`, a `LocalSet`).
    ///
    /// # Cancel safety
    ///
    /// Dropping it stops the executor: every task is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use ayutil::scheduling;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let run: ayutil::scheduling::Run<_> = ayutil::SchedulingExecutor::new().run(async {
    ///     let _forever = scheduling::spawn(std::future::pending::<()>()).unwrap();
    ///     std::future::pending::<()>().await
    /// });
    /// // Dropped by the timeout: the executor stops and drops both tasks.
    /// assert!(tokio::time::timeout(Duration::from_secs(1), run).await.is_err());
    /// # }
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Run<F> {
        #[pin]
        inner: Unconstrained<RunLoop<F>>,
    }
}

impl<F: Future> Future for Run<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F> fmt::Debug for Run<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run").finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// The run loop, under tokio's `unconstrained`.
    struct RunLoop<F> {
        #[pin]
        main: F,
        executor: Rc<Executor>,
        main_id: TaskId,
        done: bool,
    }

    impl<F> PinnedDrop for RunLoop<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !*this.done {
                let _enter = this.executor.enter();
                this.executor.stop();
            }
        }
    }
}

impl<F: Future> Future for RunLoop<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        assert!(!*this.done, "`Run` polled after it returned its output");
        let executor = this.executor.clone();
        let _enter = executor.enter();
        for _ in 0..STEPS_PER_POLL {
            let Some(entry) = executor.next_entry() else {
                if executor.park(cx.waker()) {
                    return Poll::Pending;
                }
                continue;
            };
            let id = match entry {
                Entry::Callback(callback) => {
                    callback();
                    continue;
                }
                Entry::Task(id) => id,
            };
            let Some(mut step) = executor.begin(id) else {
                continue;
            };
            if id == *this.main_id {
                let mut main_cx = Context::from_waker(step.waker());
                if let Poll::Ready(output) = this.main.as_mut().poll(&mut main_cx) {
                    executor.end(step, true);
                    *this.done = true;
                    executor.stop();
                    return Poll::Ready(output);
                }
                executor.end(step, false);
            } else {
                let finished = step.poll_job();
                executor.end(step, finished);
            }
        }
        // Give tokio a turn, and come back at once.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
