//! [`TtlLruMap`]: an [`LruMap`] whose entries also expire a fixed time after insertion.

use std::borrow::Borrow;
use std::collections::VecDeque;
use std::fmt;
use std::hash::Hash;
use std::num::NonZeroUsize;
use std::time::Duration;

use tokio::time::Instant;

use super::lru::LruMap;

/// A value and the instant it stops being served.
struct Timed<V> {
    value: V,
    deadline: Option<Instant>,
}

/// An [`LruMap`] whose entries expire `ttl` after they were inserted.
///
/// Recency works as in [`LruMap`] (a read refreshes it); expiry does not: the deadline is
/// fixed when the value is inserted and a read never extends it. Expired entries are never
/// returned. They are removed, without anyone reading them, by every `&mut self` call (in
/// O(1) amortized: a queue ordered by deadline is consumed from the front) and by
/// [`purge_expired`](Self::purge_expired), so memory does not grow with dead keys as long
/// as the map is used. [`len`](Self::len) may count expired entries that no call has
/// removed yet.
///
/// Time is tokio's clock ([`tokio::time::Instant`]), so paused-time tests drive it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ayutil::TtlLruMap;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let mut map = TtlLruMap::unbounded(Duration::from_secs(10));
/// map.insert("session", 42);
/// tokio::time::sleep(Duration::from_secs(9)).await;
/// assert_eq!(map.get("session"), Some(&42)); // a read does not extend the deadline
/// tokio::time::sleep(Duration::from_secs(1)).await;
/// assert_eq!(map.get("session"), None);
/// assert!(map.is_empty());
/// # }
/// ```
pub struct TtlLruMap<K, V> {
    map: LruMap<K, Timed<V>>,
    /// `(deadline, key)` in insertion order, which is deadline order since `ttl` is fixed.
    /// An item is stale when its key was re-inserted or removed since.
    queue: VecDeque<(Instant, K)>,
    ttl: Option<Duration>,
}

impl<K: Hash + Eq + Clone, V> TtlLruMap<K, V> {
    /// A map whose entries live `ttl` and that holds at most `capacity` entries.
    ///
    /// # Panics
    ///
    /// When `ttl` is zero: every entry would be expired on insertion.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{num::NonZeroUsize, time::Duration};
    /// let map = ayutil::TtlLruMap::<u8, u8>::new(Duration::from_secs(1), NonZeroUsize::new(4).unwrap());
    /// assert_eq!(map.ttl(), Duration::from_secs(1));
    /// ```
    #[track_caller]
    pub fn new(ttl: Duration, capacity: NonZeroUsize) -> Self {
        assert!(!ttl.is_zero(), "TtlLruMap: ttl must be greater than zero");
        Self::with_options(Some(ttl), Some(capacity))
    }

    /// A map whose entries live `ttl`, without a capacity.
    ///
    /// # Panics
    ///
    /// When `ttl` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let map = ayutil::TtlLruMap::<u8, u8>::unbounded(Duration::from_millis(500));
    /// assert_eq!(map.capacity(), None);
    /// ```
    #[track_caller]
    pub fn unbounded(ttl: Duration) -> Self {
        assert!(!ttl.is_zero(), "TtlLruMap: ttl must be greater than zero");
        Self::with_options(Some(ttl), None)
    }

    /// The cache store's constructor: `ttl` may be absent (entries never expire).
    pub(crate) fn with_options(ttl: Option<Duration>, capacity: Option<NonZeroUsize>) -> Self {
        Self {
            map: LruMap::with_optional_capacity(capacity),
            queue: VecDeque::new(),
            ttl,
        }
    }

    /// How long an entry lives after insertion.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let map = ayutil::TtlLruMap::<u8, u8>::unbounded(Duration::from_secs(3));
    /// assert_eq!(map.ttl(), Duration::from_secs(3));
    /// ```
    pub fn ttl(&self) -> Duration {
        self.ttl.unwrap_or(Duration::MAX)
    }

    /// The capacity, `None` when unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{num::NonZeroUsize, time::Duration};
    /// let cap = NonZeroUsize::new(3).unwrap();
    /// let map = ayutil::TtlLruMap::<u8, u8>::new(Duration::from_secs(1), cap);
    /// assert_eq!(map.capacity(), Some(cap));
    /// ```
    pub fn capacity(&self) -> Option<NonZeroUsize> {
        self.map.capacity()
    }

    /// Number of entries, including expired ones that no call has removed yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut map = ayutil::TtlLruMap::unbounded(Duration::from_secs(1));
    /// map.insert(1, 1);
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the map holds no entry (expired or not).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// assert!(ayutil::TtlLruMap::<u8, u8>::unbounded(Duration::from_secs(1)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Removes every entry.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut map = ayutil::TtlLruMap::unbounded(Duration::from_secs(1));
    /// map.insert(1, 1);
    /// map.clear();
    /// assert!(map.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.map.clear();
        self.queue.clear();
    }

    /// Removes every expired entry now; returns how many were removed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let mut map = ayutil::TtlLruMap::unbounded(Duration::from_secs(1));
    /// map.insert(1, "a");
    /// map.insert(2, "b");
    /// tokio::time::sleep(Duration::from_secs(1)).await;
    /// assert_eq!(map.purge_expired(), 2);
    /// assert_eq!(map.len(), 0);
    /// # }
    /// ```
    pub fn purge_expired(&mut self) -> usize {
        if self.ttl.is_none() {
            return 0;
        }
        self.purge_at(Instant::now())
    }

    pub(crate) fn purge_at(&mut self, now: Instant) -> usize {
        let mut purged = 0;
        while let Some((deadline, _)) = self.queue.front() {
            if *deadline > now {
                break;
            }
            let (deadline, key) = self.queue.pop_front().expect("front exists");
            // Only remove the entry this queue item was made for: a later insert of the
            // same key has a later deadline and its own queue item.
            let current = self.map.peek(&key).and_then(|t| t.deadline);
            if current == Some(deadline) {
                self.map.remove(&key);
                purged += 1;
            }
        }
        purged
    }

    /// The earliest instant at which an entry may expire (`None` when nothing expires).
    ///
    /// The instant can be earlier than the real next expiry when an entry was replaced or
    /// removed since; it is never later.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let mut map = ayutil::TtlLruMap::unbounded(Duration::from_secs(5));
    /// assert_eq!(map.next_expiry(), None);
    /// let now = tokio::time::Instant::now();
    /// map.insert(1, 1);
    /// assert_eq!(map.next_expiry(), Some(now + Duration::from_secs(5)));
    /// # }
    /// ```
    pub fn next_expiry(&self) -> Option<Instant> {
        self.queue.front().map(|(deadline, _)| *deadline)
    }

    fn is_live(timed: &Timed<V>, now: Instant) -> bool {
        timed.deadline.is_none_or(|d| d > now)
    }

    /// The value of `key` if present and not expired, without refreshing its recency.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut map = ayutil::TtlLruMap::unbounded(Duration::from_secs(60));
    /// map.insert("k", 1);
    /// assert_eq!(map.peek("k"), Some(&1));
    /// ```
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let timed = self.map.peek(key)?;
        let live = self.ttl.is_none() || Self::is_live(timed, Instant::now());
        live.then_some(&timed.value)
    }

    /// The value of `key` if present and not expired, made the most recently used.
    ///
    /// Removes expired entries first.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{num::NonZeroUsize, time::Duration};
    /// let mut map = ayutil::TtlLruMap::new(Duration::from_secs(60), NonZeroUsize::new(2).unwrap());
    /// map.insert(1, "a");
    /// map.insert(2, "b");
    /// map.get(&1);
    /// map.insert(3, "c"); // evicts 2: 1 was used more recently
    /// assert_eq!(map.peek(&2), None);
    /// assert_eq!(map.peek(&1), Some(&"a"));
    /// ```
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.purge_expired();
        self.map.get(key).map(|t| &t.value)
    }

    /// Like [`get`](Self::get) at a given instant; counts what it purged into `purged`.
    pub(crate) fn get_at<Q>(
        &mut self,
        key: &Q,
        now: Option<Instant>,
        purged: &mut usize,
    ) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(now) = now {
            *purged += self.purge_at(now);
        }
        self.map.get(key).map(|t| &t.value)
    }

    /// Inserts or replaces `key` with a fresh deadline, making it the most recently used;
    /// returns the live value it replaced. Removes expired entries first; a new key in a
    /// full map evicts the least recently used entry.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut map = ayutil::TtlLruMap::unbounded(Duration::from_secs(60));
    /// assert_eq!(map.insert(1, "a"), None);
    /// assert_eq!(map.insert(1, "b"), Some("a"));
    /// ```
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let now = Instant::now();
        self.purge_at(now);
        self.insert_at(key, value, Some(now)).0
    }

    /// Inserts at `now` (the caller purged; `now` may be `None` only without a ttl);
    /// returns the replaced value and whether an entry was evicted for room.
    pub(crate) fn insert_at(
        &mut self,
        key: K,
        value: V,
        now: Option<Instant>,
    ) -> (Option<V>, bool) {
        let deadline = self.ttl.map(|ttl| now.unwrap_or_else(Instant::now) + ttl);
        if let Some(deadline) = deadline {
            self.queue.push_back((deadline, key.clone()));
        }
        let (old, evicted) = self.map.insert_evicting(key, Timed { value, deadline });
        (old.map(|t| t.value), evicted.is_some())
    }

    /// Removes `key`; returns its value if it had not expired.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut map = ayutil::TtlLruMap::unbounded(Duration::from_secs(60));
    /// map.insert(1, "a");
    /// assert_eq!(map.remove(&1), Some("a"));
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let timed = self.map.remove(key)?;
        let live = self.ttl.is_none() || Self::is_live(&timed, Instant::now());
        live.then_some(timed.value)
    }

    /// Entries from the most to the least recently used, skipping expired ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut map = ayutil::TtlLruMap::unbounded(Duration::from_secs(60));
    /// map.insert(1, 'a');
    /// map.insert(2, 'b');
    /// assert_eq!(map.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [2, 1]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        let now = Instant::now();
        self.map
            .iter()
            .filter(move |(_, t)| Self::is_live(t, now))
            .map(|(k, t)| (k, &t.value))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for TtlLruMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TtlLruMap")
            .field("ttl", &self.ttl)
            .field(
                "entries",
                &self
                    .map
                    .iter()
                    .map(|(k, t)| (k, &t.value))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}
