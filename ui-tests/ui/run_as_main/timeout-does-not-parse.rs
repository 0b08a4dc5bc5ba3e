// A duration string is checked at compile time.
#[ayutil::run_as_main(timeout = "5 minutes")]
async fn main() {}
