//! `Flight`: one running computation of a cached function, shared by all its waiters.

use std::sync::{Arc, Condvar, Mutex, PoisonError};

use tokio::sync::Notify;

/// How a flight ended.
#[derive(Clone)]
pub(crate) enum Outcome<V> {
    /// The body returned this value.
    Value(V),
    /// The body panicked with this message.
    Panicked(Arc<str>),
    /// The body was dropped before it finished (its runtime shut down).
    Abandoned,
}

impl<V> Outcome<V> {
    /// The value, or the flight's panic re-raised in the caller.
    #[track_caller]
    pub(crate) fn into_value(self) -> V {
        match self {
            Outcome::Value(value) => value,
            Outcome::Panicked(message) => std::panic::resume_unwind(Box::new(message.to_string())),
            Outcome::Abandoned => panic!(
                "#[cached]: the computation was dropped before it finished (its runtime shut down)"
            ),
        }
    }
}

/// The result slot of one computation; async waiters park on `notify`, blocking waiters
/// (synchronous cached functions) on `ready`.
pub(crate) struct Flight<V> {
    outcome: Mutex<Option<Outcome<V>>>,
    notify: Notify,
    ready: Condvar,
}

impl<V: Clone> Flight<V> {
    pub(crate) fn new() -> Self {
        Self {
            outcome: Mutex::new(None),
            notify: Notify::new(),
            ready: Condvar::new(),
        }
    }

    /// Stores the outcome (the first one wins) and wakes every waiter.
    pub(crate) fn finish(&self, outcome: Outcome<V>) {
        {
            let mut slot = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.is_some() {
                return;
            }
            *slot = Some(outcome);
        }
        self.notify.notify_waiters();
        self.ready.notify_all();
    }

    pub(crate) fn try_outcome(&self) -> Option<Outcome<V>> {
        self.outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits for the outcome. Cancel safe: dropping the wait only stops this waiter.
    pub(crate) async fn wait(&self) -> Outcome<V> {
        loop {
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            // Register before checking, so a `finish` between the check and the await
            // still wakes this waiter.
            notified.as_mut().enable();
            if let Some(outcome) = self.try_outcome() {
                return outcome;
            }
            notified.await;
        }
    }

    /// Blocks the thread until the outcome is stored.
    pub(crate) fn wait_blocking(&self) -> Outcome<V> {
        let mut slot = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(outcome) = slot.as_ref() {
                return outcome.clone();
            }
            slot = self
                .ready
                .wait(slot)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The text of a panic payload (`&str` and `String` payloads; others get a placeholder).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> Arc<str> {
    if let Some(s) = payload.downcast_ref::<&str>() {
        Arc::from(*s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        Arc::from(s.as_str())
    } else {
        Arc::from("#[cached] body panicked with a non-string payload")
    }
}
