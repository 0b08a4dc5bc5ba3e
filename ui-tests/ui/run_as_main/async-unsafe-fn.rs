// `main` is called by the runtime: it cannot be `unsafe`.
#[ayutil::run_as_main]
async unsafe fn main() {}
