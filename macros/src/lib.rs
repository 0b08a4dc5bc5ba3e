//! Procedural macros of [ayutil](https://docs.rs/ayutil). Depend on `ayutil`, not on this
//! crate: the macros expand to paths under `::ayutil::__private`.
//!
//! Each macro lives in its own module, split into `parse` (tokens into a typed struct),
//! `validate` (rules between arguments) and `expand` (quote). Entry points stay a few
//! lines long. What several macros need is written once: `attr` (the option parser),
//! `errors` (collecting mistakes, reading the item), `compose` (the order in which the
//! attribute macros run on one function), `named` (a type or attribute by its path's last
//! segment) and `respan`.

use proc_macro::TokenStream;

mod attr;
mod compose;
mod errors;
mod link;
mod named;
mod respan;

mod cached;
mod eager;
mod provider;
mod run_as_main;

/// Hidden engine of `ayutil::link!`; call `link!` instead.
#[doc(hidden)]
#[proc_macro]
pub fn link_impl(input: TokenStream) -> TokenStream {
    link::expand_entry(input.into(), link::Mode::Plain).into()
}

/// Hidden engine of `ayutil::try_link!`; call `try_link!` instead.
#[doc(hidden)]
#[proc_macro]
pub fn try_link_impl(input: TokenStream) -> TokenStream {
    link::expand_entry(input.into(), link::Mode::Try).into()
}

/// Defined in `ayutil-macros`; depend on `ayutil`, which re-exports it with its runtime.
#[proc_macro_attribute]
pub fn cached(args: TokenStream, item: TokenStream) -> TokenStream {
    cached::expand_entry(args.into(), item.into()).into()
}

/// Defined in `ayutil-macros`; depend on `ayutil`, which re-exports it with its runtime.
#[proc_macro_attribute]
pub fn provider(args: TokenStream, item: TokenStream) -> TokenStream {
    provider::expand_entry(args.into(), item.into()).into()
}

/// Defined in `ayutil-macros`; depend on `ayutil`, which re-exports it with its runtime.
#[proc_macro_attribute]
pub fn run_as_main(args: TokenStream, item: TokenStream) -> TokenStream {
    run_as_main::expand_entry(args.into(), item.into()).into()
}

/// Defined in `ayutil-macros`; depend on `ayutil`, which re-exports it with its runtime.
#[proc_macro_attribute]
pub fn eager(args: TokenStream, item: TokenStream) -> TokenStream {
    eager::expand_entry(args.into(), item.into()).into()
}
