//! Placeholder for the `provider` capability; its issue fills it in.

#[doc(hidden)]
pub mod __private {}
