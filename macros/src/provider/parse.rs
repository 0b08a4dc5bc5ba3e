//! Attribute arguments into [`ProviderArgs`]: parameter names, then `key = value` options,
//! read by the shared parser of [`crate::attr`].
//!
//! ```text
//! #[provider(dic1, dic, from = PS, explicit = set_with_dict, crate = ::ay)]
//!            ^^^^^^^^^  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!            names      options, in any order, each at most once
//! ```

use proc_macro2::TokenStream;
use syn::{Expr, Ident, Path, Token};

use crate::attr::{self, Attr, Options, Parsed};
use crate::errors::Errors;

const OPTIONS: Options = Options {
    macro_name: "#[provider]",
    valid: &[
        "parameter_name",
        "from = PROVIDER",
        "explicit = fn_name",
        "crate = ay",
    ],
};

pub(crate) struct ProviderArgs {
    /// Candidate parameter names, in the order written.
    pub(crate) names: Vec<Ident>,
    /// `from = EXPR`: the provider.
    pub(crate) from: Attr<Expr>,
    /// `explicit = ident`: name of the explicit variant.
    pub(crate) explicit: Attr<Ident>,
    /// `crate = path`: where `ayutil` is.
    pub(crate) krate: Attr<Path>,
}

/// The names and options; mistakes go to `errors`, what was read is kept.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> ProviderArgs {
    let mut args = ProviderArgs {
        names: Vec::new(),
        from: Attr::none("from"),
        explicit: Attr::none("explicit"),
        krate: Attr::none("crate"),
    };
    attr::parse_options(tokens, &OPTIONS, errors, |key, input, errors| {
        let is_option = input.peek(Token![=]);
        match key.to_string().as_str() {
            "from" if is_option => args.from.read(key, input, errors, |key, input| {
                attr::value(key, input, "from = PROVIDER")
            })?,
            "explicit" if is_option => args.explicit.read(key, input, errors, |key, input| {
                attr::value(key, input, "explicit = fn_name")
            })?,
            "crate" => args.krate.read(key, input, errors, attr::crate_path)?,
            _ if is_option => return Ok(Parsed::Unknown),
            // A bare name: a parameter the provider may fill.
            _ => args.names.push(key.clone()),
        }
        Ok(Parsed::Known)
    });
    args
}
