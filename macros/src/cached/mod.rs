//! `#[cached]`: memoize a function with single-flight de-duplication.
//!
//! `parse` reads the options with the shared parser of [`crate::attr`], `validate` checks
//! them against the function and returns a [`validate::Plan`], `expand` writes the
//! function and its `<name>_cache()` handle.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, ItemFn};

use crate::attr;
use crate::errors::{Errors, with_item};

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let parsed = parse::parse(args.clone(), &mut errors);
    let item_fn = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(item_fn) => item_fn,
        Err(err) => {
            errors.push(err);
            return with_item(errors.into_error(), item);
        }
    };
    if let Some(reordered) = below_provider(&args, &parsed, &item_fn) {
        return reordered;
    }
    match validate::validate(parsed, item_fn, errors) {
        Ok(plan) => expand::expand(&plan),
        Err(err) => with_item(err, item),
    }
}

/// `#[cached]` written above `#[provider]`: the provider must go first, so that its
/// injected parameter is never part of the key and its `_with` variant (which takes the
/// dependency explicitly) is not cached. Re-emits the function with `#[cached]` moved
/// right below `#[provider]`; `#[provider]` then keeps it on the provided function only.
///
/// ```text
/// #[cached(opts)] #[provider(db, from = DB)] fn f(..)  =>  #[provider(db, from = DB)] #[::ayutil::cached(opts)] fn f(..)
/// ```
fn below_provider(
    args: &TokenStream,
    parsed: &parse::CachedArgs,
    item: &ItemFn,
) -> Option<TokenStream> {
    let at = item.attrs.iter().position(is_provider)?;
    let krate = attr::crate_tokens(parsed.krate.get());
    let mut item = item.clone();
    let cached: Attribute = syn::parse_quote!(#[#krate::cached(#args)]);
    item.attrs.insert(at + 1, cached);
    Some(quote!(#item))
}

/// An attribute named `provider` (`#[provider]`, `#[ayutil::provider]`, `#[ay::provider]`).
fn is_provider(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "provider")
}
