//! `link!` and `try_link!`: gather heterogeneous items into one tuple.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

/// Which front end called the macro.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `link!`: every output is a value in its slot.
    Plain,
    /// `try_link!`: every output is a `Result`; the first `Err` ends the gather.
    Try,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Plain => "link!",
            Mode::Try => "try_link!",
        }
    }
}

pub(crate) fn expand_entry(input: TokenStream, mode: Mode) -> TokenStream {
    parse::parse(input, mode)
        .and_then(|parsed| validate::validate(&parsed, mode).map(|()| parsed))
        .map_or_else(to_compile_errors, |parsed| expand::expand(&parsed, mode))
}

/// The macro stands in expression position, where several `compile_error!`s in a row do
/// not parse: a block holds them as statements.
fn to_compile_errors(err: syn::Error) -> TokenStream {
    let errors = err.into_compile_error();
    quote::quote! { { #errors } }
}
