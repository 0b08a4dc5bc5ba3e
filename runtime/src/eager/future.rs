//! [`Eager`]: the future an eager call returns, either already finished or continuing as a
//! task.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use tokio::task::JoinHandle;

use crate::Panicked;

/// The rest of an eager call: resolves to the body's output.
///
/// Returned by [`eager`](fn@crate::eager), [`eager_local`](crate::eager_local),
/// `#[eager]` functions and [`CoroStart::into_ready`](crate::CoroStart::into_ready). If the
/// body finished during the call, the output is held here and `.await` returns it at
/// once; if the body waited, it continues as a tokio task and `.await` waits for it.
///
/// # Panics
///
/// Awaiting resumes a panic of the body, whether it happened during the call (the panic
/// is held, never raised at the call) or in the continuation. It also panics if the
/// continuation was cancelled by the runtime shutting down before it finished.
///
/// # Cancel safety
///
/// Dropping an `Eager` whose body continues as a task aborts that task: the body is
/// dropped at its next wait, and nothing runs after.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let ready = ayutil::eager(async { 6 * 7 });
/// assert!(ready.is_finished()); // the body ran during the call
/// assert_eq!(ready.await, 42);
/// # }
/// ```
#[must_use = "an `Eager` does nothing more unless awaited; dropping it cancels a waiting body"]
pub struct Eager<T> {
    state: State<T>,
}

enum State<T> {
    /// The body finished during the call; its output (or panic) is held until awaited.
    Finished(Result<T, Panicked>),
    /// The body waited and continues as this task.
    Continuing(JoinHandle<T>),
    /// The output was handed out.
    Taken,
}

// The output is never pinned: it is moved out as soon as it is ready.
impl<T> Unpin for Eager<T> {}

impl<T> Eager<T> {
    pub(crate) fn finished(output: Result<T, Panicked>) -> Self {
        Self {
            state: State::Finished(output),
        }
    }

    pub(crate) fn continuing(task: JoinHandle<T>) -> Self {
        Self {
            state: State::Continuing(task),
        }
    }

    /// Whether the body has finished: during the call, or since in its task.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let waiting = ayutil::eager(async {
    ///     tokio::task::yield_now().await;
    ///     1
    /// });
    /// assert!(!waiting.is_finished());
    /// assert_eq!(waiting.await, 1);
    /// # }
    /// ```
    #[must_use]
    pub fn is_finished(&self) -> bool {
        match &self.state {
            State::Finished(_) | State::Taken => true,
            State::Continuing(task) => task.is_finished(),
        }
    }
}

impl<T> Future for Eager<T> {
    type Output = T;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        // The path of a body that finished during the call stays small enough to inline:
        // it is the one measured against a plain `.await`.
        if matches!(this.state, State::Finished(_))
            && let State::Finished(output) = core::mem::replace(&mut this.state, State::Taken)
        {
            return Poll::Ready(match output {
                Ok(value) => value,
                Err(panicked) => resume(panicked),
            });
        }
        this.poll_task(cx)
    }
}

impl<T> Eager<T> {
    #[inline(never)]
    fn poll_task(&mut self, cx: &mut Context<'_>) -> Poll<T> {
        let State::Continuing(task) = &mut self.state else {
            panic!("`Eager` polled after it returned its output")
        };
        let output = match Pin::new(task).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(output) => output,
        };
        self.state = State::Taken;
        match output {
            Ok(value) => Poll::Ready(value),
            Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Err(_) => panic!(
                "the task continuing an eager body was cancelled: its runtime shut down before it finished"
            ),
        }
    }
}

#[cold]
#[inline(never)]
fn resume(panicked: Panicked) -> ! {
    panicked.resume()
}

impl<T> Drop for Eager<T> {
    #[inline]
    fn drop(&mut self) {
        if let State::Continuing(task) = &self.state {
            task.abort();
        }
    }
}

impl<T> fmt::Debug for Eager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Finished(Ok(_)) => "finished",
            State::Finished(Err(_)) => "panicked",
            State::Continuing(_) => "continuing",
            State::Taken => "taken",
        };
        f.debug_struct("Eager").field("state", &state).finish()
    }
}
