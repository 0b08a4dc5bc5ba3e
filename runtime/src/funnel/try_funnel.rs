//! [`TryFunnel`] and [`try_funnel`]: a funnel that stops at the first error.

use core::fmt;
use core::future::Future;
use core::num::NonZeroUsize;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use futures_core::{FusedStream, Stream};

use super::engine::{Core, launch_try};
use super::error::FunnelError;

/// Like [`funnel`](crate::funnel), for a fallible source of fallible futures: yields
/// `Ok` outputs in completion order and ends at the first `Err`.
///
/// The first `Err`, from a future or from the source itself, is yielded as
/// [`FunnelError::Failed`] once every other future of the funnel has been dropped (the
/// driver task is aborted, and the error waits until it has stopped), and the source is
/// not polled again. Outputs that completed before it but were not yet yielded are
/// dropped too.
///
/// # Panics
///
/// As [`funnel`](crate::funnel).
///
/// # Cancel safety
///
/// Dropping the funnel aborts every future it holds.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let source = futures::stream::iter([10u64, 20, 30]).map(|ms| {
///     Ok(async move {
///         tokio::time::sleep(Duration::from_millis(ms)).await;
///         if ms == 20 { Err("twenty") } else { Ok(ms) }
///     })
/// });
/// let out: Vec<_> = ayutil::try_funnel(source).collect().await;
/// assert_eq!(out, [Ok(10), Err(ayutil::FunnelError::Failed("twenty"))]);
/// # }
/// ```
pub fn try_funnel<S, F, T, E>(source: S) -> TryFunnel<S, T, E>
where
    S: Stream<Item = Result<F, E>>,
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    TryFunnel {
        core: Core::new(source, launch_try::<F, T, E>),
    }
}

/// Stream returned by [`try_funnel`] and [`Funnel::timeout`](crate::Funnel::timeout):
/// `Ok` outputs in completion order, then at most one [`FunnelError`].
///
/// # Examples
///
/// ```
/// use ayutil::{FunnelError, TryFunnel};
/// use futures::StreamExt;
/// use futures::stream::FusedStream;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // The source itself fails at its third item.
/// let source = futures::stream::iter([1, 2, 0, 4]).map(|n| match n {
///     0 => Err("source ran dry"),
///     n => Ok(async move { Ok(n) }),
/// });
/// let mut f: TryFunnel<_, i32, &str> = ayutil::try_funnel(source);
/// let mut out = Vec::new();
/// while let Some(item) = f.next().await {
///     out.push(item);
/// }
/// // Outputs not yet yielded when the error comes are dropped: only the error is certain,
/// // and it comes last.
/// assert_eq!(out.last(), Some(&Err(FunnelError::Failed("source ran dry"))));
/// assert!(out[..out.len() - 1].iter().all(Result::is_ok));
/// assert!(!out.contains(&Ok(4)), "the source is not pulled after its error");
/// assert!(f.is_terminated());
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct TryFunnel<S: Stream, T, E> {
    core: Core<S, T, E>,
}

impl<S: Stream, T, E> TryFunnel<S, T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    pub(crate) fn from_core(core: Core<S, T, E>) -> Self {
        Self { core }
    }

    /// Runs at most `n` futures at once; see [`Funnel::limit`](crate::Funnel::limit).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let source = futures::stream::iter(0..4).map(|i| Ok::<_, ()>(async move { Ok(i) }));
    /// let f = ayutil::try_funnel(source).limit(NonZeroUsize::MIN);
    /// assert_eq!(f.collect::<Vec<_>>().await, [Ok(0), Ok(1), Ok(2), Ok(3)]);
    /// # }
    /// ```
    pub fn limit(mut self, n: NonZeroUsize) -> Self {
        self.core.set_limit(n.get());
        self
    }

    /// Ends the funnel after `timeout`, counted from its first poll: outputs completed
    /// before the deadline are still yielded, then [`FunnelError::TimedOut`]. Futures still
    /// running are dropped before the error comes out.
    ///
    /// As with `tokio::time::timeout`, `Duration::ZERO` still yields the outputs of futures
    /// that are ready on their first poll, and `Duration::MAX` never fires.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let never = futures::stream::pending::<Result<std::future::Ready<Result<(), ()>>, ()>>();
    /// let out: Vec<_> = ayutil::try_funnel(never).timeout(Duration::from_secs(1)).collect().await;
    /// assert_eq!(out, [Err(ayutil::FunnelError::TimedOut(Duration::from_secs(1)))]);
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.core.set_timeout(timeout);
        self
    }

    /// How many futures are running or finished but not yet yielded.
    ///
    /// # Examples
    ///
    /// ```
    /// let src = futures::stream::iter([Ok::<_, ()>(async { Ok::<_, ()>(1) })]);
    /// assert_eq!(ayutil::try_funnel(src).in_flight(), 0);
    /// ```
    pub fn in_flight(&self) -> usize {
        self.core.in_flight()
    }
}

impl<S: Stream, T, E> Stream for TryFunnel<S, T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    type Item = Result<T, FunnelError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().core.poll_next(cx)
    }
}

impl<S: Stream, T, E> FusedStream for TryFunnel<S, T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    fn is_terminated(&self) -> bool {
        self.core.is_finished()
    }
}

impl<S: Stream, T, E> fmt::Debug for TryFunnel<S, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}
