//! `link!`: an async fn, a future, a blocking closure and a value, gathered. Run: `cargo run --example link`.
//!
//! A port of the "Link Demo" of Python's ayutil (`asyncio.gather` that also takes sync
//! callables and values): `st` is an `async fn` (called, then awaited), the second item a
//! future (awaited), the third a blocking closure (called inline), the last a value. Then the
//! same with the blocking closure moved to tokio's blocking pool with `ayutil::offload`, so it
//! overlaps.

use std::time::{Duration, Instant};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn st() {
    tokio::time::sleep(ms(100)).await;
}

#[tokio::main]
async fn main() {
    let t0 = Instant::now();
    let out = ayutil::link!(
        st,
        tokio::time::sleep(ms(100)),
        || std::thread::sleep(ms(100)),
        420
    )
    .await;
    println!("link!(st, sleep(100ms), || thread::sleep(100ms), 420) = {out:?}");
    println!(
        "  elapsed {:?}: the sync closure ran inline at the first poll, then the two sleeps overlapped",
        t0.elapsed()
    );

    let t0 = Instant::now();
    let out = ayutil::link!(
        st,
        tokio::time::sleep(ms(100)),
        ayutil::offload(|| std::thread::sleep(ms(100))),
        420
    )
    .await;
    println!("link!(st, sleep(100ms), offload(|| thread::sleep(100ms)), 420) = {out:?}");
    println!("  elapsed {:?}: all three waits overlapped", t0.elapsed());

    let t0 = Instant::now();
    let r: Result<(u32, u32), String> = ayutil::try_link!(
        async {
            tokio::time::sleep(ms(50)).await;
            Ok::<u32, String>(1)
        },
        || Err::<u32, String>("the second item failed".to_owned()),
    )
    .await;
    println!(
        "try_link!(ok after 50ms, err at once) = {r:?} after {:?}",
        t0.elapsed()
    );
}
