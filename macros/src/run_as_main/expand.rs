//! The `fn main` that runs the user's body in a root scope.
//!
//! Input:
//!
//! ```text
//! #[run_as_main(flavor = "current_thread", timeout = d)]
//! async fn main(run: ayutil::Scope) -> Result<(), E> { body }
//! ```
//!
//! Output:
//!
//! ```text
//! fn main() -> ::ayutil::__private::scope::MainExit {
//!     let __ayutil_output = ::ayutil::__private::scope::main_output::<Result<(), E>>();
//!     ::ayutil::__private::scope::run_main(
//!         ::ayutil::__private::scope::MainConfig::new().current_thread().timeout(d),
//!         move |run: ayutil::Scope| {
//!             let __ayutil_body =
//!                 ::ayutil::__private::scope::typed::<Result<(), E>, _>(async move { body });
//!             async move { __ayutil_output(__ayutil_body.await) }
//!         },
//!     )
//! }
//! ```

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ReturnType};

use super::parse::{Flavor, MainInput};

pub(crate) fn expand(input: &MainInput) -> TokenStream {
    let func = &input.func;
    let attrs = &func.attrs;
    let vis = &func.vis;
    let ident = &func.sig.ident;
    let body = &func.block;
    let Some(FnArg::Typed(arg)) = func.sig.inputs.first() else {
        unreachable!("validated: one typed parameter")
    };
    let (pat, ty) = (&arg.pat, &arg.ty);
    let (output, output_span) = match &func.sig.output {
        ReturnType::Default => (quote! { () }, func.sig.ident.span()),
        ReturnType::Type(_, ty) => (quote! { #ty }, ty.span()),
    };
    let private = match input.krate.get() {
        Some(path) => quote! { #path::__private::scope },
        None => quote! { ::ayutil::__private::scope },
    };

    let mut config = quote! { #private::MainConfig::new() };
    if input.flavor.get() == Some(&Flavor::CurrentThread) {
        config.extend(quote! { .current_thread() });
    }
    if let Some(n) = input.worker_threads.get() {
        config.extend(quote! { .worker_threads(#n) });
    }
    if let Some(n) = input.max_concurrency.get() {
        config.extend(quote! { .max_concurrency(#n) });
    }
    if let Some(timeout) = input.timeout.get() {
        config.extend(quote_spanned! {timeout.span()=> .timeout(#timeout) });
    }
    if let Some(hooks) = input.hooks.get() {
        config.extend(quote_spanned! {hooks.span()=> .hooks(#hooks) });
    }

    let async_span = func.sig.asyncness.span();
    // Resolved on its own so that a wrong return type is reported once, on that type.
    let convert = quote_spanned! {output_span=>
        let __ayutil_output = #private::main_output::<#output>();
    };
    let call = quote_spanned! {async_span=>
        #private::run_main(#config, move |#pat: #ty| {
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
