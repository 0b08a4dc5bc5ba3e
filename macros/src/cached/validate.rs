//! Rules between the options and the function: what `#[cached]` can and cannot wrap.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{FnArg, GenericParam, ItemFn, Pat, ReceiverKind, ReturnType, Type};

use super::parse::CachedArgs;
use crate::errors::Errors;

/// The span of the first token of `tokens` (searched through groups) that `hit` accepts.
pub(crate) fn find_token(tokens: TokenStream, hit: &dyn Fn(&TokenTree) -> bool) -> Option<Span> {
    for tree in tokens {
        if hit(&tree) {
            return Some(tree.span());
        }
        if let TokenTree::Group(group) = &tree
            && let Some(span) = find_token(group.stream(), hit)
        {
            return Some(span);
        }
    }
    None
}

fn impl_trait_in(ty: &Type) -> Option<Span> {
    find_token(
        ty.to_token_stream(),
        &|t| matches!(t, TokenTree::Ident(i) if i == "impl"),
    )
}

fn reference_in(ty: &Type) -> Option<Span> {
    find_token(
        ty.to_token_stream(),
        &|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '&'),
    )
}

/// For an `async fn` argument of type `&T` (shared, `T` without further references): `T`
/// with the reference's lifetime dropped. The computation gets `T::to_owned()` and the body
/// sees `&T` borrowed from it.
pub(crate) fn owned_copy(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Reference(reference) if reference.mutability.is_none() => {
            let inner = &*reference.elem;
            let nested = reference_in(inner).is_some()
                || find_token(
                    inner.to_token_stream(),
                    &|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '\''),
                )
                .is_some();
            (!nested).then_some(inner)
        }
        Type::Paren(inner) => owned_copy(&inner.elem),
        _ => None,
    }
}

pub(crate) fn validate(args: &CachedArgs, item: &ItemFn) -> syn::Result<()> {
    let mut errors = Errors::default();
    let sig = &item.sig;
    let is_async = sig.asyncness.is_some();
    let has_key = args.key.is_some();

    if let Some(constness) = &sig.constness {
        errors.push_spanned(
            constness,
            "`#[cached]` cannot be used on a `const fn`: remove `const`",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.push_spanned(
            abi,
            "`#[cached]` cannot be used on an `extern` function: cache a Rust-ABI wrapper instead",
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.push_spanned(
            variadic,
            "`#[cached]` cannot be used on a variadic function: take a slice or a `Vec` instead",
        );
    }
    for param in &sig.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            _ => errors.push_spanned(
                param,
                "`#[cached]` cannot be used on a generic function: its cache is one static per function; \
                 write a non-generic wrapper and cache that",
            ),
        }
    }
    if !is_async {
        if let Some(span) = args.task {
            errors.push_at(
                span,
                "`task` needs an `async fn`: it returns a handle to the spawned computation",
            );
        }
        if let Some(span) = args.local {
            errors.push_at(
                span,
                "`local` applies to `async fn` only: plain functions run on the caller's thread",
            );
        }
    }

    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => match &receiver.kind {
                ReceiverKind::Reference(_, _, Some(mutability)) => errors.push_spanned(
                    mutability,
                    "`#[cached]` cannot be used on a `&mut self` method: concurrent callers share one computation; take `&self`",
                ),
                ReceiverKind::Typed(_, ty) => errors.push_spanned(
                    ty,
                    "`#[cached]` supports `&self` and `self` receivers only: write `&self`",
                ),
                _ => {}
            },
            FnArg::Typed(arg) => {
                if !has_key && !matches!(&*arg.pat, Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none()) {
                    errors.push_spanned(
                        &arg.pat,
                        "use a plain argument name: `#[cached]` clones each argument into the key by name \
                         (or choose the key with `key: Type = expression`)",
                    );
                }
                if let Some(span) = impl_trait_in(&arg.ty)
                    && !has_key
                {
                    errors.push_at(
                        span,
                        "an `impl Trait` argument cannot be part of the cache key: choose the key with \
                         `#[cached(key: Type = expression)]`",
                    );
                } else if let Some(span) = reference_in(&arg.ty) {
                    if !has_key {
                        errors.push_at(
                            span,
                            "a reference argument cannot be part of the cache key: take an owned type \
                             (`String`, `Vec<T>`, `Arc<T>`) or choose the key with `#[cached(key: Type = expression)]`",
                        );
                    } else if is_async
                        && (owned_copy(&arg.ty).is_none() || !matches!(&*arg.pat, Pat::Ident(_)))
                    {
                        errors.push_at(
                            span,
                            "a cached `async fn` takes references only as a plain `&T` argument (copied with \
                             `ToOwned` on a miss, since the computation outlives the call); take an owned type \
                             (`String`, `Vec<T>`, `Arc<T>`) here",
                        );
                    }
                }
            }
        }
    }

    if let ReturnType::Type(_, ty) = &sig.output
        && let Some(span) = impl_trait_in(ty)
    {
        errors.push_at(
            span,
            "a cached function must return a concrete `Clone` type, not `impl Trait`: every caller gets a clone",
        );
    }

    errors.finish()
}
