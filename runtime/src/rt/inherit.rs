//! Hand-overs: what work ayutil runs on a user's behalf keeps from the place where the
//! user handed it over.
//!
//! [`handed`] is the one wrapper every hand-over goes through: a future given to a scope,
//! a group, a funnel, a waterfall, a batcher, a cache or an eager call, and (through
//! [`handed_fn`]) a closure given to `aside` or `offload`. With the `tracing` feature it
//! carries the span current at the hand-over and enters it around every poll (and the
//! drop) of the future, as `buffer_unordered` does by polling in the caller's task; without
//! it, it is the future itself: no capture, no wrapper, nothing to pay. The wrap happens
//! at the hand-over, not at the spawn: a task queued behind a limit is spawned later, by
//! whichever task frees the slot, in that task's span.
//!
//! An eager continuation is the caller's own body moved to a task, so it also carries the
//! task-locals registered with [`inherit_task_local`] ([`Inherited`]).
//!
//! tokio's task-locals belong to one task: a future spawned from inside
//! `KEY.scope(value, ..)` does not see `value`. ayutil captures, at the hand-over of an
//! eager continuation, every registered task-local that is set, and sets them again around
//! each poll of the moved future. tokio offers no way to list the task-locals that are
//! set, so the keys to carry are registered once, globally.

#![allow(dead_code)] // Not every feature set hands work over.

use core::future::Future;

cfg_eager! {
    mod task_locals;
    pub use self::task_locals::inherit_task_local;
    pub(crate) use self::task_locals::Inherited;
}

/// A future handed over by a user: with the `tracing` feature, polled inside the span that
/// was current at the hand-over; without it, the future itself.
#[cfg(feature = "tracing")]
pub(crate) type Handed<F> = tracing::instrument::Instrumented<F>;
/// A future handed over by a user: with the `tracing` feature, polled inside the span that
/// was current at the hand-over; without it, the future itself.
#[cfg(not(feature = "tracing"))]
pub(crate) type Handed<F> = F;

/// `fut`, handed over here: it will be polled (and dropped) inside the span current now.
#[inline]
pub(crate) fn handed<F: Future>(fut: F) -> Handed<F> {
    #[cfg(feature = "tracing")]
    {
        tracing::Instrument::in_current_span(fut)
    }
    #[cfg(not(feature = "tracing"))]
    {
        fut
    }
}

/// `f`, handed over here: it will be called inside the span current now.
#[inline]
pub(crate) fn handed_fn<R>(f: impl FnOnce() -> R) -> impl FnOnce() -> R {
    #[cfg(feature = "tracing")]
    let span = tracing::Span::current();
    move || {
        #[cfg(feature = "tracing")]
        let _entered = span.enter();
        f()
    }
}

/// `make`, handed over here: the future it makes later is made, polled and dropped inside
/// the span current now.
#[inline]
pub(crate) fn handed_lazy<F: Future>(make: impl FnOnce() -> F) -> impl FnOnce() -> Handed<F> {
    #[cfg(feature = "tracing")]
    let span = tracing::Span::current();
    move || {
        #[cfg(feature = "tracing")]
        {
            let fut = span.in_scope(make);
            tracing::Instrument::instrument(fut, span)
        }
        #[cfg(not(feature = "tracing"))]
        {
            make()
        }
    }
}

// With the feature, `tests/tests/tracing.rs` checks the span of every hand-over site.
#[cfg(all(test, not(feature = "tracing")))]
mod tests {
    use super::*;

    #[test]
    fn without_the_feature_a_hand_over_is_the_work_itself() {
        async fn work() -> u8 {
            1
        }
        let fut = work();
        let size = core::mem::size_of_val(&fut);
        // The same type, not a wrapper: nothing captured, nothing to poll through.
        let fut: core::pin::Pin<Box<_>> = Box::pin(handed(fut));
        assert_eq!(core::mem::size_of_val(&*fut), size);
        let f = |x: u8| move || x + 1;
        let g = handed_fn(f(1));
        assert_eq!(core::mem::size_of_val(&g), core::mem::size_of_val(&f(1)));
        assert_eq!(g(), 2);
        let make = handed_lazy(work);
        assert_eq!(core::mem::size_of_val(&make), 0);
        drop(make());
    }
}
