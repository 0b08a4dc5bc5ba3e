//! [`ScopeOutput`] and [`TaskOutcome`]: what a scope returns when no task failed.

/// How one task of a scope ended, in [`ScopeOutput::results`].
///
/// # Examples
///
/// ```
/// let done = ayutil::TaskOutcome::Completed(3);
/// assert_eq!(done.completed(), Some(&3));
/// assert!(ayutil::TaskOutcome::<u8>::Cancelled.is_cancelled());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOutcome<T> {
    /// The task ran to completion with this value.
    Completed(T),
    /// The task was stopped before completing: aborted through its
    /// [`TaskHandle`](crate::TaskHandle), cut by a time-out or `cancel()`, or never started.
    Cancelled,
}

impl<T> TaskOutcome<T> {
    /// The value, if the task completed.
    #[must_use]
    pub fn completed(&self) -> Option<&T> {
        match self {
            Self::Completed(value) => Some(value),
            Self::Cancelled => None,
        }
    }

    /// The value, if the task completed.
    #[must_use]
    pub fn into_completed(self) -> Option<T> {
        match self {
            Self::Completed(value) => Some(value),
            Self::Cancelled => None,
        }
    }

    /// Whether the task was stopped before completing.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled)
    }
}

/// What a scope produced: the results of its tasks in spawn order, the value of its
/// block, and whether it was cut short.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let out = ayutil::scope(|s| async move {
///     s.spawn(async { 'a' });
///     s.spawn(async { 'b' });
///     "block value"
/// })
/// .await
/// .unwrap();
/// assert_eq!(out.completed().copied().collect::<String>(), "ab");
/// assert_eq!(out.value(), Some(&"block value"));
/// assert!(!out.timed_out() && !out.cancelled());
/// # }
/// ```
#[derive(Debug)]
pub struct ScopeOutput<T, R> {
    pub(crate) results: Vec<TaskOutcome<T>>,
    pub(crate) value: Option<R>,
    pub(crate) timed_out: bool,
    pub(crate) cancelled: bool,
}

impl<T, R> ScopeOutput<T, R> {
    /// One entry per spawned task (`spawn`, `try_spawn`, `spawn_lazy`, `aside`, ...), in
    /// spawn order.
    #[must_use]
    pub fn results(&self) -> &[TaskOutcome<T>] {
        &self.results
    }

    /// Takes the results, in spawn order.
    #[must_use]
    pub fn into_results(self) -> Vec<TaskOutcome<T>> {
        self.results
    }

    /// The values of the tasks that completed, in spawn order.
    pub fn completed(&self) -> impl Iterator<Item = &T> {
        self.results.iter().filter_map(TaskOutcome::completed)
    }

    /// What the scope's block returned; `None` if the block was stopped by a time-out or
    /// `cancel()` before it finished.
    #[must_use]
    pub fn value(&self) -> Option<&R> {
        self.value.as_ref()
    }

    /// Takes what the scope's block returned (see [`value`](Self::value)).
    #[must_use]
    pub fn into_value(self) -> Option<R> {
        self.value
    }

    /// Whether the scope's time-out fired and cancelled what still ran.
    #[must_use]
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// Whether [`Scope::cancel`](crate::Scope::cancel) stopped the scope.
    #[must_use]
    pub fn cancelled(&self) -> bool {
        self.cancelled
    }
}
