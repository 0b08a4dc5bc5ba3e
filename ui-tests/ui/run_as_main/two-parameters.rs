#[ayutil::run_as_main]
async fn main(run: ayutil::Scope, extra: u32) {
    let _ = (run, extra);
}
