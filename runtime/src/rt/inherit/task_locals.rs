//! The task-locals an eager continuation carries: the registry of
//! [`inherit_task_local`] and [`Inherited`], what a continuation keeps from its caller.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::task::LocalKey;

use super::{Handed, handed};
use crate::rt::lock;

/// Every registered task-local key, in registration order.
static KEYS: RwLock<Vec<&'static dyn Key>> = RwLock::new(Vec::new());
/// Whether `KEYS` holds anything: the hand-over skips the lock when it is empty.
static ANY_KEYS: AtomicBool = AtomicBool::new(false);

/// Makes every future that ayutil continues on another task on your behalf see the value
/// `key` has where the future was handed over.
///
/// tokio's task-locals do not cross [`tokio::spawn`]. When a body started by
/// [`eager`](fn@crate::eager) waits and continues as a task of its own, it keeps (with the
/// `tracing` feature) the span that was current at the call, and the value of every task-local
/// registered here (cloned at the call, and cloned again into each poll of the
/// continuation). Registering a key twice has no further effect; a key that is not set at
/// the call is not set in the continuation either.
///
/// Register the keys once, at start-up: the registry is global and never shrinks.
///
/// # Examples
///
/// ```
/// tokio::task_local! {
///     static REQUEST_ID: u64;
/// }
///
/// async fn log_line() -> String {
///     tokio::task::yield_now().await; // waits once: the rest runs as a task
///     format!("request {}", REQUEST_ID.get())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// ayutil::inherit_task_local(&REQUEST_ID);
/// let line = REQUEST_ID
///     .scope(7, async { ayutil::eager(log_line()).await })
///     .await;
/// assert_eq!(line, "request 7");
/// # }
/// ```
pub fn inherit_task_local<T>(key: &'static LocalKey<T>)
where
    T: Clone + Send + 'static,
{
    let key: &'static dyn Key = key;
    let mut keys = lock::write(&KEYS);
    if !keys.iter().any(|known| same_key(*known, key)) {
        keys.push(key);
        ANY_KEYS.store(true, Ordering::Release);
    }
}

fn same_key(a: &'static dyn Key, b: &'static dyn Key) -> bool {
    core::ptr::addr_eq(a as *const dyn Key, b as *const dyn Key)
}

/// A registered key, with its value type erased.
trait Key: Sync {
    /// The key's value in the running task, if it is set.
    fn capture(&'static self) -> Option<Box<dyn Captured>>;
}

impl<T: Clone + Send + 'static> Key for LocalKey<T> {
    fn capture(&'static self) -> Option<Box<dyn Captured>> {
        let value = self.try_with(T::clone).ok()?;
        Some(Box::new(CapturedValue { key: self, value }))
    }
}

/// One task-local value taken at the hand-over.
trait Captured: Send {
    /// Runs `f` with the value set.
    fn enter(&self, f: &mut dyn FnMut());
}

struct CapturedValue<T: 'static> {
    key: &'static LocalKey<T>,
    value: T,
}

impl<T: Clone + Send + 'static> Captured for CapturedValue<T> {
    fn enter(&self, f: &mut dyn FnMut()) {
        // `sync_scope` takes the value by ownership, so each poll gets its own clone.
        self.key.sync_scope(self.value.clone(), f);
    }
}

/// What a continuation keeps from the place it was handed over: the registered
/// task-locals that are set there (and, through [`handed`], the span).
pub(crate) struct Inherited {
    locals: Vec<Box<dyn Captured>>,
}

impl Inherited {
    /// Takes every registered task-local that is set.
    pub(crate) fn capture() -> Self {
        let locals = if ANY_KEYS.load(Ordering::Acquire) {
            let keys = lock::read(&KEYS);
            keys.iter().filter_map(|key| key.capture()).collect()
        } else {
            Vec::new()
        };
        Self { locals }
    }

    /// `fut`, handed over here ([`handed`]) and polled with the captured task-locals set.
    pub(crate) fn wrap<F: Future>(self, fut: F) -> WithInherited<Handed<F>> {
        WithInherited {
            fut: handed(fut),
            inherited: self,
        }
    }
}

pin_project_lite::pin_project! {
    /// A future polled with the task-locals of the place it was handed over.
    pub(crate) struct WithInherited<F> {
        #[pin]
        fut: F,
        inherited: Inherited,
    }
}

impl<F: Future> Future for WithInherited<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let mut fut = this.fut;
        let mut out = Poll::Pending;
        enter_all(&this.inherited.locals, &mut || out = fut.as_mut().poll(cx));
        out
    }
}

/// Runs `f` with every captured value set, the first registered outermost.
fn enter_all(locals: &[Box<dyn Captured>], f: &mut dyn FnMut()) {
    match locals.split_first() {
        None => f(),
        Some((first, rest)) => first.enter(&mut || enter_all(rest, f)),
    }
}
