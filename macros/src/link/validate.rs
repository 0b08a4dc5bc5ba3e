//! Rules the parser cannot express: every mistake is reported in one build.

use syn::Expr;

use super::Mode;
use super::parse::LinkInput;
use crate::errors::Errors;

pub(crate) fn validate(input: &LinkInput, mode: Mode) -> syn::Result<()> {
    let mut errors = Errors::default();
    for err in input.items.iter().filter_map(|item| check_item(item, mode)) {
        errors.push(err);
    }
    errors.finish()
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
