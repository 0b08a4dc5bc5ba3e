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
use syn::ItemFn;

use crate::errors::{Errors, parse_fn, with_item};
use crate::{attr, compose};

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let parsed = parse::parse(args.clone(), &mut errors);
    let Some(item_fn) = parse_fn(&item, &mut errors) else {
        return with_item(errors.into_error(), item);
    };
    if let Some(reordered) = below_provider(&args, &parsed, &item_fn) {
        return reordered;
    }
    match validate::validate(parsed, item_fn, errors) {
        Ok(plan) => expand::expand(&plan),
        Err(err) => with_item(err, item),
    }
}

/// `#[cached]` written above `#[provider]`: the provider must go first (see
/// [`crate::compose`]), so the function is re-emitted with `#[cached]` moved right below
/// `#[provider]`, which then keeps it on the provided function only.
fn below_provider(
    args: &TokenStream,
    parsed: &parse::CachedArgs,
    item: &ItemFn,
) -> Option<TokenStream> {
    let at = compose::first_to_run_before(&item.attrs, "cached")?;
    let krate = attr::crate_tokens(parsed.krate.get());
    Some(compose::moved_to(
        item.clone(),
        at + 1,
        &quote!(#krate::cached),
        args,
    ))
}
