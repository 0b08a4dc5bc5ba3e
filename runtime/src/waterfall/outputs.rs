//! The hand-off of the last stage's outputs from the driver to the consumer, in batches:
//! the outputs one driver round delivers cost one lock and at most one wake-up, and the
//! consumer takes everything there in one lock.

use core::mem;
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::grid::Value;

struct Queue {
    values: VecDeque<Value>,
    /// The sender is gone: no more values.
    closed: bool,
    /// The consumer, waiting for values.
    waker: Option<Waker>,
}

type Shared = Arc<Mutex<Queue>>;

/// Nothing user-written runs while the queue is locked, so a poisoned lock is used as is.
fn lock(shared: &Mutex<Queue>) -> MutexGuard<'_, Queue> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A batched, unbounded, single-consumer queue of outputs.
pub(crate) fn channel() -> (OutputTx, OutputRx) {
    let shared = Arc::new(Mutex::new(Queue {
        values: VecDeque::new(),
        closed: false,
        waker: None,
    }));
    let tx = OutputTx {
        shared: shared.clone(),
        staged: VecDeque::new(),
    };
    let rx = OutputRx {
        shared,
        taken: Mutex::new(VecDeque::new()),
    };
    (tx, rx)
}

/// The driver's end. Values sent are handed over at the next [`flush`](Self::flush) or
/// when it is dropped, which also closes the queue.
pub(crate) struct OutputTx {
    shared: Shared,
    staged: VecDeque<Value>,
}

impl OutputTx {
    /// Stages `value`; the consumer sees it at the next flush.
    pub(crate) fn send(&mut self, value: Value) {
        self.staged.push_back(value);
    }

    /// Hands the staged values over, waking the consumer once.
    pub(crate) fn flush(&mut self) {
        if self.staged.is_empty() {
            return;
        }
        let waker = {
            let mut queue = lock(&self.shared);
            if queue.values.is_empty() {
                mem::swap(&mut queue.values, &mut self.staged);
            } else {
                queue.values.append(&mut self.staged);
            }
            queue.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Drop for OutputTx {
    fn drop(&mut self) {
        let waker = {
            let mut queue = lock(&self.shared);
            queue.values.append(&mut self.staged);
            queue.closed = true;
            queue.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The consumer's end.
pub(crate) struct OutputRx {
    shared: Shared,
    /// Values taken from the queue in one lock, handed out one by one. In a `Mutex` only
    /// so the run is `Sync`: always reached through `get_mut`, never locked.
    taken: Mutex<VecDeque<Value>>,
}

impl OutputRx {
    /// The next value; `None` once the sender is gone and every value was taken.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Value>> {
        let taken = self.taken.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = taken.pop_front() {
            return Poll::Ready(Some(value));
        }
        let mut queue = lock(&self.shared);
        if !queue.values.is_empty() {
            mem::swap(&mut queue.values, taken);
            drop(queue);
            return Poll::Ready(taken.pop_front());
        }
        if queue.closed {
            return Poll::Ready(None);
        }
        match &queue.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => queue.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}
