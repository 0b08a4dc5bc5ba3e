//! `Scope::after`, `at` and `every`: callbacks run later or periodically. Run: `cargo run --example scheduled_tasks`.
//!
//! A port of ayo's "Scheduled tasks" demo. A scheduled callback holds its scope open until it
//! ran (or, for `every`, until it is stopped with `unschedule()`), unless told
//! `dont_hold_exit()`: the scope may then finish without it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ayutil::Scope;
use tokio::time::Instant;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[ayutil::run_as_main]
async fn main(run: Scope) {
    let start = Instant::now();
    let stamp = move |what: &'static str| {
        println!("{:>4} ms  {what}", start.elapsed().as_millis());
    };

    run.after(ms(200), move || async move { stamp("after(200 ms)") });
    run.at(start + ms(300), move || async move {
        stamp("at(start + 300 ms)")
    });

    // Held: the scope stays open until it is unscheduled.
    let count = Arc::new(AtomicU32::new(0));
    let c = Arc::clone(&count);
    let ticker = run.every(ms(100), move || {
        let n = c.fetch_add(1, Ordering::Relaxed) + 1;
        async move {
            stamp(if n % 2 == 1 {
                "every(100 ms): tick"
            } else {
                "every(100 ms): tock"
            })
        }
    });
    run.after(ms(450), move || async move {
        ticker.unschedule();
        stamp("unscheduled the ticker");
    });

    // Not held: cancelled once everything else is done.
    run.after(ms(60_000), move || async move { stamp("never printed") })
        .dont_hold_exit();
    run.every(ms(150), move || async move {
        stamp("every(150 ms), not holding the exit")
    })
    .dont_hold_exit();
}
