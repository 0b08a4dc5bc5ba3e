//! [`current`] and [`with_current`]: how a scope finds its parent. While a scope polls one
//! of its tasks (or its block), it is the *current* scope of the thread, and a scope
//! opened there registers in it.
//!
//! A registered child counts as one unit of its parent until the child's last task is
//! gone, so a parent that aborts a task holding a child scope still waits until the
//! child's own tasks (aborted in turn) are dropped: the guarantee "every future is gone
//! when `.await` returns" holds down the whole tree.

use core::cell::RefCell;
use std::sync::Arc;

use crate::scope::control::Control;

thread_local! {
    static CURRENT: RefCell<Option<Arc<dyn Control>>> = const { RefCell::new(None) };
}

/// Runs `f` with `link` as the current scope, then takes it back (also on unwind).
pub(crate) fn with_current<R>(link: &mut Option<Arc<dyn Control>>, f: impl FnOnce() -> R) -> R {
    struct Restore<'a> {
        link: &'a mut Option<Arc<dyn Control>>,
        previous: Option<Arc<dyn Control>>,
    }
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let previous = self.previous.take();
            *self.link = CURRENT.with(|c| c.replace(previous));
        }
    }
    let previous = CURRENT.with(|c| c.replace(link.take()));
    let _restore = Restore { link, previous };
    f()
}

/// The scope whose task or block is being polled on this thread, if any.
pub(crate) fn current() -> Option<Arc<dyn Control>> {
    CURRENT.with(|c| c.borrow().clone())
}
