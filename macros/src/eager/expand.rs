//! The rewrite: the `async fn` becomes a plain `fn` that starts its body at once.
//!
//! ```text
//! #[eager]                                   #[track_caller]
//! pub async fn fetch(id: u32,          =>    pub fn fetch(id: u32, __arg1: (u8, u8), self..)
//!     (a, b): (u8, u8)) -> T { body }            -> ::ayutil::__private::eager::Eager<T> {
//!                                                ::ayutil::__private::eager::eager_body(async move {
//!                                                    let id = id;
//!                                                    let __arg1 = __arg1; let (a, b) = __arg1;
//!                                                    body statements
//!                                                })
//!                                            }
//! ```
//!
//! Every argument is moved into the body, as in an `async fn` (rustc's own desugaring),
//! so an argument the body never names (a permit, a guard) still lives until the body
//! ends, not until the call returns. A `self` receiver is moved in by `let _ = &self;`.
//! `local` calls `eager_local_body` instead. The call is spanned on the user's `async`
//! keyword, so a body that is not `Send` is reported there. The body stays in the same
//! function (no inner fn), so `self`, `Self`, generics and `impl Trait` arguments keep
//! working.
//!
//! With `#[cached]` or `#[provider]` below it, `#[eager]` first moves itself below every
//! attribute of the item (as `#[::ayutil::__private::eager::eager(..)]`), so those see the
//! `async fn` and `#[eager]` wraps their result: either order of the attributes gives the
//! same function.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, ReturnType};

use super::validate::Plan;
use crate::compose;
use crate::respan::respan;

pub(crate) fn expand(plan: &Plan, args: TokenStream, function: ItemFn) -> TokenStream {
    let krate = &plan.krate;
    if plan.defer {
        // Below every attribute, so it runs last (see `crate::compose`).
        let at = function.attrs.len();
        let path = quote!(#krate::__private::eager::eager);
        return compose::moved_to(function, at, &path, &args);
    }

    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
        ..
    } = function;
    let span = sig
        .asyncness
        .take()
        .map_or_else(|| sig.fn_token.span, |a| a.span);
    // Every token of the path on `async`, so errors about the call land on the user's code.
    let private = respan(quote!(#krate::__private::eager), span);

    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    sig.output = syn::parse_quote_spanned!(span=> -> #private::Eager<#output>);

    let mut prelude = TokenStream::new();
    for (i, input) in sig.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(_) => prelude.extend(quote!(let _ = &self;)),
            FnArg::Typed(arg) => {
                let param_attrs = &arg.attrs;
                match &mut *arg.pat {
                    Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => {
                        // `mut` moves from the parameter to the binding inside the body.
                        let mutability = pat.mutability.take();
                        let ident = &pat.ident;
                        prelude.extend(quote! {
                            #(#param_attrs)*
                            #[allow(clippy::redundant_locals)]
                            let #mutability #ident = #ident;
                        });
                    }
                    pat => {
                        let name = format_ident!("__arg{}", i, span = pat.span());
                        prelude.extend(quote! {
                            #(#param_attrs)*
                            let #name = #name;
                            #(#param_attrs)*
                            let #pat = #name;
                        });
                        *pat = syn::parse_quote!(#name);
                    }
                }
            }
        }
    }

    let start = if plan.local {
        quote_spanned!(span=> #private::eager_local_body)
    } else {
        quote_spanned!(span=> #private::eager_body)
    };
    let stmts = &block.stmts;
    let body = quote_spanned! {span=>
        #start(async move {
            #prelude
            #(#stmts)*
        })
    };
    let track_caller = if attrs
        .iter()
        .any(|attr| attr.path().is_ident("track_caller"))
    {
        quote!()
    } else {
        // A body that waits where it cannot continue panics at the caller, not here.
        quote!(#[track_caller])
    };
    quote! {
        #(#attrs)*
        #track_caller
        #vis #sig {
            #body
        }
    }
}
