//! Caches: the `#[cached]` attribute and its [`FnCache`], [`CachedTask`], [`LruMap`] and
//! [`TtlLruMap`].

mod flight;
mod fn_cache;
mod lru;
mod shared_error;
mod stats;
mod task;
mod ttl;

#[doc(hidden)]
pub mod __private;

pub use self::fn_cache::FnCache;
pub use self::lru::LruMap;
pub use self::shared_error::{FromSharedError, SharedError};
pub use self::stats::CacheStats;
pub use self::task::CachedTask;
pub use self::ttl::TtlLruMap;

/// Memoizes a function: one computation per key, shared by every concurrent caller.
///
/// Works on `async fn` and plain `fn`, free functions and methods. The return type must be
/// `Clone + Send + Sync + 'static` (every caller gets a clone: wrap large values in an
/// `Arc`), except for the error of a `Result` (see [Errors](#errors) below).
///
/// The macro also generates `<name>_cache()` (`Self::<name>_cache()` for a method), with
/// the same visibility, returning the function's [`FnCache`]: `invalidate(&key)`,
/// `clear()`, `len()`, `peek(&key)` and [`CacheStats`] (hits, joins, misses, evictions,
/// expirations).
///
/// # The key
///
/// By default the key is the tuple of all arguments, in order, each cloned: `(a, b)` for
/// `fn f(a: A, b: B)`, `(x,)` for one argument, `()` for none. Past 12 arguments it nests
/// in tuples of at most 12 (`((a, …, l), (m,))`), since std implements `Hash` for tuples
/// up to 12. In a method, the receiver comes first: `&self` and `self` put a clone of
/// `Self` in the key (`(self, a)`), so `Self` must be `Hash + Eq + Clone` and each value
/// of `Self` has its own entries. To leave `self` (or any argument) out of the key, choose
/// the key yourself: `#[cached(key: u32 = id)]` on `fn get(&self, id: u32)` keys on `id`
/// alone, shared by every `self`. Every part of the key must be
/// `Hash + Eq + Clone + Send + Sync + 'static`; a part that is not is reported on its
/// argument, with this advice.
///
/// # Options
///
/// | option | meaning |
/// |---|---|
/// | `ttl = "10s"` / `ttl = Duration::from_secs(10)` | a stored value lives this long, counted from the completion of its computation; a hit does not extend it. A string with units `d h m s ms us ns`, combinable (`"1m30s"`), checked at compile time, or any `Duration` expression. `"0s"` keeps nothing (concurrent calls still share one computation). A ttl too long for the clock to reach (`Duration::MAX`, `"200000000000000d"`) means values never expire. |
/// | `max = 100` | at most 100 stored values; the least recently *used* goes first (a hit refreshes recency). Nothing is reserved up front, so `max = 18446744073709551615` is simply unbounded. |
/// | `key: Type = expression` | the key, computed from the arguments (borrowed) before the body runs. Needed for `impl Trait` and reference arguments, and to leave `self` out. |
/// | `cache_errors` | also store `Err` values. By default, when the return type is spelled `Result<..>` (any path ending in `Result`, such as `anyhow::Result<T>`), an `Err` goes to every waiter of that computation but is not stored. |
/// | `local` | spawn the computation with `tokio::task::spawn_local`, so the body need not be `Send`; calls must run inside a `LocalSet`. |
/// | `task` | make the `async fn` synchronous, returning a [`CachedTask`]: a cloneable handle to the computation, already running (the seed's `taskcache`). Must be called within a tokio runtime: outside one, a call that starts a computation panics at the caller with the message of [`NoRuntime`](crate::NoRuntime). Its return type must be `Clone` as a whole. |
/// | `crate = ay` / `crate = "ay"` | the path of `ayutil` when the dependency is renamed (the expansion names `::ayutil` otherwise). |
/// | `in_impl` | the function is an associated function in an `impl` block (needed only when it has no `self` receiver and its signature does not mention `Self`): the handle becomes `Self::<name>_cache()`. |
///
/// Durations and `crate` are written the same way in every ayutil attribute
/// ([`provider`](crate::provider), [`run_as_main`](crate::run_as_main)).
///
/// # Errors
///
/// A function returning `Result<T, E>` (spelled with a path ending in `Result`:
/// `Result<T, E>`, `anyhow::Result<T>`, `io::Result<T>`) needs `T: Clone`, not `E`. The
/// error of a failed computation goes to every caller of that computation: a clone when
/// `E: Clone`; otherwise an error rebuilt around the shared original by
/// [`FromSharedError`], which ayutil implements for `anyhow::Error` (feature `anyhow`),
/// `std::io::Error` and `Box<dyn Error + Send + Sync>`, and which you can implement for
/// your own types. A rebuilt error displays like the original, with the same chain of
/// causes (so `{:#}` prints the same text for every caller) and, for `io::Error`, the same
/// kind; it wraps the original, so downcasting it to the original's type fails. `E` must
/// be `Send + Sync + 'static`. The cache stores such values as
/// `Result<T, SharedError<E>>` ([`SharedError`]).
///
/// # With `#[provider]`
///
/// `#[cached]` and [`#[provider]`](crate::provider) compose in either order. The
/// provided parameter is never part of the key: the key is made of the parameters the
/// caller passes, and the provider runs inside the computation, only on a miss. The
/// explicit variant `<name>_with`, which takes the dependency as an argument, is not
/// cached: it always runs the body with the dependency it was given.
///
/// # Behaviour
///
/// - **Single flight.** Concurrent calls with one key run the body once; the others wait
///   for its value. Distinct keys never wait for each other: locks are held only for a
///   map operation, never across the body.
/// - **Hits do not suspend.** A stored value is returned on the first poll, without a
///   reschedule.
/// - **Nobody holds it back or cancels it.** An `async` body is boxed into the computation
///   and polled by its caller while no caller in another task waits for it (no extra task
///   per miss). As soon as one does, or a caller is dropped before the end, the body
///   moves into a spawned tokio task (`tokio::spawn`, hence `Send + 'static`:
///   arguments are moved in, `&self` is cloned on a miss). So a first caller that stalls
///   (alive, but busy elsewhere) does not delay the others, dropping any caller, the first
///   included, never cancels it, and if every caller is dropped it still completes and
///   stores its value for the next call. Outside a tokio runtime, where nothing can be
///   spawned, the waiting callers poll the body in turn with a waker that wakes them all.
///   `task` spawns at once; `local` spawns with `spawn_local`.
/// - **Panics** in the body reach every waiter of that computation as a panic with the
///   same message; nothing is stored and the key is usable again at once. If the task is
///   dropped unfinished (its runtime shut down), the waiters panic instead of hanging.
/// - **Invalidation during a computation**: its waiters still get its value, but the value
///   is not stored; a call after the invalidation starts a new computation.
/// - **Expiry without reads.** With `ttl`, a background task (spawned on the runtime of
///   the call that stored a value) removes values when their time is up, so memory does
///   not grow with dead keys; calls also remove expired values they come across.
/// - A plain `fn` runs its body on the first caller's thread; concurrent callers of that
///   key block until it finishes. A body that calls its own function with the same key
///   waits for itself forever (plain or `async`): use another key.
///
/// # Limits
///
/// One cache per function, stored in a `static`: a generic function is rejected at compile
/// time (write a non-generic wrapper). Methods of a generic `impl` work: each
/// instantiation's key and value types get their own cache (as `self` is in the key by
/// default, each `impl<T>` instantiation is cached apart). Reference arguments need `key: Type = ...`;
/// in an `async fn` they must be plain `&T` (not `&mut`, no reference inside `T`): the
/// computation outlives the call, so on a miss it gets `T::to_owned()` and the body sees a
/// `&T` borrowed from that copy.
///
/// A method of a *trait* `impl` cannot take the attribute: the generated
/// `<name>_cache()` would not be a member of the trait (rustc says "method `<name>_cache`
/// is not a member of trait"). Cache an inherent method and call it from the trait
/// method. The same holds for [`#[provider]`](crate::provider) and its `<name>_with`.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::time::Duration;
///
/// static CALLS: AtomicUsize = AtomicUsize::new(0);
///
/// #[ayutil::cached(ttl = "5m", max = 1000)]
/// async fn price(item: u32) -> Result<u64, String> {
///     CALLS.fetch_add(1, Ordering::Relaxed);
///     tokio::time::sleep(Duration::from_millis(10)).await;
///     if item == 0 { Err("no such item".into()) } else { Ok(u64::from(item) * 100) }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let calls = (0..100).map(|_| price(7));
/// let prices = futures::future::join_all(calls).await;
/// assert!(prices.iter().all(|p| *p == Ok(700)));
/// assert_eq!(CALLS.load(Ordering::Relaxed), 1);
///
/// assert!(price(0).await.is_err()); // errors are not stored...
/// assert!(price(0).await.is_err()); // ...so this runs again
/// assert_eq!(price_cache().stats().misses, 3);
/// # }
/// ```
///
/// A service method whose database comes from a provider, returning `io::Result` (not
/// `Clone`; `anyhow::Result` works the same with the `anyhow` feature):
///
/// ```
/// use std::io;
/// use ayutil::{cached, provider, ProviderSpec};
///
/// #[derive(Clone)]
/// struct Db; // not `Hash`: never part of the key
///
/// impl Db {
///     async fn name_of(&self, id: u32) -> io::Result<String> {
///         if id == 0 {
///             return Err(io::Error::new(io::ErrorKind::NotFound, "no user 0"));
///         }
///         Ok(format!("user {id}"))
///     }
/// }
///
/// static DB: ProviderSpec<Db> = ProviderSpec::lazy(|| Db);
///
/// #[derive(Clone, Hash, PartialEq, Eq)]
/// struct Users;
///
/// impl Users {
///     #[provider(db, from = DB)]
///     #[cached(ttl = "1m")]
///     async fn name(&self, id: u32, db: Db) -> io::Result<String> {
///         db.name_of(id).await
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(Users.name(7).await.unwrap(), "user 7");
/// let err = Users.name(0).await.unwrap_err();
/// assert_eq!((err.kind(), err.to_string().as_str()), (io::ErrorKind::NotFound, "no user 0"));
/// assert!(Users::name_cache().peek(&(Users, 7)).is_some()); // key: (self, id)
/// # }
/// ```
///
/// Without the macro, the first function is roughly:
///
/// ```text
/// async fn price(item: u32) -> Result<u64, String> {
///     let stored = run_async(price_cache, (item.clone(),), move || async move {
///         let value: Result<u64, String> = async move { /* body */ }.await;
///         value.map_err(SharedError::new)
///     }).await;
///     match stored { Ok(v) => Ok(v), Err(shared) => Err(String::clone(shared.get())) }
/// }
/// fn price_cache() -> &'static FnCache<(u32,), Result<u64, SharedError<String>>> {
///     static SLOT: Slot = Slot::new();
///     SLOT.get_or_init(Some(1000), Some(Duration::from_secs(300)), store_ok)
/// }
/// ```
pub use ayutil_macros::cached;
