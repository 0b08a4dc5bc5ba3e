//! [`IterStream`] and [`iter_stream`]: the stream side and the worker-thread side.

use core::fmt;
use core::num::NonZeroUsize;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::panic::{AssertUnwindSafe, catch_unwind};

use futures_core::{FusedStream, Stream};
use crate::Panicked;
use crate::rt::channel::{self, Receiver, Sender};
use crate::rt::inherit::handed_fn;
use crate::rt::spawn;
use crate::rt::start::Start;

type Message<T> = Result<T, Panicked>;
type Starter<T> = Box<dyn FnOnce(Sender<Message<T>>) + Send + 'static>;

/// Wraps a blocking iterator into a [`Stream`] whose items are produced on a blocking thread.
///
/// This is async-utils' `gen_transform`, with its two promises kept:
///
/// - **Laziness.** Nothing runs until the stream is first polled: `into_iter()` and every
///   `next()` are called on a thread of tokio's blocking pool
///   ([`spawn_blocking`](tokio::task::spawn_blocking)), never on the async executor.
/// - **Backpressure.** Produced items wait in a buffer of `buffer` slots. When it is full the
///   worker blocks, holding the one item it has just read: the iterator is never more than
///   `buffer + 1` items ahead of the consumer.
///
/// The stream yields `Ok(item)` for each item and ends when the iterator ends. If the
/// iterator panics (in `into_iter`, `next` or its `Drop`), the stream yields every item
/// produced before the panic, then one `Err(`[`Panicked`]`)`, then ends: the panic is a
/// value the consumer reads like the items (see [`Panicked`] for when ayutil resumes a panic
/// instead).
///
/// Dropping the stream stops the worker before it reads the next item: an item being read at
/// that moment is finished and then dropped, and the iterator is dropped on the worker thread
/// (so a `Drop` that blocks, such as closing a file or a connection, never blocks the
/// executor). The worker is detached; it holds no reference to the stream.
///
/// A zero buffer is impossible by type: `buffer` is a [`NonZeroUsize`];
/// `NonZeroUsize::MAX` means an unbounded buffer (the worker never waits for the consumer).
///
/// With the `tracing` feature, the iterator runs inside the span current at the stream's
/// first poll, as the body of a stream would.
///
/// # Panics
///
/// The first poll panics when it is not inside a tokio runtime, with the message of
/// [`NoRuntime`](crate::NoRuntime).
///
/// # Examples
///
/// ```
/// use std::io::BufRead;
/// use std::num::NonZeroUsize;
/// use futures_util::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // `lines()` does blocking reads: it runs on the worker thread, 8 lines ahead at most.
/// let text = std::io::Cursor::new("alpha\nbeta\ngamma\n");
/// let lines = ayutil::iter_stream(text.lines(), NonZeroUsize::new(8).unwrap());
/// let lines: Vec<String> = lines.map(|line| line.unwrap().unwrap()).collect().await;
/// assert_eq!(lines, ["alpha", "beta", "gamma"]);
/// # }
/// ```
pub fn iter_stream<I>(iter: I, buffer: NonZeroUsize) -> IterStream<I::Item>
where
    I: IntoIterator + Send + 'static,
    I::Item: Send + 'static,
{
    let starter: Starter<I::Item> = Box::new(move |tx| run_worker(iter, &tx));
    IterStream {
        work: Start::new((starter, buffer)),
    }
}

/// Stream returned by [`iter_stream`].
///
/// Yields `Ok(item)` for each item of the iterator, then at most one `Err(`[`Panicked`]`)`
/// if the iterator panicked, then ends. It is fused: after `None` it keeps returning `None`.
///
/// # Cancel safety
///
/// `poll_next` is cancel safe: an item is removed from the buffer only when it is returned,
/// so dropping a `next()` future loses nothing.
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use ayutil::IterStream;
/// use futures_util::StreamExt;
/// use futures_util::stream::FusedStream;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let reads = Arc::new(AtomicUsize::new(0));
/// let counter = Arc::clone(&reads);
/// let numbers = (1..=3).inspect(move |_| {
///     counter.fetch_add(1, Ordering::SeqCst);
/// });
/// let mut stream: IterStream<i32> = ayutil::iter_stream(numbers, NonZeroUsize::MIN);
/// assert_eq!(reads.load(Ordering::SeqCst), 0, "lazy: nothing read before the first poll");
///
/// let items: Vec<i32> = stream.by_ref().map(Result::unwrap).collect().await;
/// assert_eq!(items, [1, 2, 3]);
/// assert_eq!(reads.load(Ordering::SeqCst), 3);
/// assert!(stream.is_terminated());
/// assert!(stream.next().await.is_none(), "fused");
/// # }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct IterStream<T> {
    /// The worker and the buffer size, then the receiving end of the worker's items.
    work: Start<(Starter<T>, NonZeroUsize), Receiver<Message<T>>>,
}

impl<T: Send + 'static> Stream for IterStream<T> {
    type Item = Result<T, Panicked>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(rx) = self.work.get_or_start(|(start, buffer)| {
            // `NonZeroUsize::MAX` means an unbounded buffer.
            let (tx, rx) = channel::channel(buffer.get());
            // Detached on purpose: the worker stops by itself once `rx` is dropped.
            drop(spawn::spawn_blocking(handed_fn(move || start(tx))));
            rx
        }) else {
            return Poll::Ready(None);
        };
        match rx.poll_recv(cx) {
            Poll::Ready(None) => {
                self.work.finish();
                Poll::Ready(None)
            }
            other => other,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.work.started() {
            Some(rx) => (rx.len(), None),
            None if self.work.is_idle() => (0, None),
            None => (0, Some(0)),
        }
    }
}

impl<T: Send + 'static> FusedStream for IterStream<T> {
    fn is_terminated(&self) -> bool {
        self.work.is_finished()
    }
}

impl<T> fmt::Debug for IterStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterStream")
            .field("state", &self.work.phase())
            .finish()
    }
}

/// The worker-thread side: reads the iterator into `tx` until it ends, panics, or the stream
/// is dropped (which closes `tx`).
fn run_worker<I>(source: I, tx: &Sender<Message<I::Item>>)
where
    I: IntoIterator,
{
    // A panic caught here is sent to the stream; if the stream is gone, it is dropped with the
    // message (there is nobody left to tell).
    let send_panic = |payload| drop(tx.blocking_send(Err(Panicked::new(payload))));

    let mut iter = match catch_unwind(AssertUnwindSafe(|| source.into_iter())) {
        Ok(iter) => iter,
        Err(payload) => return send_panic(payload),
    };
    let mut panicked = false;
    // Checking `is_closed` before each `next` is what stops the iterator at its next item
    // when the stream is dropped while the worker is not blocked in `blocking_send`.
    while !tx.is_closed() {
        match catch_unwind(AssertUnwindSafe(|| iter.next())) {
            Ok(Some(item)) => {
                // Blocks while the buffer is full: this is the backpressure.
                if tx.blocking_send(Ok(item)).is_err() {
                    break;
                }
            }
            Ok(None) => break,
            Err(payload) => {
                panicked = true;
                send_panic(payload);
                break;
            }
        }
    }
    // Dropped here, on the worker thread. A panicking `Drop` is reported like a panicking
    // `next`, unless a panic was already reported (the stream yields at most one error).
    if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(iter)))
        && !panicked
    {
        send_panic(payload);
    }
}
