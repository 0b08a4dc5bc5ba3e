#[ayutil::run_as_main]
async fn main(run: tokio::runtime::Handle) {
    let _ = run;
}
