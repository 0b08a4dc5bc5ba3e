// A return type that is neither `()` nor `Result<(), E: Debug>`.
#[ayutil::run_as_main]
async fn main(run: ayutil::Scope) -> u32 {
    let _ = run;
    7
}
