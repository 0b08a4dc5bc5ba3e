//! Attribute arguments into [`ProviderArgs`]: parameter names, then `key = value` options.
//!
//! ```text
//! #[provider(dic1, dic, from = PS, explicit = set_with_dict, crate = ::ay)]
//!            ^^^^^^^^^  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!            names      options, in any order, each at most once
//! ```

use proc_macro2::TokenStream;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Path, Token};

use crate::errors::Errors;

/// The options `#[provider]` knows, listed in every "unknown option" message.
const OPTIONS: &str = "`from = PROVIDER`, `explicit = fn_name`, `crate = path::to::ayutil`";

pub(crate) struct ProviderArgs {
    /// Candidate parameter names, in the order written.
    pub(crate) names: Vec<Ident>,
    /// `from = EXPR`: the provider.
    pub(crate) from: Opt<Expr>,
    /// `explicit = ident`: name of the explicit variant.
    pub(crate) explicit: Opt<Ident>,
    /// `crate = path`: where `ayutil` is.
    pub(crate) krate: Opt<Path>,
    /// Mistakes that did not stop the parse (unknown or repeated options); `validate`
    /// adds its own, so one build reports them all.
    pub(crate) errors: Errors,
}

/// One `key = value` option: set at most once, rejected in one place when repeated.
pub(crate) struct Opt<T> {
    pub(crate) value: Option<T>,
}

impl<T> Opt<T> {
    const fn new() -> Self {
        Self { value: None }
    }

    fn set(&mut self, key: &Ident, value: T, errors: &mut Errors) {
        if self.value.is_some() {
            errors.push(syn::Error::new(
                key.span(),
                format!("duplicate option `{key}`; give it once"),
            ));
        } else {
            self.value = Some(value);
        }
    }
}

pub(crate) fn parse_args(tokens: TokenStream) -> syn::Result<ProviderArgs> {
    parse_list.parse2(tokens)
}

fn parse_list(input: ParseStream<'_>) -> syn::Result<ProviderArgs> {
    let mut args = ProviderArgs {
        names: Vec::new(),
        from: Opt::new(),
        explicit: Opt::new(),
        krate: Opt::new(),
        errors: Errors::default(),
    };
    while !input.is_empty() {
        // `crate` is a keyword; `parse_any` takes it (and raw identifiers) as an ident.
        let key = Ident::parse_any(input)?;
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            parse_option(input, &key, &mut args)?;
        } else if key == "crate" {
            args.errors.push(syn::Error::new(
                key.span(),
                "expected `crate = path::to::ayutil`",
            ));
        } else {
            args.names.push(key);
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(args)
}

fn parse_option(input: ParseStream<'_>, key: &Ident, args: &mut ProviderArgs) -> syn::Result<()> {
    let errors = &mut args.errors;
    match key.unraw().to_string().as_str() {
        "from" => args.from.set(key, input.parse()?, errors),
        "explicit" => args.explicit.set(key, input.parse()?, errors),
        "crate" => args.krate.set(key, Path::parse_mod_style(input)?, errors),
        _ => {
            errors.push(syn::Error::new(
                key.span(),
                format!("unknown option `{key}`; valid options are {OPTIONS}"),
            ));
            // Skip the value so the rest of the list is still checked.
            input.parse::<Expr>()?;
        }
    }
    Ok(())
}
