//! A member that depends on `ayutil` under the name `ay`; see `tests/`.
