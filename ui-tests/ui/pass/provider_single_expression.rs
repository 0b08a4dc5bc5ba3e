//! Regression: `#[provider]` on a function whose body is a single expression warned
//! "unnecessary braces around block return value". Denied here.
#![deny(warnings)]

use ayutil::{ProviderSpec, provider};

static FACTOR: ProviderSpec<u32> = ProviderSpec::lazy(|| 3);

#[provider(factor, from = FACTOR)]
fn scale(x: u32, factor: u32) -> u32 {
    x * factor
}

#[provider(factor, from = FACTOR)]
async fn scale_later(x: u32, factor: u32) -> u32 {
    x * factor
}

struct Meter(u32);

impl Meter {
    #[provider(factor, from = FACTOR)]
    fn read(&self, factor: u32) -> u32 {
        self.0 * factor
    }
}

pub(super) fn main() {
    assert_eq!(scale(2), 6);
    assert_eq!(scale_with(2, 1), 2);
    assert_eq!(Meter(2).read(), 6);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(rt.block_on(scale_later(1)), 3);
}
