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

use core::future::{Future, IntoFuture, Ready, ready};
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

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

// The gather is a tree of pinned nodes, `Link<Pair<Slot, Pair<Slot, Slot>>>`, built where
// the macro is written: no generator, no boxing, and each item's future is created in
// place at the first poll. `link!(a, b, c)` is
//
//     Link::new(Pair::new(Slot::new(|| ka.start(a)), Pair::new(Slot::new(..), Slot::new(..))),
//               |(a, (b, c))| (a, b, c))

/// A gather node: a single item ([`Slot`]) or two nodes ([`Pair`]).
pub trait Node {
    /// Nested output: a value for a slot, a pair for a pair.
    type Output;
    /// Error of a fallible gather; `Infallible` for `link!`.
    type Error;
    /// Calls every starter, left to right.
    fn start(self: Pin<&mut Self>);
    /// Polls every running item once; `Ok(true)` when all are done, `Err` on the first
    /// failure of a fallible item.
    fn poll_all(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Result<bool, Self::Error>;
    /// Takes the outputs once every item is done.
    fn take(self: Pin<&mut Self>) -> Self::Output;
    /// Drops every item in place (cancels what still runs).
    fn cancel(self: Pin<&mut Self>);
}

/// How a slot splits its future's output: kept as it is ([`AsIs`], `link!`) or as a
/// `Result` whose error converts into the gather's ([`Into<E>`](IntoErr), `try_link!`).
pub trait Split<O> {
    /// What the slot keeps.
    type Ok;
    /// What ends the gather.
    type Err;
    /// Splits one output.
    fn split(out: O) -> Result<Self::Ok, Self::Err>;
}

/// [`Split`] for `link!`: every output is a value.
#[derive(Debug)]
pub struct AsIs;

impl<O> Split<O> for AsIs {
    type Ok = O;
    type Err = core::convert::Infallible;
    #[inline(always)]
    fn split(out: O) -> Result<O, core::convert::Infallible> {
        Ok(out)
    }
}

/// [`Split`] for `try_link!`: the output is a [`TryItem`] whose error converts into `E`.
#[derive(Debug)]
pub struct IntoErr<E>(PhantomData<fn() -> E>);

impl<O: TryItem, E: From<O::Err>> Split<O> for IntoErr<E> {
    type Ok = O::Ok;
    type Err = E;
    #[inline(always)]
    fn split(out: O) -> Result<O::Ok, E> {
        out.into_result().map_err(E::from)
    }
}

pin_project_lite::pin_project! {
    /// One item: a starter closure, then its running future, then its kept output.
    #[derive(Debug)]
    #[project = SlotProj]
    #[project_replace = SlotReplace]
    pub enum Slot<S, F, T, P> {
        /// Not started: the closure that calls or converts the argument.
        Start { start: S, split: PhantomData<fn() -> P> },
        /// Running.
        Running { #[pin] fut: F },
        /// Done.
        Done { out: T },
        /// Output taken.
        Gone,
    }
}

impl<S, F> Slot<S, F, F::Output, AsIs>
where
    S: FnOnce() -> F,
    F: Future,
{
    /// A `link!` slot that starts with `start` at the first poll.
    #[inline(always)]
    pub fn new(start: S) -> Self {
        Slot::Start {
            start,
            split: PhantomData,
        }
    }
}

/// A `try_link!` slot for a future `F` whose errors convert into `E`.
pub type TrySlot<S, F, E> = Slot<S, F, <<F as Future>::Output as TryItem>::Ok, IntoErr<E>>;

/// The first `try_link!` item: its error type becomes the gather's.
///
/// Called through an alias spanned at the item, so a non-`Result` item gets one error
/// that points at it.
#[inline(always)]
pub fn try_first<S, F>(start: S) -> TrySlot<S, F, <F::Output as TryItem>::Err>
where
    S: FnOnce() -> F,
    F: Future,
    F::Output: TryItem,
{
    Slot::Start {
        start,
        split: PhantomData,
    }
}

/// A later `try_link!` item: its error converts into the first item's with `From`.
#[inline(always)]
pub fn try_next<S, F, E>(start: S) -> TrySlot<S, F, E>
where
    S: FnOnce() -> F,
    F: Future,
    F::Output: TryItem,
    E: From<<F::Output as TryItem>::Err>,
{
    Slot::Start {
        start,
        split: PhantomData,
    }
}

impl<S, F, P> Node for Slot<S, F, P::Ok, P>
where
    S: FnOnce() -> F,
    F: Future,
    P: Split<F::Output>,
{
    type Output = P::Ok;
    type Error = P::Err;

    #[inline(always)]
    fn start(mut self: Pin<&mut Self>) {
        if let SlotReplace::Start { start, .. } = self.as_mut().project_replace(Slot::Gone) {
            self.set(Slot::Running { fut: start() });
        }
    }

    #[inline(always)]
    fn poll_all(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Result<bool, P::Err> {
        let out = match self.as_mut().project() {
            SlotProj::Running { fut } => match fut.poll(cx) {
                Poll::Ready(out) => P::split(out)?,
                Poll::Pending => return Ok(false),
            },
            _ => return Ok(true),
        };
        self.set(Slot::Done { out });
        Ok(true)
    }

    #[inline(always)]
    fn take(self: Pin<&mut Self>) -> P::Ok {
        match self.project_replace(Slot::Gone) {
            SlotReplace::Done { out } => out,
            _ => unreachable!("link!: output taken before the item finished"),
        }
    }

    #[inline(always)]
    fn cancel(self: Pin<&mut Self>) {
        self.project_replace(Slot::Gone);
    }
}

pin_project_lite::pin_project! {
    /// Two nodes side by side.
    #[derive(Debug)]
    pub struct Pair<A, B> {
        #[pin]
        a: A,
        #[pin]
        b: B,
    }
}

impl<A, B> Pair<A, B> {
    /// Joins two nodes.
    #[inline(always)]
    pub fn new(a: A, b: B) -> Self {
        Pair { a, b }
    }
}

impl<A: Node, B: Node<Error = A::Error>> Node for Pair<A, B> {
    type Output = (A::Output, B::Output);
    type Error = A::Error;

    #[inline(always)]
    fn start(self: Pin<&mut Self>) {
        let this = self.project();
        this.a.start();
        this.b.start();
    }

    #[inline(always)]
    fn poll_all(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Result<bool, A::Error> {
        let this = self.project();
        // Both sides are polled every time: `&` does not short-circuit.
        Ok(this.a.poll_all(cx)? & this.b.poll_all(cx)?)
    }

    #[inline(always)]
    fn take(self: Pin<&mut Self>) -> Self::Output {
        let this = self.project();
        (this.a.take(), this.b.take())
    }

    #[inline(always)]
    fn cancel(self: Pin<&mut Self>) {
        let this = self.project();
        this.a.cancel();
        this.b.cancel();
    }
}

pin_project_lite::pin_project! {
    /// The future `link!` and `try_link!` evaluate to.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Link<N, M, K> {
        #[pin]
        node: N,
        flatten: Option<M>,
        started: bool,
        kind: PhantomData<K>,
    }
}

/// [`Link`] marker: `link!`, outputs are values.
#[derive(Debug)]
pub struct Plain;
/// [`Link`] marker: `try_link!`, the first `Err` ends the gather.
#[derive(Debug)]
pub struct Fallible;

impl<N: Node, M, K> Link<N, M, K> {
    /// A gather of `node`, whose nested output `flatten` turns into a flat tuple.
    ///
    /// The bounds sit on the constructor too, so every item's types (the error type of a
    /// `try_link!` item included) are fixed where the macro is written, not at the first
    /// poll.
    #[inline(always)]
    pub fn new<T>(node: N, flatten: M) -> Self
    where
        M: FnOnce(N::Output) -> T,
    {
        Link {
            node,
            flatten: Some(flatten),
            started: false,
            kind: PhantomData,
        }
    }
}

/// How a [`Link`] marker wraps the gather's outcome.
pub trait Finish<T, E> {
    /// What the future resolves to.
    type Output;
    /// Every item is done.
    fn ok(value: T) -> Self::Output;
    /// An item failed.
    fn err(error: E) -> Self::Output;
}

impl<T> Finish<T, core::convert::Infallible> for Plain {
    type Output = T;
    #[inline(always)]
    fn ok(value: T) -> T {
        value
    }
    #[inline(always)]
    fn err(never: core::convert::Infallible) -> T {
        match never {}
    }
}

impl<T, E> Finish<T, E> for Fallible {
    type Output = Result<T, E>;
    #[inline(always)]
    fn ok(value: T) -> Result<T, E> {
        Ok(value)
    }
    #[inline(always)]
    fn err(error: E) -> Result<T, E> {
        Err(error)
    }
}

impl<N, M, T, K> Future for Link<N, M, K>
where
    N: Node,
    M: FnOnce(N::Output) -> T,
    K: Finish<T, N::Error>,
{
    type Output = K::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<K::Output> {
        let mut this = self.project();
        if !*this.started {
            *this.started = true;
            this.node.as_mut().start();
        }
        match this.node.as_mut().poll_all(cx) {
            Ok(true) => {
                let flatten = this
                    .flatten
                    .take()
                    .expect("`link!` polled after completion");
                Poll::Ready(K::ok(flatten(this.node.take())))
            }
            Ok(false) => Poll::Pending,
            Err(e) => {
                // The first error ends the gather: the items still running are dropped now,
                // not when the caller drops this future.
                this.flatten.take();
                this.node.cancel();
                Poll::Ready(K::err(e))
            }
        }
    }
}
