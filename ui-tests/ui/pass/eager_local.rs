//! `#[eager(local)]` accepts a body that is not `Send` and continues it on the `LocalSet`.
#![deny(warnings)]

use std::cell::Cell;
use std::rc::Rc;

use ayutil::eager;

#[eager(local)]
async fn bump(counter: Rc<Cell<u32>>) -> Rc<Cell<u32>> {
    counter.set(counter.get() + 1); // during the call
    tokio::task::yield_now().await;
    counter.set(counter.get() + 1); // in the continuation, on the `LocalSet`
    counter
}

pub(super) fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async {
        let counter = Rc::new(Cell::new(0));
        let rest = bump(counter.clone());
        assert_eq!(counter.get(), 1);
        assert_eq!(rest.await.get(), 2);
    });
}
