//! Rules between the options and the function: what `#[cached]` can and cannot wrap.
//! The result is a [`Plan`] whose every part has been checked.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, Ident, ItemFn, Pat, ReceiverKind, ReturnType, Type};

use super::parse::{CachedArgs, KeyOption};
use crate::errors::Errors;
use crate::{attr, named};

/// What `expand` needs, checked.
pub(crate) struct Plan {
    pub(crate) item: ItemFn,
    /// `::ayutil::__private::cache`, or under the path given with `crate = …`.
    pub(crate) private: TokenStream,
    pub(crate) runner: Runner,
    pub(crate) key: KeyPlan,
    pub(crate) value: ValuePlan,
    /// The declared return type (`()` when none).
    pub(crate) ret_ty: Type,
    /// Store `Err` values too (`cache_errors`), or only `Ok` ones.
    pub(crate) store_errors: bool,
    pub(crate) max: Option<usize>,
    /// An expression of type `Duration`.
    pub(crate) ttl: Option<TokenStream>,
    /// The handle is `Self::<name>_cache()`.
    pub(crate) is_method: bool,
}

/// How the body runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runner {
    /// A plain `fn`: on the first caller's thread.
    Sync,
    /// An `async fn`: polled by its callers, moved to a task when one drops.
    Async,
    /// `local`: spawned with `spawn_local`.
    Local,
    /// `task`: spawned at once; the function returns a `CachedTask`.
    Task,
    /// `task` and `local`.
    TaskLocal,
}

/// What the key is made of.
pub(crate) enum KeyPlan {
    /// `key: Type = expression`.
    Custom(Box<KeyOption>),
    /// The receiver and the arguments, in order.
    Args(Vec<KeyArg>),
}

/// One argument in the key: the expression cloning it, spanned on its type.
pub(crate) struct KeyArg {
    pub(crate) ty: TokenStream,
    pub(crate) expr: TokenStream,
}

/// How the value is stored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValuePlan {
    /// The return value itself (it must be `Clone`).
    Plain,
    /// A `Result`: the `Ok` value is cloned, the error shared in a `SharedError` and
    /// rebuilt for each caller (so `E` need not be `Clone`).
    Fallible,
}

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

pub(crate) fn validate(args: CachedArgs, item: ItemFn, mut errors: Errors) -> syn::Result<Plan> {
    let sig = &item.sig;
    let is_async = sig.asyncness.is_some();
    let has_key = args.key.is_set();

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
        if let Some(span) = args.task.span() {
            errors.push_at(
                span,
                "`task` needs an `async fn`: it returns a handle to the spawned computation",
            );
        }
        if let Some(span) = args.local.span() {
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
                ReceiverKind::Reference(_, _, None) | ReceiverKind::Value => {}
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

    errors.finish()?;
    Ok(plan(args, item))
}

/// The plan of a function that passed every check.
fn plan(args: CachedArgs, item: ItemFn) -> Plan {
    let sig = &item.sig;
    let krate = attr::crate_tokens(args.krate.get());
    let private = quote!(#krate::__private::cache);
    let runner = match (
        sig.asyncness.is_some(),
        args.task.is_set(),
        args.local.is_set(),
    ) {
        (false, _, _) => Runner::Sync,
        (true, false, false) => Runner::Async,
        (true, false, true) => Runner::Local,
        (true, true, false) => Runner::Task,
        (true, true, true) => Runner::TaskLocal,
    };
    let ret_ty: Type = match &sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    // A `CachedTask<T>` hands out clones of `T` itself, so `task` stores the value as is.
    let value = if returns_result(&ret_ty) && !matches!(runner, Runner::Task | Runner::TaskLocal) {
        ValuePlan::Fallible
    } else {
        ValuePlan::Plain
    };
    // In an `impl` block the handle is an associated fn, reached as `Self::<name>_cache()`.
    // A receiver or a `Self` in the signature says so; `in_impl` says so for the rest.
    let inputs = &sig.inputs;
    let output = &sig.output;
    let mentions_self = find_token(
        quote!(#inputs #output),
        &|t| matches!(t, TokenTree::Ident(i) if i == "Self"),
    )
    .is_some();
    let is_method = sig.receiver().is_some() || args.in_impl.is_set() || mentions_self;
    let store_errors = args.cache_errors.is_set() || !returns_result(&ret_ty);
    let max = args.max.get().copied();
    let ttl = args.ttl.get().map(attr::DurationArg::to_expr);
    let key = match args.key.take() {
        Some(key) => KeyPlan::Custom(Box::new(key)),
        None => KeyPlan::Args(key_args(&item)),
    };
    Plan {
        item,
        private,
        runner,
        key,
        value,
        ret_ty,
        store_errors,
        max,
        ttl,
        is_method,
    }
}

/// The receiver and every argument, each cloned by an expression spanned on its type, so
/// a type that cannot be part of a key is reported there.
fn key_args(item: &ItemFn) -> Vec<KeyArg> {
    let mut parts = Vec::new();
    for input in &item.sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                let self_token = &receiver.self_token;
                let span = self_token.span;
                let this = Ident::new("self", span);
                let expr = match receiver.kind {
                    ReceiverKind::Value => {
                        quote_spanned!(span=> ::core::clone::Clone::clone(&#this))
                    }
                    _ => quote_spanned!(span=> ::core::clone::Clone::clone(#this)),
                };
                parts.push(KeyArg {
                    ty: quote_spanned!(span=> Self),
                    expr,
                });
            }
            FnArg::Typed(arg) => {
                if let Pat::Ident(pat) = &*arg.pat {
                    let ty = &arg.ty;
                    let span = ty.span();
                    let ident = &pat.ident;
                    parts.push(KeyArg {
                        ty: ty.to_token_stream(),
                        expr: quote_spanned!(span=> ::core::clone::Clone::clone(&#ident)),
                    });
                }
            }
        }
    }
    parts
}

/// Whether the return type is spelled `Result<..>` (any path ending in `Result`, such as
/// `anyhow::Result<T>` or `io::Result<T>`): then its error is shared with every caller of
/// a failed computation, and only `Ok` values are stored unless `cache_errors` is given.
fn returns_result(ty: &Type) -> bool {
    named::is_type(ty, "Result")
}
