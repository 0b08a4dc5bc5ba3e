// Every `try_link!` item must produce a `Result`: the error points at `async { 2 }`.
#[tokio::main]
async fn main() {
    let _ = ayutil::try_link!(async { Ok::<u8, ()>(1) }, async { 2 }).await;
}
