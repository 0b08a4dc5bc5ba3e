//! [`LinkInput`] into tokens.
//!
//! ```text
//! link!(a, b, c)
//! ```
//! becomes
//! ```text
//! {
//!     use $p::link::{ViaAwait as _, ViaCallAwait as _, ViaCall as _, ViaValue as _};
//!     let __ayutil_v0 = a;
//!     let __ayutil_k0 = (&&&&$p::link::Probe(&__ayutil_v0)).__ayutil_link_kind();
//!     // ... the same for b and c
//!     $p::link::Link::<_, _, $p::link::Plain>::new(
//!         Pair::new(Slot::new(move || __ayutil_k0.start(__ayutil_v0)),
//!                   Pair::new(Slot::new(..), Slot::new(..))),
//!         |(__ayutil_o0, (__ayutil_o1, __ayutil_o2))| (__ayutil_o0, __ayutil_o1, __ayutil_o2),
//!     )
//! }
//! ```
//! The items are evaluated where the macro is written; the starters (which call the
//! callables) run at the first poll, left to right. `try_link!` uses slots built by
//! `try_first` (whose error type is the gather's) and `try_next` (converted with `From`).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Expr;
use syn::spanned::Spanned;

use super::Mode;
use super::parse::LinkInput;

pub(crate) fn expand(input: &LinkInput, mode: Mode) -> TokenStream {
    let p = &input.private;
    if input.items.is_empty() {
        return match mode {
            Mode::Plain => quote! { async {} },
            Mode::Try => quote! {
                async { #p::core::result::Result::<(), #p::core::convert::Infallible>::Ok(()) }
            },
        };
    }

    let mut bind = TokenStream::new();
    let mut slots = Vec::new();
    let mut outs = Vec::new();
    for (i, item) in input.items.iter().enumerate() {
        // Call-site hygiene, but located at the item: errors about an item point at it.
        let span = Span::call_site().located_at(item.span());
        let v = format_ident!("__ayutil_v{}", i, span = span);
        let k = format_ident!("__ayutil_k{}", i, span = span);
        outs.push(format_ident!("__ayutil_o{}", i));
        let kind = if is_literal(item) {
            // A literal's type may still be an inference variable (`{integer}`), which
            // trait selection cannot probe; a literal is never a future or a callable.
            quote! { #p::link::Value }
        } else {
            quote_spanned! {span=> (&&&&#p::link::Probe(&#v)).__ayutil_link_kind() }
        };
        bind.extend(quote! {
            let #v = #item;
            let #k = #kind;
        });
        let starter = quote_spanned! {span=> move || #k.start(#v) };
        slots.push(match mode {
            Mode::Plain => quote! { #p::link::Slot::new(#starter) },
            Mode::Try => {
                // Called through local aliases spanned at the item, so a non-`Result` item
                // gets its error there, not on the whole macro call.
                let ctor = if i == 0 {
                    "__ayutil_try_first"
                } else {
                    "__ayutil_try_next"
                };
                let ctor = format_ident!("{}", ctor, span = span);
                quote_spanned! {span=> #ctor(#starter) }
            }
        });
    }

    let tree = nest(p, &slots);
    let pattern = nest_pattern(&outs);
    let marker = match mode {
        Mode::Plain => quote! { #p::link::Plain },
        Mode::Try => quote! { #p::link::Fallible },
    };
    quote! {
        {
            #[allow(unused_imports)]
            use #p::link::{
                ViaAwait as _, ViaCall as _, ViaCallAwait as _, ViaValue as _,
                try_first as __ayutil_try_first, try_next as __ayutil_try_next,
            };
            #bind
            #p::link::Link::<_, _, #marker>::new(#tree, |#pattern| (#(#outs,)*))
        }
    }
}

/// `[s0, s1, s2]` into `Pair::new(s0, Pair::new(s1, s2))`.
fn nest(p: &TokenStream, slots: &[TokenStream]) -> TokenStream {
    match slots {
        [] => unreachable!("empty gathers are expanded separately"),
        [last] => last.clone(),
        [first, rest @ ..] => {
            let rest = nest(p, rest);
            quote! { #p::link::Pair::new(#first, #rest) }
        }
    }
}

/// `[o0, o1, o2]` into the pattern `(o0, (o1, o2))`.
fn nest_pattern(outs: &[proc_macro2::Ident]) -> TokenStream {
    match outs {
        [] => unreachable!("empty gathers are expanded separately"),
        [last] => quote! { #last },
        [first, rest @ ..] => {
            let rest = nest_pattern(rest);
            quote! { (#first, #rest) }
        }
    }
}

fn is_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(_) => true,
        Expr::Group(g) => is_literal(&g.expr),
        Expr::Paren(p) => is_literal(&p.expr),
        _ => false,
    }
}
