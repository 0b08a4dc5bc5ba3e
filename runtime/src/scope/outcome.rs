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
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.spawn(async { 7 });
    ///     s.spawn(std::future::pending()).abort();
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.results()[0].completed(), Some(&7));
    /// assert_eq!(out.results()[1].completed(), None);
    /// # }
    /// ```
    #[must_use]
    pub fn completed(&self) -> Option<&T> {
        match self {
            Self::Completed(value) => Some(value),
            Self::Cancelled => None,
        }
    }

    /// The value, if the task completed.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.spawn(async { String::from("owned") });
    ///     s.spawn(std::future::pending()).abort();
    /// })
    /// .await
    /// .unwrap();
    /// let values: Vec<String> = out
    ///     .into_results()
    ///     .into_iter()
    ///     .filter_map(ayutil::TaskOutcome::into_completed)
    ///     .collect();
    /// assert_eq!(values, ["owned"]);
    /// # }
    /// ```
    #[must_use]
    pub fn into_completed(self) -> Option<T> {
        match self {
            Self::Completed(value) => Some(value),
            Self::Cancelled => None,
        }
    }

    /// Whether the task was stopped before completing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let out = ayutil::Scope::<()>::options()
    ///     .timeout(Duration::from_secs(1))
    ///     .run(|s| async move {
    ///         s.spawn(async {});
    ///         s.spawn(tokio::time::sleep(Duration::from_secs(5)));
    ///     })
    ///     .await
    ///     .unwrap();
    /// let results = out.results();
    /// assert_eq!((results[0].is_cancelled(), results[1].is_cancelled()), (false, true));
    /// # }
    /// ```
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled)
    }
}

/// What a scope produced: the results of its tasks in spawn order (those nobody took
/// earlier), the value of its block, and whether it was cut short.
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
    /// spawn order, except the outcomes taken before the scope ended (by an awaited
    /// [`TaskHandle`](crate::TaskHandle) or [`Scope::join_next`](crate::Scope::join_next));
    /// empty for a scope built with
    /// [`discard_results`](crate::ScopeOptions::discard_results).
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::TaskOutcome;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.spawn(async { 'a' });
    ///     s.spawn(std::future::pending()).abort();
    ///     s.aside(|| 'c');
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(
    ///     out.results(),
    ///     [TaskOutcome::Completed('a'), TaskOutcome::Cancelled, TaskOutcome::Completed('c')]
    /// );
    /// # }
    /// ```
    #[must_use]
    pub fn results(&self) -> &[TaskOutcome<T>] {
        &self.results
    }

    /// Takes the results, in spawn order.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::TaskOutcome;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.spawn(async { vec![1, 2] });
    ///     s.spawn(async { vec![3] });
    /// })
    /// .await
    /// .unwrap();
    /// let results: Vec<TaskOutcome<Vec<u8>>> = out.into_results();
    /// assert_eq!(results, [TaskOutcome::Completed(vec![1, 2]), TaskOutcome::Completed(vec![3])]);
    /// # }
    /// ```
    #[must_use]
    pub fn into_results(self) -> Vec<TaskOutcome<T>> {
        self.results
    }

    /// The values of the tasks that completed, in spawn order.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s| async move {
    ///     s.spawn(async { 1 });
    ///     s.spawn(std::future::pending()).abort(); // cancelled: skipped
    ///     s.spawn(async { 3 });
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.completed().copied().collect::<Vec<_>>(), [1, 3]);
    /// # }
    /// ```
    pub fn completed(&self) -> impl Iterator<Item = &T> {
        self.results.iter().filter_map(TaskOutcome::completed)
    }

    /// What the scope's block returned; `None` if the block was stopped by a time-out or
    /// `cancel()` before it finished.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s: ayutil::Scope| async move {
    ///     s.spawn(async {});
    ///     "summary"
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.value(), Some(&"summary"));
    ///
    /// let out = ayutil::scope(|s: ayutil::Scope| async move {
    ///     s.cancel();
    ///     tokio::task::yield_now().await; // the block is dropped here
    ///     "never returned"
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(out.value(), None);
    /// # }
    /// ```
    #[must_use]
    pub fn value(&self) -> Option<&R> {
        self.value.as_ref()
    }

    /// Takes what the scope's block returned (see [`value`](Self::value)).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s: ayutil::Scope<u32>| async move {
    ///     s.spawn(async { 1 });
    ///     vec!["report"]
    /// })
    /// .await
    /// .unwrap();
    /// let report: Vec<&str> = out.into_value().unwrap();
    /// assert_eq!(report, ["report"]);
    /// # }
    /// ```
    #[must_use]
    pub fn into_value(self) -> Option<R> {
        self.value
    }

    /// Whether the scope's time-out fired and cancelled what still ran.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let out = ayutil::Scope::<()>::options()
    ///     .timeout(Duration::from_secs(1))
    ///     .run(|s| async move {
    ///         s.spawn(std::future::pending());
    ///     })
    ///     .await
    ///     .unwrap();
    /// assert!(out.timed_out());
    /// assert!(!out.cancelled()); // a time-out is not a `cancel()`
    /// # }
    /// ```
    #[must_use]
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// Whether [`Scope::cancel`](crate::Scope::cancel) stopped the scope.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let out = ayutil::scope(|s: ayutil::Scope| async move {
    ///     let handle = s.clone();
    ///     s.spawn(async move { handle.cancel() }); // a task may cancel its own scope
    ///     s.spawn(std::future::pending());
    /// })
    /// .await
    /// .unwrap();
    /// assert!(out.cancelled());
    /// assert!(!out.timed_out());
    /// assert!(out.results()[1].is_cancelled());
    /// # }
    /// ```
    #[must_use]
    pub fn cancelled(&self) -> bool {
        self.cancelled
    }
}
