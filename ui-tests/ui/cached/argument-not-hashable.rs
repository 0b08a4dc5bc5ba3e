// An argument type that is not `Hash + Eq + Clone` cannot be part of the key.
#[derive(Clone)]
struct Config {
    verbose: bool,
}

#[ayutil::cached]
fn describe(config: Config, id: u32) -> String {
    format!("{id}: {}", config.verbose)
}

fn main() {}
