//! Placeholder for the `batcher` capability; its issue fills it in.
