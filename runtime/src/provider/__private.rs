//! What `#[provider]` expands to. Not public API.

use super::provide::{Provide, ProvideAsync};

/// Fills a parameter of type `T` of a sync function from `provider`.
///
/// The expansion names `T` explicitly with the span of the parameter's type, so a
/// provider of the wrong type is reported on that type.
#[inline]
pub fn provide<T, P>(provider: &P) -> T
where
    P: Provide<T> + ?Sized,
{
    provider.provide()
}

/// Starts filling a parameter of type `T` of an `async fn` from `provider`.
#[inline]
pub fn provide_async<T, P>(provider: &P) -> P::Future
where
    P: ProvideAsync<T> + ?Sized,
{
    provider.provide_async()
}
