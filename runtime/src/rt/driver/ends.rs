//! [`Ends`]: what one round of polling a driver's cells saw end.

use super::cells::Payload;

/// How a cell failed.
pub(crate) enum Failure<F> {
    /// It returned its error.
    Error(F),
    /// It panicked.
    Panic(Payload),
}

/// The cells that ended in one round, as the work reports them to the grid.
///
/// Successful ends are listed one by one only when the grid needs their positions (to
/// deliver in column order, or to record times); otherwise they are counted by row, which
/// is all a funnel needs. The first failure is kept with its position; a work stops
/// polling its cells once it reported one.
pub(crate) struct Ends<F> {
    /// Successful ends are listed, not counted.
    list: bool,
    /// Listed successful ends: (row, col, index).
    ok: Vec<(usize, usize, usize)>,
    /// Counted successful ends, by row.
    counts: Vec<usize>,
    /// Some cell ended this round.
    any: bool,
    /// The first failure: row, col, index, and how it failed.
    failed: Option<(usize, usize, usize, Failure<F>)>,
}

impl<F> Ends<F> {
    pub(crate) fn new(rows: usize, list: bool) -> Self {
        Self {
            list,
            ok: Vec::new(),
            counts: vec![0; if list { 0 } else { rows }],
            any: false,
            failed: None,
        }
    }

    /// Cell (row, col), the `index`-th started, succeeded; its value is with the work (or
    /// already handed over, in completion order).
    #[inline]
    pub(crate) fn ok(&mut self, row: usize, col: usize, index: usize) {
        self.any = true;
        if self.list {
            self.ok.push((row, col, index));
        } else {
            self.counts[row] += 1;
        }
    }

    /// Cell (row, col) failed; only the first failure of a round is kept.
    pub(crate) fn failed(&mut self, row: usize, col: usize, index: usize, how: Failure<F>) {
        self.any = true;
        if self.failed.is_none() {
            self.failed = Some((row, col, index, how));
        }
    }

    /// Reports a cell's output: `Ok(Ok(()))` (its value kept or handed over), its error,
    /// or its panic. Returns whether the cell succeeded, so a work can stop polling at a
    /// failure.
    #[inline]
    pub(crate) fn report(
        &mut self,
        row: usize,
        col: usize,
        index: usize,
        result: Result<Result<(), F>, Payload>,
    ) -> bool {
        match result {
            Ok(Ok(())) => {
                self.ok(row, col, index);
                true
            }
            Ok(Err(error)) => {
                self.failed(row, col, index, Failure::Error(error));
                false
            }
            Err(payload) => {
                self.failed(row, col, index, Failure::Panic(payload));
                false
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        !self.any
    }

    /// A cell failed this round.
    pub(crate) fn has_failed(&self) -> bool {
        self.failed.is_some()
    }

    /// The start indices of every cell that ended (listed ones only).
    pub(crate) fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        let failed = self.failed.as_ref().map(|&(_, _, index, _)| index);
        self.ok.iter().map(|&(_, _, index)| index).chain(failed)
    }

    /// Takes the listed successful ends, in the order they were reported.
    pub(crate) fn take_listed(&mut self) -> Vec<(usize, usize, usize)> {
        core::mem::take(&mut self.ok)
    }

    /// Gives the (emptied) list back, to reuse its allocation.
    pub(crate) fn restore_listed(&mut self, mut ok: Vec<(usize, usize, usize)>) {
        ok.clear();
        self.ok = ok;
    }

    /// The counted successful ends, by row; the caller resets them.
    pub(crate) fn counts_mut(&mut self) -> &mut [usize] {
        &mut self.counts
    }

    /// Takes the first failure, and readies the round for the next.
    pub(crate) fn finish_round(&mut self) -> Option<(usize, usize, usize, Failure<F>)> {
        self.any = false;
        self.failed.take()
    }
}
