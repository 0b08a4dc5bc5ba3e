//! Streams that run futures and yield their outputs as they come.
//!
//! | item | for |
//! |---|---|
//! | [`funnel`], [`try_funnel`], [`funnel_steps`] | a stream of futures in, their outputs out in completion order, with a limit and a time-out |
//! | [`Waterfall`] | a pipeline of async stages; each stage keeps item order, items overlap across stages |
//! | [`iter_stream`] | a blocking `Iterator` read on a worker thread, as a `Stream` |
//!
//! These are [`futures::Stream`](futures_core::Stream)s: read them with
//! `futures::StreamExt` (`next`, `map`, `collect`...).

cfg_funnel! {
    pub use crate::funnel::*;
}
cfg_waterfall! {
    pub use crate::waterfall::*;
}
cfg_iter_stream! {
    pub use crate::iter_stream::*;
}
