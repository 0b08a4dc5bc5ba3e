//! Futures that start at once: [`#[eager]`](macro@eager), [`eager`](fn@eager) and
//! [`eager_local`] run the body on the caller's stack until it first waits, then hand
//! back the rest as an [`Eager`] future (a tokio task if it has to wait); [`CoroStart`]
//! does the same step by step.

pub use crate::eager::*;

// The macro's paths are public only under `crate::__private`: this empty module hides
// the feature's `__private` from the glob above.
#[allow(hidden_glob_reexports)]
mod __private {}
