//! [`Ledger`]: what a scope knows about each of its tasks, from the spawn until the
//! task's outcome is taken.
//!
//! Memory follows live work: the ledger keeps a slot for each live task and for each
//! ended task whose outcome nobody took yet, and almost nothing for the rest. Slots sit
//! in a window indexed by spawn order, so the common case (spawn, end, collect in spawn
//! order at the end) costs a push and a write per task. Ended slots at the front of the
//! window that carry no value (cancelled, failed, rejected, taken, or a `()` result)
//! fold into runs of equal outcomes; a live task at the front while many tasks behind it
//! ended is *parked* in a side map, so one long-running task (a server's accept loop)
//! does not pin every slot spawned after it.

use core::any::{Any, TypeId};
use std::collections::{HashMap, VecDeque};

use tokio::task::AbortHandle;

use crate::scope::error::JoinError;
use crate::scope::outcome::TaskOutcome;

/// A live window may hold this many slots beyond twice the live tasks before the live
/// task at its front is parked.
const PARK_SLACK: usize = 64;

/// The state of one task.
pub(crate) enum Slot<T> {
    /// Queued behind `max_concurrency`.
    Queued,
    /// Started; the abort handle arrives right after the spawn.
    Running(Option<AbortHandle>),
    /// Aborted through its handle before its abort handle arrived, or while queued; or
    /// refused and being dropped. Still live: its future is not gone yet.
    AbortRequested,
    /// Ended; the outcome was not taken yet.
    Ended(Ended<T>),
    /// Ended, and the outcome went to a taker (or was discarded).
    Taken,
}

impl<T> Slot<T> {
    pub(crate) fn is_live(&self) -> bool {
        matches!(self, Self::Queued | Self::Running(_) | Self::AbortRequested)
    }
}

/// How a task ended, as its takers see it.
pub(crate) enum Ended<T> {
    Completed(T),
    /// Aborted, or stopped by the scope (a failure elsewhere, a time-out, `cancel()`).
    Cancelled,
    /// Spawned while the scope was stopping: never started.
    Rejected,
    /// Returned `Err` or panicked: the scope reports the failure itself.
    Failed,
}

impl<T> Ended<T> {
    pub(crate) fn into_result(self) -> Result<T, JoinError> {
        match self {
            Self::Completed(value) => Ok(value),
            Self::Cancelled => Err(JoinError::Cancelled),
            Self::Rejected => Err(JoinError::Rejected),
            Self::Failed => Err(JoinError::Failed),
        }
    }

    pub(crate) fn into_outcome(self) -> TaskOutcome<T> {
        match self {
            Self::Completed(value) => TaskOutcome::Completed(value),
            Self::Cancelled | Self::Rejected | Self::Failed => TaskOutcome::Cancelled,
        }
    }
}

/// The outcome of a run of consecutive tasks that all ended alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Completed with `()`: the value is made again when taken.
    Unit,
    Cancelled,
    Rejected,
    Failed,
    Taken,
    /// One task whose slot is in [`Ledger::parked`].
    Parked,
}

#[derive(Debug)]
struct Run {
    start: usize,
    len: usize,
    kind: Kind,
}

/// What [`Ledger::take`] found.
pub(crate) enum Lookup<T> {
    /// The task is still live.
    Live,
    /// The task ended; its outcome is now the caller's.
    Ended(Ended<T>),
    /// The outcome was already taken, or there is no such task.
    Gone,
}

pub(crate) struct Ledger<T> {
    /// Spawn index of `window[0]`.
    base: usize,
    window: VecDeque<Slot<T>>,
    /// Every index below `base`, in order, as runs of equal outcomes.
    runs: Vec<Run>,
    /// Length of `runs` after the last merge of neighbouring equal runs.
    merged_len: usize,
    /// Slots of the indices below `base` whose run is [`Kind::Parked`].
    parked: HashMap<usize, Slot<T>>,
    /// Live slots, in the window or parked.
    live: usize,
    /// `T` is `()`: a completed slot carries nothing and folds into a run.
    unit: bool,
}

impl<T: 'static> Ledger<T> {
    pub(crate) fn new() -> Self {
        Self {
            base: 0,
            window: VecDeque::new(),
            runs: Vec::new(),
            merged_len: 0,
            parked: HashMap::new(),
            live: 0,
            unit: TypeId::of::<T>() == TypeId::of::<()>(),
        }
    }

    /// The index the next task gets.
    pub(crate) fn next_index(&self) -> usize {
        self.base + self.window.len()
    }

    /// Tasks that have not ended.
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Slots, runs and parked entries held: what memory the ledger costs, for tests.
    #[cfg(test)]
    pub(crate) fn stored(&self) -> usize {
        self.window.len() + self.runs.len() + self.parked.len()
    }

    /// Adds a live task; returns its index.
    pub(crate) fn push(&mut self, slot: Slot<T>) -> usize {
        debug_assert!(slot.is_live());
        let index = self.next_index();
        self.window.push_back(slot);
        self.live += 1;
        index
    }

    fn slot_mut(&mut self, index: usize) -> Option<&mut Slot<T>> {
        if index >= self.base {
            self.window.get_mut(index - self.base)
        } else {
            self.parked.get_mut(&index)
        }
    }

    /// The slot of task `index` while it is live.
    pub(crate) fn live_slot(&mut self, index: usize) -> Option<&mut Slot<T>> {
        self.slot_mut(index).filter(|slot| slot.is_live())
    }

    pub(crate) fn is_live(&self, index: usize) -> bool {
        let slot = if index >= self.base {
            self.window.get(index - self.base)
        } else {
            self.parked.get(&index)
        };
        slot.is_some_and(Slot::is_live)
    }

    /// The abort handles of the running tasks.
    pub(crate) fn abort_handles(&self) -> impl Iterator<Item = &AbortHandle> {
        self.window
            .iter()
            .chain(self.parked.values())
            .filter_map(|slot| match slot {
                Slot::Running(Some(abort)) => Some(abort),
                _ => None,
            })
    }

    /// Records the end of live task `index`, keeping its outcome until taken.
    pub(crate) fn end(&mut self, index: usize, ended: Ended<T>) {
        self.settle(index, Slot::Ended(ended));
    }

    /// Records the end of live task `index` whose outcome went elsewhere.
    pub(crate) fn end_taken(&mut self, index: usize) {
        self.settle(index, Slot::Taken);
    }

    fn settle(&mut self, index: usize, slot: Slot<T>) {
        debug_assert!(self.is_live(index), "task {index} ended twice");
        self.live -= 1;
        if index >= self.base {
            self.window[index - self.base] = slot;
            self.compact();
        } else {
            match self.fold(slot) {
                Ok(kind) => {
                    self.parked.remove(&index);
                    self.set_kind(index, kind);
                }
                Err(slot) => {
                    self.parked.insert(index, slot);
                }
            }
        }
    }

    /// The run kind of an ended slot that carries no value; the slot back otherwise.
    fn fold(&self, slot: Slot<T>) -> Result<Kind, Slot<T>> {
        match slot {
            Slot::Taken => Ok(Kind::Taken),
            Slot::Ended(Ended::Cancelled) => Ok(Kind::Cancelled),
            Slot::Ended(Ended::Rejected) => Ok(Kind::Rejected),
            Slot::Ended(Ended::Failed) => Ok(Kind::Failed),
            // `()` has no destructor: dropping it here runs no user code.
            Slot::Ended(Ended::Completed(_)) if self.unit => Ok(Kind::Unit),
            other => Err(other),
        }
    }

    /// Takes the outcome of task `index`.
    pub(crate) fn take(&mut self, index: usize) -> Lookup<T> {
        if index >= self.next_index() {
            return Lookup::Gone;
        }
        if index >= self.base {
            let slot = &mut self.window[index - self.base];
            return match slot {
                Slot::Ended(_) => {
                    let Slot::Ended(ended) = core::mem::replace(slot, Slot::Taken) else {
                        unreachable!("matched above")
                    };
                    self.compact();
                    Lookup::Ended(ended)
                }
                Slot::Taken => Lookup::Gone,
                _ => Lookup::Live,
            };
        }
        if let Some(slot) = self.parked.get(&index) {
            if slot.is_live() {
                return Lookup::Live;
            }
            let Some(Slot::Ended(ended)) = self.parked.remove(&index) else {
                unreachable!("a parked slot is live or ended")
            };
            self.set_kind(index, Kind::Taken);
            return Lookup::Ended(ended);
        }
        let kind = self.runs[self.run_at(index)].kind;
        match self.unfold(kind) {
            Some(ended) => {
                self.set_kind(index, Kind::Taken);
                Lookup::Ended(ended)
            }
            None => Lookup::Gone,
        }
    }

    /// Takes the ended outcome with the lowest index, if any.
    pub(crate) fn take_first(&mut self) -> Option<(usize, Ended<T>)> {
        let found = self.runs.iter().find_map(|run| match run.kind {
            Kind::Taken => None,
            Kind::Parked => self
                .parked
                .get(&run.start)
                .is_some_and(|slot| !slot.is_live())
                .then_some(run.start),
            _ => Some(run.start),
        });
        if let Some(index) = found {
            let Lookup::Ended(ended) = self.take(index) else {
                unreachable!("found an ended outcome at {index}")
            };
            return Some((index, ended));
        }
        let offset = self
            .window
            .iter()
            .position(|slot| matches!(slot, Slot::Ended(_)))?;
        let index = self.base + offset;
        let Lookup::Ended(ended) = self.take(index) else {
            unreachable!("found an ended outcome at {index}")
        };
        Some((index, ended))
    }

    /// Every outcome not taken yet, in spawn order. Tasks still live (only when the scope
    /// is torn down early) count as cancelled.
    pub(crate) fn into_outcomes(mut self) -> Vec<TaskOutcome<T>> {
        let upper = self.window.len() + self.runs.iter().map(|run| run.len).sum::<usize>();
        let mut out = Vec::with_capacity(upper);
        for run in core::mem::take(&mut self.runs) {
            match run.kind {
                Kind::Taken => {}
                Kind::Parked => match self.parked.remove(&run.start) {
                    Some(Slot::Ended(ended)) => out.push(ended.into_outcome()),
                    Some(Slot::Taken) | None => {}
                    Some(_live) => out.push(TaskOutcome::Cancelled),
                },
                kind => {
                    for _ in 0..run.len {
                        let ended = self.unfold(kind).expect("a run of outcomes");
                        out.push(ended.into_outcome());
                    }
                }
            }
        }
        for slot in core::mem::take(&mut self.window) {
            match slot {
                Slot::Ended(ended) => out.push(ended.into_outcome()),
                Slot::Taken => {}
                _live => out.push(TaskOutcome::Cancelled),
            }
        }
        out
    }

    /// The outcome a run of `kind` stands for; `None` for taken and parked runs.
    fn unfold(&self, kind: Kind) -> Option<Ended<T>> {
        match kind {
            Kind::Unit => Some(Ended::Completed(unit())),
            Kind::Cancelled => Some(Ended::Cancelled),
            Kind::Rejected => Some(Ended::Rejected),
            Kind::Failed => Some(Ended::Failed),
            Kind::Taken | Kind::Parked => None,
        }
    }

    /// Folds the front of the window into runs while it carries no value, and parks a
    /// live front once the window is mostly ended slots.
    fn compact(&mut self) {
        while let Some(front) = self.window.front() {
            let kind = if front.is_live() {
                if self.window.len() <= 2 * self.live + PARK_SLACK {
                    break;
                }
                Kind::Parked
            } else {
                match front {
                    Slot::Taken => Kind::Taken,
                    Slot::Ended(Ended::Cancelled) => Kind::Cancelled,
                    Slot::Ended(Ended::Rejected) => Kind::Rejected,
                    Slot::Ended(Ended::Failed) => Kind::Failed,
                    Slot::Ended(Ended::Completed(_)) if self.unit => Kind::Unit,
                    _ => break,
                }
            };
            let slot = self.window.pop_front().expect("front exists");
            if kind == Kind::Parked {
                self.parked.insert(self.base, slot);
            }
            self.push_run(self.base, kind);
            self.base += 1;
        }
        // After a burst (a long queue, many untaken values), give the memory back.
        if self.window.capacity() > 4 * self.window.len() + 1024 {
            self.window.shrink_to(2 * self.window.len());
        }
        if self.parked.capacity() > 4 * self.parked.len() + 64 {
            self.parked.shrink_to(2 * self.parked.len());
        }
    }

    fn push_run(&mut self, index: usize, kind: Kind) {
        match self.runs.last_mut() {
            Some(last) if last.kind == kind && kind != Kind::Parked => last.len += 1,
            _ => {
                self.runs.push(Run {
                    start: index,
                    len: 1,
                    kind,
                });
                if self.runs.len() > 2 * self.merged_len + PARK_SLACK {
                    self.merge_runs();
                }
            }
        }
    }

    /// Merges neighbouring runs of the same kind (parked runs stay one task each).
    fn merge_runs(&mut self) {
        let mut merged: Vec<Run> = Vec::with_capacity(self.runs.len());
        for run in self.runs.drain(..) {
            match merged.last_mut() {
                Some(last) if last.kind == run.kind && run.kind != Kind::Parked => {
                    last.len += run.len;
                }
                _ => merged.push(run),
            }
        }
        self.runs = merged;
        self.merged_len = self.runs.len();
    }

    /// The position in `runs` of the run holding `index` (below `base`).
    fn run_at(&self, index: usize) -> usize {
        debug_assert!(index < self.base);
        self.runs.partition_point(|run| run.start <= index) - 1
    }

    /// Gives task `index` (below `base`) its own outcome `kind`, splitting its run.
    fn set_kind(&mut self, index: usize, kind: Kind) {
        let at = self.run_at(index);
        let run = &self.runs[at];
        if run.kind == kind {
            return;
        }
        let (start, len, old) = (run.start, run.len, run.kind);
        let joins_previous =
            index == start && at > 0 && self.runs[at - 1].kind == kind && kind != Kind::Parked;
        if joins_previous {
            // Outcomes taken in spawn order (`join_next`) grow one run instead of many.
            self.runs[at - 1].len += 1;
            if len == 1 {
                self.runs.remove(at);
            } else {
                self.runs[at].start += 1;
                self.runs[at].len -= 1;
            }
        } else if len == 1 {
            self.runs[at].kind = kind;
        } else {
            let end = start + len;
            let mut parts = Vec::with_capacity(3);
            if index > start {
                parts.push(Run {
                    start,
                    len: index - start,
                    kind: old,
                });
            }
            parts.push(Run {
                start: index,
                len: 1,
                kind,
            });
            if index + 1 < end {
                parts.push(Run {
                    start: index + 1,
                    len: end - index - 1,
                    kind: old,
                });
            }
            self.runs.splice(at..=at, parts);
        }
        if self.runs.len() > 2 * self.merged_len + PARK_SLACK {
            self.merge_runs();
        }
    }
}

/// The `()` value, as a `T` that is `()`.
fn unit<T: 'static>() -> T {
    let unit: Box<dyn Any> = Box::new(());
    *unit
        .downcast::<T>()
        .unwrap_or_else(|_| unreachable!("only called when `T` is `()`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes<T: Clone + 'static>(ledger: Ledger<T>) -> Vec<Option<T>> {
        ledger
            .into_outcomes()
            .into_iter()
            .map(TaskOutcome::into_completed)
            .collect()
    }

    #[test]
    fn values_stay_in_spawn_order_until_taken() {
        let mut ledger = Ledger::<u32>::new();
        let ids: Vec<usize> = (0..5).map(|_| ledger.push(Slot::Queued)).collect();
        for &i in ids.iter().rev() {
            ledger.end(i, Ended::Completed(i as u32 * 10));
        }
        assert!(matches!(ledger.take(2), Lookup::Ended(Ended::Completed(20))));
        assert!(matches!(ledger.take(2), Lookup::Gone));
        assert_eq!(outcomes(ledger), [Some(0), Some(10), Some(30), Some(40)]);
    }

    #[test]
    fn unit_results_fold_into_one_run() {
        let mut ledger = Ledger::<()>::new();
        for _ in 0..10_000 {
            let i = ledger.push(Slot::Running(None));
            ledger.end(i, Ended::Completed(()));
        }
        assert_eq!(ledger.stored(), 1);
        assert_eq!(ledger.into_outcomes().len(), 10_000);
    }

    #[test]
    fn a_long_live_task_is_parked_instead_of_pinning_the_window() {
        let mut ledger = Ledger::<()>::new();
        let first = ledger.push(Slot::Running(None));
        for _ in 0..100_000 {
            let i = ledger.push(Slot::Running(None));
            ledger.end(i, Ended::Cancelled);
        }
        assert!(ledger.stored() < 2 * PARK_SLACK, "{}", ledger.stored());
        assert!(ledger.is_live(first));
        ledger.end(first, Ended::Completed(()));
        let all = ledger.into_outcomes();
        assert_eq!(all.len(), 100_001);
        assert_eq!(all[0], TaskOutcome::Completed(()));
        assert!(all[1..].iter().all(TaskOutcome::is_cancelled));
    }

    #[test]
    fn take_first_walks_runs_parked_slots_and_the_window_in_order() {
        let mut ledger = Ledger::<u8>::new();
        let parked = ledger.push(Slot::Running(None));
        let cancelled: Vec<usize> = (0..200).map(|_| ledger.push(Slot::Queued)).collect();
        for &i in &cancelled {
            ledger.end(i, Ended::Cancelled);
        }
        assert!(!ledger.parked.is_empty(), "the live front was parked");
        let last = ledger.push(Slot::Queued);
        ledger.end(last, Ended::Completed(7));
        ledger.end(parked, Ended::Completed(1));
        assert!(matches!(
            ledger.take_first(),
            Some((0, Ended::Completed(1)))
        ));
        for &i in &cancelled {
            assert!(matches!(ledger.take_first(), Some((j, Ended::Cancelled)) if i == j));
        }
        assert!(matches!(ledger.take_first(), Some((201, Ended::Completed(7)))));
        assert!(ledger.take_first().is_none());
        assert!(ledger.stored() <= 3, "{:?}", ledger.runs);
        assert!(ledger.into_outcomes().is_empty());
    }

    #[test]
    fn taking_from_the_middle_of_a_run_splits_it() {
        let mut ledger = Ledger::<()>::new();
        for _ in 0..10 {
            let i = ledger.push(Slot::Running(None));
            ledger.end(i, Ended::Completed(()));
        }
        assert!(matches!(ledger.take(4), Lookup::Ended(Ended::Completed(()))));
        assert!(matches!(ledger.take(4), Lookup::Gone));
        assert_eq!(ledger.into_outcomes().len(), 9);
    }
}
