//! Paths that ayutil's macros expand to. Not public API: no semver guarantees.

pub use ::core;
pub use ::futures_util;
pub use ::std;
pub use ::tokio;

pub use ::ayutil_macros::{link_impl, try_link_impl};

pub use crate::link::private as link;

cfg_scope! {
    pub use crate::scope::__private as scope;
}
cfg_cache! {
    pub use crate::cache_impl::__private as cache;
}
cfg_provider! {
    pub use crate::provider::__private as provider;
}
cfg_eager! {
    pub use crate::eager::__private as eager;
}
