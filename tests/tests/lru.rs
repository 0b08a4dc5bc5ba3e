//! `LruMap` and `TtlLruMap`: every recency rule, eviction order, expiry, and a model check.

use std::num::NonZeroUsize;
use std::time::Duration;

use ayutil::{LruMap, TtlLruMap};

fn cap(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

/// Keys from most to least recently used.
fn order<V>(map: &LruMap<u32, V>) -> Vec<u32> {
    map.keys().copied().collect()
}

#[test]
fn insert_makes_most_recent_and_evicts_least_recent() {
    let mut map = LruMap::new(cap(3));
    for k in 1..=3 {
        map.insert(k, k * 10);
    }
    assert_eq!(order(&map), [3, 2, 1]);
    assert_eq!(map.insert_evicting(4, 40), (None, Some((1, 10))));
    assert_eq!(order(&map), [4, 3, 2]);
}

#[test]
fn get_refreshes() {
    let mut map = LruMap::new(cap(2));
    map.insert(1, 'a');
    map.insert(2, 'b');
    assert_eq!(map.get(&1), Some(&'a'));
    map.insert(3, 'c');
    assert_eq!(order(&map), [3, 1]);
}

#[test]
fn get_mut_refreshes() {
    let mut map = LruMap::new(cap(2));
    map.insert(1, 0);
    map.insert(2, 0);
    *map.get_mut(&1).unwrap() += 5;
    map.insert(3, 0);
    assert_eq!(order(&map), [3, 1]);
    assert_eq!(map.peek(&1), Some(&5));
}

#[test]
fn replacing_a_key_refreshes_and_never_evicts() {
    let mut map = LruMap::new(cap(2));
    map.insert(1, "a");
    map.insert(2, "b");
    assert_eq!(map.insert_evicting(1, "A"), (Some("a"), None));
    assert_eq!(order(&map), [1, 2]);
    map.insert(3, "c");
    assert_eq!(order(&map), [3, 1]);
}

#[test]
fn peek_contains_and_iteration_do_not_refresh() {
    let mut map = LruMap::new(cap(2));
    map.insert(1, ());
    map.insert(2, ());
    assert!(map.peek(&1).is_some());
    assert!(map.contains_key(&1));
    assert_eq!(map.iter().count(), 2);
    assert_eq!(map.peek_lru(), Some((&1, &())));
    map.insert(3, ());
    assert!(!map.contains_key(&1));
}

#[test]
fn remove_pop_and_clear() {
    let mut map = LruMap::new(cap(3));
    for k in 1..=3 {
        map.insert(k, k);
    }
    assert_eq!(map.remove(&2), Some(2));
    assert_eq!(map.remove(&2), None);
    assert_eq!(order(&map), [3, 1]);
    assert_eq!(map.pop_lru(), Some((1, 1)));
    assert_eq!(map.pop_lru(), Some((3, 3)));
    assert_eq!(map.pop_lru(), None);
    map.insert(9, 9);
    map.clear();
    assert!(map.is_empty());
    assert_eq!(map.peek_lru(), None);
    map.insert(5, 5);
    assert_eq!(order(&map), [5]);
}

#[test]
fn capacity_one() {
    let mut map = LruMap::new(cap(1));
    map.insert("a", 1);
    assert_eq!(map.insert_evicting("b", 2), (None, Some(("a", 1))));
    assert_eq!(map.len(), 1);
    assert_eq!(map.get("b"), Some(&2));
}

#[test]
fn borrowed_lookups() {
    let mut map = LruMap::unbounded();
    map.insert(String::from("key"), 1);
    assert_eq!(map.get("key"), Some(&1));
    assert_eq!(map.remove("key"), Some(1));
}

/// Deterministic pseudo-random numbers (xorshift), so the model check is reproducible.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn matches_a_vec_model_over_many_operations() {
    // The model: a Vec of (key, value), most recent first.
    let capacity = 8;
    let mut map = LruMap::new(cap(capacity));
    let mut model: Vec<(u64, u64)> = Vec::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for step in 0..20_000u64 {
        let key = rng.below(16);
        match rng.below(5) {
            0 | 1 => {
                let evicted = map.insert_evicting(key, step);
                let old = model
                    .iter()
                    .position(|(k, _)| *k == key)
                    .map(|i| model.remove(i).1);
                let mut model_evicted = None;
                if old.is_none() && model.len() == capacity {
                    model_evicted = model.pop();
                }
                model.insert(0, (key, step));
                assert_eq!(evicted, (old, model_evicted), "insert at step {step}");
            }
            2 => {
                let got = map.get(&key).copied();
                let expected = model.iter().position(|(k, _)| *k == key).map(|i| {
                    let entry = model.remove(i);
                    model.insert(0, entry);
                    entry.1
                });
                assert_eq!(got, expected, "get at step {step}");
            }
            3 => {
                let got = map.remove(&key);
                let expected = model
                    .iter()
                    .position(|(k, _)| *k == key)
                    .map(|i| model.remove(i).1);
                assert_eq!(got, expected, "remove at step {step}");
            }
            _ => {
                let got = map.peek(&key).copied();
                let expected = model.iter().find(|(k, _)| *k == key).map(|e| e.1);
                assert_eq!(got, expected, "peek at step {step}");
            }
        }
        let keys: Vec<u64> = map.keys().copied().collect();
        let model_keys: Vec<u64> = model.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, model_keys, "order after step {step}");
    }
}

#[tokio::test(start_paused = true)]
async fn ttl_entries_expire_and_reads_do_not_extend_them() {
    let mut map = TtlLruMap::unbounded(Duration::from_secs(10));
    map.insert(1, "a");
    tokio::time::sleep(Duration::from_secs(5)).await;
    map.insert(2, "b");
    assert_eq!(map.get(&1), Some(&"a"));
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(map.get(&1), None, "expired at 10s despite the read at 5s");
    assert_eq!(map.peek(&2), Some(&"b"));
    assert_eq!(map.len(), 1, "the get purged the expired entry");
}

#[tokio::test(start_paused = true)]
async fn reinserting_restarts_the_deadline() {
    let mut map = TtlLruMap::unbounded(Duration::from_secs(10));
    map.insert(1, "old");
    tokio::time::sleep(Duration::from_secs(8)).await;
    map.insert(1, "new");
    tokio::time::sleep(Duration::from_secs(3)).await;
    // The first deadline passed; its stale queue item must not remove the new value.
    assert_eq!(map.purge_expired(), 0);
    assert_eq!(map.get(&1), Some(&"new"));
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(map.purge_expired(), 1);
    assert!(map.is_empty());
}

#[tokio::test(start_paused = true)]
async fn expired_entries_are_purged_by_writes_to_other_keys() {
    let mut map = TtlLruMap::unbounded(Duration::from_secs(1));
    for k in 0..1000 {
        map.insert(k, k);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    map.insert(5000, 0);
    assert_eq!(map.len(), 1, "dead keys are gone without being read");
}

#[tokio::test(start_paused = true)]
async fn ttl_map_keeps_lru_rules() {
    let mut map = TtlLruMap::new(Duration::from_secs(60), cap(2));
    map.insert(1, ());
    map.insert(2, ());
    map.get(&1);
    map.insert(3, ());
    assert_eq!(map.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [3, 1]);
    assert_eq!(map.remove(&3), Some(()));
    assert_eq!(map.peek(&2), None);
}

#[tokio::test(start_paused = true)]
async fn next_expiry_follows_the_queue() {
    let start = tokio::time::Instant::now();
    let mut map = TtlLruMap::unbounded(Duration::from_secs(4));
    map.insert("a", 1);
    tokio::time::sleep(Duration::from_secs(1)).await;
    map.insert("b", 2);
    assert_eq!(map.next_expiry(), Some(start + Duration::from_secs(4)));
    tokio::time::sleep(Duration::from_secs(3)).await;
    map.purge_expired();
    assert_eq!(map.next_expiry(), Some(start + Duration::from_secs(5)));
}

#[tokio::test(start_paused = true)]
async fn ttl_map_matches_a_vec_model_over_many_operations() {
    use tokio::time::Instant;
    // The model: (key, value, deadline), most recent first; `&mut` reads and writes
    // purge what expired first, `remove` and `peek` do not.
    let (capacity, ttl) = (6, Duration::from_secs(5));
    let mut map = TtlLruMap::new(ttl, cap(capacity));
    let mut model: Vec<(u64, u64, Instant)> = Vec::new();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for step in 0..20_000u64 {
        let key = rng.below(12);
        let now = Instant::now();
        let purge = |model: &mut Vec<(u64, u64, Instant)>| {
            let before = model.len();
            model.retain(|e| e.2 > now);
            before - model.len()
        };
        match rng.below(7) {
            0 | 1 => {
                purge(&mut model);
                let old = model
                    .iter()
                    .position(|e| e.0 == key)
                    .map(|i| model.remove(i).1);
                if old.is_none() && model.len() == capacity {
                    model.pop();
                }
                model.insert(0, (key, step, now + ttl));
                assert_eq!(map.insert(key, step), old, "insert at step {step}");
            }
            2 => {
                purge(&mut model);
                let expected = model.iter().position(|e| e.0 == key).map(|i| {
                    let entry = model.remove(i);
                    model.insert(0, entry);
                    entry.1
                });
                assert_eq!(map.get(&key).copied(), expected, "get at step {step}");
            }
            3 => {
                let expected = model
                    .iter()
                    .position(|e| e.0 == key)
                    .map(|i| model.remove(i))
                    .filter(|e| e.2 > now)
                    .map(|e| e.1);
                assert_eq!(map.remove(&key), expected, "remove at step {step}");
            }
            4 => {
                let expected = model.iter().find(|e| e.0 == key && e.2 > now).map(|e| e.1);
                assert_eq!(map.peek(&key).copied(), expected, "peek at step {step}");
            }
            5 => {
                let purged = purge(&mut model);
                assert_eq!(map.purge_expired(), purged, "purge at step {step}");
            }
            _ => tokio::time::advance(Duration::from_millis(rng.below(3000))).await,
        }
        assert_eq!(map.len(), model.len(), "len after step {step}");
        assert_eq!(
            map.next_expiry(),
            model.iter().map(|e| e.2).min(),
            "next expiry after step {step}"
        );
        let now = Instant::now();
        let live: Vec<u64> = map.iter().map(|(k, _)| *k).collect();
        let model_live: Vec<u64> = model.iter().filter(|e| e.2 > now).map(|e| e.0).collect();
        assert_eq!(live, model_live, "live keys after step {step}");
    }
}

// Regression: `Duration::MAX` panicked on the first insert ("overflow when adding duration
// to instant"); it means that entries never expire.
#[tokio::test(start_paused = true)]
async fn ttl_max_never_expires() {
    let mut map = TtlLruMap::new(Duration::MAX, cap(2));
    assert_eq!(map.ttl(), Duration::MAX);
    assert_eq!(map.insert(1, "a"), None);
    assert_eq!(map.insert(1, "b"), Some("a"));
    assert_eq!(map.next_expiry(), None, "nothing ever expires");
    tokio::time::advance(Duration::from_secs(100 * 365 * 24 * 3600)).await;
    assert_eq!(map.get(&1), Some(&"b"));
    assert_eq!(map.purge_expired(), 0);
    map.insert(2, "c");
    map.insert(3, "d");
    assert_eq!(map.len(), 2, "the capacity still holds");
    assert_eq!(map.peek(&1), None);
}

#[tokio::test(start_paused = true)]
async fn a_ttl_beyond_the_clock_range_never_expires() {
    // Any duration that carries the clock past the range of `Instant` means "never".
    for ttl in [
        Duration::from_secs(u64::MAX),
        Duration::from_secs(200_000_000_000_000 * 86_400),
    ] {
        let mut map = TtlLruMap::unbounded(ttl);
        map.insert("k", 1);
        assert_eq!(map.next_expiry(), None);
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert_eq!(map.get("k"), Some(&1));
    }
}

#[tokio::test(start_paused = true)]
async fn a_zero_ttl_stores_nothing() {
    // Every entry would be expired the moment it is inserted: none is kept.
    let mut map = TtlLruMap::new(Duration::ZERO, cap(1));
    assert_eq!(map.ttl(), Duration::ZERO);
    assert_eq!(map.insert(1, "a"), None);
    assert_eq!(map.get(&1), None);
    assert_eq!(map.peek(&1), None);
    assert!(map.is_empty());
    assert_eq!(map.insert(1, "b"), None, "nothing live was replaced");
    assert_eq!(map.next_expiry(), None);
    assert_eq!(map.remove(&1), None);
    assert_eq!(map.purge_expired(), 0);
    let mut unbounded = TtlLruMap::unbounded(Duration::ZERO);
    for k in 0..1000 {
        unbounded.insert(k, k);
    }
    assert!(unbounded.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_one_nanosecond_ttl_lives_until_the_clock_moves() {
    let mut map = TtlLruMap::new(Duration::from_nanos(1), cap(1));
    map.insert(1, "a");
    assert_eq!(map.peek(&1), Some(&"a"), "alive at its insertion instant");
    tokio::time::advance(Duration::from_nanos(1)).await;
    assert_eq!(map.get(&1), None);
    assert!(map.is_empty());
}

#[tokio::test(start_paused = true)]
async fn ttl_map_with_capacity_one() {
    let mut map = TtlLruMap::new(Duration::from_secs(10), cap(1));
    map.insert(1, "a");
    tokio::time::advance(Duration::from_secs(5)).await;
    map.insert(2, "b");
    assert_eq!(map.len(), 1);
    assert_eq!(map.peek(&1), None);
    assert_eq!(
        map.next_expiry(),
        Some(tokio::time::Instant::now() + Duration::from_secs(10)),
        "the evicted entry's deadline is gone with it"
    );
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(map.purge_expired(), 1);
    assert!(map.is_empty());
}

#[test]
fn capacity_max_is_unbounded_and_allocates_nothing_up_front() {
    // A map that reserved room for `usize::MAX` entries would abort here.
    let mut map = LruMap::new(NonZeroUsize::MAX);
    assert_eq!(map.capacity(), Some(NonZeroUsize::MAX));
    for k in 0..10_000u32 {
        assert_eq!(map.insert_evicting(k, k), (None, None));
    }
    assert_eq!(map.len(), 10_000);
    assert_eq!(map.peek_lru(), Some((&0, &0)));

    let mut timed = TtlLruMap::new(Duration::MAX, NonZeroUsize::MAX);
    for k in 0..10_000u32 {
        timed.insert(k, k);
    }
    assert_eq!(timed.len(), 10_000);
}

#[tokio::test(start_paused = true)]
async fn next_expiry_is_exact_after_removals_and_replacements() {
    let start = tokio::time::Instant::now();
    let mut map = TtlLruMap::unbounded(Duration::from_secs(10));
    map.insert("a", 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    map.insert("b", 2);
    tokio::time::advance(Duration::from_secs(1)).await;
    map.insert("c", 3);
    map.remove("a");
    assert_eq!(map.next_expiry(), Some(start + Duration::from_secs(11)));
    map.insert("b", 20);
    assert_eq!(map.next_expiry(), Some(start + Duration::from_secs(12)));
    map.clear();
    assert_eq!(map.next_expiry(), None);
}
