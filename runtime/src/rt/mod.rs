//! The shared floor under every feature: mechanisms written once and used by all of them.
//!
//! Crate-private and always compiled. Before writing a mechanism inside a feature, look
//! here; if it is not here and a second feature could use it, put it here.

pub(crate) mod cause;
pub(crate) mod channel;
pub(crate) mod driver;
pub(crate) mod inherit;
pub(crate) mod limit;
pub(crate) mod lock;
pub(crate) mod panic;
pub(crate) mod spawn;
pub(crate) mod start;
pub(crate) mod time;
pub(crate) mod timer;
pub(crate) mod window;
