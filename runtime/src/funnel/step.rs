//! [`FunnelStep`]: a funnel item's outcome, either a final value or a continuation.

use core::fmt;
use core::future::Future;
use core::pin::Pin;

/// What a future fed to [`funnel_steps`](crate::funnel_steps) finishes with: a final value,
/// or a continuation that goes back into the funnel.
///
/// A function that returns itself as a continuation is recursive: write it as
/// `fn f(..) -> impl Future<Output = FunnelStep<T>> + Send { async move { .. } }`, since the
/// compiler cannot infer `Send` for a recursive `async fn`.
///
/// A continuation runs in the same slot as the future that returned it (it counts once
/// against [`limit`](crate::Funnel::limit)) and starts at once, without waiting for the
/// consumer. Its own outcome may again be a continuation.
///
/// # Examples
///
/// ```
/// use ayutil::FunnelStep;
///
/// // A recursive future names its `Send` bound: `impl Future + Send` instead of `async fn`.
/// fn countdown(n: u32) -> impl Future<Output = FunnelStep<&'static str>> + Send {
///     async move { if n == 0 { FunnelStep::Done("liftoff") } else { FunnelStep::then(countdown(n - 1)) } }
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut step = countdown(3).await;
/// while let FunnelStep::Continue(next) = step {
///     step = next.await;
/// }
/// assert!(matches!(step, FunnelStep::Done("liftoff")));
/// # }
/// ```
pub enum FunnelStep<T> {
    /// The item is finished; the funnel yields this value.
    Done(T),
    /// The item goes on with this future; its outcome is handled the same way.
    Continue(Pin<Box<dyn Future<Output = FunnelStep<T>> + Send + 'static>>),
}

impl<T> FunnelStep<T> {
    /// A continuation: boxes `next` into [`FunnelStep::Continue`].
    ///
    /// # Examples
    ///
    /// ```
    /// let step = ayutil::FunnelStep::then(async { ayutil::FunnelStep::Done(1) });
    /// assert!(matches!(step, ayutil::FunnelStep::Continue(_)));
    /// ```
    pub fn then<F>(next: F) -> Self
    where
        F: Future<Output = FunnelStep<T>> + Send + 'static,
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

impl<T: fmt::Debug> fmt::Debug for FunnelStep<T> {
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
