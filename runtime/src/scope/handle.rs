//! [`Scope`]: the handle a scope's block (and its tasks) spawn work through.

use core::future::{Future, poll_fn};
use core::ops::Shl;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use futures_util::FutureExt as _;

use crate::rt::inherit::{handed, handed_fn, handed_lazy};
use crate::rt::spawn;
use crate::scope::error::{BoxError, ExecutorError, JoinError};
use crate::scope::executor;
use crate::scope::options::ScopeOptions;
use crate::scope::state::{Inner, Job, Outcome, StopReason, Unit};
use crate::scope::task::{TaskHandle, UnitGuard};

/// An execution scope (Trio's nursery, ayo's `ExecutionScope`): tasks spawned in it are
/// guaranteed to have ended, completed or cancelled, when the scope's `.await` returns.
///
/// A `Scope` is the handle given to the block of [`ScopeOptions::run`] (or [`scope`](crate::scope),
/// or `#[run_as_main]`). It is cheap to clone and `Send + Sync`: move clones into tasks
/// so they spawn siblings, which the scope also waits for. Scopes nest: a scope opened
/// by a task or by the block of another scope registers in it, so cancelling the outer
/// scope cancels the inner one, and the outer `.await` returns only after the inner
/// scope's tasks are gone too. (A scope future that is polled once and then kept without
/// being polled or dropped therefore keeps its parent open.)
///
/// `T` is the output of the scope's tasks; `E` is the error type of fallible tasks
/// ([`try_spawn`](Self::try_spawn)) and of a failing block
/// ([`try_run`](ScopeOptions::try_run)). The first failure (an `Err` or a panic) cancels
/// every other task, and the scope returns it.
///
/// Tasks are tokio tasks (so they need `Send + 'static` and run in parallel on a
/// multi-thread runtime); plain tokio tasks can run beside them.
///
/// # Results and memory
///
/// Each task's outcome goes to exactly one taker, and the scope holds it only until then:
///
/// - the task's [`TaskHandle`], awaited (a handle awaited before its task ends always
///   gets the outcome);
/// - [`join_next`](Self::join_next), which hands out outcomes as tasks end;
/// - otherwise the final [`ScopeOutput::results`](crate::ScopeOutput::results), in spawn
///   order (outcomes taken earlier are left out).
///
/// So the scope's memory follows its live tasks plus the outcomes nobody took yet: a
/// `Scope<()>` keeps nothing for a completed task (its `()` results are counted, not
/// stored), and a scope built with
/// [`discard_results`](ScopeOptions::discard_results) (the root scope of
/// `#[run_as_main]`) keeps no outcome at all, so both run millions of tasks in flat
/// memory. A scope that collects values holds each value until it is taken.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let out = ayutil::scope(|s| async move {
///     // `&s << f;` is `s.spawn(f);` (the seed's `run << f()`).
///     &s << async { "first" };
///     let inner = s.clone();
///     s.spawn(async move {
///         tokio::time::sleep(Duration::from_secs(1)).await;
///         inner.spawn(async { "spawned by a task" });
///         "second"
///     });
/// })
/// .await
/// .unwrap();
/// let results: Vec<_> = out.completed().copied().collect();
/// assert_eq!(results, ["first", "second", "spawned by a task"]);
/// # }
/// ```
pub struct Scope<T = (), E = BoxError> {
    inner: Arc<Inner<T, E>>,
}

impl<T, E> Clone for Scope<T, E> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T, E> core::fmt::Debug for Scope<T, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Scope").finish_non_exhaustive()
    }
}

impl<T, E> Scope<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    /// The options of a new scope: `Scope::<T, E>::options().max_concurrency(n).run(..)`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::Scope::<i32, std::io::Error>::options()
    ///     .run(|s| async move { s.spawn(async { 1 }); })
    ///     .await
    ///     .unwrap();
    /// assert_eq!(out.results().len(), 1);
    /// # }
    /// ```
    #[must_use]
    pub fn options() -> ScopeOptions<T, E> {
        ScopeOptions::default()
    }

    pub(crate) fn from_inner(inner: Arc<Inner<T, E>>) -> Self {
        Self { inner }
    }

    /// Runs `fut` as a task of the scope (the seed's `asap`, also `&scope << fut`).
    ///
    /// It starts now, or when a slot frees under `max_concurrency`. If the scope is
    /// already stopping (an error, a time-out, `cancel()`) or finished, the future is
    /// dropped at once without being polled: the handle says
    /// [`is_rejected`](TaskHandle::is_rejected), and (while the scope has not finished)
    /// its result says cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move { s.spawn(async { 42 }); }).await.unwrap();
    /// assert_eq!(out.results()[0].completed(), Some(&42));
    /// # }
    /// ```
    pub fn spawn<F>(&self, fut: F) -> TaskHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
    {
        // `map`, not `async move { Ok(fut.await) }`: an async block would store `fut`
        // twice (as capture and as awaitee), doubling every queued future.
        self.submit(Job::Ready(Box::pin(handed(fut.map(Ok)))))
    }

    /// Runs a fallible task: an `Err` cancels every other task and the scope returns it.
    ///
    /// The future's error type is the scope's `E`, so `Ok(x)` needs no annotation and `?`
    /// inside the task converts with `From`.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let err = ayutil::scope(|s| async move {
    ///     s.try_spawn(async { Ok("12".parse::<u32>()?) });
    ///     s.try_spawn(async { Ok("x".parse::<u32>()?) });
    /// })
    /// .await
    /// .unwrap_err();
    /// assert_eq!(err.first().to_string(), "invalid digit found in string");
    /// # }
    /// ```
    pub fn try_spawn<F>(&self, fut: F) -> TaskHandle<T>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        self.submit(Job::Ready(Box::pin(handed(fut))))
    }

    /// Stores `make` and calls it only when a slot frees (the seed's `from_callable`):
    /// under a low `max_concurrency`, a long queue costs its closures, not its futures.
    /// If the scope stops first, `make` is never called.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let out = ayutil::Scope::<u32>::options()
    ///     .max_concurrency(NonZeroUsize::new(10).unwrap())
    ///     .run(|s| async move {
    ///         for i in 0..10_000 {
    ///             s.spawn_lazy(move || async move { i % 7 });
    ///         }
    ///     })
    ///     .await?;
    /// assert_eq!(out.completed().count(), 10_000);
    /// # Ok(())
    /// # }
    /// ```
    pub fn spawn_lazy<C, F>(&self, make: C) -> TaskHandle<T>
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let make = handed_lazy(make);
        self.submit(Job::Lazy(Box::new(move || {
            let fut = make();
            Box::pin(fut.map(Ok))
        })))
    }

    /// [`spawn_lazy`](Self::spawn_lazy) for a fallible task (see
    /// [`try_spawn`](Self::try_spawn)).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.try_spawn_lazy(|| async { Ok(5) });
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.results()[0].completed(), Some(&5));
    /// # }
    /// ```
    pub fn try_spawn_lazy<C, F>(&self, make: C) -> TaskHandle<T>
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let make = handed_lazy(make);
        self.submit(Job::Lazy(Box::new(move || Box::pin(make()))))
    }

    fn submit(&self, job: Job<T, E>) -> TaskHandle<T> {
        let (index, accepted) = self.inner.submit(job);
        TaskHandle::new(&self.inner, index, accepted)
    }

    /// Spawns every future of `futs`, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.all([1, 2, 3].map(std::future::ready));
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.completed().sum::<i32>(), 6);
    /// # }
    /// ```
    pub fn all<I>(&self, futs: I) -> Vec<TaskHandle<T>>
    where
        I: IntoIterator,
        I::Item: Future<Output = T> + Send + 'static,
    {
        futs.into_iter().map(|fut| self.spawn(fut)).collect()
    }

    /// Spawns `f(item)` for every item, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.map(|n: u64| async move { n * n }, 1..=3);
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.completed().copied().collect::<Vec<_>>(), [1, 4, 9]);
    /// # }
    /// ```
    pub fn map<I, C, F>(&self, mut f: C, items: I) -> Vec<TaskHandle<T>>
    where
        I: IntoIterator,
        C: FnMut(I::Item) -> F,
        F: Future<Output = T> + Send + 'static,
    {
        items.into_iter().map(|item| self.spawn(f(item))).collect()
    }

    /// Stops every task of the scope (and so the scopes they opened): queued tasks never
    /// start, running ones are dropped, the block is dropped at its next `.await`. The
    /// scope then returns normally, with [`cancelled`](crate::ScopeOutput::cancelled) set.
    /// Does nothing if the scope is already stopping or finished.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.spawn(std::future::pending::<()>());
    ///     s.cancel();
    /// })
    /// .await
    /// .unwrap();
    /// assert!(out.cancelled());
    /// assert!(out.results()[0].is_cancelled());
    /// # }
    /// ```
    pub fn cancel(&self) {
        self.inner.stop(StopReason::Cancel);
    }

    /// Waits for the next task to end and takes its outcome (like tokio's
    /// `JoinSet::join_next`); `None` once no task of the scope is live and every outcome
    /// was taken.
    ///
    /// An outcome already waiting is returned at once (the lowest spawn index first);
    /// otherwise the call waits for the next task to end. Taken outcomes are freed, and
    /// left out of the final [`results`](crate::ScopeOutput::results). A task that failed
    /// gives [`JoinError::Failed`] (the scope reports the error itself). Outcomes that an
    /// awaiting [`TaskHandle`] receives are not seen here. With
    /// [`discard_results`](ScopeOptions::discard_results), no outcome is kept, so this
    /// only waits until no task is live, then returns `None`.
    ///
    /// `None` means "nothing right now": the block may spawn more tasks afterwards.
    /// Called from a task of the same scope, it counts that task as live, so it does not
    /// return `None` while that task runs.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: an outcome is taken only when the call returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     for secs in [3, 1, 2] {
    ///         s.spawn(async move {
    ///             tokio::time::sleep(Duration::from_secs(secs)).await;
    ///             secs
    ///         });
    ///     }
    ///     let mut order = Vec::new();
    ///     while let Some(outcome) = s.join_next().await {
    ///         order.push(outcome.unwrap());
    ///     }
    ///     order
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.value(), Some(&vec![1, 2, 3])); // as they ended
    /// assert!(out.results().is_empty()); // every outcome was taken
    /// # }
    /// ```
    pub async fn join_next(&self) -> Option<Result<T, JoinError>> {
        self.join_next_with_index()
            .await
            .map(|(_, outcome)| outcome)
    }

    /// [`join_next`](Self::join_next), with the spawn index of the task (as
    /// [`TaskHandle::index`] gives it).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: an outcome is taken only when the call returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// ayutil::scope(|s: ayutil::Scope<&str>| async move {
    ///     let a = s.spawn(async { "a" });
    ///     let b = s.spawn(std::future::pending());
    ///     b.abort();
    ///     let mut seen = Vec::new();
    ///     while let Some((index, outcome)) = s.join_next_with_index().await {
    ///         seen.push((index, outcome));
    ///     }
    ///     assert_eq!(seen.len(), 2);
    ///     assert!(seen.contains(&(a.index(), Ok("a"))));
    ///     assert!(seen.contains(&(b.index(), Err(ayutil::JoinError::Cancelled))));
    /// })
    /// .await
    /// .unwrap();
    /// # }
    /// ```
    pub async fn join_next_with_index(&self) -> Option<(usize, Result<T, JoinError>)> {
        poll_fn(|cx| self.inner.poll_join_next(cx.waker())).await
    }

    /// Whether the scope stopped accepting work (a failure, a time-out, `cancel()`, or it
    /// finished). Long loops inside tasks may check it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// ayutil::scope(|s: ayutil::Scope| async move {
    ///     assert!(!s.is_stopping());
    ///     s.cancel();
    ///     assert!(s.is_stopping());
    /// })
    /// .await
    /// .unwrap();
    /// # }
    /// ```
    #[must_use]
    pub fn is_stopping(&self) -> bool {
        self.inner.is_stopping()
    }

    /// Runs the blocking closure `f` on tokio's blocking pool, bound to the scope: its
    /// result takes a slot in the results and the scope waits for it. Not counted by
    /// `max_concurrency`. A closure that has not started when the scope stops never
    /// runs; one that runs cannot be interrupted, and the scope waits for it.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.aside(|| (1..=10u64).product::<u64>());
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.results()[0].completed(), Some(&3_628_800));
    /// # }
    /// ```
    pub fn aside<F>(&self, f: F) -> TaskHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let (index, job) = self.blocking_job(f);
        let accepted = job.is_some();
        if let Some(job) = job {
            let join = spawn::spawn_blocking_on(&self.inner.handle, job);
            self.inner.register(Unit::Aside(index), join.abort_handle());
        }
        TaskHandle::new(&self.inner, index, accepted)
    }

    /// Like [`aside`](Self::aside), on the executor registered under `name` with
    /// [`register_executor`](crate::register_executor).
    ///
    /// # Errors
    ///
    /// [`ExecutorError::Unknown`] if no executor has that name; nothing is spawned.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// ayutil::register_executor("doc-threads", |job: ayutil::ExecutorJob| {
    ///     std::thread::spawn(job);
    /// })?;
    /// let out = ayutil::scope(|s| async move { s.aside_in("doc-threads", || 7) })
    ///     .await?;
    /// assert_eq!(out.results()[0].completed(), Some(&7));
    /// assert!(out.value().unwrap().is_ok());
    /// # Ok(())
    /// # }
    /// ```
    pub fn aside_in<F>(&self, name: &str, f: F) -> Result<TaskHandle<T>, ExecutorError>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let executor = executor::lookup(name)?;
        let (index, job) = self.blocking_job(f);
        let accepted = job.is_some();
        if let Some(job) = job {
            executor.execute(Box::new(job));
        }
        Ok(TaskHandle::new(&self.inner, index, accepted))
    }

    /// Reserves a result slot and wraps `f` so that it reports its end exactly once.
    fn blocking_job<F>(&self, f: F) -> (usize, Option<impl FnOnce() + Send + 'static>)
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let (index, accepted) = self.inner.reserve_aside();
        if !accepted {
            return (index, None);
        }
        let guard = UnitGuard::new(Arc::clone(&self.inner), Unit::Aside(index));
        let f = handed_fn(f);
        let job = move || {
            if !guard.inner().may_start(index) {
                // Dropping the guard reports the closure as cancelled.
                return;
            }
            let outcome = match catch_unwind(AssertUnwindSafe(f)) {
                Ok(value) => Outcome::Value(value),
                Err(payload) => Outcome::Panic(payload),
            };
            guard.finish(outcome);
        };
        (index, Some(job))
    }

    pub(crate) fn inner(&self) -> &Arc<Inner<T, E>> {
        &self.inner
    }
}

/// `&scope << fut;` is [`scope.spawn(fut);`](Scope::spawn), the seed's `run << coro()`.
///
/// A statement: it gives no handle (so nothing to ignore with `let _ =`); use
/// [`spawn`](Scope::spawn) to keep one.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let out = ayutil::scope(|s| async move {
///     &s << async { 1 };
///     &s << async { 2 };
/// })
/// .await
/// .unwrap();
/// assert_eq!(out.completed().copied().collect::<Vec<_>>(), [1, 2]);
/// # }
/// ```
impl<T, E, F> Shl<F> for &Scope<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    type Output = ();

    fn shl(self, fut: F) {
        // The handle is dropped: the task stays bound to the scope.
        drop(self.spawn(fut));
    }
}
