// `link!` only calls zero-argument callables: the error points at `|x|`.
#[tokio::main]
async fn main() {
    let _ = ayutil::link!(async { 1 }, |x: u8| x + 1).await;
}
