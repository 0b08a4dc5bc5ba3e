//! Rules between the options and the function; every mistake is reported in one build.
//! The result is a [`Plan`] whose every part has been checked.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, ReturnType, Safety, Type};

use super::parse::{Flavor, MainArgs};
use crate::attr;
use crate::errors::Errors;

/// What `expand` needs.
pub(crate) struct Plan {
    pub(crate) func: ItemFn,
    /// `::ayutil`, or the path given with `crate = …`.
    pub(crate) krate: TokenStream,
    /// `MainConfig::new()` and its builder calls.
    pub(crate) config: TokenStream,
    /// The root scope parameter, when `main` takes one.
    pub(crate) root: Option<(Box<Pat>, Box<Type>)>,
}

pub(crate) fn validate(args: MainArgs, func: ItemFn, mut errors: Errors) -> syn::Result<Plan> {
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        errors.push_spanned(
            sig.fn_token,
            "`#[run_as_main]` needs an `async fn`; write `async fn main()` or `async fn main(run: ayutil::Scope)`",
        );
    }
    if let Safety::Unsafe(unsafety) = &sig.safety {
        errors.push_spanned(
            unsafety,
            "`#[run_as_main]` cannot run an `unsafe fn`: remove `unsafe` and put the unsafe code in an `unsafe { … }` block",
        );
    }
    if let Some(constness) = &sig.constness {
        errors.push_spanned(
            constness,
            "`#[run_as_main]` cannot run a `const fn`: remove `const`",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.push_spanned(
            abi,
            "`#[run_as_main]` cannot run an `extern` function: remove the ABI",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push_spanned(
            &sig.generics,
            "`#[run_as_main]` functions cannot be generic; remove the generic parameters",
        );
    }
    let root = check_inputs(&func, &mut errors);
    if let ReturnType::Type(_, ty) = &sig.output
        && let Type::ImplTrait(_) = &**ty
    {
        errors.push_spanned(
            ty,
            "`#[run_as_main]` needs a nameable return type: `()` or `Result<(), E>`",
        );
    }
    if args.flavor.get() == Some(&Flavor::CurrentThread)
        && let Some(span) = args.worker_threads.span()
    {
        errors.push_at(
            span,
            "`worker_threads` only applies to `flavor = \"multi_thread\"`; remove it",
        );
    }
    errors.finish()?;

    let krate = attr::crate_tokens(args.krate.get());
    let private = quote!(#krate::__private::scope);
    let mut config = quote!(#private::MainConfig::new());
    if args.flavor.get() == Some(&Flavor::CurrentThread) {
        config.extend(quote!(.current_thread()));
    }
    if let Some(n) = args.worker_threads.get() {
        config.extend(quote!(.worker_threads(#n)));
    }
    if let Some(n) = args.max_concurrency.get() {
        // `n` is at least 1 (checked by `parse`): a `NonZeroUsize` built at compile time.
        config.extend(quote!(
            .max_concurrency(const { ::core::num::NonZeroUsize::new(#n).unwrap() })
        ));
    }
    if let Some(timeout) = args.timeout.get() {
        let timeout = timeout.to_expr();
        config.extend(quote!(.timeout(#timeout)));
    }
    if let Some(hooks) = args.hooks.get() {
        config.extend(quote_spanned!(hooks.span()=> .hooks(#hooks)));
    }
    Ok(Plan {
        func,
        krate,
        config,
        root,
    })
}

/// `main` takes nothing, or the root scope.
fn check_inputs(func: &ItemFn, errors: &mut Errors) -> Option<(Box<Pat>, Box<Type>)> {
    let expected = "`#[run_as_main]` functions take no parameter, or one: the root scope \
                    (`run: ayutil::Scope`)";
    let mut args = func.sig.inputs.iter();
    match (args.next(), args.next()) {
        (None, _) => None,
        (Some(_), Some(extra)) => {
            errors.push_spanned(extra, expected);
            None
        }
        (Some(FnArg::Receiver(receiver)), None) => {
            errors.push_spanned(receiver, expected);
            None
        }
        (Some(FnArg::Typed(arg)), None) => {
            if !is_scope(&arg.ty) {
                errors.push_spanned(
                    &arg.ty,
                    "the parameter of a `#[run_as_main]` function is the root scope; \
                     its type must be `ayutil::Scope` (or `Scope<T, E>`)",
                );
            }
            Some((arg.pat.clone(), arg.ty.clone()))
        }
    }
}

/// Whether `ty` names `Scope` (through any path: `ayutil::Scope`, `Scope<u8>`).
fn is_scope(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|seg| seg.ident == "Scope")
        }
        Type::Group(group) => is_scope(&group.elem),
        Type::Paren(paren) => is_scope(&paren.elem),
        _ => false,
    }
}
