// `timeout` takes a duration string or a `Duration` expression.
const SECONDS: u64 = 5;

#[ayutil::run_as_main(timeout = SECONDS)]
async fn main() {}
