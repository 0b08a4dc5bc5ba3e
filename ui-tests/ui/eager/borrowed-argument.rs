use ayutil::eager;

#[eager]
async fn count(text: &str) -> usize {
    text.len()
}

fn main() {}
