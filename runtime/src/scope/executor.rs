//! [`Executor`]: named places where [`Scope::aside_in`](crate::Scope::aside_in) runs
//! blocking work, registered once per process with [`register_executor`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::rt::lock;
use crate::rt::spawn;
use crate::scope::error::ExecutorError;

/// A unit of blocking work handed to an [`Executor`].
///
/// # Examples
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// let job: ayutil::ExecutorJob = Box::new(move || tx.send(6 * 7).unwrap());
/// // A job is `Send`: any thread may run it, once.
/// std::thread::spawn(job).join().unwrap();
/// assert_eq!(rx.recv(), Ok(42));
/// ```
pub type ExecutorJob = Box<dyn FnOnce() + Send + 'static>;

/// Something that runs blocking jobs: a thread pool, a dedicated runtime, a thread per
/// job. Implemented for `tokio::runtime::Handle` (the job runs on that runtime's blocking
/// pool) and for any `Fn(ExecutorJob)` closure.
///
/// An executor must eventually run or drop every job: a scope waits for the jobs of its
/// `aside_in` calls, and a job that is dropped unrun reports itself as cancelled.
///
/// # Examples
///
/// An executor of one's own: a named thread per job, counting the jobs.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use ayutil::{Executor, ExecutorJob};
///
/// struct NamedThreads(Arc<AtomicUsize>);
///
/// impl Executor for NamedThreads {
///     fn execute(&self, job: ExecutorJob) {
///         self.0.fetch_add(1, Ordering::SeqCst);
///         std::thread::Builder::new().name("doc-worker".into()).spawn(job).unwrap();
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let jobs = Arc::new(AtomicUsize::new(0));
/// ayutil::register_executor("doc-named-threads", NamedThreads(Arc::clone(&jobs)))?;
/// let out = ayutil::scope(|s| async move {
///     s.aside_in("doc-named-threads", || std::thread::current().name().map(str::to_owned))
/// })
/// .await?;
/// assert_eq!(out.results()[0].completed(), Some(&Some("doc-worker".to_owned())));
/// assert_eq!(jobs.load(Ordering::SeqCst), 1);
/// # Ok(())
/// # }
/// ```
pub trait Executor: Send + Sync + 'static {
    /// Runs `job`, now or later, on some thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{Executor, ExecutorJob};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// // A closure executor: runs each job right away, on the caller's thread.
    /// let inline = |job: ExecutorJob| job();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// inline.execute(Box::new(move || tx.send("ran inline").unwrap()));
    /// assert_eq!(rx.try_recv(), Ok("ran inline"));
    ///
    /// // A runtime handle: runs each job on that runtime's blocking pool.
    /// let (tx, rx) = tokio::sync::oneshot::channel();
    /// tokio::runtime::Handle::current().execute(Box::new(move || tx.send(42).unwrap()));
    /// assert_eq!(rx.await, Ok(42));
    /// # }
    /// ```
    fn execute(&self, job: ExecutorJob);
}

impl Executor for tokio::runtime::Handle {
    fn execute(&self, job: ExecutorJob) {
        drop(spawn::spawn_blocking_on(self, job));
    }
}

impl<F> Executor for F
where
    F: Fn(ExecutorJob) + Send + Sync + 'static,
{
    fn execute(&self, job: ExecutorJob) {
        self(job);
    }
}

type Registry = Mutex<HashMap<String, Arc<dyn Executor>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::default)
}

/// Registers `executor` under `name` for the whole process, for
/// [`Scope::aside_in`](crate::Scope::aside_in).
///
/// # Errors
///
/// [`ExecutorError::Duplicate`] if the name is taken; the first executor stays.
///
/// # Examples
///
/// ```
/// let first = ayutil::register_executor("doc-notifications", |job: ayutil::ExecutorJob| {
///     std::thread::spawn(job);
/// });
/// assert!(first.is_ok());
/// let again = ayutil::register_executor("doc-notifications", |job: ayutil::ExecutorJob| job());
/// assert_eq!(again, Err(ayutil::ExecutorError::Duplicate("doc-notifications".into())));
/// ```
pub fn register_executor(
    name: impl Into<String>,
    executor: impl Executor,
) -> Result<(), ExecutorError> {
    let name = name.into();
    let mut map = lock::lock(registry());
    if map.contains_key(&name) {
        return Err(ExecutorError::Duplicate(name));
    }
    map.insert(name, Arc::new(executor));
    Ok(())
}

pub(crate) fn lookup(name: &str) -> Result<Arc<dyn Executor>, ExecutorError> {
    lock::lock(registry())
        .get(name)
        .cloned()
        .ok_or_else(|| ExecutorError::Unknown(name.to_owned()))
}
