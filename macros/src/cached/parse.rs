//! Tokens into [`CachedArgs`]: the options inside `#[cached(...)]`, read by the shared
//! parser of [`crate::attr`].
//!
//! ```text
//! #[cached(ttl = "10s", max = 100, key: String = url.to_string(), cache_errors, local, task, in_impl, crate = ay)]
//! ```

use proc_macro2::TokenStream;
use syn::{Expr, Path, Token, Type};

use crate::attr::{self, Attr, DurationArg, Flag, Options, Parsed};
use crate::errors::Errors;

const OPTIONS: Options = Options {
    macro_name: "#[cached]",
    valid: &[
        "ttl = \"10s\"",
        "max = 100",
        "key: Type = expression",
        "cache_errors",
        "local",
        "task",
        "in_impl",
        "crate = ay",
    ],
};

/// `key: Type = expression`.
pub(crate) struct KeyOption {
    pub(crate) ty: Type,
    pub(crate) expr: Expr,
}

/// The parsed options.
pub(crate) struct CachedArgs {
    pub(crate) ttl: Attr<DurationArg>,
    pub(crate) max: Attr<usize>,
    pub(crate) key: Attr<KeyOption>,
    pub(crate) cache_errors: Flag,
    pub(crate) local: Flag,
    pub(crate) task: Flag,
    pub(crate) in_impl: Flag,
    /// `crate = …`: where `ayutil` is, when the user renamed it.
    pub(crate) krate: Attr<Path>,
}

/// The options; mistakes go to `errors`, the options read so far are kept.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> CachedArgs {
    let mut args = CachedArgs {
        ttl: Attr::none("ttl"),
        max: Attr::none("max"),
        key: Attr::none("key"),
        cache_errors: Flag::none("cache_errors"),
        local: Flag::none("local"),
        task: Flag::none("task"),
        in_impl: Flag::none("in_impl"),
        krate: Attr::none("crate"),
    };
    attr::parse_options(tokens, &OPTIONS, errors, |key, input, errors| {
        match key.to_string().as_str() {
            "ttl" => args.ttl.read(key, input, errors, attr::duration)?,
            "max" => {
                let lit = attr::int_literal(key, input, "max = 100")?;
                let max: usize = lit.base10_parse()?;
                if max == 0 {
                    return Err(syn::Error::new(
                        lit.span(),
                        "`max` must be at least 1: remove `max` for an unbounded cache",
                    ));
                }
                args.max.set(key, max, errors);
            }
            "key" => {
                if !input.peek(Token![:]) {
                    return Err(syn::Error::new(
                        key.span(),
                        "write the key type: `key: Type = expression` (it names the cache handle's key)",
                    ));
                }
                input.parse::<Token![:]>()?;
                let ty: Type = input.parse()?;
                let expr: Expr = attr::value(key, input, "key: Type = expression")?;
                args.key.set(key, KeyOption { ty, expr }, errors);
            }
            "cache_errors" => args.cache_errors.read(key, input, errors, attr::flag)?,
            "local" => args.local.read(key, input, errors, attr::flag)?,
            "task" => args.task.read(key, input, errors, attr::flag)?,
            "in_impl" => args.in_impl.read(key, input, errors, attr::flag)?,
            "crate" => args.krate.read(key, input, errors, attr::crate_path)?,
            _ => return Ok(Parsed::Unknown),
        }
        Ok(Parsed::Known)
    });
    args
}
