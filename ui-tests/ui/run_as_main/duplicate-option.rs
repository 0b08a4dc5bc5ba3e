#[ayutil::run_as_main(max_concurrency = 4, max_concurrency = 8)]
async fn main(run: ayutil::Scope) {
    let _ = run;
}
