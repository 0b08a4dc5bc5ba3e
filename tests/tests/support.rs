//! Helpers shared by the feature tests of the `features` binary.

use std::future::Future;

/// The runtime of the race tests: multi-thread, two workers, timers and I/O on.
pub(crate) fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a multi-thread runtime")
}

/// Starts `joins` tasks that each call `join` on a clone of `set` and are seen waiting
/// (polled once, pending) before `release` is sent; returns the joins' outputs in the
/// order they were started.
///
/// For the race of several joins that wait for the same tasks at the same time: the
/// caller's tasks wait for `release` before they end.
pub(crate) async fn joins_waiting_together<S, F, Fut>(
    set: &S,
    joins: usize,
    release: tokio::sync::watch::Sender<bool>,
    join: F,
) -> Vec<Fut::Output>
where
    S: Clone,
    F: Fn(S) -> Fut,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let (waiting_tx, mut waiting_rx) = tokio::sync::mpsc::unbounded_channel();
    let handles: Vec<_> = (0..joins)
        .map(|_| {
            let join = join(set.clone());
            let waiting_tx = waiting_tx.clone();
            tokio::spawn(async move {
                let mut join = std::pin::pin!(join);
                assert!(
                    futures::poll!(join.as_mut()).is_pending(),
                    "a join ended before the tasks were released"
                );
                waiting_tx.send(()).unwrap();
                join.await
            })
        })
        .collect();
    for _ in 0..joins {
        waiting_rx.recv().await.unwrap();
    }
    release.send(true).unwrap();
    let mut outputs = Vec::with_capacity(joins);
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}
