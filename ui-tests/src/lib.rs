//! trybuild cases live in `ui/<macro>/<mistake>.rs`, driven by `tests/ui.rs`.
