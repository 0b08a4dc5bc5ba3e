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

#[cfg(test)]
mod tests {
    use super::is_type;
    use syn::Type;

    fn ty(text: &str) -> Type {
        syn::parse_str(text).unwrap()
    }

    #[test]
    fn a_type_is_named_by_its_last_segment() {
        assert!(is_type(&ty("Result<u8, E>"), "Result"));
        assert!(is_type(&ty("std::io::Result<()>"), "Result"));
        assert!(is_type(&ty("(ayutil::Scope)"), "Scope"));
        // A type forwarded by `macro_rules!` arrives in an invisible group.
        let inner: proc_macro2::TokenStream = "Scope<u8>".parse().unwrap();
        let group = proc_macro2::Group::new(proc_macro2::Delimiter::None, inner);
        let grouped: Type = syn::parse2(proc_macro2::TokenTree::Group(group).into()).unwrap();
        assert!(matches!(grouped, Type::Group(_)));
        assert!(is_type(&grouped, "Scope"));
    }

    #[test]
    fn other_shapes_are_not_named() {
        assert!(!is_type(&ty("Result::Ok"), "Result"));
        assert!(!is_type(&ty("<T as Tr>::Result"), "Result"));
        assert!(!is_type(&ty("&Result<u8, E>"), "Result"));
        assert!(!is_type(&ty("MyResult"), "Result"));
    }
}
