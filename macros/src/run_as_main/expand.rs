//! The `fn main` that runs the user's body in a root scope.
//!
//! Input:
//!
//! ```text
//! #[run_as_main(flavor = "current_thread", timeout = "10s")]
//! async fn main(run: ayutil::Scope) -> Result<(), E> { body }
//! ```
//!
//! Output:
//!
//! ```text
//! fn main() -> ::ayutil::__private::run_as_main::MainExit {
//!     let __ayutil_output = ::ayutil::__private::run_as_main::main_output::<Result<(), E>>();
//!     ::ayutil::__private::run_as_main::run_main(
//!         ::ayutil::__private::run_as_main::MainConfig::new().current_thread()
//!             .timeout(::core::time::Duration::new(10, 0)),
//!         move |run: ayutil::Scope| {
//!             let __ayutil_body =
//!                 ::ayutil::__private::run_as_main::typed::<Result<(), E>, _>(async move { body });
//!             async move { __ayutil_output(__ayutil_body.await) }
//!         },
//!     )
//! }
//! ```
//!
//! A `main` without parameter gets `move |_: ::ayutil::Scope| …`: the root scope is
//! still there (it waits for nothing but the body).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ReturnType;
use syn::spanned::Spanned;

use super::validate::Plan;

pub(crate) fn expand(plan: &Plan) -> TokenStream {
    let Plan {
        func,
        krate,
        config,
        root,
    } = plan;
    let attrs = &func.attrs;
    let vis = &func.vis;
    let ident = &func.sig.ident;
    let body = &func.block;
    let (output, output_span) = match &func.sig.output {
        ReturnType::Default => (quote! { () }, func.sig.ident.span()),
        ReturnType::Type(_, ty) => (quote! { #ty }, ty.span()),
    };
    let private = quote! { #krate::__private::run_as_main };
    let param = match root {
        Some((pat, ty)) => quote! { #pat: #ty },
        None => quote! { _: #krate::Scope },
    };

    let async_span = func.sig.asyncness.span();
    // Resolved on its own so that a wrong return type is reported once, on that type.
    let convert = quote_spanned! {output_span=>
        let __ayutil_output = #private::main_output::<#output>();
    };
    let call = quote_spanned! {async_span=>
        #private::run_main(#config, move |#param| {
            let __ayutil_body = #private::typed::<#output, _>(async move #body);
            async move { __ayutil_output(__ayutil_body.await) }
        })
    };
    quote! {
        #(#attrs)*
        #vis fn #ident() -> #private::MainExit {
            #convert
            #call
        }
    }
}
