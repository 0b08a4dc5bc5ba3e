//! The two functions: the provided one and its explicit variant.
//!
//! ```text
//! #[provider(dic, from = P)]
//! #[attrs] vis fn f<G>(a: A, mut dic: D, b: B) -> R { body }
//! ```
//!
//! becomes
//!
//! ```text
//! #[attrs] vis fn f<G>(a: A, b: B) -> R {
//!     let mut dic: D = ::ayutil::__private::provider::provide::<D, _>(&(P));
//!     body's statements
//! }
//! #[doc = "Like `f`, but takes `dic` as an argument ..."] #[attrs without docs nor #[cached]]
//! #[allow(dead_code)]
//! vis fn f_with<G>(a: A, mut dic: D, b: B) -> R { body }
//! ```
//!
//! The body's statements follow the `let` in the same block (a block wrapped around them
//! would be an `unused_braces` warning for a single-expression body). A `#[cached]` below
//! `#[provider]` stays on the provided function only: its key is made of the remaining
//! parameters, and the explicit variant, whose dependency is an argument, is not cached.
//!
//! On an `async fn` the first statement becomes two, so nothing borrowed from `P` lives
//! across the `.await` and the provider runs at the first poll:
//!
//! ```text
//!     let __ayutil_provided = ::ayutil::__private::provider::provide_async::<D, _>(&(P));
//!     let mut dic: D = __ayutil_provided.await;
//! ```
//!
//! The body stays in the same function (no inner fn), so `self`, `Self`, generics and
//! `impl Trait` arguments keep working, in free functions and in `impl` blocks alike. The
//! path to `provide` carries the span of `D`, so a provider of the wrong type is reported
//! on the parameter's type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Meta, Pat};

use super::validate::Plan;
use crate::named;

pub(crate) fn expand(plan: &Plan, function: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = function;
    let Plan {
        index,
        from,
        explicit,
        krate,
    } = plan;

    let mut provided_sig = sig.clone();
    let inputs = std::mem::take(&mut provided_sig.inputs);
    let mut provided = None;
    // The other inputs keep their own commas, so every token of the signature keeps a
    // span in the user's code.
    for (i, pair) in inputs.into_pairs().enumerate() {
        let (arg, comma) = pair.into_tuple();
        match arg {
            FnArg::Typed(typed) if i == *index => provided = Some(typed),
            arg => {
                provided_sig.inputs.push_value(arg);
                if let Some(comma) = comma {
                    provided_sig.inputs.push_punct(comma);
                }
            }
        }
    }
    let Some(provided) = provided else {
        // `validate` picked `index` among the typed inputs of this very signature.
        unreachable!("the provided parameter is a typed input of the signature");
    };

    let param_attrs = &provided.attrs;
    let pat = &provided.pat;
    let ty = &provided.ty;
    let private = quote_spanned!(ty.span()=> #krate::__private::provider);
    let fill = if sig.asyncness.is_some() {
        let provide_async = quote_spanned!(ty.span()=> #private::provide_async::<#ty, _>);
        quote! {
            let __ayutil_provided = #provide_async(&(#from));
            #(#param_attrs)*
            let #pat: #ty = __ayutil_provided.await;
        }
    } else {
        let provide = quote_spanned!(ty.span()=> #private::provide::<#ty, _>);
        quote! {
            #(#param_attrs)*
            let #pat: #ty = #provide(&(#from));
        }
    };

    let mut explicit_sig = sig;
    explicit_sig.ident = explicit.clone();
    let explicit_doc = format!(
        "Like `{}`, but takes `{}` as an argument instead of from its provider.",
        provided_sig.ident,
        param_name(pat),
    );
    // The explicit variant gets its own doc text but keeps every other attribute,
    // `#[doc(hidden)]` and `#[cfg]` included, except `#[cached]`: a value cached for one
    // dependency must never answer a call that passes another.
    let other_attrs = attrs.iter().filter(|attr| {
        let own_doc = attr.path().is_ident("doc") && matches!(attr.meta, Meta::NameValue(_));
        !own_doc && !named::is_attr(attr, "cached")
    });
    let stmts = &block.stmts;

    quote! {
        #(#attrs)*
        #vis #provided_sig {
            #fill
            #(#stmts)*
        }

        #[doc = #explicit_doc]
        #(#other_attrs)*
        #[allow(dead_code)]
        #vis #explicit_sig #block
    }
}

fn param_name(pat: &Pat) -> String {
    match pat {
        Pat::Ident(pat) => pat.ident.to_string(),
        _ => String::from("the provided parameter"),
    }
}
