//! [`iter_stream`]: a blocking `Iterator` driven on a worker thread, read as a `Stream`.

mod panic;
mod stream;

pub use self::panic::IterPanicked;
pub use self::stream::{IterStream, iter_stream};
