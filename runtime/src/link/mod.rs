//! [`link!`](crate::link!) and [`try_link!`](crate::try_link!): gather futures, async
//! functions, sync callables and plain values into one tuple; and [`offload()`], blocking
//! work as a future that can be one of them.

mod macros;
mod offload;

#[doc(hidden)]
pub mod __private;

pub use self::offload::{Offload, offload};
