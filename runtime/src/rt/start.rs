//! [`Start`]: work that starts on its first poll, then holds what starting produced.
//!
//! Futures and streams of ayutil are lazy: building one runs nothing; its first poll
//! starts the work (spawns a task or a blocking closure), and later polls look at what that
//! produced (a join handle, a receiver). `Start` is that life cycle written once: idle
//! with its input, started with what the input gave, finished with nothing.
//!
//! The input is reached only through `&mut self`, never shared, so it is kept in a `Mutex`
//! that is never locked: the owner stays `Sync` without asking the input (a user's
//! closure, an iterator) to be `Sync`.

#![allow(dead_code)] // Not every feature set uses every method.

use std::sync::Mutex;

use crate::rt::lock;

/// Work that starts on its first poll: idle with its input, then started, then finished.
pub(crate) struct Start<I, S> {
    state: State<I, S>,
}

enum State<I, S> {
    /// Not polled yet.
    Idle(Mutex<I>),
    /// Started: holds what starting produced.
    Started(S),
    /// Over: what starting produced was dropped.
    Finished,
}

impl<I, S> Start<I, S> {
    /// Idle work that `input` will start.
    pub(crate) fn new(input: I) -> Self {
        Self {
            state: State::Idle(Mutex::new(input)),
        }
    }

    /// What starting produced, starting it now with `start(input)` on the first call;
    /// `None` once [`finish`](Self::finish)ed.
    pub(crate) fn get_or_start(&mut self, start: impl FnOnce(I) -> S) -> Option<&mut S> {
        if matches!(self.state, State::Idle(_)) {
            let State::Idle(input) = core::mem::replace(&mut self.state, State::Finished) else {
                unreachable!("checked just above");
            };
            // If `start` panics the work stays finished: it is not started twice.
            self.state = State::Started(start(lock::into_inner(input)));
        }
        self.started_mut()
    }

    /// What starting produced, if it started and has not finished.
    pub(crate) fn started(&self) -> Option<&S> {
        match &self.state {
            State::Started(started) => Some(started),
            State::Idle(_) | State::Finished => None,
        }
    }

    /// What starting produced, if it started and has not finished.
    pub(crate) fn started_mut(&mut self) -> Option<&mut S> {
        match &mut self.state {
            State::Started(started) => Some(started),
            State::Idle(_) | State::Finished => None,
        }
    }

    /// Ends the work: drops the input or what starting produced.
    pub(crate) fn finish(&mut self) {
        self.state = State::Finished;
    }

    pub(crate) fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle(_))
    }

    pub(crate) fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    /// `"idle"`, `"started"` or `"finished"`, for `Debug` impls.
    pub(crate) fn phase(&self) -> &'static str {
        match self.state {
            State::Idle(_) => "idle",
            State::Started(_) => "started",
            State::Finished => "finished",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_sync<T: Sync>(_: &T) {}

    #[test]
    fn starts_once_then_holds_what_it_produced_until_finished() {
        let mut starts = 0;
        let mut work = Start::new(20);
        assert!(work.is_idle());
        assert_eq!(work.started(), None);
        for _ in 0..3 {
            let got = work.get_or_start(|input| {
                starts += 1;
                input + 1
            });
            assert_eq!(got, Some(&mut 21));
        }
        assert_eq!(starts, 1);
        assert_eq!(work.phase(), "started");
        work.finish();
        assert!(work.is_finished());
        assert_eq!(work.get_or_start(|_| unreachable!()), None);
    }

    #[test]
    fn is_sync_with_an_input_that_is_only_send() {
        let input = std::cell::Cell::new(1); // Send, not Sync
        let work: Start<_, u8> = Start::new(input);
        assert_sync(&work);
    }

    #[test]
    fn a_start_that_panics_leaves_the_work_finished() {
        let mut work: Start<u8, u8> = Start::new(1);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            work.get_or_start(|_| panic!("start failed"));
        }));
        assert!(caught.is_err());
        assert!(work.is_finished());
    }
}
