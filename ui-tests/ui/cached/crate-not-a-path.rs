// `crate` takes a path, bare or in a string.
#[ayutil::cached(crate = 1)]
fn f(x: u32) -> u32 {
    x
}

fn main() {}
