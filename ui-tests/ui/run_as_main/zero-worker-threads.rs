#[ayutil::run_as_main(worker_threads = 0)]
async fn main(run: ayutil::Scope) {
    let _ = run;
}
