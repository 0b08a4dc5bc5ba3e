//! Rules between the arguments and the function: an `async fn` whose arguments can
//! outlive the call, and where `#[eager]` stands among the other ayutil attributes.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{
    Attribute, FnArg, GenericArgument, ItemFn, Lifetime, Pat, Path, PathArguments, ReceiverKind,
    Type, TypeParamBound,
};

use super::parse::EagerArgs;
use crate::errors::Errors;
use crate::{attr, compose, named};

/// What `expand` needs: everything here has been checked.
pub(crate) struct Plan {
    /// Continue on the current `LocalSet` rather than as a `Send` task.
    pub(crate) local: bool,
    /// Path to the `ayutil` crate (`::ayutil` unless `crate = ...` was given).
    pub(crate) krate: TokenStream,
    /// Another ayutil attribute (`#[cached]`, `#[provider]`) stands below `#[eager]`: it
    /// must see the `async fn` first, so `#[eager]` moves below every attribute and runs
    /// last. Either order of the attributes then means the same.
    pub(crate) defer: bool,
}

pub(crate) fn validate(
    args: EagerArgs,
    function: &ItemFn,
    mut errors: Errors,
) -> syn::Result<Plan> {
    let EagerArgs { local, krate } = args;
    check_async(function, &mut errors);
    check_arguments(function, &mut errors);
    let defer = check_attributes(&function.attrs, &mut errors);
    errors.finish()?;
    Ok(Plan {
        local: local.is_set(),
        krate: attr::crate_tokens(krate.get()),
        defer,
    })
}

fn check_async(function: &ItemFn, errors: &mut Errors) {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        errors.push_at(
            sig.fn_token.span,
            "`#[eager]` goes on an `async fn`: it runs the body at the call until it first waits; write `async fn`",
        );
    }
}

/// The rest of the body may run as a task after the call returns, so nothing it holds may
/// borrow from the caller.
fn check_arguments(function: &ItemFn, errors: &mut Errors) {
    for input in &function.sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                let borrowed = match &receiver.kind {
                    ReceiverKind::Reference(..) => Some(receiver.to_token_stream()),
                    ReceiverKind::Typed(_, ty) => first_borrow(ty),
                    _ => None,
                };
                if let Some(tokens) = borrowed {
                    errors.push_spanned(
                        tokens,
                        "`#[eager]` can continue the body as a task that outlives the call, so it cannot borrow `self`; take `self` by value, e.g. `self: Arc<Self>`",
                    );
                }
            }
            FnArg::Typed(arg) => {
                if let Some(tokens) = first_borrow(&arg.ty) {
                    errors.push_spanned(
                        tokens,
                        format!(
                            "`#[eager]` can continue the body as a task that outlives the call, so {} cannot borrow; take an owned value, e.g. `String` for `&str` or `Arc<T>` for `&T`",
                            describe(&arg.pat),
                        ),
                    );
                }
            }
        }
    }
}

fn describe(pat: &Pat) -> String {
    match pat {
        Pat::Ident(pat) => format!("argument `{}`", pat.ident),
        _ => String::from("this argument"),
    }
}

/// The tokens of the first reference or non-`'static` lifetime in `ty`. Parenthesized
/// arguments (`Fn(&str)`) and function pointers are skipped: their lifetimes are bound
/// inside the type and borrow nothing from the caller.
fn first_borrow(ty: &Type) -> Option<TokenStream> {
    match ty {
        Type::Reference(reference) => match &reference.lifetime {
            Some(lifetime) if lifetime.ident == "static" => first_borrow(&reference.elem),
            _ => Some(reference.to_token_stream()),
        },
        Type::Path(path) => {
            if let Some(qself) = &path.qself
                && let Some(span) = first_borrow(&qself.ty)
            {
                return Some(span);
            }
            path_borrow(&path.path)
        }
        Type::ImplTrait(bounds) => bounds.bounds.iter().find_map(bound_borrow),
        Type::TraitObject(bounds) => bounds.bounds.iter().find_map(bound_borrow),
        Type::Array(array) => first_borrow(&array.elem),
        Type::Slice(slice) => first_borrow(&slice.elem),
        Type::Ptr(ptr) => first_borrow(&ptr.elem),
        Type::Paren(paren) => first_borrow(&paren.elem),
        Type::Group(group) => first_borrow(&group.elem),
        Type::Tuple(tuple) => tuple.elems.iter().find_map(first_borrow),
        _ => None,
    }
}

fn bound_borrow(bound: &TypeParamBound) -> Option<TokenStream> {
    match bound {
        TypeParamBound::Lifetime(lifetime) => non_static(lifetime),
        TypeParamBound::Trait(trait_bound) => path_borrow(&trait_bound.path),
        _ => None,
    }
}

/// The first borrow in the generic arguments of `path` (`Cow<'a, str>`, `Vec<&str>`,
/// `Iterator<Item = &str>`).
fn path_borrow(path: &Path) -> Option<TokenStream> {
    path.segments
        .iter()
        .find_map(|segment| match &segment.arguments {
            PathArguments::AngleBracketed(args) => args.args.iter().find_map(|arg| match arg {
                GenericArgument::Lifetime(lifetime) => non_static(lifetime),
                GenericArgument::Type(ty) => first_borrow(ty),
                GenericArgument::AssocType(assoc) => first_borrow(&assoc.ty),
                _ => None,
            }),
            _ => None,
        })
}

fn non_static(lifetime: &Lifetime) -> Option<TokenStream> {
    (lifetime.ident != "static").then(|| lifetime.to_token_stream())
}

/// Whether another ayutil attribute must run first; reports a second `#[eager]`.
fn check_attributes(attrs: &[Attribute], errors: &mut Errors) -> bool {
    for attr in attrs {
        if named::is_attr(attr, "eager") {
            errors.push_spanned(attr, "`#[eager]` is given twice; give it once");
        }
    }
    compose::first_to_run_before(attrs, "eager").is_some()
}
