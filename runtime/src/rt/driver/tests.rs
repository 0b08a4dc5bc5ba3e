//! Unit tests of the driver engine: column and completion order, row limits, a failure
//! after the other cells are dropped, abort.

use core::future::{Future, poll_fn};
use core::pin::Pin;
use core::task::Context;
use core::time::Duration;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use super::cells::Cells;
use super::ends::Ends;
use super::exchange::{DriveEnd, Link, Shared};
use super::grid::{Grid, Order, Work};
use crate::rt::window::Window;

type Cell = Pin<Box<dyn Future<Output = Result<u64, &'static str>> + Send>>;

/// Cell (r, c) sleeps `plan[r][c]` ms and yields `c`; a sleep of 0 fails instead. Rows
/// pass column numbers down; the last row delivers them. Starts are logged.
struct Plan {
    plan: Vec<Vec<u64>>,
    cells: Vec<Cells<Cell>>,
    values: Vec<Window<u64>>,
    order: Order,
    starts: Arc<Mutex<Vec<(usize, usize, Duration)>>>,
    origin: tokio::time::Instant,
    alive: Arc<AtomicUsize>,
}

struct Alive(Arc<AtomicUsize>);
impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}

impl Work for Plan {
    type Command = Vec<u64>;
    type Output = u64;
    type Failure = &'static str;

    fn start(&mut self, row: usize, cols: core::ops::Range<usize>, index: usize) -> usize {
        let mut started = 0;
        for col in cols {
            if !self.start_one(row, col, index + started) {
                break;
            }
            started += 1;
        }
        started
    }

    fn poll_cells(
        &mut self,
        cx: &mut Context<'_>,
        ends: &mut Ends<&'static str>,
        out: &mut VecDeque<u64>,
    ) {
        self.poll(cx, ends, out);
    }

    fn idle(&self) -> bool {
        self.cells.iter().all(Cells::is_empty)
    }

    fn drop_cells(&mut self) {
        self.cells.iter_mut().for_each(Cells::clear);
    }

    fn deliver(&mut self, row: usize, _col: usize, out: &mut VecDeque<u64>) {
        let value = self.values[row].pop().unwrap();
        if row + 1 == self.cells.len() {
            out.push_back(value);
        }
    }

    fn commands(&mut self, commands: &mut Vec<Vec<u64>>) -> usize {
        let mut added = 0;
        for column in commands.drain(..) {
            for (row, ms) in column.into_iter().enumerate() {
                self.plan[row].push(ms);
            }
            added += 1;
        }
        added
    }
}

impl Plan {
    fn start_one(&mut self, row: usize, col: usize, index: usize) -> bool {
        let Some(&ms) = self.plan[row].get(col) else {
            return false;
        };
        let at = self.origin.elapsed();
        self.starts.lock().unwrap().push((row, col, at));
        self.alive.fetch_add(1, SeqCst);
        let alive = Alive(self.alive.clone());
        self.cells[row].push(
            col,
            index,
            Box::pin(async move {
                let _alive = alive;
                if ms == 0 {
                    tokio::task::yield_now().await;
                    return Err("zero");
                }
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Ok(col as u64)
            }),
        );
        true
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
        ends: &mut Ends<&'static str>,
        out: &mut VecDeque<u64>,
    ) {
        let last = self.cells.len() - 1;
        let completion = self.order == Order::Completion;
        for (row, (cells, values)) in self.cells.iter_mut().zip(&mut self.values).enumerate() {
            cells.poll(cx, |col, index, result| {
                let result = result.map(|r| {
                    r.map(|v| {
                        if completion && row == last {
                            out.push_back(v);
                        } else {
                            values.fill(col, v);
                        }
                    })
                });
                ends.report(row, col, index, result)
            });
        }
    }
}

struct Run {
    link: Link<Vec<u64>, u64, &'static str>,
    starts: Arc<Mutex<Vec<(usize, usize, Duration)>>>,
    alive: Arc<AtomicUsize>,
}

fn spawn(plan: Vec<Vec<u64>>, limits: Vec<usize>, order: Order, open: bool) -> Run {
    let rows = plan.len();
    let cols = plan.first().map_or(0, Vec::len);
    let starts = Arc::new(Mutex::new(Vec::new()));
    let alive = Arc::new(AtomicUsize::new(0));
    let work = Plan {
        plan,
        cells: (0..rows).map(|_| Cells::new()).collect(),
        values: (0..rows).map(|_| Window::new()).collect(),
        order,
        starts: starts.clone(),
        origin: tokio::time::Instant::now(),
        alive: alive.clone(),
    };
    let grid = Grid::new(limits, cols, !open, order, work);
    let mut link = super::task::spawn(grid, Shared::new());
    if !open {
        link.close();
    }
    Run {
        link,
        starts,
        alive,
    }
}

async fn outputs(link: &mut Link<Vec<u64>, u64, &'static str>) -> Vec<u64> {
    let mut out = Vec::new();
    while let Some(v) = poll_fn(|cx| link.poll_output(cx)).await {
        out.push(v);
    }
    out
}

#[tokio::test(start_paused = true)]
async fn columns_order_delivers_in_column_order_on_the_critical_path() {
    let plan = vec![vec![30, 10, 20], vec![5, 40, 5]];
    let mut run = spawn(plan, vec![usize::MAX; 2], Order::Columns, false);
    assert_eq!(outputs(&mut run.link).await, [0, 1, 2]);
    assert!(matches!(run.link.take_end(), Some(DriveEnd::Done)));
    let ms = Duration::from_millis;
    let mut starts = run.starts.lock().unwrap().clone();
    starts.sort();
    // Row 1 starts column c once row 0 delivered 0..=c: all at 30 ms.
    let expected = [
        (0, 0, ms(0)),
        (0, 1, ms(0)),
        (0, 2, ms(0)),
        (1, 0, ms(30)),
        (1, 1, ms(30)),
        (1, 2, ms(30)),
    ];
    assert_eq!(starts, expected);
}

#[tokio::test(start_paused = true)]
async fn row_limits_hold() {
    let plan = vec![vec![10; 6]];
    let mut run = spawn(plan, vec![2], Order::Columns, false);
    assert_eq!(outputs(&mut run.link).await, [0, 1, 2, 3, 4, 5]);
    let starts = run.starts.lock().unwrap().clone();
    let at: Vec<u64> = starts.iter().map(|s| s.2.as_millis() as u64).collect();
    assert_eq!(at, [0, 0, 10, 10, 20, 20]);
}

#[tokio::test(start_paused = true)]
async fn completion_order_delivers_as_cells_end_and_takes_commands() {
    let mut run = spawn(
        vec![vec![30, 10]],
        vec![usize::MAX],
        Order::Completion,
        true,
    );
    run.link.push(vec![20]);
    run.link.flush();
    let first = poll_fn(|cx| run.link.poll_output(cx)).await;
    assert_eq!(first, Some(1));
    run.link.close();
    assert_eq!(outputs(&mut run.link).await, [2, 0]);
    assert!(matches!(run.link.take_end(), Some(DriveEnd::Done)));
    // Closed: another feeder is refused.
    assert_eq!(run.link.shared().send(vec![1]), Err(vec![1]));
}

#[tokio::test(start_paused = true)]
async fn a_failure_ends_the_drive_after_the_other_cells_are_dropped() {
    let plan = vec![vec![1_000, 0, 1_000]];
    let mut run = spawn(plan, vec![usize::MAX], Order::Completion, false);
    assert_eq!(outputs(&mut run.link).await, []);
    // The end is announced only once every other cell is gone.
    assert_eq!(run.alive.load(SeqCst), 0);
    match run.link.take_end() {
        Some(DriveEnd::Failed { row, col, failure }) => {
            assert_eq!((row, col, failure), (0, 1, "zero"));
        }
        _ => panic!("expected a failure"),
    }
}

#[tokio::test(start_paused = true)]
async fn an_abort_drops_the_cells_then_stops_without_an_end() {
    let mut run = spawn(
        vec![vec![5, 1_000]],
        vec![usize::MAX],
        Order::Completion,
        false,
    );
    assert_eq!(poll_fn(|cx| run.link.poll_output(cx)).await, Some(0));
    run.link.abort();
    assert_eq!(outputs(&mut run.link).await, []);
    assert_eq!(run.alive.load(SeqCst), 0);
    assert!(run.link.take_end().is_none());
}

#[tokio::test(start_paused = true)]
async fn an_empty_or_closed_idle_grid_ends_at_once() {
    let mut run = spawn(vec![], vec![], Order::Columns, false);
    assert_eq!(outputs(&mut run.link).await, []);
    let mut run = spawn(vec![vec![]], vec![1], Order::Completion, true);
    run.link.close();
    assert_eq!(outputs(&mut run.link).await, []);
    assert!(matches!(run.link.take_end(), Some(DriveEnd::Done)));
}
