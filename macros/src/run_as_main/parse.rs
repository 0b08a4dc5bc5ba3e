//! Options (`flavor = "..."`, `worker_threads = N`, `timeout = …`, `max_concurrency = N`,
//! `hooks = expr`, `crate = …`) and the function, into [`MainArgs`] and a `syn::ItemFn`.

use proc_macro2::TokenStream;
use syn::parse::ParseStream;
use syn::{Expr, ExprLit, Ident, Lit, Path};

use crate::attr::{self, Attr, DurationArg, Options, Parsed};
use crate::errors::Errors;

const OPTIONS: Options = Options {
    macro_name: "#[run_as_main]",
    valid: &[
        "flavor = \"current_thread\"",
        "worker_threads = 4",
        "timeout = \"30s\"",
        "max_concurrency = 10",
        "hooks = expression",
        "crate = ay",
    ],
};

/// Runtime flavor.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

pub(crate) struct MainArgs {
    pub(crate) flavor: Attr<Flavor>,
    pub(crate) worker_threads: Attr<usize>,
    pub(crate) timeout: Attr<DurationArg>,
    pub(crate) max_concurrency: Attr<usize>,
    pub(crate) hooks: Attr<Expr>,
    /// Path of the `ayutil` crate when the user renamed it (`crate = ay`).
    pub(crate) krate: Attr<Path>,
}

/// The options; mistakes go to `errors` and the options read so far are kept, so
/// `validate` can still report its own.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> MainArgs {
    let mut args = MainArgs {
        flavor: Attr::none("flavor"),
        worker_threads: Attr::none("worker_threads"),
        timeout: Attr::none("timeout"),
        max_concurrency: Attr::none("max_concurrency"),
        hooks: Attr::none("hooks"),
        krate: Attr::none("crate"),
    };
    attr::parse_options(tokens, &OPTIONS, errors, |key, input, errors| {
        match key.to_string().as_str() {
            "flavor" => args.flavor.read(key, input, errors, flavor)?,
            "worker_threads" => args
                .worker_threads
                .read(key, input, errors, attr::positive_int)?,
            "max_concurrency" => {
                args.max_concurrency
                    .read(key, input, errors, attr::positive_int)?
            }
            "timeout" => args.timeout.read(key, input, errors, attr::duration)?,
            "hooks" => args.hooks.read(key, input, errors, |key, input| {
                attr::value(key, input, "hooks = my_hooks()")
            })?,
            "crate" => args.krate.read(key, input, errors, attr::crate_path)?,
            _ => return Ok(Parsed::Unknown),
        }
        Ok(Parsed::Known)
    });
    args
}

/// `flavor = "current_thread"` or `flavor = "multi_thread"`.
fn flavor(key: &Ident, input: ParseStream<'_>) -> syn::Result<Flavor> {
    let value: Expr = attr::value(key, input, "flavor = \"current_thread\"")?;
    let expected = "expected `flavor = \"current_thread\"` or `flavor = \"multi_thread\"`";
    let Expr::Lit(ExprLit {
        lit: Lit::Str(s), ..
    }) = &value
    else {
        return Err(syn::Error::new_spanned(value, expected));
    };
    match s.value().as_str() {
        "current_thread" => Ok(Flavor::CurrentThread),
        "multi_thread" => Ok(Flavor::MultiThread),
        _ => Err(syn::Error::new(s.span(), expected)),
    }
}
