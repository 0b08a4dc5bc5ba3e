//! `#[provider]` expansions must not depend on the caller's prelude or imports.
#![deny(warnings)]
#![allow(dead_code)]

struct Result;
struct Option;
struct Box;
struct Arc;
mod ayutil {}

use ::ayutil::{ProviderSpec, SharedArc, provider};

static NUMBERS: ProviderSpec<Vec<i32>> = ProviderSpec::lazy(Vec::new);
static SHARED: ProviderSpec<i32, SharedArc> = ProviderSpec::lazy(|| 1);

#[provider(numbers, from = NUMBERS)]
fn count(numbers: Vec<i32>) -> usize {
    numbers.len()
}

#[provider(shared, from = SHARED)]
async fn read(shared: ::std::sync::Arc<i32>) -> i32 {
    *shared
}

#[provider(token, from = ::ayutil::ProviderSpec::from_async_fn(|| async { 5_u8 }))]
async fn token(token: u8) -> u8 {
    token
}

struct Counter(usize);

impl Counter {
    #[provider(step, from = || 2)]
    fn bump(&mut self, step: usize) -> usize {
        self.0 += step;
        self.0
    }
}

pub(super) fn main() {
    assert_eq!(count(), 0);
    assert_eq!(count_with(vec![1]), 1);
    let mut counter = Counter(0);
    assert_eq!(counter.bump(), 2);
    let rt = ::tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_eq!(read().await, 1);
        assert_eq!(token().await, 5);
    });
}
