//! `#[provider(names..., from = PROVIDER)]`: fill one parameter from a provider at every
//! call, and keep an explicit variant that takes it as an argument.
//!
//! `parse` turns the attribute's arguments into [`parse::ProviderArgs`] and the item into
//! a `syn::ItemFn`; `validate` checks them against each other and picks the provided
//! parameter ([`validate::Plan`]); `expand` writes the two functions.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

use crate::errors::{Errors, parse_fn, with_item};

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = parse::parse(args, &mut errors);
    let Some(function) = parse_fn(&item, &mut errors) else {
        return with_item(errors.into_error(), item);
    };
    match validate::validate(args, &function, errors) {
        Ok(plan) => expand::expand(&plan, function),
        Err(err) => with_item(err, item),
    }
}
