//! Nested `Scope`s: time-outs and cancellation across three levels. Run: `cargo run --example nested_scopes`.
//!
//! A port of ayo's "more advanced example": three nested scopes (`run_in_top`, `run`,
//! `subrun`). `foo` and `bar` get 30 ms; if `subrun` timed out, every task of `run` is
//! cancelled, else the results of `subrun` are printed. `anything` runs in the root scope
//! beside everything, and the program ends once it finished.

use std::time::Duration;

use ayutil::Scope;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn anything() {
    tokio::time::sleep(ms(200)).await;
    println!("anything() finished: the program can end");
}

async fn stuff(i: u64) -> String {
    tokio::time::sleep(ms(50 + i * 40)).await;
    format!("stuff {i}")
}

async fn foo() -> String {
    tokio::time::sleep(ms(10)).await;
    "foo".to_owned()
}

async fn bar(slow: bool) -> String {
    tokio::time::sleep(ms(if slow { 100 } else { 20 })).await;
    "bar".to_owned()
}

async fn level(slow_bar: bool) -> Result<(), Box<dyn std::error::Error>> {
    let out = ayutil::scope(|run: Scope<String>| async move {
        for i in 0..3 {
            println!("Deeper into the program");
            run.spawn(stuff(i));
        }
        let subrun = Scope::<String>::options()
            .timeout(ms(30))
            .run(|subrun| async move {
                println!("Deep inside the program");
                &subrun << foo();
                &subrun << bar(slow_bar);
            })
            .await
            .expect("foo and bar do not fail");
        if subrun.timed_out() {
            println!("subrun timed out: cancelling run");
            run.cancel();
        } else {
            for res in subrun.completed() {
                println!("{res}");
            }
        }
    })
    .await?;
    println!(
        "run: cancelled = {}, finished tasks: {:?}",
        out.cancelled(),
        out.completed().collect::<Vec<_>>()
    );
    Ok(())
}

#[ayutil::run_as_main]
async fn main(run_in_top: Scope) -> Result<(), Box<dyn std::error::Error>> {
    println!("Top of the program");
    run_in_top.spawn(anything());
    level(false).await?;
    level(true).await?;
    Ok(())
}
