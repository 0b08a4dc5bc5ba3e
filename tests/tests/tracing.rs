//! The `tracing` feature: every future and closure ayutil runs on a user's behalf runs
//! inside the span that was current where the user handed it over (the tests crate enables
//! `full`, which includes `tracing`).
//!
//! Each test hands work over inside a span of its own (`handed_in`), usually nested in
//! another span that is current around the rest of the test, and checks which span was
//! current when the work emitted its event. Without the feature's wrapper, the event of a
//! spawned task is in no span at all.

use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ayutil::{Bag, Batcher, Group, OrderedBag, Pool, Scope, TaskSet, Waterfall};
use futures::StreamExt;
use tracing::Instrument;

mod probe {
    //! A minimal `tracing` subscriber: for each event, its message and the `label` of the
    //! span current when it was emitted.

    use std::cell::RefCell;
    use std::fmt;
    use std::sync::Mutex;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};
    use tracing_core::span::Current;

    std::thread_local! {
        static ENTERED: RefCell<Vec<Id>> = const { RefCell::new(Vec::new()) };
    }

    #[derive(Default)]
    pub(super) struct Probe {
        /// Per span (id - 1): its metadata and `label` field.
        spans: Mutex<Vec<(&'static Metadata<'static>, String)>>,
        /// Per event: its message and the label of the span it was emitted in.
        events: Mutex<Vec<(String, Option<String>)>>,
    }

    struct Text<'a>(&'a str, &'a mut String);

    impl Visit for Text<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == self.0 {
                *self.1 = value.to_owned();
            }
        }
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            if field.name() == self.0 {
                *self.1 = format!("{value:?}");
            }
        }
    }

    impl Probe {
        /// The label of the span each event with this message was emitted in.
        pub(super) fn spans_of(&self, message: &str) -> Vec<Option<String>> {
            self.events
                .lock()
                .unwrap()
                .iter()
                .filter(|(m, _)| m == message)
                .map(|(_, span)| span.clone())
                .collect()
        }

        fn current(&self) -> Option<Id> {
            ENTERED.with(|entered| entered.borrow().last().cloned())
        }
    }

    impl Subscriber for Probe {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut label = String::new();
            span.record(&mut Text("label", &mut label));
            let mut spans = self.spans.lock().unwrap();
            spans.push((span.metadata(), label));
            Id::from_u64(spans.len() as u64)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut message = String::new();
            event.record(&mut Text("message", &mut message));
            let span = self.current().map(|id| {
                let spans = self.spans.lock().unwrap();
                spans[id.into_u64() as usize - 1].1.clone()
            });
            self.events.lock().unwrap().push((message, span));
        }
        fn enter(&self, span: &Id) {
            ENTERED.with(|entered| entered.borrow_mut().push(span.clone()));
        }
        fn exit(&self, _: &Id) {
            ENTERED.with(|entered| entered.borrow_mut().pop());
        }
        fn current_span(&self) -> Current {
            match self.current() {
                Some(id) => {
                    let metadata = self.spans.lock().unwrap()[id.into_u64() as usize - 1].0;
                    Current::new(id, metadata)
                }
                None => Current::none(),
            }
        }
    }
}

/// The probe, installed once as the global subscriber (runtime worker threads and the
/// blocking pool must see it too).
fn probe() -> &'static Arc<probe::Probe> {
    static PROBE: OnceLock<Arc<probe::Probe>> = OnceLock::new();
    PROBE.get_or_init(|| {
        let probe = Arc::new(probe::Probe::default());
        tracing::dispatcher::set_global_default(tracing::Dispatch::from(Arc::clone(&probe)))
            .expect("no other global subscriber in this test binary");
        probe
    })
}

/// Calls `f` (which hands work over) inside a span labelled `label`.
fn handed_in<R>(label: &str, f: impl FnOnce() -> R) -> R {
    tracing::info_span!("handed", label).in_scope(f)
}

/// Runs `fut` inside a span labelled "elsewhere": work handed over in a nested span must
/// not see this one.
async fn elsewhere<F: Future>(fut: F) -> F::Output {
    fut.instrument(tracing::info_span!("outer", label = "elsewhere"))
        .await
}

/// Every event with `message` was emitted inside the span labelled `label`, and there was
/// at least one.
#[track_caller]
fn assert_in(message: &str, label: &str) {
    let spans = probe().spans_of(message);
    assert!(!spans.is_empty(), "no event {message:?}");
    for span in spans {
        assert_eq!(span.as_deref(), Some(label), "event {message:?}");
    }
}

/// A future that waits once before emitting `message`, so that it cannot finish on an
/// inline first poll.
async fn later(message: &'static str) {
    tokio::task::yield_now().await;
    tracing::info!("{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_tasks_run_in_the_span_of_their_spawn() {
    probe();
    elsewhere(async {
        ayutil::scope(|s: Scope| async move {
            handed_in("spawn", || s.spawn(later("scope spawn")));
            handed_in("try_spawn", || {
                s.try_spawn(async {
                    later("scope try_spawn").await;
                    Ok(())
                })
            });
            handed_in("lazy", || s.spawn_lazy(|| later("scope spawn_lazy")));
        })
        .await
        .unwrap();
    })
    .await;
    assert_in("scope spawn", "spawn");
    assert_in("scope try_spawn", "try_spawn");
    assert_in("scope spawn_lazy", "lazy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_scope_task_keeps_the_span_of_its_spawn_not_of_the_task_that_freed_its_slot() {
    probe();
    elsewhere(async {
        Scope::<()>::options()
            .max_concurrency(NonZeroUsize::MIN)
            .run(|s| async move {
                handed_in("first", || s.spawn(later("queued first")));
                for _ in 0..10 {
                    handed_in("queued", || s.spawn(later("queued next")));
                    handed_in("queued lazy", || s.spawn_lazy(|| later("queued lazy")));
                }
            })
            .await
            .unwrap();
    })
    .await;
    assert_in("queued first", "first");
    assert_in("queued next", "queued");
    assert_in("queued lazy", "queued lazy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_aside_and_scheduled_callbacks_run_in_the_span_of_their_call() {
    probe();
    ayutil::register_executor("tracing-threads", |job: ayutil::ExecutorJob| {
        std::thread::spawn(job);
    })
    .unwrap();
    elsewhere(async {
        ayutil::scope(|s: Scope| async move {
            handed_in("aside", || s.aside(|| tracing::info!("scope aside")));
            handed_in("aside_in", || {
                s.aside_in("tracing-threads", || tracing::info!("scope aside_in"))
                    .unwrap()
            });
            handed_in("after", || {
                s.after(Duration::from_millis(1), || later("scope after"))
            });
            let every = handed_in("every", || {
                s.every(Duration::from_millis(1), || later("scope every"))
            });
            while probe().spans_of("scope every").len() < 3 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            every.unschedule();
        })
        .await
        .unwrap();
    })
    .await;
    assert_in("scope aside", "aside");
    assert_in("scope aside_in", "aside_in");
    assert_in("scope after", "after");
    assert_in("scope every", "every");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_pool_and_task_set_tasks_run_in_the_span_of_their_spawn() {
    probe();
    elsewhere(async {
        let group = Group::new();
        let pool = Pool::new(NonZeroUsize::MIN);
        let tasks = TaskSet::<std::convert::Infallible>::new();
        for _ in 0..5 {
            handed_in("group", || group.spawn(later("group task")));
            // A pool of one: all but the first wait in the queue, and start from the
            // worker that ran the task before them.
            handed_in("pool", || pool.spawn(later("pool task")));
            handed_in("task set", || tasks.spawn(later("task set task")));
        }
        // `spawn_wait` is lazy: the task is handed over at its first poll.
        let wait = pool.spawn_wait(later("pool spawn_wait"));
        wait.instrument(tracing::info_span!("poller", label = "pool wait"))
            .await;
        group.join().await.unwrap();
        pool.join().await.unwrap();
        tasks.join().await.unwrap();
    })
    .await;
    assert_in("group task", "group");
    assert_in("pool task", "pool");
    assert_in("pool spawn_wait", "pool wait");
    assert_in("task set task", "task set");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bag_tasks_run_in_the_span_of_their_spawn() {
    probe();
    elsewhere(async {
        let bag = Bag::<u8>::new();
        let ordered = OrderedBag::<u8>::new();
        handed_in("bag", || {
            bag.spawn(async {
                later("bag task").await;
                Some(1)
            })
        });
        let putter = bag.putter();
        handed_in("bag putter", || {
            putter
                .spawn(async {
                    later("bag putter task").await;
                    Some(2)
                })
                .unwrap()
        });
        drop(putter);
        handed_in("ordered", || {
            ordered.spawn(async {
                later("ordered bag task").await;
                Some(3)
            })
        });
        assert_eq!(
            bag.into_stream()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
                .await
                .len(),
            2
        );
        assert_eq!(
            ordered
                .into_stream()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
                .await,
            [3]
        );
    })
    .await;
    assert_in("bag task", "bag");
    assert_in("bag putter task", "bag putter");
    assert_in("ordered bag task", "ordered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn funnel_futures_run_in_the_span_of_the_poll_that_pulled_them() {
    probe();
    let source = futures::stream::iter(0..20).map(|i| async move {
        later("funnel future").await;
        i
    });
    // The driver task polls the futures that wait; they keep the consumer's span, as
    // `buffer_unordered` (which polls them in the consumer's task) does.
    let funnel = ayutil::funnel(source).limit(NonZeroUsize::new(4).unwrap());
    let out: Vec<i32> = funnel
        .collect()
        .instrument(tracing::info_span!("consumer", label = "funnel"))
        .await;
    assert_eq!(out.len(), 20);
    assert_in("funnel future", "funnel");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waterfall_cells_run_in_the_span_of_the_run() {
    probe();
    let wf = Waterfall::<u8>::new()
        .stage("a", NonZeroUsize::MIN, |x| async move {
            later("waterfall stage a").await;
            x
        })
        .stage("b", NonZeroUsize::MAX, |x| async move {
            later("waterfall stage b").await;
            x
        });
    let out: Vec<_> = wf
        .run([1, 2, 3])
        .collect()
        .instrument(tracing::info_span!("consumer", label = "waterfall"))
        .await;
    assert_eq!(out.len(), 3);
    assert_in("waterfall stage a", "waterfall");
    assert_in("waterfall stage b", "waterfall");

    // A pushed cell keeps the span of its push.
    let (mut branches, shoots) = ayutil::branch_shoot::<u8>(1, 2);
    elsewhere(async {
        handed_in("shoot 0", || {
            shoots[0].push(async {
                later("shoot cell 0").await;
                0
            })
        })
        .unwrap();
        handed_in("shoot 1", || {
            shoots[1].push(async {
                later("shoot cell 1").await;
                1
            })
        })
        .unwrap();
        let branch = branches.remove(0);
        assert_eq!(branch.take(2).count().await, 2);
    })
    .await;
    assert_in("shoot cell 0", "shoot 0");
    assert_in("shoot cell 1", "shoot 1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_handler_calls_run_in_the_span_of_the_build() {
    probe();
    // A batch mixes the items of many callers: the handler, handed over at `build`, runs
    // in the span current there.
    let batcher = handed_in("build", || {
        Batcher::builder(NonZeroUsize::new(2).unwrap(), Duration::from_millis(1))
            .build(|items: Vec<u8>| async move {
                later("batch handler").await;
                Ok::<_, std::io::Error>(items)
            })
            .unwrap()
    });
    elsewhere(async {
        let (a, b) = tokio::join!(batcher.call(1), batcher.call(2));
        assert_eq!((a.unwrap(), b.unwrap()), (1, 2));
        batcher.close().await.unwrap();
    })
    .await;
    assert_in("batch handler", "build");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_bodies_run_in_the_span_of_the_call_that_started_them() {
    probe();
    #[ayutil::cached]
    async fn shared(x: u8) -> u8 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        tracing::info!("cached body");
        x
    }
    #[ayutil::cached(task)]
    async fn task(x: u8) -> u8 {
        later("cached task body").await;
        x
    }
    // The body starts at the first poll of its first caller (inside "first caller"), then
    // is polled by a caller of another task or moves into a task of its own: it keeps the
    // first caller's span wherever it runs.
    let mut first = Box::pin(shared(1).instrument(tracing::info_span!("c", label = "first")));
    assert!(futures::poll!(first.as_mut()).is_pending());
    let second = tokio::spawn(elsewhere(shared(1)));
    assert_eq!(second.await.unwrap(), 1);
    assert_eq!(first.await, 1);
    assert_in("cached body", "first");

    // `task` spawns the body at the call.
    let spawned = elsewhere(async { handed_in("task caller", || task(2)) }).await;
    assert_eq!(spawned.await, 2);
    assert_in("cached task body", "task caller");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eager_continuation_runs_in_the_span_of_the_call() {
    probe();
    elsewhere(async {
        let rest = handed_in("eager", || ayutil::eager(later("eager continuation")));
        rest.await;
    })
    .await;
    assert_in("eager continuation", "eager");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offload_and_iter_stream_run_in_the_span_of_their_first_poll() {
    probe();
    let offloaded = ayutil::offload(|| tracing::info!("offload closure"));
    offloaded
        .instrument(tracing::info_span!("poller", label = "offload"))
        .await;
    assert_in("offload closure", "offload");

    let numbers = (0..3).inspect(|_| tracing::info!("iter_stream next"));
    let stream = ayutil::iter_stream(numbers, NonZeroUsize::MIN);
    let items: Vec<_> = stream
        .collect()
        .instrument(tracing::info_span!("poller", label = "iter_stream"))
        .await;
    assert_eq!(items.len(), 3);
    assert_in("iter_stream next", "iter_stream");
}

#[tokio::test]
async fn scheduling_tasks_run_in_the_span_of_their_spawn() {
    probe();
    ayutil::SchedulingExecutor::new()
        .run(elsewhere(async {
            let task = handed_in("scheduling", || {
                ayutil::scheduling::spawn(later("scheduling task")).unwrap()
            });
            task.await.unwrap();
        }))
        .await;
    assert_in("scheduling task", "scheduling");
}
