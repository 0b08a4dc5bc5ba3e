//! [`WaterfallError`]: the failed cell of a [`Waterfall`](crate::Waterfall) run.

use core::fmt;

/// A stage failed on one item; the run stopped there.
///
/// Cells that had not started never start; cells that were running are dropped. Outputs
/// the last stage had already delivered (in item order) come out of the run before it.
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
/// assert_eq!(err.to_string(), "stage 0 (check) failed on item 2: two");
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
    /// See [`WaterfallError`] for an example.
    pub fn stage(&self) -> usize {
        self.stage
    }

    /// Name of the failed stage, as given to [`Waterfall::stage`](crate::Waterfall::stage).
    ///
    /// See [`WaterfallError`] for an example.
    pub fn stage_name(&self) -> &str {
        &self.stage_name
    }

    /// Index of the item (column) the stage failed on, from 0, in input order.
    ///
    /// See [`WaterfallError`] for an example.
    pub fn item(&self) -> usize {
        self.item
    }

    /// The stage's own error.
    ///
    /// See [`WaterfallError`] for an example.
    pub fn into_source(self) -> Box<dyn std::error::Error + Send + Sync> {
        self.source
    }
}

impl fmt::Display for WaterfallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "stage {} ({}) failed on item {}: {}",
            self.stage, self.stage_name, self.item, self.source
        )
    }
}

impl std::error::Error for WaterfallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}
