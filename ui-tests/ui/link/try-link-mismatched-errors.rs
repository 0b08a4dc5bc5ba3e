// `try_link!` converts later errors into the first item's error type with `From`.
#[derive(Debug)]
struct DbError;

#[tokio::main]
async fn main() {
    let _ = ayutil::try_link!(
        async { Ok::<u8, DbError>(1) },
        async { Ok::<u8, String>(2) },
    )
    .await;
}
