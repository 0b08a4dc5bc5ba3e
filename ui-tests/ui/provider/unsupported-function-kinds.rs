use ayutil::provider;

#[provider(n, from = || 1)]
const fn konst(n: i32) -> i32 {
    n
}

#[provider(n, from = || 1)]
unsafe fn not_safe(n: i32) -> i32 {
    n
}

#[provider(n, from = || 1)]
extern "C" fn foreign(n: i32) -> i32 {
    n
}

fn main() {}
