//! [`Job`]: a task's future with its output type erased, as the executor stores it; and
//! [`JobCell`], the one implementation.

use core::any::Any;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::error::TaskError;
use crate::Panicked;

/// A task's future with its output type erased, as the executor stores it.
pub(crate) trait Job {
    /// Polls the future; `Ready` once it returned or panicked (its output is then stored
    /// and the future itself already dropped).
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;

    /// The stored output: an `Option<Result<T, TaskError>>`.
    fn output(self: Pin<&mut Self>) -> &mut dyn Any;
}

pin_project_lite::pin_project! {
    /// The future of a task and, once it finished, its output.
    pub(crate) struct JobCell<F: Future> {
        #[pin]
        fut: Option<F>,
        out: Option<Result<F::Output, TaskError>>,
    }
}

impl<F: Future> JobCell<F> {
    pub(crate) fn new(fut: F) -> Self {
        Self {
            fut: Some(fut),
            out: None,
        }
    }
}

impl<F> Job for JobCell<F>
where
    F: Future,
    F::Output: 'static,
{
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let Some(fut) = this.fut.as_mut().as_pin_mut() else {
            return Poll::Ready(());
        };
        let out = match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(value)) => Ok(value),
            Err(payload) => Err(TaskError::Panicked(Panicked::new(payload))),
        };
        // The future is dropped as soon as it is done; a panic in its drop is dropped
        // with it (the first outcome is the one reported).
        let mut fut = this.fut;
        drop(catch_unwind(AssertUnwindSafe(move || fut.set(None))));
        *this.out = Some(out);
        Poll::Ready(())
    }

    fn output(self: Pin<&mut Self>) -> &mut dyn Any {
        self.project().out
    }
}
