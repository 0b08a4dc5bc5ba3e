//! `link!` and `try_link!` through the renamed crate.

#[tokio::test]
async fn link_works_under_a_renamed_crate() {
    let (a, b, c) = ay::link!(async { 1 }, || 2, 3).await;
    assert_eq!((a, b, c), (1, 2, 3));
}

#[tokio::test]
async fn try_link_works_under_a_renamed_crate() {
    let r = ay::try_link!(async { Ok::<u8, String>(1) }, || Err::<u8, String>(
        "no".into()
    ))
    .await;
    assert_eq!(r, Err("no".to_owned()));
}

/// A macro of the user's own that forwards to ours: the re-export path still resolves.
macro_rules! gather_two {
    ($a:expr, $b:expr) => {
        ay::link!($a, $b)
    };
}

#[tokio::test]
async fn link_works_through_a_user_macro() {
    assert_eq!(gather_two!(async { 'x' }, 'y').await, ('x', 'y'));
}
