//! [`Executor`]: named places where [`Scope::aside_in`](crate::Scope::aside_in) runs
//! blocking work, registered once per process with [`register_executor`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::scope::error::ExecutorError;

/// A unit of blocking work handed to an [`Executor`].
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
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), ayutil::ExecutorError> {
/// let pool = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
/// ayutil::register_executor("doc-pool", pool.handle().clone())?;
/// # std::mem::forget(pool);
/// # Ok(())
/// # }
/// ```
pub trait Executor: Send + Sync + 'static {
    /// Runs `job`, now or later, on some thread.
    fn execute(&self, job: ExecutorJob);
}

impl Executor for tokio::runtime::Handle {
    fn execute(&self, job: ExecutorJob) {
        drop(self.spawn_blocking(job));
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
    let mut map = registry().lock().unwrap_or_else(PoisonError::into_inner);
    if map.contains_key(&name) {
        return Err(ExecutorError::Duplicate(name));
    }
    map.insert(name, Arc::new(executor));
    Ok(())
}

pub(crate) fn lookup(name: &str) -> Result<Arc<dyn Executor>, ExecutorError> {
    registry()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(name)
        .cloned()
        .ok_or_else(|| ExecutorError::Unknown(name.to_owned()))
}
