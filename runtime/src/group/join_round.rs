//! `JoinRounds`: the `join`s of a [`Group`](crate::Group), [`Pool`](crate::Pool) or
//! [`TaskSet`](crate::TaskSet) that wait at the same time share one outcome.
//!
//! A failure is not `Clone`, so only one `join` can receive it. Without rounds, the first
//! `join` to wake took it and the others, which had waited for the very same tasks,
//! returned `Ok`. Now every `join` enters the current round; the first one to see the
//! group idle ends the round (it takes the failures), and the others of that round receive
//! a notice of it (a [`Summary`]): they also return `Err`, without the failures
//! themselves. A `join` that starts after the round ended enters a new one.

use std::sync::{Arc, Mutex, OnceLock};

use crate::rt::lock;

/// The joins waiting together, until one of them ends the round.
#[derive(Debug, Default)]
pub(crate) struct JoinRounds {
    current: Mutex<Option<Arc<Round>>>,
}

/// One round's outcome, set once by the join that ends it.
#[derive(Debug, Default)]
pub(crate) struct Round {
    outcome: OnceLock<Summary>,
}

/// What the joins of a round that did not end it learn: the counts, not the failures.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Tasks that returned an error or panicked.
    pub(crate) failed: usize,
    /// Tasks that an exit timeout cancelled (`TaskSet` only).
    pub(crate) cancelled: usize,
}

impl Round {
    /// `None` while the round is open.
    pub(crate) fn outcome(&self) -> Option<Summary> {
        self.outcome.get().copied()
    }
}

/// How a join's round ended for it.
pub(crate) enum Ended<T> {
    /// This join ended the round and took what `take` returned.
    Owner(T),
    /// Another join ended the round first.
    Notice(Summary),
}

impl JoinRounds {
    /// Enters the current round, or opens one.
    pub(crate) fn enter(&self) -> Arc<Round> {
        let mut current = lock::lock(&self.current);
        Arc::clone(current.get_or_insert_with(Arc::default))
    }

    /// Ends `round` with what `take` returns (the failures, and the summary the other
    /// joins of the round receive), unless another join ended it first.
    pub(crate) fn end<T>(&self, round: &Arc<Round>, take: impl FnOnce() -> (T, Summary)) -> Ended<T> {
        let mut current = lock::lock(&self.current);
        if let Some(outcome) = round.outcome() {
            return Ended::Notice(outcome);
        }
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, round)) {
            // Joins that start from now on wait for a new round.
            *current = None;
        }
        let (taken, summary) = take();
        let _ = round.outcome.set(summary);
        Ended::Owner(taken)
    }
}
