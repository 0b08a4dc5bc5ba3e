//! Placeholder for the `group` capability; its issue fills it in.
