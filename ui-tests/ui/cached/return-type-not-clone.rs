struct Connection;

#[ayutil::cached]
async fn connect(port: u16) -> Connection {
    let _ = port;
    Connection
}

fn main() {}
