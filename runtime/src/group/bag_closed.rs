//! [`BagClosed`]: a value or task offered to a bag whose stream was dropped.

use std::fmt;

/// A value or task was offered through a putter after the bag's stream (or the bag
/// itself) was dropped; nobody will ever read it, so it is handed back.
///
/// # Examples
///
/// ```
/// let bag = ayutil::Bag::<u32>::new();
/// let putter = bag.putter();
/// drop(bag);
/// assert_eq!(putter.put(7).unwrap_err().into_inner(), 7);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BagClosed<T>(pub(crate) T);

impl<T> BagClosed<T> {
    /// Returns the value that could not be delivered.
    ///
    /// # Examples
    ///
    /// ```
    /// let bag = ayutil::Bag::<String>::new();
    /// let putter = bag.putter();
    /// drop(bag);
    /// let closed = putter.put(String::from("report")).unwrap_err();
    /// // The value comes back whole, e.g. to hand it to a fallback.
    /// let report: String = closed.into_inner();
    /// assert_eq!(report, "report");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for BagClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BagClosed(..)")
    }
}

impl<T> fmt::Display for BagClosed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the bag's stream was dropped")
    }
}

impl<T> std::error::Error for BagClosed<T> {}
