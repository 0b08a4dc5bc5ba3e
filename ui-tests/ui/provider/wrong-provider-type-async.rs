// The first report is on the parameter type `u64`; rustc repeats the failed bound once
// more for the generated `.await`, reported on the attribute.
use ayutil::{provider, ProviderSpec};

async fn load_name() -> String {
    String::from("ada")
}

#[provider(id, from = ProviderSpec::from_async_fn(load_name))]
async fn lookup(table: &str, id: u64) -> String {
    format!("{table}/{id}")
}

fn main() {}
