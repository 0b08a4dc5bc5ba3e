// A key chosen with `key: Type = expression` must be `Hash + Eq + Clone` too.
#[derive(Clone, PartialEq)]
struct Point {
    x: f64,
}

#[ayutil::cached(key: Point = Point { x: f64::from(n) })]
fn square(n: u32) -> u64 {
    u64::from(n) * u64::from(n)
}

fn main() {}
