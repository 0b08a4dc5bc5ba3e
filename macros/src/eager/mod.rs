//! `#[eager]` and `#[eager(local)]`: an `async fn` that starts at the call.
//!
//! `parse` reads the options with the shared parser of [`crate::attr`] into
//! [`parse::EagerArgs`]; `validate` checks them against the function and returns a
//! [`validate::Plan`]; `expand` rewrites the function.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

use crate::errors::{Errors, parse_fn, with_item};

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let parsed = parse::parse(args.clone(), &mut errors);
    let Some(function) = parse_fn(&item, &mut errors) else {
        return with_item(errors.into_error(), item);
    };
    match validate::validate(parsed, &function, errors) {
        Ok(plan) => expand::expand(&plan, args, function),
        Err(err) => with_item(err, item),
    }
}
