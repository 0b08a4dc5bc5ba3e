//! `#[provider(names..., from = PROVIDER)]`: fill one parameter from a provider at every
//! call, and keep an explicit variant that takes it as an argument.
//!
//! `parse` turns the attribute's arguments into [`parse::ProviderArgs`] and the item into
//! a `syn::ItemFn`; `validate` checks them against each other and picks the provided
//! parameter ([`validate::Plan`]); `expand` writes the two functions.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

pub(crate) fn expand_entry(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(err) => return with_item(err, item),
    };
    let args = match parse::parse_args(args) {
        Ok(args) => args,
        Err(err) => return with_item(err, item),
    };
    match validate::validate(args, &function) {
        Ok(plan) => expand::expand(&plan, function),
        Err(err) => with_item(err, item),
    }
}

/// The error next to the user's unchanged item, so the editor keeps resolving it and no
/// follow-on "cannot find function" errors appear.
fn with_item(err: syn::Error, item: TokenStream) -> TokenStream {
    let mut out = err.into_compile_error();
    out.extend(item);
    out
}

/// Collects every mistake so one build reports them all.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        match self.0 {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}
