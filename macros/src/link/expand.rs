//! [`LinkInput`] into tokens.
//!
//! ```text
//! link!(a, b)
//! ```
//! becomes
//! ```text
//! {
//!     use $p::link::{ViaAwait as _, ViaCallAwait as _, ViaCall as _, ViaValue as _};
//!     let __ayutil_v0 = a;
//!     let __ayutil_k0 = (&&&&$p::link::Probe(&__ayutil_v0)).__ayutil_link_kind();
//!     let __ayutil_v1 = b;
//!     let __ayutil_k1 = ...;
//!     async move {
//!         let mut __ayutil_f0 = pin!(maybe_done(__ayutil_k0.start(__ayutil_v0)));
//!         let mut __ayutil_f1 = pin!(maybe_done(__ayutil_k1.start(__ayutil_v1)));
//!         poll_fn(move |cx| { /* poll each, then take every output */ }).await
//!     }
//! }
//! ```
//! The items are evaluated where the macro is written; callables are called at the first
//! poll, left to right, inside the `async move` block.

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
            Mode::Try => {
                quote! { async { #p::core::result::Result::<(), #p::core::convert::Infallible>::Ok(()) } }
            }
        };
    }

    let mut bind = TokenStream::new();
    let mut start = TokenStream::new();
    let mut poll = TokenStream::new();
    let mut take = TokenStream::new();
    for (i, item) in input.items.iter().enumerate() {
        // Call-site hygiene, but located at the item: errors about an item point at it.
        let span = Span::call_site().located_at(item.span());
        let v = format_ident!("__ayutil_v{}", i, span = span);
        let k = format_ident!("__ayutil_k{}", i, span = span);
        let f = format_ident!("__ayutil_f{}", i, span = span);
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
        match mode {
            Mode::Plain => {
                start.extend(quote! {
                    let mut #f = #p::core::pin::pin!(#p::link::maybe_done(#k.start(#v)));
                });
                poll.extend(quote! {
                    __ayutil_done &= #p::core::future::Future::poll(#f.as_mut(), __ayutil_cx).is_ready();
                });
            }
            Mode::Try => {
                // Called through a local alias so the whole call is spanned at the item.
                let try_item = quote::format_ident!("__ayutil_try_item", span = span);
                let wrapped = quote_spanned! {span=> #try_item(#k.start(#v)) };
                start.extend(quote! {
                    let mut #f = #p::core::pin::pin!(#wrapped);
                });
                // The first item's error type is the gather's; the others convert into it.
                let err = if i == 0 {
                    quote! { __ayutil_e }
                } else {
                    quote! { #p::core::convert::From::from(__ayutil_e) }
                };
                poll.extend(quote! {
                    match #f.as_mut().poll_slot(__ayutil_cx) {
                        #p::core::task::Poll::Ready(#p::core::result::Result::Ok(())) => {}
                        #p::core::task::Poll::Ready(#p::core::result::Result::Err(__ayutil_e)) => {
                            return #p::core::task::Poll::Ready(#p::core::result::Result::Err(#err));
                        }
                        #p::core::task::Poll::Pending => __ayutil_done = false,
                    }
                });
            }
        }
        take.extend(quote! { #f.as_mut().take_output().unwrap(), });
    }

    let output = match mode {
        Mode::Plain => quote! { (#take) },
        Mode::Try => quote! { #p::core::result::Result::Ok((#take)) },
    };
    let imports = quote! {
        #[allow(unused_imports)]
        use #p::link::{ViaAwait as _, ViaCall as _, ViaCallAwait as _, ViaValue as _, try_item as __ayutil_try_item};
    };
    quote! {
        {
            #imports
            #bind
            async move {
                #start
                #p::core::future::poll_fn(move |__ayutil_cx| {
                    let mut __ayutil_done = true;
                    #poll
                    if __ayutil_done {
                        #p::core::task::Poll::Ready(#output)
                    } else {
                        #p::core::task::Poll::Pending
                    }
                })
                .await
            }
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
