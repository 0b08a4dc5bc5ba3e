//! `#[run_as_main]`: runs `async fn main(run: ayutil::Scope)` in a root scope on a new
//! tokio runtime.
//!
//! `parse` reads the options and the function, `validate` checks the rules between
//! them, `expand` writes the `fn main` that calls `ayutil::__private::scope::run_main`.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let result = parse::parse(args, item.clone()).and_then(|input| {
        validate::validate(&input)?;
        Ok(expand::expand(&input))
    });
    match result {
        Ok(tokens) => tokens,
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
