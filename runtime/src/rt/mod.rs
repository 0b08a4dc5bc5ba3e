//! The shared floor under every feature: mechanisms written once and used by all of them.
//!
//! Crate-private and always compiled. Before writing a mechanism inside a feature, look
//! here; if it is not here and a second feature could use it, put it here.

pub(crate) mod channel;
pub(crate) mod driver;
cfg_eager! {
    // Needs `tracing`, which only some features enable; the eager continuation is its first
    // user, and any feature that hands work to a task on a user's behalf can use it.
    pub(crate) mod inherit;
}
pub(crate) mod limit;
pub(crate) mod lock;
pub(crate) mod time;
pub(crate) mod timer;
pub(crate) mod window;
