//! [`CoroStart`]: a future run until it first waits, and what can be done with it then.

use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Eager, NotDone};
use crate::Panicked;
use crate::rt::inherit::Inherited;
use crate::rt::spawn as rt_spawn;

/// A future started at once: polled a first time, on the caller's stack, until it waits,
/// finishes or panics.
///
/// This is the low-level piece under [`eager`](fn@crate::eager): start a future with
/// [`CoroStart::new`], ask whether it finished ([`is_done`](CoroStart::is_done)) or waits
/// ([`is_blocked`](CoroStart::is_blocked)), then either take its output
/// ([`into_output`](CoroStart::into_output), [`into_ready`](CoroStart::into_ready)) or
/// `.await` it, which continues it in the awaiting task.
///
/// The first poll uses a waker that does nothing: whoever continues the future polls it
/// again, and that poll registers the real waker, as every future must on every poll.
/// A panic during the first poll is held and resumed where the output is taken, never at
/// [`new`](CoroStart::new).
///
/// The future is boxed before its first poll: a future that waited cannot move any more,
/// and only a heap place can outlive the call and follow the future into a task.
///
/// # Examples
///
/// ```
/// use ayutil::CoroStart;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let start = CoroStart::new(async { 1 + 1 });
/// assert!(start.is_done());
/// assert_eq!(start.into_output().ok(), Some(2));
///
/// let (tx, rx) = tokio::sync::oneshot::channel();
/// let start = CoroStart::new(async { rx.await.unwrap() });
/// assert!(start.is_blocked());
/// tx.send(3).unwrap();
/// assert_eq!(start.await, 3); // continues it here
/// # }
/// ```
pub struct CoroStart<F: Future> {
    state: Start<F>,
}

enum Start<F: Future> {
    /// Waited during the first poll.
    Blocked(Pin<Box<F>>),
    /// Finished (or panicked) during the first poll. The panic is held as a [`Panicked`]
    /// (`Sync`, unlike a bare payload) and resumed where the output is taken.
    Done(Result<F::Output, Panicked>),
}

impl<F: Future> CoroStart<F> {
    /// Polls `fut` once, now, and keeps it with the outcome of that poll.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut log = Vec::new();
    /// let start = ayutil::CoroStart::new(async {
    ///     log.push("body");
    /// });
    /// assert!(start.is_done()); // the body ran during `new`
    /// drop(start);
    /// assert_eq!(log, ["body"]);
    /// ```
    #[inline]
    pub fn new(fut: F) -> Self {
        let mut fut = Box::pin(fut);
        let mut cx = Context::from_waker(Waker::noop());
        let state = match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx))) {
            Ok(Poll::Ready(output)) => Start::Done(Ok(output)),
            Ok(Poll::Pending) => Start::Blocked(fut),
            Err(payload) => Start::Done(Err(Panicked::new(payload))),
        };
        Self { state }
    }

    /// Whether the future finished (or panicked) during its first poll.
    ///
    /// # Examples
    ///
    /// ```
    /// let start = ayutil::CoroStart::new(std::future::pending::<()>());
    /// assert!(!start.is_done());
    /// ```
    #[must_use]
    pub fn is_done(&self) -> bool {
        matches!(self.state, Start::Done(_))
    }

    /// Whether the future waits: its first poll returned `Pending`. The opposite of
    /// [`is_done`](CoroStart::is_done).
    ///
    /// # Examples
    ///
    /// ```
    /// let start = ayutil::CoroStart::new(std::future::pending::<()>());
    /// assert!(start.is_blocked());
    /// ```
    #[must_use]
    pub fn is_blocked(&self) -> bool {
        !self.is_done()
    }

    /// The output, if the future finished during its first poll.
    ///
    /// # Errors
    ///
    /// [`NotDone`] if the future waits; it hands the `CoroStart` back, to be awaited.
    ///
    /// # Panics
    ///
    /// Resumes the panic of a future that panicked during its first poll.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let start = ayutil::CoroStart::new(async {
    ///     tokio::task::yield_now().await;
    ///     5
    /// });
    /// let start = start.into_output().unwrap_err().into_inner();
    /// assert_eq!(start.await, 5);
    /// # }
    /// ```
    pub fn into_output(self) -> Result<F::Output, NotDone<F>> {
        match self.state {
            Start::Done(Ok(output)) => Ok(output),
            Start::Done(Err(panicked)) => panicked.resume(),
            Start::Blocked(_) => Err(NotDone::new(self)),
        }
    }

    /// The output as a ready future, if the future finished during its first poll. A
    /// panic of the first poll is resumed when that future is awaited.
    ///
    /// # Errors
    ///
    /// [`NotDone`] if the future waits; it hands the `CoroStart` back.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let ready = ayutil::CoroStart::new(async { "done" }).into_ready().unwrap();
    /// assert_eq!(ready.await, "done");
    /// # }
    /// ```
    pub fn into_ready(self) -> Result<Eager<F::Output>, NotDone<F>> {
        match self.state {
            Start::Done(output) => Ok(Eager::finished(output)),
            Start::Blocked(_) => Err(NotDone::new(self)),
        }
    }
}

impl<F> CoroStart<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    /// The output if done, else the rest continued as a tokio task.
    #[track_caller]
    #[inline]
    pub(crate) fn into_eager(self) -> Eager<F::Output> {
        match self.state {
            Start::Done(output) => Eager::finished(output),
            Start::Blocked(fut) => spawn(fut),
        }
    }
}

impl<F> CoroStart<F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    /// The output if done, else the rest continued as a task of the current `LocalSet`.
    #[track_caller]
    #[inline]
    pub(crate) fn into_eager_local(self) -> Eager<F::Output> {
        match self.state {
            Start::Done(output) => Eager::finished(output),
            Start::Blocked(fut) => spawn_local(fut),
        }
    }
}

// The spawning paths stay out of line, so the path of a body that finished (the one
// measured against a plain `.await`) stays small enough to inline.

#[cold]
#[inline(never)]
#[track_caller]
fn spawn<F>(fut: Pin<Box<F>>) -> Eager<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // Without a runtime: the policy's panic, at the caller (`CoroStart` is the way to
    // start a body outside one).
    Eager::continuing(rt_spawn::spawn(Inherited::capture().wrap(fut)))
}

#[cold]
#[inline(never)]
#[track_caller]
fn spawn_local<F>(fut: Pin<Box<F>>) -> Eager<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    // tokio's own panic outside a `LocalSet` names the `LocalSet` and, through
    // `#[track_caller]`, points at the caller.
    Eager::continuing(rt_spawn::spawn_local(Inherited::capture().wrap(fut)))
}

impl<F: Future> IntoFuture for CoroStart<F> {
    type Output = F::Output;
    type IntoFuture = Continuation<F>;

    /// Continues the future in the task that awaits it.
    fn into_future(self) -> Continuation<F> {
        Continuation {
            state: match self.state {
                Start::Blocked(fut) => Continue::Blocked(fut),
                Start::Done(output) => Continue::Done(output),
            },
        }
    }
}

impl<F: Future> fmt::Debug for CoroStart<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoroStart")
            .field("done", &self.is_done())
            .finish_non_exhaustive()
    }
}

/// A [`CoroStart`] continued in the task that awaits it: the future `.await` turns a
/// `CoroStart` into.
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
