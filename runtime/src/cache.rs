//! [`#[cached]`](macro@cached): memoize a function, one computation per key shared by
//! every concurrent caller, with time-to-live, a size bound and statistics
//! ([`FnCache`]); and the maps underneath, [`LruMap`] and [`TtlLruMap`].

pub use crate::cached::*;

// The macro's paths are public only under `crate::__private`: this empty module hides
// the feature's `__private` from the glob above.
#[allow(hidden_glob_reexports)]
mod __private {}
