//! `#[provider]`: a fresh copy or one shared instance of a global, per call. Run: `cargo run --example provider`.
//!
//! A port of the "Provider Decorator for Static Dict" demo of Python's ayutil, printing the
//! same lines.
//!
//! Python's `g_dict` becomes `G_DICT`, a global `RwLock<Collection>` (a `Collection` is a
//! `BTreeMap` or, after the last step, a `Vec`, printed the way Python prints them). The
//! demo's two strategies map to the two kinds of provider:
//!
//! - `Ps1` (a `ProviderSpec` subclass whose `call` returns `g_dict.copy()`) is a provider
//!   function, `copy_global`: every call gets a fresh copy of whatever `G_DICT` holds now.
//! - `Ps2` (`ProviderSpec(g_dict.copy())`, one stored instance) is a
//!   `ProviderSpec<Mutex<Collection>, SharedArc>`: every call gets the same instance, so a
//!   mutation in one call is seen by the next, until `new_instance` swaps it.
//!
//! Python decorates one `test_modify1` twice; in Rust each decorated function has one
//! parameter type (an owned copy for `Ps1`, an `Arc<Mutex<_>>` for `Ps2`), so the two
//! decorated functions share their body through `modify`. Python's default `somt1=5` is
//! passed explicitly. `del Ps1.provider_type` has no Rust counterpart: the parameter's type
//! is checked at compile time.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, PoisonError, RwLock, RwLockWriteGuard};

use ayutil::{ProviderSpec, SharedArc, provider};

/// A value of the demo's dictionaries: Python mixes strings and integers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Value {
    Str(&'static str),
    Int(i64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "'{s}'"),
            Value::Int(n) => write!(f, "{n}"),
        }
    }
}

/// `g_dict`: a dict for most of the demo, a list at the end.
#[derive(Clone, PartialEq, Eq)]
enum Collection {
    Dict(BTreeMap<i64, Value>),
    List(Vec<Value>),
}

impl Collection {
    /// Python's `collection[key] = value`.
    fn set(&mut self, key: i64, value: Value) {
        match self {
            Collection::Dict(map) => {
                map.insert(key, value);
            }
            Collection::List(list) => {
                let index = usize::try_from(key)
                    .expect("the demo indexes lists with small non-negative keys");
                list[index] = value;
            }
        }
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Collection::Dict(map) => {
                f.write_str("{")?;
                for (i, (key, value)) in map.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{key}: {value}")?;
                }
                f.write_str("}")
            }
            Collection::List(list) => {
                f.write_str("[")?;
                for (i, value) in list.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{value}")?;
                }
                f.write_str("]")
            }
        }
    }
}

fn dict(entries: [(i64, &'static str); 3]) -> Collection {
    Collection::Dict(
        entries
            .into_iter()
            .map(|(k, v)| (k, Value::Str(v)))
            .collect(),
    )
}

/// `g_dict = {1: 'h', 2: 'l', 5: 'test'}`
static G_DICT: LazyLock<RwLock<Collection>> =
    LazyLock::new(|| RwLock::new(dict([(1, "h"), (2, "l"), (5, "test")])));

fn global() -> RwLockWriteGuard<'static, Collection> {
    G_DICT.write().unwrap_or_else(PoisonError::into_inner)
}

/// Strategy 1 (`Ps1`): a provider function returning `g_dict.copy()`.
fn copy_global() -> Collection {
    G_DICT
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Strategy 2 (`Ps2`): one stored instance, shared by every call.
static PS2: ProviderSpec<Mutex<Collection>, SharedArc> =
    ProviderSpec::lazy(|| Mutex::new(copy_global()));

/// The body of the Python demo's `test_modify1` / `test_m2p1`.
fn modify(label: &str, somt: i64, somt1: i64, dic: &mut Collection) {
    println!("Test {label},{somt} dict before: {dic}");
    dic.set(somt1, Value::Int(somt));
    println!("Test {label},{somt} dict after: {dic}");
}

/// `d_prov1(test_modify1)`: `dic1` is a fresh copy of the global at each call.
#[provider(dic1, dic, from = copy_global)]
fn test_m1p1(somt: i64, somt1: i64, mut dic1: Collection) {
    modify("1", somt, somt1, &mut dic1);
}

/// `d_prov2(test_modify1)`: `dic1` is `Ps2`'s stored instance.
#[provider(dic1, dic, from = PS2)]
fn test_m1p2(somt: i64, somt1: i64, dic1: Arc<Mutex<Collection>>) {
    modify(
        "1",
        somt,
        somt1,
        &mut dic1.lock().unwrap_or_else(PoisonError::into_inner),
    );
}

/// `@d_prov1('dic2')`: the same provider, another parameter name.
#[provider(dic2, from = copy_global)]
fn test_m2p1(somt: i64, somt1: i64, mut dic2: Collection) {
    modify("2", somt, somt1, &mut dic2);
}

/// `d_prov22(test_modify1)` and `d_prov3(test_modify1)`: `ProvideDict2` and
/// `ProvideDict3` differ from `ProvideDict` only in the type they announce, which Rust
/// checks at compile time; both call the same provider function.
#[provider(dic1, dic, from = copy_global)]
fn test_m1p22(somt: i64, somt1: i64, mut dic1: Collection) {
    modify("1", somt, somt1, &mut dic1);
}

#[provider(dic1, dic, from = ProviderSpec::from_fn(copy_global))]
fn test_m1p3(somt: i64, somt1: i64, mut dic1: Collection) {
    modify("1", somt, somt1, &mut dic1);
}

/// `test_b(somt, somt1=5, dic1=g_dict)`: no provider, the global itself is mutated.
fn test_b(somt: i64, somt1: i64, dic1: &mut Collection) {
    modify("b", somt, somt1, dic1);
}

fn main() {
    println!("Calling decorated dict modification:");
    test_m1p1(1, 5);
    test_m1p2(2, 5);
    println!("global dict: {}", global());
    println!("\nCalling test_m1p2 a second time:");
    test_m1p2(3, 5);
    println!("global dict: {}", global());

    println!("\nWithout decorators:");
    test_b(1, 5, &mut global());
    test_b(2, 5, &mut global());
    println!("global dict: {}", global());

    // chg_forp1(): rebinding the global is all strategy 1 needs.
    *global() = dict([(1, "l"), (2, "l"), (5, "test")]);
    // chg_forp2(): strategy 2 stores its own instance, so it is swapped explicitly.
    PS2.new_instance(Mutex::new(copy_global()));
    println!("\nAfter Reset:");
    test_m1p2(2, 5);
    println!("global dict: {}", global());

    println!("\nDecorator with non-default kwarg spec:");
    test_m2p1(1, 5);

    println!("\nTest without type reset:");
    test_m1p22(1, 1);
    test_m1p3(1, 1);

    *global() = Collection::List(vec![Value::Str("h"), Value::Str("l"), Value::Str("test")]);
    println!("\nAfter changing collection type");
    test_m1p22(1, 1);
    test_m1p3(1, 1);
    println!("global list: {}", global());

    // Python's keyword override: pass the value by hand to the explicit variant.
    println!("\nExplicit variant (Python's `dic1=` keyword):");
    test_m1p1_with(7, 5, dict([(1, "mine"), (2, "own"), (5, "dict")]));
}
