//! [`Step`]: a funnel item's outcome, either a final value or a continuation.

use core::fmt;
use core::future::Future;
use core::pin::Pin;

/// What a future fed to [`funnel_steps`](crate::funnel_steps) finishes with: a final value,
/// or a continuation that goes back into the funnel.
///
/// A function that returns itself as a continuation is recursive: write it as
/// `fn f(..) -> impl Future<Output = Step<T>> + Send { async move { .. } }`, since the
/// compiler cannot infer `Send` for a recursive `async fn`.
///
/// A continuation runs in the same slot as the future that returned it (it counts once
/// against [`limit`](crate::Funnel::limit)) and starts at once, without waiting for the
/// consumer. Its own outcome may again be a continuation.
///
/// # Examples
///
/// ```
/// use ayutil::Step;
///
/// // A recursive future names its `Send` bound: `impl Future + Send` instead of `async fn`.
/// fn countdown(n: u32) -> impl Future<Output = Step<&'static str>> + Send {
///     async move { if n == 0 { Step::Done("liftoff") } else { Step::then(countdown(n - 1)) } }
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut step = countdown(3).await;
/// while let Step::Continue(next) = step {
///     step = next.await;
/// }
/// assert!(matches!(step, Step::Done("liftoff")));
/// # }
/// ```
pub enum Step<T> {
    /// The item is finished; the funnel yields this value.
    Done(T),
    /// The item goes on with this future; its outcome is handled the same way.
    Continue(Pin<Box<dyn Future<Output = Step<T>> + Send + 'static>>),
}

impl<T> Step<T> {
    /// A continuation: boxes `next` into [`Step::Continue`].
    ///
    /// # Examples
    ///
    /// ```
    /// let step = ayutil::Step::then(async { ayutil::Step::Done(1) });
    /// assert!(matches!(step, ayutil::Step::Continue(_)));
    /// ```
    pub fn then<F>(next: F) -> Self
    where
        F: Future<Output = Step<T>> + Send + 'static,
    {
        Self::Continue(Box::pin(next))
    }

    /// Awaits continuations until the final value.
    pub(crate) async fn finish(mut self) -> T {
        loop {
            match self {
                Self::Done(value) => return value,
                Self::Continue(next) => self = next.await,
            }
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Step<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Done(v) => f.debug_tuple("Done").field(v).finish(),
            Self::Continue(_) => f
                .debug_tuple("Continue")
                .field(&format_args!(".."))
                .finish(),
        }
    }
}
