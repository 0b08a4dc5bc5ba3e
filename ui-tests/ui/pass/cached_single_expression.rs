//! Every form of `#[cached]` with a single-expression body compiles without a warning.
#![deny(warnings)]

#[derive(Clone, Hash, PartialEq, Eq)]
struct Rate(u32);

#[ayutil::cached]
fn sync_plain(x: u32) -> u32 {
    x + 1
}

#[ayutil::cached]
async fn async_plain(x: u32) -> u32 {
    x + 1
}

#[ayutil::cached(ttl = "1m", max = 10, cache_errors)]
async fn async_result(x: u32) -> Result<u32, std::io::Error> {
    Ok(x)
}

#[ayutil::cached(task)]
async fn task(x: u32) -> u32 {
    x
}

#[ayutil::cached]
fn no_arguments() {}

impl Rate {
    #[ayutil::cached]
    async fn apply(&self, x: u32) -> u32 {
        self.0 * x
    }

    #[ayutil::cached]
    async fn into_apply(mut self, x: u32) -> u32 {
        self.0 * x
    }

    #[ayutil::cached(in_impl)]
    fn unit() -> u32 {
        1
    }
}

pub(super) fn main() {
    assert_eq!(sync_plain(1), 2);
    no_arguments();
    assert_eq!(Rate::unit(), 1);
    let _ = (
        async_plain(1),
        async_result(1),
        Rate(2).apply(1),
        Rate(2).into_apply(1),
    );
    let _ = task_cache();
}
