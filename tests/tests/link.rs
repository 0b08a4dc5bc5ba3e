//! `link!` and `try_link!`: classification, ordering, concurrency, errors, cancellation.

use std::cell::RefCell;
use std::future::{Future, IntoFuture, pending};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use ayutil::{link, try_link};
use tokio::time::{Instant, sleep};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Sets its flag when dropped: proves a future was cancelled.
struct DropFlag(Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flagged_pending<T>(flag: &Arc<AtomicBool>) -> impl Future<Output = T> + use<T> {
    let guard = DropFlag(flag.clone());
    async move {
        let _guard = guard;
        pending::<T>().await
    }
}

async fn st() {
    sleep(ms(100)).await;
}

async fn seven() -> u8 {
    7
}

fn eight() -> u8 {
    8
}

#[tokio::test(start_paused = true)]
async fn seed_demo_returns_every_kind_in_order() {
    let t0 = Instant::now();
    let out = link!(st, sleep(ms(100)), || 5, 420).await;
    assert_eq!(out, ((), (), 5, 420));
    assert_eq!(t0.elapsed(), ms(100), "the two sleeps ran concurrently");
}

#[tokio::test]
async fn empty_link_is_unit() {
    let () = link!().await;
    let ok: Result<(), std::convert::Infallible> = try_link!().await;
    assert_eq!(ok, Ok(()));
}

#[tokio::test]
async fn classifies_each_kind_at_compile_time() {
    struct Custom;
    impl IntoFuture for Custom {
        type Output = &'static str;
        type IntoFuture = std::future::Ready<&'static str>;
        fn into_future(self) -> Self::IntoFuture {
            std::future::ready("into-future")
        }
    }
    let s = String::from("value");
    let v = [1, 2];
    let out = link!(
        seven,             // async fn item: called, awaited
        eight,             // sync fn item: called
        async { 9u8 },     // future: awaited
        async || 10u8,     // async closure: called, awaited
        || "sync closure", // closure: called
        Custom,            // IntoFuture: awaited
        s,                 // plain value
        v.len(),           // expression value
        (),                // unit value
    )
    .await;
    assert_eq!(
        out,
        (
            7,
            8,
            9,
            10,
            "sync closure",
            "into-future",
            String::from("value"),
            2,
            ()
        )
    );
}

#[tokio::test]
async fn errors_are_values_in_link() {
    async fn fails() -> Result<u8, String> {
        Err("boom".into())
    }
    let (a, b) = link!(fails, async { Ok::<u8, String>(1) }).await;
    assert_eq!(a, Err("boom".to_owned()));
    assert_eq!(b, Ok(1));
}

#[tokio::test]
async fn lazy_until_polled_then_callables_run_left_to_right() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let fut = link!(
        move || l1.borrow_mut().push("sync a"),
        move || {
            l2.borrow_mut().push("async b called");
            async {}
        },
        move || l3.borrow_mut().push("sync c"),
    );
    assert!(
        log.borrow().is_empty(),
        "nothing runs before the first poll"
    );
    fut.await;
    assert_eq!(*log.borrow(), ["sync a", "async b called", "sync c"]);
}

#[tokio::test(start_paused = true)]
async fn futures_run_concurrently_and_finish_in_any_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let step = |name: &'static str, d: u64| {
        let order = order.clone();
        async move {
            sleep(ms(d)).await;
            order.borrow_mut().push(name);
            name
        }
    };
    let t0 = Instant::now();
    let out = link!(step("slow", 30), step("fast", 10), step("mid", 20)).await;
    assert_eq!(out, ("slow", "fast", "mid"), "output keeps argument order");
    assert_eq!(
        *order.borrow(),
        ["fast", "mid", "slow"],
        "completion order is free"
    );
    assert_eq!(t0.elapsed(), ms(30));
}

#[tokio::test(start_paused = true)]
async fn twenty_items_exceed_tuple_caps_of_other_crates() {
    let t0 = Instant::now();
    let out = link!(
        async {
            sleep(ms(10)).await;
            0
        },
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        async {
            sleep(ms(10)).await;
            19
        }
    )
    .await;
    assert_eq!(out.0 + out.19, 19);
    assert_eq!(out.10, 10);
    assert_eq!(t0.elapsed(), ms(10));
}

#[tokio::test]
async fn dropping_link_mid_way_cancels_every_item() {
    let a = Arc::new(AtomicBool::new(false));
    let b = Arc::new(AtomicBool::new(false));
    let fut = link!(flagged_pending::<()>(&a), flagged_pending::<()>(&b), 3);
    let mut fut = Box::pin(fut);
    assert!(futures::poll!(fut.as_mut()).is_pending());
    drop(fut);
    assert!(a.load(Ordering::SeqCst) && b.load(Ordering::SeqCst));
}

#[tokio::test]
async fn panic_in_an_item_reaches_the_awaiting_task() {
    let joined = tokio::spawn(async {
        link!(async { 1 }, async {
            panic!("item panicked");
        })
        .await
    })
    .await;
    let err = joined.unwrap_err();
    assert!(err.is_panic());
    let msg = err.into_panic();
    assert_eq!(msg.downcast_ref::<&str>(), Some(&"item panicked"));
}

#[tokio::test(start_paused = true)]
async fn try_link_returns_all_values_when_every_item_succeeds() {
    async fn a() -> Result<u8, String> {
        sleep(ms(5)).await;
        Ok(1)
    }
    let out = try_link!(
        a,
        async { Ok::<_, String>("two") },
        || Ok::<_, String>(3.0),
        Ok::<_, String>('4')
    )
    .await;
    assert_eq!(out, Ok((1, "two", 3.0, '4')));
}

#[tokio::test(start_paused = true)]
async fn try_link_stops_at_first_error_and_drops_the_rest() {
    let slow = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let out: Result<((), ()), String> =
        try_link!(flagged_pending::<Result<(), String>>(&slow), async {
            sleep(ms(10)).await;
            Err::<(), String>("second failed".into())
        },)
        .await;
    assert_eq!(out, Err("second failed".to_owned()));
    assert_eq!(t0.elapsed(), ms(10));
    assert!(slow.load(Ordering::SeqCst), "the pending item was dropped");
}

#[tokio::test(start_paused = true)]
async fn try_link_reports_the_first_error_in_time_not_in_argument_order() {
    let out: Result<((), ()), &str> = try_link!(
        async {
            sleep(ms(20)).await;
            Err::<(), &str>("late")
        },
        async {
            sleep(ms(10)).await;
            Err::<(), &str>("early")
        },
    )
    .await;
    assert_eq!(out, Err("early"));
}

#[tokio::test]
async fn try_link_converts_errors_with_from_like_question_mark() {
    #[derive(Debug, PartialEq)]
    enum AppError {
        Parse(String),
        Io,
    }
    impl From<std::num::ParseIntError> for AppError {
        fn from(e: std::num::ParseIntError) -> Self {
            AppError::Parse(e.to_string())
        }
    }
    async fn io() -> Result<u8, AppError> {
        Err(AppError::Io)
    }
    let bad = try_link!(async { Ok::<u8, AppError>(1) }, || "x".parse::<u32>()).await;
    assert_eq!(
        bad,
        Err(AppError::Parse("invalid digit found in string".into()))
    );
    let io_first = try_link!(io, || "1".parse::<u32>()).await;
    assert_eq!(io_first, Err(AppError::Io));
}

#[tokio::test]
async fn sync_callables_run_once_even_when_other_items_pend_long() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let (n, ()) = link!(
        move || c.fetch_add(1, Ordering::SeqCst) + 1,
        tokio::task::yield_now()
    )
    .await;
    assert_eq!(n, 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn many_concurrent_links_share_one_runtime() {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..2_000u64 {
        set.spawn(async move {
            link!(
                async move {
                    sleep(ms(i % 7)).await;
                    i
                },
                move || i * 2,
                i
            )
            .await
        });
    }
    let mut total = 0;
    while let Some(r) = set.join_next().await {
        let (a, b, c) = r.unwrap();
        assert_eq!((b, c), (a * 2, a));
        total += 1;
    }
    assert_eq!(total, 2_000);
}

#[test]
fn link_futures_are_send_when_items_are() {
    fn assert_send<T: Send>(_: &T) {}
    let fut = link!(seven, || 1, async { 2 }, 3);
    assert_send(&fut);
    let fut = try_link!(async { Ok::<u8, ()>(1) }, || Ok::<u8, ()>(2));
    assert_send(&fut);
}

/// Documented limit: the kind is chosen where the macro is written, so a bare type
/// parameter without bounds is a value, even when the caller passes a future.
#[tokio::test]
async fn bare_generic_parameter_is_a_value() {
    fn gather<T>(t: T) -> impl Future<Output = (T,)> {
        link!(t)
    }
    let (inner,) = gather(async { 5 }).await;
    assert_eq!(inner.await, 5);

    async fn bounded<T: IntoFuture>(t: T) -> T::Output {
        link!(t).await.0
    }
    assert_eq!(bounded(async { 6 }).await, 6);
}

#[tokio::test(start_paused = true)]
async fn offload_overlaps_with_other_items() {
    let (a, ()) = link!(ayutil::offload(|| 40 + 2), sleep(ms(10))).await;
    assert_eq!(a, 42);
}

#[tokio::test]
async fn offload_resumes_a_panic_in_the_awaiting_task() {
    let joined = tokio::spawn(ayutil::offload(|| panic!("blocking closure panicked"))).await;
    assert!(joined.unwrap_err().is_panic());
}
