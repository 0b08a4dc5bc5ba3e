//! `#[eager]` composes with `#[cached]` and `#[provider]`, above or below either: the
//! cached or provided function is the one that starts at the call.
#![deny(warnings)]

use std::sync::atomic::{AtomicUsize, Ordering};

use ayutil::{Eager, ProviderSpec, cached, eager, provider};

static ABOVE_CALLS: AtomicUsize = AtomicUsize::new(0);
static BELOW_CALLS: AtomicUsize = AtomicUsize::new(0);
static BASE: ProviderSpec<u32> = ProviderSpec::lazy(|| 100);

#[eager]
#[cached]
async fn eager_above_cached(x: u32) -> u32 {
    ABOVE_CALLS.fetch_add(1, Ordering::SeqCst);
    tokio::task::yield_now().await;
    x * 2
}

#[cached]
#[eager]
async fn eager_below_cached(x: u32) -> u32 {
    BELOW_CALLS.fetch_add(1, Ordering::SeqCst);
    tokio::task::yield_now().await;
    x * 3
}

#[eager]
#[provider(base, from = BASE)]
async fn eager_above_provider(base: u32, x: u32) -> u32 {
    tokio::task::yield_now().await;
    base + x
}

#[provider(base, from = BASE)]
#[eager]
async fn eager_below_provider(base: u32, x: u32) -> u32 {
    tokio::task::yield_now().await;
    base + x
}

pub(super) fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        // A miss waits: it continues as a task. A hit finishes during the call.
        let miss: Eager<u32> = eager_above_cached(4);
        assert!(!miss.is_finished());
        assert_eq!(miss.await, 8);
        let hit = eager_above_cached(4);
        assert!(hit.is_finished());
        assert_eq!(hit.await, 8);
        assert_eq!(ABOVE_CALLS.load(Ordering::SeqCst), 1);

        let miss: Eager<u32> = eager_below_cached(4);
        assert!(!miss.is_finished());
        assert_eq!(miss.await, 12);
        let hit = eager_below_cached(4);
        assert!(hit.is_finished());
        assert_eq!(hit.await, 12);
        assert_eq!(BELOW_CALLS.load(Ordering::SeqCst), 1);

        // Both the provided function and its explicit variant are eager.
        let provided: Eager<u32> = eager_above_provider(1);
        let explicit: Eager<u32> = eager_above_provider_with(5, 1);
        assert_eq!((provided.await, explicit.await), (101, 6));
        let provided: Eager<u32> = eager_below_provider(2);
        let explicit: Eager<u32> = eager_below_provider_with(5, 2);
        assert_eq!((provided.await, explicit.await), (102, 7));
    });
}
