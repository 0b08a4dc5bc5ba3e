//! The `link!` and `try_link!` front ends. They bind `$crate::__private` and hand it to
//! the hidden proc macros, so the expansion survives a renamed or re-exported `ayutil`.

/// Evaluates every argument concurrently and returns a tuple of the results in argument
/// order: `asyncio.gather` that also takes sync callables and plain values.
///
/// Each argument is classified at compile time:
///
/// | argument | what `link!` does |
/// |---|---|
/// | a future or any [`IntoFuture`](core::future::IntoFuture) value | awaits it |
/// | a zero-argument function or closure returning a future (an `async fn` item, an async closure) | calls it, then awaits the future |
/// | a zero-argument function or closure returning anything else | calls it; its result is the slot's value |
/// | anything else | the value itself |
///
/// `link!(...)` is a lazy future: nothing happens until it is polled. At the first poll the
/// callables are called left to right, then all futures are driven concurrently in the
/// calling task, exactly as [`futures::join!`] drives them; there is no boxing and no heap
/// allocation. `link!()` resolves to `()`.
///
/// A sync closure runs inline on the executor thread during the first poll: a blocking
/// one (say `|| std::thread::sleep(d)`) delays every other item. Wrap blocking work in
/// [`offload`](crate::offload) to run it on tokio's blocking pool instead, where it
/// overlaps with the rest.
///
/// Errors are values: a future that yields `Result` puts that `Result` in its slot. Use
/// [`try_link!`](crate::try_link!) to stop at the first `Err`.
///
/// # What the classification cannot see
///
/// The kind is chosen from the argument's concrete type where the macro is written. Inside
/// a generic function, a bare type parameter `T` without bounds is always a value, even if
/// the caller passes a future; add a bound (`T: IntoFuture`) or await it yourself. A
/// function that takes arguments (`fn f(x: u8)`) is a value too: `link!` only calls
/// zero-argument callables. A closure literal with parameters is rejected at compile time.
///
/// # Examples
///
/// The demo of the Python `link`: an `async fn`, a future, a blocking closure and a value.
///
/// ```
/// use std::time::Duration;
///
/// async fn st() {
///     tokio::time::sleep(Duration::from_millis(10)).await;
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let out = ayutil::link!(
///     st,
///     tokio::time::sleep(Duration::from_millis(10)),
///     || std::thread::sleep(Duration::from_millis(10)),
///     420,
/// )
/// .await;
/// assert_eq!(out, ((), (), (), 420));
/// # }
/// ```
///
/// Without the macro the same code needs each item adapted by hand:
///
/// ```
/// # use std::time::Duration;
/// # async fn st() {}
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let out = futures::join!(
///     st(),
///     tokio::time::sleep(Duration::from_millis(10)),
///     async { std::thread::sleep(Duration::from_millis(10)) },
///     async { 420 },
/// );
/// assert_eq!(out, ((), (), (), 420));
/// # }
/// ```
///
/// [`futures::join!`]: https://docs.rs/futures/latest/futures/macro.join.html
#[macro_export]
macro_rules! link {
    ($($args:tt)*) => {
        $crate::__private::link_impl!($crate::__private; $($args)*)
    };
}

/// Like [`link!`](crate::link!), for fallible items: resolves to `Ok((t1, t2, ...))`, or
/// to the first `Err`, after dropping (cancelling) the items still running.
///
/// Every argument must produce a `Result`: a future of `Result`, a callable returning one
/// (async or not), or a `Result` value; anything else is a compile error on that argument.
/// The error type is the first item's; the errors of the other items are converted into
/// it with [`From`], as `?` does.
///
/// # Examples
///
/// ```
/// #[derive(Debug, PartialEq)]
/// struct Fail(String);
/// impl From<std::num::ParseIntError> for Fail {
///     fn from(e: std::num::ParseIntError) -> Self {
///         Fail(e.to_string())
///     }
/// }
///
/// async fn fetch() -> Result<u32, Fail> {
///     Ok(1)
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let ok = ayutil::try_link!(fetch, || "2".parse::<u32>()).await;
/// assert_eq!(ok, Ok((1, 2)));
///
/// let err = ayutil::try_link!(fetch, || "x".parse::<u32>(), std::future::pending::<Result<(), Fail>>()).await;
/// assert_eq!(err, Err(Fail("invalid digit found in string".into())));
/// # }
/// ```
#[macro_export]
macro_rules! try_link {
    ($($args:tt)*) => {
        $crate::__private::try_link_impl!($crate::__private; $($args)*)
    };
}
