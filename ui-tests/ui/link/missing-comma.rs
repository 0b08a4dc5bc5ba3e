// Two items without a comma between them: the error points at the second item.
#[tokio::main]
async fn main() {
    let _ = ayutil::link!(async { 1 } 2).await;
}
