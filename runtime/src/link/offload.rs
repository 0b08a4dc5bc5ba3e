//! [`offload`]: blocking work as a future, so it overlaps with others inside `link!`.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use tokio::task::JoinHandle;

/// Runs a blocking closure on tokio's blocking thread pool and resolves to its result.
///
/// Inside [`link!`](crate::link!), a plain sync closure such as `|| heavy()` is called
/// inline on the executor thread at the first poll: it blocks every other item of the
/// `link!` (and the whole worker thread) while it runs. `offload(|| heavy())` instead runs
/// on a blocking thread, so it overlaps with the other items and the executor stays free.
///
/// The closure starts at the first poll, not at the call. A panic in the closure is
/// resumed in the task that awaits the `Offload`.
///
/// # Cancel safety
///
/// Dropping the future does not stop a closure that already started (threads cannot be
/// interrupted); its result is discarded.
///
/// # Panics
///
/// Polling outside a tokio runtime panics, as `tokio::task::spawn_blocking` does.
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
        state: State::Idle(Some(f)),
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
#[derive(Debug)]
pub struct Offload<F, R> {
    state: State<F, R>,
}

#[derive(Debug)]
enum State<F, R> {
    Idle(Option<F>),
    Running(JoinHandle<R>),
}

// Neither variant is structurally pinned: the closure is moved out before it runs and the
// join handle is `Unpin`.
impl<F, R> Unpin for Offload<F, R> {}

impl<F, R> Future for Offload<F, R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        loop {
            match &mut self.state {
                State::Idle(f) => {
                    let f = f
                        .take()
                        .expect("Offload polled after its closure was taken");
                    self.state = State::Running(tokio::task::spawn_blocking(f));
                }
                State::Running(handle) => {
                    return Poll::Ready(match ready!(Pin::new(handle).poll(cx)) {
                        Ok(v) => v,
                        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                        // Only a runtime shutting down cancels a blocking task.
                        Err(e) => {
                            panic!("offload: the runtime shut down before the closure ran: {e}")
                        }
                    });
                }
            }
        }
    }
}
