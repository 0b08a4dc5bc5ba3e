//! `#[run_as_main]`: placeholder until its issue lands; reports a compile error when used.

use proc_macro2::TokenStream;

pub(crate) fn expand_entry(_args: TokenStream, item: TokenStream) -> TokenStream {
    let mut out = syn::Error::new(
        proc_macro2::Span::call_site(),
        "`#[run_as_main]` is not implemented yet",
    )
    .into_compile_error();
    out.extend(item);
    out
}
