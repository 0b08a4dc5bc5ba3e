//! [`bounded`]: limits and capacities, the one rule for a size a user passes.
//!
//! `usize::MAX` (and `NonZeroUsize::MAX`) means "unbounded". tokio's semaphores and
//! bounded channels hold at most [`MAX_PERMITS`](tokio::sync::Semaphore::MAX_PERMITS)
//! permits and panic above it; a size that large bounds nothing in practice, so every
//! feature maps it to "no bound" through [`bounded`] instead of handing it to tokio.

#![allow(dead_code)] // Not every feature set uses every helper.

/// `Some(n)` when `n` is a bound tokio can enforce, `None` when `n` is so large that it
/// means "unbounded" (at or above tokio's `Semaphore::MAX_PERMITS`).
pub(crate) fn bounded(n: usize) -> Option<usize> {
    (n < tokio::sync::Semaphore::MAX_PERMITS).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_means_unbounded() {
        assert_eq!(bounded(usize::MAX), None);
        assert_eq!(bounded(tokio::sync::Semaphore::MAX_PERMITS), None);
        assert_eq!(bounded(1), Some(1));
        assert_eq!(bounded(0), Some(0));
    }
}
