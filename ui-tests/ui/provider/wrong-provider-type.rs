use ayutil::{provider, ProviderSpec};

static NAME: ProviderSpec<String> = ProviderSpec::lazy(String::new);

#[provider(count, from = NAME)]
fn repeat(text: &str, count: usize) -> String {
    text.repeat(count)
}

fn main() {}
