// `crate` takes a path, bare or in a string.
#[ayutil::provider(n, from = || 1, crate = "not a path")]
fn f(n: u32) -> u32 {
    n
}

fn main() {}
