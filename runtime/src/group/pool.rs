//! [`Pool`]: a [`Group`](crate::Group) that runs at most `n` tasks at once.

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::num::NonZeroUsize;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::engine::{AwaitStart, Collect, Owner, Spawned};
use super::error::{GroupError, TaskResult};
use crate::rt::inherit::handed;

/// A [`Group`](crate::Group) that runs at most `n` task bodies at once, admitting queued
/// tasks in FIFO order.
///
/// Port of `aioutils.Pool`. [`spawn`](Self::spawn) never blocks: a task beyond the limit
/// waits in a queue. [`spawn_wait`](Self::spawn_wait) is the backpressure form: it
/// resolves once its task has started. Compared with a tokio `JoinSet` guarded by a
/// `Semaphore`, tasks can spawn into their own pool, no permit is held across an
/// `await` by the caller, and a pool of `n` uses at most `n` tokio tasks however many
/// tasks go through it: each one runs a task, then the next queued one.
///
/// Errors, panics, `join` and dropping behave as in [`Group`](crate::Group): dropping the
/// last clone aborts the running tasks and drops the queued ones.
///
/// # Examples
///
/// The seed's nested loops with a limit of 10: 110 sleeps of 0.1 s, 10 at a time.
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
/// use ayutil::Pool;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let start = tokio::time::Instant::now();
/// let pool = Pool::new(NonZeroUsize::new(10).unwrap());
/// for _ in 0..10 {
///     let p = pool.clone();
///     pool.spawn(async move {
///         tokio::time::sleep(Duration::from_millis(100)).await;
///         for _ in 0..10 {
///             // An async block, so the sleep's deadline is set when the task starts.
///             p.spawn(async { tokio::time::sleep(Duration::from_millis(100)).await });
///         }
///     });
/// }
/// pool.join().await.unwrap();
/// assert_eq!(start.elapsed(), Duration::from_millis(1100));
/// # }
/// ```
#[must_use = "dropping a Pool aborts its tasks"]
pub struct Pool<E: Send + 'static = Infallible> {
    owner: Arc<Owner<E>>,
    limit: NonZeroUsize,
}

impl<E: Send + 'static> Pool<E> {
    /// Creates a pool running at most `limit` tasks at once. [`NonZeroUsize::MAX`] means
    /// no limit (a [`Group`](crate::Group) that queues nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// let limit = NonZeroUsize::new(4).unwrap();
    /// assert_eq!(ayutil::Pool::<()>::new(limit).limit(), limit);
    /// let one_at_a_time = ayutil::Pool::<()>::new(NonZeroUsize::MIN);
    /// assert_eq!(one_at_a_time.limit().get(), 1);
    /// ```
    pub fn new(limit: NonZeroUsize) -> Self {
        Self {
            owner: Arc::new(Owner::new(limit.get(), Collect::First)),
            limit,
        }
    }

    /// The most tasks that run at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let pool = ayutil::Pool::new(NonZeroUsize::new(3).unwrap());
    /// let running = Arc::new(AtomicUsize::new(0));
    /// let peak = Arc::new(AtomicUsize::new(0));
    /// for _ in 0..20 {
    ///     let (running, peak) = (Arc::clone(&running), Arc::clone(&peak));
    ///     pool.spawn(async move {
    ///         let now = running.fetch_add(1, Ordering::SeqCst) + 1;
    ///         peak.fetch_max(now, Ordering::SeqCst);
    ///         tokio::time::sleep(Duration::from_secs(1)).await;
    ///         running.fetch_sub(1, Ordering::SeqCst);
    ///     });
    /// }
    /// pool.join().await.unwrap();
    /// assert_eq!(peak.load(Ordering::SeqCst), pool.limit().get());
    /// # }
    /// ```
    pub fn limit(&self) -> NonZeroUsize {
        self.limit
    }

    /// Queues `task`; it starts as soon as fewer than `limit` tasks run and every task
    /// queued before it has started. Never blocks.
    ///
    /// # Panics
    ///
    /// Panics outside a tokio runtime, at the caller, with the message of
    /// [`NoRuntime`](crate::NoRuntime).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let pool = ayutil::Pool::new(NonZeroUsize::new(2).unwrap());
    /// for _ in 0..5 {
    ///     pool.spawn(tokio::task::yield_now());
    /// }
    /// assert_eq!(pool.len(), 5);
    /// pool.join().await.unwrap();
    /// assert!(pool.is_empty());
    /// # }
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, task: F)
    where
        F: Future + Send + 'static,
        F::Output: TaskResult<E>,
    {
        let task = handed(task);
        let job = Box::pin(async move { task.await.into_task_result() });
        // The owner is alive (we hold it), so the core is not closed.
        let _ = self.owner.core.spawn(job, None);
    }

    /// Queues `task` like [`spawn`](Self::spawn), then waits until it has started: the
    /// caller is held back while the pool is saturated (backpressure).
    ///
    /// # Panics
    ///
    /// The first poll panics outside a tokio runtime, with the message of
    /// [`NoRuntime`](crate::NoRuntime).
    ///
    /// # Cancel safety
    ///
    /// The task is queued at the first poll. If the future is dropped before the task
    /// starts (a `timeout` around it, say), the task leaves the queue and its future is
    /// dropped at once: it never runs and no longer counts in [`len`](Self::len). Once it
    /// has started, dropping the future does not affect it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let start = tokio::time::Instant::now();
    /// let pool = ayutil::Pool::new(NonZeroUsize::MIN);
    /// pool.spawn_wait(tokio::time::sleep(Duration::from_secs(1))).await; // starts at once
    /// pool.spawn_wait(tokio::time::sleep(Duration::from_secs(1))).await; // waits for a slot
    /// assert_eq!(start.elapsed(), Duration::from_secs(1));
    /// # }
    /// ```
    pub async fn spawn_wait<F>(&self, task: F)
    where
        F: Future + Send + 'static,
        F::Output: TaskResult<E>,
    {
        let (started_tx, started_rx) = oneshot::channel();
        let task = handed(task);
        let job = Box::pin(async move { task.await.into_task_result() });
        let core = &self.owner.core;
        // Not held across the `await`: a refused job is not `Sync`.
        let queued = match core.spawn(job, Some(started_tx)) {
            Ok(Spawned::Queued(id)) => Some(id),
            // Started at once, or refused (the pool is alive while we hold it).
            Ok(Spawned::Started) | Err(_) => None,
        };
        if let Some(id) = queued {
            AwaitStart::new(core, id, started_rx).await;
        }
    }

    /// Waits until no task is left, including tasks spawned while waiting, and returns
    /// the first failure since the previous `join`.
    ///
    /// Several `join`s may wait at once (from several tasks): they all return when the
    /// group is idle, and all return `Err` if a task failed; one of them receives the
    /// failure itself, the others a notice of it (see [`GroupError`]).
    ///
    /// # Errors
    ///
    /// A [`GroupError`] holding the first task error or panic, and how many other tasks
    /// failed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future leaves the tasks running and their failures kept
    /// for the next `join`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let pool = ayutil::Pool::new(NonZeroUsize::new(2).unwrap());
    /// let p = pool.clone();
    /// pool.spawn(async move {
    ///     // Spawned while `join` already waits: `join` waits for it too.
    ///     p.spawn(async { Err("spawned late") });
    ///     Ok(())
    /// });
    /// let err = pool.join().await.unwrap_err();
    /// assert!(matches!(err.first(), Some(ayutil::TaskFailure::Error("spawned late"))));
    /// assert!(pool.is_empty());
    /// # }
    /// ```
    pub async fn join(&self) -> Result<(), GroupError<E>> {
        self.owner.core.join_first().await
    }

    /// Number of tasks spawned and not finished yet (queued or running).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let pool = ayutil::Pool::new(NonZeroUsize::MIN);
    /// pool.spawn(std::future::pending::<()>()); // takes the only slot, forever
    /// pool.spawn(async {}); // queued behind it
    /// tokio::task::yield_now().await;
    /// assert_eq!(pool.len(), 2); // queued tasks count too
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.owner.core.pending()
    }

    /// Returns `true` if no task is queued or running.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let pool = ayutil::Pool::new(NonZeroUsize::new(4).unwrap());
    /// assert!(pool.is_empty());
    /// pool.spawn(tokio::task::yield_now());
    /// assert!(!pool.is_empty());
    /// pool.join().await.unwrap();
    /// assert!(pool.is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<E: Send + 'static> Clone for Pool<E> {
    fn clone(&self) -> Self {
        Self {
            owner: Arc::clone(&self.owner),
            limit: self.limit,
        }
    }
}

impl<E: Send + 'static> fmt::Debug for Pool<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("limit", &self.limit())
            .field("len", &self.len())
            .finish()
    }
}
