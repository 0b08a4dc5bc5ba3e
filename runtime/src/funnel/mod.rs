//! [`Funnel`]: a stream of futures in, their outputs out in completion order.

mod engine;
mod error;
mod plain;
mod row;
mod step;
mod try_funnel;

pub use self::error::FunnelError;
pub use self::plain::{Funnel, funnel, funnel_steps};
pub use self::step::FunnelStep;
pub use self::try_funnel::{TryFunnel, try_funnel};
