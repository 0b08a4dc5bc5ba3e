//! A tour of ayutil: every feature in a few lines. Run it with `cargo run --example tour`.

use std::time::{Duration, Instant};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn fetch_user() -> &'static str {
    tokio::time::sleep(ms(50)).await;
    "ada"
}

#[tokio::main]
async fn main() {
    // link!: gather futures, async fns, sync callables and values, concurrently.
    let t0 = Instant::now();
    let (user, (), n, answer) =
        ayutil::link!(fetch_user, tokio::time::sleep(ms(50)), || 2 + 2, 42,).await;
    println!(
        "link!     -> ({user}, (), {n}, {answer}) in {:?}",
        t0.elapsed()
    );

    // try_link!: the first error cancels the rest.
    let r: Result<(u8, u8), String> =
        ayutil::try_link!(async { Ok::<u8, String>(1) }, || Err::<u8, String>(
            "nope".into()
        ))
        .await;
    println!("try_link! -> {r:?}");
}
