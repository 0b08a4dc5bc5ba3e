//! Type-erased values: stages may change the item's type, so what crosses the
//! type-erased parts of a run (a streamed item, a hand-driven cell's output) is boxed.

use core::any::Any;
use core::pin::Pin;

use futures_core::Stream;

/// A type-erased item or cell value.
pub(crate) type Value = Box<dyn Any + Send>;

/// A stage's error.
pub(crate) use crate::BoxError;

/// The streamed input of [`Waterfall::run_stream`](crate::Waterfall::run_stream), boxed.
pub(crate) type BoxedItems = Pin<Box<dyn Stream<Item = Value> + Send>>;

/// Unboxes a value whose type the waterfall's type parameters guarantee.
pub(crate) fn downcast<T: 'static>(value: Value) -> T {
    match value.downcast::<T>() {
        Ok(value) => *value,
        Err(_) => unreachable!("waterfall stages are chained by type"),
    }
}
