//! Integration tests of `ayutil::eager`, `eager_local` and `CoroStart`: the seed's three
//! log orders, what a finished body costs, panics and errors, cancellation, what the
//! continuation inherits, the places it cannot continue, and load.

use std::future::{Future, IntoFuture};
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use std::time::Duration;

use ayutil::{CoroStart, Eager, eager, eager_local};
use futures::FutureExt;

/// Safety net only: a correct implementation finishes at once; a lost wake-up would hang.
const HANG: Duration = Duration::from_secs(20);

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, label: impl ToString) {
        self.0.lock().unwrap().push(label.to_string());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn labels<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

/// The seed's `test()`: logs 1, some long IO, logs 2.
async fn body(log: Log) {
    log.push(1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    log.push(2);
}

/// The seed's `caller(convert)`.
async fn caller<R: Future>(log: &Log, convert: impl FnOnce(Log) -> R) {
    log.push("a");
    let future = convert(log.clone());
    log.push("b");
    tokio::time::sleep(Duration::from_millis(100)).await;
    log.push("c");
    future.await;
}

#[tokio::test(start_paused = true)]
async fn log_order_of_a_plain_future_is_a_b_c_1_2() {
    let log = Log::default();
    caller(&log, body).await;
    assert_eq!(log.take(), labels(["a", "b", "c", "1", "2"]));
}

#[tokio::test(start_paused = true)]
async fn log_order_of_a_spawned_task_is_a_b_1_c_2() {
    let log = Log::default();
    caller(&log, |log| {
        let task = tokio::spawn(body(log));
        async { task.await.unwrap() }
    })
    .await;
    assert_eq!(log.take(), labels(["a", "b", "1", "c", "2"]));
}

#[tokio::test(start_paused = true)]
async fn log_order_of_eager_is_a_1_b_c_2() {
    let log = Log::default();
    caller(&log, |log| eager(body(log))).await;
    assert_eq!(log.take(), labels(["a", "1", "b", "c", "2"]));
}

#[tokio::test(start_paused = true)]
async fn log_order_of_eager_local_is_a_1_b_c_2() {
    let log = Log::default();
    tokio::task::LocalSet::new()
        .run_until(caller(&log, |log| eager_local(body(log))))
        .await;
    assert_eq!(log.take(), labels(["a", "1", "b", "c", "2"]));
}

#[tokio::test(start_paused = true)]
async fn the_waiting_body_takes_the_time_of_its_wait_not_the_sum() {
    let start = tokio::time::Instant::now();
    let log = Log::default();
    caller(&log, |log| eager(body(log))).await;
    // The body's 200 ms overlapped the caller's 100 ms.
    assert_eq!(start.elapsed(), Duration::from_millis(200));
}

// ----- a body that finishes during the call ------------------------------------------

#[tokio::test]
async fn a_finished_body_spawns_nothing_and_is_ready_at_once() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    let ran = Arc::new(AtomicBool::new(false));
    let ready = eager({
        let ran = ran.clone();
        async move {
            ran.store(true, Ordering::SeqCst);
            42
        }
    });
    assert!(ran.load(Ordering::SeqCst), "the body ran during the call");
    assert!(ready.is_finished());
    assert_eq!(metrics.num_alive_tasks(), before);
    assert_eq!(
        ready.now_or_never(),
        Some(42),
        "ready without waiting for anything"
    );
}

#[test]
fn a_finished_body_needs_no_runtime() {
    assert_eq!(eager(async { 7 }).now_or_never(), Some(7));
    assert_eq!(eager_local(async { 8 }).now_or_never(), Some(8));
}

#[tokio::test]
async fn errors_of_the_body_reach_the_awaiting_caller_not_the_call() {
    let failing = eager(async { "x".parse::<u8>() });
    assert!(failing.await.is_err());
    let failing_later = eager(async {
        tokio::task::yield_now().await;
        "300".parse::<u8>()
    });
    assert!(failing_later.await.is_err());
}

// ----- panics ------------------------------------------------------------------------

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send>;

fn quiet_panics() -> impl Drop {
    struct Restore(Option<PanicHook>);
    impl Drop for Restore {
        fn drop(&mut self) {
            // `set_hook` itself panics while the thread panics (a failed assert).
            if let Some(hook) = self.0.take().filter(|_| !std::thread::panicking()) {
                std::panic::set_hook(hook);
            }
        }
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    Restore(Some(previous))
}

fn message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_panic_in_the_eager_step_is_held_and_resumes_at_the_await() {
    let _quiet = quiet_panics();
    let held = std::panic::catch_unwind(|| eager(async { panic!("step boom") }));
    let held = held.expect("the panic must not come out of the call");
    assert!(held.is_finished());
    let payload = AssertUnwindSafe(held).catch_unwind().await.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"step boom"));
}

#[tokio::test]
async fn a_panic_in_the_continuation_resumes_at_the_await() {
    let _quiet = quiet_panics();
    let rest = eager(async {
        tokio::task::yield_now().await;
        panic!("continuation boom")
    });
    let payload = AssertUnwindSafe(rest).catch_unwind().await.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"continuation boom"));
}

// ----- a body that waits -------------------------------------------------------------

#[tokio::test]
async fn a_waiting_body_makes_progress_while_the_caller_does_not_poll_it() {
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<u32>();
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel::<u32>();
    let rest = eager(async move {
        let n = go_rx.await.unwrap();
        seen_tx.send(n).unwrap();
        n * 2
    });
    assert!(!rest.is_finished());
    go_tx.send(21).unwrap();
    // The body reports back without `rest` ever being polled.
    assert_eq!(seen_rx.await, Ok(21));
    assert_eq!(rest.await, 42);
}

#[tokio::test]
async fn dropping_a_waiting_eager_aborts_its_continuation() {
    struct DropSignal(std_mpsc::Sender<()>);
    impl Drop for DropSignal {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    let (dropped_tx, dropped_rx) = std_mpsc::channel();
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let after_wait = Arc::new(AtomicBool::new(false));
    let rest = eager({
        let after_wait = after_wait.clone();
        async move {
            let _guard = DropSignal(dropped_tx);
            let _ = go_rx.await;
            after_wait.store(true, Ordering::SeqCst);
        }
    });
    drop(rest);
    // The abort drops the body at its wait: the guard goes, and nothing after the wait runs.
    while dropped_rx.try_recv().is_err() {
        tokio::task::yield_now().await;
    }
    assert!(go_tx.send(()).is_err(), "the body was dropped");
    assert!(!after_wait.load(Ordering::SeqCst));
}

#[tokio::test]
async fn the_continuation_polls_again_after_a_first_poll_with_a_waker_that_does_nothing() {
    // The first step registers interest with a waker that does nothing; the wake comes
    // before the continuation exists. The continuation's own first poll must see it.
    let (tx, rx) = tokio::sync::oneshot::channel::<&str>();
    let rest = eager(async move { rx.await.unwrap() });
    tx.send("seen").unwrap();
    assert_eq!(rest.await, "seen");
}

#[test]
fn waiting_bodies_woken_from_other_threads_are_never_lost() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for round in 0..300 {
        let (done_tx, done_rx) = std_mpsc::channel();
        let handle = rt.handle().clone();
        let watched = std::thread::spawn(move || {
            let out = handle.block_on(async {
                let (tx, rx) = tokio::sync::oneshot::channel::<usize>();
                let sender = std::thread::spawn(move || tx.send(round).unwrap());
                let rest = eager(async move { rx.await.unwrap() + 1 });
                sender.join().unwrap();
                rest.await
            });
            done_tx.send(out).unwrap();
        });
        let out = done_rx
            .recv_timeout(HANG)
            .unwrap_or_else(|_| panic!("round {round} hung"));
        assert_eq!(out, round + 1);
        watched.join().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_waiting_bodies_all_finish() {
    let done = Arc::new(AtomicUsize::new(0));
    let (tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let pending: Vec<Eager<usize>> = (0..10_000)
        .map(|i| {
            let mut rx = tx.subscribe();
            let done = done.clone();
            eager(async move {
                let _ = rx.recv().await;
                done.fetch_add(1, Ordering::SeqCst);
                i
            })
        })
        .collect();
    tx.send(()).unwrap();
    let mut sum = 0;
    for rest in pending {
        sum += rest.await;
    }
    assert_eq!(sum, (0..10_000).sum::<usize>());
    assert_eq!(done.load(Ordering::SeqCst), 10_000);
}

#[test]
fn a_waiting_body_without_a_runtime_is_a_clear_error_at_the_caller() {
    let _quiet = quiet_panics();
    let caught = std::panic::catch_unwind(|| eager(std::future::pending::<()>()));
    let payload = caught.unwrap_err();
    let message = message(&*payload);
    assert!(
        message.starts_with("no tokio runtime here") && message.contains("#[tokio::main]"),
        "{message}"
    );
}

#[tokio::test]
async fn eager_local_outside_a_local_set_is_a_clear_error() {
    let _quiet = quiet_panics();
    let caught = std::panic::catch_unwind(|| eager_local(std::future::pending::<()>()));
    let payload = caught.unwrap_err();
    let message = message(&*payload);
    assert!(message.contains("LocalSet"), "{message}");
}

#[tokio::test]
async fn eager_local_continues_a_non_send_body_on_the_local_set() {
    let local = tokio::task::LocalSet::new();
    let out = local
        .run_until(async {
            let shared = Rc::new(std::cell::Cell::new(1));
            let rest = eager_local({
                let shared = shared.clone();
                async move {
                    tokio::task::yield_now().await;
                    shared.set(shared.get() + 1);
                    shared.get()
                }
            });
            assert_eq!(shared.get(), 1);
            rest.await
        })
        .await;
    assert_eq!(out, 2);
}

#[test]
fn a_continuation_cancelled_by_runtime_shutdown_panics_at_the_await() {
    let _quiet = quiet_panics();
    let first = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // `enter` puts the runtime in context without polling anything: the eager step runs,
    // and the continuation is spawned onto `first`.
    let rest = {
        let _runtime = first.enter();
        eager(std::future::pending::<()>())
    };
    drop(first); // cancels the continuation
    let second = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let caught = std::panic::catch_unwind(AssertUnwindSafe(|| second.block_on(rest)));
    let payload = caught.unwrap_err();
    let message = message(&*payload);
    assert!(message.contains("runtime shut down"), "{message}");
}

// ----- what the continuation inherits ------------------------------------------------

tokio::task_local! {
    static REGISTERED: u32;
    static NOT_REGISTERED: u32;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registered_task_locals_stay_visible_in_the_continuation() {
    ayutil::inherit_task_local(&REGISTERED);
    ayutil::inherit_task_local(&REGISTERED); // twice is once
    let (registered, unregistered) = REGISTERED
        .scope(
            7,
            NOT_REGISTERED.scope(8, async {
                eager(async {
                    tokio::task::yield_now().await;
                    (
                        REGISTERED.try_with(|v| *v).ok(),
                        NOT_REGISTERED.try_with(|v| *v).ok(),
                    )
                })
                .await
            }),
        )
        .await;
    assert_eq!(registered, Some(7));
    // tokio cannot list the task-locals that are set: only registered ones are carried.
    assert_eq!(unregistered, None);
}

#[tokio::test]
async fn a_registered_task_local_that_is_not_set_stays_unset() {
    ayutil::inherit_task_local(&REGISTERED);
    let seen = eager(async {
        tokio::task::yield_now().await;
        REGISTERED.try_with(|v| *v).ok()
    })
    .await;
    assert_eq!(seen, None);
}

#[tokio::test]
async fn task_locals_of_the_eager_step_are_those_of_the_caller() {
    let seen = REGISTERED
        .scope(3, async { eager(async { REGISTERED.get() }).await })
        .await;
    assert_eq!(seen, 3);
}

mod span_probe {
    //! A minimal `tracing` subscriber that records, for each event, the span it was in.

    use std::cell::RefCell;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};
    use tracing_core::span::Current;

    std::thread_local! {
        static ENTERED: RefCell<Vec<Id>> = const { RefCell::new(Vec::new()) };
    }

    #[derive(Clone, Default)]
    pub(super) struct SpanProbe(Arc<Inner>);

    #[derive(Default)]
    struct Inner {
        next: AtomicU64,
        spans: Mutex<Vec<&'static Metadata<'static>>>,
        events: Mutex<Vec<Option<&'static str>>>,
    }

    impl SpanProbe {
        fn metadata(&self, id: &Id) -> &'static Metadata<'static> {
            self.0.spans.lock().unwrap()[id.into_u64() as usize - 1]
        }

        /// The span each event was emitted in, in order.
        pub(super) fn events(&self) -> Vec<Option<&'static str>> {
            self.0.events.lock().unwrap().clone()
        }
    }

    impl Subscriber for SpanProbe {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let id = self.0.next.fetch_add(1, Ordering::SeqCst) + 1;
            self.0.spans.lock().unwrap().push(span.metadata());
            Id::from_u64(id)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {
            let current = ENTERED.with(|entered| entered.borrow().last().cloned());
            let name = current.map(|id| self.metadata(&id).name());
            self.0.events.lock().unwrap().push(name);
        }
        fn enter(&self, span: &Id) {
            ENTERED.with(|entered| entered.borrow_mut().push(span.clone()));
        }
        fn exit(&self, _: &Id) {
            ENTERED.with(|entered| entered.borrow_mut().pop());
        }
        fn current_span(&self) -> Current {
            match ENTERED.with(|entered| entered.borrow().last().cloned()) {
                Some(id) => {
                    let metadata = self.metadata(&id);
                    Current::new(id, metadata)
                }
                None => Current::none(),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_span_current_at_the_call_is_current_in_the_continuation() {
    use tracing::Instrument;

    let probe = span_probe::SpanProbe::default();
    // Worker threads run the continuation: the probe must be the global default.
    if tracing::dispatcher::set_global_default(tracing::Dispatch::new(probe.clone())).is_err() {
        panic!("another test set a global subscriber");
    }
    async {
        eager(async move {
            tracing::info!("in the eager step");
            tokio::task::yield_now().await;
            tracing::info!("in the continuation");
        })
        .await
    }
    .instrument(tracing::info_span!("request"))
    .await;
    tracing::info!("outside");
    assert_eq!(probe.events(), [Some("request"), Some("request"), None]);
}

// ----- CoroStart ---------------------------------------------------------------------

#[test]
fn coro_start_of_a_finished_future_gives_its_output() {
    let start = CoroStart::new(async { 5 });
    assert!(start.is_done());
    assert!(!start.is_blocked());
    assert_eq!(start.into_output().ok(), Some(5));
}

#[tokio::test]
async fn coro_start_of_a_waiting_future_hands_itself_back_and_continues_when_awaited() {
    let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
    let log = Log::default();
    let start = CoroStart::new({
        let log = log.clone();
        async move {
            log.push("before wait");
            let n = rx.await.unwrap();
            log.push("after wait");
            n
        }
    });
    assert_eq!(log.take(), labels(["before wait"]));
    assert!(start.is_blocked());
    let err = start.into_output().unwrap_err();
    assert_eq!(err.to_string(), "the future has not finished: it waits");
    let start = err.into_inner().into_ready().unwrap_err().into_inner();
    tx.send(9).unwrap();
    assert!(log.take().is_empty(), "nothing runs until continued");
    assert_eq!(start.await, 9);
    assert_eq!(log.take(), labels(["after wait"]));
}

#[tokio::test]
async fn coro_start_into_ready_gives_a_ready_future() {
    let ready = CoroStart::new(async { "ok" }).into_ready().unwrap();
    assert!(ready.is_finished());
    assert_eq!(ready.await, "ok");
}

#[tokio::test]
async fn coro_start_holds_a_panic_of_its_first_poll_until_the_output_is_taken() {
    let _quiet = quiet_panics();
    let start = std::panic::catch_unwind(|| CoroStart::new(async { panic!("first poll") }))
        .expect("held, not raised");
    assert!(start.is_done());
    let caught = std::panic::catch_unwind(AssertUnwindSafe(|| start.into_output()));
    assert!(caught.is_err());

    let start = CoroStart::new(async { panic!("first poll") });
    let awaited = AssertUnwindSafe(start.into_future()).catch_unwind().await;
    assert!(awaited.is_err());

    let ready = CoroStart::new(async { panic!("first poll") })
        .into_ready()
        .unwrap();
    assert!(AssertUnwindSafe(ready).catch_unwind().await.is_err());
}

#[tokio::test]
async fn coro_start_works_on_futures_that_borrow() {
    let mut numbers = vec![1, 2, 3];
    let start = CoroStart::new(async {
        numbers.push(4);
        tokio::task::yield_now().await;
        numbers.len()
    });
    assert_eq!(start.await, 4);
    assert_eq!(numbers, [1, 2, 3, 4]);
}

#[test]
fn dropping_a_blocked_coro_start_drops_its_future() {
    let dropped = Arc::new(AtomicBool::new(false));
    struct Flag(Arc<AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let flag = Flag(dropped.clone());
    let start = CoroStart::new(async move {
        let _flag = flag;
        std::future::pending::<()>().await;
    });
    assert!(!dropped.load(Ordering::SeqCst));
    drop(start);
    assert!(dropped.load(Ordering::SeqCst));
}

// ----- types -------------------------------------------------------------------------

#[test]
fn public_futures_are_send_where_their_output_is() {
    fn send<T: Send>(_: &T) {}
    let ready = eager(async { 1_u8 });
    send(&ready);
    let start = CoroStart::new(async { 1_u8 });
    send(&start);
    send(&start.into_future());
    fn unpin<T: Unpin>() {}
    unpin::<Eager<std::marker::PhantomPinned>>();
}

// ----- with #[provider] --------------------------------------------------------------

static REGION: ayutil::ProviderSpec<String> = ayutil::ProviderSpec::lazy(|| "eu".to_owned());

#[ayutil::provider(region, from = REGION)]
async fn region(region: String) -> String {
    region
}

#[ayutil::eager]
async fn region_after_a_wait() -> String {
    tokio::task::yield_now().await;
    region().await // called from the continuation, a task of its own
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_override_stays_visible_in_the_continuation() {
    let overridden = REGION
        .with_override("test".to_owned(), async { region_after_a_wait().await })
        .await;
    assert_eq!(overridden, "test");
    assert_eq!(region_after_a_wait().await, "eu");
}
