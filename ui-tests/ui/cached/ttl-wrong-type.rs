// `ttl` takes a duration string or a `Duration` expression: another type is reported on
// the expression.
const TTL_SECS: u64 = 30;

#[ayutil::cached(ttl = TTL_SECS)]
async fn f(x: u32) -> u32 {
    x
}

fn main() {}
