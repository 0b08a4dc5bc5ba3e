use std::rc::Rc;

#[ayutil::cached]
async fn shared(x: u32) -> u32 {
    let rc = Rc::new(x);
    tokio::task::yield_now().await;
    *rc
}

fn main() {}
