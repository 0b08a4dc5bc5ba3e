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

pub use futures_util::future::{MaybeDone, maybe_done};

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
    /// One `try_link!` item: running, then holding its success value until all are done.
    ///
    /// The struct has no bounds of its own: when an item does not produce a `Result`, the
    /// single error is reported by [`try_item`] and `T` becomes an error type, which keeps
    /// rustc from piling follow-on errors onto the expansion.
    #[derive(Debug)]
    #[project = TrySlotProj]
    #[project_replace = TrySlotReplace]
    pub enum TrySlot<F, T> {
        /// Still running.
        Running { #[pin] fut: F },
        /// Finished with this value.
        Done { value: T },
        /// The value was taken.
        Gone,
    }
}

impl<F, T, E> TrySlot<F, T>
where
    F: core::future::Future<Output = Result<T, E>>,
{
    /// Drives the item. `Ready(Ok(()))` once it holds its value, `Ready(Err(e))` on its
    /// error, `Pending` while it runs.
    #[inline]
    pub fn poll_slot(
        mut self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<Result<(), E>> {
        let value = match self.as_mut().project() {
            TrySlotProj::Running { fut } => match fut.poll(cx) {
                core::task::Poll::Ready(Ok(value)) => value,
                core::task::Poll::Ready(Err(e)) => return core::task::Poll::Ready(Err(e)),
                core::task::Poll::Pending => return core::task::Poll::Pending,
            },
            TrySlotProj::Done { .. } | TrySlotProj::Gone => return core::task::Poll::Ready(Ok(())),
        };
        self.project_replace(TrySlot::Done { value });
        core::task::Poll::Ready(Ok(()))
    }

    /// Takes the success value once the item is done.
    #[inline]
    pub fn take_output(self: core::pin::Pin<&mut Self>) -> Option<T> {
        match self.project_replace(TrySlot::Gone) {
            TrySlotReplace::Done { value } => Some(value),
            _ => None,
        }
    }
}

/// Wraps one `try_link!` item. The `TryItem` bound is checked here, with the span of the
/// offending argument, so a non-`Result` item gets one clear error.
#[inline(always)]
pub fn try_item<F>(fut: F) -> TrySlot<F, <F::Output as TryItem>::Ok>
where
    F: core::future::Future,
    F::Output: TryItem,
{
    TrySlot::Running { fut }
}
