//! `#[run_as_main]` with `ayutil` renamed to `ay` and prelude names shadowed: the
//! expansion depends on nothing but the path given with `crate = "..."`.

#![allow(dead_code)]

struct Result;
struct Option;
struct Box;
mod ayutil {}

#[ay::run_as_main(crate = "ay", flavor = "current_thread", max_concurrency = 2)]
async fn renamed(run: ay::Scope<u8, &'static str>) -> core::result::Result<(), &'static str> {
    run.spawn(async { 1 });
    run.try_spawn(async { Ok(2) });
    Ok(())
}

#[test]
fn run_as_main_works_through_a_renamed_crate() {
    assert_eq!(renamed(), ay::MainExit::SUCCESS);
}
