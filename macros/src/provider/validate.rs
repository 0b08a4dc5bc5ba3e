//! Rules between the arguments and the function; picks the provided parameter.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::{Expr, FnArg, Ident, ItemFn, Pat, Safety, Type};

use super::parse::ProviderArgs;
use crate::attr;
use crate::errors::Errors;

/// What `expand` needs: everything here has been checked.
pub(crate) struct Plan {
    /// Index in `sig.inputs` of the parameter filled by the provider.
    pub(crate) index: usize,
    /// The provider expression, evaluated at each call.
    pub(crate) from: Expr,
    /// Name of the explicit variant.
    pub(crate) explicit: Ident,
    /// Path to the `ayutil` crate (`::ayutil` unless `crate = ...` was given).
    pub(crate) krate: TokenStream,
}

pub(crate) fn validate(
    args: ProviderArgs,
    function: &ItemFn,
    mut errors: Errors,
) -> syn::Result<Plan> {
    let ProviderArgs {
        names,
        from,
        explicit,
        krate,
    } = args;
    check_names(&names, &mut errors);
    check_signature(function, &mut errors);
    let index = find_provided(&names, function, &mut errors);
    if !from.is_set() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "missing `from = PROVIDER`: name the provider that fills the parameter, e.g. `#[provider(config, from = CONFIG)]`",
        ));
    }
    let name = &function.sig.ident;
    let explicit = explicit
        .take()
        .unwrap_or_else(|| Ident::new(&format!("{}_with", name.unraw()), name.span()));
    if explicit == *name {
        errors.push(syn::Error::new(
            explicit.span(),
            "the explicit variant needs a name other than the function's own",
        ));
    }
    errors.finish()?;
    // With no error pushed, `find_provided` found a parameter and `from` was given.
    let (Some(index), Some(from)) = (index, from.take()) else {
        unreachable!("a missing parameter or `from` is reported above");
    };
    Ok(Plan {
        index,
        from,
        explicit,
        krate: attr::crate_tokens(krate.get()),
    })
}

fn check_names(names: &[Ident], errors: &mut Errors) {
    if names.is_empty() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "list the parameter to fill, e.g. `#[provider(config, from = CONFIG)]`",
        ));
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i]
            .iter()
            .any(|earlier| earlier.unraw() == name.unraw())
        {
            errors.push(syn::Error::new(
                name.span(),
                format!("`{name}` is listed twice; list it once"),
            ));
        }
    }
}

/// Function kinds the two generated functions cannot reproduce faithfully.
fn check_signature(function: &ItemFn, errors: &mut Errors) {
    let sig = &function.sig;
    if let Some(default) = &function.modifiers.defaultness {
        errors.push(syn::Error::new(
            default.span,
            "`#[provider]` does not support `default fn`",
        ));
    }
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new(
            constness.span,
            "`#[provider]` cannot fill a parameter of a `const fn`: providers run at run time; remove `const`",
        ));
    }
    if let Safety::Unsafe(unsafety) = &sig.safety {
        errors.push(syn::Error::new(
            unsafety.span,
            "`#[provider]` does not support `unsafe fn`; wrap the unsafe call in a safe function",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "`#[provider]` does not support `extern` functions",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "`#[provider]` does not support variadic functions",
        ));
    }
}

/// The first parameter, in signature order, whose name is listed.
fn find_provided(names: &[Ident], function: &ItemFn, errors: &mut Errors) -> Option<usize> {
    let listed = |ident: &Ident| names.iter().any(|name| name.unraw() == ident.unraw());
    let found = function
        .sig
        .inputs
        .iter()
        .enumerate()
        .find_map(|(index, arg)| match arg {
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(pat) if listed(&pat.ident) => Some((index, &*typed.ty)),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        });
    match found {
        Some((index, ty)) => {
            if let Type::ImplTrait(_) = ty {
                errors.push(syn::Error::new_spanned(
                    ty,
                    "a provided parameter needs a nameable type, not `impl Trait`; use a concrete type or a generic parameter",
                ));
            }
            Some(index)
        }
        None => {
            let known = parameter_names(function);
            for name in names {
                let message = if name == "self" {
                    "the receiver `self` cannot be provided; list a named parameter".to_owned()
                } else if known.is_empty() {
                    format!("no parameter named `{name}`: this function has no named parameters")
                } else {
                    format!(
                        "no parameter named `{name}`; the parameters are {}",
                        known.join(", ")
                    )
                };
                errors.push(syn::Error::new(name.span(), message));
            }
            None
        }
    }
}

fn parameter_names(function: &ItemFn) -> Vec<String> {
    let names = function.sig.inputs.iter().filter_map(|arg| match arg {
        FnArg::Typed(typed) => match &*typed.pat {
            Pat::Ident(pat) => Some(format!("`{}`", pat.ident)),
            _ => None,
        },
        FnArg::Receiver(_) => None,
    });
    names.collect()
}
