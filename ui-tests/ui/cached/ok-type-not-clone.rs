// The `Ok` value of a cached `Result` is cloned for every caller.
struct Connection;

#[ayutil::cached]
async fn connect(port: u16) -> std::io::Result<Connection> {
    let _ = port;
    Ok(Connection)
}

fn main() {}
