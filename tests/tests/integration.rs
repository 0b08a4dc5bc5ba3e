//! Integration tests of ayutil: one module (one file beside this one) per feature.
//!
//! They build as one test binary rather than one per file: every file instantiates much
//! the same tokio and ayutil code, and each binary has to be compiled and linked on its
//! own, so one binary makes the test build markedly faster. Run one feature's tests with
//! `cargo test -p ayutil-tests scope::` (a test name filter).

mod bag;
mod batcher;
mod cached;
mod funnel;
mod group;
mod iter_stream;
mod link;
mod lru;
mod pool;
mod provider;
mod run_as_main;
mod scope;
mod task_set;
mod waterfall;

/// A test file added beside this one must be declared above, or it would never run.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let this_file = include_str!("integration.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        if path.extension().is_some_and(|ext| ext == "rs") && stem != "integration" {
            assert!(
                this_file.contains(&format!("\nmod {stem};\n")),
                "tests/{stem}.rs never runs: add `mod {stem};` to tests/integration.rs"
            );
        }
    }
}
