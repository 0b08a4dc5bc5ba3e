//! `#[cached]`: memoize a function with single-flight de-duplication.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

use crate::errors::with_item;
use syn::ItemFn;

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed_args = parse::parse(args);
    let parsed_item = syn::parse2::<ItemFn>(item.clone());
    let (args, item_fn) = match (parsed_args, parsed_item) {
        (Ok(args), Ok(item_fn)) => (args, item_fn),
        (Err(mut err), Err(item_err)) => {
            err.combine(item_err);
            return with_item(err, item);
        }
        (Err(err), _) | (_, Err(err)) => return with_item(err, item),
    };
    if let Err(err) = validate::validate(&args, &item_fn) {
        return with_item(err, item);
    }
    expand::expand(&args, &item_fn)
}
