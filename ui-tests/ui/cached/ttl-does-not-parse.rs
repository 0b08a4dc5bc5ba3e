#[ayutil::cached(ttl = "10 parsecs")]
async fn far(x: u32) -> u32 {
    x
}

#[ayutil::cached(ttl = "10")]
async fn unitless(x: u32) -> u32 {
    x
}

#[ayutil::cached(ttl = 10)]
async fn not_a_string(x: u32) -> u32 {
    x
}

fn main() {}
