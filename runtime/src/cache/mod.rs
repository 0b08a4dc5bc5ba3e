//! Placeholder for the `cache` capability; its issue fills it in.

#[doc(hidden)]
pub mod __private {}
