//! [`PoolSizeError`]: [`Pool::new`](crate::Pool::new) was given a limit of zero.

use std::fmt;

/// [`Pool::new`](crate::Pool::new) was given a limit of zero; such a pool could never run
/// a task.
///
/// # Examples
///
/// ```
/// let err = ayutil::Pool::<()>::new(0).unwrap_err();
/// assert_eq!(err.to_string(), "pool limit must be at least 1, got 0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSizeError {
    pub(crate) _priv: (),
}

impl fmt::Display for PoolSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("pool limit must be at least 1, got 0")
    }
}

impl std::error::Error for PoolSizeError {}
