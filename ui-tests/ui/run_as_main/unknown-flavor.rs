#[ayutil::run_as_main(flavor = "single")]
async fn main(run: ayutil::Scope) {
    let _ = run;
}
