use ayutil::provider;

#[provider(n, from = || 1, from = || 2)]
fn add(m: i32, n: i32) -> i32 {
    m + n
}

fn main() {}
