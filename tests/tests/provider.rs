//! `#[provider]` and `ProviderSpec`: fresh clones, shared `Arc`s, swapping, sync and async
//! functions and providers, methods, explicit variants.
//!
//! The expansions below are compiled under `deny(warnings, clippy::all)`.
#![deny(warnings, clippy::all)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use ayutil::{FnProvider, FreshClone, Provide, ProviderSpec, SharedArc, provider};

type Map = BTreeMap<u32, &'static str>;

fn base_map() -> Map {
    BTreeMap::from([(1, "h"), (2, "l"), (5, "test")])
}

fn assert_send_sync<T: Send + Sync>(_: &T) {}
fn assert_send<T: Send>(_: &T) {}

// ---------------------------------------------------------------- fresh clone

static FRESH: ProviderSpec<Map> = ProviderSpec::lazy(base_map);

#[provider(dic1, dic, from = FRESH)]
fn modify_fresh(key: u32, value: &'static str, mut dic1: Map) -> Map {
    dic1.insert(key, value);
    dic1
}

#[test]
fn fresh_clone_mutations_are_not_seen_by_the_next_call() {
    assert_eq!(modify_fresh(5, "a")[&5], "a");
    let second = modify_fresh(9, "b");
    assert_eq!(
        second,
        BTreeMap::from([(1, "h"), (2, "l"), (5, "test"), (9, "b")]),
        "the first call's insert leaked into the second"
    );
    assert_eq!(*FRESH.current(), base_map());
}

#[test]
fn explicit_variant_takes_the_value_and_skips_the_provider() {
    let mine = BTreeMap::from([(7, "mine")]);
    let out = modify_fresh_with(8, "x", mine);
    assert_eq!(out, BTreeMap::from([(7, "mine"), (8, "x")]));
}

// ---------------------------------------------------------------- shared Arc

static SHARED: ProviderSpec<Mutex<Map>, SharedArc> = ProviderSpec::lazy(|| Mutex::new(base_map()));

#[provider(dic1, from = SHARED)]
fn modify_shared(key: u32, value: &'static str, dic1: Arc<Mutex<Map>>) -> Arc<Mutex<Map>> {
    dic1.lock().unwrap().insert(key, value);
    dic1
}

#[test]
fn shared_gives_the_same_arc_and_mutations_persist() {
    let a = modify_shared(100, "a");
    let b = modify_shared(101, "b");
    assert!(Arc::ptr_eq(&a, &b));
    let map = b.lock().unwrap();
    assert_eq!((map[&100], map[&101]), ("a", "b"));
}

#[test]
fn spec_new_and_shared_without_the_macro() {
    let fresh = ProviderSpec::new(vec![1]);
    let mut v: Vec<i32> = fresh.provide();
    v.push(2);
    assert_eq!(fresh.provide(), vec![1]);

    let shared = ProviderSpec::shared(vec![1]);
    let x: Arc<Vec<i32>> = shared.provide();
    let y: Arc<Vec<i32>> = shared.provide();
    assert!(Arc::ptr_eq(&x, &y));
}

// ---------------------------------------------------------------- new_instance

static SWAP: ProviderSpec<String> = ProviderSpec::lazy(|| String::from("v0"));

#[provider(name, from = SWAP)]
fn first_reader(name: String) -> String {
    name
}

#[provider(label, name, from = SWAP)]
fn second_reader(prefix: &str, name: String) -> String {
    format!("{prefix}{name}")
}

#[test]
fn new_instance_is_seen_by_every_decorated_function_on_every_thread() {
    assert_eq!(first_reader(), "v0");
    std::thread::spawn(|| SWAP.new_instance(String::from("v1")))
        .join()
        .unwrap();
    let seen: Vec<(String, String)> = (0..4)
        .map(|_| std::thread::spawn(|| (first_reader(), second_reader("> "))))
        .map(|handle| handle.join().unwrap())
        .collect();
    for (a, b) in seen {
        assert_eq!((a.as_str(), b.as_str()), ("v1", "> v1"));
    }
}

#[test]
fn readers_racing_a_writer_see_whole_values_only() {
    let spec = ProviderSpec::new((0_u64, 0_u64));
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 1..=2_000 {
                spec.new_instance((i, i * 2));
            }
        });
        for _ in 0..3 {
            s.spawn(|| {
                let mut last = 0;
                for _ in 0..2_000 {
                    let (a, b): (u64, u64) = spec.provide();
                    assert_eq!(b, a * 2, "a torn value was provided");
                    assert!(a >= last, "a value older than one already seen came back");
                    last = a;
                }
            });
        }
    });
    assert_eq!(*spec.current(), (2_000, 4_000));
}

#[test]
fn shared_new_instance_replaces_the_arc_but_holders_keep_theirs() {
    let spec = ProviderSpec::shared(1);
    let old: Arc<i32> = spec.provide();
    spec.new_instance(2);
    let new: Arc<i32> = spec.provide();
    assert_eq!((*old, *new), (1, 2));
    assert!(!Arc::ptr_eq(&old, &new));
}

// ---------------------------------------------------------------- lazy

static INIT_RUNS: AtomicUsize = AtomicUsize::new(0);

fn counted_init() -> u32 {
    INIT_RUNS.fetch_add(1, Ordering::SeqCst);
    7
}

#[test]
fn lazy_init_runs_once_at_first_use() {
    static LAZY: ProviderSpec<u32> = ProviderSpec::lazy(counted_init);
    let before = INIT_RUNS.load(Ordering::SeqCst);
    let values: Vec<u32> = (0..5).map(|_| LAZY.provide()).collect();
    assert_eq!(values, [7; 5]);
    assert_eq!(INIT_RUNS.load(Ordering::SeqCst) - before, 1);
}

#[test]
fn new_instance_before_first_use_skips_init() {
    fn never() -> u32 {
        panic!("init must not run once a value was given")
    }
    let spec: ProviderSpec<u32> = ProviderSpec::lazy(never);
    spec.new_instance(3);
    assert_eq!(spec.provide(), 3);
}

#[test]
fn panicking_init_propagates_then_retries() {
    static ATTEMPTS: AtomicUsize = AtomicUsize::new(0);
    fn flaky() -> u32 {
        if ATTEMPTS.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("first init fails");
        }
        11
    }
    let spec: ProviderSpec<u32> = ProviderSpec::lazy(flaky);
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| spec.current()));
    assert!(first.is_err());
    assert_eq!(spec.provide(), 11);
    assert_eq!(ATTEMPTS.load(Ordering::SeqCst), 2);
}

// ---------------------------------------------------------------- other providers

#[provider(n, from = || 40 + 2)]
fn from_closure(n: i32) -> i32 {
    n
}

fn make_vec() -> Vec<u8> {
    vec![1, 2, 3]
}

#[provider(v, from = make_vec)]
fn from_fn_item(v: Vec<u8>) -> usize {
    v.len()
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);
static NEXT_ID: FnProvider<fn() -> usize> =
    ProviderSpec::from_fn(|| COUNTER.fetch_add(1, Ordering::SeqCst));

#[provider(id, from = NEXT_ID)]
fn from_fn_provider(id: usize) -> usize {
    id
}

static IN_LAZY_LOCK: LazyLock<ProviderSpec<Vec<i32>>> =
    LazyLock::new(|| ProviderSpec::new(vec![4, 5]));

#[provider(v, from = IN_LAZY_LOCK)]
fn from_lazy_lock(v: Vec<i32>) -> i32 {
    v.iter().sum()
}

#[test]
fn closures_fn_items_fn_providers_and_lazy_locks_are_providers() {
    assert_eq!(from_closure(), 42);
    assert_eq!(from_fn_item(), 3);
    let a = from_fn_provider();
    let b = from_fn_provider();
    assert_eq!(b, a + 1, "from_fn must call its function at every call");
    assert_eq!(from_lazy_lock(), 9);
    IN_LAZY_LOCK.new_instance(vec![1]);
    assert_eq!(from_lazy_lock(), 1);
}

// ---------------------------------------------------------------- signatures

#[provider(b, a, from = || 1)]
fn first_in_signature_order_wins(a: i32, b: i32) -> (i32, i32) {
    (a, b)
}

#[test]
fn the_first_listed_parameter_in_signature_order_is_provided() {
    // `a` comes first in the signature, so it is provided even though `b` is listed first.
    assert_eq!(first_in_signature_order_wins(9), (1, 9));
    assert_eq!(first_in_signature_order_wins_with(5, 6), (5, 6));
}

#[provider(scale, from = || 10, explicit = scaled_by)]
fn scaled((x, y): (i32, i32), offset: impl Into<i32>, scale: i32) -> (i32, i32) {
    let offset = offset.into();
    (x * scale + offset, y * scale + offset)
}

#[test]
fn patterns_impl_trait_arguments_and_a_custom_explicit_name() {
    assert_eq!(scaled((1, 2), 3_i8), (13, 23));
    assert_eq!(scaled_by((1, 2), 0_i8, 2), (2, 4));
}

#[provider(item, from = T::default)]
fn generic_default<T: Default + PartialEq>(item: T) -> bool {
    item == T::default()
}

#[test]
fn generic_functions_can_provide_a_generic_parameter() {
    assert!(generic_default::<String>());
    assert!(generic_default::<Vec<u8>>());
    assert!(!generic_default_with(5_u8));
}

// ---------------------------------------------------------------- methods

struct Account {
    balance: i64,
}

static FEE: ProviderSpec<i64> = ProviderSpec::lazy(|| 2);

impl Account {
    #[provider(fee, from = FEE)]
    fn new(balance: i64, fee: i64) -> Self {
        Self {
            balance: balance - fee,
        }
    }

    #[provider(fee, from = FEE)]
    fn preview(&self, amount: i64, fee: i64) -> i64 {
        self.balance - amount - fee
    }

    #[provider(fee, from = FEE)]
    fn withdraw(&mut self, amount: i64, fee: i64) {
        self.balance -= amount + fee;
    }

    #[provider(fee, from = FEE)]
    fn close(self, fee: i64) -> i64 {
        self.balance - fee
    }

    #[provider(fee, from = FEE)]
    async fn withdraw_later(&mut self, amount: i64, fee: i64) -> i64 {
        tokio::task::yield_now().await;
        self.balance -= amount + fee;
        self.balance
    }
}

#[tokio::test]
async fn methods_with_every_receiver_and_associated_functions() {
    let mut account = Account::new(100);
    assert_eq!(account.balance, 98);
    assert_eq!(account.preview(10), 86);
    account.withdraw(10);
    assert_eq!(account.balance, 86);
    account.withdraw_with(10, 0);
    assert_eq!(account.balance, 76);
    assert_eq!(account.withdraw_later(6).await, 68);
    assert_eq!(account.withdraw_later_with(8, 0).await, 60);
    assert_eq!(Account::new_with(1, 0).close(), -1);
}

// ---------------------------------------------------------------- async

static ASYNC_SPEC: ProviderSpec<Map> = ProviderSpec::lazy(base_map);

#[provider(dic, from = ASYNC_SPEC)]
async fn async_with_sync_provider(key: u32, mut dic: Map) -> usize {
    tokio::task::yield_now().await;
    dic.insert(key, "x");
    dic.len()
}

#[tokio::test]
async fn async_fn_with_a_sync_provider() {
    assert_eq!(async_with_sync_provider(1).await, 3);
    assert_eq!(async_with_sync_provider(9).await, 4);
    assert_eq!(async_with_sync_provider_with(9, Map::new()).await, 1);
}

static ASYNC_CALLS: AtomicUsize = AtomicUsize::new(0);

async fn load_token() -> String {
    ASYNC_CALLS.fetch_add(1, Ordering::SeqCst);
    tokio::task::yield_now().await;
    String::from("token")
}

#[provider(token, from = ProviderSpec::from_async_fn(load_token))]
async fn with_async_provider(user: &str, token: String) -> String {
    format!("{user}:{token}")
}

#[tokio::test]
async fn async_fn_with_an_async_provider_runs_it_at_the_first_poll_only() {
    let before = ASYNC_CALLS.load(Ordering::SeqCst);
    let call = with_async_provider("ada");
    assert_eq!(
        ASYNC_CALLS.load(Ordering::SeqCst),
        before,
        "the provider ran before the first poll"
    );
    drop(call);
    assert_eq!(
        ASYNC_CALLS.load(Ordering::SeqCst),
        before,
        "a dropped call ran the provider"
    );
    assert_eq!(with_async_provider("ada").await, "ada:token");
    assert_eq!(ASYNC_CALLS.load(Ordering::SeqCst), before + 1);
}

#[tokio::test]
async fn dropping_the_call_while_the_async_provider_waits_skips_the_body() {
    type Gate = Mutex<Option<tokio::sync::oneshot::Receiver<u32>>>;
    static GATE: Gate = Mutex::new(None);
    static BODY_RUNS: AtomicUsize = AtomicUsize::new(0);

    async fn wait_at_gate() -> u32 {
        let rx = GATE.lock().unwrap().take().expect("one receiver per call");
        rx.await.unwrap_or(0)
    }

    #[provider(n, from = ProviderSpec::from_async_fn(wait_at_gate))]
    async fn gated(n: u32) -> u32 {
        BODY_RUNS.fetch_add(1, Ordering::SeqCst);
        n
    }

    let (tx, rx) = tokio::sync::oneshot::channel();
    *GATE.lock().unwrap() = Some(rx);
    let mut call = Box::pin(gated());
    assert!(futures::poll!(call.as_mut()).is_pending());
    drop(call);
    assert!(
        tx.send(1).is_err(),
        "the provider's future must be dropped with the call"
    );
    assert_eq!(BODY_RUNS.load(Ordering::SeqCst), 0);

    let (tx, rx) = tokio::sync::oneshot::channel();
    *GATE.lock().unwrap() = Some(rx);
    let call = tokio::spawn(gated());
    tx.send(5).unwrap();
    assert_eq!(call.await.unwrap(), 5);
    assert_eq!(BODY_RUNS.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_concurrent_calls_each_get_a_value() {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    static SEEN: ProviderSpec<AtomicUsize, SharedArc> = ProviderSpec::lazy(|| AtomicUsize::new(0));

    #[provider(seen, from = SEEN)]
    async fn hit(seen: Arc<AtomicUsize>) -> usize {
        tokio::task::yield_now().await;
        CALLS.fetch_add(1, Ordering::SeqCst);
        seen.fetch_add(1, Ordering::SeqCst) + 1
    }

    let tasks: Vec<_> = (0..5_000).map(|_| tokio::spawn(hit())).collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results.sort_unstable();
    assert_eq!(
        results,
        (1..=5_000).collect::<Vec<_>>(),
        "a call was lost or saw a stale Arc"
    );
    assert_eq!(CALLS.load(Ordering::SeqCst), 5_000);
}

// ---------------------------------------------------------------- auto traits

#[test]
fn specs_are_send_and_sync_and_provided_futures_are_send() {
    assert_send_sync(&FRESH);
    assert_send_sync(&SHARED);
    assert_send_sync(&NEXT_ID);
    assert_send_sync(&ProviderSpec::from_async_fn(load_token));
    assert_send(&async_with_sync_provider(1));
    assert_send(&with_async_provider("x"));
}

#[test]
fn debug_shows_mode_and_value() {
    let spec: ProviderSpec<u8, FreshClone> = ProviderSpec::lazy(|| 3);
    assert_eq!(
        format!("{spec:?}"),
        "ProviderSpec { mode: FreshClone, value: <not built yet> }"
    );
    let _: u8 = spec.provide();
    assert_eq!(
        format!("{spec:?}"),
        "ProviderSpec { mode: FreshClone, value: 3 }"
    );
    assert_eq!(
        format!("{:?}", ProviderSpec::shared(1)),
        "ProviderSpec { mode: SharedArc, value: 1 }"
    );
}

// ---------------------------------------------------------------- attributes

// `#[cfg]` below the attribute must reach both generated functions: `_with` referring
// to a type that does not exist would not compile otherwise.
#[provider(x, from = || 1)]
#[cfg(any())]
fn compiled_out(x: i32) -> TypeThatDoesNotExist {
    x
}

#[provider(x, from = || 1)]
/// Documented: the explicit variant gets its own doc text.
#[doc(hidden)]
#[must_use]
#[allow(unreachable_pub)] // `pub` is kept on both functions; this module is not public.
pub fn hidden_but_kept(x: i32) -> i32 {
    x + 1
}

#[test]
fn attributes_other_than_doc_text_are_kept_on_both_functions() {
    assert_eq!(hidden_but_kept(), 2);
    assert_eq!(hidden_but_kept_with(2), 3);
}
