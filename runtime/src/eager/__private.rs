//! What `#[eager]` expands to. Not public API.

use core::future::Future;

pub use super::{Eager, eager};
use super::CoroStart;

/// [`eager`](fn@super::eager) with the body's output type named, so an `async` block that
/// uses `?` or `return` gets its output type from the function's signature.
#[track_caller]
pub fn eager_body<T, F>(fut: F) -> Eager<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    CoroStart::new(fut).into_eager()
}

/// [`eager_local`](super::eager_local) with the body's output type named.
#[track_caller]
pub fn eager_local_body<T, F>(fut: F) -> Eager<T>
where
    F: Future<Output = T> + 'static,
    T: 'static,
{
    CoroStart::new(fut).into_eager_local()
}
