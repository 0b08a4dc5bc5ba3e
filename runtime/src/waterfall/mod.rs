//! Placeholder for the `waterfall` capability; its issue fills it in.
