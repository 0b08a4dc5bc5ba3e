//! [`BagResult`]: what a task spawned into a [`Bag`](crate::Bag) or
//! [`OrderedBag`](crate::OrderedBag) may return.

use core::convert::Infallible;

/// The output of a task spawned into a [`Bag`](crate::Bag) or
/// [`OrderedBag`](crate::OrderedBag): `Some(value)` to yield a value, `None` or `()` to
/// yield nothing, or `Result<Option<T>, E>` for a task that can fail.
///
/// The unwrapped forms are only accepted by a bag whose error type is [`Infallible`], so
/// `Bag::new()` needs no type annotation when no task can fail. A fallible task that only
/// puts values ends with `Ok(None)`; there is deliberately no `Result<(), E>` form, so
/// that a bare `Err(e)` never leaves the value type ambiguous.
///
/// # Examples
///
/// ```
/// use futures::StreamExt as _;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let bag = ayutil::OrderedBag::new();
/// bag.spawn(async { Some(1) });
/// bag.spawn(async { None }); // keeps its slot, yields nothing
/// bag.spawn(async { Some(3) });
/// let out: Vec<_> = bag.into_stream().map(Result::unwrap).collect().await;
/// assert_eq!(out, [1, 3]);
/// # }
/// ```
pub trait BagResult<T, E> {
    /// Converts the output into the value to yield, if any, or the task's error.
    ///
    /// # Errors
    ///
    /// The task's own error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use ayutil::BagResult;
    ///
    /// assert_eq!(BagResult::<_, Infallible>::into_bag_result(Some(1)), Ok(Some(1)));
    /// assert_eq!(BagResult::<u8, Infallible>::into_bag_result(()), Ok(None));
    /// let failed: Result<Option<u8>, &str> = Err("no");
    /// assert_eq!(failed.into_bag_result(), Err("no"));
    /// ```
    fn into_bag_result(self) -> Result<Option<T>, E>;
}

impl<T> BagResult<T, Infallible> for Option<T> {
    fn into_bag_result(self) -> Result<Option<T>, Infallible> {
        Ok(self)
    }
}

impl<T> BagResult<T, Infallible> for () {
    fn into_bag_result(self) -> Result<Option<T>, Infallible> {
        Ok(None)
    }
}

impl<T, E> BagResult<T, E> for Result<Option<T>, E> {
    fn into_bag_result(self) -> Result<Option<T>, E> {
        self
    }
}
