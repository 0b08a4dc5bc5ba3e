//! `#[provider]`: placeholder until its issue lands; reports a compile error when used.

use proc_macro2::TokenStream;

pub(crate) fn expand_entry(_args: TokenStream, item: TokenStream) -> TokenStream {
    let mut out = syn::Error::new(
        proc_macro2::Span::call_site(),
        "`#[provider]` is not implemented yet",
    )
    .into_compile_error();
    out.extend(item);
    out
}
