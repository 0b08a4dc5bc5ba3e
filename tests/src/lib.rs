//! Integration tests of ayutil live in `tests/`, one file per feature.
