//! [`ScheduledHandle`]: callbacks run later or periodically in a scope (`after`, `at`,
//! `every`).

use core::future::Future;
use core::time::Duration;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use tokio::time::Instant;

use crate::rt::inherit::handed;
use crate::rt::{spawn, time};

use crate::scope::handle::Scope;
use crate::scope::state::{Inner, Outcome, Unit};
use crate::scope::task::UnitGuard;

/// A scheduled callback of a scope: stop it, or let the scope finish without it.
///
/// A scheduled callback holds its scope open until it ran (for `after` and `at`) or
/// forever (for `every`), unless [`unschedule`](Self::unschedule)d or told
/// [`dont_hold_exit`](Self::dont_hold_exit). Dropping the handle changes nothing.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let ticks = Arc::new(AtomicU32::new(0));
/// let seen = Arc::clone(&ticks);
/// ayutil::scope(|s: ayutil::Scope| async move {
///     let every = s.every(Duration::from_millis(200), move || {
///         let seen = Arc::clone(&seen);
///         async move { seen.fetch_add(1, Ordering::Relaxed); }
///     });
///     tokio::time::sleep(Duration::from_millis(1100)).await;
///     every.unschedule();
/// })
/// .await
/// .unwrap();
/// assert_eq!(ticks.load(Ordering::Relaxed), 5);
/// # }
/// ```
#[derive(Clone)]
pub struct ScheduledHandle {
    control: Option<Arc<dyn Control>>,
    id: u64,
}

impl core::fmt::Debug for ScheduledHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ScheduledHandle")
            .field("id", &self.id)
            .finish()
    }
}

trait Control: Send + Sync {
    fn unschedule(&self, id: u64) -> bool;
    fn dont_hold(&self, id: u64);
}

impl<T: Send + 'static, E: Send + 'static> Control for Inner<T, E> {
    fn unschedule(&self, id: u64) -> bool {
        Inner::unschedule(self, id)
    }

    fn dont_hold(&self, id: u64) {
        self.apply_dont_hold(id);
    }
}

impl ScheduledHandle {
    /// Stops the callback: it will not run (again). A run in progress is dropped.
    /// Returns `false` if it had already ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    /// ayutil::scope(|s: ayutil::Scope| async move {
    ///     let soon = s.after(Duration::from_secs(1), || async {});
    ///     let later = s.after(Duration::from_secs(10), move || async move {
    ///         tx.send(()).unwrap();
    ///     });
    ///     tokio::time::sleep(Duration::from_secs(2)).await;
    ///     assert!(!soon.unschedule()); // it already ran
    ///     assert!(later.unschedule()); // stopped before running
    /// })
    /// .await
    /// .unwrap();
    /// // `later` never ran: its sender was dropped without sending.
    /// assert_eq!(rx.recv().await, None);
    /// # }
    /// ```
    pub fn unschedule(&self) -> bool {
        self.control.as_ref().is_some_and(|c| c.unschedule(self.id))
    }

    /// Whether the scope refused the callback because it was stopping or had finished:
    /// it will never run.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// ayutil::scope(|s: ayutil::Scope| async move {
    ///     s.cancel();
    ///     assert!(s.after(Duration::ZERO, || async {}).is_rejected());
    /// })
    /// .await
    /// .unwrap();
    /// # }
    /// ```
    #[must_use]
    pub fn is_rejected(&self) -> bool {
        self.control.is_none()
    }

    /// Lets the scope finish without waiting for this callback: once everything else
    /// ended, the callback is cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let started = tokio::time::Instant::now();
    /// ayutil::scope(|s: ayutil::Scope| async move {
    ///     s.after(Duration::from_secs(3600), || async {}).dont_hold_exit();
    /// })
    /// .await
    /// .unwrap();
    /// assert!(started.elapsed() < Duration::from_secs(1));
    /// # }
    /// ```
    pub fn dont_hold_exit(self) -> Self {
        if let Some(control) = &self.control {
            control.dont_hold(self.id);
        }
        self
    }
}

impl<T, E> Scope<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    /// Runs `f()` once, `delay` from now (the seed's `run.after(2, callback)`).
    ///
    /// Scheduled callbacks are not counted by `max_concurrency` and have no result slot;
    /// a panic in one fails the scope like a task's. If the scope is already stopping,
    /// nothing is scheduled (the handle says [`is_rejected`](ScheduledHandle::is_rejected)).
    ///
    /// `Duration::ZERO` runs it as soon as the runtime gets to it; `Duration::MAX` (or any
    /// delay past the clock's range) means never: the callback never runs, and holds the
    /// scope open until unscheduled, told [`dont_hold_exit`](ScheduledHandle::dont_hold_exit)
    /// or cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    /// ayutil::scope(|s: ayutil::Scope| async move {
    ///     s.after(Duration::from_secs(2), move || async move { tx.send("later").unwrap() });
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(rx.recv().await, Some("later"));
    /// # }
    /// ```
    pub fn after<C, F>(&self, delay: Duration, f: C) -> ScheduledHandle
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.schedule_at(time::deadline_in(delay), f)
    }

    /// Runs `f()` once, at `when` (a tokio `Instant`, so paused time applies). An instant
    /// already past runs it now; one at the very end of `Instant`'s range, which tokio's
    /// timer cannot represent, means never (see [`after`](Self::after)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use tokio::time::Instant;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let when = Instant::now() + Duration::from_secs(10);
    /// ayutil::scope(|s: ayutil::Scope| async move {
    ///     s.at(when, move || async move { assert!(Instant::now() >= when) });
    /// })
    /// .await
    /// .unwrap();
    /// assert!(Instant::now() >= when);
    /// # }
    /// ```
    pub fn at<C, F>(&self, when: Instant, f: C) -> ScheduledHandle
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.schedule_at(time::reachable(when), f)
    }

    fn schedule_at<C, F>(&self, when: Option<Instant>, f: C) -> ScheduledHandle
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.schedule(async move {
            time::sleep_until_or_never(when).await;
            f().await;
        })
    }

    /// Runs `f()` every `period`, the first time one `period` from now, until
    /// unscheduled or the scope stops. Runs never overlap; a late run delays the next
    /// ones instead of bursting to catch up.
    ///
    /// `Duration::ZERO` runs `f()` back to back, yielding to the runtime between runs
    /// (the first run right away); `Duration::MAX` (or any period past the clock's range)
    /// means never (see [`after`](Self::after)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    /// ayutil::scope(|s: ayutil::Scope| async move {
    ///     s.every(Duration::from_secs(1), move || {
    ///         let tx = tx.clone();
    ///         async move { tx.send(()).unwrap() }
    ///     })
    ///     .dont_hold_exit();
    ///     tokio::time::sleep(Duration::from_millis(3500)).await;
    /// })
    /// .await
    /// .unwrap();
    /// let mut ticks = 0;
    /// while rx.try_recv().is_ok() { ticks += 1; }
    /// assert_eq!(ticks, 3);
    /// # }
    /// ```
    pub fn every<C, F>(&self, period: Duration, mut f: C) -> ScheduledHandle
    where
        C: FnMut() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.schedule(async move {
            if period.is_zero() {
                loop {
                    f().await;
                    tokio::task::yield_now().await;
                }
            }
            let mut next = time::deadline_in(period);
            while let Some(at) = next {
                tokio::time::sleep_until(at).await;
                f().await;
                next = next_tick(at, period);
            }
            // A period past the clock's range: the first run never comes.
            core::future::pending::<()>().await;
        })
    }

    fn schedule<F>(&self, fut: F) -> ScheduledHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let inner = self.inner();
        let Some(id) = inner.reserve_scheduled() else {
            return ScheduledHandle {
                control: None,
                id: u64::MAX,
            };
        };
        let guard = UnitGuard::new(Arc::clone(inner), Unit::Scheduled(id));
        let fut = handed(fut);
        let join = spawn::spawn_on(&inner.handle, async move {
            let outcome = match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(()) => Outcome::Cancelled,
                Err(payload) => Outcome::Panic(payload),
            };
            guard.finish(outcome);
        });
        inner.register(Unit::Scheduled(id), join.abort_handle());
        ScheduledHandle {
            control: Some(Arc::clone(inner) as Arc<dyn Control>),
            id,
        }
    }
}

/// The deadline after a run that was due at `due`: one period later, or one period from
/// now if the run ended late (no burst to catch up); `None` past the clock's range.
fn next_tick(due: Instant, period: Duration) -> Option<Instant> {
    match time::deadline_after(due, period) {
        Some(at) if at >= Instant::now() => Some(at),
        _ => time::deadline_in(period),
    }
}
