//! `funnel_steps`: sleepers that feed the funnel again, printed as they complete. Run: `cargo run --example funnel`.
//!
//! A port of the "Completion Funnel" demo of Python's ayutil: five sleepers, each returning a
//! second sleeper that goes back into the funnel.
//!
//! Then the two points where `Funnel` differs from `FuturesUnordered`: a limit with
//! backpressure, and futures that keep running while the consumer is busy.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use ayutil::FunnelStep;
use futures::StreamExt;

/// A small deterministic generator in place of Python's `random.random()`.
fn random(seed: u64) -> f64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

// Recursive: `async fn` cannot name the `Send` bound the funnel needs.
#[allow(clippy::manual_async_fn)]
fn sl_random(rn: u64, reself: bool) -> impl Future<Output = FunnelStep<u64>> + Send {
    async move {
        let ts = random(rn * 2 + u64::from(reself));
        tokio::time::sleep(Duration::from_secs_f64(ts)).await;
        if reself {
            println!("First Sleep Random {rn}: {ts}");
            FunnelStep::then(sl_random(rn, false))
        } else {
            println!("Second Sleep Random {rn}: {ts}");
            FunnelStep::Done(rn)
        }
    }
}

#[tokio::main]
async fn main() {
    println!("== completion funnel: continuations go back in ==");
    let source = futures::stream::iter(1..=5).map(|i| sl_random(i, true));
    let done: Vec<u64> = ayutil::funnel_steps(source).collect().await;
    println!("finished in this order: {done:?}\n");

    println!("== limit(2): at most two sleepers at once, the source waits ==");
    let t0 = Instant::now();
    let source = futures::stream::iter(1..=6u64).map(|i| async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        i
    });
    let mut limited = ayutil::funnel(source).limit(NonZeroUsize::new(2).expect("2 is not zero"));
    while let Some(i) = limited.next().await {
        println!("  item {i} at {:>4} ms", t0.elapsed().as_millis());
    }

    println!("\n== the consumer is busy for 100 ms per item; the futures are not held back ==");
    let t0 = Instant::now();
    let source = futures::stream::iter(1..=4u64).map(move |k| async move {
        tokio::time::sleep(Duration::from_millis(20 * k)).await;
        (k, t0.elapsed())
    });
    let mut busy = ayutil::funnel(source);
    while let Some((k, finished)) = busy.next().await {
        println!(
            "  item {k} finished at {:>4} ms (due at {} ms), read at {:>4} ms",
            finished.as_millis(),
            20 * k,
            t0.elapsed().as_millis()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
