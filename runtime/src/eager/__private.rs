//! What `#[eager]` expands to. Not public API.

pub use super::{Eager, eager, eager_local};
