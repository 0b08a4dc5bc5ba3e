//! [`#[provider]`](macro@provider) and [`ProviderSpec`]: a function parameter filled from a
//! provider at every call, or passed by hand through the generated `<name>_with`
//! function.

pub use crate::provider::*;

// The macro's paths are public only under `crate::__private`: this empty module hides
// the feature's `__private` from the glob above.
#[allow(hidden_glob_reexports)]
mod __private {}
