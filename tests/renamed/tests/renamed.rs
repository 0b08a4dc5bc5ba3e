//! ayutil's macros when the user renamed the crate to `ay` in Cargo.toml: one module per
//! macro, built as one test binary (faster to build than a binary per file).

mod cached;
mod eager;
mod link;
mod provider;
mod run_as_main;

/// A test file added beside this one must be declared above, or it would never run.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let this_file = include_str!("renamed.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        if path.extension().is_some_and(|ext| ext == "rs") && stem != "renamed" {
            assert!(
                this_file.contains(&format!("\nmod {stem};\n")),
                "tests/{stem}.rs never runs: add `mod {stem};` to tests/renamed.rs"
            );
        }
    }
}
