// A bare number has no unit.
#[ayutil::run_as_main(timeout = 30)]
async fn main() {}
