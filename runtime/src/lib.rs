// The crate's front page is the README (its code blocks run as doctests). Its example
// needs the `scope` and `cache` features; with fewer features the page is a short summary.
#![cfg_attr(all(feature = "scope", feature = "cache"), doc = include_str!("../README.md"))]
#![cfg_attr(
    not(all(feature = "scope", feature = "cache")),
    doc = "ayutil: structured concurrency for tokio. The guide on this page needs the \
           `scope` and `cache` features (both are on by default)."
)]
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[macro_use]
mod cfg;

mod rt;
pub use crate::rt::panic::Panicked;
pub use crate::rt::spawn::NoRuntime;

/// Any error, boxed: `Box<dyn std::error::Error + Send + Sync>`.
///
/// The error type of scopes that do not name one (the default `E` of `Scope`), and the
/// error of a fallible waterfall stage. `?` converts any error into it, so work with different
/// error types can share one `BoxError`; the concrete error can be recovered with
/// `downcast_ref`. The same type as `tower::BoxError`.
///
/// # Examples
///
/// ```
/// fn parse(text: &str) -> Result<u8, ayutil::BoxError> {
///     let wide: u32 = text.parse()?; // `ParseIntError`
///     Ok(u8::try_from(wide)?) // `TryFromIntError`
/// }
///
/// assert_eq!(parse("42").unwrap(), 42);
/// assert!(parse("300").unwrap_err().is::<std::num::TryFromIntError>());
/// assert!(parse("x").unwrap_err().is::<std::num::ParseIntError>());
/// ```
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

mod link;

cfg_scope! {
    mod scope;
}
cfg_group! {
    mod group;
}
cfg_funnel! {
    mod funnel;
}
cfg_waterfall! {
    mod waterfall;
}
cfg_batcher! {
    mod batcher;
}
cfg_iter_stream! {
    mod iter_stream;
}
cfg_cache! {
    // Named apart from its public face, the `cache` module below.
    #[path = "cache/mod.rs"]
    mod cache_impl;
}
cfg_provider! {
    mod provider;
}
cfg_eager! {
    mod eager;
}
cfg_scheduling! {
    pub mod scheduling;
}

pub mod task {
    //! Tasks that cannot be lost: spawn them from anywhere, then wait for all of them.
    //!
    //! | type | for |
    //! |---|---|
    //! | [`Scope`] (and [`scope`]) | a block whose tasks end with it: results in spawn order, a concurrency limit, a time-out, the first failure cancels the rest |
    //! | [`run_as_main`] | `fn main` as the root scope of the program, with Ctrl+C handling and exit codes |
    //! | [`Group`] | a cloneable set of tasks; `join` waits for all, including those spawned meanwhile |
    //! | [`Pool`] | a `Group` that runs at most `n` tasks at once |
    //! | [`TaskSet`] | background tasks: failures never cancel siblings, every error is returned, an exit time-out |
    //! | [`Bag`], [`OrderedBag`] | tasks that put values into one stream, in arrival or in spawn order |
    //! | [`offload`] | blocking work on tokio's blocking pool, as a future |
    //!
    //! Every task is a tokio task, so it must be `Send + 'static` (it cannot borrow from
    //! the caller's stack) and runs in parallel with the others on a multi-thread runtime.
    cfg_scope! {
        pub use crate::scope::*;
    }
    cfg_group! {
        pub use crate::group::*;
    }
    pub use crate::link::offload::{Offload, offload};

    // Hides the features' `__private` module (the macros' paths, public only under
    // `crate::__private`) from the globs above.
    #[allow(hidden_glob_reexports)]
    mod __private {}
}

#[cfg(any(feature = "funnel", feature = "waterfall", feature = "iter-stream"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "funnel", feature = "waterfall", feature = "iter-stream")))
)]
pub mod stream {
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
}

cfg_eager! {
    pub mod future {
        //! Futures that start at once: [`#[eager]`](macro@eager), [`eager`](fn@eager) and
        //! [`eager_local`] run the body on the caller's stack until it first waits, then
        //! hand back the rest as an [`Eager`] future (a tokio task if it has to wait);
        //! [`CoroStart`] does the same step by step.
        pub use crate::eager::*;

        // Hides the feature's `__private` module from the glob above.
        #[allow(hidden_glob_reexports)]
        mod __private {}
    }
}

cfg_provider! {
    pub mod inject {
        //! [`#[provider]`](macro@provider) and [`ProviderSpec`]: a function parameter filled
        //! from a provider at every call, or passed by hand through the generated
        //! `<name>_with` function.
        pub use crate::provider::*;

        // Hides the feature's `__private` module from the glob above.
        #[allow(hidden_glob_reexports)]
        mod __private {}
    }
}

cfg_cache! {
    pub mod cache {
        //! [`#[cached]`](macro@cached): memoize a function, one computation per key shared by
        //! every concurrent caller, with time-to-live, a size bound and statistics
        //! ([`FnCache`]); and the maps underneath, [`LruMap`] and [`TtlLruMap`].
        pub use crate::cache_impl::*;

        // Hides the feature's `__private` module from the glob above.
        #[allow(hidden_glob_reexports)]
        mod __private {}
    }
}

cfg_batcher! {
    pub mod batch {
        //! [`Batcher`]: items put from many tasks, handled in batches by one async handler,
        //! each caller getting its own item's result.
        pub use crate::batcher::*;
    }
}

// The items most programs use are also at the root. Every other public item is reachable
// at the root too (hidden from the docs, which show it in its module), so code written
// against either path compiles.
#[doc(inline)]
pub use crate::task::offload;
#[doc(hidden)]
pub use crate::task::*;
cfg_scope! {
    pub use crate::scope::{Scope, run_as_main, scope};
}
cfg_group! {
    pub use crate::group::{Bag, Group, OrderedBag, Pool, TaskSet};
}
#[cfg(any(feature = "funnel", feature = "waterfall", feature = "iter-stream"))]
#[doc(hidden)]
pub use crate::stream::*;
cfg_funnel! {
    pub use crate::funnel::{funnel, try_funnel};
}
cfg_waterfall! {
    pub use crate::waterfall::Waterfall;
}
cfg_iter_stream! {
    pub use crate::iter_stream::iter_stream;
}
cfg_batcher! {
    pub use crate::batcher::Batcher;
    #[doc(hidden)]
    pub use crate::batch::*;
}
cfg_cache! {
    pub use crate::cache_impl::{LruMap, TtlLruMap, cached};
    #[doc(hidden)]
    pub use crate::cache::*;
}
cfg_provider! {
    pub use crate::provider::{ProviderSpec, provider};
    #[doc(hidden)]
    pub use crate::inject::*;
}
cfg_eager! {
    pub use crate::eager::{CoroStart, eager};
    #[doc(hidden)]
    pub use crate::future::*;
}
cfg_scheduling! {
    #[doc(inline)]
    pub use crate::scheduling::SchedulingExecutor;
}

#[doc(hidden)]
pub mod __private;
