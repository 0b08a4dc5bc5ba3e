//! [`drive`]: the loop that runs a scope from its opening to its exit (the nursery's
//! `__aexit__`).
//!
//! One future polls the scope's block and its deadline, drops the block as soon as the
//! scope stops, and resolves only once every unit of the scope has ended; then it
//! collects the outcome: the first panic resumed, else the first failure, else the
//! results.

use core::future::{Future, poll_fn};
use core::num::NonZeroUsize;
use core::pin::{Pin, pin};
use core::task::Poll;
use core::time::Duration;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::rt::{spawn, time};
use crate::scope::control::Control;
use crate::scope::error::ScopeError;
use crate::scope::handle::Scope;
use crate::scope::nesting;
use crate::scope::outcome::ScopeOutput;
use crate::scope::state::{Inner, Progress, StopReason};
use crate::scope::task::drop_caught;

/// What a scope is opened with, as [`ScopeOptions`](crate::ScopeOptions) set it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    /// At most this many tasks run at once; `None` is unbounded.
    pub(crate) limit: Option<NonZeroUsize>,
    /// The scope's deadline, counted from its opening; `None` is no deadline.
    pub(crate) timeout: Option<Duration>,
    /// Keep no task outcome.
    pub(crate) discard: bool,
}

/// Opens a scope with `settings`, runs `block` in it, and resolves once the block and
/// every unit of the scope ended; `settle` turns the block's output into its value, or
/// records its failure and gives `None`.
pub(crate) async fn drive<T, E, F, Fut, R>(
    settings: Settings,
    block: F,
    settle: impl FnOnce(&Arc<Inner<T, E>>, Fut::Output) -> Option<R>,
) -> Result<ScopeOutput<T, R>, ScopeError<E>>
where
    T: Send + 'static,
    E: Send + 'static,
    F: FnOnce(Scope<T, E>) -> Fut,
    Fut: Future,
{
    let Settings {
        limit,
        timeout,
        discard,
    } = settings;
    let inner = Inner::<T, E>::new(spawn::runtime(), limit, discard);
    if let Some(parent) = nesting::current() {
        inner.set_parent(parent);
    }
    let guard = DropGuard(Some(Arc::clone(&inner)));
    let mut link: Option<Arc<dyn Control>> = Some(Arc::clone(&inner) as _);
    let mut block = pin!(Some(block(Scope::from_inner(Arc::clone(&inner)))));
    let mut deadline = pin!(
        timeout
            .and_then(time::deadline_in)
            .map(tokio::time::sleep_until)
    );
    let mut settle = Some(settle);
    let mut value = None;

    poll_fn(|cx| {
        loop {
            if let Some(fut) = block.as_mut().as_pin_mut() {
                if inner.is_stopping() {
                    drop_block(&inner, block.as_mut());
                } else {
                    let polled = nesting::with_current(&mut link, || {
                        catch_unwind(AssertUnwindSafe(|| fut.poll(cx)))
                    });
                    match polled {
                        Ok(Poll::Pending) => {}
                        Ok(Poll::Ready(out)) => {
                            drop_block(&inner, block.as_mut());
                            let settle = settle.take().expect("the block ends once");
                            value = settle(&inner, out);
                        }
                        Err(payload) => {
                            inner.panicked(payload);
                            drop_block(&inner, block.as_mut());
                        }
                    }
                }
            }
            if let Some(sleep) = deadline.as_mut().as_pin_mut()
                && sleep.poll(cx).is_ready()
            {
                inner.stop(StopReason::Timeout);
                deadline.set(None);
                if block.is_some() {
                    drop_block(&inner, block.as_mut());
                }
            }
            match inner.poll_done(cx.waker(), block.is_some()) {
                Progress::Done => return Poll::Ready(()),
                Progress::Pending => return Poll::Pending,
                // The stop came while the block was polled (it called `cancel()`, or
                // a task failed on another thread): drop the block, then look again.
                Progress::DropBlock => drop_block(&inner, block.as_mut()),
            }
        }
    })
    .await;
    drop(guard.disarm());
    collect(&inner, value)
}

fn drop_block<Fut>(
    inner: &Arc<Inner<impl Send + 'static, impl Send + 'static>>,
    mut block: Pin<&mut Option<Fut>>,
) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| block.set(None))) {
        inner.panicked(payload);
    }
}

fn collect<T, E, R>(
    inner: &Inner<T, E>,
    value: Option<R>,
) -> Result<ScopeOutput<T, R>, ScopeError<E>>
where
    T: Send + 'static,
    E: Send + 'static,
{
    let mut state = inner.lock();
    if let Some(payload) = state.panic.take() {
        drop(state);
        std::panic::resume_unwind(payload);
    }
    let secondary = core::mem::take(&mut state.secondary);
    let first = state.first_error.take();
    let (timed_out, cancelled) = (state.timed_out, state.cancelled);
    drop(state);
    let results = inner.take_outcomes();
    if let Some(first) = first {
        // Values of tasks that completed before the failure are dropped here, outside
        // the lock; a panicking destructor among them is resumed like any task panic.
        if let Some(payload) = drop_caught(results) {
            std::panic::resume_unwind(payload);
        }
        return Err(ScopeError { first, secondary });
    }
    Ok(ScopeOutput {
        results,
        value,
        timed_out,
        cancelled,
    })
}

/// Aborts every task if the scope's future is dropped before it finished.
struct DropGuard<T: Send + 'static, E: Send + 'static>(Option<Arc<Inner<T, E>>>);

impl<T: Send + 'static, E: Send + 'static> DropGuard<T, E> {
    fn disarm(mut self) -> Option<Arc<Inner<T, E>>> {
        self.0.take()
    }
}

impl<T: Send + 'static, E: Send + 'static> Drop for DropGuard<T, E> {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            inner.stop(StopReason::Dropped);
        }
    }
}
