//! [`Timer`]: a sleep that may never fire, for deadlines a user's `Duration` sets.

#![allow(dead_code)] // Not every feature set uses every helper.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use tokio::time::{Instant, Sleep};

use super::time::deadline_in;

/// Fires at its deadline, or never when the duration that set it reaches past the clock's
/// range (`Duration::MAX`). Boxed, so the owner stays `Unpin`.
#[derive(Debug)]
pub(crate) struct Timer {
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Timer {
    /// A timer that fires `after` from now, or never.
    pub(crate) fn after(after: Duration) -> Self {
        Self::at(deadline_in(after))
    }

    /// A timer that fires at `deadline`, or never when there is none.
    pub(crate) fn at(deadline: Option<Instant>) -> Self {
        Self {
            sleep: deadline.map(|at| Box::pin(tokio::time::sleep_until(at))),
        }
    }

    /// `Ready` once the deadline has passed; a timer without one is `Pending` forever
    /// (and keeps no waker).
    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.sleep {
            Some(sleep) => sleep.as_mut().poll(cx),
            None => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn max_never_fires_and_zero_fires_at_once() {
        let mut never = Timer::after(Duration::MAX);
        let mut now = Timer::after(Duration::ZERO);
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(now.poll_elapsed(&mut cx).is_ready());
        tokio::time::advance(Duration::from_secs(86_400 * 365 * 100)).await;
        assert!(never.poll_elapsed(&mut cx).is_pending());
    }
}
