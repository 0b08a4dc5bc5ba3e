// Every mistake is reported in one build, each at its own closure.
#[tokio::main]
async fn main() {
    let _ = ayutil::link!(|a: u8| a, 1, |b: u8, c: u8| b + c).await;
}
