//! [`FnCache`]: the store behind one `#[cached]` function: values, running flights, counters.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::{BuildHasher, Hash, RandomState};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tokio::time::Instant;

use crate::rt::{lock, spawn};
use super::flight::{Flight, Outcome};
use super::stats::{CacheStats, Counters};
use super::ttl::TtlLruMap;

/// Shards of an unbounded cache. A cache with `max` has one shard, so that least recently
/// used is exact across all keys.
const UNBOUNDED_SHARDS: usize = 16;

/// A running computation registered under its key.
struct InFlight<V> {
    /// Tells this flight apart from a later one of the same key (after an invalidation).
    id: u64,
    flight: Arc<Flight<V>>,
}

struct Shard<K, V> {
    values: TtlLruMap<K, V>,
    flights: HashMap<K, InFlight<V>>,
    counters: Counters,
    /// Id of the next flight started in this shard.
    next_id: u64,
}

/// The locked parts of a cache; a key always goes to the same one.
type Shards<K, V> = Box<[Mutex<Shard<K, V>>]>;

/// The cache of one `#[cached]` function, reached through the generated `<fn>_cache()`.
///
/// It holds the stored values (with the function's `max` and `ttl`), the computations
/// running right now, and the [`CacheStats`] counters. Locks are held only for a map
/// operation, never while a body runs, so distinct keys never wait for each other.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// #[ayutil::cached]
/// async fn double(x: u32) -> u32 {
///     x * 2
/// }
///
/// assert_eq!(double(21).await, 42);
/// let cache = double_cache();
/// assert_eq!(cache.len(), 1);
/// assert!(cache.invalidate(&(21,)));
/// assert_eq!(cache.len(), 0);
/// # }
/// ```
pub struct FnCache<K, V> {
    /// Built at the first lookup, so that the cache itself can be made without the key's
    /// `Hash + Eq` bounds: the generated handle then never repeats an error that the
    /// function's call reports on the offending argument.
    shards: OnceLock<Shards<K, V>>,
    hasher: RandomState,
    max: Option<NonZeroUsize>,
    ttl: Option<Duration>,
    store_if: fn(&V) -> bool,
    /// Whether a sweeper task is running for this cache.
    sweeping: AtomicBool,
}

/// What a call found for its key.
pub(crate) enum Lookup<
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
> {
    /// A stored value.
    Hit(V),
    /// A computation already running: wait for it.
    Join(Arc<Flight<V>>),
    /// Nothing: this call must start the computation and complete the ticket.
    Lead(Ticket<K, V>),
}

impl<K, V> FnCache<K, V> {
    /// The macro's constructor. `max` bounds the stored values, `ttl` is counted from the
    /// completion of each computation, `store_if` decides which values are stored (all of
    /// them, or only `Ok` ones).
    pub(crate) fn new(
        max: Option<NonZeroUsize>,
        ttl: Option<Duration>,
        store_if: fn(&V) -> bool,
    ) -> Self {
        // A ttl beyond the clock's range means "never": no deadline, no sweeper.
        let ttl = ttl.and_then(crate::rt::time::finite);
        Self {
            shards: OnceLock::new(),
            hasher: RandomState::new(),
            max,
            ttl,
            store_if,
            sweeping: AtomicBool::new(false),
        }
    }

    /// The shards built so far (none before the first lookup).
    fn built_shards(&self) -> &[Mutex<Shard<K, V>>] {
        self.shards.get().map_or(&[], |shards| &**shards)
    }
}

impl<K, V> FnCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn shard(&self, key: &K) -> MutexGuard<'_, Shard<K, V>> {
        let shards = self.shards.get_or_init(|| {
            let shard_count = if self.max.is_some() {
                1
            } else {
                UNBOUNDED_SHARDS
            };
            (0..shard_count)
                .map(|_| {
                    Mutex::new(Shard {
                        values: TtlLruMap::with_options(self.ttl, self.max),
                        flights: HashMap::new(),
                        counters: Counters::default(),
                        next_id: 0,
                    })
                })
                .collect()
        });
        let index = if shards.len() == 1 {
            0
        } else {
            (self.hasher.hash_one(key) as usize) % shards.len()
        };
        lock::lock(&shards[index])
    }

    fn now(&self) -> Option<Instant> {
        self.ttl.map(|_| Instant::now())
    }

    /// Finds `key`: a live stored value (refreshing its recency), a running flight, or
    /// nothing, in which case a new flight is registered and its ticket returned.
    pub(crate) fn lookup(&'static self, key: K) -> Lookup<K, V> {
        let now = self.now();
        let mut expired = 0;
        let mut guard = self.shard(&key);
        // Borrow the fields separately through one `&mut`.
        let shard = &mut *guard;
        let lookup = if let Some(value) = shard.values.get_at(&key, now, &mut expired) {
            shard.counters.hits += 1;
            Lookup::Hit(value.clone())
        } else {
            match shard.flights.entry(key) {
                Entry::Occupied(running) => {
                    shard.counters.joins += 1;
                    Lookup::Join(Arc::clone(&running.get().flight))
                }
                Entry::Vacant(vacant) => {
                    shard.counters.misses += 1;
                    let id = shard.next_id;
                    shard.next_id += 1;
                    let flight = Arc::new(Flight::new());
                    let key = vacant.key().clone();
                    vacant.insert(InFlight {
                        id,
                        flight: Arc::clone(&flight),
                    });
                    Lookup::Lead(Ticket {
                        cache: self,
                        key: Some(key),
                        id,
                        flight,
                    })
                }
            }
        };
        shard.counters.expirations += expired as u64;
        drop(guard);
        lookup
    }

    /// Ends flight `id` of `key`: stores the value if the flight is still the registered
    /// one (not invalidated) and `store_if` accepts it, then wakes the waiters.
    fn finish(&'static self, key: K, id: u64, flight: &Flight<V>, outcome: Outcome<V>) {
        let mut stored = false;
        {
            let now = self.now();
            let mut shard = self.shard(&key);
            // One hash for the check and the removal; an invalidated flight (another id,
            // or none) is put back untouched.
            let registered = match shard.flights.remove(&key) {
                Some(current) if current.id == id => true,
                Some(other) => {
                    shard.flights.insert(key.clone(), other);
                    false
                }
                None => false,
            };
            if registered
                && let Outcome::Value(value) = &outcome
                && (self.store_if)(value)
            {
                let expired = now.map_or(0, |now| shard.values.purge_at(now));
                let (_, evicted) = shard.values.insert_at(key, value.clone(), now);
                shard.counters.expirations += expired as u64;
                shard.counters.evictions += u64::from(evicted);
                stored = true;
            }
        }
        flight.finish(outcome);
        if stored && self.ttl.is_some() {
            self.ensure_sweeper();
        }
    }

    /// Removes the stored value of `key` and forgets its running computation, if any.
    /// Returns whether there was either.
    ///
    /// A computation running for `key` still finishes and its waiters still get its
    /// value, but the value is not stored; the next call starts a new computation.
    ///
    /// # Examples
    ///
    /// ```
    /// #[ayutil::cached]
    /// fn length(s: String) -> usize {
    ///     s.len()
    /// }
    ///
    /// length("abc".to_owned());
    /// assert!(length_cache().invalidate(&("abc".to_owned(),)));
    /// assert!(!length_cache().invalidate(&("abc".to_owned(),)));
    /// ```
    pub fn invalidate(&self, key: &K) -> bool {
        let mut shard = self.shard(key);
        let had_value = shard.values.remove(key).is_some();
        let had_flight = shard.flights.remove(key).is_some();
        had_value || had_flight
    }

    /// Removes every stored value and forgets every running computation (they finish
    /// for their waiters without storing).
    ///
    /// # Examples
    ///
    /// ```
    /// #[ayutil::cached]
    /// fn id(x: u8) -> u8 {
    ///     x
    /// }
    ///
    /// id(1);
    /// id(2);
    /// id_cache().clear();
    /// assert!(id_cache().is_empty());
    /// ```
    pub fn clear(&self) {
        for shard in self.built_shards() {
            let mut shard = lock::lock(shard);
            shard.values.clear();
            shard.flights.clear();
        }
    }

    /// Number of stored values (values whose `ttl` passed may be counted until the
    /// background sweep or the next call on their shard removes them).
    ///
    /// # Examples
    ///
    /// ```
    /// #[ayutil::cached]
    /// fn id(x: u8) -> u8 {
    ///     x
    /// }
    ///
    /// id(1);
    /// id(1);
    /// assert_eq!(id_cache().len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.built_shards()
            .iter()
            .map(|s| {
                lock::lock(s)
                    .values
                    .len()
            })
            .sum()
    }

    /// Whether no value is stored.
    ///
    /// # Examples
    ///
    /// ```
    /// #[ayutil::cached]
    /// fn id(x: u8) -> u8 {
    ///     x
    /// }
    ///
    /// assert!(id_cache().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of computations running right now.
    ///
    /// # Examples
    ///
    /// ```
    /// #[ayutil::cached]
    /// fn id(x: u8) -> u8 {
    ///     x
    /// }
    ///
    /// id(1);
    /// assert_eq!(id_cache().in_flight(), 0);
    /// ```
    pub fn in_flight(&self) -> usize {
        self.built_shards()
            .iter()
            .map(|s| {
                lock::lock(s)
                    .flights
                    .len()
            })
            .sum()
    }

    /// The stored value of `key`, if any and not expired, without refreshing its recency
    /// and without counting a hit.
    ///
    /// # Examples
    ///
    /// ```
    /// #[ayutil::cached]
    /// fn triple(x: u8) -> u8 {
    ///     x * 3
    /// }
    ///
    /// assert_eq!(triple_cache().peek(&(2,)), None);
    /// triple(2);
    /// assert_eq!(triple_cache().peek(&(2,)), Some(6));
    /// ```
    pub fn peek(&self, key: &K) -> Option<V> {
        self.shard(key).values.peek(key).cloned()
    }

    /// A snapshot of the hit, join, miss, eviction and expiration counters.
    ///
    /// # Examples
    ///
    /// ```
    /// #[ayutil::cached]
    /// fn id(x: u8) -> u8 {
    ///     x
    /// }
    ///
    /// id(1);
    /// id(1);
    /// id(2);
    /// let stats = id_cache().stats();
    /// assert_eq!((stats.hits, stats.misses), (1, 2));
    /// ```
    pub fn stats(&self) -> CacheStats {
        self.totals()
    }

    /// Removes every expired value now; returns how many.
    fn purge_all(&self) -> usize {
        let now = Instant::now();
        self.built_shards()
            .iter()
            .map(|s| {
                let mut shard = lock::lock(s);
                let purged = shard.values.purge_at(now);
                shard.counters.expirations += purged as u64;
                purged
            })
            .sum()
    }

    fn next_expiry(&self) -> Option<Instant> {
        self.built_shards()
            .iter()
            .filter_map(|s| {
                lock::lock(s)
                    .values
                    .next_expiry()
            })
            .min()
    }

    /// Starts the sweeper task unless one runs: it sleeps until the next deadline,
    /// removes what expired and repeats while values with a deadline remain, so dead keys
    /// are freed without being read. Without a tokio runtime at hand (a synchronous
    /// function called outside one) expired values are removed by later calls instead.
    fn ensure_sweeper(&'static self) {
        if self.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = spawn::try_runtime() else {
            self.sweeping.store(false, Ordering::Release);
            return;
        };
        spawn::spawn_on(&runtime, async move {
            // Reset the flag even when the runtime drops this task, so a later insert
            // (maybe on another runtime) starts a new sweeper.
            let _running = ResetOnDrop(&self.sweeping);
            loop {
                match self.next_expiry() {
                    Some(deadline) => {
                        tokio::time::sleep_until(deadline).await;
                        self.purge_all();
                    }
                    None => {
                        self.sweeping.store(false, Ordering::Release);
                        // An insert may have come between the check and the reset and
                        // seen the flag still set: look once more before leaving.
                        if self.next_expiry().is_none()
                            || self.sweeping.swap(true, Ordering::AcqRel)
                        {
                            return;
                        }
                    }
                }
            }
        });
    }
}

/// Clears the sweeper flag when the sweeper task ends or is dropped.
struct ResetOnDrop(&'static AtomicBool);

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl<K, V> FnCache<K, V> {
    /// The counters of every shard, summed.
    fn totals(&self) -> CacheStats {
        let mut total = CacheStats::default();
        for shard in self.built_shards() {
            let shard = lock::lock(shard);
            shard.counters.add_to(&mut total);
        }
        total
    }
}

impl<K, V> fmt::Debug for FnCache<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnCache")
            .field("ttl", &self.ttl)
            .field("stats", &self.totals())
            .finish_non_exhaustive()
    }
}

/// The right and duty to complete one flight. Dropping it unfinished (the task running
/// the body was dropped) ends the flight as abandoned, so no waiter hangs and the key is
/// usable again.
pub(crate) struct Ticket<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    cache: &'static FnCache<K, V>,
    key: Option<K>,
    id: u64,
    flight: Arc<Flight<V>>,
}

impl<K, V> Ticket<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub(crate) fn flight(&self) -> Arc<Flight<V>> {
        Arc::clone(&self.flight)
    }

    pub(crate) fn finish(mut self, outcome: Outcome<V>) {
        if let Some(key) = self.key.take() {
            self.cache.finish(key, self.id, &self.flight, outcome);
        }
    }
}

impl<K, V> Drop for Ticket<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.cache
                .finish(key, self.id, &self.flight, Outcome::Abandoned);
        }
    }
}
