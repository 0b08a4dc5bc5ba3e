//! [`channel`]: a channel whose capacity a user chose, bounded, or unbounded when the size
//! means "unbounded" (see [`limit::bounded`](super::limit::bounded)).
//!
//! tokio's bounded `mpsc::channel` panics above `Semaphore::MAX_PERMITS`; this one turns
//! such a capacity into tokio's unbounded channel instead.

#![allow(dead_code)] // Not every feature set uses every helper.

use core::task::{Context, Poll};

use tokio::sync::mpsc;

use super::limit::bounded;

/// Sends into a channel made by [`channel`].
#[derive(Debug)]
pub(crate) enum Sender<T> {
    Bounded(mpsc::Sender<T>),
    Unbounded(mpsc::UnboundedSender<T>),
}

/// Receives from a channel made by [`channel`].
#[derive(Debug)]
pub(crate) enum Receiver<T> {
    Bounded(mpsc::Receiver<T>),
    Unbounded(mpsc::UnboundedReceiver<T>),
}

/// A channel holding at most `capacity` values, or any number of them when `capacity` is
/// too large to bound anything (`usize::MAX`).
///
/// # Panics
///
/// If `capacity` is zero, as `tokio::sync::mpsc::channel`.
pub(crate) fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    match bounded(capacity) {
        Some(n) => {
            let (tx, rx) = mpsc::channel(n);
            (Sender::Bounded(tx), Receiver::Bounded(rx))
        }
        None => {
            let (tx, rx) = mpsc::unbounded_channel();
            (Sender::Unbounded(tx), Receiver::Unbounded(rx))
        }
    }
}

impl<T> Sender<T> {
    /// Sends `value`, blocking the thread while a bounded channel is full; gives the value
    /// back once the receiver is gone. Never call it on an async executor thread.
    pub(crate) fn blocking_send(&self, value: T) -> Result<(), T> {
        match self {
            Self::Bounded(tx) => tx.blocking_send(value).map_err(|e| e.0),
            Self::Unbounded(tx) => tx.send(value).map_err(|e| e.0),
        }
    }

    /// `true` once the receiver is gone.
    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Self::Bounded(tx) => tx.is_closed(),
            Self::Unbounded(tx) => tx.is_closed(),
        }
    }
}

impl<T> Receiver<T> {
    /// As `tokio::sync::mpsc::Receiver::poll_recv`.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self {
            Self::Bounded(rx) => rx.poll_recv(cx),
            Self::Unbounded(rx) => rx.poll_recv(cx),
        }
    }

    /// How many values wait in the channel.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Bounded(rx) => rx.len(),
            Self::Unbounded(rx) => rx.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_capacity_is_unbounded() {
        let (tx, rx) = channel::<u32>(usize::MAX);
        assert!(matches!(tx, Sender::Unbounded(_)));
        for n in 0..10_000 {
            tx.blocking_send(n).unwrap();
        }
        assert_eq!(rx.len(), 10_000);
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.blocking_send(1), Err(1));
    }

    #[test]
    fn small_capacity_is_bounded() {
        let (tx, rx) = channel::<u32>(1);
        assert!(matches!(tx, Sender::Bounded(_)));
        tx.blocking_send(1).unwrap();
        assert_eq!(rx.len(), 1);
    }
}
