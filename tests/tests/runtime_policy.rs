//! The spawn policy: every public entry point that needs a tokio runtime, called outside
//! one, either returns `NoRuntime` or panics with its message, at the caller when the
//! panic comes from the call itself (`#[track_caller]`), at the first poll for lazy
//! futures and streams. Entry points that can do without a runtime do.

use std::cell::RefCell;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::time::Duration;

use ayutil::{
    Bag, Batcher, BatcherConfigError, Group, NoRuntime, OrderedBag, Pool, TaskSet, Waterfall,
};
use futures::StreamExt;
use futures::executor::block_on;

std::thread_local! {
    /// Set while a test expects a panic: the hook records where it came from, quietly.
    static CAUGHT: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Runs `f` (outside any runtime) and returns the message of its panic and the file the
/// panic points at.
fn panic_of(f: impl FnOnce()) -> (String, String) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let expected = CAUGHT.with(|caught| {
                let mut caught = caught.borrow_mut();
                let expecting = caught.is_some();
                if expecting {
                    *caught = Some(info.location().map(|l| l.file().to_owned()));
                }
                expecting
            });
            if !expected {
                default(info);
            }
        }));
    });
    CAUGHT.with(|caught| *caught.borrow_mut() = Some(None));
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("no panic");
    let file = CAUGHT.with(|caught| caught.borrow_mut().take().flatten());
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    (message, file.unwrap_or_default())
}

/// `NoRuntime`'s message, as returned by an API that reports the error.
fn no_runtime() -> String {
    match Batcher::builder(NonZeroUsize::MIN, Duration::from_millis(1))
        .build(|items: Vec<u8>| async move { Ok::<_, std::io::Error>(items) })
    {
        Err(BatcherConfigError::NoRuntime(cause)) => cause.to_string(),
        other => panic!("expected NoRuntime, got {other:?}"),
    }
}

/// The call panicked with `NoRuntime`'s message, pointing at this file.
#[track_caller]
fn assert_panics_at_caller(f: impl FnOnce()) {
    let (message, file) = panic_of(f);
    assert_eq!(message, no_runtime());
    assert!(file.ends_with("runtime_policy.rs"), "points at {file}");
}

/// The call panicked with `NoRuntime`'s message (from inside a poll).
#[track_caller]
fn assert_panics_with_message(f: impl FnOnce()) {
    let (message, _) = panic_of(f);
    assert_eq!(message, no_runtime());
}

#[test]
fn no_runtime_is_a_public_send_sync_error_that_says_what_to_do() {
    fn error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    let err = Batcher::builder(NonZeroUsize::MIN, Duration::from_millis(1))
        .build(|items: Vec<u8>| async move { Ok::<_, std::io::Error>(items) })
        .unwrap_err();
    let BatcherConfigError::NoRuntime(cause) = err.clone() else {
        panic!("{err:?}");
    };
    error(&cause);
    let _: NoRuntime = cause;
    // Display reports the cause itself, and nothing else repeats it.
    assert_eq!(err.to_string(), cause.to_string());
    assert!(std::error::Error::source(&err).is_none());
    let message = cause.to_string();
    assert!(message.starts_with("no tokio runtime here"), "{message}");
    assert!(
        message.contains("#[tokio::main]"),
        "names the remedy: {message}"
    );
    let any: anyhow::Error = cause.into();
    assert_eq!(format!("{any:#}"), message);
}

#[test]
fn group_spawn_panics_at_the_caller() {
    assert_panics_at_caller(|| Group::new().spawn(async {}));
}

#[test]
fn pool_spawn_panics_at_the_caller() {
    assert_panics_at_caller(|| Pool::new(NonZeroUsize::new(2).unwrap()).spawn(async {}));
}

#[test]
fn pool_spawn_wait_panics_at_its_first_poll() {
    let pool = Pool::new(NonZeroUsize::MIN);
    let wait = pool.spawn_wait(async {}); // lazy: nothing yet
    assert_panics_with_message(|| block_on(wait));
}

#[test]
fn task_set_spawn_panics_at_the_caller() {
    assert_panics_at_caller(|| TaskSet::<std::io::Error>::new().spawn(async { Ok(()) }));
}

#[test]
fn bag_spawn_and_its_putter_panic_at_the_caller() {
    let bag = Bag::<u8>::new();
    assert_panics_at_caller(|| bag.spawn(async { Some(1) }));
    let putter = bag.putter();
    assert_panics_at_caller(|| drop(putter.spawn(async { Some(2) })));
}

#[test]
fn ordered_bag_spawn_and_its_putter_panic_at_the_caller() {
    let bag = OrderedBag::<u8>::new();
    assert_panics_at_caller(|| bag.spawn(async { Some(1) }));
    let putter = bag.putter();
    assert_panics_at_caller(|| drop(putter.spawn(async { Some(2) })));
}

#[test]
fn scope_panics_at_its_first_poll() {
    let scope = ayutil::scope(|s| async move { drop(s.spawn(async {})) });
    assert_panics_with_message(|| drop(block_on(scope)));
    let options = ayutil::Scope::<u8>::options().run(|_| async {});
    assert_panics_with_message(|| drop(block_on(options)));
    let fallible = ayutil::Scope::<u8, std::io::Error>::options().try_run(|_| async { Ok(()) });
    assert_panics_with_message(|| drop(block_on(fallible)));
}

#[test]
fn a_funnel_panics_once_a_future_waits_and_needs_no_runtime_before() {
    // Futures ready at their first, inline poll never reach the driver task.
    let ready = ayutil::funnel(futures::stream::iter([1, 2, 3].map(std::future::ready)));
    assert_eq!(block_on(ready.collect::<Vec<_>>()), [1, 2, 3]);
    let mut waiting = ayutil::funnel(futures::stream::iter([std::future::pending::<u8>()]));
    assert_panics_with_message(|| {
        block_on(waiting.next());
    });
}

#[test]
fn try_funnel_panics_once_a_future_waits() {
    let items = [Ok::<_, std::io::Error>(
        std::future::pending::<Result<u8, _>>(),
    )];
    let mut funnel = ayutil::try_funnel(futures::stream::iter(items));
    assert_panics_with_message(|| drop(block_on(funnel.next())));
}

#[test]
fn a_waterfall_run_panics_at_its_first_poll() {
    let wf = Waterfall::<u8>::new().stage("id", NonZeroUsize::MIN, |x| async move { x });
    let mut run = wf.run([1]);
    assert_panics_with_message(|| drop(block_on(run.next())));
    let mut streamed = wf.run_stream(futures::stream::iter([1]), NonZeroUsize::MIN);
    assert_panics_with_message(|| drop(block_on(streamed.next())));
}

#[test]
fn branch_shoot_panics_at_the_caller() {
    assert_panics_at_caller(|| drop(ayutil::branch_shoot::<u8>(1, 1)));
}

#[test]
fn batcher_build_returns_the_error() {
    let err = Batcher::builder(NonZeroUsize::new(4).unwrap(), Duration::from_millis(1))
        .build(|items: Vec<u8>| async move { Ok::<_, std::io::Error>(items) })
        .unwrap_err();
    assert!(matches!(err, BatcherConfigError::NoRuntime(_)), "{err:?}");
}

#[test]
fn iter_stream_panics_at_its_first_poll() {
    let mut stream = ayutil::iter_stream(0..3, NonZeroUsize::MIN);
    assert_panics_with_message(|| drop(block_on(stream.next())));
}

#[test]
fn offload_panics_at_its_first_poll() {
    let fut = ayutil::offload(|| 1);
    assert_panics_with_message(|| {
        block_on(fut);
    });
}

#[test]
fn eager_panics_at_the_caller_once_its_body_waits() {
    // A body that finishes at once needs no runtime.
    assert_eq!(block_on(ayutil::eager(async { 5 })), 5);
    assert_panics_at_caller(|| drop(ayutil::eager(std::future::pending::<()>())));
}

#[test]
fn a_cached_task_panics_at_the_caller_and_a_cached_async_fn_needs_no_runtime() {
    #[ayutil::cached(task)]
    async fn spawned(x: u8) -> u8 {
        x
    }
    #[ayutil::cached]
    async fn polled(x: u8) -> u8 {
        x
    }
    // The panic points into the function the macro wrote, in this file.
    assert_panics_at_caller(|| drop(spawned(1)));
    assert_eq!(block_on(polled(2)), 2);
}
