//! `#[run_as_main]`: runs `async fn main(run: ayutil::Scope)` in a root scope on a new
//! tokio runtime.
//!
//! `parse` reads the options and the function, `validate` checks the rules between
//! them, `expand` writes the `fn main` that calls `ayutil::__private::scope::run_main`.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let result = parse::parse(args, item.clone()).and_then(|input| {
        validate::validate(&input)?;
        Ok(expand::expand(&input))
    });
    match result {
        Ok(tokens) => tokens,
        Err(err) => {
            // Keep the user's item next to the error: no follow-on "main not found".
            let mut out = err.into_compile_error();
            out.extend(item);
            out
        }
    }
}
