//! `Bag` and `OrderedBag`: tasks put values into one stream. Run: `cargo run --example bag_generator`.
//!
//! Python aioutils' `Bag` as a generator fed by coroutines: tasks put values as they find them,
//! the consumer reads them as a stream as soon as they are put. Then `OrderedBag` gives
//! the same values in spawn order.

use std::time::{Duration, Instant};

use ayutil::{Bag, OrderedBag};
use futures::StreamExt as _;

/// Pretends to fetch a page that takes `ms` to arrive and holds three links.
async fn fetch(page: char, ms: u64) -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    (1..=3).map(|n| format!("{page}{n}")).collect()
}

#[tokio::main]
async fn main() {
    let pages = [('a', 120), ('b', 40), ('c', 80)];

    // Bag: values arrive in completion order, several per task through a putter.
    let start = Instant::now();
    let bag = Bag::new();
    for (page, ms) in pages {
        let putter = bag.putter();
        bag.spawn(async move {
            for link in fetch(page, ms).await {
                putter.put(link).expect("the stream is alive");
            }
        });
    }
    let mut links = bag.into_stream();
    while let Some(link) = links.next().await {
        let link = link.expect("no task fails");
        println!("Bag        {:>6.0?}  {link}", start.elapsed());
    }

    // OrderedBag: tasks still overlap, but outputs come in spawn order; a `put` between
    // spawns keeps its place.
    let start = Instant::now();
    let bag = OrderedBag::new();
    for (page, ms) in pages {
        bag.spawn(async move { Some(fetch(page, ms).await.join(",")) });
    }
    bag.put("end of pages".to_owned());
    let mut pages = bag.into_stream();
    while let Some(page) = pages.next().await {
        let page = page.expect("no task fails");
        println!("OrderedBag {:>6.0?}  {page}", start.elapsed());
    }
}
