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
    let parsed = match parse::parse(input, mode) {
        Ok(parsed) => parsed,
        Err(err) => return err.into_compile_error(),
    };
    if let Err(err) = validate::validate(&parsed, mode) {
        return err.into_compile_error();
    }
    expand::expand(&parsed, mode)
}
