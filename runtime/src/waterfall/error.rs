//! [`WaterfallError`]: the failed cell of a [`Waterfall`](crate::Waterfall) run.

use core::fmt;

/// A stage failed on one item; the run stopped there.
///
/// Cells that had not started never start; cells that were running are dropped. Outputs
/// the last stage had already delivered (in item order) come out of the run before it.
///
/// Its `Display` names the stage and the item; the stage's own error is its
/// [`source`](std::error::Error::source) (so `anyhow`'s `{:#}` reads
/// `stage 0 (download) failed on item 17: <the error>`, with the error's own causes and
/// contexts after it, each once).
///
/// # Examples
///
/// ```
/// use std::num::NonZeroUsize;
/// use futures::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let wf = ayutil::Waterfall::<u32>::new()
///     .try_stage("check", NonZeroUsize::MAX, |x| async move { if x == 2 { Err("two") } else { Ok(x) } });
/// let out: Vec<_> = wf.run([0, 1, 2, 3]).collect().await;
/// let err = out.into_iter().find_map(Result::err).unwrap();
/// assert_eq!((err.stage(), err.stage_name(), err.item()), (0, "check", 2));
/// assert_eq!(err.to_string(), "stage 0 (check) failed on item 2");
/// assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "two");
/// # }
/// ```
#[derive(Debug)]
pub struct WaterfallError {
    stage: usize,
    stage_name: String,
    item: usize,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl WaterfallError {
    pub(crate) fn new(
        stage: usize,
        stage_name: String,
        item: usize,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Self {
        Self {
            stage,
            stage_name,
            item,
            source,
        }
    }

    /// Index of the failed stage (row), from 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<i32>::new()
    ///     .stage("negate", NonZeroUsize::MAX, |x| async move { -x })
    ///     .try_stage("check", NonZeroUsize::MAX, |x| async move {
    ///         if x < 0 { Ok(x) } else { Err("not negative") }
    ///     });
    /// let mut run = wf.run([0]);
    /// let err = run.next().await.unwrap().unwrap_err();
    /// assert_eq!(err.stage(), 1, "the second stage failed");
    /// # }
    /// ```
    pub fn stage(&self) -> usize {
        self.stage
    }

    /// Name of the failed stage, as given to [`Waterfall::stage`](crate::Waterfall::stage).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<&str>::new()
    ///     .try_stage("parse", NonZeroUsize::MAX, |s| async move { s.parse::<u8>() })
    ///     .stage("double", NonZeroUsize::MAX, |n| async move { u16::from(n) * 2 });
    /// let mut run = wf.run(["300"]);
    /// let err = run.next().await.unwrap().unwrap_err();
    /// assert_eq!(err.stage_name(), "parse");
    /// # }
    /// ```
    pub fn stage_name(&self) -> &str {
        &self.stage_name
    }

    /// Index of the item (column) the stage failed on, from 0, in input order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<u32>::new()
    ///     .try_stage("halve", NonZeroUsize::MAX, |x| async move {
    ///         if x % 2 == 0 { Ok(x / 2) } else { Err(format!("{x} is odd")) }
    ///     });
    /// let out: Vec<_> = wf.run([8, 4, 7, 2]).collect().await;
    /// let err = out.into_iter().find_map(Result::err).unwrap();
    /// assert_eq!(err.item(), 2, "7 is the third item");
    /// assert_eq!(err.to_string(), "stage 0 (halve) failed on item 2");
    /// # }
    /// ```
    pub fn item(&self) -> usize {
        self.item
    }

    /// The stage's own error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::{NonZeroUsize, ParseIntError};
    /// use futures::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let wf = ayutil::Waterfall::<&str>::new()
    ///     .try_stage("parse", NonZeroUsize::MAX, |s| async move { s.parse::<u32>() });
    /// let mut run = wf.run(["x"]);
    /// let err = run.next().await.unwrap().unwrap_err();
    /// let source = err.into_source().downcast::<ParseIntError>().unwrap();
    /// assert_eq!(*source, "x".parse::<u32>().unwrap_err());
    /// # }
    /// ```
    pub fn into_source(self) -> Box<dyn std::error::Error + Send + Sync> {
        self.source
    }
}

impl fmt::Display for WaterfallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "stage {} ({}) failed on item {}",
            self.stage, self.stage_name, self.item
        )
    }
}

impl std::error::Error for WaterfallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}
