//! Placeholder for the `scope` capability; its issue fills it in.

#[doc(hidden)]
pub mod __private {}
