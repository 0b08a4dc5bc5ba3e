//! The one implementation under [`Bag`](crate::Bag) and
//! [`OrderedBag`](crate::OrderedBag): tasks and putters fill a buffer that a stream
//! drains. The two bags differ only in their [`Order`]: values in arrival order, or in
//! spawn order through the reorder window. The public types are thin wrappers around
//! [`RawBag`], [`RawStream`] and [`RawPutter`].

use core::fmt;
use core::future::Future;
use core::task::{Context, Poll};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::task::AtomicWaker;

use super::engine::{Collect, Core, Job, Owner};
use super::error::{BagClosed, BagResult, GroupError};
use crate::rt::lock;
use crate::rt::window::Window;

/// The order in which a bag yields its values.
pub(crate) trait Order: Send + 'static {
    type Value: Send + 'static;
    /// Where a task's value goes, taken when it is spawned.
    type Place: Send + 'static;

    fn new() -> Self;
    /// Adds a value put directly.
    fn put(&mut self, value: Self::Value);
    /// Takes the place of a task being spawned.
    fn reserve(&mut self) -> Self::Place;
    /// Settles a task's place once it ended, with its value or with nothing (it yielded
    /// none, failed, panicked or was cancelled). Returns whether the consumer may have a
    /// value to take now.
    fn settle(&mut self, place: Self::Place, value: Option<Self::Value>) -> bool;
    /// The next value the consumer may take now, if any.
    fn pop(&mut self) -> Option<Self::Value>;
}

/// Values in the order they arrive (`Bag`).
pub(crate) struct Arrival<T>(VecDeque<T>);

impl<T: Send + 'static> Order for Arrival<T> {
    type Value = T;
    type Place = ();

    fn new() -> Self {
        Self(VecDeque::new())
    }

    fn put(&mut self, value: T) {
        self.0.push_back(value);
    }

    fn reserve(&mut self) {}

    fn settle(&mut self, (): (), value: Option<T>) -> bool {
        match value {
            Some(value) => {
                self.0.push_back(value);
                true
            }
            None => false,
        }
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }
}

/// Values in the order their tasks were spawned or they were put (`OrderedBag`): each
/// spawn and put takes the next position of a reorder window; a task that yields nothing
/// settles its position empty, so it never stalls the ones after it.
pub(crate) struct SpawnOrder<T>(Window<Option<T>>);

impl<T: Send + 'static> Order for SpawnOrder<T> {
    type Value = T;
    type Place = usize;

    fn new() -> Self {
        Self(Window::new())
    }

    fn put(&mut self, value: T) {
        self.0.push(Some(value));
    }

    fn reserve(&mut self) -> usize {
        self.0.reserve()
    }

    fn settle(&mut self, place: usize, value: Option<T>) -> bool {
        self.0.fill(place, value);
        true
    }

    fn pop(&mut self) -> Option<T> {
        // Settled-empty positions at the front are skipped.
        while let Some(slot) = self.0.pop() {
            if slot.is_some() {
                return slot;
            }
        }
        None
    }
}

/// The buffer, putter count and consumer wake-up shared by a bag, its stream and its
/// putters.
struct Shared<P, E> {
    core: Arc<Core<E>>,
    buf: Mutex<P>,
    consumer: AtomicWaker,
    putters: AtomicUsize,
    /// Cleared when the bag or its stream is dropped.
    open: AtomicBool,
}

impl<P: Order, E: Send + 'static> Shared<P, E> {
    /// Locks the buffer. Only buffer code runs under this lock (no user code).
    fn buf(&self) -> MutexGuard<'_, P> {
        lock::lock(&self.buf)
    }

    fn is_open(&self) -> bool {
        self.open.load(Ordering::SeqCst)
    }

    fn put(&self, value: P::Value) {
        self.buf().put(value);
        self.consumer.wake();
    }

    fn remove_putter(&self) {
        if self.putters.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.consumer.wake();
        }
    }

    /// The consumer side of the bag's stream.
    ///
    /// The end test reads the putter count, then the pending task count, then the
    /// buffer: a putter is counted until after its last `put` or `spawn`, and a task
    /// until after its value is buffered, so seeing both at zero and then an empty
    /// buffer proves no value can come any more.
    fn poll_next(
        &self,
        done: &mut bool,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<P::Value, GroupError<E>>>> {
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

/// Settles a task's place when the task ends: with its value, or with nothing if it
/// failed, panicked or was cancelled.
struct Settle<P: Order, E: Send + 'static> {
    shared: Arc<Shared<P, E>>,
    place: Option<P::Place>,
    value: Option<P::Value>,
}

impl<P: Order, E: Send + 'static> Drop for Settle<P, E> {
    fn drop(&mut self) {
        if let Some(place) = self.place.take() {
            let value = self.value.take();
            if self.shared.buf().settle(place, value) {
                self.shared.consumer.wake();
            }
        }
    }
}

/// Takes `task`'s place and wraps it so that its value lands in the buffer before the
/// task counts as done (the guard goes before the job's future completes).
fn job<P, E, F>(shared: &Arc<Shared<P, E>>, task: F) -> Job<E>
where
    P: Order,
    E: Send + 'static,
    F: Future + Send + 'static,
    F::Output: BagResult<P::Value, E>,
{
    let task = crate::rt::inherit::handed(task);
    let place = shared.buf().reserve();
    let mut settle = Settle {
        shared: Arc::clone(shared),
        place: Some(place),
        value: None,
    };
    Box::pin(async move {
        settle.value = task.await.into_bag_result()?;
        drop(settle);
        Ok(())
    })
}

/// A bag: its tasks and its buffer. Dropping it (or its stream) cancels the tasks.
pub(crate) struct RawBag<P: Order, E: Send + 'static> {
    owner: Owner<E>,
    shared: Arc<Shared<P, E>>,
}

impl<P: Order, E: Send + 'static> RawBag<P, E> {
    pub(crate) fn new() -> Self {
        let owner = Owner::new(usize::MAX, Collect::First);
        let shared = Arc::new(Shared {
            core: Arc::clone(&owner.core),
            buf: Mutex::new(P::new()),
            consumer: AtomicWaker::new(),
            putters: AtomicUsize::new(0),
            open: AtomicBool::new(true),
        });
        Self { owner, shared }
    }

    /// # Panics
    ///
    /// Outside a tokio runtime.
    #[track_caller]
    pub(crate) fn spawn<F>(&self, task: F)
    where
        F: Future + Send + 'static,
        F::Output: BagResult<P::Value, E>,
    {
        // The owner is alive (we hold it), so the core is not closed.
        let _ = self.owner.core.spawn(job(&self.shared, task), None);
    }

    pub(crate) fn put(&self, value: P::Value) {
        self.shared.put(value);
    }

    pub(crate) fn putter(&self) -> RawPutter<P, E> {
        RawPutter::new(Arc::clone(&self.shared))
    }

    pub(crate) fn into_stream(self) -> RawStream<P, E> {
        RawStream {
            bag: self,
            done: false,
        }
    }

    /// Writes `Name { tasks: n, .. }`.
    pub(crate) fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("tasks", &self.owner.core.pending())
            .finish_non_exhaustive()
    }
}

impl<P: Order, E: Send + 'static> Drop for RawBag<P, E> {
    fn drop(&mut self) {
        // Runs before `owner` drops (which aborts the tasks): putters see the bag closed.
        self.shared.open.store(false, Ordering::SeqCst);
    }
}

/// A bag's stream: its values in the bag's order, then the first failure if any.
pub(crate) struct RawStream<P: Order, E: Send + 'static> {
    bag: RawBag<P, E>,
    done: bool,
}

impl<P: Order, E: Send + 'static> RawStream<P, E> {
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<P::Value, GroupError<E>>>> {
        self.bag.shared.poll_next(&mut self.done, cx)
    }

    /// Writes `Name { bag: BagName { tasks: n, .. }, done: .. }`.
    pub(crate) fn fmt_as(
        &self,
        name: &str,
        bag_name: &'static str,
        f: &mut fmt::Formatter<'_>,
    ) -> fmt::Result {
        struct Bag<'a, P: Order, E: Send + 'static>(&'static str, &'a RawBag<P, E>);
        impl<P: Order, E: Send + 'static> fmt::Debug for Bag<'_, P, E> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.1.fmt_as(self.0, f)
            }
        }
        f.debug_struct(name)
            .field("bag", &Bag(bag_name, &self.bag))
            .field("done", &self.done)
            .finish()
    }
}

/// A cloneable handle that puts values into a bag and spawns tasks into it.
pub(crate) struct RawPutter<P: Order, E: Send + 'static> {
    shared: Arc<Shared<P, E>>,
}

impl<P: Order, E: Send + 'static> RawPutter<P, E> {
    fn new(shared: Arc<Shared<P, E>>) -> Self {
        shared.putters.fetch_add(1, Ordering::SeqCst);
        Self { shared }
    }

    pub(crate) fn put(&self, value: P::Value) -> Result<(), BagClosed<P::Value>> {
        if !self.shared.is_open() {
            return Err(BagClosed(value));
        }
        self.shared.put(value);
        Ok(())
    }

    /// # Panics
    ///
    /// Outside a tokio runtime.
    #[track_caller]
    pub(crate) fn spawn<F>(&self, task: F) -> Result<(), BagClosed<()>>
    where
        F: Future + Send + 'static,
        F::Output: BagResult<P::Value, E>,
    {
        if !self.shared.is_open() {
            return Err(BagClosed(()));
        }
        Core::spawn(&self.shared.core, job(&self.shared, task), None)
            .map(drop)
            .map_err(|_| BagClosed(()))
    }

    /// Writes `Name { open: .. }`.
    pub(crate) fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("open", &self.shared.is_open())
            .finish()
    }
}

impl<P: Order, E: Send + 'static> Clone for RawPutter<P, E> {
    fn clone(&self) -> Self {
        Self::new(Arc::clone(&self.shared))
    }
}

impl<P: Order, E: Send + 'static> Drop for RawPutter<P, E> {
    fn drop(&mut self) {
        self.shared.remove_putter();
    }
}
