#[ayutil::run_as_main(max_concurrency = 0)]
async fn main(run: ayutil::Scope) {
    let _ = run;
}
