//! [`Window`]: results that settle in any order, handed out in the order of their
//! positions (a reorder buffer).
//!
//! The one reorder window of ayutil: a waterfall row delivers its cells in column order
//! whatever order they finish in, and an `OrderedBag` yields in spawn order whatever order
//! its tasks end in. Positions are handed out in sequence; the window keeps one slot per
//! position from the first one not handed out yet to the last one reserved or settled, so
//! its memory follows the positions in flight, not the positions seen.

#![allow(dead_code)] // Not every feature set uses every method.

use std::collections::VecDeque;

/// Results by position, handed out in position order.
///
/// Positions are `usize` and wrap around, so a window that lives for more than
/// `usize::MAX` positions (on a 32-bit target) keeps working as long as fewer than
/// `usize::MAX` of them are in flight at once.
#[derive(Debug)]
pub(crate) struct Window<T> {
    /// The position of `slots[0]`: every position before it was handed out.
    front: usize,
    /// `None` while a position is not settled.
    slots: VecDeque<Option<T>>,
}

impl<T> Window<T> {
    pub(crate) const fn new() -> Self {
        Self {
            front: 0,
            slots: VecDeque::new(),
        }
    }

    /// The position [`pop`](Self::pop) hands out next: how many were handed out so far.
    pub(crate) fn front(&self) -> usize {
        self.front
    }

    /// The position the next [`reserve`](Self::reserve) or [`push`](Self::push) takes.
    pub(crate) fn end(&self) -> usize {
        self.front.wrapping_add(self.slots.len())
    }

    /// Positions reserved or settled and not handed out yet.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Takes the next position, to be settled later with [`fill`](Self::fill).
    pub(crate) fn reserve(&mut self) -> usize {
        self.slots.push_back(None);
        self.end().wrapping_sub(1)
    }

    /// Takes the next position, settled at once with `value`.
    pub(crate) fn push(&mut self, value: T) -> usize {
        self.slots.push_back(Some(value));
        self.end().wrapping_sub(1)
    }

    /// Settles position `at` with `value`. A position beyond [`end`](Self::end) is reserved
    /// first, with every position before it; a position already handed out is ignored
    /// (it was settled once and taken), and so is the value.
    pub(crate) fn fill(&mut self, at: usize, value: T) {
        let offset = at.wrapping_sub(self.front);
        // An offset past `isize::MAX` is a position before the front (it wrapped below it):
        // the window never holds that many slots.
        if offset > isize::MAX as usize {
            return;
        }
        if offset >= self.slots.len() {
            self.slots.resize_with(offset + 1, || None);
        }
        self.slots[offset] = Some(value);
    }

    /// The value at the front, once its position is settled; `None` while the front
    /// position waits (or nothing is in the window).
    pub(crate) fn pop(&mut self) -> Option<T> {
        if !matches!(self.slots.front(), Some(Some(_))) {
            return None;
        }
        self.front = self.front.wrapping_add(1);
        self.slots.pop_front().flatten()
    }
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_in_position_order_whatever_the_settle_order() {
        let mut w = Window::new();
        let (a, b, c) = (w.reserve(), w.reserve(), w.reserve());
        assert_eq!((a, b, c), (0, 1, 2));
        w.fill(c, 'c');
        w.fill(b, 'b');
        assert_eq!(w.pop(), None, "the front position waits");
        w.fill(a, 'a');
        assert_eq!(
            [w.pop(), w.pop(), w.pop(), w.pop()],
            [Some('a'), Some('b'), Some('c'), None]
        );
        assert_eq!((w.front(), w.end(), w.len()), (3, 3, 0));
    }

    #[test]
    fn push_takes_the_next_position_settled() {
        let mut w = Window::new();
        let waiting = w.reserve();
        assert_eq!(w.push(7), 1);
        assert_eq!(w.pop(), None);
        w.fill(waiting, 6);
        assert_eq!((w.pop(), w.pop()), (Some(6), Some(7)));
    }

    #[test]
    fn fill_beyond_the_end_reserves_the_gap() {
        // The waterfall's use: a cell's column is its position, nothing is reserved.
        let mut w = Window::new();
        w.fill(3, 'd');
        assert_eq!((w.len(), w.end()), (4, 4));
        assert_eq!(w.pop(), None);
        for (at, v) in [(1, 'b'), (0, 'a'), (2, 'c')] {
            w.fill(at, v);
        }
        let out: Vec<char> = core::iter::from_fn(|| w.pop()).collect();
        assert_eq!(out, ['a', 'b', 'c', 'd']);
    }

    #[test]
    fn a_position_already_handed_out_is_ignored() {
        let mut w = Window::new();
        w.push(1);
        assert_eq!(w.pop(), Some(1));
        w.fill(0, 99);
        assert_eq!((w.len(), w.pop()), (0, None));
    }

    #[test]
    fn positions_wrap_around() {
        let mut w = Window {
            front: usize::MAX - 1,
            slots: VecDeque::new(),
        };
        let (a, b, c) = (w.reserve(), w.reserve(), w.reserve());
        assert_eq!((a, b, c), (usize::MAX - 1, usize::MAX, 0));
        w.fill(c, 'c');
        w.fill(a, 'a');
        w.fill(b, 'b');
        let out: Vec<char> = core::iter::from_fn(|| w.pop()).collect();
        assert_eq!(out, ['a', 'b', 'c']);
        assert_eq!(w.front(), 1);
        w.fill(usize::MAX, 'x'); // handed out before the wrap: ignored
        assert_eq!(w.len(), 0);
    }

    #[test]
    fn memory_follows_the_positions_in_flight() {
        let mut w = Window::new();
        for n in 0..100_000u32 {
            let at = w.reserve();
            w.fill(at, n);
            assert_eq!(w.pop(), Some(n));
        }
        assert_eq!(w.len(), 0);
        assert!(w.slots.capacity() < 16, "{}", w.slots.capacity());
    }
}
