use ayutil::{provider, ProviderSpec};

static DICT: ProviderSpec<Vec<u8>> = ProviderSpec::lazy(Vec::new);

#[provider(dicc, from = DICT)]
fn fill(key: u8, dic: Vec<u8>) -> usize {
    dic.len() + usize::from(key)
}

fn main() {}
