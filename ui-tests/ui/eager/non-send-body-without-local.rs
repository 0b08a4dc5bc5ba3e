use std::rc::Rc;

use ayutil::eager;

#[eager]
async fn count() -> usize {
    let shared = Rc::new(5);
    tokio::task::yield_now().await;
    *shared
}

fn main() {}
