//! The one driver engine: a tokio task that polls many futures (the cells of a `Grid`)
//! and hands their outputs over in batches.
//!
//! The funnel and the waterfall both run on it. A waterfall run is a grid of stages by
//! items, delivering each row in item order; a funnel is a grid of one row, fed one column
//! per future and delivering in completion order. Either way every cell is polled by the
//! driver, so no cell waits for the consumer (futures-rs 2387) and a cell costs no spawn.
//!
//! - `cells`: the running futures, each caught if it panics;
//! - `grid`: the scheduler (dependency rule, row limits, delivery order), and `ends`:
//!   what one round of polling saw end;
//! - `exchange`: the batched hand-off between the driver and its consumer, which hears
//!   of the driver's end only once every cell was dropped;
//! - `task`: the task itself.

#![allow(dead_code)] // Not every feature set uses every part.

pub(crate) mod cells;
pub(crate) mod ends;
pub(crate) mod exchange;
pub(crate) mod grid;
pub(crate) mod task;

#[cfg(test)]
mod tests;
