#[ayutil::run_as_main]
async fn main() {}
