//! The rewrite: the function's body moves into a closure run at most once per key, and a
//! handle function `<name>_cache()` gives the function's `FnCache`.
//!
//! ```text
//! #[cached(max = 100)]                pub async fn fetch(id: u32) -> Result<String, E> {
//! pub async fn fetch(id: u32)           let __ayutil_key: (<u32 as KeyPart>::Part,) = (Clone::clone(&id),);
//!     -> Result<String, E> { body }  => run_async(fetch_cache(), __ayutil_key,
//!                                           move || async move { let __ayutil_value: Result<String, E> = body;
//!                                                                __ayutil_value }).await
//!                                     }
//!                                     pub fn fetch_cache()
//!                                         -> &'static FnCache<(<u32 as KeyPart>::Part,), <Result<..> as CachedValue>::Value> {
//!                                         static __AYUTIL_SLOT: Slot = Slot::new();
//!                                         __AYUTIL_SLOT.get_or_init(Some(100), None, store_ok)
//!                                     }
//! ```
//!
//! Every path is `::ayutil::__private::cache::...` (or the `crate = "..."` path). The key
//! and value types go through `KeyPart` / `CachedValue` spanned on the user's types, so a
//! type that cannot be a key or a value is reported on that type. Plain `fn`s call
//! `run_sync(.., move || -> Ret { body })`; `task` makes the function synchronous,
//! returning `CachedTask<Ret>` from `run_task`; `local` uses `run_local`. In an `async`
//! method the closure clones `self` (only on a miss) and the body's `self` tokens are
//! renamed to a reference to that clone, so the computation is `'static` and can move to
//! a spawned task.

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, ReceiverKind, ReturnType, Type};

use super::parse::CachedArgs;
use super::validate::{find_token, owned_copy};

pub(crate) fn expand(args: &CachedArgs, item: &ItemFn) -> TokenStream {
    // `::ayutil::__private::cache`, or `<crate = "...">::__private::cache`.
    let krate = match &args.krate {
        Some((_, path)) => quote!(#path),
        None => quote!(::ayutil),
    };
    let private = quote!(#krate::__private::cache);
    // The same path with every token spanned at `span`, so errors about what it names land
    // on the user's code.
    let private_at = |span: Span| respan(private.clone(), span);
    let sig = &item.sig;
    let name = &sig.ident;
    let vis = &item.vis;
    let handle = format_ident!("{}_cache", name);
    let is_async = sig.asyncness.is_some();
    let async_span = sig.asyncness.map_or_else(|| sig.ident.span(), |a| a.span());
    let receiver = sig.receiver();
    // In an `impl` block the handle is an associated fn, reached as `Self::<name>_cache()`.
    // A receiver or a `Self` in the signature says so; `in_impl` says so for the rest.
    let inputs = &sig.inputs;
    let output = &sig.output;
    let mentions_self = find_token(
        quote!(#inputs #output),
        &|t| matches!(t, TokenTree::Ident(i) if i == "Self"),
    )
    .is_some();
    let is_method = receiver.is_some() || args.in_impl.is_some() || mentions_self;

    let ret_ty: Type = match &sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };

    // Key type and expression. Each part of the key type is the projection
    // `<T as KeyPart>::Part` spanned on `T`: when `T` is not `Hash + Eq + Clone`, the one
    // error lands on `T` and the projection turns into an error type, which keeps rustc
    // from repeating the failure at every use of the key.
    let key_part = |ty: &dyn ToTokens, span: Span| {
        let private = private_at(span);
        quote_spanned!(span=> <#ty as #private::KeyPart>::Part)
    };
    let (key_ty, key_expr) = match &args.key {
        Some((_, key)) => {
            let ty = &key.ty;
            let expr = &key.expr;
            (key_part(ty, ty.span()), quote!(#expr))
        }
        None => {
            let mut tys = Vec::new();
            let mut exprs = Vec::new();
            for input in &sig.inputs {
                match input {
                    FnArg::Receiver(receiver) => {
                        let self_token = &receiver.self_token;
                        tys.push(key_part(&quote!(Self), self_token.span));
                        match receiver.kind {
                            ReceiverKind::Value => {
                                exprs.push(quote!(::core::clone::Clone::clone(&#self_token)));
                            }
                            _ => exprs.push(quote!(::core::clone::Clone::clone(#self_token))),
                        }
                    }
                    FnArg::Typed(arg) => {
                        let ty = &arg.ty;
                        tys.push(key_part(ty, ty.span()));
                        if let Pat::Ident(pat) = &*arg.pat {
                            let ident = &pat.ident;
                            exprs.push(quote!(::core::clone::Clone::clone(&#ident)));
                        }
                    }
                }
            }
            (quote!((#(#tys,)*)), quote!((#(#exprs,)*)))
        }
    };
    // Same for the value: one error on the return type when it is not `Clone`.
    let private_ret = private_at(ret_ty.span());
    let value_ty = quote_spanned!(ret_ty.span()=> <#ret_ty as #private_ret::CachedValue>::Value);

    let store_if = if args.cache_errors.is_none() && returns_result(&ret_ty) {
        quote!(#private::store_ok)
    } else {
        quote!(#private::store_always)
    };
    let max = match args.max {
        Some((_, max)) => quote!(::core::option::Option::Some(#max)),
        None => quote!(::core::option::Option::None),
    };
    let ttl = match args.ttl {
        Some((_, ttl)) => {
            let (secs, nanos) = (ttl.as_secs(), ttl.subsec_nanos());
            quote!(::core::option::Option::Some(::core::time::Duration::new(#secs, #nanos)))
        }
        None => quote!(::core::option::Option::None),
    };

    let handle_doc = format!(
        "The cache of `{name}`{}: invalidate a key, clear, read the hit/miss/eviction counts. \
         Generated by `#[cached]`.",
        if is_method { " (`Self::` method)" } else { "" }
    );
    let handle_fn = quote! {
        #[doc = #handle_doc]
        #[allow(clippy::type_complexity, clippy::unused_unit)]
        #vis fn #handle() -> &'static #private::FnCache<#key_ty, #value_ty> {
            static __AYUTIL_SLOT: #private::Slot = #private::Slot::new();
            __AYUTIL_SLOT.get_or_init::<#key_ty, #value_ty>(#max, #ttl, #store_if)
        }
    };
    let cache_call = if is_method {
        quote_spanned!(name.span()=> Self::#handle())
    } else {
        quote_spanned!(name.span()=> #handle())
    };

    let block = &item.block;
    let key_binding = quote! {
        #[allow(clippy::unused_unit)]
        let __ayutil_key: #key_ty = #key_expr;
    };

    let new_body = if is_async {
        // The spawned computation must own everything: `self` is cloned on a miss and the
        // body sees `self` as a reference to (or the value of) that clone.
        let (prelude, rebind, body_tokens) = match receiver {
            Some(receiver) => {
                let owned = Ident::new("__ayutil_self_owned", Span::call_site());
                let renamed = Ident::new("__ayutil_self", Span::call_site());
                let self_token = &receiver.self_token;
                let (prelude, rebind) = match receiver.kind {
                    ReceiverKind::Value => (
                        quote!(let #owned = #self_token;),
                        match receiver.mutability {
                            Some(_) => quote!(#[allow(unused_mut)] let mut #renamed = #owned;),
                            None => quote!(let #renamed = #owned;),
                        },
                    ),
                    _ => (
                        quote!(let #owned: Self = ::core::clone::Clone::clone(#self_token);),
                        quote!(let #renamed: &Self = &#owned;),
                    ),
                };
                (prelude, rebind, rename_self(quote!(#block)))
            }
            None => (TokenStream::new(), TokenStream::new(), quote!(#block)),
        };
        // `&T` arguments (allowed with `key`): the computation owns `T::to_owned()` and
        // the body sees `&T` borrowed from it, under the argument's own name.
        let mut owned_prelude = TokenStream::new();
        let mut owned_rebind = TokenStream::new();
        for input in &sig.inputs {
            if let FnArg::Typed(arg) = input
                && let Pat::Ident(pat) = &*arg.pat
                && let Some(inner) = owned_copy(&arg.ty)
            {
                let ident = &pat.ident;
                let owned = format_ident!("__ayutil_owned_{}", ident);
                owned_prelude
                    .extend(quote!(let #owned = #private::to_owned_arg::<#inner>(#ident);));
                owned_rebind
                    .extend(quote!(let #ident: &#inner = #private::borrow_arg::<#inner>(&#owned);));
            }
        }
        let prelude = quote!(#owned_prelude #prelude);
        let rebind = quote!(#owned_rebind #rebind);
        // Spanned on `async` from its first token, so a `Send` error lands there.
        let private_async = private_at(async_span);
        let runner = match (args.task.is_some(), args.local.is_some()) {
            (false, false) => quote_spanned!(async_span=> #private_async::run_async),
            (false, true) => quote_spanned!(async_span=> #private_async::run_local),
            (true, false) => quote_spanned!(async_span=> #private_async::run_task),
            (true, true) => quote_spanned!(async_span=> #private_async::run_task_local),
        };
        let await_token = if args.task.is_some() {
            quote!()
        } else {
            quote!(.await)
        };
        quote_spanned! {async_span=>
            #key_binding
            #runner(#cache_call, __ayutil_key, move || {
                #prelude
                async move {
                    #rebind
                    #[allow(clippy::needless_return, unreachable_code)]
                    let __ayutil_value: #ret_ty = #body_tokens;
                    __ayutil_value
                }
            })#await_token
        }
    } else {
        quote! {
            #key_binding
            #private::run_sync(#cache_call, __ayutil_key, move || -> #ret_ty #block)
        }
    };

    // Rebuild the function with the new body; `task` turns `async fn f() -> T` into
    // `fn f() -> CachedTask<T>`.
    let attrs = &item.attrs;
    let mut sig = sig.clone();
    let mut extra_attrs = TokenStream::new();
    if args.task.is_some() {
        sig.asyncness = None;
        sig.output = syn::parse_quote!(-> #private::CachedTask<#ret_ty>);
        extra_attrs = quote!(#[track_caller]);
    }
    quote! {
        #(#attrs)*
        #extra_attrs
        #vis #sig {
            #new_body
        }

        #handle_fn
    }
}

/// Whether the value type is spelled `Result<..>` (any path ending in `Result`): then
/// only `Ok` values are stored unless `cache_errors` is given.
fn returns_result(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Result"),
        Type::Paren(inner) => returns_result(&inner.elem),
        Type::Group(inner) => returns_result(&inner.elem),
        _ => false,
    }
}

/// Renames every `self` token (not in a `self::` path) to `__ayutil_self`.
fn rename_self(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) if ident == "self" => {
                let path_follows = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':')
                    && matches!(trees.get(i + 2), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if path_follows {
                    out.push(tree.clone());
                } else {
                    out.push(TokenTree::Ident(Ident::new("__ayutil_self", ident.span())));
                }
            }
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), rename_self(group.stream()));
                new.set_span(group.span());
                out.push(TokenTree::Group(new));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// `tokens` with every span (through groups) set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                tree = TokenTree::Group(new);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
