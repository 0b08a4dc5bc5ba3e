//! Options (`flavor = "..."`, `worker_threads = N`, `timeout = expr`,
//! `max_concurrency = N`, `hooks = expr`) and the function, into [`MainInput`].

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ItemFn, Lit, LitInt, MetaNameValue, Token};

use crate::errors::Errors;

/// Every option the macro accepts, in the order the error message lists them.
const OPTIONS: &str = "`flavor`, `worker_threads`, `timeout`, `max_concurrency`, `hooks`, `crate`";

/// One option: set at most once (serde's `Attr<T>`).
pub(crate) struct Opt<T> {
    name: &'static str,
    pub(crate) value: Option<(Span, T)>,
}

impl<T> Opt<T> {
    fn new(name: &'static str) -> Self {
        Self { name, value: None }
    }

    fn set(&mut self, span: Span, value: T, errors: &mut Errors) {
        if self.value.is_some() {
            errors.push(syn::Error::new(
                span,
                format!("duplicate option `{}`", self.name),
            ));
        } else {
            self.value = Some((span, value));
        }
    }

    pub(crate) fn get(&self) -> Option<&T> {
        self.value.as_ref().map(|(_, v)| v)
    }

    pub(crate) fn span(&self) -> Option<Span> {
        self.value.as_ref().map(|(s, _)| *s)
    }
}

/// Runtime flavor.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

pub(crate) struct MainInput {
    pub(crate) flavor: Opt<Flavor>,
    pub(crate) worker_threads: Opt<LitInt>,
    pub(crate) timeout: Opt<Expr>,
    pub(crate) max_concurrency: Opt<LitInt>,
    pub(crate) hooks: Opt<Expr>,
    /// Path of the `ayutil` crate when the user renamed it (`crate = "ay"`).
    pub(crate) krate: Opt<syn::Path>,
    pub(crate) func: ItemFn,
}

pub(crate) fn parse(args: TokenStream, item: TokenStream) -> syn::Result<MainInput> {
    let func: ItemFn = syn::parse2(item)?;
    let metas = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(args)?;

    let mut input = MainInput {
        flavor: Opt::new("flavor"),
        worker_threads: Opt::new("worker_threads"),
        timeout: Opt::new("timeout"),
        max_concurrency: Opt::new("max_concurrency"),
        hooks: Opt::new("hooks"),
        krate: Opt::new("crate"),
        func,
    };
    let mut errors = Errors::default();
    for meta in metas {
        let span = meta.path.span();
        let Some(name) = meta.path.get_ident().map(ToString::to_string) else {
            errors.push(unknown(&meta.path));
            continue;
        };
        match name.as_str() {
            "flavor" => match flavor(&meta.value) {
                Ok(flavor) => input.flavor.set(span, flavor, &mut errors),
                Err(err) => errors.push(err),
            },
            "worker_threads" => match positive_int(&meta.value, "worker_threads") {
                Ok(n) => input.worker_threads.set(span, n, &mut errors),
                Err(err) => errors.push(err),
            },
            "max_concurrency" => match positive_int(&meta.value, "max_concurrency") {
                Ok(n) => input.max_concurrency.set(span, n, &mut errors),
                Err(err) => errors.push(err),
            },
            "timeout" => input.timeout.set(span, meta.value, &mut errors),
            "hooks" => input.hooks.set(span, meta.value, &mut errors),
            "crate" => match crate_path(&meta.value) {
                Ok(path) => input.krate.set(span, path, &mut errors),
                Err(err) => errors.push(err),
            },
            _ => errors.push(unknown(&meta.path)),
        }
    }
    errors.finish()?;
    Ok(input)
}

fn unknown(path: &syn::Path) -> syn::Error {
    syn::Error::new(
        path.span(),
        format!("unknown option of `#[run_as_main]`; expected one of {OPTIONS}"),
    )
}

fn flavor(value: &Expr) -> syn::Result<Flavor> {
    let expected = "expected `flavor = \"current_thread\"` or `flavor = \"multi_thread\"`";
    let Expr::Lit(ExprLit {
        lit: Lit::Str(s), ..
    }) = value
    else {
        return Err(syn::Error::new(value.span(), expected));
    };
    match s.value().as_str() {
        "current_thread" => Ok(Flavor::CurrentThread),
        "multi_thread" => Ok(Flavor::MultiThread),
        _ => Err(syn::Error::new(s.span(), expected)),
    }
}

fn crate_path(value: &Expr) -> syn::Result<syn::Path> {
    let expected = "expected the path of the renamed crate as a string, like `crate = \"ay\"`";
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => s.parse().map_err(|_| syn::Error::new(s.span(), expected)),
        _ => Err(syn::Error::new_spanned(value, expected)),
    }
}

fn positive_int(value: &Expr, name: &str) -> syn::Result<LitInt> {
    let message = format!("`{name}` takes a whole number greater than zero, like `{name} = 4`");
    let Expr::Lit(ExprLit {
        lit: Lit::Int(n), ..
    }) = value
    else {
        return Err(syn::Error::new(value.span(), message));
    };
    match n.base10_parse::<usize>() {
        Ok(v) if v > 0 => Ok(n.clone()),
        _ => Err(syn::Error::new(n.span(), message)),
    }
}
