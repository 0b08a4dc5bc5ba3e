//! [`CacheStats`]: counters of a `#[cached]` function.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A snapshot of a cached function's counters, from [`FnCache::stats`](crate::FnCache::stats).
///
/// Every call counts exactly once as a hit, a join or a miss.
///
/// # Examples
///
/// ```
/// #[ayutil::cached]
/// fn square(x: u64) -> u64 {
///     x * x
/// }
///
/// square(3);
/// square(3);
/// let stats = square_cache().stats();
/// assert_eq!((stats.hits, stats.misses), (1, 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CacheStats {
    /// Calls answered from a stored value.
    pub hits: u64,
    /// Calls that joined a computation already running for their key.
    pub joins: u64,
    /// Calls that started a computation.
    pub misses: u64,
    /// Stored values removed to respect `max` (least recently used first).
    pub evictions: u64,
    /// Stored values removed because their `ttl` passed.
    pub expirations: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) hits: AtomicU64,
    pub(crate) joins: AtomicU64,
    pub(crate) misses: AtomicU64,
    pub(crate) evictions: AtomicU64,
    pub(crate) expirations: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: usize) {
        if n > 0 {
            counter.fetch_add(n as u64, Relaxed);
        }
    }

    pub(crate) fn snapshot(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Relaxed),
            joins: self.joins.load(Relaxed),
            misses: self.misses.load(Relaxed),
            evictions: self.evictions.load(Relaxed),
            expirations: self.expirations.load(Relaxed),
        }
    }
}
