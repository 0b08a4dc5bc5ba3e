//! Moving tokens the macro writes onto a span of the user's code, so that rustc reports
//! what they name there.

use proc_macro2::{Group, Span, TokenStream, TokenTree};

/// `tokens` with every span (through groups) set to `span`.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                tree = TokenTree::Group(new);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
