use ayutil::provider;

// Every mistake is reported in one build.
#[provider(a, a, explicit = add, bogus = 1)]
fn add(m: i32, n: i32) -> i32 {
    m + n
}

fn main() {}
