//! [`Batcher`]: items put from many tasks, handled in batches by one async handler, each
//! caller getting its own item's result.

pub use crate::batcher::*;
