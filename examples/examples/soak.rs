//! Soak: a million items through every long-lived primitive, memory per item. Run: `cargo run --release --example soak`.
//!
//! Pushes 1,000,000 items or tasks through every long-lived primitive, at most about 100
//! alive at a time, and prints how much resident memory each one grew by per item. Memory
//! must follow live work: the goal is at most 2 bytes per item everywhere.
//!
//! Each primitive first runs a warm-up of 200,000 items (so the allocator's growth to
//! the steady state is not counted), then the measured 1,000,000 on the same instance;
//! the growth is read from `/proc/self/statm` (Linux).
//!
//! `cargo run --release --example soak` runs every primitive, each in a process of its
//! own (so memory freed by one cannot hide the growth of the next); add a name to run
//! one in this process: `cargo run --release --example soak -- pool`.

use std::convert::Infallible;
use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use ayutil::{Bag, Batcher, Group, OrderedBag, Pool, Scope, TaskSet, Waterfall, funnel};
use futures::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Items pushed before the first reading.
const WARM_UP: u64 = 200_000;
/// Items pushed between the two readings.
const COUNT: u64 = 1_000_000;
/// Items or tasks alive at a time.
const LIVE: usize = 100;
/// The goal, in bytes of resident memory per item.
const GOAL: f64 = 2.0;

/// Every primitive, by the name the command line takes.
const PRIMITIVES: [&str; 13] = [
    "scope",
    "group",
    "pool",
    "task_set",
    "bag",
    "ordered_bag",
    "batcher",
    "funnel",
    "waterfall",
    "cached_lru",
    "cached_ttl",
    "eager",
    "scheduling",
];

/// Resident memory in bytes (4 KiB pages), or `None` where `/proc` is missing.
fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Resident memory before and after the measured items.
#[derive(Clone, Copy, Default)]
struct Readings {
    before: Option<u64>,
    after: Option<u64>,
}

impl Readings {
    fn bytes_per_item(self) -> Option<f64> {
        let (before, after) = (self.before?, self.after?);
        Some(after.saturating_sub(before) as f64 / COUNT as f64)
    }
}

/// Counts items a consumer takes, reading memory when the warm-up is over and when the
/// measured items are.
#[derive(Default)]
struct Counter {
    taken: u64,
    readings: Readings,
}

impl Counter {
    fn take(&mut self) {
        self.taken += 1;
        if self.taken == WARM_UP {
            self.readings.before = rss();
        } else if self.taken == WARM_UP + COUNT {
            self.readings.after = rss();
        }
    }
}

/// Keeps at most `LIVE` tasks alive: each holds a permit until it ends.
struct Live(Arc<Semaphore>);

impl Live {
    fn new() -> Self {
        Self(Arc::new(Semaphore::new(LIVE)))
    }

    async fn permit(&self) -> OwnedSemaphorePermit {
        Arc::clone(&self.0)
            .acquire_owned()
            .await
            .expect("never closed")
    }

    /// Waits until every task that held a permit has ended.
    async fn drain(&self) {
        drop(
            self.0
                .acquire_many(LIVE as u32)
                .await
                .expect("never closed"),
        );
    }
}

/// A task's work: one real suspension, then its permit goes.
async fn task(permit: OwnedSemaphorePermit) {
    tokio::task::yield_now().await;
    drop(permit);
}

/// Runs `phase` for the warm-up and for the measured items, reading memory around the
/// latter.
async fn measured<F, Fut>(mut phase: F) -> Readings
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = ()>,
{
    phase(WARM_UP).await;
    let before = rss();
    phase(COUNT).await;
    Readings {
        before,
        after: rss(),
    }
}

async fn soak_scope() -> Readings {
    let out = ayutil::scope(|s: Scope<()>| async move {
        let live = Live::new();
        measured(|n| {
            let (s, live) = (&s, &live);
            async move {
                for _ in 0..n {
                    let permit = live.permit().await;
                    // Dropping the handle neither detaches nor cancels the task.
                    drop(s.spawn(task(permit)));
                }
                live.drain().await;
            }
        })
        .await
    })
    .await
    .expect("no task fails");
    out.into_value().unwrap_or_default()
}

async fn soak_group() -> Readings {
    let group = Group::new();
    let live = Live::new();
    let readings = measured(|n| {
        let (group, live) = (&group, &live);
        async move {
            for _ in 0..n {
                group.spawn(task(live.permit().await));
            }
            live.drain().await;
        }
    })
    .await;
    group.join().await.expect("no task fails");
    readings
}

async fn soak_pool() -> Readings {
    let pool = Pool::new(NonZeroUsize::new(LIVE).unwrap());
    let live = Live::new();
    let readings = measured(|n| {
        let (pool, live) = (&pool, &live);
        async move {
            for _ in 0..n {
                // Backpressure from the pool itself; the permit only tells when all ended.
                pool.spawn_wait(task(live.permit().await)).await;
            }
            live.drain().await;
        }
    })
    .await;
    pool.join().await.expect("no task fails");
    readings
}

async fn soak_task_set() -> Readings {
    let tasks = TaskSet::new();
    let live = Live::new();
    let readings = measured(|n| {
        let (tasks, live) = (&tasks, &live);
        async move {
            for _ in 0..n {
                tasks.spawn(task(live.permit().await));
            }
            live.drain().await;
        }
    })
    .await;
    tasks.join().await.expect("no task fails");
    readings
}

/// A bag's tasks yield their permit: it goes when the consumer drops the value, so the
/// tasks alive and the values not yet taken are `LIVE` at most together. `spawn` puts one
/// task into the bag whose stream is `values`.
async fn soak_bag_stream<S, E>(
    values: S,
    spawn: impl Fn(OwnedSemaphorePermit) + Send + Sync + 'static,
) -> Readings
where
    S: futures::Stream<Item = Result<OwnedSemaphorePermit, E>> + Unpin,
    E: std::fmt::Debug,
{
    let live = Arc::new(Live::new());
    let feed = Arc::clone(&live);
    tokio::spawn(async move {
        for _ in 0..WARM_UP + COUNT {
            spawn(feed.permit().await);
        }
    });
    let mut counter = Counter::default();
    let mut values = values;
    while let Some(value) = values.next().await {
        drop(value.expect("no task fails"));
        counter.take();
    }
    counter.readings
}

async fn soak_bag() -> Readings {
    let bag = Bag::<OwnedSemaphorePermit>::new();
    let putter = bag.putter();
    soak_bag_stream(bag.into_stream(), move |permit| {
        let spawned = putter.spawn(async move {
            tokio::task::yield_now().await;
            Some(permit)
        });
        spawned.expect("the stream is alive");
    })
    .await
}

async fn soak_ordered_bag() -> Readings {
    let bag = OrderedBag::<OwnedSemaphorePermit>::new();
    let putter = bag.putter();
    soak_bag_stream(bag.into_stream(), move |permit| {
        let spawned = putter.spawn(async move {
            tokio::task::yield_now().await;
            Some(permit)
        });
        spawned.expect("the stream is alive");
    })
    .await
}

async fn soak_batcher() -> Readings {
    let batcher = Batcher::builder(NonZeroUsize::new(10).unwrap(), Duration::from_millis(1))
        .max_concurrency(NonZeroUsize::new(10).unwrap())
        .build(|items: Vec<u64>| async move {
            tokio::task::yield_now().await;
            Ok::<_, Infallible>(items)
        })
        .expect("valid limits");
    let mut next = 0u64;
    let readings = measured(|n| {
        let (batcher, first) = (&batcher, next);
        next += n;
        // `LIVE` callers at a time, each waiting for its own item's result.
        futures::stream::iter(first..first + n).for_each_concurrent(LIVE, move |item| async move {
            assert_eq!(batcher.call(item).await.expect("no batch fails"), item);
        })
    })
    .await;
    batcher.close().await.expect("no batch fails");
    readings
}

async fn soak_funnel() -> Readings {
    let source = futures::stream::iter(0..WARM_UP + COUNT).map(|i| async move {
        tokio::task::yield_now().await;
        i
    });
    let limit = NonZeroUsize::new(LIVE).expect("above zero");
    let mut outputs = funnel(source).limit(limit);
    let mut counter = Counter::default();
    while outputs.next().await.is_some() {
        counter.take();
    }
    counter.readings
}

async fn soak_waterfall() -> Readings {
    let waterfall = Waterfall::<u64>::new()
        .stage("suspend", NonZeroUsize::MAX, |x| async move {
            tokio::task::yield_now().await;
            x + 1
        })
        .stage("double", NonZeroUsize::MAX, |x| async move { x * 2 });
    let window = NonZeroUsize::new(LIVE).expect("above zero");
    let mut outputs = waterfall.run_stream(futures::stream::iter(0..WARM_UP + COUNT), window);
    let mut counter = Counter::default();
    while let Some(output) = outputs.next().await {
        output.expect("no stage fails");
        counter.take();
    }
    counter.readings
}

#[ayutil::cached(max = 1000)]
async fn lookup_lru(key: u64) -> u64 {
    tokio::task::yield_now().await;
    key.wrapping_mul(31)
}

#[ayutil::cached(max = 1000, ttl = "1h")]
async fn lookup_ttl(key: u64) -> u64 {
    tokio::task::yield_now().await;
    key.wrapping_mul(31)
}

/// Every call a distinct key: each evicts the least recently used one.
async fn soak_cached(lookup: fn(u64) -> futures::future::BoxFuture<'static, u64>) -> Readings {
    let mut next = 0u64;
    measured(|n| {
        let first = next;
        next += n;
        futures::stream::iter(first..first + n).for_each_concurrent(LIVE, move |key| async move {
            assert_eq!(lookup(key).await, key.wrapping_mul(31));
        })
    })
    .await
}

/// Eager calls that each wait once, so each continues as a tokio task.
async fn soak_eager() -> Readings {
    measured(|n| async move {
        let mut live = std::collections::VecDeque::with_capacity(LIVE);
        for i in 0..n {
            if live.len() == LIVE {
                let call: ayutil::Eager<u64> = live.pop_front().expect("full");
                call.await;
            }
            live.push_back(ayutil::eager(async move {
                tokio::task::yield_now().await;
                i
            }));
        }
        for call in live {
            call.await;
        }
    })
    .await
}

/// Tasks of one `SchedulingExecutor` that each yield once to the ready queue.
async fn soak_scheduling() -> Readings {
    use ayutil::scheduling;
    ayutil::SchedulingExecutor::new()
        .run(measured(|n| async move {
            let mut live = std::collections::VecDeque::with_capacity(LIVE);
            for i in 0..n {
                if live.len() == LIVE {
                    let task: scheduling::Task<u64> = live.pop_front().expect("full");
                    task.await.expect("no task fails");
                }
                let task = scheduling::spawn(async move {
                    scheduling::yield_now().await.expect("inside the executor");
                    i
                });
                live.push_back(task.expect("inside the executor"));
            }
            for task in live {
                task.await.expect("no task fails");
            }
        }))
        .await
}

async fn soak(name: &str) -> Option<Readings> {
    Some(match name {
        "scope" => soak_scope().await,
        "group" => soak_group().await,
        "pool" => soak_pool().await,
        "task_set" => soak_task_set().await,
        "bag" => soak_bag().await,
        "ordered_bag" => soak_ordered_bag().await,
        "batcher" => soak_batcher().await,
        "funnel" => soak_funnel().await,
        "waterfall" => soak_waterfall().await,
        "cached_lru" => soak_cached(|k| Box::pin(lookup_lru(k))).await,
        "cached_ttl" => soak_cached(|k| Box::pin(lookup_ttl(k))).await,
        "eager" => soak_eager().await,
        "scheduling" => soak_scheduling().await,
        _ => return None,
    })
}

/// Runs one primitive in this process and prints its line; `Err` if it misses the goal.
fn run_one(name: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("no runtime: {e}"))?;
    let readings = runtime
        .block_on(soak(name))
        .ok_or_else(|| format!("unknown primitive {name:?}; one of {PRIMITIVES:?}"))?;
    match readings.bytes_per_item() {
        Some(bytes) => {
            println!("soak {name}: {bytes:.2} bytes per item");
            if bytes > GOAL {
                return Err(format!("{name} grew by {bytes:.2} bytes per item"));
            }
        }
        None => println!("soak {name}: not measured (no /proc/self/statm)"),
    }
    Ok(())
}

/// Runs every primitive in a child process of its own.
fn run_all() -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("no executable path: {e}"))?;
    let mut missed = Vec::new();
    for name in PRIMITIVES {
        // The child prints its own line.
        let status = std::process::Command::new(&exe)
            .arg(name)
            .status()
            .map_err(|e| format!("cannot run {name}: {e}"))?;
        if !status.success() {
            missed.push(name);
        }
    }
    if missed.is_empty() {
        println!("every primitive within {GOAL} bytes per item");
        Ok(())
    } else {
        Err(format!("above {GOAL} bytes per item or failed: {missed:?}"))
    }
}

fn main() -> ExitCode {
    let outcome = match std::env::args().nth(1) {
        Some(name) => run_one(&name),
        None => run_all(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("soak: {message}");
            ExitCode::FAILURE
        }
    }
}
