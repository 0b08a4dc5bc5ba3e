//! The driver task behind every [`Batcher`](crate::Batcher): groups items into batches,
//! dispatches them under the concurrency limit, and flushes when closed or dropped.
//!
//! One task owns all batching state, so there is no lock: handles send it [`Msg`]s over an
//! unbounded channel. The optional capacity bound is a semaphore: `put` takes a permit and
//! forgets it, and the driver adds the permits back when the items' batch starts.

use core::future::Future;
use core::time::Duration;
use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;

use futures_util::FutureExt as _;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::{Id, JoinSet};
use tokio::time::{Instant, sleep_until};

use crate::Panicked;
use crate::batcher::ticket::Reply;
use crate::rt::inherit::handed;
use crate::rt::spawn;
use crate::rt::time::deadline_after;
use crate::batcher::{BatchError, BatchFailure, BatcherCloseError};

/// What [`Batcher::close`](crate::Batcher::close) returns, published once by the driver.
pub(crate) type Report<E> = Option<Result<(), BatcherCloseError<E>>>;

/// How many messages the driver takes from the channel per wake-up.
const RECV_CHUNK: usize = 64;

pub(crate) enum Msg<T, R, E> {
    Item(Entry<T, R, E>),
    /// Stop accepting items, flush, and finish by `deadline` (if any).
    Close {
        deadline: Option<Instant>,
    },
}

pub(crate) struct Entry<T, R, E> {
    pub(crate) item: T,
    /// `None` for put-and-go items.
    pub(crate) reply: Option<Reply<R, E>>,
    /// When the item was put: a batch's time limit runs from its first item's `at`.
    pub(crate) at: Instant,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    pub(crate) max_volume: usize,
    pub(crate) max_wait: Duration,
    pub(crate) max_concurrency: usize,
}

struct Batch<T, R, E> {
    items: Vec<T>,
    replies: Vec<Option<Reply<R, E>>>,
    /// `None` when `max_wait` reaches past the clock's range: only volume or close end it.
    deadline: Option<Instant>,
}

impl<T, R, E> Batch<T, R, E> {
    fn put_and_go(&self) -> usize {
        self.replies.iter().filter(|r| r.is_none()).count()
    }

    /// Cancels a batch that never started; returns the failure of its unobserved items.
    fn cancel(self) -> Option<BatchFailure<E>> {
        route_error(self.replies, BatchError::Cancelled)
    }
}

/// Sends `error` to every awaiting caller; returns a failure for the items nobody awaits
/// (put-and-go items, and items whose ticket was dropped).
fn route_error<R, E>(
    replies: Vec<Option<Reply<R, E>>>,
    error: BatchError<E>,
) -> Option<BatchFailure<E>> {
    let mut unobserved = 0;
    for reply in replies {
        let delivered = reply.is_some_and(|tx| tx.send(Err(error.clone())).is_ok());
        if !delivered {
            unobserved += 1;
        }
    }
    (unobserved > 0).then_some(BatchFailure {
        error,
        items: unobserved,
    })
}

/// Runs one batch and routes its outcome: one result per caller, or the batch's error to
/// every caller. Returns the failure of the unobserved items, if the batch failed.
async fn run_batch<T, R, E, H, Fut>(
    handler: Arc<H>,
    items: Vec<T>,
    replies: Vec<Option<Reply<R, E>>>,
) -> Option<BatchFailure<E>>
where
    H: Fn(Vec<T>) -> Fut,
    Fut: Future<Output = Result<Vec<R>, E>>,
{
    let expected = items.len();
    // The call itself is inside the caught future: a handler that panics before returning
    // its future is reported like one that panics while polled.
    let outcome = AssertUnwindSafe(async move { handler(items).await })
        .catch_unwind()
        .await;
    let error = match outcome {
        Ok(Ok(results)) if results.len() == expected => {
            for (result, reply) in results.into_iter().zip(replies) {
                if let Some(tx) = reply {
                    // A dropped ticket only means nobody wants this result.
                    drop(tx.send(Ok(result)));
                }
            }
            return None;
        }
        Ok(Ok(results)) => BatchError::ResultCount {
            expected,
            got: results.len(),
        },
        Ok(Err(e)) => BatchError::Handler(Arc::new(e)),
        Err(payload) => BatchError::Panicked(Arc::new(Panicked::new(payload))),
    };
    route_error(replies, error)
}

/// The driver's state between two wake-ups.
struct Driver<T, R, E, H> {
    cfg: Config,
    handler: Arc<H>,
    capacity: Option<Arc<Semaphore>>,
    /// The batch being filled.
    current: Option<Batch<T, R, E>>,
    /// Closed batches waiting for a concurrency slot, oldest first.
    ready: VecDeque<Batch<T, R, E>>,
    running: JoinSet<Option<BatchFailure<E>>>,
    /// Put-and-go items of each running batch, reported if it is aborted.
    running_put_and_go: HashMap<Id, usize>,
    failures: Vec<BatchFailure<E>>,
    /// A `close` arrived (as opposed to every handle being dropped).
    closed: bool,
    /// The close deadline passed: nothing starts any more.
    expired: bool,
}

impl<T, R, E, H, Fut> Driver<T, R, E, H>
where
    T: Send + 'static,
    R: Send + 'static,
    E: Send + Sync + 'static,
    H: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<R>, E>> + Send + 'static,
{
    /// Adds one item; returns the deadline of a batch it opened, for the timer.
    fn push(&mut self, entry: Entry<T, R, E>) -> Option<Instant> {
        // An item put at or after the current batch's deadline belongs to the next batch,
        // even if the driver reads it late: the time limit is exact.
        if self
            .current
            .as_ref()
            .and_then(|b| b.deadline)
            .is_some_and(|deadline| entry.at >= deadline)
        {
            self.seal();
        }
        let mut opened = None;
        let batch = self.current.get_or_insert_with(|| {
            // `Duration::MAX` (or any wait past the clock's range): no time limit.
            let deadline = deadline_after(entry.at, self.cfg.max_wait);
            opened = deadline;
            Batch {
                items: Vec::with_capacity(self.cfg.max_volume.min(1024)),
                replies: Vec::with_capacity(self.cfg.max_volume.min(1024)),
                deadline,
            }
        });
        batch.items.push(entry.item);
        batch.replies.push(entry.reply);
        if batch.items.len() >= self.cfg.max_volume {
            self.seal();
        }
        opened
    }

    /// Closes the batch being filled, if any: it will start as soon as a slot is free.
    fn seal(&mut self) {
        if let Some(batch) = self.current.take() {
            self.ready.push_back(batch);
        }
    }

    /// Gives back the room of `items` that stop waiting: the capacity bound counts items
    /// that wait for dispatch, not items being handled.
    fn release_room(&self, items: usize) {
        if let Some(sem) = &self.capacity {
            sem.add_permits(items);
        }
    }

    /// Starts ready batches while slots are free (or cancels them once expired).
    fn start_ready(&mut self) {
        if self.expired {
            while let Some(batch) = self.ready.pop_front() {
                self.release_room(batch.items.len());
                self.failures.extend(batch.cancel());
            }
            return;
        }
        while self.running.len() < self.cfg.max_concurrency {
            let Some(batch) = self.ready.pop_front() else {
                break;
            };
            let put_and_go = batch.put_and_go();
            self.release_room(batch.items.len());
            let task = run_batch(Arc::clone(&self.handler), batch.items, batch.replies);
            // Inside the driver's span: the span current where the batcher was built.
            let id = spawn::spawn_into(&mut self.running, handed(task)).id();
            self.running_put_and_go.insert(id, put_and_go);
        }
    }

    fn finished(&mut self, joined: Result<(Id, Option<BatchFailure<E>>), tokio::task::JoinError>) {
        match joined {
            Ok((id, failure)) => {
                self.running_put_and_go.remove(&id);
                self.failures.extend(failure);
            }
            // Aborted by the close deadline (its tickets see `Cancelled` as their sender is
            // dropped), or panicked outside the handler, which `run_batch` never does.
            Err(e) => {
                let items = self.running_put_and_go.remove(&e.id()).unwrap_or(0);
                let error = if e.is_panic() {
                    BatchError::Panicked(Arc::new(Panicked::new(e.into_panic())))
                } else {
                    BatchError::Cancelled
                };
                if items > 0 {
                    self.failures.push(BatchFailure { error, items });
                }
            }
        }
    }

    fn idle(&self) -> bool {
        self.current.is_none() && self.ready.is_empty() && self.running.is_empty()
    }
}

/// The driver task: runs until the batcher is closed or every handle is dropped, and then
/// until everything put before has been handled (or cancelled by the close deadline).
pub(crate) async fn drive<T, R, E, H, Fut>(
    cfg: Config,
    handler: H,
    capacity: Option<Arc<Semaphore>>,
    mut rx: mpsc::UnboundedReceiver<Msg<T, R, E>>,
    report: watch::Sender<Report<E>>,
) where
    T: Send + 'static,
    R: Send + 'static,
    E: core::fmt::Debug + Send + Sync + 'static,
    H: Fn(Vec<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<R>, E>> + Send + 'static,
{
    let mut d = Driver {
        cfg,
        handler: Arc::new(handler),
        capacity,
        current: None,
        ready: VecDeque::new(),
        running: JoinSet::new(),
        running_put_and_go: HashMap::new(),
        failures: Vec::new(),
        closed: false,
        expired: false,
    };
    // Both timers live across iterations and are re-armed with `reset`; their `enabled` flag
    // says whether they mean anything.
    let mut batch_timer = pin!(sleep_until(Instant::now()));
    let mut close_timer = pin!(sleep_until(Instant::now()));
    let mut close_deadline: Option<Instant> = None;
    let mut input_done = false;
    let mut msgs = Vec::with_capacity(RECV_CHUNK);

    loop {
        d.start_ready();
        if input_done && d.idle() {
            break;
        }
        // The timer holds the deadline of the batch being filled, if it has one.
        let batch_timed = d.current.as_ref().is_some_and(|b| b.deadline.is_some());
        let close_armed = close_deadline.is_some() && !d.expired;
        tokio::select! {
            // Finished batches first: they free slots. Then the close deadline. Then input
            // before the batch timer, so the timer only fires when no item is waiting to be
            // read (an item put before the deadline still joins its batch).
            biased;
            Some(joined) = d.running.join_next_with_id(), if !d.running.is_empty() => {
                d.finished(joined);
            }
            () = &mut close_timer, if close_armed => {
                d.expired = true;
                d.running.abort_all();
            }
            n = rx.recv_many(&mut msgs, RECV_CHUNK), if !input_done => {
                if n == 0 {
                    // Every handle is gone (or a close drained the channel): flush.
                    input_done = true;
                    d.seal();
                }
                for msg in msgs.drain(..) {
                    match msg {
                        Msg::Item(entry) => {
                            if let Some(deadline) = d.push(entry) {
                                batch_timer.as_mut().reset(deadline);
                            }
                        }
                        Msg::Close { deadline } => {
                            d.closed = true;
                            // Items already sent are still received; new sends fail and
                            // give the item back, and so do `put`s waiting for room.
                            rx.close();
                            if let Some(sem) = &d.capacity {
                                sem.close();
                            }
                            // No seal here: the channel drains right away (it is closed), and
                            // the batch being filled is sealed when `recv_many` returns 0.
                            if let Some(deadline) = deadline
                                && close_deadline.is_none_or(|old| deadline < old)
                            {
                                close_deadline = Some(deadline);
                                close_timer.as_mut().reset(deadline);
                            }
                        }
                    }
                }
            }
            () = &mut batch_timer, if batch_timed => {
                d.seal();
            }
        }
    }

    if !d.closed {
        // Every handle was dropped without `close`: nobody can receive these failures.
        for failure in &d.failures {
            tracing::error!(
                items = failure.items,
                error = ?failure.error,
                "ayutil::Batcher dropped without close: a batch of put-and-go items failed",
            );
        }
    }
    let outcome = if d.failures.is_empty() {
        Ok(())
    } else {
        Err(BatcherCloseError {
            failures: d.failures,
            stopped: false,
        })
    };
    report.send_replace(Some(outcome));
}
