//! Tokens into [`CachedArgs`]: the options inside `#[cached(...)]`.
//!
//! ```text
//! #[cached(ttl = "10s", max = 100, key: String = url.to_string(), cache_errors, local, task, in_impl)]
//! ```

use std::time::Duration;

use crate::errors::Errors;
use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, LitInt, LitStr, Token, Type};

/// Every option, for the "unknown option" message.
const OPTIONS: &str = "`ttl = \"10s\"`, `max = 100`, `key: Type = expression`, `cache_errors`, `local`, `task`, `in_impl`, `crate = \"path\"`";

/// `key: Type = expression`.
pub(crate) struct KeyOption {
    pub(crate) ty: Type,
    pub(crate) expr: Expr,
}

/// The parsed options; each is `Some` with the span of its name when given.
#[derive(Default)]
pub(crate) struct CachedArgs {
    pub(crate) ttl: Option<(Span, Duration)>,
    pub(crate) max: Option<(Span, usize)>,
    pub(crate) key: Option<(Span, KeyOption)>,
    pub(crate) cache_errors: Option<Span>,
    pub(crate) local: Option<Span>,
    pub(crate) task: Option<Span>,
    pub(crate) in_impl: Option<Span>,
    /// `crate = "path"`: where `ayutil` is, when the user renamed it.
    pub(crate) krate: Option<(Span, syn::Path)>,
}

/// Stores an option once; a second occurrence is an error on its name.
fn set_once<T>(slot: &mut Option<(Span, T)>, name: &Ident, value: T) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            name.span(),
            format!("duplicate `{name}` option: keep one"),
        ));
    }
    *slot = Some((name.span(), value));
    Ok(())
}

fn set_flag(slot: &mut Option<Span>, name: &Ident, input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) || input.peek(Token![:]) {
        return Err(syn::Error::new(
            name.span(),
            format!("`{name}` takes no value: write `{name}` alone"),
        ));
    }
    if slot.is_some() {
        return Err(syn::Error::new(
            name.span(),
            format!("duplicate `{name}` option: keep one"),
        ));
    }
    *slot = Some(name.span());
    Ok(())
}

pub(crate) fn parse(args: TokenStream) -> syn::Result<CachedArgs> {
    (|input: ParseStream<'_>| parse_args(input)).parse2(args)
}

fn parse_args(input: ParseStream<'_>) -> syn::Result<CachedArgs> {
    let mut args = CachedArgs::default();
    let mut errors = Errors::default();
    while !input.is_empty() {
        if let Err(err) = parse_one(input, &mut args) {
            errors.push(err);
            // Skip the rest of this option so the next ones are still checked.
            while !input.is_empty() && !input.peek(Token![,]) {
                input.parse::<TokenTree>()?;
            }
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    errors.finish().map(|()| args)
}

fn parse_one(input: ParseStream<'_>, args: &mut CachedArgs) -> syn::Result<()> {
    if input.peek(Token![crate]) {
        let token: Token![crate] = input.parse()?;
        let name = Ident::new("crate", token.span);
        input.parse::<Token![=]>()?;
        let lit: LitStr = input.parse().map_err(|err| {
            syn::Error::new(
                err.span(),
                "`crate` takes a path in a string: `crate = \"my_ayutil\"`",
            )
        })?;
        let path: syn::Path = lit.parse()?;
        return set_once(&mut args.krate, &name, path);
    }
    let name: Ident = input.parse().map_err(|err| {
        syn::Error::new(
            err.span(),
            format!("expected a `#[cached]` option: {OPTIONS}"),
        )
    })?;
    match name.to_string().as_str() {
        "ttl" => {
            input.parse::<Token![=]>()?;
            let lit: LitStr = input.parse().map_err(|err| {
                syn::Error::new(
                    err.span(),
                    "`ttl` takes a duration string such as \"10s\", \"1m30s\" or \"250ms\"",
                )
            })?;
            let ttl =
                parse_duration(&lit.value()).map_err(|msg| syn::Error::new(lit.span(), msg))?;
            set_once(&mut args.ttl, &name, ttl)
        }
        "max" => {
            input.parse::<Token![=]>()?;
            let lit: LitInt = input.parse().map_err(|err| {
                syn::Error::new(err.span(), "`max` takes an integer literal such as `100`")
            })?;
            let max: usize = lit.base10_parse()?;
            if max == 0 {
                return Err(syn::Error::new(
                    lit.span(),
                    "`max` must be at least 1: remove `max` for an unbounded cache",
                ));
            }
            set_once(&mut args.max, &name, max)
        }
        "key" => {
            if input.peek(Token![=]) {
                return Err(syn::Error::new(
                    name.span(),
                    "write the key type: `key: Type = expression` (it names the cache handle's key)",
                ));
            }
            input.parse::<Token![:]>()?;
            let ty: Type = input.parse()?;
            input.parse::<Token![=]>()?;
            let expr: Expr = input.parse()?;
            set_once(&mut args.key, &name, KeyOption { ty, expr })
        }
        "cache_errors" => set_flag(&mut args.cache_errors, &name, input),
        "local" => set_flag(&mut args.local, &name, input),
        "task" => set_flag(&mut args.task, &name, input),
        "in_impl" => set_flag(&mut args.in_impl, &name, input),
        _ => Err(syn::Error::new(
            name.span(),
            format!("unknown `#[cached]` option `{name}`; valid options: {OPTIONS}"),
        )),
    }
}

/// `"1h30m"`, `"10s"`, `"250ms"`: numbers each followed by one of `d h m s ms us ns`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let help =
        "write a duration such as \"10s\", \"1m30s\" or \"250ms\" (units: d, h, m, s, ms, us, ns)";
    let mut total: u128 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(format!("empty `ttl`: {help}"));
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("`ttl` \"{text}\" does not parse: {help}"));
        }
        let number: u128 = rest[..digits]
            .parse()
            .map_err(|_| format!("`ttl` \"{text}\" is too large"))?;
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
            "" => {
                return Err(format!(
                    "`ttl` \"{text}\" lacks a unit after {number}: {help}"
                ));
            }
            other => {
                return Err(format!(
                    "unknown unit `{other}` in `ttl` \"{text}\": {help}"
                ));
            }
        };
        rest = rest[unit_len..].trim_start();
        total = number
            .checked_mul(nanos_per_unit)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(|| format!("`ttl` \"{text}\" is too large"))?;
    }
    if total == 0 {
        return Err(
            "`ttl` must be greater than zero: remove `ttl` to keep values forever".to_owned(),
        );
    }
    let secs = u64::try_from(total / 1_000_000_000)
        .map_err(|_| format!("`ttl` \"{text}\" is too large"))?;
    Ok(Duration::new(secs, (total % 1_000_000_000) as u32))
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
    }

    #[test]
    fn durations_that_do_not_parse() {
        for bad in [
            "",
            "10",
            "s",
            "10x",
            "ten seconds",
            "0s",
            "0ms0s",
            "-1s",
            "1.5s",
            "99999999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
