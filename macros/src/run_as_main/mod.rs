//! `#[run_as_main]`: runs `async fn main()` (or `async fn main(run: ayutil::Scope)`) in a
//! root scope on a new tokio runtime.
//!
//! `parse` reads the options, `validate` checks the rules between them and the function
//! and returns a checked [`validate::Plan`], `expand` writes the `fn main` that calls
//! `ayutil::__private::run_as_main::run_main`.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::errors::{Errors, parse_fn};

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = parse::parse(args, &mut errors);
    let Some(func) = parse_fn(&item, &mut errors) else {
        return with_item(errors.into_error(), item);
    };
    match validate::validate(args, func, errors) {
        Ok(plan) => expand::expand(&plan),
        Err(err) => with_item(err, item),
    }
}

/// The error, next to the user's item so the editor keeps working. An `async fn main`
/// is renamed (with an empty `fn main` beside it), else rustc would add "`main` function
/// is not allowed to be `async`" to the real mistake.
fn with_item(err: syn::Error, item: TokenStream) -> TokenStream {
    let mut out = err.into_compile_error();
    match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(mut func) if func.sig.ident == "main" => {
            func.sig.ident = format_ident!("__ayutil_main", span = func.sig.ident.span());
            out.extend(quote! {
                #[allow(dead_code)]
                #func
                fn main() {}
            });
        }
        _ => out.extend(item),
    }
    out
}
