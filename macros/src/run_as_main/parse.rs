//! Options (`flavor = "..."`, `worker_threads = N`, `timeout = …`, `max_concurrency = N`,
//! `hooks = expr`, `crate = …`) and the function, into [`MainArgs`] and a `syn::ItemFn`.

use proc_macro2::TokenStream;
use syn::{Expr, ExprLit, Lit, Path};

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
            "flavor" => {
                let value: Expr = attr::value(key, input, "flavor = \"current_thread\"")?;
                args.flavor.set(key, flavor(&value)?, errors);
            }
            "worker_threads" => {
                let n = attr::positive_int(key, input)?;
                args.worker_threads.set(key, n, errors);
            }
            "max_concurrency" => {
                let n = attr::positive_int(key, input)?;
                args.max_concurrency.set(key, n, errors);
            }
            "timeout" => {
                let timeout = attr::duration(key, input)?;
                args.timeout.set(key, timeout, errors);
            }
            "hooks" => {
                let hooks = attr::value(key, input, "hooks = my_hooks()")?;
                args.hooks.set(key, hooks, errors);
            }
            "crate" => {
                let path = attr::crate_path(key, input)?;
                args.krate.set(key, path, errors);
            }
            _ => return Ok(Parsed::Unknown),
        }
        Ok(Parsed::Known)
    });
    args
}

fn flavor(value: &Expr) -> syn::Result<Flavor> {
    let expected = "expected `flavor = \"current_thread\"` or `flavor = \"multi_thread\"`";
    let Expr::Lit(ExprLit {
        lit: Lit::Str(s), ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(value, expected));
    };
    match s.value().as_str() {
        "current_thread" => Ok(Flavor::CurrentThread),
        "multi_thread" => Ok(Flavor::MultiThread),
        _ => Err(syn::Error::new(s.span(), expected)),
    }
}
