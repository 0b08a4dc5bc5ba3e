//! `Shared`: the buffer, putter count and consumer wake-up shared by a bag, its stream
//! and its putters.

use core::task::{Context, Poll};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::task::AtomicWaker;

use super::engine::Core;
use super::error::GroupError;

/// Where values wait for the consumer: arrival order (`Bag`) or spawn order
/// (`OrderedBag`).
pub(crate) trait Buffer: Send {
    type Item;
    /// The next value the consumer may take now, if any.
    fn pop(&mut self) -> Option<Self::Item>;
}

pub(crate) struct Shared<B, E> {
    pub(crate) core: Arc<Core<E>>,
    buf: Mutex<B>,
    consumer: AtomicWaker,
    putters: AtomicUsize,
    /// Cleared when the bag or its stream is dropped.
    open: AtomicBool,
}

impl<B: Buffer, E: Send + 'static> Shared<B, E> {
    pub(crate) fn new(core: Arc<Core<E>>, buf: B) -> Arc<Self> {
        Arc::new(Self {
            core,
            buf: Mutex::new(buf),
            consumer: AtomicWaker::new(),
            putters: AtomicUsize::new(0),
            open: AtomicBool::new(true),
        })
    }

    /// Locks the buffer. Only buffer code runs under this lock (no user code), so a
    /// poisoned lock still holds sound state.
    pub(crate) fn buf(&self) -> MutexGuard<'_, B> {
        self.buf.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    pub(crate) fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
    }

    /// Wakes the consumer after the buffer changed.
    pub(crate) fn wake(&self) {
        self.consumer.wake();
    }

    pub(crate) fn add_putter(&self) {
        self.putters.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn remove_putter(&self) {
        if self.putters.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.wake();
        }
    }

    /// The consumer side of both bag streams.
    ///
    /// The end test reads the putter count, then the pending task count, then the
    /// buffer: a putter is counted until after its last `put` or `spawn`, and a task
    /// until after its value is buffered, so seeing both at zero and then an empty
    /// buffer proves no value can come any more.
    pub(crate) fn poll_next(
        &self,
        done: &mut bool,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<B::Item, GroupError<E>>>> {
        if *done {
            return Poll::Ready(None);
        }
        self.consumer.register(cx.waker());
        self.core.register_idle_waker(cx.waker());
        let putters = self.putters.load(Ordering::SeqCst);
        let pending = self.core.pending();
        if let Some(item) = self.buf().pop() {
            return Poll::Ready(Some(Ok(item)));
        }
        if putters > 0 || pending > 0 {
            return Poll::Pending;
        }
        *done = true;
        Poll::Ready(
            self.core
                .take_first_failure()
                .map(|(first, others)| Err(GroupError::new(first, others))),
        )
    }
}
