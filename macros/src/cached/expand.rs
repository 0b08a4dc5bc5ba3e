//! The rewrite: the function's body moves into a closure run at most once per key, and a
//! handle function `<name>_cache()` gives the function's `FnCache`.
//!
//! ```text
//! #[cached(max = 100)]               pub async fn fetch(id: u32) -> Result<String, E> {
//! pub async fn fetch(id: u32)          let __ayutil_key = (Clone::clone(&id),);
//!     -> Result<String, E> { body } =>  let __ayutil_stored = run_async(Args, Fallible, fetch_cache, __ayutil_key,
//!                                           move || async move { let __ayutil_value: Result<String, E> = body;
//!                                                                Fallible::into_stored(__ayutil_value) }).await;
//!                                       match __ayutil_stored { Ok(v) => Ok(v), Err(e) => Err(rebuild(e)) }
//!                                    }
//!                                    pub fn fetch_cache()
//!                                        -> &'static FnCache<(u32,), <Result<String, E> as Fallible>::Stored> {
//!                                        static __AYUTIL_SLOT: Slot = Slot::new();
//!                                        __AYUTIL_SLOT.get_or_init(Some(100), None, store_ok)
//!                                    }
//! ```
//!
//! Every path is `::ayutil::__private::cache::...` (or under the `crate = …` path). The
//! key's parts are cloned by expressions spanned on the argument types, the run call on
//! the return type, so a type that cannot be a key or a value is reported once, there.
//! A return type spelled `Result<..>` stores its error in a `SharedError` and rebuilds one
//! per caller (by `Clone`, or by `FromSharedError` for `anyhow::Error`, `io::Error`...);
//! any other type is stored as is. Plain `fn`s call `run_sync(.., move || -> Ret { body })`;
//! `task` makes the function synchronous, returning `CachedTask<Ret>` from `run_task`;
//! `local` uses `run_local`. In an `async` method the closure clones `self` (only on a
//! miss) and the body's `self` tokens (not those of nested items) are renamed to a
//! reference to that clone, so the computation is `'static` and can move to a spawned
//! task.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Pat, ReceiverKind};

use super::validate::{KeyArg, KeyPlan, Plan, Runner, ValuePlan, owned_copy};
use crate::respan::respan;

/// Tuples implement `Hash` and `Eq` up to 12 elements; longer keys nest.
const MAX_TUPLE: usize = 12;

pub(crate) fn expand(plan: &Plan) -> TokenStream {
    let Plan {
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
    } = plan;
    let sig = &item.sig;
    let name = &sig.ident;
    let vis = &item.vis;
    let handle = format_ident!("{}_cache", name);
    let ret_span = ret_ty.span();
    // The same path with every token spanned at `span`, so errors about what it names land
    // on the user's code.
    let private_at = |span: Span| respan(private.clone(), span);

    // The key is passed to `run_*` as written here: rustc reports a part that cannot be
    // in a key on that part's expression, which is spanned on the argument's type.
    let (key_kind, key_ty, key_binding, key_arg) = match key {
        KeyPlan::Custom(key) => {
            let (ty, expr) = (&key.ty, &key.expr);
            let binding = quote!(let __ayutil_key: #ty = #expr;);
            let arg = Ident::new("__ayutil_key", ty.span().resolved_at(Span::call_site()));
            (
                quote!(#private::CustomKey),
                quote!(#ty),
                binding,
                quote!(#arg),
            )
        }
        KeyPlan::Args(parts) => {
            let tys = parts.iter().map(|KeyArg { ty, .. }| ty.clone()).collect();
            let exprs = parts
                .iter()
                .map(|KeyArg { expr, .. }| expr.clone())
                .collect();
            (
                quote!(#private::ArgsKey),
                nest(tys),
                TokenStream::new(),
                nest(exprs),
            )
        }
    };
    let (value_kind, value_ty) = match value {
        ValuePlan::Plain => (quote!(#private::PlainValue), quote!(#ret_ty)),
        ValuePlan::Fallible => (
            quote!(#private::FallibleValue),
            quote_spanned!(ret_span=> <#ret_ty as #private::Fallible>::Stored),
        ),
    };

    let store_if = if *store_errors {
        quote!(#private::store_always)
    } else {
        quote!(#private::store_ok)
    };
    let max = match max {
        Some(max) => quote!(::core::option::Option::Some(#max)),
        None => quote!(::core::option::Option::None),
    };
    let ttl = match ttl {
        Some(ttl) => quote!(::core::option::Option::Some(#ttl)),
        None => quote!(::core::option::Option::None),
    };

    let handle_doc = format!(
        "The cache of `{name}`{}: invalidate a key, clear, read the hit/miss/eviction counts. \
         Generated by `#[cached]`.",
        if *is_method { " (`Self::` method)" } else { "" }
    );
    let handle_fn = quote! {
        #[doc = #handle_doc]
        #[allow(clippy::type_complexity, clippy::unused_unit)]
        #vis fn #handle() -> &'static #private::FnCache<#key_ty, #value_ty> {
            static __AYUTIL_SLOT: #private::Slot = #private::Slot::new();
            __AYUTIL_SLOT.get_or_init(#max, #ttl, #store_if)
        }
    };
    let cache_fn = if *is_method {
        quote_spanned!(name.span()=> Self::#handle)
    } else {
        quote_spanned!(name.span()=> #handle)
    };

    let block = &item.block;
    let into_stored = match value {
        ValuePlan::Plain => quote!(__ayutil_value),
        ValuePlan::Fallible => quote!(#private::Fallible::into_stored(__ayutil_value)),
    };
    // `path(args)` with the path and the parentheses spanned on the return type: an
    // unsatisfied bound of the call that no argument explains is reported there.
    let call_at = |function: &str, span: Span, args: TokenStream| {
        let function = Ident::new(function, span);
        let private = private_at(span);
        let mut args = Group::new(Delimiter::Parenthesis, args);
        args.set_span(span);
        quote_spanned!(span=> #private::#function #args)
    };

    let call = match runner {
        Runner::Sync => {
            // A `return` in the body leaves this closure with the declared type.
            let body = quote!(move || -> #ret_ty #block);
            let make = match value {
                ValuePlan::Plain => body,
                ValuePlan::Fallible => quote!(#private::stored_by(#body)),
            };
            call_at(
                "run_sync",
                ret_span,
                quote!(#key_kind, #value_kind, #cache_fn, #key_arg, #make),
            )
        }
        Runner::Async | Runner::Local | Runner::Task | Runner::TaskLocal => {
            let (prelude, rebind, body) = async_body(plan, private);
            // A `return` or `?` in the body must leave a block of the declared type, not
            // the computation (whose output is the stored form of a `Result`).
            let body = match value {
                ValuePlan::Plain => body,
                ValuePlan::Fallible => quote!(async move #body.await),
            };
            let function = match runner {
                Runner::Async => "run_async",
                Runner::Local => "run_local",
                Runner::Task => "run_task",
                _ => "run_task_local",
            };
            let await_token = if matches!(runner, Runner::Task | Runner::TaskLocal) {
                quote!()
            } else {
                quote_spanned!(ret_span=> .await)
            };
            // The future's `Send` bound is checked on its own, spanned on `async`, so a
            // body that is not `Send` is reported there.
            let make = quote! {
                move || {
                    #prelude
                    async move {
                        #rebind
                        #[allow(clippy::needless_return, unreachable_code)]
                        let __ayutil_value: #ret_ty = #body;
                        #into_stored
                    }
                }
            };
            let call = call_at(
                function,
                ret_span,
                quote!(#key_kind, #value_kind, #cache_fn, #key_arg, #make),
            );
            quote!(#call #await_token)
        }
    };
    let new_body = match value {
        ValuePlan::Plain => quote! {
            #key_binding
            #call
        },
        ValuePlan::Fallible => {
            let private_ret = private_at(ret_span);
            let rebuild = quote_spanned!(ret_span=> (&#private_ret::Rebuild(__ayutil_error)).__ayutil_rebuild());
            quote! {
                #key_binding
                match #call {
                    ::core::result::Result::Ok(__ayutil_ok) => ::core::result::Result::Ok(__ayutil_ok),
                    ::core::result::Result::Err(__ayutil_error) => ::core::result::Result::Err({
                        #[allow(unused_imports)]
                        use #private::{RebuildByClone as _, RebuildByShare as _};
                        #rebuild
                    }),
                }
            }
        }
    };

    // Rebuild the function with the new body; `task` turns `async fn f() -> T` into
    // `fn f() -> CachedTask<T>`. The body no longer uses a `mut self` receiver (it moves
    // into the computation, which rebinds it mutably), so the signature drops the `mut`.
    let attrs = &item.attrs;
    let mut sig = sig.clone();
    let mut extra_attrs = TokenStream::new();
    if matches!(runner, Runner::Task | Runner::TaskLocal) {
        sig.asyncness = None;
        sig.output = syn::parse_quote!(-> #private::CachedTask<#ret_ty>);
        extra_attrs = quote!(#[track_caller]);
    }
    if *runner != Runner::Sync
        && let Some(FnArg::Receiver(receiver)) = sig.inputs.first_mut()
    {
        receiver.mutability = None;
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

/// For an `async fn`: what the computation's closure runs before its `async move` block
/// (clones of `self` and owned copies of `&T` arguments), what the block rebinds, and the
/// body with `self` renamed.
fn async_body(plan: &Plan, private: &TokenStream) -> (TokenStream, TokenStream, TokenStream) {
    let sig = &plan.item.sig;
    let block = &plan.item.block;
    // The spawned computation must own everything: `self` is cloned on a miss and the
    // body sees `self` as a reference to (or the value of) that clone.
    let (mut prelude, mut rebind, body) = match sig.receiver() {
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
            (prelude, rebind, rename_self(block.to_token_stream()))
        }
        None => (TokenStream::new(), TokenStream::new(), quote!(#block)),
    };
    // `&T` arguments (allowed with `key`): the computation owns `T::to_owned()` and the
    // body sees `&T` borrowed from it, under the argument's own name.
    let mut owned_prelude = TokenStream::new();
    let mut owned_rebind = TokenStream::new();
    for input in &sig.inputs {
        if let FnArg::Typed(arg) = input
            && let Pat::Ident(pat) = &*arg.pat
            && let Some(inner) = owned_copy(&arg.ty)
        {
            let ident = &pat.ident;
            let owned = format_ident!("__ayutil_owned_{}", ident);
            owned_prelude.extend(quote!(let #owned = #private::to_owned_arg::<#inner>(#ident);));
            owned_rebind
                .extend(quote!(let #ident: &#inner = #private::borrow_arg::<#inner>(&#owned);));
        }
    }
    owned_prelude.extend(prelude);
    owned_rebind.extend(rebind);
    prelude = owned_prelude;
    rebind = owned_rebind;
    (prelude, rebind, body)
}

/// `[a, b, c]` into `(a, b, c,)`; more than [`MAX_TUPLE`] parts into a tuple of tuples
/// of at most [`MAX_TUPLE`] parts each (nested again if needed), since std implements
/// `Hash` and `Eq` for tuples of up to 12 elements.
fn nest(parts: Vec<TokenStream>) -> TokenStream {
    if parts.len() <= MAX_TUPLE {
        return quote!((#(#parts,)*));
    }
    let chunks = parts
        .chunks(MAX_TUPLE)
        .map(|chunk| nest(chunk.to_vec()))
        .collect();
    nest(chunks)
}

/// Renames every `self` token (not in a `self::` path) to `__ayutil_self`, except inside
/// nested items (`fn name`, `impl`, `trait`, `mod`), which keep their own `self`.
fn rename_self(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        if starts_item(&trees, i) {
            // Copy the item through its body (the first `{ … }`) or its final `;`.
            let end = trees[i..]
                .iter()
                .position(|tree| match tree {
                    TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
                    TokenTree::Punct(punct) => punct.as_char() == ';',
                    _ => false,
                })
                .map_or(trees.len() - 1, |offset| i + offset);
            out.extend(trees[i..=end].iter().cloned());
            i = end + 1;
            continue;
        }
        match &trees[i] {
            TokenTree::Ident(ident) if ident == "self" => {
                let path_follows = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':')
                    && matches!(trees.get(i + 2), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if path_follows {
                    out.push(trees[i].clone());
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
        i += 1;
    }
    out.into_iter().collect()
}

/// Whether the token at `i` starts a nested item: `impl`, `trait`, `mod`, or `fn name`
/// (`fn(` is a function pointer type, not an item).
fn starts_item(trees: &[TokenTree], i: usize) -> bool {
    match &trees[i] {
        TokenTree::Ident(ident) if ident == "impl" || ident == "trait" || ident == "mod" => true,
        TokenTree::Ident(ident) if ident == "fn" => {
            matches!(trees.get(i + 1), Some(TokenTree::Ident(_)))
        }
        _ => false,
    }
}
