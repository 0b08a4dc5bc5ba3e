//! [`eager`] and [`eager_local`]: start a future now, continue it as a task if it waits.

use core::future::Future;

use super::{CoroStart, Eager};

/// Runs `fut` at once, on the caller's stack, until it first waits, finishes or panics;
/// then returns the rest as an [`Eager`] future.
///
/// Rust futures are lazy; `eager` starts one now, like an `async` method in C#, so a
/// request can be in flight before the caller turns to other work. If the body finished,
/// the `Eager` holds its output: nothing is spawned. If the body waits, the rest
/// continues as a tokio task, making progress while the caller does other work, and the
/// `Eager` awaits that task. The task runs inside the `tracing` span that was current at
/// the call (with the `tracing` feature) and sees the task-locals registered with
/// [`inherit_task_local`](crate::inherit_task_local).
///
/// | `fut` is... | log |
/// | --- | --- |
/// | awaited later (plain) | `a b c 1 2` |
/// | `tokio::spawn`ed | `a b 1 c 2` |
/// | `eager` | `a 1 b c 2` |
///
/// The first poll happens before there is a task to wake, so it uses a waker that does
/// nothing; the continuation polls again at once and registers its own. The body is
/// boxed before that first poll (see [`CoroStart`]): one allocation, freed before
/// `eager` returns when the body finishes (and removed by the optimizer when it can see
/// that the body finishes without waiting).
///
/// # Panics
///
/// A panic of the body is never raised here: it is held and resumed where the `Eager` is
/// awaited. `eager` itself panics, at the caller, if the body waits and there is no tokio
/// runtime to continue it on, with the message of [`NoRuntime`](crate::NoRuntime);
/// [`CoroStart`] starts a body without needing one.
///
/// # Cancel safety
///
/// Dropping the returned [`Eager`] aborts the continuation: the body is dropped at its
/// next wait.
///
/// # Examples
///
/// The seed's log: the body runs to its first wait before `eager` returns.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let body = {
///     let log = log.clone();
///     async move {
///         log.lock().unwrap().push("1");
///         tokio::time::sleep(Duration::from_millis(200)).await; // some long IO
///         log.lock().unwrap().push("2");
///     }
/// };
/// log.lock().unwrap().push("a");
/// let rest = ayutil::eager(body);
/// log.lock().unwrap().push("b");
/// tokio::time::sleep(Duration::from_millis(100)).await; // some other IO
/// log.lock().unwrap().push("c");
/// rest.await;
/// assert_eq!(*log.lock().unwrap(), ["a", "1", "b", "c", "2"]);
/// # }
/// ```
#[track_caller]
pub fn eager<F>(fut: F) -> Eager<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    CoroStart::new(fut).into_eager()
}

/// [`eager`] for futures that are not `Send`: a body that waits continues as a task of
/// the current [`LocalSet`](tokio::task::LocalSet).
///
/// # Panics
///
/// A panic of the body is held and resumed where the `Eager` is awaited. `eager_local`
/// itself panics, at the caller, if the body waits outside a `LocalSet` (or a
/// `LocalRuntime`).
///
/// # Cancel safety
///
/// Dropping the returned [`Eager`] aborts the continuation.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let local = tokio::task::LocalSet::new();
/// let n = local
///     .run_until(async {
///         let shared = Rc::new(20); // not `Send`
///         let rest = ayutil::eager_local(async move {
///             tokio::task::yield_now().await;
///             *shared + 1
///         });
///         rest.await
///     })
///     .await;
/// assert_eq!(n, 21);
/// # }
/// ```
#[track_caller]
pub fn eager_local<F>(fut: F) -> Eager<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    CoroStart::new(fut).into_eager_local()
}
