//! [`deadline_in`] and [`deadline_after`]: deadlines, the one rule for a `Duration` a user
//! passes.
//!
//! As in tokio and std, `Duration::MAX` (or any duration that would carry the clock past
//! the range of [`Instant`]) means "never". Every feature turns a user's duration into a
//! deadline through [`deadline_after`], and a user's instant through [`reachable`], so no
//! public parameter can overflow `Instant`, here or in tokio's timer.

#![allow(dead_code)] // Not every feature set uses every helper.

use std::time::Duration;

use tokio::time::Instant;

/// tokio's timer rounds a deadline up to the next millisecond (`deadline + 999_999 ns`),
/// which overflows for an instant this close to the end of `Instant`'s range.
const TIMER_ROUNDING: Duration = Duration::from_millis(1);

/// The instant `after` past `from`, or `None` when it lies beyond the clock's range:
/// the deadline is never reached.
pub(crate) fn deadline_after(from: Instant, after: Duration) -> Option<Instant> {
    from.checked_add(after).and_then(reachable)
}

/// `at` as a deadline, or `None` when it lies so close to the end of `Instant`'s range
/// that tokio's timer cannot represent it: such an instant is never reached.
pub(crate) fn reachable(at: Instant) -> Option<Instant> {
    at.checked_add(TIMER_ROUNDING).map(|_| at)
}

/// [`deadline_after`] counted from now.
pub(crate) fn deadline_in(after: Duration) -> Option<Instant> {
    deadline_after(Instant::now(), after)
}

/// `Some(after)` when a deadline `after` from now exists, `None` when it lies beyond the
/// clock's range: a duration that means "never", to be stored as such (as a period, a
/// ttl) so that later deadlines need not be computed at all.
pub(crate) fn finite(after: Duration) -> Option<Duration> {
    deadline_in(after).map(|_| after)
}

/// Sleeps until `deadline`, or forever when there is none.
pub(crate) async fn sleep_until_or_never(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => core::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_means_never() {
        let now = Instant::now();
        assert_eq!(deadline_after(now, Duration::MAX), None);
        assert_eq!(deadline_after(now, Duration::ZERO), Some(now));
        assert_eq!(
            deadline_after(now, Duration::from_nanos(1)),
            Some(now + Duration::from_nanos(1))
        );
        assert_eq!(finite(Duration::MAX), None);
        assert_eq!(finite(Duration::from_secs(u64::MAX)), None);
        assert_eq!(finite(Duration::ZERO), Some(Duration::ZERO));
        assert_eq!(
            finite(Duration::from_secs(3600)),
            Some(Duration::from_secs(3600))
        );
    }

    #[test]
    fn the_last_instants_mean_never() {
        let mut last = Instant::now();
        let mut step = Duration::MAX;
        while !step.is_zero() {
            match last.checked_add(step) {
                Some(later) => last = later,
                None => step /= 2,
            }
        }
        assert_eq!(reachable(last), None);
        let now = Instant::now();
        assert_eq!(reachable(now), Some(now));
    }
}
