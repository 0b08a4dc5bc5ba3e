//! [`#[provider]`](macro@crate::provider) and [`ProviderSpec`]: fill a function parameter
//! from a provider at every call.

mod attr;
mod from_fn;
mod provide;
mod spec;
mod task_override;

#[doc(hidden)]
pub mod __private;

pub use self::attr::provider;
pub use self::from_fn::{AsyncFnProvider, FnProvider};
pub use self::provide::{Provide, ProvideAsync};
pub use self::spec::{FreshClone, ProviderMode, ProviderSpec, SharedArc};
