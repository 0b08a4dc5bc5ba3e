//! Rules the parser cannot express: every mistake is reported in one build.

use syn::Expr;

use super::Mode;
use super::parse::LinkInput;

pub(crate) fn validate(input: &LinkInput, mode: Mode) -> syn::Result<()> {
    let mut errors: Option<syn::Error> = None;
    for item in &input.items {
        if let Some(err) = check_item(item, mode) {
            match &mut errors {
                Some(all) => all.combine(err),
                None => errors = Some(err),
            }
        }
    }
    errors.map_or(Ok(()), Err)
}

fn check_item(item: &Expr, mode: Mode) -> Option<syn::Error> {
    match item {
        Expr::Closure(closure) if !closure.inputs.is_empty() => {
            let n = closure.inputs.len();
            let (begin, inputs, end) =
                (&closure.inputs_begin, &closure.inputs, &closure.inputs_end);
            Some(syn::Error::new_spanned(
                quote::quote! { #begin #inputs #end },
                format!(
                    "`{}` calls closures with no arguments, but this one takes {n}; \
                     capture the value instead: `move || ...`",
                    mode.name()
                ),
            ))
        }
        _ => None,
    }
}
