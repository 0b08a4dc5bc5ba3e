use ayutil::{provider, ProviderSpec};

async fn load() -> u32 {
    7
}

#[provider(limit, from = ProviderSpec::from_async_fn(load))]
fn clamp(n: u32, limit: u32) -> u32 {
    n.min(limit)
}

fn main() {}
