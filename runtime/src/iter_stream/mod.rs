//! [`iter_stream`]: a blocking `Iterator` driven on a worker thread, read as a `Stream`.

mod stream;

pub use self::stream::{IterStream, iter_stream};
