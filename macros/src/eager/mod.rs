//! `#[eager]` and `#[eager(local)]`: an `async fn` that starts at the call.
//!
//! `parse` turns the attribute's arguments into [`parse::EagerArgs`]; `validate` checks
//! them against the function ([`validate::Plan`]); `expand` rewrites the function.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

use crate::errors::with_item;

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(err) => return with_item(err, item),
    };
    let parsed = match parse::parse_args(args.clone()) {
        Ok(parsed) => parsed,
        Err(err) => return with_item(err, item),
    };
    match validate::validate(parsed, &function) {
        Ok(plan) => expand::expand(&plan, args, function),
        Err(err) => with_item(err, item),
    }
}
