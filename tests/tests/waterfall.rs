//! Integration tests of `Waterfall`, `WaterfallRun`, `Timeline` and `branch_shoot`.

use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use ayutil::{ShootError, Timeline, Waterfall, branch_shoot};
use futures::{FutureExt, StreamExt};
use tokio::time::{Instant, sleep};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn nz(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

const MAX: NonZeroUsize = NonZeroUsize::MAX;

struct DropCount(Arc<AtomicUsize>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Durations (ms) of a 4 × 4 grid, `D[stage][item]`, chosen so rows finish out of order.
const D: [[u64; 4]; 4] = [
    [40, 10, 30, 20],
    [15, 35, 5, 25],
    [30, 10, 20, 40],
    [5, 45, 15, 10],
];

/// The critical path of `D`, computed here independently of the library.
fn bound(d: &[[u64; 4]; 4]) -> Duration {
    let mut finish = [[0u64; 4]; 4];
    for r in 0..4 {
        for c in 0..4 {
            let deps = if r == 0 {
                0
            } else {
                (0..=c).map(|k| finish[r - 1][k]).max().unwrap()
            };
            finish[r][c] = deps + d[r][c];
        }
    }
    ms(*finish.iter().flatten().max().unwrap())
}

/// Stage `r` sleeps `D[r][item]` and passes the item index on.
fn grid_waterfall(limit: NonZeroUsize) -> Waterfall<usize> {
    let mut wf = Waterfall::<usize>::new();
    for (r, durations) in D.into_iter().enumerate() {
        wf = wf.stage(format!("stage {r}"), limit, move |item| async move {
            sleep(ms(durations[item])).await;
            item
        });
    }
    wf
}

/// Checks the dependency rule on a finished timeline: cell (r, c) started after cells
/// (r - 1, 0..=c) ended.
fn assert_grid_rule(t: &Timeline) {
    for cell in t.cells() {
        if cell.stage == 0 {
            continue;
        }
        for dep in t
            .cells()
            .iter()
            .filter(|d| d.stage == cell.stage - 1 && d.item <= cell.item)
        {
            let end = dep.end.expect("a dependency finished");
            assert!(
                end <= cell.start,
                "({}, {}) started before ({}, {}) ended",
                cell.stage,
                cell.item,
                dep.stage,
                dep.item
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn outputs_come_in_item_order() {
    let out: Vec<usize> = grid_waterfall(MAX)
        .run(0..4)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(out, [0, 1, 2, 3]);
}

#[tokio::test(start_paused = true)]
async fn makespan_equals_the_critical_path() {
    let t0 = Instant::now();
    let mut run = grid_waterfall(MAX).run(0..4);
    while run.next().await.is_some() {}
    let expected = bound(&D);
    assert_eq!(
        expected,
        ms(130),
        "worked out by hand: 40 -> 75 -> 85 -> 130"
    );
    assert_eq!(t0.elapsed(), expected);
    let t = run.timeline();
    assert_eq!(t.makespan(), expected);
    assert_eq!(t.critical_path(), expected);
    assert_grid_rule(&t);
}

#[tokio::test(start_paused = true)]
async fn cells_start_as_soon_as_their_dependencies_end() {
    let mut run = grid_waterfall(MAX).run(0..4);
    while run.next().await.is_some() {}
    let t = run.timeline();
    let end = |r: usize, c: usize| {
        t.cells()
            .iter()
            .find(|x| x.stage == r && x.item == c)
            .unwrap()
            .end
            .unwrap()
    };
    for cell in t.cells() {
        let ready = if cell.stage == 0 {
            Duration::ZERO
        } else {
            (0..=cell.item)
                .map(|k| end(cell.stage - 1, k))
                .max()
                .unwrap()
        };
        assert_eq!(
            cell.start, ready,
            "cell ({}, {}) waited",
            cell.stage, cell.item
        );
        assert_eq!(cell.duration(), Some(ms(D[cell.stage][cell.item])));
    }
}

#[tokio::test(start_paused = true)]
async fn stage_limits_hold_under_load_and_nothing_is_lost() {
    let peaks: Arc<[AtomicUsize; 3]> = Arc::new(Default::default());
    let now: Arc<[AtomicUsize; 3]> = Arc::new(Default::default());
    // Each stage is slower than the one before, so items pile up in front of every limit.
    let limits = [4, 6, 2];
    let mut wf = Waterfall::<u64>::new();
    for (r, limit) in limits.into_iter().enumerate() {
        let (peaks, now) = (peaks.clone(), now.clone());
        wf = wf.stage(format!("s{r}"), nz(limit), move |x: u64| {
            let (peaks, now) = (peaks.clone(), now.clone());
            async move {
                peaks[r].fetch_max(now[r].fetch_add(1, SeqCst) + 1, SeqCst);
                sleep(ms([1 + x % 3, 20, 30][r])).await;
                now[r].fetch_sub(1, SeqCst);
                x + 1
            }
        });
    }
    let out: Vec<u64> = wf.run(0..2000).map(Result::unwrap).collect().await;
    assert_eq!(out, (3..2003).collect::<Vec<_>>());
    let peaks: Vec<usize> = peaks.iter().map(|p| p.load(SeqCst)).collect();
    assert_eq!(peaks, limits);
}

#[tokio::test(start_paused = true)]
async fn stages_may_change_the_type() {
    let wf = Waterfall::<&str>::new()
        .stage("len", MAX, |s| async move { s.len() })
        .stage("fmt", MAX, |n| async move { format!("<{n}>") });
    let out: Vec<String> = wf.run(["a", "abc", ""]).map(Result::unwrap).collect().await;
    assert_eq!(out, ["<1>", "<3>", "<0>"]);
}

#[tokio::test(start_paused = true)]
async fn zero_stages_or_zero_items_end_at_once() {
    let t0 = Instant::now();
    assert_eq!(Waterfall::<u8>::new().run([1, 2]).count().await, 0);
    assert_eq!(grid_waterfall(MAX).run(std::iter::empty()).count().await, 0);
    assert_eq!(t0.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn run_is_lazy_until_polled() {
    let started = Arc::new(AtomicUsize::new(0));
    let s = started.clone();
    let wf = Waterfall::<u8>::new().stage("count", MAX, move |x| {
        s.fetch_add(1, SeqCst);
        async move { x }
    });
    let mut run = wf.run([1, 2]);
    sleep(ms(10)).await;
    assert_eq!(started.load(SeqCst), 0);
    assert_eq!(run.next().await.unwrap().unwrap(), 1);
    assert_eq!(started.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_failing_cell_stops_the_run_with_its_position() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let d = dropped.clone();
    let wf = Waterfall::<u64>::new()
        .stage("first", MAX, |x| async move { x })
        .try_stage("second", nz(2), move |x: u64| {
            let guard = DropCount(d.clone());
            async move {
                let _guard = guard;
                // Item 1 is slow: it is still running when item 2 fails.
                sleep(ms(if x == 1 { 1000 } else { 10 })).await;
                if x == 2 {
                    Err(format!("item {x} is bad"))
                } else {
                    Ok(x)
                }
            }
        })
        .stage("third", MAX, |x| async move { x });
    let mut run = wf.run(0..6);
    assert_eq!(run.next().await.unwrap().unwrap(), 0);
    let err = run.next().await.unwrap().unwrap_err();
    assert_eq!(
        (err.stage(), err.stage_name(), err.item()),
        (1, "second", 2)
    );
    assert_eq!(err.to_string(), "stage 1 (second) failed on item 2");
    assert_eq!(
        format!("{:#}", anyhow::Error::from(err)),
        "stage 1 (second) failed on item 2: item 2 is bad"
    );
    assert!(run.next().await.is_none());
    let t = run.timeline();
    // With a limit of 2, items 3.. of stage 1 never started; stage 2 only saw item 0.
    let started: BTreeSet<(usize, usize)> = t.cells().iter().map(|c| (c.stage, c.item)).collect();
    assert!(
        !started.iter().any(|&(s, i)| s == 1 && i > 2),
        "{started:?}"
    );
    assert!(
        !started.iter().any(|&(s, i)| s == 2 && i > 0),
        "{started:?}"
    );
    // Item 1's cell was running: it was dropped, never finished.
    let slow = t
        .cells()
        .iter()
        .find(|c| c.stage == 1 && c.item == 1)
        .unwrap();
    assert_eq!(slow.end, None);
    tokio::task::yield_now().await;
    assert_eq!(
        dropped.load(SeqCst),
        3,
        "cells 0, 1 and 2 of stage 1 are all gone"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_run_drops_every_cell() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let (d, f) = (dropped.clone(), finished.clone());
    let wf = Waterfall::<u64>::new().stage("slow", MAX, move |x| {
        let (guard, finished) = (DropCount(d.clone()), f.clone());
        async move {
            let _guard = guard;
            sleep(ms(if x == 0 { 1 } else { 1000 })).await;
            finished.fetch_add(1, SeqCst);
            x
        }
    });
    let mut run = wf.run(0..5);
    assert_eq!(run.next().await.unwrap().unwrap(), 0);
    drop(run);
    sleep(ms(5000)).await;
    assert_eq!(finished.load(SeqCst), 1);
    assert_eq!(dropped.load(SeqCst), 5);
}

#[tokio::test(start_paused = true)]
async fn panic_in_a_stage_reaches_the_consumer() {
    let wf = Waterfall::<u8>::new().stage("boom", MAX, |x| async move {
        assert!(x != 1, "stage exploded");
        x
    });
    let res = std::panic::AssertUnwindSafe(wf.run([0, 1]).collect::<Vec<_>>())
        .catch_unwind()
        .await;
    let payload = res.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>().copied(),
        Some("stage exploded")
    );
}

// futures-rs 2387: a busy consumer must not hold the stages back.
#[tokio::test(start_paused = true)]
async fn stages_keep_running_while_the_consumer_is_busy() {
    let mut run = grid_waterfall(MAX).run(0..4);
    let mut n = 0;
    while let Some(item) = run.next().await {
        item.unwrap();
        n += 1;
        sleep(ms(100)).await;
    }
    assert_eq!(n, 4);
    let t = run.timeline();
    assert_eq!(t.makespan(), bound(&D));
}

/// A tiny reader of the `<rect .../>` tags of an SVG: attribute maps of each.
fn rects(svg: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut out = Vec::new();
    for chunk in svg.split("<rect ").skip(1) {
        let tag = &chunk[..chunk.find('>').expect("a closed tag")];
        let mut attrs = std::collections::BTreeMap::new();
        for part in tag.split('"').collect::<Vec<_>>().chunks(2) {
            if let [key, value] = part {
                attrs.insert(
                    key.trim().trim_end_matches('=').to_owned(),
                    (*value).to_owned(),
                );
            }
        }
        out.push(attrs);
    }
    out
}

#[tokio::test(start_paused = true)]
async fn svg_has_one_rectangle_per_cell() {
    let mut run = grid_waterfall(MAX).run(0..4);
    while run.next().await.is_some() {}
    let svg = run.timeline().to_svg();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<svg").count(), 1);
    let cells: Vec<_> = rects(&svg)
        .into_iter()
        .filter(|a| a.get("class").map(String::as_str) == Some("cell"))
        .collect();
    assert_eq!(cells.len(), 16);
    let positions: BTreeSet<(usize, usize)> = cells
        .iter()
        .map(|a| {
            (
                a["data-stage"].parse().unwrap(),
                a["data-item"].parse().unwrap(),
            )
        })
        .collect();
    let expected: BTreeSet<(usize, usize)> =
        (0..4).flat_map(|r| (0..4).map(move |c| (r, c))).collect();
    assert_eq!(positions, expected);
    for a in &cells {
        let width: f64 = a["width"].parse().unwrap();
        assert!(width > 0.0);
        let (r, c): (usize, usize) = (
            a["data-stage"].parse().unwrap(),
            a["data-item"].parse().unwrap(),
        );
        let end: f64 = a["data-end"].parse().unwrap();
        let start: f64 = a["data-start"].parse().unwrap();
        assert!((end - start - D[r][c] as f64 / 1000.0).abs() < 1e-6);
    }
    // The grid panel: one square per position, finished (green) in the static state.
    let squares: Vec<_> = rects(&svg)
        .into_iter()
        .filter(|a| a.get("class").map(String::as_str) == Some("grid-cell"))
        .collect();
    assert_eq!(squares.len(), 16);
    assert!(squares.iter().all(|a| a["fill"] == "#7bc47f"));
    assert_eq!(svg.matches("<animate ").count(), 16);
    // Stage names are escaped.
    let wf = Waterfall::<u8>::new().stage("a<b & \"c\"", MAX, |x| async move { x });
    let mut run = wf.run([1]);
    while run.next().await.is_some() {}
    let svg = run.timeline().to_svg();
    assert!(svg.contains("a&lt;b &amp; &quot;c&quot;"));
    assert!(!svg.contains("a<b"));
}

/// The seed's demo: 4 branches × 4 shoots, each branch pushes the next one by hand.
#[tokio::test(start_paused = true)]
async fn branch_shoot_runs_the_seed_demo_by_hand() {
    let (branches, shoots) = branch_shoot::<(usize, usize)>(4, 4);
    for (s, shoot) in shoots.iter().enumerate() {
        shoot
            .push(async move {
                sleep(ms(D[0][s])).await;
                (0, s)
            })
            .unwrap();
    }
    let timeline_handle = branches[0].timeline();
    assert_eq!(timeline_handle.items(), 4);
    let mut tasks = Vec::new();
    for branch in branches {
        tasks.push(tokio::spawn(async move {
            let row = branch.index();
            let mut seen = Vec::new();
            let mut branch = branch;
            while let Some(((r, s), shoot)) = branch.next().await {
                assert_eq!((r, s), (row, shoot.index()));
                seen.push(s);
                if row + 1 < 4 {
                    shoot
                        .push(async move {
                            sleep(ms(D[row + 1][s])).await;
                            (row + 1, s)
                        })
                        .unwrap();
                } else {
                    assert_eq!(
                        shoot.push(async { (9, 9) }),
                        Err(ShootError::Full { branches: 4 })
                    );
                }
            }
            (seen, branch.timeline())
        }));
    }
    let t0 = Instant::now();
    let mut last = None;
    for task in tasks {
        let (seen, timeline) = task.await.unwrap();
        assert_eq!(seen, [0, 1, 2, 3], "each branch yields in shoot order");
        last = Some(timeline);
    }
    assert_eq!(t0.elapsed(), bound(&D));
    let t = last.unwrap();
    assert_eq!(t.cells().len(), 16);
    assert_grid_rule(&t);
}

#[tokio::test(start_paused = true)]
async fn pushed_cells_wait_for_their_dependencies() {
    let (mut branches, shoots) = branch_shoot::<u64>(2, 2);
    // Both cells of shoot 1 are pushed up front; its branch-1 cell must still wait for
    // branch 0's shoots 0 and 1.
    shoots[1]
        .push(async {
            sleep(ms(10)).await;
            1
        })
        .unwrap();
    shoots[1].push(async { 11 }).unwrap();
    shoots[0]
        .push(async {
            sleep(ms(50)).await;
            0
        })
        .unwrap();
    shoots[0].push(async { 10 }).unwrap();
    let second = branches.pop().unwrap();
    let first = branches.pop().unwrap();
    let t0 = Instant::now();
    let firsts: Vec<u64> = first.map(|(v, _)| v).collect().await;
    let seconds: Vec<u64> = second.map(|(v, _)| v).collect().await;
    assert_eq!((firsts, seconds), (vec![0, 1], vec![10, 11]));
    assert_eq!(t0.elapsed(), ms(50));
}

#[tokio::test(start_paused = true)]
async fn dropping_every_branch_closes_the_grid() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let (branches, shoots) = branch_shoot::<()>(2, 1);
    let guard = DropCount(dropped.clone());
    shoots[0]
        .push(async move {
            let _guard = guard;
            sleep(ms(1000)).await;
        })
        .unwrap();
    tokio::task::yield_now().await;
    drop(branches);
    sleep(ms(10)).await;
    assert_eq!(dropped.load(SeqCst), 1, "the running cell was dropped");
    assert_eq!(shoots[0].push(async {}), Err(ShootError::Closed));
}

#[tokio::test(start_paused = true)]
async fn empty_grids_end_at_once() {
    let (branches, shoots) = branch_shoot::<()>(3, 0);
    assert!(shoots.is_empty());
    for mut b in branches {
        assert!(b.next().await.is_none());
    }
    let (branches, shoots) = branch_shoot::<()>(0, 2);
    assert!(branches.is_empty());
    assert_eq!(
        shoots[0].push(async {}),
        Err(ShootError::Full { branches: 0 })
    );
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Waterfall<u8, String>>();
    assert_send_sync::<ayutil::WaterfallRun<String>>();
    assert_send_sync::<ayutil::Branch<String>>();
    assert_send_sync::<ayutil::Shoot<String>>();
    assert_send_sync::<ayutil::WaterfallError>();
    assert_send_sync::<Timeline>();
}

#[tokio::test(start_paused = true)]
async fn panic_in_a_pushed_cell_reaches_a_branch() {
    let (mut branches, shoots) = branch_shoot::<u8>(1, 2);
    shoots[0].push(async { 0 }).unwrap();
    shoots[1]
        .push(async {
            sleep(ms(5)).await;
            panic!("cell exploded")
        })
        .unwrap();
    let branch = branches.pop().unwrap();
    let res = std::panic::AssertUnwindSafe(branch.map(|(v, _)| v).collect::<Vec<_>>())
        .catch_unwind()
        .await;
    let payload = res.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>().copied(),
        Some("cell exploded")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_on_a_multi_thread_runtime() {
    let wf = Waterfall::<u64>::new()
        .stage("a", nz(8), |x| async move {
            tokio::task::yield_now().await;
            x * 2
        })
        .stage("b", nz(3), |x| async move {
            tokio::task::yield_now().await;
            x + 1
        });
    let out: Vec<u64> =
        tokio::spawn(async move { wf.run(0..3000).map(Result::unwrap).collect().await })
            .await
            .unwrap();
    assert_eq!(out, (0..3000).map(|x| x * 2 + 1).collect::<Vec<_>>());
}

#[tokio::test(start_paused = true)]
async fn panic_in_a_stage_function_itself_reaches_the_consumer() {
    // The function panics before it returns a future: the driver itself unwinds.
    let wf = Waterfall::<u8>::new().stage("sync boom", MAX, |x: u8| {
        assert!(x != 2, "stage function exploded");
        async move { x }
    });
    let res = std::panic::AssertUnwindSafe(wf.run([0, 1, 2]).collect::<Vec<_>>())
        .catch_unwind()
        .await;
    let payload = res.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>().copied(),
        Some("stage function exploded")
    );
}

#[tokio::test(start_paused = true)]
async fn streamed_items_start_as_they_arrive() {
    let (tx, rx) = futures::channel::mpsc::unbounded::<usize>();
    let mut run = grid_waterfall(MAX)
        .run_stream(rx, nz(16))
        .record_timeline(true);
    let feeder = tokio::spawn(async move {
        for item in 0..4 {
            tx.unbounded_send(item).unwrap();
            sleep(ms(25)).await;
        }
    });
    let mut out = Vec::new();
    while let Some(item) = run.next().await {
        out.push(item.unwrap());
    }
    feeder.await.unwrap();
    assert_eq!(out, [0, 1, 2, 3]);
    let t = run.timeline();
    assert_eq!(t.items(), 4);
    assert_eq!(t.cells().len(), 16);
    for cell in t.cells().iter().filter(|c| c.stage == 0) {
        assert_eq!(
            cell.start,
            ms(25 * cell.item as u64),
            "item {} waited",
            cell.item
        );
    }
    assert_grid_rule(&t);
}

#[tokio::test(start_paused = true)]
async fn streamed_input_is_held_back_by_the_window() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let p = pulled.clone();
    let endless = futures::stream::iter(0u64..).inspect(move |_| {
        p.fetch_add(1, SeqCst);
    });
    let wf = Waterfall::<u64>::new().stage("id", MAX, |x| async move { x });
    let mut run = wf.run_stream(endless, nz(3));
    assert_eq!(run.next().await.unwrap().unwrap(), 0);
    // The consumer is idle: nothing more is pulled, however long it waits.
    sleep(ms(1000)).await;
    assert_eq!(pulled.load(SeqCst), 3);
    let next: Vec<u64> = run.by_ref().take(100).map(Result::unwrap).collect().await;
    assert_eq!(next, (1..101).collect::<Vec<_>>());
    assert!(pulled.load(SeqCst) <= 101 + 3);
}

#[tokio::test(start_paused = true)]
async fn empty_or_stageless_streamed_runs_end_at_once() {
    let t0 = Instant::now();
    let none = futures::stream::empty::<usize>();
    assert_eq!(grid_waterfall(MAX).run_stream(none, nz(4)).count().await, 0);
    let items = futures::stream::iter([1u8, 2, 3]);
    assert_eq!(
        Waterfall::<u8>::new()
            .run_stream(items, nz(4))
            .count()
            .await,
        0
    );
    assert_eq!(t0.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn streamed_run_reports_the_failing_item() {
    let wf = Waterfall::<u64>::new().try_stage("check", nz(2), |x: u64| async move {
        sleep(ms(1)).await;
        if x == 5 { Err("five") } else { Ok(x) }
    });
    let out: Vec<_> = wf
        .run_stream(futures::stream::iter(0..10), nz(4))
        .collect()
        .await;
    assert_eq!(out.len(), 6);
    assert!(out[..5].iter().all(Result::is_ok));
    let err = out[5].as_ref().unwrap_err();
    assert_eq!((err.stage(), err.item()), (0, 5));
}

#[tokio::test]
async fn streamed_run_keeps_no_span_per_cell_by_default() {
    // Regression: `run_stream` recorded one timeline span per cell without bound (200,000
    // items through 2 stages kept 400,000 spans), against its bounded-memory promise.
    let wf = Waterfall::<u64>::new()
        .stage("a", MAX, |x| async move { x + 1 })
        .stage("b", MAX, |x| async move { x * 2 });
    let mut run = wf.run_stream(futures::stream::iter(0..20_000u64), nz(64));
    let mut n = 0u64;
    while let Some(out) = run.next().await {
        assert_eq!(out.unwrap(), (n + 1) * 2);
        n += 1;
    }
    assert_eq!(n, 20_000);
    let t = run.timeline();
    assert!(t.cells().is_empty(), "{} spans kept", t.cells().len());
    assert_eq!((t.items(), t.stage_names().len()), (20_000, 2));
}

#[tokio::test(start_paused = true)]
async fn timeline_recording_can_be_turned_on_for_a_stream_and_off_for_a_run() {
    let items = futures::stream::iter(0..4usize);
    let mut streamed = grid_waterfall(MAX)
        .run_stream(items, nz(16))
        .record_timeline(true);
    while streamed.next().await.is_some() {}
    let t = streamed.timeline();
    assert_eq!(t.cells().len(), 16);
    assert_grid_rule(&t);
    assert_eq!(t.makespan(), t.critical_path());

    let mut run = grid_waterfall(MAX).run(0..4).record_timeline(false);
    let out: Vec<usize> = run.by_ref().map(Result::unwrap).collect().await;
    assert_eq!(out, [0, 1, 2, 3]);
    assert!(run.timeline().cells().is_empty());
    assert_eq!(run.timeline().items(), 4);
}

#[tokio::test(start_paused = true)]
async fn stage_limit_of_one_runs_one_cell_at_a_time() {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (running.clone(), peak.clone());
    let wf = Waterfall::<u64>::new().stage("one", nz(1), move |x| {
        let (running, peak) = (r.clone(), p.clone());
        async move {
            peak.fetch_max(running.fetch_add(1, SeqCst) + 1, SeqCst);
            sleep(ms(10)).await;
            running.fetch_sub(1, SeqCst);
            x
        }
    });
    let t0 = Instant::now();
    let out: Vec<u64> = wf.run(0..5).map(Result::unwrap).collect().await;
    assert_eq!(out, [0, 1, 2, 3, 4]);
    assert_eq!((peak.load(SeqCst), t0.elapsed()), (1, ms(50)));
}

#[tokio::test(start_paused = true)]
async fn stream_window_of_max_pulls_without_holding_back() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let p = pulled.clone();
    let items = futures::stream::iter(0u64..1_000).inspect(move |_| {
        p.fetch_add(1, SeqCst);
    });
    let wf = Waterfall::<u64>::new().stage("slow", MAX, |x| async move {
        sleep(ms(10)).await;
        x
    });
    let mut run = wf.run_stream(items, MAX);
    let t0 = Instant::now();
    assert_eq!(run.next().await.unwrap().unwrap(), 0);
    assert_eq!(
        pulled.load(SeqCst),
        1_000,
        "no window: everything pulled at once"
    );
    assert_eq!(run.count().await, 999);
    assert_eq!(t0.elapsed(), ms(10));
}

#[tokio::test(start_paused = true)]
async fn pushes_are_refused_as_soon_as_every_branch_is_dropped() {
    // Once no branch can read the grid, a push is refused at once instead of being taken
    // by a driver that is about to stop.
    let (branches, shoots) = branch_shoot::<u8>(2, 2);
    shoots[0].push(async { 1 }).unwrap();
    drop(branches);
    assert_eq!(shoots[1].push(async { 2 }), Err(ShootError::Closed));
}

#[tokio::test(start_paused = true)]
async fn a_failing_cell_drops_the_other_cells_before_the_error_comes_out() {
    let alive = Arc::new(AtomicUsize::new(0));
    let a = alive.clone();
    let wf = Waterfall::<u64>::new().try_stage("check", MAX, move |x| {
        a.fetch_add(1, SeqCst);
        let guard = DecOnDrop(a.clone());
        async move {
            let _guard = guard;
            if x == 1 {
                sleep(ms(5)).await;
                return Err("one");
            }
            sleep(ms(10_000)).await;
            Ok(x)
        }
    });
    let mut run = wf.run(0..4);
    let err = run.next().await.unwrap().unwrap_err();
    assert_eq!(err.item(), 1);
    assert_eq!(alive.load(SeqCst), 0, "every other cell was dropped first");
}

/// Decrements its counter when dropped.
struct DecOnDrop(Arc<AtomicUsize>);
impl Drop for DecOnDrop {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}
