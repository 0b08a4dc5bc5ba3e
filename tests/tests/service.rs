//! The README's service (`examples/examples/service.rs`), tested with a double: a
//! task-local override of its database provider, which provably never reaches
//! production, while another task keeps the production database.

#![deny(warnings, clippy::all)]

#[allow(dead_code)]
#[path = "../../examples/examples/service.rs"]
mod example;

use example::{DB, Db, Users};

/// Tests that read the production database's counter do not run beside `main`, which
/// queries it.
static PRODUCTION: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_double_bypasses_the_production_database() {
    let _serial = PRODUCTION.lock().await;
    let users = Users { region: "test" };
    let fake = Db::fake();
    let production = DB.current();
    let before = production.queries();

    let answers = DB
        .with_override(fake.clone(), async {
            let calls: Vec<_> = (0..50)
                .map(|_| {
                    let users = users.clone();
                    // Callers in this task's future share one flight.
                    async move { users.display_name(7).await.unwrap() }
                })
                .collect();
            futures::future::join_all(calls).await
        })
        .await;

    assert!(answers.iter().all(|a| a == "fake-user-7 (test)"));
    assert_eq!(fake.queries(), 1);
    assert_eq!(production.queries(), before, "production was never queried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_reach_the_caller_with_their_context() {
    let users = Users { region: "errors" };
    let err = DB
        .with_override(Db::fake(), users.display_name(0))
        .await
        .unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "looking up user 0 in errors: no user has id 0"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_explicit_variant_answers_for_its_own_database() {
    let _serial = PRODUCTION.lock().await;
    let users = Users { region: "explicit" };
    let before = DB.current().queries();
    let a = Db::fake();
    let b = Db::fake();
    assert_eq!(
        users.display_name_with(41, a.clone()).await.unwrap(),
        "fake-user-41 (explicit)"
    );
    assert_eq!(
        users.display_name_with(41, b.clone()).await.unwrap(),
        "fake-user-41 (explicit)"
    );
    // Never cached: each explicit database was queried.
    assert_eq!((a.queries(), b.queries()), (1, 1));
    assert_eq!(DB.current().queries(), before);
}

#[test]
fn main_runs_against_production() {
    // `main` is the example's program; here only its exit code is checked.
    let _serial = PRODUCTION.blocking_lock();
    assert_eq!(example::main(), ayutil::MainExit::SUCCESS);
}
