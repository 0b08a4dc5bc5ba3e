//! What `#[cached]` expands to. Not public API: no semver guarantees.

use std::any::Any;
use std::future::Future;
use std::hash::Hash;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use futures_util::FutureExt as _;

pub use super::fn_cache::FnCache;
pub use super::task::CachedTask;

use super::flight::{Outcome, panic_message};
use super::fn_cache::{Lookup, Ticket};

/// The static behind one cached function's `FnCache`. It is not generic, so it can be
/// declared inside an associated function whose key type mentions `Self`.
///
/// In a generic `impl`, one static serves every instantiation: each distinct key/value
/// type pair gets its own cache. The first pair takes the lock-free fast path; later
/// pairs are found in a short list under a lock (one entry per instantiation in use).
/// Since `self` is part of the key unless `key = ...` says otherwise, each `impl<T>`
/// instantiation has its own cache; with a `key` that does not mention `T` and a value
/// type that does not either, instantiations share one cache, as their keys say.
#[derive(Debug)]
pub struct Slot {
    first: OnceLock<&'static (dyn Any + Send + Sync)>,
    others: Mutex<Vec<&'static (dyn Any + Send + Sync)>>,
}

impl Slot {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self {
            first: OnceLock::new(),
            others: Mutex::new(Vec::new()),
        }
    }

    /// The function's cache for these key and value types, built on first use.
    pub fn get_or_init<K, V>(
        &'static self,
        max: Option<usize>,
        ttl: Option<Duration>,
        store_if: fn(&V) -> bool,
    ) -> &'static FnCache<K, V>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        let build = || -> &'static (dyn Any + Send + Sync) {
            let cache = FnCache::<K, V>::new(max.and_then(NonZeroUsize::new), ttl, store_if);
            Box::leak(Box::new(cache))
        };
        let first: &'static (dyn Any + Send + Sync) = *self.first.get_or_init(build);
        if let Some(cache) = (first as &dyn Any).downcast_ref::<FnCache<K, V>>() {
            return cache;
        }
        // Another instantiation of a generic `impl`. No user code runs under this lock,
        // so a poisoned lock still holds a sound list.
        let mut others = self.others.lock().unwrap_or_else(PoisonError::into_inner);
        let found = others
            .iter()
            .find_map(|any| (*any as &dyn Any).downcast_ref::<FnCache<K, V>>());
        if let Some(cache) = found {
            return cache;
        }
        let any = build();
        others.push(any);
        (any as &dyn Any)
            .downcast_ref::<FnCache<K, V>>()
            .expect("the cache just built has these types")
    }
}

/// An owned copy of a `&T` argument of a cached `async fn`, made on a miss.
pub fn to_owned_arg<T: ?Sized + ToOwned>(value: &T) -> T::Owned {
    value.to_owned()
}

/// The `&T` the body of a cached `async fn` sees, borrowed from the owned copy.
pub fn borrow_arg<T: ?Sized + ToOwned>(owned: &T::Owned) -> &T {
    std::borrow::Borrow::borrow(owned)
}

/// `store_if` for functions whose value is always stored.
pub fn store_always<V>(_: &V) -> bool {
    true
}

/// `store_if` for `Result`-returning functions without `cache_errors`.
pub fn store_ok<T, E>(value: &::core::result::Result<T, E>) -> bool {
    value.is_ok()
}

/// A type the macro puts into a cache key; the key type is spelled
/// `<T as KeyPart>::Part` so that a type failing the bound yields one error, on `T`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a `#[cached]` key",
    label = "this type must be `Hash + Eq + Clone + Send + Sync + 'static`",
    note = "choose the key yourself with `#[cached(key: Type = expression)]`"
)]
pub trait KeyPart {
    type Part: Hash + Eq + Clone + Send + Sync + 'static;
}
impl<T: Hash + Eq + Clone + Send + Sync + 'static> KeyPart for T {
    type Part = T;
}

/// A type a cached function may return, spelled `<T as CachedValue>::Value` like
/// [`KeyPart`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a `#[cached]` function",
    label = "the return type must be `Clone + Send + Sync + 'static`: every caller gets a clone",
    note = "wrap the value in an `Arc` to share it without `Clone`"
)]
pub trait CachedValue {
    type Value: Clone + Send + Sync + 'static;
}
impl<T: Clone + Send + Sync + 'static> CachedValue for T {
    type Value = T;
}

/// Runs `future` to completion and ends the ticket's flight with its value or panic.
async fn drive<K, V, Fut>(ticket: Ticket<K, V>, future: Fut)
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    Fut: Future<Output = V>,
{
    let outcome = match AssertUnwindSafe(future).catch_unwind().await {
        Ok(value) => Outcome::Value(value),
        Err(payload) => Outcome::Panicked(panic_message(&*payload)),
    };
    ticket.finish(outcome);
}

/// The body of a cached `async fn`: a stored value is returned without suspending; else
/// the call joins the running computation of its key, or starts one with `make()`.
pub async fn run_async<K, V, F, Fut>(cache: &'static FnCache<K, V>, key: K, make: F) -> V
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V> + Send + 'static,
{
    match cache.lookup(key) {
        Lookup::Hit(value) => value,
        Lookup::Join(flight) => flight.wait().await.into_value(),
        Lookup::Lead(ticket) => {
            // The body is polled by the waiters themselves and moves to a spawned task as
            // soon as one of them is dropped (see `flight.rs`): no task per miss.
            let flight = ticket.flight();
            flight.set_body(Box::pin(drive(ticket, make())));
            flight.wait().await.into_value()
        }
    }
}

/// [`run_async`] for `local` functions: the computation is spawned with
/// `tokio::task::spawn_local`, so it need not be `Send` (the caller must run inside a
/// `LocalSet`).
pub async fn run_local<K, V, F, Fut>(cache: &'static FnCache<K, V>, key: K, make: F) -> V
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V> + 'static,
{
    match cache.lookup(key) {
        Lookup::Hit(value) => value,
        Lookup::Join(flight) => flight.wait().await.into_value(),
        Lookup::Lead(ticket) => {
            let flight = ticket.flight();
            drop(tokio::task::spawn_local(drive(ticket, make())));
            flight.wait().await.into_value()
        }
    }
}

/// The body of a `#[cached(task)]` function: returns at once with a handle to the
/// stored value or to the (possibly just spawned) computation.
#[track_caller]
pub fn run_task<K, V, F, Fut>(cache: &'static FnCache<K, V>, key: K, make: F) -> CachedTask<V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V> + Send + 'static,
{
    match cache.lookup(key) {
        Lookup::Hit(value) => CachedTask::ready(value),
        Lookup::Join(flight) => CachedTask::running(flight),
        Lookup::Lead(ticket) => {
            let flight = ticket.flight();
            drop(tokio::spawn(drive(ticket, make())));
            CachedTask::running(flight)
        }
    }
}

/// [`run_task`] with `spawn_local`.
#[track_caller]
pub fn run_task_local<K, V, F, Fut>(cache: &'static FnCache<K, V>, key: K, make: F) -> CachedTask<V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V> + 'static,
{
    match cache.lookup(key) {
        Lookup::Hit(value) => CachedTask::ready(value),
        Lookup::Join(flight) => CachedTask::running(flight),
        Lookup::Lead(ticket) => {
            let flight = ticket.flight();
            drop(tokio::task::spawn_local(drive(ticket, make())));
            CachedTask::running(flight)
        }
    }
}

/// The body of a cached plain `fn`: the first caller of a key runs `body` on its own
/// thread; concurrent callers of that key block until it ends.
pub fn run_sync<K, V, F>(cache: &'static FnCache<K, V>, key: K, body: F) -> V
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: FnOnce() -> V,
{
    match cache.lookup(key) {
        Lookup::Hit(value) => value,
        Lookup::Join(flight) => flight.wait_blocking().into_value(),
        Lookup::Lead(ticket) => match catch_unwind(AssertUnwindSafe(body)) {
            Ok(value) => {
                ticket.finish(Outcome::Value(value.clone()));
                value
            }
            Err(payload) => {
                ticket.finish(Outcome::Panicked(panic_message(&*payload)));
                resume_unwind(payload)
            }
        },
    }
}
