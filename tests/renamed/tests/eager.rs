//! `#[eager]` when `ayutil` is renamed to `ay`: `crate = ay` points the expansion at it,
//! also when it moves below `#[cached]`.
#![deny(warnings)]

#[ay::eager(crate = ay)]
async fn double(n: u32) -> u32 {
    tokio::task::yield_now().await;
    n * 2
}

#[ay::eager(local, crate = "ay")]
async fn triple(n: u32) -> u32 {
    n * 3
}

#[ay::eager(crate = ::ay)]
#[ay::cached(crate = "ay")]
async fn cached_square(n: u32) -> u32 {
    tokio::task::yield_now().await;
    n * n
}

#[tokio::test]
async fn eager_through_the_renamed_crate() {
    let rest: ay::Eager<u32> = double(21);
    assert_eq!(rest.await, 42);
    assert_eq!(triple(2).await, 6);
    assert_eq!(cached_square(3).await, 9);
    assert!(
        cached_square(3).is_finished(),
        "a hit finishes during the call"
    );
}
