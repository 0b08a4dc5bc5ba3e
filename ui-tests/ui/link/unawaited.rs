// `link!` is a lazy future: leaving it unawaited is a `must_use` warning, an error here.
#![deny(unused_must_use)]

#[tokio::main]
async fn main() {
    ayutil::link!(async { 1 }, 2);
}
