//! `JoinRounds`: the `join`s of a [`Group`](crate::Group) or [`Pool`](crate::Pool) that
//! wait at the same time share one outcome.
//!
//! A failure is not `Clone`, so only one `join` can receive it. Without rounds, the first
//! `join` to wake took it and the others, which had waited for the very same tasks,
//! returned `Ok`. Now every `join` enters the current round; the first one to see the
//! group idle ends the round (it takes the failure), and the others of that round receive
//! a notice of it: they also return `Err`, without the failure itself. A `join` that
//! starts after the round ended enters a new one.

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
    /// `None`: no task failed; `Some(n)`: `n` tasks failed.
    outcome: OnceLock<Option<usize>>,
}

impl Round {
    /// `None` while the round is open; then how many tasks failed, if any.
    pub(crate) fn outcome(&self) -> Option<Option<usize>> {
        self.outcome.get().copied()
    }
}

/// How a join's round ended for it.
pub(crate) enum Ended<T> {
    /// This join ended the round and took its failure, if any.
    Owner(Option<T>),
    /// Another join ended the round first: `Some(n)` if `n` tasks failed.
    Notice(Option<usize>),
}

impl JoinRounds {
    /// Enters the current round, or opens one.
    pub(crate) fn enter(&self) -> Arc<Round> {
        let mut current = lock::lock(&self.current);
        Arc::clone(current.get_or_insert_with(Arc::default))
    }

    /// Ends `round` with what `take` returns (the failure and how many tasks failed in
    /// all), unless another join ended it first.
    pub(crate) fn end<T>(
        &self,
        round: &Arc<Round>,
        take: impl FnOnce() -> Option<(T, usize)>,
    ) -> Ended<T> {
        let mut current = lock::lock(&self.current);
        if let Some(outcome) = round.outcome() {
            return Ended::Notice(outcome);
        }
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, round)) {
            // Joins that start from now on wait for a new round.
            *current = None;
        }
        let taken = take();
        let _ = round.outcome.set(taken.as_ref().map(|(_, failed)| *failed));
        Ended::Owner(taken.map(|(failure, _)| failure))
    }
}
