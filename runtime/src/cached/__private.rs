//! What `#[cached]` expands to. Not public API: no semver guarantees.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::hash::Hash;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::FutureExt as _;

pub use super::fn_cache::FnCache;
pub use super::shared_error::{FromSharedError, SharedError};
pub use super::task::CachedTask;

use crate::rt::inherit::handed;
use crate::rt::{lock, spawn};
use super::flight::{Outcome, Wait};
use super::fn_cache::{Lookup, Ticket};
use crate::Panicked;

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
    ///
    /// Only what a `static` needs is asked of `K` and `V` here: `Hash`, `Eq` and `Clone`
    /// are checked once, by the function's call of `run_*`, on the user's types.
    pub fn get_or_init<K, V>(
        &'static self,
        max: Option<usize>,
        ttl: Option<Duration>,
        store_if: fn(&V) -> bool,
    ) -> &'static FnCache<K, V>
    where
        K: Storable,
        V: Storable,
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
        let mut others = lock::lock(&self.others);
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

/// What a `static` cache can hold: keys and values that can be sent between threads.
/// Checked by the generated handle; `run_*` asks for more (with more precise messages).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a `#[cached]` function's cache",
    label = "the cache is shared by every thread: its keys and values must be `Send`"
)]
pub trait Storable: Send + 'static {}

#[diagnostic::do_not_recommend]
impl<T: Send + 'static> Storable for T {}

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

/// The kind of key built from the function's arguments: a tuple of them.
#[derive(Debug, Clone, Copy)]
pub struct ArgsKey;

/// The kind of key given by `key: Type = expression`.
#[derive(Debug, Clone, Copy)]
pub struct CustomKey;

/// The kind of value stored as it is returned.
#[derive(Debug, Clone, Copy)]
pub struct PlainValue;

/// The kind of value of a function returning `Result`: the error is shared.
#[derive(Debug, Clone, Copy)]
pub struct FallibleValue;

/// One part of a cache key. Its blanket impl is not recommended in diagnostics, so a type
/// that fails any of the bounds gets this trait's message, once, on the argument.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be part of a `#[cached]` key",
    label = "this type must be `Hash + Eq + Clone + Send + Sync + 'static`",
    note = "derive `Clone, PartialEq, Eq, Hash` for it, or choose the key yourself with `#[cached(key: Type = expression)]`",
    note = "in a method, `self` is part of the key unless `key: Type = expression` leaves it out"
)]
pub trait KeyPart: Hash + Eq + Clone + Send + Sync + 'static {}

#[diagnostic::do_not_recommend]
impl<T: Hash + Eq + Clone + Send + Sync + 'static> KeyPart for T {}

/// A whole cache key of kind `Kind`: a tuple of [`KeyPart`]s ([`ArgsKey`]) or the type
/// given with `key` ([`CustomKey`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the key of a `#[cached]` function",
    label = "this type must be `Hash + Eq + Clone + Send + Sync + 'static`",
    note = "derive `Clone, PartialEq, Eq, Hash` for it, or choose another key type"
)]
pub trait CacheKey<Kind>: Hash + Eq + Clone + Send + Sync + 'static {}

impl<T: KeyPart> CacheKey<CustomKey> for T {}

macro_rules! tuple_keys {
    ($($part:ident)*) => {
        impl<$($part: KeyPart,)*> CacheKey<ArgsKey> for ($($part,)*) {}
    };
}
tuple_keys!();
tuple_keys!(A);
tuple_keys!(A B);
tuple_keys!(A B C);
tuple_keys!(A B C D);
tuple_keys!(A B C D E);
tuple_keys!(A B C D E F);
tuple_keys!(A B C D E F G);
tuple_keys!(A B C D E F G H);
tuple_keys!(A B C D E F G H I);
tuple_keys!(A B C D E F G H I J);
tuple_keys!(A B C D E F G H I J K);
tuple_keys!(A B C D E F G H I J K L);

/// A value a cached function returns (or the `Ok` value of its `Result`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a `#[cached]` function",
    label = "this type must be `Clone + Send + Sync + 'static`: every caller gets a clone",
    note = "wrap the value in an `Arc` to share it without `Clone`"
)]
pub trait ValuePart: Clone + Send + Sync + 'static {}

#[diagnostic::do_not_recommend]
impl<T: Clone + Send + Sync + 'static> ValuePart for T {}

/// The error type of a cached function returning `Result`.
#[diagnostic::on_unimplemented(
    message = "the error type `{Self}` of a `#[cached]` function must be `Send + Sync + 'static`",
    label = "every caller of a failed computation gets this error, maybe on another thread",
    note = "return an error type without `Rc`, `RefCell` or borrowed data, such as `anyhow::Error` or your own error enum"
)]
pub trait ErrorPart: Send + Sync + 'static {}

#[diagnostic::do_not_recommend]
impl<E: Send + Sync + 'static> ErrorPart for E {}

/// What the cache stores for a function, of kind `Kind`: the value itself
/// ([`PlainValue`]) or a `Result` whose error is shared ([`FallibleValue`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned by a `#[cached]` function",
    label = "this type must be `Clone + Send + Sync + 'static`: every caller gets a clone",
    note = "wrap the value in an `Arc` to share it without `Clone`"
)]
pub trait CacheValue<Kind>: Clone + Send + Sync + 'static {}

impl<T: ValuePart> CacheValue<PlainValue> for T {}

impl<T: ValuePart, E: ErrorPart> CacheValue<FallibleValue> for Result<T, SharedError<E>> {}

/// A return type spelled `Result<..>`: its stored form shares the error.
#[diagnostic::on_unimplemented(
    message = "`#[cached]` takes a return type named `Result` to be `core::result::Result`, not `{Self}`",
    label = "rename this type, or return `core::result::Result<T, E>`"
)]
pub trait Fallible {
    /// `Result<T, SharedError<E>>`.
    type Stored;

    /// The error, if any, moves into a [`SharedError`].
    fn into_stored(self) -> Self::Stored;
}

impl<T, E> Fallible for Result<T, E> {
    type Stored = Result<T, SharedError<E>>;

    #[inline]
    fn into_stored(self) -> Self::Stored {
        self.map_err(SharedError::new)
    }
}

/// The body of a plain `fn` returning `Result`, turned into one returning its stored form.
#[inline]
pub fn stored_by<R: Fallible>(body: impl FnOnce() -> R) -> impl FnOnce() -> R::Stored {
    move || body().into_stored()
}

/// The error of a failed computation, about to become one caller's error: by `Clone`
/// when the error type has it ([`RebuildByClone`], preferred by method resolution), else
/// by [`FromSharedError`] ([`RebuildByShare`], one auto-reference further).
#[derive(Debug)]
pub struct Rebuild<E>(pub SharedError<E>);

/// See [`Rebuild`].
pub trait RebuildByClone<E> {
    /// A clone of the shared error.
    fn __ayutil_rebuild(&self) -> E;
}

impl<E: Clone> RebuildByClone<E> for Rebuild<E> {
    #[inline]
    fn __ayutil_rebuild(&self) -> E {
        E::clone(self.0.get())
    }
}

/// See [`Rebuild`].
pub trait RebuildByShare<E> {
    /// An error built around the shared one.
    fn __ayutil_rebuild(&self) -> E
    where
        E: FromSharedError;
}

impl<E> RebuildByShare<E> for &Rebuild<E> {
    #[inline]
    fn __ayutil_rebuild(&self) -> E
    where
        E: FromSharedError,
    {
        E::from_shared(self.0.clone())
    }
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
        Err(payload) => Outcome::Panicked(Arc::new(Panicked::new(payload))),
    };
    ticket.finish(outcome);
}

/// What the body of a cached `async fn` awaits: the stored value, or the outcome of the
/// computation of its key.
///
/// Its `Future` impl asks of `V` what [`run_async`] asked already, with the same
/// diagnostic, so a type that cannot be cached is reported once; the key's type does not
/// appear here at all.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Running<V, VK> {
    state: RunningState<V>,
    kind: PhantomData<fn() -> VK>,
}

enum RunningState<V> {
    Ready(Option<V>),
    Waiting(Wait<V>),
}

impl<V, VK> std::fmt::Debug for Running<V, VK> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            RunningState::Ready(_) => "ready",
            RunningState::Waiting(_) => "waiting",
        };
        f.debug_struct("Running").field("state", &state).finish()
    }
}

impl<V, VK> Running<V, VK> {
    fn ready(value: V) -> Self {
        Self {
            state: RunningState::Ready(Some(value)),
            kind: PhantomData,
        }
    }

    fn waiting(wait: Wait<V>) -> Self {
        Self {
            state: RunningState::Waiting(wait),
            kind: PhantomData,
        }
    }
}

// The value is only ever moved out, never pinned.
impl<V, VK> Unpin for Running<V, VK> {}

impl<V: CacheValue<VK>, VK> Future for Running<V, VK> {
    type Output = V;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<V> {
        match &mut self.get_mut().state {
            RunningState::Ready(value) => {
                Poll::Ready(value.take().expect("`Running` polled after completion"))
            }
            RunningState::Waiting(wait) => Pin::new(wait).poll(cx).map(Outcome::into_value),
        }
    }
}

/// The body of a cached `async fn`, called at the first poll of the function's future: a
/// stored value is returned without suspending; else the call joins the running
/// computation of its key, or starts one with `make()`.
pub fn run_async<KK, VK, K, V, C, F, Fut>(
    _: KK,
    _: VK,
    cache: C,
    key: K,
    make: F,
) -> Running<V, VK>
where
    K: CacheKey<KK>,
    V: CacheValue<VK>,
    C: FnOnce() -> &'static FnCache<K, V>,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V> + Send + 'static,
{
    waiting_or_lead(cache().lookup(key), |ticket| {
        // The body is polled by the waiters themselves and moves to a spawned task as
        // soon as one of them is dropped (see `flight.rs`): no task per miss.
        ticket.flight().set_body(Box::pin(handed(drive(ticket, make()))));
    })
}

/// What a cached `async fn` awaits after its lookup; `lead` starts the computation when
/// the call is the first for its key.
fn waiting_or_lead<K, V, VK>(lookup: Lookup<K, V>, lead: impl FnOnce(Ticket<K, V>)) -> Running<V, VK>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    match lookup {
        Lookup::Hit(value) => Running::ready(value),
        Lookup::Join(flight) => Running::waiting(flight.wait()),
        Lookup::Lead(ticket) => {
            let flight = ticket.flight();
            lead(ticket);
            Running::waiting(flight.wait())
        }
    }
}

/// [`run_async`] for `local` functions: the computation is spawned with
/// `tokio::task::spawn_local`, so it need not be `Send` (the caller must run inside a
/// `LocalSet`).
pub fn run_local<KK, VK, K, V, C, F, Fut>(
    _: KK,
    _: VK,
    cache: C,
    key: K,
    make: F,
) -> Running<V, VK>
where
    K: CacheKey<KK>,
    V: CacheValue<VK>,
    C: FnOnce() -> &'static FnCache<K, V>,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V> + 'static,
{
    waiting_or_lead(cache().lookup(key), |ticket| {
        drop(spawn::spawn_local(handed(drive(ticket, make()))));
    })
}

/// The body of a `#[cached(task)]` function: returns at once with a handle to the
/// stored value or to the (possibly just spawned) computation.
#[track_caller]
pub fn run_task<KK, VK, K, V, C, F, Fut>(
    _: KK,
    _: VK,
    cache: C,
    key: K,
    make: F,
) -> CachedTask<V>
where
    K: CacheKey<KK>,
    V: CacheValue<VK>,
    C: FnOnce() -> &'static FnCache<K, V>,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V> + Send + 'static,
{
    match cache().lookup(key) {
        Lookup::Hit(value) => CachedTask::ready(value),
        Lookup::Join(flight) => CachedTask::running(flight),
        Lookup::Lead(ticket) => {
            let flight = ticket.flight();
            drop(spawn::spawn(handed(drive(ticket, make()))));
            CachedTask::running(flight)
        }
    }
}

/// [`run_task`] with `spawn_local`.
#[track_caller]
pub fn run_task_local<KK, VK, K, V, C, F, Fut>(
    _: KK,
    _: VK,
    cache: C,
    key: K,
    make: F,
) -> CachedTask<V>
where
    K: CacheKey<KK>,
    V: CacheValue<VK>,
    C: FnOnce() -> &'static FnCache<K, V>,
    F: FnOnce() -> Fut,
    Fut: Future<Output = V> + 'static,
{
    match cache().lookup(key) {
        Lookup::Hit(value) => CachedTask::ready(value),
        Lookup::Join(flight) => CachedTask::running(flight),
        Lookup::Lead(ticket) => {
            let flight = ticket.flight();
            drop(spawn::spawn_local(handed(drive(ticket, make()))));
            CachedTask::running(flight)
        }
    }
}

/// The body of a cached plain `fn`: the first caller of a key runs `body` on its own
/// thread; concurrent callers of that key block until it ends.
pub fn run_sync<KK, VK, K, V, C, F>(_: KK, _: VK, cache: C, key: K, body: F) -> V
where
    K: CacheKey<KK>,
    V: CacheValue<VK>,
    C: FnOnce() -> &'static FnCache<K, V>,
    F: FnOnce() -> V,
{
    match cache().lookup(key) {
        Lookup::Hit(value) => value,
        Lookup::Join(flight) => flight.wait_blocking().into_value(),
        Lookup::Lead(ticket) => match catch_unwind(AssertUnwindSafe(body)) {
            Ok(value) => {
                ticket.finish(Outcome::Value(value.clone()));
                value
            }
            Err(payload) => {
                // The leader resumes the original payload; the joiners share a copy.
                let panicked = Panicked::new(payload);
                ticket.finish(Outcome::Panicked(Arc::new(panicked.copy())));
                panicked.resume()
            }
        },
    }
}
