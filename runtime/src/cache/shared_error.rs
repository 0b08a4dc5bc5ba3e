//! [`SharedError`] and [`FromSharedError`]: how one failed computation of a `#[cached]`
//! function hands its error to every caller, even when the error type is not `Clone`.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// The error of a failed `#[cached]` computation, shared by every caller of that
/// computation.
///
/// A `#[cached]` function returning `Result<T, E>` keeps the error of a failed computation
/// in a `SharedError<E>` (an `Arc<E>`) and gives each caller an `E` of its own: a clone
/// when `E: Clone`, else one rebuilt by [`FromSharedError`] around this shared original.
/// It is also what the function's cache stores (`Result<T, SharedError<E>>`) when
/// `cache_errors` keeps errors.
///
/// It displays, debugs and chains (`source()`) exactly as the `E` inside. Unlike ayutil's
/// other error types, which are an `Error` whenever their cause is `Debug + Display`, it is
/// an `Error` when `E` is one: chaining exactly as `E` (its whole `source()` chain) is its
/// purpose, and only a bound on `E: Error` can reach the causes of any error type.
/// `anyhow::Error` and `Box<dyn Error + Send + Sync>`, which are not `Error`s themselves,
/// are shared through [`FromSharedError`], which keeps their chains.
///
/// # Examples
///
/// ```
/// use ayutil::SharedError;
///
/// let shared = SharedError::new(std::io::Error::other("disk full"));
/// let again = shared.clone(); // one error, two owners
/// assert_eq!(again.to_string(), "disk full");
/// assert_eq!(shared.get().kind(), std::io::ErrorKind::Other);
/// ```
pub struct SharedError<E>(Arc<E>);

impl<E> SharedError<E> {
    /// Shares `error`.
    ///
    /// # Examples
    ///
    /// ```
    /// let shared = ayutil::SharedError::new("timed out");
    /// assert_eq!(*shared.get(), "timed out");
    /// ```
    pub fn new(error: E) -> Self {
        Self(Arc::new(error))
    }

    /// The original error.
    ///
    /// # Examples
    ///
    /// ```
    /// let shared = ayutil::SharedError::new(404_u16);
    /// assert_eq!(*shared.get(), 404);
    /// ```
    #[must_use]
    pub fn get(&self) -> &E {
        &self.0
    }

    /// The `Arc` holding the original error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let shared = ayutil::SharedError::new(String::from("gone"));
    /// let arc: Arc<String> = shared.clone().into_arc();
    /// assert!(Arc::ptr_eq(&arc, &shared.into_arc()));
    /// ```
    #[must_use]
    pub fn into_arc(self) -> Arc<E> {
        self.0
    }
}

impl<E> Clone for SharedError<E> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<E: fmt::Debug> fmt::Debug for SharedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl<E: fmt::Display> fmt::Display for SharedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl<E: PartialEq> PartialEq for SharedError<E> {
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}

impl<E: Eq> Eq for SharedError<E> {}

/// The error's own causes, so a wrapper built around it chains exactly as it does: its
/// `Display` is the error's and its `source()` is the error's `source()`.
impl<E: Error> Error for SharedError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

/// An error type that `#[cached]` can hand to every caller of a failed computation
/// without being `Clone`: each caller gets one rebuilt around the shared original.
///
/// A `#[cached]` function returning `Result<T, E>` gives each caller of a failed
/// computation a clone of the error when `E: Clone`; otherwise `E` must implement this
/// trait. ayutil implements it for [`std::io::Error`] (same `kind()`, `Display` and
/// `source()`), `Box<dyn Error + Send + Sync>` and, with the `anyhow` feature,
/// `anyhow::Error` (same `{}`, `{:#}` and `{:?}` output and the same chain of causes).
/// The rebuilt error wraps the original: downcasting it to the original's type does not
/// work, but its message and causes are the original's.
///
/// # Examples
///
/// Your own non-`Clone` error type:
///
/// ```
/// use ayutil::{FromSharedError, SharedError};
///
/// #[derive(Debug)]
/// enum FetchError {
///     Status(u16),
///     Shared(SharedError<FetchError>),
/// }
///
/// impl FromSharedError for FetchError {
///     fn from_shared(shared: SharedError<Self>) -> Self {
///         FetchError::Shared(shared)
///     }
/// }
///
/// #[ayutil::cached]
/// async fn fetch(id: u32) -> Result<String, FetchError> {
///     Err(FetchError::Status(500 + id as u16))
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// match fetch(3).await {
///     Err(FetchError::Shared(shared)) => assert!(matches!(shared.get(), FetchError::Status(503))),
///     other => panic!("unexpected {other:?}"),
/// }
/// # }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Clone`: `#[cached]` cannot give it to every caller of a failed call",
    label = "every caller of a failed computation gets its own error",
    note = "derive or implement `Clone` for `{Self}`, implement `ayutil::FromSharedError` for it, or return `anyhow::Error` (feature `anyhow`), `std::io::Error` or `Box<dyn Error + Send + Sync>`"
)]
pub trait FromSharedError: Sized {
    /// An error for one caller, built around the shared original.
    ///
    /// # Examples
    ///
    /// ```
    /// use ayutil::{FromSharedError, SharedError};
    ///
    /// let original = SharedError::new(std::io::Error::new(std::io::ErrorKind::NotFound, "no such user"));
    /// let rebuilt = std::io::Error::from_shared(original);
    /// assert_eq!(rebuilt.kind(), std::io::ErrorKind::NotFound);
    /// assert_eq!(rebuilt.to_string(), "no such user");
    /// ```
    fn from_shared(shared: SharedError<Self>) -> Self;
}

impl FromSharedError for std::io::Error {
    /// An `io::Error` of the same kind, whose payload is the shared original.
    fn from_shared(shared: SharedError<Self>) -> Self {
        std::io::Error::new(shared.get().kind(), shared)
    }
}

impl FromSharedError for Box<dyn Error + Send + Sync> {
    fn from_shared(shared: SharedError<Self>) -> Self {
        Box::new(DynShared(shared))
    }
}

#[cfg(feature = "anyhow")]
#[cfg_attr(docsrs, doc(cfg(feature = "anyhow")))]
impl FromSharedError for anyhow::Error {
    /// An `anyhow::Error` whose message and chain of causes are the original's, so its
    /// `{}`, `{:#}` and `{:?}` output is the original's (without the backtrace).
    fn from_shared(shared: SharedError<Self>) -> Self {
        anyhow::Error::new(DynShared(shared))
    }
}

/// A shared error whose type is not itself an `Error` but holds one (`anyhow::Error`,
/// `Box<dyn Error + Send + Sync>`): it displays and chains as the error it holds.
struct DynShared<E>(SharedError<E>);

impl<E: AsRef<dyn Error + Send + Sync>> fmt::Debug for DynShared<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.get().as_ref(), f)
    }
}

impl<E: AsRef<dyn Error + Send + Sync>> fmt::Display for DynShared<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0.get().as_ref(), f)
    }
}

impl<E: AsRef<dyn Error + Send + Sync>> Error for DynShared<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.get().as_ref().source()
    }
}
