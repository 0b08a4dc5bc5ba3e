//! Caches: the `#[cached]` attribute and its [`FnCache`], [`CachedTask`], [`LruMap`] and
//! [`TtlLruMap`].

mod attr;
mod flight;
mod fn_cache;
mod lru;
mod shared_error;
mod stats;
mod task;
mod ttl;

#[doc(hidden)]
pub mod __private;

pub use self::attr::cached;
pub use self::fn_cache::FnCache;
pub use self::lru::LruMap;
pub use self::shared_error::{FromSharedError, SharedError};
pub use self::stats::CacheStats;
pub use self::task::CachedTask;
pub use self::ttl::TtlLruMap;
