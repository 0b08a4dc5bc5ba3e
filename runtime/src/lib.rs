// The crate's front page is the README (its code blocks run as doctests). Its example
// needs the `scope` and `cache` features; with fewer features the page is a short summary.
#![cfg_attr(all(feature = "scope", feature = "cache"), doc = include_str!("../README.md"))]
#![cfg_attr(
    not(all(feature = "scope", feature = "cache")),
    doc = "ayutil: structured concurrency for tokio. The guide on this page needs the \
           `scope` and `cache` features (both are on by default)."
)]
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[macro_use]
mod cfg;

mod rt;
pub use crate::rt::panic::Panicked;
pub use crate::rt::spawn::NoRuntime;

/// Any error, boxed: `Box<dyn std::error::Error + Send + Sync>`.
///
/// The error type of scopes that do not name one (the default `E` of `Scope`), and the
/// error of a fallible waterfall stage. `?` converts any error into it, so work with different
/// error types can share one `BoxError`; the concrete error can be recovered with
/// `downcast_ref`. The same type as `tower::BoxError`.
///
/// # Examples
///
/// ```
/// fn parse(text: &str) -> Result<u8, ayutil::BoxError> {
///     let wide: u32 = text.parse()?; // `ParseIntError`
///     Ok(u8::try_from(wide)?) // `TryFromIntError`
/// }
///
/// assert_eq!(parse("42").unwrap(), 42);
/// assert!(parse("300").unwrap_err().is::<std::num::TryFromIntError>());
/// assert!(parse("x").unwrap_err().is::<std::num::ParseIntError>());
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

// The features: private modules, each behind its Cargo feature.
mod link;
cfg_scope! {
    mod scope;
}
cfg_group! {
    mod group;
}
cfg_funnel! {
    mod funnel;
}
cfg_waterfall! {
    mod waterfall;
}
cfg_batcher! {
    mod batcher;
}
cfg_iter_stream! {
    mod iter_stream;
}
cfg_cache! {
    mod cached;
}
cfg_provider! {
    mod provider;
}
cfg_eager! {
    mod eager;
}

// The public map: modules by capability, re-exporting the features.
#[cfg(any(feature = "funnel", feature = "waterfall", feature = "iter-stream"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "funnel", feature = "waterfall", feature = "iter-stream")))
)]
pub mod stream;
pub mod task;
cfg_batcher! {
    pub mod batch;
}
cfg_cache! {
    pub mod cache;
}
cfg_provider! {
    pub mod inject;
}
cfg_eager! {
    pub mod future;
}
cfg_scheduling! {
    pub mod scheduling;
}

// The items most programs use are also at the root. Every other public item is reachable
// at the root too (hidden from the docs, which show it in its module), so code written
// against either path compiles.
#[doc(inline)]
pub use crate::task::offload;
#[doc(hidden)]
pub use crate::task::*;
cfg_scope! {
    pub use crate::scope::{Scope, run_as_main, scope};
}
cfg_group! {
    pub use crate::group::{Bag, Group, OrderedBag, Pool, TaskSet};
}
#[cfg(any(feature = "funnel", feature = "waterfall", feature = "iter-stream"))]
#[doc(hidden)]
pub use crate::stream::*;
cfg_funnel! {
    pub use crate::funnel::{funnel, try_funnel};
}
cfg_waterfall! {
    pub use crate::waterfall::Waterfall;
}
cfg_iter_stream! {
    pub use crate::iter_stream::iter_stream;
}
cfg_batcher! {
    pub use crate::batcher::Batcher;
    #[doc(hidden)]
    pub use crate::batch::*;
}
cfg_cache! {
    pub use crate::cached::{LruMap, TtlLruMap, cached};
    #[doc(hidden)]
    pub use crate::cache::*;
}
cfg_provider! {
    pub use crate::provider::{ProviderSpec, provider};
    #[doc(hidden)]
    pub use crate::inject::*;
}
cfg_eager! {
    pub use crate::eager::{CoroStart, eager};
    #[doc(hidden)]
    pub use crate::future::*;
}
cfg_scheduling! {
    #[doc(inline)]
    pub use crate::scheduling::SchedulingExecutor;
}

#[doc(hidden)]
pub mod __private;
