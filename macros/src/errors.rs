//! Error plumbing shared by every macro: [`Errors`] collects mistakes so one build reports
//! them all (serde_derive's `Ctxt`), and [`with_item`] keeps the user's item beside them.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ItemFn;

/// Collects every mistake into one `syn::Error`.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    /// A mistake at `span`.
    pub(crate) fn push_at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// A mistake spanning `tokens`, first to last.
    pub(crate) fn push_spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }

    /// The collected mistakes, when the caller knows there is at least one.
    pub(crate) fn into_error(self) -> syn::Error {
        self.0.unwrap_or_else(|| {
            syn::Error::new(Span::call_site(), "ayutil's macro failed without a message")
        })
    }
}

/// The attribute's item as a function. When it is not one, its syntax error joins the
/// option mistakes already in `errors`, which the caller reports beside the item.
pub(crate) fn parse_fn(item: &TokenStream, errors: &mut Errors) -> Option<ItemFn> {
    match syn::parse2(item.clone()) {
        Ok(function) => Some(function),
        Err(err) => {
            errors.push(err);
            None
        }
    }
}

/// The error next to the user's unchanged item (tokio-macros' `token_stream_with_error`),
/// so the editor keeps resolving it and no follow-on "cannot find function" errors appear.
pub(crate) fn with_item(err: syn::Error, item: TokenStream) -> TokenStream {
    let mut out = err.into_compile_error();
    out.extend(item);
    out
}
