//! [`link!`](crate::link!) and [`try_link!`](crate::try_link!): gather futures, async
//! functions, sync callables and plain values into one tuple.

mod macros;
pub(crate) mod offload;
#[doc(hidden)]
pub mod private;
