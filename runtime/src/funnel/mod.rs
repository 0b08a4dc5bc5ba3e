//! Placeholder for the `funnel` capability; its issue fills it in.
