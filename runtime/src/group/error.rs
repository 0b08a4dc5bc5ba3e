//! Why tasks of a [`Group`](crate::Group), [`Pool`](crate::Pool), [`TaskSet`](crate::TaskSet),
//! [`Bag`](crate::Bag) or [`OrderedBag`](crate::OrderedBag) did not succeed
//! ([`TaskFailure`], [`GroupError`], [`TaskSetError`], [`BagClosed`]), and what their tasks
//! may return ([`TaskResult`], [`BagResult`]).
//!
//! A task's panic is reported as a value here ([`TaskFailure::Panic`], a [`Panicked`]):
//! the caller collects the outcomes of independent tasks, and one task's panic must not
//! tear it down. Causes follow the crate's one convention: a wrapper's `Display` describes
//! its own layer and `source()` returns the cause (see [`GroupError`]).

use core::convert::Infallible;
use std::error::Error;
use std::fmt;

use crate::Panicked;
use super::join_round::Summary;
use crate::rt::cause;

/// Why one task of a [`Group`](crate::Group), [`Pool`](crate::Pool),
/// [`TaskSet`](crate::TaskSet), [`Bag`](crate::Bag) or [`OrderedBag`](crate::OrderedBag)
/// did not succeed: it returned an error, or it panicked.
///
/// It is transparent: it displays and chains (`source()`) exactly as the task's error or
/// the [`Panicked`] inside (see [`GroupError`] for how a cause that is not itself an
/// `Error` is shown).
///
/// # Examples
///
/// ```
/// use ayutil::{Group, TaskFailure};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// group.spawn(async { Err::<(), _>("disk full") });
/// let err = group.join().await.unwrap_err();
/// assert!(matches!(err.first(), Some(TaskFailure::Error("disk full"))));
/// assert_eq!(err.first().unwrap().to_string(), "disk full");
/// # }
/// ```
#[non_exhaustive]
pub enum TaskFailure<E> {
    /// The task returned `Err(e)`.
    Error(E),
    /// The task panicked; the panic was caught so the other tasks kept running.
    Panic(Panicked),
}

impl<E> TaskFailure<E> {
    /// Returns the task's error, or `None` if it panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = ayutil::TaskFailure::Error(7);
    /// assert_eq!(failure.into_error(), Some(7));
    /// ```
    pub fn into_error(self) -> Option<E> {
        match self {
            Self::Error(e) => Some(e),
            Self::Panic(_) => None,
        }
    }

    /// Returns the caught panic, or `None` if the task returned an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{Group, TaskFailure};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// group.spawn(async { if true { panic!("bad input") } });
    /// let failure = group.join().await.unwrap_err().into_first().unwrap();
    /// let panic = failure.into_panic().expect("the task panicked");
    /// assert_eq!(panic.message(), Some("bad input"));
    ///
    /// assert!(TaskFailure::Error("no").into_panic().is_none());
    /// # }
    /// ```
    pub fn into_panic(self) -> Option<Panicked> {
        match self {
            Self::Error(_) => None,
            Self::Panic(p) => Some(p),
        }
    }

    /// Returns `true` if the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// let failure = ayutil::TaskFailure::Error(7);
    /// assert!(!failure.is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, Self::Panic(_))
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Error(e) => f.debug_tuple("Error").field(e).finish(),
            Self::Panic(p) => f.debug_tuple("Panic").field(p).finish(),
        }
    }
}

impl<E: fmt::Display + 'static> fmt::Display for TaskFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Error(e) => cause::fmt_transparent(f, e),
            Self::Panic(p) => fmt::Display::fmt(p, f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display + 'static> Error for TaskFailure<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Error(e) => cause::transparent_source(e),
            Self::Panic(p) => p.source(),
        }
    }
}

/// The first task failure seen by a [`Group`](crate::Group) or [`Pool`](crate::Pool)
/// since the last `join`, and how many more tasks failed after it.
///
/// Unlike Python's `aioutils`, which drops task errors, every failure reaches `join`:
/// the first one is kept whole, the others are counted.
///
/// # Joins at the same time
///
/// `join`s that wait at the same time (from several tasks) all learn of a failure: each
/// returns `Err`. A failure is not `Clone`, so exactly one of them receives it whole
/// ([`first`](Self::first) is `Some`); the others receive a notice of it (`first` is
/// `None`, [`failed`](Self::failed) still counts it). A single `join` always receives the
/// failure itself.
///
/// # Display and source
///
/// Its `Display` says how many tasks failed; its [`source`](Error::source) is the first
/// failure, a [`TaskFailure`] that displays and chains as the task's own error or panic.
/// So `anyhow`'s `{:#}` reads `a task failed (and 2 more): <the first task's error>`,
/// naming each cause once. This is ayutil's one convention for every error that wraps a
/// cause: a wrapper's `Display` describes its own layer and `source()` returns the cause.
///
/// It is an `Error` whenever `E: Debug + Display + 'static`, so that `?` converts it into
/// `anyhow::Error` or a boxed error even when `E` itself is not an `Error` (`BoxError`,
/// `anyhow::Error`, `String`). Rust cannot ask a generic `E` whether it is an `Error`, so
/// the task's error continues the chain through `source()` when it is a
/// `Box<dyn Error ..>`, an `Arc<dyn Error + Send + Sync>`, a `std::io::Error` or (feature
/// `anyhow`) an `anyhow::Error`, with all its causes and contexts; any other error is
/// written into the message with `{:#}`, and its own causes are not walked (box it, or make
/// it an `anyhow::Error`, to keep them).
///
/// # Examples
///
/// ```
/// use ayutil::Group;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = Group::new();
/// for i in 0..3 {
///     group.spawn(async move { if i > 0 { Err(i) } else { Ok(()) } });
/// }
/// let err = group.join().await.unwrap_err();
/// assert_eq!(err.others(), 1);
/// assert!(!err.first().unwrap().is_panic());
/// assert_eq!(err.to_string(), "a task failed (and 1 more)");
/// # }
/// ```
///
/// With `?` into a boxed error, the cause is the `source()`:
///
/// ```
/// use std::error::Error;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let group = ayutil::Group::new();
/// group.spawn(async { Err(std::io::Error::other("disk full")) });
/// let join = async { group.join().await?; Ok::<_, Box<dyn Error + Send + Sync>>(()) };
/// let err = join.await.unwrap_err();
/// assert_eq!(err.to_string(), "a task failed");
/// assert_eq!(err.source().unwrap().to_string(), "disk full");
/// # }
/// ```
pub struct GroupError<E> {
    /// `None` when the failure went to another `join` of the same round.
    first: Option<TaskFailure<E>>,
    others: usize,
}

impl<E> GroupError<E> {
    pub(crate) fn new(first: TaskFailure<E>, others: usize) -> Self {
        Self {
            first: Some(first),
            others,
        }
    }

    /// The outcome of a `join` whose round another `join` ended: `Some(n)` if `n` tasks
    /// failed.
    pub(crate) fn notice(failed: usize) -> Result<(), Self> {
        match failed {
            0 => Ok(()),
            n => Err(Self {
                first: None,
                others: n - 1,
            }),
        }
    }

    /// The first failure; `None` only when another `join`, waiting at the same time,
    /// received it (see [Joins at the same time](Self#joins-at-the-same-time)).
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{Group, TaskFailure};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// group.spawn(async { Err(std::io::Error::other("disk full")) });
    /// let err = group.join().await.unwrap_err();
    /// match err.first() {
    ///     Some(TaskFailure::Error(e)) => assert_eq!(e.to_string(), "disk full"),
    ///     Some(TaskFailure::Panic(p)) => panic!("no task panicked, yet got {p}"),
    ///     Some(other) => panic!("unexpected failure {other}"),
    ///     None => panic!("a single join receives the failure itself"),
    /// }
    /// # }
    /// ```
    pub fn first(&self) -> Option<&TaskFailure<E>> {
        self.first.as_ref()
    }

    /// Takes the first failure; `None` only when another `join`, waiting at the same
    /// time, received it.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{Group, TaskFailure};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = Group::new();
    /// group.spawn(async { Err("no") });
    /// let first: Option<TaskFailure<&str>> = group.join().await.unwrap_err().into_first();
    /// assert_eq!(first.and_then(TaskFailure::into_error), Some("no"));
    /// # }
    /// ```
    pub fn into_first(self) -> Option<TaskFailure<E>> {
        self.first
    }

    /// How many tasks failed after the first one (their errors were dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = ayutil::Group::new();
    /// for i in 0..5 {
    ///     group.spawn(async move { if i % 2 == 0 { Err(i) } else { Ok(()) } });
    /// }
    /// let err = group.join().await.unwrap_err();
    /// assert_eq!(err.others(), 2); // 0, 2 and 4 failed: one kept, two counted
    /// // `join` took the failures: the group starts clean again.
    /// assert!(group.join().await.is_ok());
    /// # }
    /// ```
    pub fn others(&self) -> usize {
        self.others
    }

    /// How many tasks failed in all: the first one and the [`others`](Self::others).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let group = ayutil::Group::new();
    /// group.spawn(async { Err("a") });
    /// group.spawn(async { Err("b") });
    /// assert_eq!(group.join().await.unwrap_err().failed(), 2);
    /// # }
    /// ```
    pub fn failed(&self) -> usize {
        self.others + 1
    }
}

impl<E: fmt::Debug> fmt::Debug for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupError")
            .field("first", &self.first)
            .field("others", &self.others)
            .finish()
    }
}

/// "a task failed", and how many more did.
fn fmt_failed(f: &mut fmt::Formatter<'_>, failed: usize) -> fmt::Result {
    match failed {
        0 => f.write_str("no task failed"),
        1 => f.write_str("a task failed"),
        n => write!(f, "a task failed (and {} more)", n - 1),
    }
}

impl<E> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_failed(f, self.failed())?;
        if self.first.is_none() {
            f.write_str("; the failure went to a concurrent join")?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug + fmt::Display + 'static> Error for GroupError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.first.as_ref().map(|first| first as &(dyn Error + 'static))
    }
}

/// Every task failure a [`TaskSet`](crate::TaskSet) saw since the last `join`, in the
/// order they happened, and how many tasks its exit timeout cancelled.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let tasks = ayutil::TaskSet::new();
/// tasks.spawn(async { Err(1) });
/// tasks.spawn(async { Err(2) });
/// let mut errors: Vec<i32> = tasks
///     .join()
///     .await
///     .unwrap_err()
///     .into_failures()
///     .into_iter()
///     .filter_map(ayutil::TaskFailure::into_error)
///     .collect();
/// errors.sort();
/// assert_eq!(errors, [1, 2]);
/// # }
/// ```
pub struct TaskSetError<E> {
    failures: Vec<TaskFailure<E>>,
    /// At least `failures.len()`; more when a concurrent join received the failures.
    failed: usize,
    cancelled: usize,
}

impl<E> TaskSetError<E> {
    /// The outcome of the `join` that ended its round and took the failures.
    pub(crate) fn owned(failures: Vec<TaskFailure<E>>, cancelled: usize) -> Result<(), Self> {
        if failures.is_empty() && cancelled == 0 {
            return Ok(());
        }
        Err(Self {
            failed: failures.len(),
            failures,
            cancelled,
        })
    }

    /// The outcome of a `join` whose round another `join` ended.
    pub(crate) fn notice(summary: Summary) -> Result<(), Self> {
        if summary.failed == 0 && summary.cancelled == 0 {
            return Ok(());
        }
        Err(Self {
            failures: Vec::new(),
            failed: summary.failed,
            cancelled: summary.cancelled,
        })
    }

    /// The errors and panics, in the order the tasks ended.
    ///
    /// Empty, while [`failed`](Self::failed) is not zero, when another `join` waiting at
    /// the same time received them: failures are not `Clone`, so the joins that wait
    /// together share one outcome and only the first to wake receives the failures
    /// themselves; the others receive the counts.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::TaskFailure;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(async { Err("a") });
    /// tasks.spawn(async { Err("b") });
    /// let err = tasks.join().await.unwrap_err();
    /// let mut errors: Vec<&str> = err
    ///     .failures()
    ///     .iter()
    ///     .filter_map(|failure| match failure {
    ///         TaskFailure::Error(e) => Some(*e),
    ///         _ => None, // a panic
    ///     })
    ///     .collect();
    /// errors.sort();
    /// assert_eq!(errors, ["a", "b"]);
    /// # }
    /// ```
    pub fn failures(&self) -> &[TaskFailure<E>] {
        &self.failures
    }

    /// Takes the errors and panics.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(async { if true { panic!("boom") } });
    /// let failures = tasks.join().await.unwrap_err().into_failures();
    /// assert_eq!(failures.len(), 1);
    /// // Owned failures: a panic's original payload can be re-raised.
    /// let failure = failures.into_iter().next().unwrap();
    /// let payload = failure.into_panic().unwrap().into_payload();
    /// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    /// # }
    /// ```
    pub fn into_failures(self) -> Vec<TaskFailure<E>> {
        self.failures
    }

    /// How many tasks the exit timeout cancelled (zero if it did not expire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new().with_exit_timeout(Duration::from_secs(1));
    /// for _ in 0..3 {
    ///     tasks.spawn(std::future::pending::<()>());
    /// }
    /// tasks.spawn(async {});
    /// let err = tasks.join().await.unwrap_err();
    /// assert_eq!(err.cancelled(), 3);
    /// assert!(err.failures().is_empty()); // counted, not failures
    /// assert_eq!(err.to_string(), "the exit timeout cancelled 3 tasks");
    /// # }
    /// ```
    pub fn cancelled(&self) -> usize {
        self.cancelled
    }

    /// How many tasks returned an error or panicked: `failures().len()`, or more when
    /// another `join` waiting at the same time received the failures.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let tasks = ayutil::TaskSet::new();
    /// tasks.spawn(async { Err("a") });
    /// tasks.spawn(async { tokio::task::yield_now().await; Err("b") });
    /// let (first, second) = tokio::join!(tasks.join(), tasks.join());
    /// let (first, second) = (first.unwrap_err(), second.unwrap_err());
    /// // Both joins waited for the same tasks and report both failures...
    /// assert_eq!((first.failed(), second.failed()), (2, 2));
    /// // ...and one of them holds the failures themselves.
    /// assert_eq!(first.failures().len() + second.failures().len(), 2);
    /// # }
    /// ```
    pub fn failed(&self) -> usize {
        self.failed
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskSetError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskSetError")
            .field("failures", &self.failures)
            .field("failed", &self.failed)
            .field("cancelled", &self.cancelled)
            .finish()
    }
}

impl<E> fmt::Display for TaskSetError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The cancelled tasks come first: in `{:#}` the first failure follows the message.
        let failed = self.failed;
        if self.cancelled > 0 {
            match self.cancelled {
                1 => f.write_str("the exit timeout cancelled a task")?,
                n => write!(f, "the exit timeout cancelled {n} tasks")?,
            }
            if failed == 0 {
                return Ok(());
            }
            f.write_str("; ")?;
        }
        fmt_failed(f, failed)?;
        if self.failures.len() < failed {
            f.write_str("; the failures went to a concurrent join")?;
        }
        Ok(())
    }
}

/// Its `Display` counts the failures and the cancelled tasks; its
/// [`source`](Error::source) is the first failure (see [`GroupError`] for the convention).
impl<E: fmt::Debug + fmt::Display + 'static> Error for TaskSetError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.failures
            .first()
            .map(|first| first as &(dyn Error + 'static))
    }
}

/// A value or task was offered through a putter after the bag's stream (or the bag
/// itself) was dropped; nobody will ever read it, so it is handed back.
///
/// # Examples
///
/// ```
/// let bag = ayutil::Bag::<u32>::new();
/// let putter = bag.putter();
/// drop(bag);
/// assert_eq!(putter.put(7).unwrap_err().into_inner(), 7);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BagClosed<T>(pub(crate) T);

impl<T> BagClosed<T> {
    /// Returns the value that could not be delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// let bag = ayutil::Bag::<String>::new();
    /// let putter = bag.putter();
    /// drop(bag);
    /// let closed = putter.put(String::from("report")).unwrap_err();
    /// // The value comes back whole, e.g. to hand it to a fallback.
    /// let report: String = closed.into_inner();
    /// assert_eq!(report, "report");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for BagClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BagClosed(..)")
    }
}

impl<T> fmt::Display for BagClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the bag's stream was dropped")
    }
}

impl<T> Error for BagClosed<T> {}

/// The output of a task spawned into a [`Group`](crate::Group), [`Pool`](crate::Pool) or
/// [`TaskSet`](crate::TaskSet): `()` for a task that cannot fail, or `Result<(), E>`.
///
/// `()` is only accepted by a group whose error type is [`Infallible`], so that
/// `Group::new()` needs no type annotation when no task can fail; in a group with a real
/// error type, an infallible task ends with `Ok(())`.
///
/// A block that can only panic (`async { panic!() }`) has the never type `!` as its
/// output in edition 2024, which stable Rust cannot name in a trait impl; give it a `()`
/// path (`async { if cond { panic!() } }`) or an explicit `Ok::<(), E>(())` after it.
///
/// # Examples
///
/// ```
/// use ayutil::Group;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let infallible = Group::new(); // Group<Infallible>, inferred from the `()` task
/// infallible.spawn(async {});
/// assert!(infallible.join().await.is_ok());
///
/// let fallible = Group::new(); // Group<std::io::Error>, inferred from the task
/// fallible.spawn(async { Err(std::io::Error::other("no")) });
/// assert!(fallible.join().await.is_err());
/// # }
/// ```
pub trait TaskResult<E> {
    /// Converts the output into `Ok(())` or the task's error.
    ///
    /// # Errors
    ///
    /// The task's own error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use ayutil::TaskResult;
    ///
    /// assert_eq!(TaskResult::<Infallible>::into_task_result(()), Ok(()));
    /// assert_eq!(Err::<(), _>("no").into_task_result(), Err("no"));
    /// ```
    fn into_task_result(self) -> Result<(), E>;
}

impl TaskResult<Infallible> for () {
    fn into_task_result(self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl<E> TaskResult<E> for Result<(), E> {
    fn into_task_result(self) -> Result<(), E> {
        self
    }
}

/// The output of a task spawned into a [`Bag`](crate::Bag) or
/// [`OrderedBag`](crate::OrderedBag): `Some(value)` to yield a value, `None` or `()` to
/// yield nothing, or `Result<Option<T>, E>` for a task that can fail.
///
/// The unwrapped forms are only accepted by a bag whose error type is [`Infallible`], so
/// `Bag::new()` needs no type annotation when no task can fail. A fallible task that only
/// puts values ends with `Ok(None)`; there is deliberately no `Result<(), E>` form, so
/// that a bare `Err(e)` never leaves the value type ambiguous.
///
/// # Examples
///
/// ```
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let bag = ayutil::OrderedBag::new();
/// bag.spawn(async { Some(1) });
/// bag.spawn(async { None }); // keeps its slot, yields nothing
/// bag.spawn(async { Some(3) });
/// let out: Vec<_> = bag.into_stream().map(Result::unwrap).collect().await;
/// assert_eq!(out, [1, 3]);
/// # }
/// ```
pub trait BagResult<T, E> {
    /// Converts the output into the value to yield, if any, or the task's error.
    ///
    /// # Errors
    ///
    /// The task's own error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use ayutil::BagResult;
    ///
    /// assert_eq!(BagResult::<_, Infallible>::into_bag_result(Some(1)), Ok(Some(1)));
    /// assert_eq!(BagResult::<u8, Infallible>::into_bag_result(()), Ok(None));
    /// let failed: Result<Option<u8>, &str> = Err("no");
    /// assert_eq!(failed.into_bag_result(), Err("no"));
    /// ```
    fn into_bag_result(self) -> Result<Option<T>, E>;
}

impl<T> BagResult<T, Infallible> for Option<T> {
    fn into_bag_result(self) -> Result<Option<T>, Infallible> {
        Ok(self)
    }
}

impl<T> BagResult<T, Infallible> for () {
    fn into_bag_result(self) -> Result<Option<T>, Infallible> {
        Ok(None)
    }
}

impl<T, E> BagResult<T, E> for Result<Option<T>, E> {
    fn into_bag_result(self) -> Result<Option<T>, E> {
        self
    }
}
