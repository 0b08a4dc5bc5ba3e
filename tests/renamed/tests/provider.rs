//! `#[provider]` when `ayutil` is renamed to `ay`: `crate = ay` points the expansion at it.
#![deny(warnings)]

use std::sync::Arc;

use ay::{ProviderSpec, SharedArc};

static LIMIT: ProviderSpec<u32> = ProviderSpec::lazy(|| 10);
static SHARED: ProviderSpec<String, SharedArc> = ProviderSpec::lazy(|| String::from("s"));

#[ay::provider(limit, from = LIMIT, crate = ay)]
fn clamp(n: u32, limit: u32) -> u32 {
    n.min(limit)
}

#[ay::provider(name, from = SHARED, crate = ::ay)]
async fn name_len(name: Arc<String>) -> usize {
    name.len()
}

#[test]
fn sync_fn_through_the_renamed_crate() {
    assert_eq!(clamp(42), 10);
    assert_eq!(clamp_with(42, 50), 42);
}

#[tokio::test]
async fn async_fn_through_the_renamed_crate() {
    assert_eq!(name_len().await, 1);
}
