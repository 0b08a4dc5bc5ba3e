//! Compile-fail cases: each `ui/<macro>/<mistake>.rs` must fail with its `.stderr`.
//!
//! The `.stderr` files were produced by rustc 1.95. Compiler wording changes between
//! releases, so on any other compiler the suite is skipped loudly (`ignored`), never
//! silently rewritten. Re-bless with `TRYBUILD=overwrite cargo test -p ayutil-ui-tests`.
//!
//! The pass cases (`ui/pass/*.rs`) are compiled into this test binary as modules and run
//! by [`pass_cases_run`], not by trybuild: with compile-fail cases only, trybuild runs
//! `cargo check` instead of `cargo build` in its own target directory, which halves the
//! time of this suite. A module is still a hostile call site: its own items shadow the
//! prelude and `ayutil` for the macro expansions inside it.

#[path = "../ui/pass/cached_hygiene.rs"]
mod cached_hygiene;
#[path = "../ui/pass/cached_single_expression.rs"]
mod cached_single_expression;
#[path = "../ui/pass/crate_option_forms.rs"]
mod crate_option_forms;
#[path = "../ui/pass/eager_composes.rs"]
mod eager_composes;
#[path = "../ui/pass/eager_hygiene.rs"]
mod eager_hygiene;
#[path = "../ui/pass/eager_local.rs"]
mod eager_local;
#[path = "../ui/pass/link_hygiene.rs"]
mod link_hygiene;
#[path = "../ui/pass/provider_cached_compose.rs"]
mod provider_cached_compose;
#[path = "../ui/pass/provider_hygiene.rs"]
mod provider_hygiene;
#[path = "../ui/pass/provider_single_expression.rs"]
mod provider_single_expression;
#[path = "../ui/pass/run_as_main_no_scope.rs"]
mod run_as_main_no_scope;

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
}

#[test]
fn pass_cases_run() {
    cached_hygiene::main();
    cached_single_expression::main();
    assert_eq!(crate_option_forms::main(), ayutil::MainExit::SUCCESS);
    eager_composes::main();
    eager_hygiene::main();
    eager_local::main();
    link_hygiene::main();
    provider_cached_compose::main();
    provider_hygiene::main();
    provider_single_expression::main();
    assert_eq!(run_as_main_no_scope::main(), ayutil::MainExit::SUCCESS);
}

/// At a crate root these `main`s would be the program's entry point: their return type
/// must be one a `fn main` may return.
#[test]
fn run_as_main_pass_cases_are_valid_entry_points() {
    fn entry_point<T: std::process::Termination>(_: fn() -> T) {}
    entry_point(crate_option_forms::main);
    entry_point(run_as_main_no_scope::main);
}

/// A pass case added to `ui/pass/` must be declared above, or it would never be compiled.
#[test]
fn every_pass_case_is_a_module_of_this_file() {
    let this_file = include_str!("ui.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/pass");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let declaration = format!("#[path = \"../ui/pass/{stem}.rs\"]\nmod {stem};");
            assert!(
                this_file.contains(&declaration),
                "ui/pass/{stem}.rs is not compiled: add `{declaration}` to tests/ui.rs"
            );
        }
    }
}
