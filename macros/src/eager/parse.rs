//! Attribute arguments into [`EagerArgs`]: the `local` flag and `crate = path`.
//!
//! ```text
//! #[eager(local, crate = ::ay)]
//!         ^^^^^  ^^^^^^^^^^^^
//!         flag   option; each at most once, in any order
//! ```

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Path, Token};

use crate::errors::Errors;

/// The options `#[eager]` knows, listed in every "unknown option" message.
const OPTIONS: &str = "`local`, `crate = path::to::ayutil`";

pub(crate) struct EagerArgs {
    /// `local`: continue on the current `LocalSet` instead of as a `Send` task.
    pub(crate) local: Option<Ident>,
    /// `crate = path` (or `crate = "path"`): where `ayutil` is.
    pub(crate) krate: Option<Path>,
    /// Mistakes that did not stop the parse; `validate` adds its own, so one build reports
    /// them all.
    pub(crate) errors: Errors,
}

pub(crate) fn parse_args(tokens: TokenStream) -> syn::Result<EagerArgs> {
    parse_list.parse2(tokens)
}

fn parse_list(input: ParseStream<'_>) -> syn::Result<EagerArgs> {
    let mut args = EagerArgs {
        local: None,
        krate: None,
        errors: Errors::default(),
    };
    while !input.is_empty() {
        // `crate` is a keyword; `parse_any` takes it (and raw identifiers) as an ident.
        let key = Ident::parse_any(input)?;
        match key.unraw().to_string().as_str() {
            "local" if !input.peek(Token![=]) => {
                if args.local.is_some() {
                    duplicate(&key, &mut args.errors);
                }
                args.local = Some(key);
            }
            "crate" if input.peek(Token![=]) => {
                input.parse::<Token![=]>()?;
                let path = if input.peek(LitStr) {
                    input.parse::<LitStr>()?.parse_with(Path::parse_mod_style)?
                } else {
                    Path::parse_mod_style(input)?
                };
                if args.krate.is_some() {
                    duplicate(&key, &mut args.errors);
                }
                args.krate = Some(path);
            }
            "local" => {
                args.errors.push_at(
                    key.span(),
                    "`local` takes no value; write `#[eager(local)]`",
                );
                skip_value(input)?;
            }
            "crate" => args
                .errors
                .push_at(key.span(), "expected `crate = path::to::ayutil`"),
            _ => {
                args.errors.push_at(
                    key.span(),
                    format!("unknown option `{key}`; valid options are {OPTIONS}"),
                );
                if input.peek(Token![=]) {
                    skip_value(input)?;
                }
            }
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(args)
}

fn duplicate(key: &Ident, errors: &mut Errors) {
    errors.push_at(
        key.span(),
        format!("duplicate option `{key}`; give it once"),
    );
}

/// Skips `= value` so the rest of the list is still checked.
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    input.parse::<Token![=]>()?;
    input.parse::<syn::Expr>()?;
    Ok(())
}
