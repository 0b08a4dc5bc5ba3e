#[ayutil::cached(key: String = text.to_owned())]
async fn count(text: &str) -> usize {
    text.len()
}

fn main() {}
