//! How an error that wraps a cause reports it: through `Display` or through `source()`,
//! never both. The one convention of every public error type of ayutil.
//!
//! A wrapper's `Display` describes only its own layer ("stage 0 (parse) failed on item 3")
//! and `source()` returns the cause, as the Rust API guidelines and thiserror's
//! `#[source]` do; `anyhow`'s `{:#}` and any report that walks `source()` then show each
//! part of the chain once. A transparent wrapper (`TaskFailure`) displays and chains
//! exactly as its cause.
//!
//! A wrapper that is generic over its cause `E` implements `Error` whenever
//! `E: Debug + Display + 'static`, so that causes which are not themselves `Error`s
//! (`BoxError`, `anyhow::Error`, `String`) still convert with `?`. Without specialization,
//! a generic impl cannot ask whether `E` is an `Error`, so [`source`] looks at its concrete
//! type: the boxed forms (`Box<dyn Error ..>`, `Arc<dyn Error + Send + Sync>`),
//! `std::io::Error` and, with the `anyhow` feature, `anyhow::Error` are reached and
//! chained through `source()`. Any other cause is written into the wrapper's message with
//! `{:#}` (which prints the whole chain of error types that follow anyhow's convention,
//! such as `eyre::Report`), and `source()` is `None`. The cause is named once either way;
//! only the causes of a typed error that is not in that list are not walked (box it, or
//! make it an `anyhow::Error`, to keep them).
//!
//! One deliberate exception: `SharedError<E>`, whose purpose is to chain exactly as the
//! `E: Error` it shares, keeps the bound `E: Error`.

#![allow(dead_code)] // Not every feature set wraps a cause.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// `cause` as an error that `source()` can return, when its type is one ayutil can see
/// as an `Error`.
pub(crate) fn source<E: 'static>(cause: &E) -> Option<&(dyn Error + 'static)> {
    let cause: &dyn Any = cause;
    if let Some(e) = cause.downcast_ref::<Box<dyn Error + Send + Sync>>() {
        return Some(&**e);
    }
    if let Some(e) = cause.downcast_ref::<Box<dyn Error + Send>>() {
        return Some(&**e);
    }
    if let Some(e) = cause.downcast_ref::<Box<dyn Error>>() {
        return Some(&**e);
    }
    if let Some(e) = cause.downcast_ref::<Arc<dyn Error + Send + Sync>>() {
        return Some(&**e);
    }
    if let Some(e) = cause.downcast_ref::<std::io::Error>() {
        return Some(e);
    }
    #[cfg(feature = "anyhow")]
    if let Some(e) = cause.downcast_ref::<anyhow::Error>() {
        return Some(e.as_ref());
    }
    None
}

/// Writes a wrapper's own `layer`, then `": "` and the cause when [`source`] cannot
/// report it.
pub(crate) fn fmt_layer<E>(
    f: &mut fmt::Formatter<'_>,
    layer: fmt::Arguments<'_>,
    cause: &E,
) -> fmt::Result
where
    E: fmt::Display + 'static,
{
    f.write_fmt(layer)?;
    if source(cause).is_none() {
        write!(f, ": {cause:#}")?;
    }
    Ok(())
}

/// The `Display` of a wrapper that is transparent over `cause`: the cause's own layer
/// when [`transparent_source`] continues its chain, else the cause in full.
pub(crate) fn fmt_transparent<E>(f: &mut fmt::Formatter<'_>, cause: &E) -> fmt::Result
where
    E: fmt::Display + 'static,
{
    match source(cause) {
        Some(error) => write!(f, "{error}"),
        None => write!(f, "{cause:#}"),
    }
}

/// The `source()` of a wrapper that is transparent over `cause`: the cause's own.
pub(crate) fn transparent_source<E: 'static>(cause: &E) -> Option<&(dyn Error + 'static)> {
    source(cause).and_then(Error::source)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wrapper written the way every ayutil error is.
    #[derive(Debug)]
    struct Layer<E>(E);

    impl<E: fmt::Display + 'static> fmt::Display for Layer<E> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            fmt_layer(f, format_args!("outer"), &self.0)
        }
    }

    impl<E: fmt::Debug + fmt::Display + 'static> Error for Layer<E> {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            source(&self.0)
        }
    }

    /// Every message of the chain, as a report that walks `source()` prints them.
    fn chain(error: &(dyn Error + 'static)) -> Vec<String> {
        let mut parts = vec![error.to_string()];
        let mut next = error.source();
        while let Some(e) = next {
            parts.push(e.to_string());
            next = e.source();
        }
        parts
    }

    #[test]
    fn a_cause_that_is_not_an_error_is_written_in_the_message() {
        let e = Layer("disk full");
        assert_eq!(chain(&e), ["outer: disk full"]);
    }

    #[test]
    fn a_boxed_cause_is_the_source() {
        let inner: Box<dyn Error + Send + Sync> = Box::new(Layer(std::io::Error::other("eof")));
        let e = Layer(inner);
        assert_eq!(chain(&e), ["outer", "outer", "eof"]);
    }

    #[test]
    fn an_io_error_is_the_source() {
        let e = Layer(std::io::Error::other("eof"));
        assert_eq!(chain(&e), ["outer", "eof"]);
    }

    #[cfg(feature = "anyhow")]
    #[test]
    fn an_anyhow_cause_chains_with_its_contexts() {
        let inner = anyhow::anyhow!("404").context("download");
        let e = Layer(inner);
        assert_eq!(chain(&e), ["outer", "download", "404"]);
    }

    #[test]
    fn a_transparent_wrapper_shows_its_cause_once() {
        struct Transparent<E>(E);
        impl<E: fmt::Display + 'static> fmt::Display for Transparent<E> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt_transparent(f, &self.0)
            }
        }
        let boxed: Box<dyn Error + Send + Sync> = Box::new(Layer(std::io::Error::other("eof")));
        let t = Transparent(boxed);
        assert_eq!(t.to_string(), "outer");
        assert_eq!(
            transparent_source(&t.0).map(ToString::to_string).as_deref(),
            Some("eof")
        );
        let plain = Transparent("plain");
        assert_eq!(plain.to_string(), "plain");
        assert!(transparent_source(&plain.0).is_none());
    }
}
