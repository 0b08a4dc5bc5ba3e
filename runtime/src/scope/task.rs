//! [`TaskHandle`]: one spawned task; and the wrappers that report every unit's end.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::rt::spawn;
use crate::scope::control::Control;
use crate::scope::error::JoinError;
use crate::scope::nesting;
use crate::scope::state::{BoxTask, Inner, Job, Outcome, Start, Unit};

/// A handle on one task of a [`Scope`](crate::Scope): await its output, abort it, or ask
/// whether it ended.
///
/// Awaiting the handle (it is a future, like tokio's `JoinHandle`) gives the task's value,
/// or a [`JoinError`] saying why there is none. Each task's outcome goes to exactly one
/// taker: a handle that is awaited before its task ends always gets it; otherwise the
/// first of the handle, [`Scope::join_next`](crate::Scope::join_next) and the scope's
/// final [`results`](crate::ScopeOutput::results) to ask takes it, and the others see it
/// [`Taken`](JoinError::Taken). A task's error or panic is never handed out: the scope
/// reports it, and the handle gets [`JoinError::Failed`].
///
/// A task spawned into a scope that is stopping or finished never runs (its future is
/// dropped at once): its handle says [`is_rejected`](Self::is_rejected), and awaiting it
/// gives [`JoinError::Rejected`].
///
/// Dropping the handle neither detaches nor cancels anything: the task stays bound to its
/// scope, which waits for it. (Dropped while it awaits, the handle gives up the outcome,
/// which is then dropped.)
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let out = ayutil::scope(|s| async move {
///     let quick = s.spawn(async { 1 });
///     let slow = s.spawn(async {
///         tokio::time::sleep(Duration::from_secs(60)).await;
///         2
///     });
///     assert_eq!(quick.await, Ok(1)); // taken here: not in the final results
///     slow.abort();
/// })
/// .await
/// .unwrap();
/// assert_eq!(out.results(), [ayutil::TaskOutcome::Cancelled]);
/// # }
/// ```
pub struct TaskHandle<T = ()> {
    control: Arc<dyn Control>,
    /// Takes the task's outcome from `control`, whose concrete type it knows.
    take: TakeFn<T>,
    index: usize,
    rejected: bool,
    /// Polled while its task was live: the scope hands the outcome to this handle.
    awaiting: bool,
    /// Returned its output already.
    done: bool,
}

impl<T> core::fmt::Debug for TaskHandle<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TaskHandle")
            .field("index", &self.index)
            .field("rejected", &self.rejected)
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Polls the scope behind a `dyn Control` for the outcome of one task.
type TakeFn<T> = fn(&dyn Control, usize, &mut Context<'_>) -> Poll<Result<T, JoinError>>;

/// The [`TakeFn`] of a scope of type `Inner<T, E>`.
fn take<T, E>(control: &dyn Control, index: usize, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>
where
    T: Send + 'static,
    E: Send + 'static,
{
    let inner = control
        .as_any()
        .downcast_ref::<Inner<T, E>>()
        .expect("a task handle polls the scope it was made by");
    inner.poll_take(index, cx.waker())
}

impl<T> TaskHandle<T> {
    pub(crate) fn new<E>(inner: &Arc<Inner<T, E>>, index: usize, accepted: bool) -> Self
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        // Unsized coercion of the scope's own `Arc`: no allocation per task.
        let control: Arc<dyn Control> = Arc::clone(inner) as _;
        Self {
            control,
            take: take::<T, E>,
            index,
            rejected: !accepted,
            awaiting: false,
            done: false,
        }
    }

    /// Stops this task only: a queued task never starts (its future is dropped when its
    /// turn comes, or when the scope stops), a running one is dropped at its next
    /// scheduling point. The scope goes on; this task's outcome says it was
    /// cancelled (unless it had already completed). Aborting is never an error.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     let stuck = s.spawn(std::future::pending::<u8>());
    ///     s.spawn(async { 1 });
    ///     stuck.abort();
    ///     stuck.abort(); // aborting again is harmless
    /// })
    /// .await
    /// .unwrap();
    /// assert!(out.results()[0].is_cancelled());
    /// assert_eq!(out.results()[1].completed(), Some(&1)); // the scope went on
    /// assert!(!out.cancelled());
    /// # }
    /// ```
    pub fn abort(&self) {
        if !self.rejected {
            self.control.abort_task(self.index);
        }
    }

    /// Whether the task ended (completed, failed, cancelled, or never ran).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     let (tx, rx) = tokio::sync::oneshot::channel();
    ///     let task = s.spawn(async move { rx.await.unwrap() });
    ///     tokio::task::yield_now().await; // the task runs and waits for `tx`
    ///     assert!(!task.is_finished());
    ///     tx.send(5).unwrap();
    ///     task
    /// })
    /// .await
    /// .unwrap();
    /// // The scope waited for every task.
    /// assert!(out.value().unwrap().is_finished());
    /// assert_eq!(out.results()[0].completed(), Some(&5));
    /// # }
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.rejected || self.control.is_task_finished(self.index)
    }

    /// Whether the scope refused the task because it was stopping (a failure, a
    /// time-out, `cancel()`) or had finished: the future was dropped without being
    /// polled. Awaiting the handle then gives [`JoinError::Rejected`].
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// ayutil::scope(|s: ayutil::Scope<u8>| async move {
    ///     assert!(!s.spawn(async { 1 }).is_rejected());
    ///     s.cancel();
    ///     let late = s.spawn(async { 2 });
    ///     assert!(late.is_rejected());
    ///     assert_eq!(late.await, Err(ayutil::JoinError::Rejected));
    /// })
    /// .await
    /// .unwrap();
    /// # }
    /// ```
    #[must_use]
    pub fn is_rejected(&self) -> bool {
        self.rejected
    }

    /// The spawn index of this task: its position in
    /// [`ScopeOutput::results`](crate::ScopeOutput::results) when no outcome was taken
    /// before the scope ended (taken outcomes are left out of the results).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     let a = s.spawn(async { "a" });
    ///     let b = s.spawn(async { "b" });
    ///     assert_eq!((a.index(), b.index()), (0, 1));
    ///     b.index()
    /// })
    /// .await
    /// .unwrap();
    /// let b = *out.value().unwrap();
    /// assert_eq!(out.results()[b].completed(), Some(&"b"));
    /// # }
    /// ```
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }
}

/// Waits for the task and takes its outcome (see [`TaskHandle`] for who gets it).
///
/// # Cancel safety
///
/// Dropping the wait gives nothing up unless the task ended meanwhile: the outcome is
/// held for this handle, and the next poll returns it; dropping the handle itself then
/// drops the outcome.
impl<T> Future for TaskHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.rejected {
            return Poll::Ready(Err(JoinError::Rejected));
        }
        if self.done {
            return Poll::Ready(Err(JoinError::Taken));
        }
        let polled = (self.take)(&*self.control, self.index, cx);
        match polled {
            Poll::Pending => self.awaiting = true,
            Poll::Ready(_) => {
                self.awaiting = false;
                self.done = true;
            }
        }
        polled
    }
}

impl<T> Drop for TaskHandle<T> {
    fn drop(&mut self) {
        if self.awaiting {
            self.control.release_task(self.index);
        }
    }
}

/// The future tokio runs for one task: catches panics while polling and while dropping,
/// and reports the end to the scope exactly once.
pub(crate) struct TaskFuture<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    inner: Arc<Inner<T, E>>,
    index: usize,
    state: TaskState<T, E>,
    /// The scope, as the current scope while this task is polled (for nested scopes).
    link: Option<Arc<dyn Control>>,
}

enum TaskState<T, E> {
    NotStarted(Job<T, E>),
    Running(BoxTask<T, E>),
    Ended,
}

impl<T, E> TaskFuture<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    pub(crate) fn new(inner: Arc<Inner<T, E>>, index: usize, job: Job<T, E>) -> Self {
        let link: Arc<dyn Control> = Arc::clone(&inner) as _;
        Self {
            inner,
            index,
            state: TaskState::NotStarted(job),
            link: Some(link),
        }
    }

    /// Spawns the task `start` on the scope's runtime, and registers it in the scope.
    pub(crate) fn spawn(inner: &Arc<Inner<T, E>>, start: Start<T, E>) {
        let Start { index, job } = start;
        let join = spawn::spawn_on(&inner.handle, TaskFuture::new(Arc::clone(inner), index, job));
        inner.register(Unit::Task(index), join.abort_handle());
    }

    /// Reports the task's end; spawns the queued task that takes its slot, if any.
    fn end(&mut self, outcome: Outcome<T, E>) {
        if let Some(next) = self.inner.finish_task(self.index, outcome) {
            Self::spawn(&self.inner, next);
        }
    }
}

impl<T, E> Future for TaskFuture<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if let TaskState::NotStarted(_) = this.state {
            let TaskState::NotStarted(job) = core::mem::replace(&mut this.state, TaskState::Ended)
            else {
                unreachable!("checked above")
            };
            match job {
                Job::Ready(fut) => this.state = TaskState::Running(fut),
                // `spawn_lazy`: the callable runs here, once a slot is free.
                Job::Lazy(make) => match nesting::with_current(&mut this.link, || {
                    catch_unwind(AssertUnwindSafe(make))
                }) {
                    Ok(fut) => this.state = TaskState::Running(fut),
                    Err(payload) => {
                        this.end(Outcome::Panic(payload));
                        return Poll::Ready(());
                    }
                },
            }
        }
        let TaskState::Running(fut) = &mut this.state else {
            return Poll::Ready(());
        };
        let polled = nesting::with_current(&mut this.link, || {
            catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx)))
        });
        let outcome = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(value))) => Outcome::Value(value),
            Ok(Poll::Ready(Err(error))) => Outcome::Error(error),
            Err(payload) => Outcome::Panic(payload),
        };
        // Drop the finished future before reporting, so the scope never sees a task as
        // ended while its future is alive.
        let outcome = match drop_caught(core::mem::replace(&mut this.state, TaskState::Ended)) {
            Some(payload) => Outcome::Panic(payload),
            None => outcome,
        };
        this.end(outcome);
        Poll::Ready(())
    }
}

impl<T, E> Drop for TaskFuture<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    fn drop(&mut self) {
        let state = core::mem::replace(&mut self.state, TaskState::Ended);
        if let TaskState::Ended = state {
            return;
        }
        // Aborted (or the runtime shut down): the task's future is dropped right here.
        let outcome = match drop_caught(state) {
            Some(payload) => Outcome::Panic(payload),
            None => Outcome::Cancelled,
        };
        self.end(outcome);
    }
}

/// Drops `value`, returning the payload if its destructor panicked.
pub(crate) fn drop_caught<V>(value: V) -> Option<crate::scope::state::Payload> {
    catch_unwind(AssertUnwindSafe(move || drop(value))).err()
}

/// Reports a unit's end when it is dropped without having reported it (a blocking
/// closure that never ran, a scheduled callback that was aborted).
pub(crate) struct UnitGuard<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    inner: Arc<Inner<T, E>>,
    unit: Unit,
    armed: bool,
}

impl<T, E> UnitGuard<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    pub(crate) fn new(inner: Arc<Inner<T, E>>, unit: Unit) -> Self {
        Self {
            inner,
            unit,
            armed: true,
        }
    }

    pub(crate) fn inner(&self) -> &Arc<Inner<T, E>> {
        &self.inner
    }

    pub(crate) fn finish(mut self, outcome: Outcome<T, E>) {
        self.armed = false;
        self.inner.finish(self.unit, outcome);
    }
}

impl<T, E> Drop for UnitGuard<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    fn drop(&mut self) {
        if self.armed {
            self.inner.finish(self.unit, Outcome::Cancelled);
        }
    }
}
