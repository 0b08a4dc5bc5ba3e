// `link!` needs no item to be a future, but its result must be awaited to run anything.
#[tokio::main]
async fn main() {
    let (a, b) = ayutil::link!(1, || 2);
    let _ = (a, b);
}
