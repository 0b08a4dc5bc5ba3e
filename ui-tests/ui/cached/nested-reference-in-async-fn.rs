// A cached `async fn` copies plain `&T` arguments; a reference nested in another type
// (or a `&mut`) cannot be copied into the computation, which outlives the call.
#[ayutil::cached(key: usize = words.len())]
async fn count(words: Vec<&str>) -> usize {
    words.len()
}

#[ayutil::cached(key: u8 = 0)]
async fn bump(counter: &mut u32) -> u32 {
    *counter += 1;
    *counter
}

fn main() {}
