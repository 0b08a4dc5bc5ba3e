//! [`ScopeOptions`]: how a scope is configured and run; and the [`scope`] shortcut.

use core::future::{Future, poll_fn};
use core::marker::PhantomData;
use core::num::NonZeroUsize;
use core::pin::pin;
use core::task::Poll;
use core::time::Duration;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::scope::error::{BoxError, ScopeError};
use crate::scope::handle::Scope;
use crate::scope::nesting::{self, ChildLink};
use crate::scope::outcome::ScopeOutput;
use crate::rt::{limit, spawn, time};
use crate::scope::state::{Inner, Progress, StopReason};
use crate::scope::task::drop_caught;

/// The options of a scope, then [`run`](Self::run) to open it.
///
/// Built by [`Scope::options`]. `T` is the output of the scope's tasks, `E` their error
/// type (for [`Scope::try_spawn`]).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let out = ayutil::Scope::<u64>::options()
///     .max_concurrency(NonZeroUsize::new(2).unwrap())
///     .timeout(Duration::from_secs(5))
///     .run(|s| async move {
///         for secs in [1, 2, 10] {
///             s.spawn(async move {
///                 tokio::time::sleep(Duration::from_secs(secs)).await;
///                 secs
///             });
///         }
///     })
///     .await?;
/// assert!(out.timed_out());
/// assert_eq!(out.completed().copied().collect::<Vec<_>>(), [1, 2]);
/// # Ok(())
/// # }
/// ```
pub struct ScopeOptions<T = (), E = BoxError> {
    limit: Option<NonZeroUsize>,
    timeout: Option<Duration>,
    discard: bool,
    _types: PhantomData<fn() -> (T, E)>,
}

impl<T, E> core::fmt::Debug for ScopeOptions<T, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ScopeOptions")
            .field("max_concurrency", &self.limit)
            .field("timeout", &self.timeout)
            .field("discard_results", &self.discard)
            .finish()
    }
}

impl<T, E> Clone for ScopeOptions<T, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, E> Copy for ScopeOptions<T, E> {}

impl<T, E> Default for ScopeOptions<T, E> {
    fn default() -> Self {
        Self {
            limit: None,
            timeout: None,
            discard: false,
            _types: PhantomData,
        }
    }
}

impl<T, E> ScopeOptions<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    /// At most `n` tasks of the scope run at once, including tasks spawned by tasks;
    /// the others wait in spawn order. Blocking `aside` closures and scheduled
    /// callbacks are not counted. [`NonZeroUsize::MAX`] means unbounded (the default).
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
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let running = Arc::new(AtomicUsize::new(0));
    /// let peak = Arc::new(AtomicUsize::new(0));
    /// let (r, p) = (Arc::clone(&running), Arc::clone(&peak));
    /// ayutil::Scope::<()>::options()
    ///     .max_concurrency(NonZeroUsize::new(3).unwrap())
    ///     .run(|s| async move {
    ///         for _ in 0..10 {
    ///             let (r, p) = (Arc::clone(&r), Arc::clone(&p));
    ///             s.spawn(async move {
    ///                 p.fetch_max(r.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
    ///                 tokio::time::sleep(Duration::from_secs(1)).await;
    ///                 r.fetch_sub(1, Ordering::SeqCst);
    ///             });
    ///         }
    ///     })
    ///     .await?;
    /// assert_eq!(peak.load(Ordering::SeqCst), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_concurrency(mut self, n: NonZeroUsize) -> Self {
        self.limit = limit::bounded(n.get()).and(Some(n));
        self
    }

    /// A deadline, counted from the start of [`run`](Self::run): what still runs then is
    /// cancelled, and the output says [`timed_out`](ScopeOutput::timed_out). A time-out
    /// is reported, not raised as an error.
    ///
    /// `Duration::ZERO` cancels whatever is still running once the block first yields;
    /// `Duration::MAX` (or any duration past the clock's range) means no deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let out = ayutil::Scope::<&str>::options()
    ///     .timeout(Duration::from_secs(1))
    ///     .run(|s| async move {
    ///         s.spawn(async { "quick" });
    ///         s.spawn(async {
    ///             tokio::time::sleep(Duration::from_secs(60)).await;
    ///             "slow"
    ///         });
    ///         std::future::pending::<()>().await; // the block is cut too
    ///     })
    ///     .await
    ///     .unwrap();
    /// assert!(out.timed_out());
    /// assert_eq!(out.completed().copied().collect::<Vec<_>>(), ["quick"]);
    /// assert!(out.results()[1].is_cancelled());
    /// assert_eq!(out.value(), None);
    /// # }
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Keeps no task outcome: a task's value is dropped when it ends, unless its
    /// [`TaskHandle`](crate::TaskHandle) is being awaited at that moment (then the handle
    /// gets it). [`results`](ScopeOutput::results) is then empty and
    /// [`join_next`](Scope::join_next) only waits for the live tasks to end.
    ///
    /// For scopes whose results nobody reads (a server spawning a task per connection):
    /// they hold memory only for their live tasks, however many tasks they run. The root
    /// scope of `#[run_as_main]` is built this way. (A `Scope<()>` that keeps its results
    /// is nearly as cheap: completed `()` results are counted, not stored.)
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::Scope::<Vec<u8>>::options()
    ///     .discard_results()
    ///     .run(|s| async move {
    ///         for _ in 0..1_000 {
    ///             s.spawn(async { vec![0; 1024] }); // freed as soon as it ends
    ///         }
    ///         let wanted = s.spawn(async { vec![1, 2, 3] });
    ///         assert_eq!(wanted.await, Ok(vec![1, 2, 3])); // an awaited handle still gets it
    ///     })
    ///     .await
    ///     .unwrap();
    /// assert!(out.results().is_empty());
    /// # }
    /// ```
    #[must_use]
    pub fn discard_results(mut self) -> Self {
        self.discard = true;
        self
    }

    /// Opens the scope, runs `block(scope)` in it, and resolves once the block and every
    /// task of the scope ended.
    ///
    /// The block runs in the caller's task (it need not be `Send`); the tasks it spawns
    /// run as tokio tasks, in parallel on a multi-thread runtime. If a task fails, times
    /// out or [`cancel`](Scope::cancel) is called (by the block itself, a task, or
    /// another thread), the block is dropped at its next `.await` along with every task,
    /// and its value is then `None`.
    ///
    /// The block's output is a plain value, never a failure: a block that returns a
    /// `Result` whose `Err` should cancel the tasks and be reported wants
    /// [`try_run`](Self::try_run).
    ///
    /// # Errors
    ///
    /// The first task that returned `Err` (through [`Scope::try_spawn`]), with the
    /// errors that arrived while cancelling, once every task has stopped.
    ///
    /// # Panics
    ///
    /// If a task or the block panicked, the first panic resumes here, once every task
    /// has stopped: a panic wins over an error. The first poll panics outside a tokio
    /// runtime, with the message of [`NoRuntime`](crate::NoRuntime).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future aborts every task of the scope; queued tasks never start.
    /// Aborted tasks are dropped by tokio shortly after, not during the drop.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let local = Rc::new(5); // not `Send`: fine in the block, which runs in this task
    /// let out = ayutil::Scope::<u32, std::io::Error>::options()
    ///     .run(|s| async move {
    ///         s.spawn(async { 1 });
    ///         s.try_spawn(async { Ok(2) });
    ///         *local * 10
    ///     })
    ///     .await
    ///     .unwrap();
    /// assert_eq!(out.completed().sum::<u32>(), 3);
    /// assert_eq!(out.into_value(), Some(50));
    /// # }
    /// ```
    pub async fn run<F, Fut, R>(self, block: F) -> Result<ScopeOutput<T, R>, ScopeError<E>>
    where
        F: FnOnce(Scope<T, E>) -> Fut,
        Fut: Future<Output = R>,
    {
        self.drive(block, |_, value| Some(value)).await
    }

    /// [`run`](Self::run) for a block that can fail: the block is one more child of the
    /// scope (as in Trio). Its `Err` is recorded like a task's: it cancels every task and
    /// the scope returns it as the [first](ScopeError::first) failure, or as a
    /// [secondary](ScopeError::secondary) one if a task failed first; no error is
    /// dropped. Its `Ok` value is the output's [`value`](ScopeOutput::value).
    ///
    /// # Errors
    ///
    /// The first failure (the block's `Err` or a task's), with those that arrived while
    /// cancelling, once every task has stopped.
    ///
    /// # Panics
    ///
    /// As [`run`](Self::run): the first panic of a task or the block resumes here.
    ///
    /// # Cancel safety
    ///
    /// As [`run`](Self::run): dropping the future aborts every task of the scope.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let started = tokio::time::Instant::now();
    /// let err = ayutil::Scope::<(), String>::options()
    ///     .try_run(|s| async move {
    ///         s.spawn(tokio::time::sleep(Duration::from_secs(3600)));
    ///         let config: Option<&str> = None;
    ///         let config = config.ok_or("config missing")?;
    ///         Ok(config.len())
    ///     })
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(err.first(), "config missing");
    /// assert_eq!(started.elapsed(), Duration::ZERO); // the sleeping task was cancelled
    /// # }
    /// ```
    pub async fn try_run<F, Fut, R>(self, block: F) -> Result<ScopeOutput<T, R>, ScopeError<E>>
    where
        F: FnOnce(Scope<T, E>) -> Fut,
        Fut: Future<Output = Result<R, E>>,
    {
        self.drive(block, |inner, output| match output {
            Ok(value) => Some(value),
            Err(error) => {
                inner.block_failed(error);
                None
            }
        })
        .await
    }

    /// Runs the scope; `settle` turns the block's output into its value, or records its
    /// failure and gives `None`.
    async fn drive<F, Fut, R>(
        self,
        block: F,
        settle: impl FnOnce(&Arc<Inner<T, E>>, Fut::Output) -> Option<R>,
    ) -> Result<ScopeOutput<T, R>, ScopeError<E>>
    where
        F: FnOnce(Scope<T, E>) -> Fut,
        Fut: Future,
    {
        let inner = Inner::<T, E>::new(spawn::runtime(), self.limit, self.discard);
        if let Some(parent) = nesting::current() {
            inner.set_parent(parent);
        }
        let guard = DropGuard(Some(Arc::clone(&inner)));
        let mut link: Option<Arc<dyn ChildLink>> = Some(Arc::clone(&inner) as _);
        let mut block = pin!(Some(block(Scope::from_inner(Arc::clone(&inner)))));
        let mut deadline = pin!(
            self.timeout
                .and_then(time::deadline_in)
                .map(tokio::time::sleep_until)
        );
        let mut settle = Some(settle);
        let mut value = None;

        poll_fn(|cx| {
            loop {
                if let Some(fut) = block.as_mut().as_pin_mut() {
                    if inner.is_stopping() {
                        drop_block(&inner, block.as_mut());
                    } else {
                        let polled = nesting::with_current(&mut link, || {
                            catch_unwind(AssertUnwindSafe(|| fut.poll(cx)))
                        });
                        match polled {
                            Ok(Poll::Pending) => {}
                            Ok(Poll::Ready(out)) => {
                                drop_block(&inner, block.as_mut());
                                let settle = settle.take().expect("the block ends once");
                                value = settle(&inner, out);
                            }
                            Err(payload) => {
                                inner.panicked(payload);
                                drop_block(&inner, block.as_mut());
                            }
                        }
                    }
                }
                if let Some(sleep) = deadline.as_mut().as_pin_mut()
                    && sleep.poll(cx).is_ready()
                {
                    inner.stop(StopReason::Timeout);
                    deadline.set(None);
                    if block.is_some() {
                        drop_block(&inner, block.as_mut());
                    }
                }
                match inner.poll_done(cx.waker(), block.is_some()) {
                    Progress::Done => return Poll::Ready(()),
                    Progress::Pending => return Poll::Pending,
                    // The stop came while the block was polled (it called `cancel()`, or
                    // a task failed on another thread): drop the block, then look again.
                    Progress::DropBlock => drop_block(&inner, block.as_mut()),
                }
            }
        })
        .await;
        drop(guard.disarm());
        collect(&inner, value)
    }
}

fn drop_block<Fut>(
    inner: &Arc<Inner<impl Send + 'static, impl Send + 'static>>,
    mut block: core::pin::Pin<&mut Option<Fut>>,
) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| block.set(None))) {
        inner.panicked(payload);
    }
}

fn collect<T, E, R>(
    inner: &Inner<T, E>,
    value: Option<R>,
) -> Result<ScopeOutput<T, R>, ScopeError<E>>
where
    T: Send + 'static,
    E: Send + 'static,
{
    let mut state = inner.lock();
    if let Some(payload) = state.panic.take() {
        drop(state);
        std::panic::resume_unwind(payload);
    }
    let secondary = core::mem::take(&mut state.secondary);
    let first = state.first_error.take();
    let (timed_out, cancelled) = (state.timed_out, state.cancelled);
    drop(state);
    let results = inner.take_outcomes();
    if let Some(first) = first {
        // Values of tasks that completed before the failure are dropped here, outside
        // the lock; a panicking destructor among them is resumed like any task panic.
        if let Some(payload) = drop_caught(results) {
            std::panic::resume_unwind(payload);
        }
        return Err(ScopeError { first, secondary });
    }
    Ok(ScopeOutput {
        results,
        value,
        timed_out,
        cancelled,
    })
}

/// Aborts every task if the scope's future is dropped before it finished.
struct DropGuard<T: Send + 'static, E: Send + 'static>(Option<Arc<Inner<T, E>>>);

impl<T: Send + 'static, E: Send + 'static> DropGuard<T, E> {
    fn disarm(mut self) -> Option<Arc<Inner<T, E>>> {
        self.0.take()
    }
}

impl<T: Send + 'static, E: Send + 'static> Drop for DropGuard<T, E> {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            inner.stop(StopReason::Dropped);
        }
    }
}

/// Runs `block` in a new scope with default options: no concurrency limit, no time-out,
/// tasks returning `T`, errors boxed. Shortcut for `Scope::options().run(block)`.
///
/// # Errors
///
/// As [`ScopeOptions::run`]: the first task failure, with the secondary ones.
///
/// # Panics
///
/// As [`ScopeOptions::run`]: a task's panic resumes once every task has stopped.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let out = ayutil::scope(|s| async move {
///     for i in 0..3 {
///         s.spawn(async move { i * 10 });
///     }
/// })
/// .await
/// .unwrap();
/// assert_eq!(out.completed().copied().collect::<Vec<_>>(), [0, 10, 20]);
/// # }
/// ```
pub async fn scope<T, F, Fut, R>(block: F) -> Result<ScopeOutput<T, R>, ScopeError<BoxError>>
where
    T: Send + 'static,
    F: FnOnce(Scope<T, BoxError>) -> Fut,
    Fut: Future<Output = R>,
{
    ScopeOptions::default().run(block).await
}
