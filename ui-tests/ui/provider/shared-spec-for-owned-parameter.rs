use std::sync::Mutex;

use ayutil::{provider, ProviderSpec, SharedArc};

static LOG: ProviderSpec<Mutex<Vec<String>>, SharedArc> = ProviderSpec::lazy(|| Mutex::new(Vec::new()));

// A `SharedArc` spec provides `Arc<Mutex<Vec<String>>>`, not the value itself.
#[provider(log, from = LOG)]
fn record(line: &str, log: Mutex<Vec<String>>) {
    log.lock().unwrap().push(line.to_owned());
}

fn main() {}
