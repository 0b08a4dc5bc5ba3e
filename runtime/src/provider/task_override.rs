//! Task-local overrides of a [`ProviderSpec`]'s value:
//! [`ProviderSpec::with_override`] and [`ProviderSpec::with_override_sync`].
//!
//! Each override gets an id and is stored in the spec it overrides; the ids active for
//! the current task live in a tokio task-local. A spec consults them only while some
//! override is alive somewhere in the process (one atomic load otherwise).

use core::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::rt::lock;
use super::spec::{ProviderMode, ProviderSpec};

tokio::task_local! {
    /// Ids of the overrides active for this task, innermost last.
    static ACTIVE: Vec<u64>;
}

/// The id of the next override.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
/// How many overrides are alive in the process.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Removes an override from its spec when its scope ends, finished or dropped.
struct Registered<'a, T, M: ProviderMode> {
    spec: &'a ProviderSpec<T, M>,
    id: u64,
}

impl<T, M: ProviderMode> Drop for Registered<'_, T, M> {
    fn drop(&mut self) {
        let mut overrides = lock::lock(&self.spec.overrides);
        overrides.retain(|(id, _)| *id != self.id);
        drop(overrides);
        LIVE.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T, M: ProviderMode> ProviderSpec<T, M> {
    fn register(&self, value: T) -> (Registered<'_, T, M>, Vec<u64>) {
        // An eager body that waits continues as a task of its own: it keeps the overrides
        // of its caller.
        #[cfg(feature = "eager")]
        {
            static INHERITED: std::sync::Once = std::sync::Once::new();
            INHERITED.call_once(|| crate::rt::inherit::inherit_task_local(&ACTIVE));
        }
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        lock::lock(&self.overrides)
            .push((id, Arc::new(value)));
        LIVE.fetch_add(1, Ordering::AcqRel);
        let mut active = ACTIVE.try_with(Vec::clone).unwrap_or_default();
        active.push(id);
        (Registered { spec: self, id }, active)
    }

    /// The innermost override of this spec active for the current task, if any.
    pub(super) fn overridden(&self) -> Option<Arc<T>> {
        if LIVE.load(Ordering::Acquire) == 0 {
            return None;
        }
        ACTIVE
            .try_with(|active| {
                let overrides = lock::lock(&self.overrides);
                active.iter().rev().find_map(|id| {
                    overrides
                        .iter()
                        .find(|(own, _)| own == id)
                        .map(|(_, value)| Arc::clone(value))
                })
            })
            .ok()
            .flatten()
    }

    /// Runs `future` with `value` as this provider's value, for that future only.
    ///
    /// Every call that the future makes (directly or through what it awaits) to a function
    /// decorated with this provider receives `value` (a clone of it, or its `Arc` in
    /// [`SharedArc`](crate::SharedArc) mode) instead of the spec's own value. Other tasks
    /// are not affected, so tests running in parallel can each install their own test
    /// double; [`new_instance`](ProviderSpec::new_instance), by contrast, changes the value
    /// for the whole process. Overrides nest: the innermost wins. The override ends when
    /// the future finishes or is dropped.
    ///
    /// The override belongs to the task polling the future: a task spawned from inside
    /// (`tokio::spawn`, a [`Scope`](crate::Scope)'s tasks) does not inherit it; wrap that
    /// task's future in its own `with_override`. The continuation of an
    /// [`eager`](fn@crate::eager) body started inside does inherit it.
    ///
    /// A `#[cached]` function stores its values for every task: under an override, call
    /// its `<name>_with` variant (never cached) or use keys that production code does not.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{provider, ProviderSpec};
    ///
    /// static REGION: ProviderSpec<String> = ProviderSpec::lazy(|| "eu-west".to_owned());
    ///
    /// #[provider(region, from = REGION)]
    /// async fn endpoint(service: &str, region: String) -> String {
    ///     format!("https://{service}.{region}.example.com")
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let in_test = REGION.with_override("test".to_owned(), endpoint("db")).await;
    /// assert_eq!(in_test, "https://db.test.example.com");
    /// assert_eq!(endpoint("db").await, "https://db.eu-west.example.com"); // outside: untouched
    /// # }
    /// ```
    pub async fn with_override<F: Future>(&self, value: T, future: F) -> F::Output {
        let (_registered, active) = self.register(value);
        ACTIVE.scope(active, future).await
    }

    /// Runs `f` with `value` as this provider's value, for that call only (on this thread
    /// or task).
    ///
    /// The synchronous form of [`with_override`](ProviderSpec::with_override).
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{provider, ProviderSpec};
    ///
    /// static LIMIT: ProviderSpec<u32> = ProviderSpec::lazy(|| 100);
    ///
    /// #[provider(limit, from = LIMIT)]
    /// fn clamp(n: u32, limit: u32) -> u32 {
    ///     n.min(limit)
    /// }
    ///
    /// assert_eq!(LIMIT.with_override_sync(5, || clamp(42)), 5);
    /// assert_eq!(clamp(42), 42);
    /// ```
    pub fn with_override_sync<R>(&self, value: T, f: impl FnOnce() -> R) -> R {
        let (_registered, active) = self.register(value);
        ACTIVE.sync_scope(active, f)
    }
}
