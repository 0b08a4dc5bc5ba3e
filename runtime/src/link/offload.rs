//! [`offload`]: blocking work as a future, so it overlaps with others inside `link!`.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use tokio::task::JoinHandle;

use crate::rt::inherit::handed_fn;
use crate::rt::spawn;
use crate::rt::start::Start;

/// Runs a blocking closure on tokio's blocking thread pool and resolves to its result.
///
/// Inside [`link!`](crate::link!), a plain sync closure such as `|| heavy()` is called
/// inline on the executor thread at the first poll: it blocks every other item of the
/// `link!` (and the whole worker thread) while it runs. `offload(|| heavy())` instead runs
/// on a blocking thread, so it overlaps with the other items and the executor stays free.
///
/// The closure starts at the first poll, not at the call. A panic in the closure is
/// resumed in the task that awaits the `Offload`. With the `tracing` feature, the closure
/// runs inside the span current at that first poll, as the body of a future would.
///
/// # Cancel safety
///
/// Dropping the future does not stop a closure that already started (threads cannot be
/// interrupted); its result is discarded.
///
/// # Panics
///
/// The first poll panics outside a tokio runtime, with the message of
/// [`NoRuntime`](crate::NoRuntime).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // The blocking sleep runs on a blocking thread while the timer runs on the executor:
/// // both take about 50 ms together, not 100 ms.
/// let ((), sum, n) = ayutil::link!(
///     tokio::time::sleep(Duration::from_millis(50)),
///     ayutil::offload(|| {
///         std::thread::sleep(Duration::from_millis(50));
///         (1..=10).sum::<u32>()
///     }),
///     7,
/// )
/// .await;
/// assert_eq!((sum, n), (55, 7));
/// # }
/// ```
pub fn offload<F, R>(f: F) -> Offload<F, R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    Offload {
        work: Start::new(f),
    }
}

/// Future returned by [`offload`]: resolves to the closure's result.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let fut: ayutil::Offload<_, u64> = ayutil::offload(|| (1..=20u64).product());
/// assert_eq!(fut.await, 2_432_902_008_176_640_000);
/// # }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Offload<F, R> {
    /// The closure, then the blocking task running it.
    work: Start<F, JoinHandle<R>>,
}

// Nothing is structurally pinned: the closure is moved out before it runs and the join
// handle is `Unpin`.
impl<F, R> Unpin for Offload<F, R> {}

impl<F, R> fmt::Debug for Offload<F, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Offload")
            .field("state", &self.work.phase())
            .finish()
    }
}

impl<F, R> Future for Offload<F, R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        let handle = self
            .work
            .get_or_start(|f| spawn::spawn_blocking(handed_fn(f)))
            .expect("Offload polled after it returned its output");
        let out = match ready!(Pin::new(handle).poll(cx)) {
            Ok(v) => v,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only a runtime shutting down cancels a blocking task.
            Err(e) => panic!("offload: the runtime shut down before the closure ran: {e}"),
        };
        self.work.finish();
        Poll::Ready(out)
    }
}
