//! [`LruMap`]: a map that forgets its least recently used entry when full.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::num::NonZeroUsize;

/// Index meaning "no node" in the recency list (and in `TtlLruMap`'s expiry list).
pub(super) const NIL: usize = usize::MAX;

/// One slot of the slab that backs the recency list.
struct Node<K, V> {
    /// `None` while the slot sits on the free list.
    entry: Option<(K, V)>,
    /// Towards the most recently used end.
    prev: usize,
    /// Towards the least recently used end.
    next: usize,
}

/// A hash map with a capacity that evicts the least recently *used* entry.
///
/// Every [`get`](Self::get), [`get_mut`](Self::get_mut) and [`insert`](Self::insert) moves
/// the entry to the most recently used end; [`peek`](Self::peek) and
/// [`contains_key`](Self::contains_key) look without refreshing. When an insert of a new key
/// finds the map full, the least recently used entry is removed first. All operations are
/// O(1): entries live in a slab linked in recency order, indexed by a `HashMap`.
///
/// Unlike the Python original (`lru.py`, which refreshes only on insert), a read refreshes
/// recency. The map is written in safe Rust; the `lru` crate was not used because it is
/// built on raw pointers and because the TTL variant ([`TtlLruMap`](crate::TtlLruMap)) needs
/// to know which entries an insert evicts.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use ayutil::LruMap;
///
/// let mut map = LruMap::new(NonZeroUsize::new(2).unwrap());
/// map.insert("a", 1);
/// map.insert("b", 2);
/// assert_eq!(map.get("a"), Some(&1)); // "a" is now the most recently used
/// map.insert("c", 3); // evicts "b", the least recently used
/// assert!(!map.contains_key("b"));
/// assert_eq!(map.keys().copied().collect::<Vec<_>>(), ["c", "a"]);
/// ```
pub struct LruMap<K, V> {
    index: HashMap<K, usize>,
    nodes: Vec<Node<K, V>>,
    free: Vec<usize>,
    /// Most recently used.
    head: usize,
    /// Least recently used.
    tail: usize,
    capacity: Option<NonZeroUsize>,
}

impl<K, V> LruMap<K, V> {
    /// An empty map that holds at most `capacity` entries.
    ///
    /// Nothing is reserved up front: the map grows with its entries, so
    /// `NonZeroUsize::MAX` is a map without a capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let map = ayutil::LruMap::<u32, u32>::new(NonZeroUsize::new(8).unwrap());
    /// assert_eq!(map.capacity().map(NonZeroUsize::get), Some(8));
    /// ```
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self::with_optional_capacity(Some(capacity))
    }

    /// An empty map without a capacity: it never evicts, but still tracks recency.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// for i in 0..1000 {
    ///     map.insert(i, i);
    /// }
    /// assert_eq!(map.len(), 1000);
    /// assert_eq!(map.peek_lru(), Some((&0, &0)));
    /// ```
    pub fn unbounded() -> Self {
        Self::with_optional_capacity(None)
    }

    pub(crate) fn with_optional_capacity(capacity: Option<NonZeroUsize>) -> Self {
        Self {
            index: HashMap::new(),
            nodes: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            capacity,
        }
    }

    /// The capacity given at construction, `None` when unbounded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ayutil::LruMap::<u8, u8>::unbounded().capacity(), None);
    /// ```
    pub fn capacity(&self) -> Option<NonZeroUsize> {
        self.capacity
    }

    /// Number of entries.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert(1, "one");
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the map has no entry.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ayutil::LruMap::<u8, u8>::unbounded().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Removes every entry (the capacity stays).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert(1, 1);
    /// map.clear();
    /// assert!(map.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.index.clear();
        self.nodes.clear();
        self.free.clear();
        self.head = NIL;
        self.tail = NIL;
    }

    /// The least recently used entry, without refreshing it.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert("old", 1);
    /// map.insert("new", 2);
    /// assert_eq!(map.peek_lru(), Some((&"old", &1)));
    /// ```
    pub fn peek_lru(&self) -> Option<(&K, &V)> {
        self.entry_at(self.tail)
    }

    /// Entries from the most to the least recently used, without refreshing them.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert(1, 'a');
    /// map.insert(2, 'b');
    /// assert_eq!(map.iter().collect::<Vec<_>>(), [(&2, &'b'), (&1, &'a')]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        let mut at = self.head;
        std::iter::from_fn(move || {
            let entry = self.entry_at(at)?;
            at = self.nodes[at].next;
            Some(entry)
        })
    }

    /// Keys from the most to the least recently used, without refreshing them.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert(1, ());
    /// map.insert(2, ());
    /// assert_eq!(map.keys().copied().collect::<Vec<_>>(), [2, 1]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &K> + '_ {
        self.iter().map(|(k, _)| k)
    }

    fn entry_at(&self, at: usize) -> Option<(&K, &V)> {
        let (k, v) = self.nodes.get(at)?.entry.as_ref()?;
        Some((k, v))
    }

    /// Unlinks node `at` from the recency list (the slot keeps its entry).
    fn unlink(&mut self, at: usize) {
        let (prev, next) = (self.nodes[at].prev, self.nodes[at].next);
        match prev {
            NIL => self.head = next,
            p => self.nodes[p].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.nodes[n].prev = prev,
        }
    }

    /// Links node `at` at the most recently used end.
    fn push_front(&mut self, at: usize) {
        self.nodes[at].prev = NIL;
        self.nodes[at].next = self.head;
        match self.head {
            NIL => self.tail = at,
            h => self.nodes[h].prev = at,
        }
        self.head = at;
    }

    fn touch(&mut self, at: usize) {
        if self.head != at {
            self.unlink(at);
            self.push_front(at);
        }
    }

    /// Unlinks node `at`, frees its slot and returns its entry.
    fn take(&mut self, at: usize) -> (K, V) {
        self.unlink(at);
        self.free.push(at);
        self.nodes[at]
            .entry
            .take()
            .expect("linked LruMap node holds an entry")
    }
}

impl<K: Hash + Eq, V> LruMap<K, V> {
    /// Whether `key` is present, without refreshing it.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert(String::from("k"), 1);
    /// assert!(map.contains_key("k"));
    /// ```
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index.contains_key(key)
    }

    /// The value of `key`, without refreshing it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut map = ayutil::LruMap::new(NonZeroUsize::new(2).unwrap());
    /// map.insert(1, "a");
    /// map.insert(2, "b");
    /// assert_eq!(map.peek(&1), Some(&"a")); // 1 stays the least recently used
    /// map.insert(3, "c");
    /// assert_eq!(map.peek(&1), None);
    /// ```
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let at = *self.index.get(key)?;
        self.entry_at(at).map(|(_, v)| v)
    }

    /// The value of `key`, made the most recently used.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert(1, "a");
    /// map.insert(2, "b");
    /// assert_eq!(map.get(&1), Some(&"a"));
    /// assert_eq!(map.keys().copied().collect::<Vec<_>>(), [1, 2]);
    /// ```
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let at = *self.index.get(key)?;
        self.touch(at);
        self.entry_at(at).map(|(_, v)| v)
    }

    /// A mutable reference to the value of `key`, made the most recently used.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert("hits", 0);
    /// *map.get_mut("hits").unwrap() += 1;
    /// assert_eq!(map.peek("hits"), Some(&1));
    /// ```
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let at = *self.index.get(key)?;
        self.touch(at);
        self.nodes[at].entry.as_mut().map(|(_, v)| v)
    }

    /// Removes `key` and returns its value.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert(1, "a");
    /// assert_eq!(map.remove(&1), Some("a"));
    /// assert_eq!(map.remove(&1), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let at = self.index.remove(key)?;
        Some(self.take(at).1)
    }

    /// Removes and returns the least recently used entry.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// map.insert(1, "a");
    /// map.insert(2, "b");
    /// assert_eq!(map.pop_lru(), Some((1, "a")));
    /// assert_eq!(map.len(), 1);
    /// ```
    pub fn pop_lru(&mut self) -> Option<(K, V)> {
        if self.tail == NIL {
            return None;
        }
        Some(self.remove_at(self.tail))
    }

    /// Inserts or replaces `key`, making it the most recently used; returns the value it
    /// replaced. The key is cloned once, for the index (`K: Clone`). Inserting a new key into a full map evicts the least recently used entry
    /// (use [`insert_evicting`](Self::insert_evicting) to get that entry back).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut map = ayutil::LruMap::unbounded();
    /// assert_eq!(map.insert(1, "a"), None);
    /// assert_eq!(map.insert(1, "b"), Some("a"));
    /// ```
    pub fn insert(&mut self, key: K, value: V) -> Option<V>
    where
        K: Clone,
    {
        self.insert_evicting(key, value).0
    }

    /// Like [`insert`](Self::insert), also returning the entry evicted to make room, if any.
    ///
    /// Replacing an existing key never evicts.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// let mut map = ayutil::LruMap::new(NonZeroUsize::new(1).unwrap());
    /// assert_eq!(map.insert_evicting(1, "a"), (None, None));
    /// assert_eq!(map.insert_evicting(1, "b"), (Some("a"), None));
    /// assert_eq!(map.insert_evicting(2, "c"), (None, Some((1, "b"))));
    /// ```
    pub fn insert_evicting(&mut self, key: K, value: V) -> (Option<V>, Option<(K, V)>)
    where
        K: Clone,
    {
        let inserted = self.insert_slot(key, value);
        (inserted.replaced, inserted.evicted)
    }

    /// [`insert_evicting`](Self::insert_evicting), also telling the slot the entry now
    /// occupies. The slot stays the entry's until it leaves the map; an evicted entry's
    /// slot is reused for the new one.
    pub(super) fn insert_slot(&mut self, key: K, value: V) -> Inserted<K, V>
    where
        K: Clone,
    {
        if let Some(&at) = self.index.get(&key) {
            self.touch(at);
            let slot = self.nodes[at]
                .entry
                .as_mut()
                .expect("indexed node holds an entry");
            return Inserted {
                slot: at,
                replaced: Some(std::mem::replace(&mut slot.1, value)),
                evicted: None,
            };
        }
        let evicted = match self.capacity {
            Some(cap) if self.index.len() >= cap.get() => self.pop_lru(),
            _ => None,
        };
        let node = Node {
            entry: None,
            prev: NIL,
            next: NIL,
        };
        let at = match self.free.pop() {
            Some(at) => {
                self.nodes[at] = node;
                at
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        };
        self.index.insert(key.clone(), at);
        self.nodes[at].entry = Some((key, value));
        self.push_front(at);
        Inserted {
            slot: at,
            replaced: None,
            evicted,
        }
    }

    /// The value in slot `at`, which must hold an entry.
    pub(super) fn value_at(&self, at: usize) -> &V {
        &self.nodes[at].entry.as_ref().expect("slot holds an entry").1
    }

    /// The value in slot `at`, which must hold an entry; recency is left alone.
    pub(super) fn value_at_mut(&mut self, at: usize) -> &mut V {
        &mut self.nodes[at].entry.as_mut().expect("slot holds an entry").1
    }

    /// Removes the entry in slot `at`, which must hold one.
    pub(super) fn remove_at(&mut self, at: usize) -> (K, V) {
        let (key, value) = self.take(at);
        self.index.remove(&key);
        (key, value)
    }

    /// Number of slots, free ones included: what the map holds in memory.
    #[cfg(test)]
    pub(super) fn slots(&self) -> usize {
        self.nodes.len()
    }
}

/// What [`LruMap::insert_slot`] did.
pub(super) struct Inserted<K, V> {
    /// The slot of the inserted entry.
    pub(super) slot: usize,
    /// The value the key had before.
    pub(super) replaced: Option<V>,
    /// The entry evicted to make room.
    pub(super) evicted: Option<(K, V)>,
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for LruMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V> Default for LruMap<K, V> {
    fn default() -> Self {
        Self::unbounded()
    }
}
