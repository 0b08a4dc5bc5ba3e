//! What `link!` expands to: compile-time classification of each argument.
//!
//! Each argument `v` is probed with `(&&&&Probe(&v)).__ayutil_link_kind()`. Method
//! resolution tries the receiver `&&&&Probe<T>`: with `&self` methods the impl for `&&&Probe<T>` is
//! tried first, then one reference less per step,
//! so the first impl whose where-clause holds wins ("autoref specialization"):
//!
//! | receiver      | bound                              | kind        |
//! |---------------|------------------------------------|-------------|
//! | `&&&Probe<T>` | `T: IntoFuture`                    | [`Await`]   |
//! | `&&Probe<F>`  | `F: FnOnce() -> R, R: IntoFuture`  | [`CallAwait`] |
//! | `&Probe<F>`   | `F: FnOnce() -> R`                 | [`Call`]    |
//! | `Probe<T>`    | none                               | [`Value`]   |
//!
//! The probe only borrows; the kind is a zero-sized tag whose `start` then consumes the
//! argument. The dispatch needs the concrete type: a bare generic parameter `T` with no
//! bounds is always a [`Value`].

use core::future::{IntoFuture, Ready, ready};

pub use futures_util::future::{MaybeDone, TryMaybeDone, maybe_done, try_maybe_done};

/// Borrow of an argument, used only to pick its kind.
#[derive(Debug)]
pub struct Probe<'a, T>(pub &'a T);

/// Tag: the argument is a future or `IntoFuture`; it is awaited.
#[derive(Debug, Clone, Copy)]
pub struct Await;
/// Tag: the argument is a callable returning a future; it is called, then awaited.
#[derive(Debug, Clone, Copy)]
pub struct CallAwait;
/// Tag: the argument is a callable returning a plain value; it is called.
#[derive(Debug, Clone, Copy)]
pub struct Call;
/// Tag: the argument is returned as it is.
#[derive(Debug, Clone, Copy)]
pub struct Value;

/// Highest priority: futures and `IntoFuture`.
pub trait ViaAwait {
    /// The kind tag.
    fn __ayutil_link_kind(&self) -> Await {
        Await
    }
}
impl<T: IntoFuture> ViaAwait for &&&Probe<'_, T> {}

/// Second: zero-argument callables whose result is a future.
pub trait ViaCallAwait {
    /// The kind tag.
    fn __ayutil_link_kind(&self) -> CallAwait {
        CallAwait
    }
}
impl<F: FnOnce() -> R, R: IntoFuture> ViaCallAwait for &&Probe<'_, F> {}

/// Third: zero-argument callables returning anything else.
pub trait ViaCall {
    /// The kind tag.
    fn __ayutil_link_kind(&self) -> Call {
        Call
    }
}
impl<F: FnOnce() -> R, R> ViaCall for &Probe<'_, F> {}

/// Last: everything else is a value.
pub trait ViaValue {
    /// The kind tag.
    fn __ayutil_link_kind(&self) -> Value {
        Value
    }
}
impl<T> ViaValue for Probe<'_, T> {}

impl Await {
    /// Turns the argument into its future.
    #[inline(always)]
    pub fn start<T: IntoFuture>(self, v: T) -> T::IntoFuture {
        v.into_future()
    }
}

impl CallAwait {
    /// Calls the argument and returns the future it made.
    #[inline(always)]
    pub fn start<F: FnOnce() -> R, R: IntoFuture>(self, f: F) -> R::IntoFuture {
        f().into_future()
    }
}

impl Call {
    /// Calls the argument and wraps its result in a ready future.
    #[inline(always)]
    pub fn start<F: FnOnce() -> R, R>(self, f: F) -> Ready<R> {
        ready(f())
    }
}

impl Value {
    /// Wraps the argument in a ready future.
    #[inline(always)]
    pub fn start<T>(self, v: T) -> Ready<T> {
        ready(v)
    }
}

/// What `try_link!` accepts from each argument: a `Result`.
#[diagnostic::on_unimplemented(
    message = "`try_link!` needs every item to produce a `Result`, but this one produces `{Self}`",
    label = "this produces `{Self}`, not a `Result`",
    note = "use `link!` for infallible items, or wrap the value in `Ok(...)`"
)]
pub trait TryItem {
    /// The success type.
    type Ok;
    /// The error type.
    type Err;
    /// Splits the output into success or error.
    fn into_result(self) -> Result<Self::Ok, Self::Err>;
}

impl<T, E> TryItem for Result<T, E> {
    type Ok = T;
    type Err = E;
    #[inline(always)]
    fn into_result(self) -> Result<T, E> {
        self
    }
}

pin_project_lite::pin_project! {
    /// A future whose output is a [`TryItem`], seen as a `Result`.
    #[derive(Debug)]
    pub struct IntoTry<F> {
        #[pin]
        fut: F,
    }
}

impl<F> core::future::Future for IntoTry<F>
where
    F: core::future::Future,
    F::Output: TryItem,
{
    type Output = Result<<F::Output as TryItem>::Ok, <F::Output as TryItem>::Err>;

    #[inline(always)]
    fn poll(
        self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<Self::Output> {
        self.project().fut.poll(cx).map(TryItem::into_result)
    }
}

/// Wraps one `try_link!` item. The `TryItem` bound is checked here, with the span of the
/// offending argument, so a non-`Result` item gets one clear error.
#[inline(always)]
pub fn try_item<F>(f: F) -> TryMaybeDone<IntoTry<F>>
where
    F: core::future::Future,
    F::Output: TryItem,
{
    try_maybe_done(IntoTry { fut: f })
}
