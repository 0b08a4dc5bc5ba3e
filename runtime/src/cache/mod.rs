//! Caches: the `#[cached]` attribute and its [`FnCache`], [`CachedTask`], [`LruMap`] and
//! [`TtlLruMap`].

mod flight;
mod fn_cache;
mod lru;
mod stats;
mod task;
mod ttl;

#[doc(hidden)]
pub mod __private;

pub use self::fn_cache::FnCache;
pub use self::lru::LruMap;
pub use self::stats::CacheStats;
pub use self::task::CachedTask;
pub use self::ttl::TtlLruMap;

pub use ayutil_macros::cached;
