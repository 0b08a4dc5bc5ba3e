//! Attribute arguments into [`EagerArgs`], read by the shared parser of [`crate::attr`].
//!
//! ```text
//! #[eager(local, crate = ::ay)]
//!         ^^^^^  ^^^^^^^^^^^^
//!         flag   option; each at most once, in any order
//! ```

use proc_macro2::TokenStream;
use syn::Path;

use crate::attr::{self, Attr, Flag, Options, Parsed};
use crate::errors::Errors;

const OPTIONS: Options = Options {
    macro_name: "#[eager]",
    valid: &["local", "crate = ay"],
};

pub(crate) struct EagerArgs {
    /// `local`: continue on the current `LocalSet` instead of as a `Send` task.
    pub(crate) local: Flag,
    /// `crate = path` (or `crate = "path"`): where `ayutil` is.
    pub(crate) krate: Attr<Path>,
}

/// The options; mistakes go to `errors`, what was read is kept.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> EagerArgs {
    let mut args = EagerArgs {
        local: Attr::none("local"),
        krate: Attr::none("crate"),
    };
    attr::parse_options(tokens, &OPTIONS, errors, |key, input, errors| {
        match key.to_string().as_str() {
            "local" => args.local.read(key, input, errors, attr::flag)?,
            "crate" => args.krate.read(key, input, errors, attr::crate_path)?,
            _ => return Ok(Parsed::Unknown),
        }
        Ok(Parsed::Known)
    });
    args
}
