//! `Waterfall`: a grid of 4 stages by 4 items, by hand and built; draws an SVG. Run: `cargo run --example waterfall`.
//!
//! A port of the "Waterfall Stream Scheduler" demo of Python's ayutil: 4 branches (stages) ×
//! 4 shoots (items) driven by hand with `branch_shoot`, printing the demo's "Branch: b, Shoot:
//! s, Full Delay" lines, then the same grid with the high-level `Waterfall` builder. Writes the
//! run's timeline to `waterfall.svg`.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use futures::StreamExt;

/// A small deterministic generator in place of Python's `random.random()`.
fn random(seed: u64) -> f64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The Python demo's `sleepnr`: sleeps `secs` and returns it.
async fn sleepnr(secs: f64) -> f64 {
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    secs
}

/// How long cell (branch, shoot) sleeps: row 0 as in the Python demo (`.01 + i/3`), the others
/// "random".
fn delay(branch: usize, shoot: usize) -> f64 {
    if branch == 0 {
        0.01 + shoot as f64 / 3.0
    } else {
        random((branch * 4 + shoot) as u64) * 0.6
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    const BRANCHES: usize = 4;
    const SHOOTS: usize = 4;

    println!("== by hand: branch_shoot({BRANCHES}, {SHOOTS}) ==");
    let (branches, shoots) = ayutil::branch_shoot::<f64>(BRANCHES, SHOOTS);
    let st = Instant::now();
    for (i, shoot) in shoots.iter().enumerate() {
        shoot
            .push(sleepnr(delay(0, i)))
            .expect("a fresh shoot has room");
    }
    // The Python demo's `gen_passthrough`: read a branch in shoot order, push the next cell.
    let mut passes = Vec::new();
    for mut branch in branches {
        passes.push(tokio::spawn(async move {
            let b = branch.index();
            while let Some((dly, shoot)) = branch.next().await {
                if b + 1 < BRANCHES {
                    shoot
                        .push(sleepnr(delay(b + 1, shoot.index())))
                        .expect("one cell per branch");
                }
                println!(
                    "Branch: {}, Shoot: {}, Full Delay: {:.5}, Required Delay: {dly}",
                    b + 1,
                    shoot.index() + 1,
                    st.elapsed().as_secs_f64()
                );
            }
            branch.timeline()
        }));
    }
    let mut timeline = None;
    for (round, pass) in passes.into_iter().enumerate() {
        timeline = Some(pass.await.expect("the pass did not panic"));
        println!(
            "--- Round {} Sleep completed in {:.5} seconds.",
            round + 1,
            st.elapsed().as_secs_f64()
        );
    }
    let timeline = timeline.expect("four branches");
    println!(
        "makespan {:?}, critical path {:?}",
        timeline.makespan(),
        timeline.critical_path()
    );

    println!("\n== the same grid with the Waterfall builder ==");
    let mut wf = ayutil::Waterfall::<usize>::new();
    for b in 0..BRANCHES {
        wf = wf.stage(
            format!("branch {}", b + 1),
            NonZeroUsize::MAX,
            move |shoot| async move {
                sleepnr(delay(b, shoot)).await;
                shoot
            },
        );
    }
    let st = Instant::now();
    let mut run = wf.run(0..SHOOTS);
    while let Some(shoot) = run.next().await {
        let shoot = shoot.expect("these stages cannot fail");
        println!(
            "shoot {} left the last branch at {:.5} s",
            shoot + 1,
            st.elapsed().as_secs_f64()
        );
    }
    let timeline = run.timeline();
    println!(
        "makespan {:?}, critical path {:?}",
        timeline.makespan(),
        timeline.critical_path()
    );
    std::fs::write("waterfall.svg", timeline.to_svg())?;
    println!("wrote waterfall.svg ({} cells)", timeline.cells().len());
    Ok(())
}
