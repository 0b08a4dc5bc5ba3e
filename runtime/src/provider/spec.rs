//! [`ProviderSpec`]: a swappable value that provides fresh clones or a shared `Arc`.

use core::fmt;
use core::future::{Ready, ready};
use core::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use crate::rt::lock;
use super::from_fn::{AsyncFnProvider, FnProvider};
use super::provide::{Provide, ProvideAsync};

/// How a [`ProviderSpec`] hands out its value: [`FreshClone`] or [`SharedArc`].
///
/// Sealed: the two modes below are the only ones. It appears in generic code over both
/// modes.
///
/// # Examples
///
/// ```
/// use ayutil::{ProviderMode, ProviderSpec, SharedArc};
///
/// fn reset<T, M: ProviderMode>(spec: &ProviderSpec<T, M>, value: T) {
///     spec.new_instance(value);
/// }
///
/// let spec: ProviderSpec<u8, SharedArc> = ProviderSpec::shared(1);
/// reset(&spec, 2);
/// assert_eq!(*spec.current(), 2);
/// ```
pub trait ProviderMode: sealed::Sealed + 'static {}

/// Mode of [`ProviderSpec::new`]: every call gets its own clone of the value.
///
/// Mutating the clone in one call is not seen by the next call, nor by the spec.
///
/// # Examples
///
/// ```
/// use ayutil::{FreshClone, Provide, ProviderSpec};
///
/// let spec: ProviderSpec<String, FreshClone> = ProviderSpec::new("a".to_owned());
/// let mut s: String = spec.provide();
/// s.push('b');
/// assert_eq!(spec.provide(), "a");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FreshClone;

/// Mode of [`ProviderSpec::shared`]: every call gets the same `Arc<T>`.
///
/// Interior mutability in `T` (a `Mutex`, atomics) is seen by every later call, until
/// [`ProviderSpec::new_instance`] replaces the value.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use ayutil::{Provide, ProviderSpec, SharedArc};
///
/// let spec: ProviderSpec<u8, SharedArc> = ProviderSpec::shared(7);
/// let a: Arc<u8> = spec.provide();
/// let b: Arc<u8> = spec.provide();
/// assert!(Arc::ptr_eq(&a, &b));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SharedArc;

impl ProviderMode for FreshClone {}
impl ProviderMode for SharedArc {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::FreshClone {}
    impl Sealed for super::SharedArc {}
}

/// A provider holding one value of `T`, replaceable at run time by
/// [`new_instance`](ProviderSpec::new_instance).
///
/// The mode `M` fixes what each call receives:
///
/// | constructor | type | each call gets |
/// | --- | --- | --- |
/// | [`ProviderSpec::new(v)`](ProviderSpec::new) | `ProviderSpec<T>` (= `ProviderSpec<T, FreshClone>`) | a clone of `v`: `T` |
/// | [`ProviderSpec::shared(v)`](ProviderSpec::shared) | `ProviderSpec<T, SharedArc>` | the same `Arc<T>` |
/// | [`ProviderSpec::lazy(f)`](ProviderSpec::lazy) (`const`) | either, from the annotation | as above, `f()` built at first use |
///
/// [`ProviderSpec::from_fn`] and [`ProviderSpec::from_async_fn`] build function-backed
/// providers ([`FnProvider`], [`AsyncFnProvider`]) that call their function each time.
///
/// A provider is meant to be shared: put it in a `static` (with the `const`
/// [`lazy`](ProviderSpec::lazy) constructor, or inside a [`LazyLock`](std::sync::LazyLock))
/// and name it in `#[provider(..., from = NAME)]`. [`new_instance`](ProviderSpec::new_instance)
/// then changes the value for every function decorated with it, from any thread;
/// [`with_override`](ProviderSpec::with_override) changes it for one future only (a test
/// double that tests running in parallel do not see).
///
/// Each call takes a read lock (readers never wait for each other): in [`SharedArc`] mode
/// just long enough to clone the inner `Arc`, in [`FreshClone`] mode for the clone of `T`.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use ayutil::{provider, ProviderSpec};
///
/// fn defaults() -> BTreeMap<u32, &'static str> {
///     BTreeMap::from([(1, "h"), (2, "l")])
/// }
///
/// static DICT: ProviderSpec<BTreeMap<u32, &'static str>> = ProviderSpec::lazy(defaults);
///
/// #[provider(dict, from = DICT)]
/// fn set(key: u32, value: &'static str, mut dict: BTreeMap<u32, &'static str>) -> usize {
///     dict.insert(key, value);
///     dict.len()
/// }
///
/// assert_eq!(set(5, "x"), 3);
/// assert_eq!(set(6, "y"), 3); // a fresh clone each call: the insert of 5 is gone
///
/// DICT.new_instance(BTreeMap::new()); // every later call sees the new value
/// assert_eq!(set(5, "x"), 1);
/// ```
pub struct ProviderSpec<T, M: ProviderMode = FreshClone> {
    /// The current value; empty only for a [`lazy`](ProviderSpec::lazy) spec not used yet.
    slot: OnceLock<RwLock<Arc<T>>>,
    /// Builds the first value of a [`lazy`](ProviderSpec::lazy) spec; `None` when the
    /// constructor filled `slot`.
    init: Option<fn() -> T>,
    /// Task-local overrides alive now, by id (see `task_override.rs`).
    pub(super) overrides: Mutex<Vec<(u64, Arc<T>)>>,
    mode: PhantomData<fn() -> M>,
}

impl<T> ProviderSpec<T, FreshClone> {
    /// A provider that gives each call its own clone of `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{provider, ProviderSpec};
    ///
    /// #[provider(list, from = ProviderSpec::new(vec![1]))]
    /// fn push(item: i32, mut list: Vec<i32>) -> Vec<i32> {
    ///     list.push(item);
    ///     list
    /// }
    ///
    /// assert_eq!(push(2), vec![1, 2]);
    /// ```
    #[must_use]
    pub fn new(value: T) -> Self {
        Self::filled(value)
    }
}

impl<T> ProviderSpec<T, SharedArc> {
    /// A provider that gives each call the same `Arc<T>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, LazyLock, Mutex};
    /// use ayutil::{provider, ProviderSpec, SharedArc};
    ///
    /// static LOG: LazyLock<ProviderSpec<Mutex<Vec<String>>, SharedArc>> =
    ///     LazyLock::new(|| ProviderSpec::shared(Mutex::new(Vec::new())));
    ///
    /// #[provider(log, from = LOG)]
    /// fn record(line: &str, log: Arc<Mutex<Vec<String>>>) -> usize {
    ///     let mut log = log.lock().unwrap();
    ///     log.push(line.to_owned());
    ///     log.len()
    /// }
    ///
    /// assert_eq!(record("a"), 1);
    /// assert_eq!(record("b"), 2); // the same Arc: the first push is still there
    /// ```
    #[must_use]
    pub fn shared(value: T) -> Self {
        Self::filled(value)
    }
}

/// Function-backed providers. They live on `ProviderSpec<()>` only so that
/// `ProviderSpec::from_fn(f)` needs no type annotation; they return their own types.
impl ProviderSpec<(), FreshClone> {
    /// A provider that calls `f` at every call and gives its result.
    ///
    /// A closure is already a provider; `from_fn` names its type ([`FnProvider`]) so a
    /// provider built from a `fn` item or a non-capturing closure can be a `static`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use ayutil::{provider, FnProvider, ProviderSpec};
    ///
    /// static NEXT: AtomicU32 = AtomicU32::new(1);
    /// static IDS: FnProvider<fn() -> u32> =
    ///     ProviderSpec::from_fn(|| NEXT.fetch_add(1, Ordering::Relaxed));
    ///
    /// #[provider(id, from = IDS)]
    /// fn label(name: &str, id: u32) -> String {
    ///     format!("{name}#{id}")
    /// }
    ///
    /// assert_eq!(label("a"), "a#1");
    /// assert_eq!(label("b"), "b#2");
    /// ```
    #[must_use]
    pub const fn from_fn<F, T>(f: F) -> FnProvider<F>
    where
        F: Fn() -> T,
    {
        FnProvider::new(f)
    }

    /// An async provider: calls `f` at every call and awaits the future it returns.
    ///
    /// Only an `async fn` can be decorated with an async provider.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{provider, ProviderSpec};
    ///
    /// async fn load_limit() -> u32 {
    ///     tokio::task::yield_now().await; // stands for a config read
    ///     10
    /// }
    ///
    /// #[provider(limit, from = ProviderSpec::from_async_fn(load_limit))]
    /// async fn clamp(n: u32, limit: u32) -> u32 {
    ///     n.min(limit)
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(clamp(42).await, 10);
    /// # }
    /// ```
    #[must_use]
    pub const fn from_async_fn<F, Fut>(f: F) -> AsyncFnProvider<F>
    where
        F: Fn() -> Fut,
        Fut: Future,
    {
        AsyncFnProvider::new(f)
    }
}

impl<T, M: ProviderMode> ProviderSpec<T, M> {
    /// A provider whose first value is built by `init` at its first use; usable in a
    /// `static`.
    ///
    /// The mode comes from the type: `ProviderSpec<T>` gives fresh clones,
    /// `ProviderSpec<T, SharedArc>` the shared `Arc`. A
    /// [`new_instance`](ProviderSpec::new_instance) before the first use means `init` never
    /// runs.
    ///
    /// # Panics
    ///
    /// A panic in `init` propagates to the call that first used the provider; the next
    /// use runs `init` again.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use ayutil::{Provide, ProviderSpec, SharedArc};
    ///
    /// static NAMES: ProviderSpec<Vec<&str>> = ProviderSpec::lazy(|| vec!["a", "b"]);
    /// static HITS: ProviderSpec<Mutex<u32>, SharedArc> = ProviderSpec::lazy(|| Mutex::new(0));
    ///
    /// let names: Vec<&str> = NAMES.provide();
    /// assert_eq!(names, ["a", "b"]);
    /// let hits: Arc<Mutex<u32>> = HITS.provide();
    /// *hits.lock().unwrap() += 1;
    /// assert_eq!(*HITS.current().lock().unwrap(), 1);
    /// ```
    #[must_use]
    pub const fn lazy(init: fn() -> T) -> Self {
        Self {
            slot: OnceLock::new(),
            init: Some(init),
            overrides: Mutex::new(Vec::new()),
            mode: PhantomData,
        }
    }

    /// Replaces the value for every later call, of every function decorated with this
    /// provider, on any thread.
    ///
    /// Calls already running keep what they received: a clone, or the previous `Arc` (in
    /// [`SharedArc`] mode the previous value lives on while someone holds it).
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{Provide, ProviderSpec};
    ///
    /// let spec = ProviderSpec::new(1);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| spec.new_instance(2));
    /// });
    /// let now: i32 = spec.provide();
    /// assert_eq!(now, 2);
    /// ```
    pub fn new_instance(&self, value: T) {
        let value = Arc::new(value);
        let mut stored_by_init = false;
        let slot = self.slot.get_or_init(|| {
            stored_by_init = true;
            RwLock::new(Arc::clone(&value))
        });
        if !stored_by_init {
            let mut guard = lock::write(slot);
            let previous = core::mem::replace(&mut *guard, value);
            drop(guard);
            // The old value is dropped outside the lock: a panicking `Drop` cannot
            // poison it, and readers are not held up by the drop.
            drop(previous);
        }
    }

    /// The value later calls will receive, as an `Arc` snapshot.
    ///
    /// # Panics
    ///
    /// Runs the `init` of a [`lazy`](ProviderSpec::lazy) spec on first use; its panic
    /// propagates.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::ProviderSpec;
    ///
    /// let spec = ProviderSpec::new(String::from("v1"));
    /// let before = spec.current();
    /// spec.new_instance(String::from("v2"));
    /// assert_eq!(*before, "v1");
    /// assert_eq!(*spec.current(), "v2");
    /// ```
    #[must_use]
    pub fn current(&self) -> Arc<T> {
        if let Some(value) = self.overridden() {
            return value;
        }
        // A poisoned lock still holds a whole `Arc`: writers only swap it.
        Arc::clone(&lock::read(self.slot()))
    }

    fn filled(value: T) -> Self {
        Self {
            slot: OnceLock::from(RwLock::new(Arc::new(value))),
            init: None,
            overrides: Mutex::new(Vec::new()),
            mode: PhantomData,
        }
    }

    fn slot(&self) -> &RwLock<Arc<T>> {
        self.slot.get_or_init(|| match self.init {
            Some(init) => RwLock::new(Arc::new(init())),
            // `new` and `shared` fill the slot at construction, so only a `lazy` spec
            // (which has `init`) reaches here empty.
            None => unreachable!("a ProviderSpec without `init` is filled at construction"),
        })
    }
}

impl<T: Clone> Provide<T> for ProviderSpec<T, FreshClone> {
    /// A clone of the current value.
    ///
    /// The clone is made under the read lock: readers do not wait for each other, and
    /// skipping the `Arc` clone saves two atomic operations per call. A
    /// [`new_instance`](ProviderSpec::new_instance) waits for clones in progress.
    fn provide(&self) -> T {
        if let Some(value) = self.overridden() {
            return T::clone(&value);
        }
        let guard = lock::read(self.slot());
        T::clone(&guard)
    }
}

impl<T> Provide<Arc<T>> for ProviderSpec<T, SharedArc> {
    /// The current `Arc`.
    fn provide(&self) -> Arc<T> {
        self.current()
    }
}

impl<T: Clone> ProvideAsync<T> for ProviderSpec<T, FreshClone> {
    type Future = Ready<T>;

    /// A clone of the current value, ready at once.
    fn provide_async(&self) -> Ready<T> {
        ready(self.provide())
    }
}

impl<T> ProvideAsync<Arc<T>> for ProviderSpec<T, SharedArc> {
    type Future = Ready<Arc<T>>;

    /// The current `Arc`, ready at once.
    fn provide_async(&self) -> Ready<Arc<T>> {
        ready(self.current())
    }
}

impl<T: fmt::Debug, M: ProviderMode + fmt::Debug + Default> fmt::Debug for ProviderSpec<T, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("ProviderSpec");
        out.field("mode", &M::default());
        match self.slot.get() {
            Some(slot) => out.field("value", &*lock::read(slot)),
            None => out.field("value", &format_args!("<not built yet>")),
        };
        out.finish()
    }
}
