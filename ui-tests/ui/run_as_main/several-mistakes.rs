// Every mistake is reported in one build.
#[ayutil::run_as_main(flavor = "current_thread", worker_threads = 2)]
fn main<T>(run: ayutil::Scope, extra: T) {
    let _ = (run, extra);
}
