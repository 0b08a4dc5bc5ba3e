//! Rules between the options and the function; every mistake is reported in one build.

use syn::spanned::Spanned;
use syn::{FnArg, ReturnType, Type};

use super::parse::{Flavor, MainInput};
use crate::errors::Errors;

pub(crate) fn validate(input: &MainInput) -> syn::Result<()> {
    let mut errors = Errors::default();
    let sig = &input.func.sig;

    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span(),
            "`#[run_as_main]` needs an `async fn`; write `async fn main(run: ayutil::Scope)`",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "`#[run_as_main]` functions cannot be generic; remove the generic parameters",
        ));
    }
    check_inputs(input, &mut errors);
    if let ReturnType::Type(_, ty) = &sig.output
        && let Type::ImplTrait(_) = &**ty
    {
        errors.push(syn::Error::new_spanned(
            ty,
            "`#[run_as_main]` needs a nameable return type: `()` or `Result<(), E>`",
        ));
    }
    if input.flavor.get() == Some(&Flavor::CurrentThread)
        && let Some(span) = input.worker_threads.span()
    {
        errors.push(syn::Error::new(
            span,
            "`worker_threads` only applies to `flavor = \"multi_thread\"`; remove it",
        ));
    }
    errors.finish()
}

fn check_inputs(input: &MainInput, errors: &mut Errors) {
    let sig = &input.func.sig;
    let expected = "`#[run_as_main]` functions take one parameter, the root scope: \
                    `run: ayutil::Scope`";
    let mut args = sig.inputs.iter();
    match (args.next(), args.next()) {
        (None, _) => errors.push(syn::Error::new(sig.paren_token.span.join(), expected)),
        (Some(_), Some(extra)) => errors.push(syn::Error::new_spanned(extra, expected)),
        (Some(FnArg::Receiver(receiver)), None) => {
            errors.push(syn::Error::new_spanned(receiver, expected));
        }
        (Some(FnArg::Typed(arg)), None) => {
            if !is_scope(&arg.ty) {
                errors.push(syn::Error::new_spanned(
                    &arg.ty,
                    "the parameter of a `#[run_as_main]` function is the root scope; \
                     its type must be `ayutil::Scope` (or `Scope<T, E>`)",
                ));
            }
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
