//! A tour of ayutil: every feature in a few lines. Run: `cargo run --example tour`.

use std::convert::Infallible;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use futures::StreamExt as _;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn fetch_user() -> &'static str {
    tokio::time::sleep(ms(50)).await;
    "ada"
}

// #[provider]: a parameter filled from a provider at every call.
static LIMIT: ayutil::ProviderSpec<u32> = ayutil::ProviderSpec::lazy(|| 10);

#[ayutil::provider(limit, from = LIMIT)]
async fn clamp(n: u32, limit: u32) -> u32 {
    n.min(limit)
}

// #[cached]: single flight, TTL counted from completion, LRU bound.
#[ayutil::cached(ttl = "30s", max = 1_000)]
async fn user_name(id: u32) -> String {
    tokio::time::sleep(ms(50)).await; // a slow lookup
    format!("user-{id}")
}

// #[eager]: the call runs at once, until its first wait; the rest goes on as a task.
#[ayutil::eager]
async fn prefetch(id: u32) -> u32 {
    tokio::time::sleep(ms(50)).await; // a request in flight
    id * 2
}

#[tokio::main]
async fn main() {
    // link!: gather futures, async fns, sync callables and values, concurrently.
    let t0 = Instant::now();
    let (user, (), n, answer) =
        ayutil::link!(fetch_user, tokio::time::sleep(ms(50)), || 2 + 2, 42).await;
    println!(
        "link!        ({user}, (), {n}, {answer}) in {:?}",
        t0.elapsed()
    );

    // try_link!: the first error cancels the rest.
    let r: Result<(u8, u8), String> =
        ayutil::try_link!(async { Ok::<u8, String>(1) }, || Err::<u8, String>(
            "nope".into()
        ))
        .await;
    println!("try_link!    {r:?}");

    // Scope: tasks cannot outlive the block; at most 2 at once; results in spawn order.
    let out = ayutil::Scope::<u64>::options()
        .max_concurrency(NonZeroUsize::new(2).unwrap())
        .timeout(Duration::from_secs(5))
        .run(|s| async move {
            for n in [3, 1, 2] {
                s.spawn(async move {
                    tokio::time::sleep(ms(n * 10)).await;
                    n * 10
                });
            }
        })
        .await
        .expect("no task failed");
    let results: Vec<u64> = out.completed().copied().collect();
    println!("Scope        {results:?} (timed out: {})", out.timed_out());

    // Pool: at most 4 bodies at once; tasks can spawn into their own pool.
    let pool = ayutil::Pool::new(NonZeroUsize::new(4).unwrap());
    for i in 0..8u64 {
        let p = pool.clone();
        pool.spawn(async move {
            p.spawn(tokio::time::sleep(ms(i)));
        });
    }
    pool.join().await.expect("no task failed");
    println!("Pool         16 tasks joined, including those spawned by tasks");

    // OrderedBag: tasks run concurrently, outputs come in spawn order.
    let bag = ayutil::OrderedBag::new();
    for i in 0..4u64 {
        bag.spawn(async move {
            tokio::time::sleep(ms(40 - 10 * i)).await;
            Some(i * i)
        });
    }
    let squares: Vec<u64> = bag.into_stream().map(Result::unwrap).collect().await;
    println!("OrderedBag   {squares:?}");

    // Funnel: outputs in completion order while the source is still pulled.
    let source = futures::stream::iter([30u64, 10, 20]).map(|d| async move {
        tokio::time::sleep(ms(d)).await;
        d
    });
    let fastest_first: Vec<u64> = ayutil::funnel(source).collect().await;
    println!("funnel       {fastest_first:?}");

    // Waterfall: stage r starts item c once stage r-1 finished items 0..=c; outputs in order.
    let wf = ayutil::Waterfall::<u64>::new()
        .stage("double", NonZeroUsize::MAX, |x| async move { x * 2 })
        .stage("inc", NonZeroUsize::MAX, |x| async move { x + 1 });
    let out: Vec<u64> = wf.run(fastest_first).map(Result::unwrap).collect().await;
    println!("Waterfall    {out:?}");

    // Batcher: concurrent calls become one batch; each caller gets its own result.
    let batcher =
        ayutil::Batcher::builder(NonZeroUsize::new(32).unwrap(), ms(5))
            .build(|ids: Vec<u32>| async move {
                Ok::<_, Infallible>(ids.iter().map(|id| id * 2).collect())
            })
            .expect("valid limits");
    let (a, b) = tokio::join!(batcher.call(1), batcher.call(2));
    batcher.close().await.expect("every batch succeeded");
    println!("Batcher      {} {}", a.unwrap(), b.unwrap());

    // iter_stream: a blocking iterator read on a worker thread, a bounded buffer ahead.
    let items: Vec<u32> = ayutil::iter_stream(0..5, NonZeroUsize::new(2).unwrap())
        .map(Result::unwrap)
        .collect()
        .await;
    println!("iter_stream  {items:?}");

    // #[cached]: 100 concurrent calls over 4 keys run the body 4 times.
    let names = futures::future::join_all((0..100).map(|i| user_name(i % 4))).await;
    let stats = user_name_cache().stats();
    println!(
        "#[cached]    {} names, {} lookups ran, {} joined a running one",
        names.len(),
        stats.misses,
        stats.joins
    );

    // #[provider]: filled from LIMIT, or passed by hand through the `_with` variant.
    println!(
        "provider     {} (from LIMIT), {} (by hand)",
        clamp(42).await,
        clamp_with(42, 50).await
    );
    LIMIT.new_instance(5);
    println!(
        "provider     {} after LIMIT.new_instance(5)",
        clamp(42).await
    );

    // #[eager]: the request starts at the call, so it overlaps the caller's own work.
    let t0 = Instant::now();
    let doubled = prefetch(21);
    tokio::time::sleep(ms(50)).await; // other work meanwhile
    println!("#[eager]     {} in {:?}", doubled.await, t0.elapsed());

    // SchedulingExecutor: a ready queue the program reads and reorders.
    let order = ayutil::SchedulingExecutor::new()
        .run(async {
            use ayutil::scheduling;
            let log = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let tasks: Vec<_> = ["first", "second"]
                .into_iter()
                .map(|name| {
                    let log = log.clone();
                    scheduling::spawn(async move { log.borrow_mut().push(name) })
                        .expect("inside the executor")
                })
                .collect();
            scheduling::task_reinsert(tasks[1].id(), 0).expect("a runnable task");
            for task in tasks {
                task.await.expect("no task fails");
            }
            log.take()
        })
        .await;
    println!("scheduling   {order:?} (second moved to the front of the ready queue)");
}
