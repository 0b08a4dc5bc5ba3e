//! [`eager`]: the attribute macro, documented here where its doctests can run.

/// Makes an `async fn` eager: calling it runs the body at once, until it first waits, and
/// returns an [`Eager`] future for the rest.
///
/// `#[eager] async fn f(args) -> T` becomes `fn f(args) -> Eager<T>`: the body starts on
/// the caller's stack at the call, as [`eager`][eager-fn] does for any future. A body that
/// finishes (or panics) during the call is held in the `Eager`, and nothing is spawned; a
/// body that waits continues as a tokio task, which is why the body must be
/// `Send + 'static`. With `#[eager(local)]` it continues on the current
/// [`LocalSet`](tokio::task::LocalSet) instead, and need not be `Send`.
///
/// Arguments are moved into the body, as in any `async fn`, so none may borrow from the
/// caller: `&self`, `&str` and other references are compile errors that name an owned
/// alternative (`self: Arc<Self>`, `String`).
///
/// # Options
///
/// | option | meaning |
/// |---|---|
/// | `local` | continue a waiting body with `tokio::task::spawn_local`: the body need not be `Send`, and a call whose body waits must happen inside a `LocalSet`. |
/// | `crate = path` | the path of `ayutil` when the dependency is renamed (`crate = "ay"` works too). |
///
/// # With `#[cached]` and `#[provider]`
///
/// Above or below either of them, `#[eager]` applies last: the cached (or provided)
/// function is the one that starts at the call. A cache hit finishes during the call, so
/// it spawns nothing; with `#[provider]`, both the function and its `_with` variant are
/// eager.
///
/// # Panics
///
/// A panic of the body is held and resumed where the `Eager` is awaited. The call panics,
/// at the caller, if the body waits where it cannot continue: outside a tokio runtime, or
/// (with `local`) outside a `LocalSet`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// #[ayutil::eager]
/// async fn fetch(id: u32) -> String {
///     tokio::time::sleep(Duration::from_millis(100)).await; // the request is in flight
///     format!("item {id}")
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let start = tokio::time::Instant::now();
/// let item = fetch(7); // sent now
/// tokio::time::sleep(Duration::from_millis(100)).await; // other work meanwhile
/// assert_eq!(item.await, "item 7");
/// assert_eq!(start.elapsed(), Duration::from_millis(100)); // not 200
/// # }
/// ```
///
/// Without the macro, `fetch` is:
///
/// ```text
/// #[track_caller]
/// fn fetch(id: u32) -> Eager<String> {
///     ayutil::eager(async move {
///         let id = id;
///         tokio::time::sleep(Duration::from_millis(100)).await;
///         format!("item {id}")
///     })
/// }
/// ```
///
/// [`Eager`]: crate::future::Eager
/// [eager-fn]: fn@crate::future::eager
pub use ayutil_macros::eager;
