//! Integration tests of ayutil's error conventions: every public error type converts with
//! `?` into `anyhow::Error`, and `{:#}` names each part of the cause exactly once (a
//! wrapper's `Display` describes its own layer, `source()` returns the cause).

use std::error::Error;
use std::fmt;
use std::num::NonZeroUsize;
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use ayutil::{
    Bag, BatchError, Batcher, BatcherConfigError, CoroStart, Group, OrderedBag, Panicked, Pool,
    Scope, ScopeError, SharedError, TaskFailure, TaskSet, Waterfall, scheduling, try_funnel,
};
use futures::StreamExt as _;

/// A failure as an application builds it with anyhow: a root cause and a context.
fn not_found() -> anyhow::Error {
    anyhow!("404 not found").context("download of /index.html")
}

/// The whole chain, as `anyhow` prints it with `{:#}`.
fn chain(err: &anyhow::Error) -> String {
    format!("{err:#}")
}

/// Asserts that `text` contains each of `parts` exactly once.
#[track_caller]
fn each_once(text: &str, parts: &[&str]) {
    for part in parts {
        assert_eq!(
            text.matches(part).count(),
            1,
            "`{part}` should appear exactly once in `{text}`"
        );
    }
}

/// The two parts of [`not_found`], each of which must appear once.
const NOT_FOUND: &[&str] = &["download of /index.html", "404 not found"];

/// An error type with a layer of its own and a cause, written as the API guidelines ask.
#[derive(Debug)]
struct Layered {
    layer: &'static str,
    cause: std::io::Error,
}

impl fmt::Display for Layered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.layer)
    }
}

impl Error for Layered {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.cause)
    }
}

fn bad_config() -> Layered {
    Layered {
        layer: "cannot parse the config",
        cause: std::io::Error::other("bad byte at 7"),
    }
}

fn nz(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

// ----- the panic type ------------------------------------------------------------------

#[tokio::test]
async fn panicked_from_iter_stream() {
    async fn first_rows() -> anyhow::Result<Vec<u32>> {
        let rows = (0..).map(|n| if n == 1 { panic!("row 1 is cursed") } else { n });
        let mut stream = ayutil::iter_stream(rows, NonZeroUsize::MIN);
        let mut out = Vec::new();
        while let Some(row) = stream.next().await {
            out.push(row?);
        }
        Ok(out)
    }
    let err = first_rows().await.unwrap_err();
    assert_eq!(chain(&err), "panicked: row 1 is cursed");
    assert_eq!(
        err.downcast::<Panicked>().unwrap().message(),
        Some("row 1 is cursed")
    );
}

// ----- group --------------------------------------------------------------------------

// Issue 9: `GroupError` (like `TaskFailure`, `FunnelError`, `BatchError`) was an `Error`
// only for `E: Error`, so a group of `anyhow::Error` tasks could not use `?`.
#[tokio::test]
async fn group_error_with_an_anyhow_cause() {
    async fn run() -> anyhow::Result<()> {
        let group = Group::new();
        group.spawn(async { Err(not_found()) });
        group.join().await?;
        Ok(())
    }
    let err = run().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "a task failed: download of /index.html: 404 not found"
    );
    each_once(&chain(&err), NOT_FOUND);
    assert_eq!(err.root_cause().to_string(), "404 not found");
}

#[tokio::test]
async fn group_error_with_a_string_cause_and_a_panic() {
    let group = Group::new();
    group.spawn(async { Err("disk full".to_owned()) });
    let err = anyhow::Error::from(group.join().await.unwrap_err());
    assert_eq!(chain(&err), "a task failed: disk full");

    let group: Group<String> = Group::new();
    group.spawn(async {
        if true {
            panic!("boom")
        }
        Ok(())
    });
    let err = anyhow::Error::from(group.join().await.unwrap_err());
    assert_eq!(chain(&err), "a task failed: panicked: boom");
}

#[tokio::test]
async fn pool_error_with_a_boxed_cause_and_its_own_cause() {
    async fn run() -> anyhow::Result<()> {
        let pool = Pool::new(NonZeroUsize::MIN);
        pool.spawn(async { Err(Box::new(bad_config()) as ayutil::BoxError) });
        pool.join().await?;
        Ok(())
    }
    let err = run().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "a task failed: cannot parse the config: bad byte at 7"
    );
    each_once(&chain(&err), &["cannot parse the config", "bad byte at 7"]);
}

#[tokio::test]
async fn task_set_error_and_task_failure() {
    async fn run() -> anyhow::Result<()> {
        let tasks = TaskSet::new();
        tasks.spawn(async { Err(not_found()) });
        tasks.join().await?;
        Ok(())
    }
    let err = run().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "a task failed: download of /index.html: 404 not found"
    );
    each_once(&chain(&err), NOT_FOUND);

    async fn first_failure() -> anyhow::Result<()> {
        let tasks = TaskSet::new();
        tasks.spawn(async { Err(not_found()) });
        let failure: TaskFailure<anyhow::Error> = tasks
            .join()
            .await
            .unwrap_err()
            .into_failures()
            .pop()
            .unwrap();
        Err(failure)?
    }
    let err = first_failure().await.unwrap_err();
    // A `TaskFailure` is transparent: the task's error, as it was.
    assert_eq!(chain(&err), "download of /index.html: 404 not found");
}

#[tokio::test]
async fn bag_streams_and_a_closed_bag() {
    async fn drain() -> anyhow::Result<Vec<u32>> {
        let bag = Bag::new();
        bag.spawn(async { Err::<Option<u32>, _>(not_found()) });
        let mut stream = bag.into_stream();
        let mut out = Vec::new();
        while let Some(value) = stream.next().await {
            out.push(value?);
        }
        Ok(out)
    }
    let err = drain().await.unwrap_err();
    each_once(&chain(&err), NOT_FOUND);

    async fn drain_ordered() -> anyhow::Result<Vec<u32>> {
        let bag = OrderedBag::new();
        bag.spawn(async { Err::<Option<u32>, _>(not_found()) });
        let mut stream = bag.into_stream();
        let mut out = Vec::new();
        while let Some(value) = stream.next().await {
            out.push(value?);
        }
        Ok(out)
    }
    let err = drain_ordered().await.unwrap_err();
    each_once(&chain(&err), NOT_FOUND);

    fn put_late() -> anyhow::Result<()> {
        let bag = Bag::<u32>::new();
        let putter = bag.putter();
        drop(bag);
        putter.put(7)?;
        Ok(())
    }
    assert_eq!(
        chain(&put_late().unwrap_err()),
        "the bag's stream was dropped"
    );
}

// ----- funnel and waterfall -----------------------------------------------------------

#[tokio::test]
async fn funnel_error_with_an_anyhow_cause() {
    async fn run() -> anyhow::Result<Vec<u32>> {
        let source = futures::stream::iter([Ok(async { Err::<u32, _>(not_found()) })]);
        let mut funnel = try_funnel(source);
        let mut out = Vec::new();
        while let Some(value) = funnel.next().await {
            out.push(value?);
        }
        Ok(out)
    }
    let err = run().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "a funnel item failed: download of /index.html: 404 not found"
    );
    each_once(&chain(&err), NOT_FOUND);
    assert_eq!(err.root_cause().to_string(), "404 not found");
}

#[tokio::test]
async fn funnel_error_with_a_string_cause() {
    let source = futures::stream::iter([Ok(async { Err::<u32, _>("bad item".to_owned()) })]);
    let err = try_funnel(source).next().await.unwrap().unwrap_err();
    let err = anyhow::Error::from(err);
    assert_eq!(chain(&err), "a funnel item failed: bad item");
}

#[tokio::test(start_paused = true)]
async fn funnel_time_out() {
    async fn run() -> anyhow::Result<()> {
        let source = futures::stream::iter([std::future::pending::<u8>()]);
        let mut funnel = ayutil::funnel(source).timeout(Duration::from_secs(1));
        while let Some(value) = funnel.next().await {
            value?;
        }
        Ok(())
    }
    assert_eq!(
        chain(&run().await.unwrap_err()),
        "the funnel timed out after 1s"
    );
}

#[tokio::test]
async fn waterfall_error_with_an_anyhow_cause() {
    async fn run() -> anyhow::Result<Vec<u32>> {
        let wf = Waterfall::<u32>::new()
            .stage("parse", NonZeroUsize::MAX, |x| async move { x })
            .try_stage("download", NonZeroUsize::MAX, |x| async move {
                if x == 17 { Err(not_found()) } else { Ok(x) }
            });
        let mut run = wf.run(0..20);
        let mut out = Vec::new();
        while let Some(value) = run.next().await {
            out.push(value?);
        }
        Ok(out)
    }
    let err = run().await.unwrap_err();
    // Issue 9: anyhow printed the cause twice ("...item 17: 404 ... Caused by: 404").
    assert_eq!(
        chain(&err),
        "stage 1 (download) failed on item 17: download of /index.html: 404 not found"
    );
    each_once(&chain(&err), NOT_FOUND);
    assert_eq!(err.root_cause().to_string(), "404 not found");
}

#[tokio::test]
async fn shoot_error() {
    fn push_twice() -> anyhow::Result<()> {
        let (_branches, shoots) = ayutil::branch_shoot::<()>(1, 1);
        shoots[0].push(async {})?;
        shoots[0].push(async {})?;
        Ok(())
    }
    let err = push_twice().unwrap_err();
    assert_eq!(
        chain(&err),
        "the shoot already has a cell in each of its 1 branches"
    );
}

// ----- batcher ------------------------------------------------------------------------

#[tokio::test]
async fn batch_error_with_an_anyhow_cause_and_a_panic() {
    async fn call(n: u32) -> anyhow::Result<u32> {
        let batcher = Batcher::builder(NonZeroUsize::MIN, Duration::from_millis(1)).build(
            |items: Vec<u32>| async move {
                match items[0] {
                    0 => Err(not_found()),
                    1 => panic!("handler bug"),
                    _ => Ok(items),
                }
            },
        )?;
        Ok(batcher.call(n).await?)
    }
    let err = call(0).await.unwrap_err();
    assert_eq!(
        chain(&err),
        "the batch handler failed: download of /index.html: 404 not found"
    );
    each_once(&chain(&err), NOT_FOUND);

    let err = call(1).await.unwrap_err();
    assert_eq!(
        chain(&err),
        "the batch handler failed: panicked: handler bug"
    );
    let panicked = err.chain().find_map(|e| e.downcast_ref::<Panicked>());
    assert_eq!(panicked.and_then(Panicked::message), Some("handler bug"));

    assert_eq!(call(2).await.unwrap(), 2);
}

#[tokio::test]
async fn batcher_close_error_and_batch_failure() {
    let batcher = Batcher::builder(nz(2), Duration::from_millis(1))
        .build(|_: Vec<u32>| async { Err::<Vec<()>, _>(not_found()) })
        .unwrap();
    batcher.put(1).await.unwrap();
    batcher.put(2).await.unwrap();
    let close = batcher.close().await.unwrap_err();
    let failure = close.failures()[0].clone();

    let err = anyhow::Error::from(close);
    assert_eq!(
        chain(&err),
        "2 put-and-go items failed in 1 batch: the batch handler failed: download of /index.html: 404 not found"
    );
    each_once(&chain(&err), NOT_FOUND);

    fn report(failure: ayutil::BatchFailure<anyhow::Error>) -> anyhow::Result<()> {
        Err(failure)?
    }
    let err = report(failure).unwrap_err();
    assert_eq!(
        chain(&err),
        "2 put-and-go items of one batch got no result: the batch handler failed: download of /index.html: 404 not found"
    );
}

#[tokio::test]
async fn batcher_closed_and_config_errors() {
    async fn put_after_close() -> anyhow::Result<()> {
        let batcher = Batcher::builder(nz(4), Duration::from_millis(1))
            .build(|items: Vec<String>| async move { Ok::<_, anyhow::Error>(items) })?;
        batcher.close().await?;
        batcher.put("late".to_owned()).await?;
        Ok(())
    }
    assert_eq!(
        chain(&put_after_close().await.unwrap_err()),
        "the batcher is closed"
    );

    fn build() -> anyhow::Result<Batcher<u8, u8, anyhow::Error>> {
        let batcher = Batcher::builder(nz(4), Duration::ZERO)
            .build(|items: Vec<u8>| async move { Ok::<_, anyhow::Error>(items) })?;
        Ok(batcher)
    }
    let err = build().unwrap_err();
    assert_eq!(
        err.downcast_ref::<BatcherConfigError>(),
        Some(&BatcherConfigError::ZeroWait)
    );
}

#[tokio::test]
async fn a_batch_error_of_a_string_handler_error_names_it_once() {
    let batcher = Batcher::builder(NonZeroUsize::MIN, Duration::from_millis(1))
        .build(|_: Vec<u8>| async { Err::<Vec<u8>, _>("read-only".to_owned()) })
        .unwrap();
    let err: BatchError<String> = batcher.call(1).await.unwrap_err();
    let err = anyhow::Error::from(err);
    assert_eq!(chain(&err), "the batch handler failed: read-only");
}

// ----- scope --------------------------------------------------------------------------

#[tokio::test]
async fn scope_error_with_the_default_boxed_error() {
    async fn run() -> anyhow::Result<()> {
        ayutil::scope(|s: Scope<()>| async move {
            s.try_spawn(async { Err(bad_config())? });
        })
        .await?;
        Ok(())
    }
    let err = run().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "the scope failed: cannot parse the config: bad byte at 7"
    );
    each_once(&chain(&err), &["cannot parse the config", "bad byte at 7"]);
}

#[tokio::test]
async fn scope_error_with_an_anyhow_cause() {
    async fn run() -> anyhow::Result<()> {
        Scope::<(), anyhow::Error>::options()
            .run(|s| async move {
                s.try_spawn(async { Err(not_found()) });
            })
            .await?;
        Ok(())
    }
    let err = run().await.unwrap_err();
    assert_eq!(
        chain(&err),
        "the scope failed: download of /index.html: 404 not found"
    );
    each_once(&chain(&err), NOT_FOUND);
}

#[tokio::test]
async fn scope_error_with_a_string_cause() {
    let err: ScopeError<String> = Scope::<(), String>::options()
        .run(|s| async move {
            s.try_spawn(async { Err("boom".to_owned()) });
        })
        .await
        .unwrap_err();
    assert_eq!(chain(&anyhow::Error::from(err)), "the scope failed: boom");
}

#[tokio::test]
async fn executor_and_join_errors() {
    ayutil::scope(|s: Scope<()>| async move {
        let stuck = s.spawn(std::future::pending());
        stuck.abort();
        let joined = async { anyhow::Ok(stuck.await?) }.await;
        assert_eq!(chain(&joined.unwrap_err()), "the task was cancelled");

        let aside = async { anyhow::Ok(s.aside_in("no-such-pool", || ())?) }.await;
        assert_eq!(
            chain(&aside.unwrap_err()),
            "no executor is registered under the name `no-such-pool`"
        );
    })
    .await
    .unwrap();
}

// ----- scheduling and eager -----------------------------------------------------------

#[tokio::test]
async fn scheduling_errors() {
    fn outside() -> anyhow::Result<usize> {
        Ok(scheduling::ready_len()?)
    }
    assert_eq!(
        chain(&outside().unwrap_err()),
        "not inside a scheduling executor; run this inside `SchedulingExecutor::run`"
    );

    let err = ayutil::SchedulingExecutor::new()
        .run(async {
            let task = scheduling::spawn(async { panic!("task bug") })?;
            task.await?;
            anyhow::Ok(())
        })
        .await
        .unwrap_err();
    assert_eq!(chain(&err), "the task failed: panicked: task bug");
}

#[test]
fn not_done_and_shared_error() {
    fn output() -> anyhow::Result<()> {
        CoroStart::new(std::future::pending::<()>()).into_output()?;
        Ok(())
    }
    assert_eq!(
        chain(&output().unwrap_err()),
        "the future has not finished: it waits"
    );

    fn shared() -> anyhow::Result<()> {
        let io = std::io::Error::other(bad_config());
        Err(SharedError::new(io)).context("loading the cached config")?
    }
    let err = shared().unwrap_err();
    assert_eq!(
        chain(&err),
        "loading the cached config: cannot parse the config: bad byte at 7"
    );
    each_once(&chain(&err), &["cannot parse the config", "bad byte at 7"]);
}
