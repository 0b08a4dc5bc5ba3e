//! ayutil: structured concurrency, pipelines, caches and injection for tokio.
//!
//! ayutil ports the best ideas of Python's asyncio toolkits (ayutil, aioutils, asynkit,
//! async-utils, ayo) to Rust: gather anything with [`link!`], run tasks that cannot
//! outlive their block, stream results as they complete, and cache or inject values with
//! one attribute. Everything is lazy, cancel-safe on drop, and measured against the crate
//! you would otherwise pick.
//!
//! Each capability sits behind a Cargo feature; the default set enables all of them.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[macro_use]
mod cfg;

mod rt;
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

mod link;
pub use crate::link::offload::{Offload, offload};

cfg_scope! {
    mod scope;
    pub use crate::scope::*;
}
cfg_group! {
    mod group;
    pub use crate::group::*;
}
cfg_funnel! {
    mod funnel;
    pub use crate::funnel::*;
}
cfg_waterfall! {
    mod waterfall;
    pub use crate::waterfall::*;
}
cfg_batcher! {
    mod batcher;
    pub use crate::batcher::*;
}
cfg_iter_stream! {
    mod iter_stream;
    pub use crate::iter_stream::*;
}
cfg_cache! {
    mod cache;
    pub use crate::cache::*;
}
cfg_provider! {
    mod provider;
    pub use crate::provider::*;
}
cfg_eager! {
    mod eager;
    pub use crate::eager::*;
}
cfg_scheduling! {
    pub mod scheduling;
    pub use crate::scheduling::SchedulingExecutor;
}

#[doc(hidden)]
pub mod __private;
