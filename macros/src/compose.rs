//! How ayutil's attribute macros stack on one function: they run in one order whatever
//! order the user wrote them in. `#[provider]` runs first, so its parameter is never part
//! of a cache key and its `_with` variant (which takes the dependency as an argument) is
//! not cached; then `#[cached]`; then `#[eager]`, which turns the `async fn` the others
//! read into a plain `fn`. A macro written above one that must run first only re-emits the
//! item with itself moved below that attribute.
//!
//! ```text
//! #[cached(opts)] #[provider(db, from = DB)] fn f(..)  =>  #[provider(db, from = DB)] #[::ayutil::cached(opts)] fn f(..)
//! ```

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ItemFn;

use crate::named;

/// ayutil's attribute macros that rewrite a function, in the order they run.
const ORDER: [&str; 3] = ["provider", "cached", "eager"];

/// The index of the first attribute of `attrs` that must run before the macro `name`.
pub(crate) fn first_to_run_before(attrs: &[syn::Attribute], name: &str) -> Option<usize> {
    let earlier = ORDER
        .iter()
        .position(|&macro_name| macro_name == name)
        .map_or(&[][..], |own| &ORDER[..own]);
    attrs
        .iter()
        .position(|attr| earlier.iter().any(|&before| named::is_attr(attr, before)))
}

/// `item` with the attribute `#[path(args)]` inserted at index `at` of its attributes:
/// the macro at `path` moved there, to run after every attribute above it.
pub(crate) fn moved_to(
    mut item: ItemFn,
    at: usize,
    path: &TokenStream,
    args: &TokenStream,
) -> TokenStream {
    item.attrs.insert(at, syn::parse_quote!(#[#path(#args)]));
    item.into_token_stream()
}

#[cfg(test)]
mod tests {
    use super::first_to_run_before;
    use syn::Attribute;

    fn attrs(tokens: proc_macro2::TokenStream) -> Vec<Attribute> {
        let item: syn::ItemFn = syn::parse2(quote::quote!(#tokens fn f() {})).unwrap();
        item.attrs
    }

    #[test]
    fn each_macro_waits_for_the_ones_before_it() {
        let all = attrs(
            quote::quote!(#[doc = "x"] #[eager] #[ay::cached(max = 1)] #[ayutil::provider(a, from = P)]),
        );
        assert_eq!(first_to_run_before(&all, "provider"), None);
        assert_eq!(first_to_run_before(&all, "cached"), Some(3));
        assert_eq!(first_to_run_before(&all, "eager"), Some(2));
    }

    #[test]
    fn other_attributes_are_not_waited_for() {
        let other = attrs(quote::quote!(#[inline] #[eager] #[tokio::main] #[cache]));
        assert_eq!(first_to_run_before(&other, "eager"), None);
        assert_eq!(first_to_run_before(&other, "cached"), None);
    }
}
