#[ayutil::run_as_main(threads = 4)]
async fn main(run: ayutil::Scope) {
    let _ = run;
}
