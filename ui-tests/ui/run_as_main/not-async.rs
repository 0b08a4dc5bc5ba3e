#[ayutil::run_as_main]
fn main(run: ayutil::Scope) {
    run.spawn(async {});
}
