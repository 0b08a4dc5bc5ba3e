//! [`Waterfall`]: a grid scheduler where stages hand items to the next stage in order.

mod branch_shoot;
mod builder;
mod error;
mod run;
mod stages;
mod svg;
mod timeline;
mod value;

pub use self::branch_shoot::{Branch, Shoot, ShootError, branch_shoot};
pub use self::builder::Waterfall;
pub use self::error::WaterfallError;
pub use self::run::WaterfallRun;
pub use self::timeline::{CellSpan, Timeline};
