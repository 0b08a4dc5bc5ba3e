//! [`provider`]: the attribute macro, documented here where its doctests can run.

/// Fills one parameter of a function from a provider at every call.
///
/// ```text
/// #[provider(name, other_name, ..., from = PROVIDER)]
/// #[provider(name, from = PROVIDER, explicit = fn_name, crate = ::path::to::ayutil)]
/// ```
///
/// The first parameter whose name is in the list is removed from the function's
/// signature; every call fills it from `PROVIDER`, an expression evaluated at each call
/// (usually the path of a `static`). Several names let one list fit functions that call
/// the parameter differently; at least one of them must name a parameter.
///
/// The original function, with every parameter, stays available as `<name>_with` (or the
/// name given by `explicit = ...`): call it to pass the value by hand, the equivalent of
/// the keyword override of the Python original. It has the same visibility, generics and asyncness.
///
/// A provider of `T` is anything implementing [`Provide<T>`](crate::Provide): a closure
/// `Fn() -> T`, a [`ProviderSpec<T>`](crate::ProviderSpec) (a fresh clone per call), a
/// [`ProviderSpec<T, SharedArc>`](crate::ProviderSpec::shared) (gives `Arc<T>`), a
/// [`FnProvider`](crate::FnProvider), or a `LazyLock` of one. On an `async fn`, the
/// provider may also be async ([`ProvideAsync`](crate::ProvideAsync), e.g.
/// [`ProviderSpec::from_async_fn`](crate::ProviderSpec::from_async_fn)); it is awaited at
/// the first poll of the call's future, never before.
///
/// Options:
/// - `from = EXPR` (required): the provider.
/// - `explicit = ident`: the name of the explicit variant (default `<fn name>_with`).
/// - `crate = ay` or `crate = "ay"`: where `ayutil` is, if it is renamed in `Cargo.toml`
///   (written the same way in every ayutil attribute).
///
/// With [`#[cached]`](crate::cached), in either order, the provided parameter is never
/// part of the cache key and the provider runs only on a miss; the explicit variant is
/// not cached (a value cached for one dependency never answers a call that passes
/// another).
///
/// For tests, [`ProviderSpec::with_override`](crate::ProviderSpec::with_override) replaces
/// a spec's value for one future only, so tests running in parallel each keep their own
/// double; [`ProviderSpec::new_instance`](crate::ProviderSpec::new_instance) replaces it for
/// the whole process.
///
/// Both functions carry the body (the provided one binds the parameter with a `let` and
/// then runs the body's statements in place), so `self`, `Self`, generics and `impl Trait` arguments work in
/// free functions and associated functions alike. The cost is that the body is compiled
/// twice; rustc shows each error in it once.
///
/// Methods of inherent `impl` blocks work (`self` in any form); the explicit variant is a
/// second method of the block. Trait `impl`s cannot take the attribute, since the
/// explicit variant would not be a member of the trait. `const`, `unsafe` and `extern`
/// functions are rejected.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use ayutil::{provider, ProviderSpec};
///
/// static SETTINGS: ProviderSpec<BTreeMap<&str, u32>> =
///     ProviderSpec::lazy(|| BTreeMap::from([("retries", 3)]));
///
/// #[provider(settings, cfg, from = SETTINGS)]
/// fn retries(extra: u32, settings: BTreeMap<&str, u32>) -> u32 {
///     settings["retries"] + extra
/// }
///
/// assert_eq!(retries(1), 4); // filled from SETTINGS
/// assert_eq!(retries_with(1, BTreeMap::from([("retries", 0)])), 1); // passed by hand
///
/// SETTINGS.new_instance(BTreeMap::from([("retries", 10)]));
/// assert_eq!(retries(0), 10);
/// ```
///
/// An `async fn` with an async provider:
///
/// ```
/// use ayutil::{provider, ProviderSpec};
///
/// #[provider(user, from = ProviderSpec::from_async_fn(|| async { String::from("ada") }))]
/// async fn greet(greeting: &str, user: String) -> String {
///     format!("{greeting}, {user}")
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(greet("hi").await, "hi, ada");
/// assert_eq!(greet_with("yo", "bob".into()).await, "yo, bob");
/// # }
/// ```
///
/// # Without the macro
///
/// `#[provider(dict, from = DICT)] fn set(key: u32, mut dict: Map) -> usize { body }` is
///
/// ```
/// # use std::collections::BTreeMap;
/// # type Map = BTreeMap<u32, u32>;
/// # static DICT: ayutil::ProviderSpec<Map> = ayutil::ProviderSpec::lazy(Map::new);
/// fn set(key: u32) -> usize {
///     let mut dict: Map = ayutil::Provide::provide(&DICT);
///     dict.insert(key, 0); // the body's statements
///     dict.len()
/// }
///
/// /// Like `set`, but takes `dict` as an argument instead of from its provider.
/// #[allow(dead_code)]
/// fn set_with(key: u32, mut dict: Map) -> usize {
///     dict.insert(key, 0); // the same body
///     dict.len()
/// }
/// # assert_eq!(set(1), 1);
/// ```
///
/// On an `async fn` the `let` becomes
/// `let __ayutil_provided = ProvideAsync::provide_async(&DICT); let mut dict: Map = __ayutil_provided.await;`,
/// so the provider runs at the first poll and nothing borrowed from it is held across the
/// `.await`.
#[doc(inline)]
pub use ayutil_macros::provider;
