//! [`FnProvider`] and [`AsyncFnProvider`]: providers that call a function each time.

use core::fmt;
use core::future::{Ready, ready};

use super::provide::{Provide, ProvideAsync};

/// A provider that calls its function at every call; built by
/// [`ProviderSpec::from_fn`](crate::ProviderSpec::from_fn).
///
/// With a `fn` pointer type it can be a `static`:
/// `static P: FnProvider<fn() -> T> = ProviderSpec::from_fn(make_t);`.
///
/// # Examples
///
/// ```
/// use ayutil::{FnProvider, Provide, ProviderSpec};
///
/// static ZERO: FnProvider<fn() -> Vec<u8>> = ProviderSpec::from_fn(Vec::new);
/// let v: Vec<u8> = ZERO.provide();
/// assert!(v.is_empty());
/// ```
#[derive(Clone, Copy)]
pub struct FnProvider<F> {
    f: F,
}

impl<F> FnProvider<F> {
    pub(crate) const fn new(f: F) -> Self {
        Self { f }
    }
}

impl<T, F> Provide<T> for FnProvider<F>
where
    F: Fn() -> T,
{
    #[inline]
    fn provide(&self) -> T {
        (self.f)()
    }
}

impl<T, F> ProvideAsync<T> for FnProvider<F>
where
    F: Fn() -> T,
{
    type Future = Ready<T>;

    #[inline]
    fn provide_async(&self) -> Ready<T> {
        ready((self.f)())
    }
}

impl<F> fmt::Debug for FnProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnProvider")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}

/// An async provider: calls its function at every call and awaits the returned future;
/// built by [`ProviderSpec::from_async_fn`](crate::ProviderSpec::from_async_fn).
///
/// It implements [`ProvideAsync`] only, so it fills parameters of `async fn`s only.
///
/// # Examples
///
/// ```
/// use ayutil::{ProvideAsync, ProviderSpec};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let token = ProviderSpec::from_async_fn(|| async { tokio::task::yield_now().await; 9 });
/// assert_eq!(token.provide_async().await, 9);
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct AsyncFnProvider<F> {
    f: F,
}

impl<F> AsyncFnProvider<F> {
    pub(crate) const fn new(f: F) -> Self {
        Self { f }
    }
}

impl<T, F, Fut> ProvideAsync<T> for AsyncFnProvider<F>
where
    F: Fn() -> Fut,
    Fut: Future<Output = T>,
{
    type Future = Fut;

    #[inline]
    fn provide_async(&self) -> Fut {
        (self.f)()
    }
}

impl<F> fmt::Debug for AsyncFnProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFnProvider")
            .field("f", &core::any::type_name::<F>())
            .finish()
    }
}
