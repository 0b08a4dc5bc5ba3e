// A repeated option: one error, on its second name.
#[ayutil::cached(max = 10, local, max = 20)]
async fn f(x: u32) -> u32 {
    x
}

fn main() {}
