//! The exchange between a driver task and the side that feeds it and takes its outputs:
//! commands go in and outputs come out in batches, through one small, briefly locked
//! state.
//!
//! A driver round that delivers many outputs takes one lock and wakes the consumer once;
//! the consumer takes everything there in one lock, and hands the commands it staged over
//! in one lock and one wake-up. The driver's end (how it ended, or that it was aborted) is
//! announced only once every future it held has been dropped, so a consumer that sees the
//! end knows that nothing of the driver's work is alive any more.

use core::mem;
use core::task::{Context, Poll, Waker};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::task::AbortHandle;

use super::cells::Payload;
use crate::rt::lock;

/// How a driver ended on its own (an aborted driver has no end).
pub(crate) enum DriveEnd<F> {
    /// Every cell finished, or no more work can arrive.
    Done,
    /// The cell of row `row`, column `col` failed; every other cell was dropped.
    Failed { row: usize, col: usize, failure: F },
    /// A cell, or code the driver ran for it, panicked; every other cell was dropped.
    Panicked(Payload),
}

struct Exchange<C, O, F> {
    /// Commands handed over and not yet taken by the driver.
    commands: Vec<C>,
    /// No more commands will come.
    closed: bool,
    /// Woken when commands arrive or the feeding side closes.
    driver: Option<Waker>,
    /// Outputs in delivery order, not yet taken by the consumer.
    outputs: VecDeque<O>,
    /// The driver stopped (it ended, or it was aborted) and its cells are all dropped.
    stopped: bool,
    /// How it ended, until the consumer takes it; `None` after an abort.
    end: Option<DriveEnd<F>>,
    /// Woken when outputs arrive or the driver stops.
    consumer: Option<Waker>,
}

/// The state shared by a driver, its consumer and any other feeder.
pub(crate) struct Shared<C, O, F> {
    exchange: Mutex<Exchange<C, O, F>>,
}

/// Stores `cx`'s waker in `slot`, cloning only when it changed.
fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl<C, O, F> Shared<C, O, F> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            exchange: Mutex::new(Exchange {
                commands: Vec::new(),
                closed: false,
                driver: None,
                outputs: VecDeque::new(),
                stopped: false,
                end: None,
                consumer: None,
            }),
        })
    }

    /// Hands one command over at once, from any thread. Gives it back once the driver
    /// takes no more commands (the feeding side closed, or the driver stopped).
    pub(crate) fn send(&self, command: C) -> Result<(), C> {
        let waker = {
            let mut exchange = lock::lock(&self.exchange);
            if exchange.closed || exchange.stopped {
                return Err(command);
            }
            exchange.commands.push(command);
            exchange.driver.take()
        };
        wake(waker);
        Ok(())
    }

    /// No more commands will come: the driver ends once the work it holds is done.
    pub(crate) fn close(&self) {
        let waker = {
            let mut exchange = lock::lock(&self.exchange);
            exchange.closed = true;
            exchange.driver.take()
        };
        wake(waker);
    }

    /// How the driver ended, once it stopped; `None` before, after an abort, or once
    /// taken.
    pub(crate) fn take_end(&self) -> Option<DriveEnd<F>> {
        lock::lock(&self.exchange).end.take()
    }
}

/// The consumer's side of a driver: stages commands, takes outputs in delivery order.
///
/// Dropping it aborts the driver task, which drops every cell it holds.
pub(crate) struct Link<C, O, F> {
    shared: Arc<Shared<C, O, F>>,
    /// Commands pushed since the last [`flush`](Self::flush). In a `Mutex` only so the
    /// owner is `Sync`; always reached through `get_mut`, never locked.
    staged: Mutex<Vec<C>>,
    /// Outputs taken from the exchange in one lock, handed out one by one. Never locked,
    /// as `staged`.
    taken: Mutex<VecDeque<O>>,
    task: AbortHandle,
}

impl<C, O, F> Link<C, O, F> {
    pub(crate) fn new(shared: Arc<Shared<C, O, F>>, task: AbortHandle) -> Self {
        Self {
            shared,
            staged: Mutex::new(Vec::new()),
            taken: Mutex::new(VecDeque::new()),
            task,
        }
    }

    /// The shared state, for other feeders and for readers of the end.
    pub(crate) fn shared(&self) -> &Arc<Shared<C, O, F>> {
        &self.shared
    }

    /// Stages a command; it is handed over at the next [`flush`](Self::flush), which the
    /// consumer calls before it returns from its poll.
    pub(crate) fn push(&mut self, command: C) {
        lock::get_mut(&mut self.staged).push(command);
    }

    /// Hands the staged commands over in one lock and one wake-up; they are taken at once,
    /// whatever the consumer does next. Dropped if the driver takes no more commands.
    pub(crate) fn flush(&mut self) {
        let staged = lock::get_mut(&mut self.staged);
        if staged.is_empty() {
            return;
        }
        let waker = {
            let mut exchange = lock::lock(&self.shared.exchange);
            if exchange.stopped || exchange.closed {
                drop(exchange);
                staged.clear();
                return;
            }
            if exchange.commands.is_empty() {
                mem::swap(&mut exchange.commands, staged);
            } else {
                exchange.commands.append(staged);
            }
            exchange.driver.take()
        };
        wake(waker);
    }

    /// Hands the staged commands over and closes the feeding side: the driver ends once
    /// the work it holds is done.
    pub(crate) fn close(&mut self) {
        self.flush();
        self.shared.close();
    }

    /// Stops the driver now: it drops its cells, then reports that it stopped (with no
    /// end). Outputs already handed over can still be taken.
    pub(crate) fn abort(&mut self) {
        lock::get_mut(&mut self.staged).clear();
        lock::lock(&self.shared.exchange).closed = true;
        self.task.abort();
    }

    /// The next output; `None` once the driver has stopped and every output was taken
    /// (then [`Shared::take_end`] tells how it ended).
    pub(crate) fn poll_output(&mut self, cx: &mut Context<'_>) -> Poll<Option<O>> {
        let taken = lock::get_mut(&mut self.taken);
        if let Some(output) = taken.pop_front() {
            return Poll::Ready(Some(output));
        }
        let mut exchange = lock::lock(&self.shared.exchange);
        if !exchange.outputs.is_empty() {
            // `taken` is empty: swap the buffers, keeping both allocations.
            mem::swap(&mut exchange.outputs, taken);
            drop(exchange);
            return Poll::Ready(taken.pop_front());
        }
        if exchange.stopped {
            return Poll::Ready(None);
        }
        register(&mut exchange.consumer, cx);
        Poll::Pending
    }

    /// How the driver ended, once [`poll_output`](Self::poll_output) returned `None`.
    pub(crate) fn take_end(&self) -> Option<DriveEnd<F>> {
        self.shared.take_end()
    }
}

// Nothing is structurally pinned: the buffers hold plain values.
impl<C, O, F> Unpin for Link<C, O, F> {}

impl<C, O, F> Drop for Link<C, O, F> {
    fn drop(&mut self) {
        // Other feeders are refused from now on, not only once the task is gone.
        lock::lock(&self.shared.exchange).closed = true;
        self.task.abort();
    }
}

/// The driver's side: takes commands, hands outputs over, and announces the stop when it
/// is dropped (its task ended or was aborted), after the cells it was declared after.
pub(crate) struct Port<C, O, F> {
    shared: Arc<Shared<C, O, F>>,
    /// The feeding side has not closed yet.
    open: bool,
    /// Outputs of the current round, handed over at its end.
    staged: VecDeque<O>,
}

impl<C, O, F> Port<C, O, F> {
    pub(crate) fn new(shared: Arc<Shared<C, O, F>>) -> Self {
        Self {
            shared,
            open: true,
            staged: VecDeque::new(),
        }
    }

    /// Moves the commands handed over into `into` and tells whether more may come; while
    /// they may, the driver is woken when they do.
    pub(crate) fn take_commands(&mut self, cx: &mut Context<'_>, into: &mut Vec<C>) -> bool {
        if !self.open {
            return false;
        }
        let mut exchange = lock::lock(&self.shared.exchange);
        if into.is_empty() {
            mem::swap(&mut exchange.commands, into);
        } else {
            into.append(&mut exchange.commands);
        }
        if exchange.closed {
            // Every command that will ever come is in `into` now.
            self.open = false;
            exchange.driver = None;
        } else {
            register(&mut exchange.driver, cx);
        }
        self.open
    }

    /// More commands may come: the feeding side has not closed, as far as the last
    /// [`take_commands`](Self::take_commands) saw.
    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    /// Where the outputs of the current round go.
    pub(crate) fn outputs(&mut self) -> &mut VecDeque<O> {
        &mut self.staged
    }

    /// Hands the round's outputs over, waking the consumer once.
    pub(crate) fn publish(&mut self) {
        if self.staged.is_empty() {
            return;
        }
        let waker = {
            let mut exchange = lock::lock(&self.shared.exchange);
            if exchange.outputs.is_empty() {
                mem::swap(&mut exchange.outputs, &mut self.staged);
            } else {
                exchange.outputs.append(&mut self.staged);
            }
            exchange.consumer.take()
        };
        wake(waker);
    }

    /// Hands the last outputs over and records how the driver ended. Call it only once its
    /// cells are dropped: the consumer learns of the end at once.
    pub(crate) fn stop(&mut self, end: DriveEnd<F>) {
        self.announce(Some(end));
    }

    fn announce(&mut self, end: Option<DriveEnd<F>>) {
        // Commands handed over but never taken (futures, say) go with the driver, before
        // the consumer hears of the stop, and outside the lock: dropping them runs user
        // code. Closing first keeps new ones out meanwhile.
        let untaken = {
            let mut exchange = lock::lock(&self.shared.exchange);
            if exchange.stopped {
                return;
            }
            exchange.closed = true;
            exchange.driver = None;
            mem::take(&mut exchange.commands)
        };
        drop(untaken);
        let waker = {
            let mut exchange = lock::lock(&self.shared.exchange);
            exchange.outputs.append(&mut self.staged);
            exchange.stopped = true;
            exchange.end = end;
            exchange.consumer.take()
        };
        wake(waker);
    }
}

impl<C, O, F> Drop for Port<C, O, F> {
    fn drop(&mut self) {
        // An aborted driver: it ends without an end of its own.
        self.announce(None);
    }
}
