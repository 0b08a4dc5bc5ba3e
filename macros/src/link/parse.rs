//! Tokens into [`LinkInput`]: the `__private` path handed over by the `macro_rules!`
//! front end, then the comma-separated items.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Token};

use super::Mode;

pub(crate) struct LinkInput {
    /// `$crate::__private`, exactly as the front end wrote it.
    pub(crate) private: TokenStream,
    pub(crate) items: Vec<Expr>,
}

pub(crate) fn parse(input: TokenStream, mode: Mode) -> syn::Result<LinkInput> {
    let mut tokens = input.into_iter();
    let mut private = TokenStream::new();
    // The path is everything before the first top-level `;`. It may start with `$crate`,
    // which syn's path parser does not take, so it is kept as raw tokens.
    loop {
        match tokens.next() {
            Some(TokenTree::Punct(p)) if p.as_char() == ';' => break,
            Some(tt) => private.extend([tt]),
            None => {
                return Err(syn::Error::new(
                    proc_macro2::Span::call_site(),
                    "call `ayutil::link!` or `ayutil::try_link!`, not the hidden macro",
                ));
            }
        }
    }
    let rest: TokenStream = tokens.collect();
    let items =
        (|input: ParseStream<'_>| parse_items(input, mode)).parse2(unwrap_none_group(rest))?;
    Ok(LinkInput { private, items })
}

/// `macro_rules!` may wrap forwarded fragments in invisible groups; look through a lone one.
fn unwrap_none_group(tokens: TokenStream) -> TokenStream {
    let mut iter = tokens.clone().into_iter();
    match (iter.next(), iter.next()) {
        (Some(TokenTree::Group(g)), None) if g.delimiter() == Delimiter::None => g.stream(),
        _ => tokens,
    }
}

fn parse_items(input: ParseStream<'_>, mode: Mode) -> syn::Result<Vec<Expr>> {
    let mut items = Vec::new();
    while !input.is_empty() {
        items.push(input.parse::<Expr>()?);
        if input.is_empty() {
            break;
        }
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        } else {
            return Err(input.error(format!("expected `,` between `{}` items", mode.name())));
        }
    }
    Ok(items)
}
