// A parameter name is listed once.
#[ayutil::provider(n, n, from = || 1)]
fn f(n: u32) -> u32 {
    n
}

fn main() {}
