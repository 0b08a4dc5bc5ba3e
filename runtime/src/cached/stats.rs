//! [`CacheStats`]: counters of a `#[cached]` function.

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

/// Counters of one shard, updated under the shard's lock (no atomics on the hot path).
#[derive(Default, Clone, Copy)]
pub(crate) struct Counters {
    pub(crate) hits: u64,
    pub(crate) joins: u64,
    pub(crate) misses: u64,
    pub(crate) evictions: u64,
    pub(crate) expirations: u64,
}

impl Counters {
    pub(crate) fn add_to(&self, total: &mut CacheStats) {
        total.hits += self.hits;
        total.joins += self.joins;
        total.misses += self.misses;
        total.evictions += self.evictions;
        total.expirations += self.expirations;
    }
}
