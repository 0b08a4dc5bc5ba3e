//! [`Funnel`]: a stream of futures in, their outputs out in completion order.

mod driver;
mod engine;
mod error;
mod plain;
mod step;
mod try_funnel;

pub use self::error::FunnelError;
pub use self::plain::{Funnel, funnel, funnel_steps};
pub use self::step::FunnelStep;
pub use self::try_funnel::{TryFunnel, try_funnel};
