//! Placeholder for the `iter_stream` capability; its issue fills it in.
