//! Compile-fail cases: each `ui/<macro>/<mistake>.rs` must fail with its `.stderr`.
//!
//! The `.stderr` files were produced by rustc 1.95. Compiler wording changes between
//! releases, so on any other compiler the suite is skipped loudly (`ignored`), never
//! silently rewritten. Re-bless with `TRYBUILD=overwrite cargo test -p ayutil-ui-tests`.

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "UI .stderr files were blessed on rustc 1.95"
)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    for mac in ["link", "cached", "provider", "run_as_main", "eager"] {
        t.compile_fail(format!("ui/{mac}/*.rs"));
    }
    t.pass("ui/pass/*.rs");
}
