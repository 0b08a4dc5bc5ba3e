// A `;` instead of a `,`: the error points at the `;`.
#[tokio::main]
async fn main() {
    let _ = ayutil::link!(1; 2).await;
}
