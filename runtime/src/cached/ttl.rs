//! [`TtlLruMap`]: an [`LruMap`] whose entries also expire a fixed time after insertion.

use std::borrow::Borrow;
use std::fmt;
use std::hash::Hash;
use std::num::NonZeroUsize;
use std::time::Duration;

use tokio::time::Instant;

use super::lru::{Inserted, LruMap, NIL};
use crate::rt::time::{deadline_after, finite};

/// A value, the instant it stops being served, and its place in the expiry list.
struct Timed<V> {
    value: V,
    /// `None`: never expires (no ttl, or a deadline beyond the clock's range). Such an
    /// entry is not in the expiry list.
    deadline: Option<Instant>,
    /// Slot of the entry expiring just before this one, or `NIL`.
    sooner: usize,
    /// Slot of the entry expiring just after this one, or `NIL`.
    later: usize,
}

/// An [`LruMap`] whose entries expire `ttl` after they were inserted.
///
/// Recency works as in [`LruMap`] (a read refreshes it); expiry does not: the deadline is
/// fixed when the value is inserted and a read never extends it. Expired entries are never
/// returned. They are removed, without anyone reading them, by every `&mut self` read or
/// write (in O(1) per removed entry: the entries are linked in deadline order, soonest
/// first) and by [`purge_expired`](Self::purge_expired). An entry that leaves the map
/// early (evicted, replaced, removed) leaves nothing behind, so memory follows the entries
/// the map holds, never the keys it has seen. [`len`](Self::len) may count expired entries
/// that no call has removed yet.
///
/// Extreme ttls: `Duration::MAX`, or any ttl that carries a deadline past the range of
/// [`Instant`], means "never expires"; `Duration::ZERO` means every entry is expired the
/// moment it is inserted, so an insert stores nothing (it still removes the key's
/// previous entry).
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
    /// Slot of the entry with the soonest deadline, or `NIL`.
    soonest: usize,
    /// Slot of the entry with the latest deadline, or `NIL`.
    latest: usize,
    /// `None`: entries never expire.
    ttl: Option<Duration>,
}

impl<K: Hash + Eq + Clone, V> TtlLruMap<K, V> {
    /// A map whose entries live `ttl` and that holds at most `capacity` entries.
    ///
    /// `Duration::MAX` means entries never expire; `Duration::ZERO` means nothing is ever
    /// stored; `NonZeroUsize::MAX` means no capacity (nothing is reserved up front).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{num::NonZeroUsize, time::Duration};
    /// let map = ayutil::TtlLruMap::<u8, u8>::new(Duration::from_secs(1), NonZeroUsize::new(4).unwrap());
    /// assert_eq!(map.ttl(), Duration::from_secs(1));
    /// ```
    pub fn new(ttl: Duration, capacity: NonZeroUsize) -> Self {
        Self::with_options(Some(ttl), Some(capacity))
    }

    /// A map whose entries live `ttl`, without a capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let map = ayutil::TtlLruMap::<u8, u8>::unbounded(Duration::from_millis(500));
    /// assert_eq!(map.capacity(), None);
    /// ```
    pub fn unbounded(ttl: Duration) -> Self {
        Self::with_options(Some(ttl), None)
    }

    /// The cache store's constructor: `ttl` may be absent (entries never expire).
    pub(crate) fn with_options(ttl: Option<Duration>, capacity: Option<NonZeroUsize>) -> Self {
        Self {
            map: LruMap::with_optional_capacity(capacity),
            soonest: NIL,
            latest: NIL,
            ttl: ttl.and_then(finite),
        }
    }

    /// How long an entry lives after insertion (`Duration::MAX`: forever).
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
        self.soonest = NIL;
        self.latest = NIL;
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

    /// Removes the entries whose deadline is at or before `now`, soonest first.
    pub(crate) fn purge_at(&mut self, now: Instant) -> usize {
        let mut purged = 0;
        while self.soonest != NIL {
            let timed = self.map.value_at(self.soonest);
            if timed.deadline.is_some_and(|deadline| deadline > now) {
                break;
            }
            let (_, timed) = self.map.remove_at(self.soonest);
            self.unlink(&timed);
            purged += 1;
        }
        purged
    }

    /// The instant at which the next entry expires (`None` when none ever does).
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
        if self.soonest == NIL {
            return None;
        }
        self.map.value_at(self.soonest).deadline
    }

    fn is_live(timed: &Timed<V>, now: Instant) -> bool {
        timed.deadline.is_none_or(|d| d > now)
    }

    /// Takes an entry that left the map out of the expiry list.
    fn unlink(&mut self, timed: &Timed<V>) {
        if timed.deadline.is_none() {
            return;
        }
        match timed.sooner {
            NIL => self.soonest = timed.later,
            sooner => self.map.value_at_mut(sooner).later = timed.later,
        }
        match timed.later {
            NIL => self.latest = timed.sooner,
            later => self.map.value_at_mut(later).sooner = timed.sooner,
        }
    }

    /// Appends the entry in slot `at` to the expiry list, as the latest.
    fn link_latest(&mut self, at: usize) {
        let latest = self.latest;
        let timed = self.map.value_at_mut(at);
        timed.sooner = latest;
        timed.later = NIL;
        match latest {
            NIL => self.soonest = at,
            latest => self.map.value_at_mut(latest).later = at,
        }
        self.latest = at;
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
        Self::is_live(timed, Instant::now()).then_some(&timed.value)
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
    /// With a zero ttl nothing is stored: the entry would be expired at once (the key's
    /// previous entry is still removed).
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
    /// returns the replaced live value and whether an entry was evicted for room.
    pub(crate) fn insert_at(
        &mut self,
        key: K,
        value: V,
        now: Option<Instant>,
    ) -> (Option<V>, bool) {
        let Some(ttl) = self.ttl else {
            let inserted = self.map.insert_slot(key, Self::timed(value, None));
            return (inserted.replaced.map(|t| t.value), inserted.evicted.is_some());
        };
        let now = now.unwrap_or_else(Instant::now);
        if ttl.is_zero() {
            // Expired on arrival: keep nothing, not even the key's older value.
            let replaced = self.map.remove(&key);
            if let Some(timed) = &replaced {
                self.unlink(timed);
            }
            return (None, false);
        }
        let mut deadline = deadline_after(now, ttl);
        // Callers read the clock before taking the map's lock, so two of them can arrive
        // slightly out of order: keep the list sorted by never going before the latest.
        if let (Some(at), Some(latest)) = (deadline, self.latest_deadline()) {
            deadline = Some(at.max(latest));
        }
        let Inserted {
            slot,
            replaced,
            evicted,
        } = self.map.insert_slot(key, Self::timed(value, deadline));
        // The evicted entry's slot may be the one just filled: unlink it first.
        if let Some((_, timed)) = &evicted {
            self.unlink(timed);
        }
        if let Some(timed) = &replaced {
            self.unlink(timed);
        }
        if deadline.is_some() {
            self.link_latest(slot);
        }
        let replaced = replaced.filter(|t| Self::is_live(t, now)).map(|t| t.value);
        (replaced, evicted.is_some())
    }

    fn timed(value: V, deadline: Option<Instant>) -> Timed<V> {
        Timed {
            value,
            deadline,
            sooner: NIL,
            later: NIL,
        }
    }

    fn latest_deadline(&self) -> Option<Instant> {
        if self.latest == NIL {
            return None;
        }
        self.map.value_at(self.latest).deadline
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
        self.unlink(&timed);
        Self::is_live(&timed, Instant::now()).then_some(timed.value)
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

    /// Number of entries in the expiry list, walked from the soonest deadline; checks the
    /// links both ways and the deadline order on the way.
    #[cfg(test)]
    fn expiry_queue_len(&self) -> usize {
        let (mut at, mut before, mut count) = (self.soonest, NIL, 0);
        let mut last = None;
        while at != NIL {
            let timed = self.map.value_at(at);
            assert_eq!(timed.sooner, before, "back link");
            assert!(timed.deadline >= last, "deadline order");
            last = timed.deadline;
            (before, at) = (at, timed.later);
            count += 1;
        }
        assert_eq!(self.latest, before, "latest");
        count
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

#[cfg(test)]
mod tests {
    use super::*;

    const OPS: u64 = 1_000_000;

    fn cap(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).unwrap()
    }

    // Regression: every insert queued a deadline and only expired ones left the queue, so
    // a million distinct keys through a map of 1000 kept a million queued deadlines.
    #[test]
    fn evicted_keys_leave_no_deadline_behind() {
        let mut map = TtlLruMap::new(Duration::from_secs(3600), cap(1000));
        let now = Instant::now();
        for key in 0..OPS {
            map.purge_at(now);
            map.insert_at(key, key, Some(now));
        }
        assert_eq!(map.len(), 1000);
        assert_eq!(map.expiry_queue_len(), 1000);
        assert_eq!(map.map.slots(), 1000);
    }

    // Regression: re-inserting one key a million times queued a million deadlines.
    #[test]
    fn overwritten_keys_leave_no_deadline_behind() {
        let mut map = TtlLruMap::new(Duration::from_secs(3600), cap(1000));
        let now = Instant::now();
        for value in 0..OPS {
            map.insert_at(7, value, Some(now));
        }
        assert_eq!(map.len(), 1);
        assert_eq!(map.expiry_queue_len(), 1);
        assert_eq!(map.map.slots(), 1);
    }

    // Regression: removed keys stayed queued until their deadline.
    #[test]
    fn removed_keys_leave_no_deadline_behind() {
        let mut map = TtlLruMap::unbounded(Duration::from_secs(3600));
        let now = Instant::now();
        for key in 0..OPS {
            map.insert_at(key, (), Some(now));
            map.remove(&key);
        }
        assert!(map.is_empty());
        assert_eq!(map.expiry_queue_len(), 0);
        assert_eq!(map.map.slots(), 1);
    }
}
