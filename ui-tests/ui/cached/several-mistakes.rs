// Every mistake in the options is reported in one build.
#[ayutil::cached(max = 0, ttl = "5s", ttl = "6s", local = true, key = x)]
fn f(x: u32) -> u32 {
    x
}

fn main() {}
