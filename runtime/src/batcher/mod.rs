//! [`Batcher`]: items put from anywhere, handed to an async handler in batches by volume or time.

mod builder;
mod driver;
mod error;
mod handle;
mod ticket;

pub use self::builder::BatcherBuilder;
pub use self::error::{
    BatchError, BatchFailure, BatcherCloseError, BatcherClosed, BatcherConfigError,
};
pub use self::handle::Batcher;
pub use self::ticket::BatchTicket;
