use std::rc::Rc;

use ayutil::eager;

// `local` lets the body hold `Rc`s, and its output may be one: the `Eager` it returns is
// then not `Send`, so it cannot move to another task.
#[eager(local)]
async fn shared() -> Rc<u32> {
    tokio::task::yield_now().await;
    Rc::new(5)
}

fn main() {
    let local = tokio::task::LocalSet::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    local.block_on(&rt, async {
        tokio::spawn(shared());
    });
}
