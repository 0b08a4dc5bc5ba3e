//! The integration tests that share nothing process-wide, compiled as one test binary
//! (one link instead of one per feature, which is most of a fresh build's time). Each
//! feature's tests stay in a file of their own; the files that install a panic hook or a
//! global `tracing` subscriber, or re-run their own executable, are separate binaries
//! (see `tests/Cargo.toml`).

mod bag;
mod batcher;
mod cached;
mod cached_macro;
mod errors;
mod funnel;
mod group;
mod iter_stream;
mod link;
mod lru;
mod macros_compose;
mod pool;
mod provider;
mod scheduling;
mod service;
mod support;
mod task_set;
mod waterfall;
