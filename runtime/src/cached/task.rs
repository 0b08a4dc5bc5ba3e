//! [`CachedTask`]: a cloneable handle to the shared computation of a `#[cached(task)]` call.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use super::flight::{Flight, Outcome};

enum State<V> {
    /// The value was stored when the call was made, or the computation has finished.
    Ready(V),
    Running(Arc<Flight<V>>),
}

/// What a `#[cached(task)]` function returns: the computation for its key, already
/// running in a spawned task (async-utils' `taskcache`).
///
/// Clones share the same computation. Awaiting a clone (it implements [`IntoFuture`])
/// gives the value; dropping every handle does not stop the computation, which still
/// stores its result.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// #[ayutil::cached(task)]
/// async fn load(id: u32) -> String {
///     format!("row {id}")
/// }
///
/// let first = load(7); // not async: the computation is already spawned
/// let second = first.clone();
/// assert_eq!(first.await, "row 7");
/// assert_eq!(second.await, "row 7");
/// assert_eq!(load_cache().stats().misses, 1);
/// # }
/// ```
///
/// # Panics
///
/// Awaiting panics when the computation panicked (with the same message) or when its
/// runtime shut down before it finished.
#[must_use = "the computation runs anyway; await the handle to get its value"]
pub struct CachedTask<V> {
    state: State<V>,
}

impl<V: Clone + Send + Sync + 'static> CachedTask<V> {
    pub(crate) fn ready(value: V) -> Self {
        Self {
            state: State::Ready(value),
        }
    }

    pub(crate) fn running(flight: Arc<Flight<V>>) -> Self {
        Self {
            state: State::Running(flight),
        }
    }

    /// Whether the computation has ended (with a value or a panic).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// #[ayutil::cached(task)]
    /// async fn one() -> u8 {
    ///     1
    /// }
    ///
    /// let task = one();
    /// assert!(!task.is_finished()); // spawned, not yet polled on this thread
    /// assert_eq!(task.clone().await, 1);
    /// assert!(task.is_finished());
    /// # }
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.state {
            State::Ready(_) => true,
            State::Running(flight) => flight.try_outcome().is_some(),
        }
    }

    /// The value if the computation has finished with one, without waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// #[ayutil::cached(task)]
    /// async fn two() -> u8 {
    ///     2
    /// }
    ///
    /// let task = two();
    /// assert_eq!(task.try_value(), None);
    /// tokio::task::yield_now().await;
    /// assert_eq!(task.try_value(), Some(2));
    /// # }
    /// ```
    pub fn try_value(&self) -> Option<V> {
        match &self.state {
            State::Ready(value) => Some(value.clone()),
            State::Running(flight) => match flight.try_outcome()? {
                Outcome::Value(value) => Some(value),
                Outcome::Panicked(_) | Outcome::Abandoned => None,
            },
        }
    }
}

impl<V: Clone> Clone for CachedTask<V> {
    fn clone(&self) -> Self {
        let state = match &self.state {
            State::Ready(value) => State::Ready(value.clone()),
            State::Running(flight) => State::Running(Arc::clone(flight)),
        };
        Self { state }
    }
}

impl<V: Clone + Send + Sync + 'static> IntoFuture for CachedTask<V> {
    type Output = V;
    type IntoFuture = Pin<Box<dyn Future<Output = V> + Send>>;

    /// Waits for the value. Cancel safe: dropping the wait leaves the computation running.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            match self.state {
                State::Ready(value) => value,
                State::Running(flight) => flight.wait().await.into_value(),
            }
        })
    }
}

impl<V> fmt::Debug for CachedTask<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready(_) => "ready",
            State::Running(_) => "running",
        };
        f.debug_struct("CachedTask").field("state", &state).finish()
    }
}
