//! [`Continuation`]: a [`CoroStart`](crate::CoroStart) continued in the task that awaits
//! it.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::Panicked;

/// A [`CoroStart`](crate::CoroStart) continued in the task that awaits it: the future
/// `.await` turns a `CoroStart` into.
///
/// # Panics
///
/// Resumes a panic of the future, from its first poll or a later one.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let start = ayutil::CoroStart::new(async {
///     tokio::task::yield_now().await;
///     "rest"
/// });
/// let rest: ayutil::Continuation<_> = start.into_future();
/// assert_eq!(rest.await, "rest");
/// # }
/// # use std::future::IntoFuture;
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Continuation<F: Future> {
    state: Continue<F>,
}

enum Continue<F: Future> {
    Blocked(Pin<Box<F>>),
    Done(Result<F::Output, Panicked>),
    Taken,
}

impl<F: Future> Continuation<F> {
    /// The continuation of a future that waited during its first poll.
    pub(crate) fn blocked(fut: Pin<Box<F>>) -> Self {
        Self {
            state: Continue::Blocked(fut),
        }
    }

    /// The continuation of a future that finished (or panicked) during its first poll.
    pub(crate) fn done(output: Result<F::Output, Panicked>) -> Self {
        Self {
            state: Continue::Done(output),
        }
    }
}

// The future is boxed and the output is moved out as soon as it is ready.
impl<F: Future> Unpin for Continuation<F> {}

impl<F: Future> Future for Continuation<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        if let Continue::Blocked(fut) = &mut this.state {
            let output = core::task::ready!(fut.as_mut().poll(cx));
            this.state = Continue::Taken;
            return Poll::Ready(output);
        }
        match core::mem::replace(&mut this.state, Continue::Taken) {
            Continue::Done(Ok(output)) => Poll::Ready(output),
            Continue::Done(Err(panicked)) => panicked.resume(),
            Continue::Blocked(_) => unreachable!("handled above"),
            Continue::Taken => panic!("`Continuation` polled after it returned its output"),
        }
    }
}

impl<F: Future> fmt::Debug for Continuation<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            Continue::Blocked(_) => "blocked",
            Continue::Done(_) => "done",
            Continue::Taken => "taken",
        };
        f.debug_struct("Continuation")
            .field("state", &state)
            .finish()
    }
}
