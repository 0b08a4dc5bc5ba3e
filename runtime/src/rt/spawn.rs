//! The spawn policy: how every feature finds the tokio runtime, and what it does with none.
//!
//! Every task ayutil starts goes through this file; nothing else names `tokio::spawn`,
//! `spawn_blocking`, `spawn_local` or `Handle::try_current`. The runtime is the one of the
//! calling thread (`Handle::try_current`), found where the feature first needs it; a
//! feature that must spawn later from anywhere (a scope whose tasks free slots from other
//! threads) keeps that handle and spawns on it with the `_on` functions.
//!
//! With no runtime, the rule is the one written on [`NoRuntime`]:
//! - an API that can return an error returns [`NoRuntime`] (or an error holding it), as
//!   [`BatcherBuilder::build`](crate::BatcherBuilder::build) does;
//! - an API that cannot (a fire-and-forget spawn, a stream's or a future's first poll)
//!   panics with [`NoRuntime`]'s message, at the caller through `#[track_caller]`, as
//!   `tokio::spawn` does.
//!
//! The `_local` functions need a `LocalSet`; outside one they panic with tokio's own
//! message, which names the `LocalSet` (tokio offers no way to ask beforehand).
//!
//! These functions only find the runtime: what a spawned future keeps from the place the
//! user handed it over (the `tracing` span) is added where the hand-over happens, with
//! [`handed`](crate::rt::inherit::handed), since a queued task may be spawned much later,
//! from another task.

#![allow(dead_code)] // Not every feature set uses every function.

use core::fmt;
use core::future::Future;

use tokio::runtime::Handle;
use tokio::task::{AbortHandle, JoinHandle, JoinSet};

/// There is no tokio runtime on this thread, and the call needs one.
///
/// ayutil spawns its tasks on the tokio runtime of the calling thread. Outside one (a
/// plain `fn main`, a thread started with `std::thread::spawn`, a test without
/// `#[tokio::test]`), an API that needs to spawn either returns this error, when it can
/// return an error at all, or panics at the caller with this error's message, when it
/// cannot (a fire-and-forget spawn such as [`Group::spawn`](crate::Group::spawn), or the
/// first poll of a stream such as [`iter_stream`](crate::iter_stream)), as `tokio::spawn`
/// does. Every API of ayutil follows this one rule; its docs say which of the two it
/// does.
///
/// The remedy is the same everywhere: make the call from inside a runtime, in an
/// `async fn` run by `#[tokio::main]` or `Runtime::block_on`, or after
/// [`Runtime::enter`](tokio::runtime::Runtime::enter).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::time::Duration;
///
/// // No runtime here: building a batcher (which spawns its driver) reports it.
/// let volume = NonZeroUsize::new(10).unwrap();
/// let err = ayutil::Batcher::builder(volume, Duration::from_millis(5))
///     .build(|items: Vec<u32>| async move { Ok::<_, std::io::Error>(items) })
///     .unwrap_err();
/// let ayutil::BatcherConfigError::NoRuntime(cause) = err else { unreachable!() };
/// assert!(cause.to_string().starts_with("no tokio runtime here"));
///
/// // Inside one, the same call succeeds.
/// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// let _entered = rt.enter();
/// assert!(ayutil::Batcher::builder(volume, Duration::from_millis(5))
///     .build(|items: Vec<u32>| async move { Ok::<_, std::io::Error>(items) })
///     .is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct NoRuntime;

impl NoRuntime {
    const MESSAGE: &'static str = "no tokio runtime here: ayutil spawns tasks on the tokio \
        runtime of the calling thread; make this call from inside one (in an `async fn` \
        run by `#[tokio::main]` or `Runtime::block_on`, or after `Runtime::enter`)";

    /// Panics with this error's message, at the caller's caller (`#[track_caller]`).
    #[cold]
    #[inline(never)]
    #[track_caller]
    pub(crate) fn panic(self) -> ! {
        panic!("{}", Self::MESSAGE)
    }
}

impl fmt::Display for NoRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for NoRuntime {}

/// The runtime of the calling thread.
pub(crate) fn try_runtime() -> Result<Handle, NoRuntime> {
    Handle::try_current().map_err(|_| NoRuntime)
}

/// The runtime of the calling thread; panics with [`NoRuntime`]'s message without one.
#[track_caller]
pub(crate) fn runtime() -> Handle {
    // A `match`, not `unwrap_or_else`: a closure would end the `#[track_caller]` chain.
    match try_runtime() {
        Ok(runtime) => runtime,
        Err(no_runtime) => no_runtime.panic(),
    }
}

/// Spawns `fut` on the runtime of the calling thread.
pub(crate) fn try_spawn<F>(fut: F) -> Result<JoinHandle<F::Output>, NoRuntime>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Ok(try_runtime()?.spawn(fut))
}

/// Spawns `fut` on the runtime of the calling thread; panics with [`NoRuntime`]'s
/// message without one.
#[track_caller]
pub(crate) fn spawn<F>(fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime().spawn(fut)
}

/// Spawns `fut` on `runtime`, a handle found earlier.
pub(crate) fn spawn_on<F>(runtime: &Handle, fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime.spawn(fut)
}

/// Spawns `fut` into `set`. Only called from a task of the runtime (a driver spawning its
/// work), where the runtime always is: no need to look for it first.
pub(crate) fn spawn_into<F>(set: &mut JoinSet<F::Output>, fut: F) -> AbortHandle
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    set.spawn(fut)
}

/// Runs `f` on the blocking pool of the runtime of the calling thread; panics with
/// [`NoRuntime`]'s message without one.
#[track_caller]
pub(crate) fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    runtime().spawn_blocking(f)
}

/// Runs `f` on the blocking pool of `runtime`, a handle found earlier.
pub(crate) fn spawn_blocking_on<F, R>(runtime: &Handle, f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    runtime.spawn_blocking(f)
}

/// Spawns `fut` on the current `LocalSet`; outside one, panics with tokio's message,
/// which names the `LocalSet`.
#[track_caller]
pub(crate) fn spawn_local<F>(fut: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    tokio::task::spawn_local(fut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}

    #[test]
    fn no_runtime_is_a_send_sync_error_that_says_what_to_do() {
        assert_error::<NoRuntime>();
        let message = try_runtime().unwrap_err().to_string();
        assert!(message.starts_with("no tokio runtime here"), "{message}");
        assert!(message.contains("#[tokio::main]"), "{message}");
    }

    #[test]
    fn without_a_runtime_the_panicking_forms_panic_with_the_message() {
        for payload in [
            std::panic::catch_unwind(|| drop(spawn(async {}))).unwrap_err(),
            std::panic::catch_unwind(|| drop(spawn_blocking(|| {}))).unwrap_err(),
            std::panic::catch_unwind(|| drop(runtime())).unwrap_err(),
        ] {
            assert_eq!(
                payload.downcast_ref::<String>().unwrap(),
                NoRuntime::MESSAGE
            );
        }
    }

    #[tokio::test]
    async fn inside_a_runtime_each_function_spawns() {
        assert_eq!(try_spawn(async { 1 }).unwrap().await.unwrap(), 1);
        assert_eq!(spawn(async { 2 }).await.unwrap(), 2);
        assert_eq!(spawn_on(&runtime(), async { 3 }).await.unwrap(), 3);
        assert_eq!(spawn_blocking(|| 4).await.unwrap(), 4);
        assert_eq!(spawn_blocking_on(&runtime(), || 5).await.unwrap(), 5);
        let mut set = JoinSet::new();
        spawn_into(&mut set, async { 6 });
        assert_eq!(set.join_next().await.unwrap().unwrap(), 6);
        let local = tokio::task::LocalSet::new();
        let spawned = local.run_until(async { spawn_local(async { 7 }).await });
        assert_eq!(spawned.await.unwrap(), 7);
    }
}
