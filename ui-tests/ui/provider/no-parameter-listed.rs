use ayutil::provider;

#[provider(from = || 1)]
fn add(m: i32, n: i32) -> i32 {
    m + n
}

fn main() {}
