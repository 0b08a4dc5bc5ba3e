//! [`Provide`] and [`ProvideAsync`]: what [`#[provider]`](crate::provider) asks of its `from`.

use core::future::{Future, Ready, ready};
use std::sync::LazyLock;

/// Something that can produce a `T` on demand, synchronously.
///
/// [`#[provider]`](crate::provider) calls [`provide`](Provide::provide) once per call of the
/// decorated function to fill the provided parameter. Implemented by:
///
/// - every closure or function `Fn() -> T` (a plain closure is a provider);
/// - [`ProviderSpec<T, FreshClone>`](crate::ProviderSpec::new): a clone of the stored value;
/// - [`ProviderSpec<T, SharedArc>`](crate::ProviderSpec::shared): the stored `Arc<T>`;
/// - [`FnProvider`](crate::FnProvider), from [`ProviderSpec::from_fn`](crate::ProviderSpec::from_fn);
/// - a [`LazyLock`] of any provider, so a provider can live in a `static`.
///
/// Each of these is also a [`ProvideAsync<T>`] whose future is ready at once, so it fills
/// parameters of `async fn`s too. A provider type of your own implements `Provide` for
/// sync functions, and [`ProvideAsync`] as well (returning [`core::future::Ready`]) to serve
/// `async fn`s.
///
/// # Examples
///
/// ```
/// use ayutil::{Provide, ProviderSpec};
///
/// let answer = || 42;
/// assert_eq!(answer.provide(), 42);
///
/// let spec = ProviderSpec::new(vec![1, 2]);
/// let mut first: Vec<i32> = spec.provide();
/// first.push(3);
/// assert_eq!(spec.provide(), vec![1, 2]); // each call gets a fresh clone
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot provide a `{T}`",
    label = "this parameter cannot be filled from the `from` provider",
    note = "a provider of `T` is a closure `Fn() -> T`, a `ProviderSpec<T, FreshClone>` (gives `T`), a `ProviderSpec<T, SharedArc>` (gives `Arc<T>`), or a `FnProvider`",
    note = "an async provider (`ProviderSpec::from_async_fn`) can only fill a parameter of an `async fn`"
)]
pub trait Provide<T> {
    /// Produces the value for one call.
    ///
    /// # Examples
    ///
    /// A provider type of your own:
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use ayutil::Provide;
    ///
    /// /// Hands out increasing request ids.
    /// struct NextId(AtomicU32);
    ///
    /// impl Provide<u32> for NextId {
    ///     fn provide(&self) -> u32 {
    ///         self.0.fetch_add(1, Ordering::Relaxed)
    ///     }
    /// }
    ///
    /// let ids = NextId(AtomicU32::new(1));
    /// assert_eq!(ids.provide(), 1);
    /// assert_eq!(ids.provide(), 2);
    /// ```
    fn provide(&self) -> T;
}

impl<T, F> Provide<T> for F
where
    F: Fn() -> T,
{
    #[inline]
    fn provide(&self) -> T {
        self()
    }
}

impl<T, P, I> Provide<T> for LazyLock<P, I>
where
    P: Provide<T>,
    I: FnOnce() -> P,
{
    #[inline]
    fn provide(&self) -> T {
        LazyLock::force(self).provide()
    }
}

/// Something that can produce a `T` on demand through a future; only `async fn`s use it.
///
/// [`#[provider]`](crate::provider) on an `async fn` awaits
/// [`provide_async`](ProvideAsync::provide_async) once per call, at the first poll of the
/// call's future. Every provider of this crate that implements [`Provide<T>`] also
/// implements `ProvideAsync<T>` (its future is ready at once);
/// [`ProviderSpec::from_async_fn`](crate::ProviderSpec::from_async_fn) turns a closure
/// returning a future into an async-only provider.
///
/// The future does not borrow the provider, so the decorated function's future is `Send`
/// exactly when the provider's future and the function body are.
///
/// # Examples
///
/// ```
/// use ayutil::{ProvideAsync, ProviderSpec};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let from_db = ProviderSpec::from_async_fn(|| async { String::from("row 7") });
/// assert_eq!(from_db.provide_async().await, "row 7");
///
/// let sync_one = || 5; // sync providers work too
/// assert_eq!(sync_one.provide_async().await, 5);
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot provide a `{T}`, synchronously or asynchronously",
    label = "this parameter cannot be filled from the `from` provider",
    note = "an async provider of `T` is `ProviderSpec::from_async_fn(f)` with `f: Fn() -> impl Future<Output = T>`, or any sync provider of `T`"
)]
pub trait ProvideAsync<T> {
    /// The future returned by [`provide_async`](ProvideAsync::provide_async).
    ///
    /// # Examples
    ///
    /// Every sync provider answers with a [`Ready`] future:
    ///
    /// ```
    /// use std::future::Ready;
    /// use ayutil::{ProvideAsync, ProviderSpec};
    ///
    /// let spec = ProviderSpec::new(String::from("eu-west"));
    /// let region: Ready<String> = spec.provide_async();
    /// assert_eq!(region.into_inner(), "eu-west");
    /// ```
    type Future: Future<Output = T>;

    /// Starts producing the value for one call.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use ayutil::{ProvideAsync, ProviderSpec};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let opened = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&opened);
    /// let connect = ProviderSpec::from_async_fn(move || {
    ///     let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
    ///     async move { format!("connection {n}") }
    /// });
    /// assert_eq!(connect.provide_async().await, "connection 1");
    ///
    /// // The future does not borrow the provider.
    /// let next = connect.provide_async();
    /// drop(connect);
    /// assert_eq!(next.await, "connection 2");
    /// assert_eq!(opened.load(Ordering::SeqCst), 2);
    /// # }
    /// ```
    fn provide_async(&self) -> Self::Future;
}

impl<T, F> ProvideAsync<T> for F
where
    F: Fn() -> T,
{
    type Future = Ready<T>;

    #[inline]
    fn provide_async(&self) -> Ready<T> {
        ready(self())
    }
}

impl<T, P, I> ProvideAsync<T> for LazyLock<P, I>
where
    P: ProvideAsync<T>,
    I: FnOnce() -> P,
{
    type Future = P::Future;

    #[inline]
    fn provide_async(&self) -> P::Future {
        LazyLock::force(self).provide_async()
    }
}
