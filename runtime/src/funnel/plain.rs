//! [`Funnel`], [`funnel`] and [`funnel_steps`]: outputs in completion order while the
//! source is still being pulled.

use core::convert::Infallible;
use core::fmt;
use core::future::Future;
use core::num::NonZeroUsize;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use futures_core::{FusedStream, Stream};

use super::engine::{Core, launch_plain, launch_steps};
use super::error::FunnelError;
use super::step::FunnelStep;
use super::try_funnel::TryFunnel;

/// Runs the futures of `source` concurrently and yields their outputs as they complete,
/// while it keeps pulling `source`.
///
/// Unlike a gather or `as_completed`, the first output can come out before the source has
/// ended: the funnel pulls whatever the source has ready, starts it, and yields whatever
/// has finished. It ends once the source has ended and every future has finished.
///
/// Each future is polled once, inline, when it is pulled; a future that is ready at once
/// costs nothing more. Otherwise it moves to the funnel's driver, one tokio task spawned at
/// the first such future, which polls every pending future of the funnel and sends their
/// outputs back as they complete. So futures keep making progress while the consumer is
/// busy between two `next()` calls (a plain `FuturesUnordered` or `buffer_unordered` only
/// polls its futures when the consumer polls it: futures-rs issue 2387). Hence the
/// `Send + 'static` bounds on the futures and their outputs; the source itself needs
/// neither, it is polled by the consumer.
///
/// The futures of one funnel share the driver task, so they run on one worker thread at a
/// time: a future that blocks or burns CPU holds up the others. Spawn such work
/// (`tokio::spawn`, `spawn_blocking`, [`offload`](crate::offload)) inside the future.
///
/// The funnel is lazy: nothing is pulled or started until it is first polled.
///
/// # Panics
///
/// Polling panics outside a tokio runtime (with the message of
/// [`NoRuntime`](crate::NoRuntime)) once a future waits. A panic in a future is resumed in
/// the consumer once the funnel's other futures have been dropped.
///
/// # Cancel safety
///
/// Dropping the funnel aborts its driver task, which drops every future it holds; outputs
/// not yet yielded are lost.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let source = futures::stream::iter([30u64, 10, 20]).map(|ms| async move {
///     tokio::time::sleep(Duration::from_millis(ms)).await;
///     ms
/// });
/// let out: Vec<u64> = ayutil::funnel(source).collect().await;
/// assert_eq!(out, [10, 20, 30]);
/// # }
/// ```
pub fn funnel<S, F>(source: S) -> Funnel<S, F::Output>
where
    S: Stream<Item = F>,
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Funnel {
        core: Core::new(source, launch_plain::<F>),
    }
}

/// Like [`funnel`], for futures that finish with a [`FunnelStep`]: a final value, or a
/// continuation that goes back into the funnel and whose outcome comes out later.
///
/// The continuation runs at once in the slot of the future that returned it, so it does
/// not wait for the consumer and counts once against [`Funnel::limit`].
///
/// # Panics
///
/// As [`funnel`].
///
/// # Cancel safety
///
/// As [`funnel`]: dropping it aborts every future and continuation it holds.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ayutil::FunnelStep;
/// use futures::StreamExt;
///
/// // The demo of the Python funnel: every sleeper returns a second sleeper.
/// fn sleeper(n: u64, again: bool) -> impl Future<Output = FunnelStep<(u64, bool)>> + Send {
///     async move {
///         tokio::time::sleep(Duration::from_millis(10 * n)).await;
///         if again { FunnelStep::then(sleeper(n, false)) } else { FunnelStep::Done((n, again)) }
///     }
/// }
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let source = futures::stream::iter(1..=3).map(|n| sleeper(n, true));
/// let out: Vec<_> = ayutil::funnel_steps(source).collect().await;
/// assert_eq!(out, [(1, false), (2, false), (3, false)]);
/// # }
/// ```
pub fn funnel_steps<S, F, T>(source: S) -> Funnel<S, T>
where
    S: Stream<Item = F>,
    F: Future<Output = FunnelStep<T>> + Send + 'static,
    T: Send + 'static,
{
    Funnel {
        core: Core::new(source, launch_steps::<F, T>),
    }
}

/// Stream returned by [`funnel`] and [`funnel_steps`]: outputs in completion order.
///
/// See [`funnel`] for the behaviour, [`limit`](Self::limit) for backpressure and
/// [`timeout`](Self::timeout) for an overall deadline.
///
/// # Examples
///
/// ```
/// use ayutil::Funnel;
/// use futures::StreamExt;
/// use futures::stream::FusedStream;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let source = futures::stream::iter(1..=4).map(|n| async move { n * 10 });
/// let mut tens: Funnel<_, u32> = ayutil::funnel(source);
/// let mut sum = 0;
/// while let Some(x) = tens.next().await {
///     sum += x;
/// }
/// assert_eq!(sum, 100);
/// assert!(tens.is_terminated(), "fused: it stays ended");
/// assert_eq!(tens.next().await, None);
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct Funnel<S: Stream, T> {
    core: Core<S, T, Infallible>,
}

impl<S: Stream, T> Funnel<S, T>
where
    T: Send + 'static,
{
    /// Runs at most `n` futures at once. The source is not pulled while `n` futures are
    /// running or finished but not yet yielded, so a slow consumer holds the source back.
    ///
    /// `NonZeroUsize` rules out the limit of zero that hangs `buffer_unordered(0)`
    /// (futures-rs issue 2348); `NonZeroUsize::MAX` means no limit, as the default.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    /// let source = futures::stream::iter(0..20).map(|i| {
    ///     let (now, peak) = (now.clone(), peak.clone());
    ///     async move {
    ///         peak.fetch_max(now.fetch_add(1, SeqCst) + 1, SeqCst);
    ///         tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    ///         now.fetch_sub(1, SeqCst);
    ///         i
    ///     }
    /// });
    /// let n = ayutil::funnel(source).limit(NonZeroUsize::new(3).unwrap()).count().await;
    /// assert_eq!((n, peak.load(SeqCst)), (20, 3));
    /// # }
    /// ```
    pub fn limit(mut self, n: NonZeroUsize) -> Self {
        self.core.set_limit(n.get());
        self
    }

    /// Ends the funnel after `timeout`, counted from its first poll. Outputs completed
    /// before the deadline are still yielded; then comes
    /// [`FunnelError::TimedOut`] and the end. Futures still running are dropped before the
    /// error comes out.
    ///
    /// As with `tokio::time::timeout`, `Duration::ZERO` still yields the outputs of futures
    /// that are ready on their first poll, and `Duration::MAX` never fires.
    ///
    /// The items become `Result<T, FunnelError<Infallible>>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let source = futures::stream::iter([10u64, 500]).map(|ms| async move {
    ///     tokio::time::sleep(Duration::from_millis(ms)).await;
    ///     ms
    /// });
    /// let out: Vec<_> = ayutil::funnel(source).timeout(Duration::from_millis(100)).collect().await;
    /// assert_eq!(out.len(), 2);
    /// assert_eq!(out[0], Ok(10));
    /// assert!(out[1].as_ref().unwrap_err().is_timeout());
    /// # }
    /// ```
    pub fn timeout(self, timeout: Duration) -> TryFunnel<S, T, Infallible> {
        let mut core = self.core;
        core.set_timeout(timeout);
        TryFunnel::from_core(core)
    }

    /// How many futures are running or finished but not yet yielded.
    ///
    /// # Examples
    ///
    /// ```
    /// let f = ayutil::funnel(futures::stream::iter([async { 1 }]));
    /// assert_eq!(f.in_flight(), 0, "lazy: nothing started before the first poll");
    /// ```
    pub fn in_flight(&self) -> usize {
        self.core.in_flight()
    }
}

impl<S: Stream, T> Stream for Funnel<S, T>
where
    T: Send + 'static,
{
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        this.core.poll_next(cx).map(|item| {
            item.map(|result| match result {
                Ok(value) => value,
                Err(FunnelError::Failed(never)) => match never {},
                // A `Funnel` has no deadline: `timeout` turns it into a `TryFunnel`.
                Err(FunnelError::TimedOut(_)) => unreachable!("a Funnel has no deadline"),
            })
        })
    }
}

impl<S: Stream, T> FusedStream for Funnel<S, T>
where
    T: Send + 'static,
{
    fn is_terminated(&self) -> bool {
        self.core.is_finished()
    }
}

impl<S: Stream, T> fmt::Debug for Funnel<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}
