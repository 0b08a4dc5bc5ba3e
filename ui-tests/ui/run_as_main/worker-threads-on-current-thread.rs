#[ayutil::run_as_main(flavor = "current_thread", worker_threads = 2)]
async fn main(run: ayutil::Scope) {
    let _ = run;
}
