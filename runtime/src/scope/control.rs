//! [`Control`]: a scope's shared state with its types erased, as the pieces that outlive
//! a call into the scope hold it.
//!
//! Three holders need a scope without knowing its error type `E` (and two of them not
//! even its output type `T`): a [`TaskHandle<T>`](crate::TaskHandle), a
//! [`ScheduledHandle`](crate::ScheduledHandle), and a child scope that registers in the
//! scope it was opened in ([`nesting`](crate::scope::nesting)). They all hold the
//! scope's own `Arc` as an `Arc<dyn Control>`: an unsized coercion, no allocation per
//! handle.
//!
//! The one operation that gives out a `T`, taking a task's value, cannot be a method of
//! an object-safe trait without erasing `T` too, which would need `T: 'static` on every
//! `TaskHandle<T>` a user names. A `TaskHandle` therefore keeps, next to its
//! `Arc<dyn Control>`, a function chosen when the handle is made (where the scope's `T`
//! and `E` are known), which finds the scope's state again through [`Control::as_any`].

use core::any::Any;
use std::sync::Arc;

/// A scope's state, seen through the operations its handles and its child scopes need.
///
/// Implemented by the scope's state (`Inner<T, E>`) only; object-safe, so it is used as
/// `Arc<dyn Control>`. Indexes are task indexes (spawn order), ids are scheduled
/// callbacks' ids.
pub(crate) trait Control: Send + Sync {
    /// The state itself, for the typed operations of a [`TaskHandle`](crate::TaskHandle).
    fn as_any(&self) -> &dyn Any;

    /// Aborts task `index`: a queued task never starts, a running one is dropped.
    fn abort_task(&self, index: usize);

    /// Whether task `index` ended (or never ran).
    fn is_task_finished(&self, index: usize) -> bool;

    /// The awaiting handle of task `index` is dropped: the outcome handed to it, if any,
    /// is dropped, outside the scope's lock.
    fn release_task(&self, index: usize);

    /// Stops scheduled callback `id`; `false` if it had already ended.
    fn unschedule(&self, id: u64) -> bool;

    /// Lets the scope finish without waiting for scheduled callback `id`.
    fn dont_hold(&self, id: u64);

    /// A child scope was opened in this scope: it counts as one unit of this scope.
    fn open_child(&self);

    /// That child scope finished and all its tasks are gone: its unit ends.
    fn close_child(self: Arc<Self>);
}
