//! The option parser every attribute macro shares (in the spirit of serde's `Attr<T>`).
//!
//! An attribute's arguments are a comma-separated list of options, each one of:
//!
//! ```text
//! flag                     local, cache_errors
//! name = value             ttl = "10s", from = CONFIG, crate = ::ay
//! name: Type = value       key: String = url.to_string()     (the macro reads `:` itself)
//! ```
//!
//! [`parse_options`] walks the list and hands each option's name, with the stream right
//! after it, to the macro's own callback; the callback reads the value with one of the
//! helpers below and stores it in an [`Attr`]. What is decided here, once for every
//! macro:
//!
//! - an unknown name is one error on that name, listing the valid options;
//! - a repeated option is one error on its second name: "duplicate option `x`: give it once";
//! - after a mistake, the rest of that option is skipped up to the next top-level comma,
//!   so one build reports every mistake of the list;
//! - `crate = …` takes a path, bare or in a string: `crate = ::ay` and `crate = "ay"`;
//! - a duration is a string literal checked at compile time (`"1m30s"`) or any
//!   expression of type `Duration`.

use std::time::Duration;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Ident, Lit, LitInt, LitStr, Path, Token};

use crate::errors::Errors;

/// One option's value, set at most once, with the span of the option's name.
pub(crate) struct Attr<T> {
    name: &'static str,
    value: Option<(Span, T)>,
}

impl<T> Attr<T> {
    pub(crate) const fn none(name: &'static str) -> Self {
        Self { name, value: None }
    }

    /// Stores `value` given under `key`; a second occurrence is an error on its name.
    pub(crate) fn set(&mut self, key: &Ident, value: T, errors: &mut Errors) {
        if self.value.is_some() {
            errors.push_at(key.span(), duplicate(self.name));
        } else {
            self.value = Some((key.span(), value));
        }
    }

    /// Reads the option's value with `read` (one of the helpers below) and stores it. A
    /// malformed value is returned, for [`parse_options`] to report and skip; a repeated
    /// option is pushed to `errors`.
    pub(crate) fn read(
        &mut self,
        key: &Ident,
        input: ParseStream<'_>,
        errors: &mut Errors,
        read: impl FnOnce(&Ident, ParseStream<'_>) -> syn::Result<T>,
    ) -> syn::Result<()> {
        let value = read(key, input)?;
        self.set(key, value, errors);
        Ok(())
    }

    pub(crate) fn get(&self) -> Option<&T> {
        self.value.as_ref().map(|(_, value)| value)
    }

    /// The span of the option's name, when it was given.
    pub(crate) fn span(&self) -> Option<Span> {
        self.value.as_ref().map(|(span, _)| *span)
    }

    pub(crate) fn is_set(&self) -> bool {
        self.value.is_some()
    }

    pub(crate) fn take(self) -> Option<T> {
        self.value.map(|(_, value)| value)
    }
}

/// A flag: an option without a value.
pub(crate) type Flag = Attr<()>;

/// The one wording of a repeated option.
pub(crate) fn duplicate(name: &str) -> String {
    format!("duplicate option `{name}`: give it once")
}

/// What a macro tells [`parse_options`] about itself, for the "unknown option" message.
pub(crate) struct Options {
    /// `#[cached]`, `#[provider]`...
    pub(crate) macro_name: &'static str,
    /// Each valid option as the user would write it: `ttl = "10s"`, `local`.
    pub(crate) valid: &'static [&'static str],
}

impl Options {
    /// The error for an option name the macro does not know.
    pub(crate) fn unknown(&self, key: &Ident) -> syn::Error {
        let valid: Vec<String> = self.valid.iter().map(|v| format!("`{v}`")).collect();
        syn::Error::new(
            key.span(),
            format!(
                "unknown option `{}` of `{}`; valid options: {}",
                key.unraw(),
                self.macro_name,
                valid.join(", ")
            ),
        )
    }
}

/// What the macro's callback did with one option.
pub(crate) enum Parsed {
    /// The option was known and read (maybe with a mistake already pushed).
    Known,
    /// The macro does not know this name: [`parse_options`] reports it.
    Unknown,
}

/// Walks `name [= value]` options separated by commas. `each` gets the option's name
/// (keywords such as `crate` and raw identifiers included) and the stream right after it;
/// it reads the value, stores it, and says whether the name was known. A syntax error
/// inside one option is recorded and the rest of that option skipped, so the following
/// options are still checked.
pub(crate) fn parse_options(
    tokens: TokenStream,
    options: &Options,
    errors: &mut Errors,
    mut each: impl FnMut(&Ident, ParseStream<'_>, &mut Errors) -> syn::Result<Parsed>,
) {
    let parser = |input: ParseStream<'_>| -> syn::Result<()> {
        while !input.is_empty() {
            let outcome = match Ident::parse_any(input) {
                Ok(key) => match each(&key, input, errors) {
                    Ok(Parsed::Known) => Ok(()),
                    Ok(Parsed::Unknown) => Err(options.unknown(&key)),
                    Err(err) => Err(err),
                },
                Err(err) => Err(syn::Error::new(
                    err.span(),
                    format!(
                        "expected an option of `{}`: {}",
                        options.macro_name,
                        options
                            .valid
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            };
            if let Err(err) = outcome {
                errors.push(err);
                skip_to_comma(input);
            } else if !input.is_empty() && !input.peek(Token![,]) {
                errors.push(input.error("expected `,` between options"));
                skip_to_comma(input);
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(err) = parser.parse2(tokens) {
        errors.push(err);
    }
}

/// Skips the tokens of a broken option, up to (not past) the next top-level comma.
fn skip_to_comma(input: ParseStream<'_>) {
    while !input.is_empty() && !input.peek(Token![,]) {
        if input.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

/// A flag: `name` alone. A value after it is an error on the name.
pub(crate) fn flag(key: &Ident, input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) || input.peek(Token![:]) {
        return Err(syn::Error::new(
            key.span(),
            format!("`{key}` takes no value: write `{key}` alone"),
        ));
    }
    Ok(())
}

/// The `=` of `name = value`; `example` shows the whole option when it is missing.
pub(crate) fn eq_token(key: &Ident, input: ParseStream<'_>, example: &str) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        Ok(())
    } else {
        Err(syn::Error::new(
            key.span(),
            format!("`{}` needs a value: `{example}`", key.unraw()),
        ))
    }
}

/// `name = value` for any value syn can parse.
pub(crate) fn value<T: Parse>(
    key: &Ident,
    input: ParseStream<'_>,
    example: &str,
) -> syn::Result<T> {
    eq_token(key, input, example)?;
    input.parse()
}

/// `crate = path::to::ayutil` or `crate = "path::to::ayutil"`: where `ayutil` is when the
/// user renamed the dependency.
pub(crate) fn crate_path(key: &Ident, input: ParseStream<'_>) -> syn::Result<Path> {
    let help = "`crate` takes the path of the renamed `ayutil`: `crate = ay` or `crate = \"ay\"`";
    eq_token(key, input, "crate = ay")?;
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return lit
            .parse_with(Path::parse_mod_style)
            .map_err(|_| syn::Error::new(lit.span(), help));
    }
    Path::parse_mod_style(input).map_err(|err| syn::Error::new(err.span(), help))
}

/// The tokens of the crate path: `::ayutil` unless `crate = …` said otherwise.
pub(crate) fn crate_tokens(path: Option<&Path>) -> TokenStream {
    match path {
        Some(path) => path.to_token_stream(),
        None => quote!(::ayutil),
    }
}

/// `name = N` with `N` an integer literal of at least 1.
pub(crate) fn positive_int(key: &Ident, input: ParseStream<'_>) -> syn::Result<usize> {
    let example = format!("{key} = 4");
    let message = format!("`{key}` takes a whole number greater than zero: `{example}`");
    eq_token(key, input, &example)?;
    let value: Expr = input.parse()?;
    let Expr::Lit(ExprLit {
        lit: Lit::Int(lit), ..
    }) = &value
    else {
        return Err(syn::Error::new_spanned(value, message));
    };
    match lit.base10_parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(syn::Error::new(lit.span(), message)),
    }
}

/// An integer literal, as written (for options whose range the macro checks itself).
pub(crate) fn int_literal(
    key: &Ident,
    input: ParseStream<'_>,
    example: &str,
) -> syn::Result<LitInt> {
    eq_token(key, input, example)?;
    input.parse().map_err(|err| {
        syn::Error::new(
            err.span(),
            format!("`{key}` takes an integer literal: `{example}`"),
        )
    })
}

/// A duration option's value: a string checked now, or an expression checked by rustc.
pub(crate) enum DurationArg {
    /// `"1m30s"`, already parsed.
    Literal(Duration),
    /// Any expression; it must have type `core::time::Duration`.
    Expr(Box<Expr>),
}

impl DurationArg {
    /// An expression of type `::core::time::Duration`. An expression of another type is
    /// reported on that expression.
    pub(crate) fn to_expr(&self) -> TokenStream {
        match self {
            DurationArg::Literal(duration) => {
                let (secs, nanos) = (duration.as_secs(), duration.subsec_nanos());
                quote!(::core::time::Duration::new(#secs, #nanos))
            }
            DurationArg::Expr(expr) => {
                let span = expr.span();
                let ty = quote_spanned!(span=> ::core::time::Duration);
                quote!({
                    let __ayutil_duration: #ty = #expr;
                    __ayutil_duration
                })
            }
        }
    }
}

/// `name = "1m30s"` (checked here) or `name = any_duration_expression`.
pub(crate) fn duration(key: &Ident, input: ParseStream<'_>) -> syn::Result<DurationArg> {
    eq_token(key, input, &format!("{key} = \"30s\""))?;
    let expr: Expr = input.parse()?;
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => parse_duration(&lit.value())
            .map(DurationArg::Literal)
            .map_err(|msg| syn::Error::new(lit.span(), format!("`{key}`: {msg}"))),
        Expr::Lit(ExprLit {
            lit: lit @ (Lit::Int(_) | Lit::Float(_)),
            ..
        }) => Err(syn::Error::new(
            lit.span(),
            format!(
                "`{key}` needs a unit: write a string such as `{key} = \"{}s\"`, or a `Duration` expression",
                lit.to_token_stream()
            ),
        )),
        _ => Ok(DurationArg::Expr(Box::new(expr))),
    }
}

/// `"1h30m"`, `"10s"`, `"250ms"`, `"0s"`: numbers each followed by one of
/// `d h m s ms us ns`, optionally separated by spaces.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let help = "write a duration such as \"10s\", \"1m30s\" or \"250ms\" (units: d, h, m, s, ms, us, ns), \
                or a `Duration` expression";
    let too_large = || format!("\"{text}\" is too large for a `Duration`");
    let mut total: u128 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(format!("empty duration: {help}"));
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("\"{text}\" does not parse: {help}"));
        }
        let number: u128 = rest[..digits].parse().map_err(|_| too_large())?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let nanos_per_unit: u128 = match &rest[..unit_len] {
            "d" => 86_400_000_000_000,
            "h" => 3_600_000_000_000,
            "m" => 60_000_000_000,
            "s" => 1_000_000_000,
            "ms" => 1_000_000,
            "us" => 1_000,
            "ns" => 1,
            "" => return Err(format!("\"{text}\" lacks a unit after {number}: {help}")),
            other => return Err(format!("unknown unit `{other}` in \"{text}\": {help}")),
        };
        rest = rest[unit_len..].trim_start();
        total = number
            .checked_mul(nanos_per_unit)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(too_large)?;
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| too_large())?;
    let nanos = u32::try_from(total % 1_000_000_000).map_err(|_| too_large())?;
    Ok(Duration::new(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_that_parse() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h 2m"), Ok(Duration::from_secs(3720)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("1s5ns"), Ok(Duration::new(1, 5)));
        assert_eq!(parse_duration("7us"), Ok(Duration::from_micros(7)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(
            parse_duration("18446744073709551615s999999999ns"),
            Ok(Duration::MAX)
        );
    }

    #[test]
    fn durations_that_do_not_parse() {
        for bad in [
            "",
            "10",
            "s",
            "10x",
            "ten seconds",
            "-1s",
            "1.5s",
            "99999999999999999999999d",
            "18446744073709551616s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
