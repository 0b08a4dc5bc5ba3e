use ayutil::provider;

#[provider(dic)]
fn fill(dic: Vec<u8>) -> usize {
    dic.len()
}

fn main() {}
