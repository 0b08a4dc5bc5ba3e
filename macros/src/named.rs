//! Recognising a type or an attribute by the last segment of its path, however the user
//! reached it: `Result`, `io::Result<T>`, `ayutil::Scope`; `#[cached]`,
//! `#[ayutil::cached(..)]`, `#[ay::cached]` (a renamed `ayutil`).

use syn::{Attribute, Path, Type};

/// Whether the last segment of `path` is `name`.
fn ends_with(path: &Path, name: &str) -> bool {
    path.segments
        .last()
        .is_some_and(|segment| segment.ident == name)
}

/// Whether `ty` is a path ending in `name` (looking through parentheses and invisible
/// groups), whatever its generic arguments.
pub(crate) fn is_type(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(path) => path.qself.is_none() && ends_with(&path.path, name),
        Type::Paren(inner) => is_type(&inner.elem, name),
        Type::Group(inner) => is_type(&inner.elem, name),
        _ => false,
    }
}

/// Whether `attr` is the attribute `name`, by the last segment of its path.
pub(crate) fn is_attr(attr: &Attribute, name: &str) -> bool {
    ends_with(attr.path(), name)
}
