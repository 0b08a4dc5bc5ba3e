//! [`Stages`]: a waterfall run's work on the driver engine. Stage r maps the in-order
//! outputs of stage r - 1; each stage's cells stay typed (neither a cell's future nor its
//! output is boxed), and the last stage hands its outputs to the consumer typed too.

use core::any::Any;
use core::future::Future;
use core::marker::PhantomData;
use core::ops::Range;
use core::task::Context;
use core::time::Duration;
use std::collections::VecDeque;
use std::sync::Arc;

use super::timeline::Recorder;
use super::value::{BoxError, Value, downcast};
use crate::rt::driver::cells::Cells;
use crate::rt::driver::ends::Ends;
use crate::rt::driver::grid::Work;
use crate::rt::window::Window;

/// Makes a stage's row of cells for one run.
pub(crate) type StageFn = Arc<dyn Fn() -> Box<dyn Row> + Send + Sync>;

/// Makes the first stage's row on typed items: [`Waterfall::run`](crate::Waterfall::run)
/// feeds its items without boxing each one.
pub(crate) type EntryFn<I> = Arc<dyn Fn(std::vec::IntoIter<I>) -> Box<dyn Row> + Send + Sync>;

/// The row makers of a stage running `f`, whose input type is `In`: one for any stage,
/// and one for a first stage fed typed items of type `I` (which is then `In`).
pub(crate) fn row_makers<I, In, N, F, Fut>(f: F) -> (StageFn, EntryFn<I>)
where
    I: Send + 'static,
    In: Send + 'static,
    N: Send + 'static,
    F: Fn(In) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<N, BoxError>> + Send + 'static,
{
    let f = Arc::new(f);
    let entry_f = f.clone();
    let entry: EntryFn<I> = Arc::new(move |items: std::vec::IntoIter<I>| {
        let items: Box<dyn Iterator<Item = In> + Send> = Box::new(items.map(same::<I, In>));
        Box::new(TypedRow::<In, N, F, Fut>::new(entry_f.clone(), Some(items)))
    });
    let stage: StageFn = Arc::new(move || Box::new(TypedRow::<In, N, F, Fut>::new(f.clone(), None)));
    (stage, entry)
}

/// `a` as a `B`, which is the same type: moved through an `Option`, not boxed.
fn same<A: 'static, B: 'static>(a: A) -> B {
    let mut slot = Some(a);
    match (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<B>>()
        .and_then(Option::take)
    {
        Some(b) => b,
        None => unreachable!("the first stage takes the item type"),
    }
}

/// One stage's cells in a run.
pub(crate) trait Row: Send {
    /// Starts the cells of columns `cols` (the first with start index `index`) on the
    /// row's next inputs: its own typed items if it has them, else the front of its input
    /// queue. Returns how many started.
    fn start(&mut self, cols: Range<usize>, index: usize) -> usize;
    /// Polls the running cells, reporting every one that ended as row `row`.
    fn poll(&mut self, row: usize, cx: &mut Context<'_>, ends: &mut Ends<BoxError>);
    fn is_empty(&self) -> bool;
    fn clear(&mut self);
    /// Queues a type-erased input (an item of a streamed input).
    fn push_value(&mut self, value: Value);
    /// The input queue, a `VecDeque` of the stage's input type.
    fn inputs(&mut self) -> &mut dyn Any;
    /// Hands column `col`'s output to `next`, a `VecDeque` of the output type: the next
    /// stage's inputs, or the consumer's outputs if this stage is the last.
    fn deliver(&mut self, col: usize, next: &mut dyn Any);
}

struct TypedRow<In, N, F, Fut> {
    f: Arc<F>,
    /// The typed items of [`Waterfall::run`](crate::Waterfall::run), for the first stage.
    items: Option<Box<dyn Iterator<Item = In> + Send>>,
    /// Inputs waiting for this stage, in column order.
    inputs: VecDeque<In>,
    cells: Cells<Fut>,
    /// Outputs of finished cells, by column, until delivered.
    done: Window<N>,
}

impl<In, N, F, Fut: Future> TypedRow<In, N, F, Fut> {
    fn new(f: Arc<F>, items: Option<Box<dyn Iterator<Item = In> + Send>>) -> Self {
        Self {
            f,
            items,
            inputs: VecDeque::new(),
            cells: Cells::new(),
            done: Window::new(),
        }
    }
}

impl<In, N, F, Fut> Row for TypedRow<In, N, F, Fut>
where
    In: Send + 'static,
    N: Send + 'static,
    F: Fn(In) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<N, BoxError>> + Send + 'static,
{
    fn start(&mut self, cols: Range<usize>, index: usize) -> usize {
        let mut started = 0;
        for col in cols {
            let input = match &mut self.items {
                Some(items) => items.next(),
                None => self.inputs.pop_front(),
            };
            let Some(input) = input else { break };
            self.cells.push(col, index + started, (self.f)(input));
            started += 1;
        }
        started
    }

    fn poll(&mut self, row: usize, cx: &mut Context<'_>, ends: &mut Ends<BoxError>) {
        let done = &mut self.done;
        self.cells.poll(cx, |col, index, out| {
            let result = out.map(|out| out.map(|n| done.fill(col, n)));
            ends.report(row, col, index, result)
        });
    }

    fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    fn clear(&mut self) {
        self.cells.clear();
    }

    fn push_value(&mut self, value: Value) {
        self.inputs.push_back(downcast::<In>(value));
    }

    fn inputs(&mut self) -> &mut dyn Any {
        &mut self.inputs
    }

    fn deliver(&mut self, col: usize, next: &mut dyn Any) {
        debug_assert_eq!(col, self.done.front(), "the grid delivers in column order");
        let Some(value) = self.done.pop() else {
            unreachable!("the grid delivers finished columns only");
        };
        match next.downcast_mut::<VecDeque<N>>() {
            Some(next) => next.push_back(value),
            None => unreachable!("waterfall stages are chained by type"),
        }
    }
}

/// A run's work: one typed row per stage, the last one delivering `O`s.
pub(crate) struct Stages<O> {
    /// Declared first: the running cells go before the rest.
    rows: Vec<Box<dyn Row>>,
    recorder: Recorder,
    _output: PhantomData<fn() -> O>,
}

impl<O> Stages<O> {
    pub(crate) fn new(rows: Vec<Box<dyn Row>>, recorder: Recorder) -> Self {
        Self {
            rows,
            recorder,
            _output: PhantomData,
        }
    }

    /// Replaces the first stage's row (with one fed typed items).
    pub(crate) fn set_first_row(&mut self, row: Box<dyn Row>) {
        self.rows[0] = row;
    }

    pub(crate) fn recorder_mut(&mut self) -> &mut Recorder {
        &mut self.recorder
    }
}

impl<O: Send + 'static> Work for Stages<O> {
    /// An item of a streamed input: the next column.
    type Command = Value;
    type Output = O;
    type Failure = BoxError;

    fn start(&mut self, row: usize, cols: Range<usize>, index: usize) -> usize {
        self.rows[row].start(cols, index)
    }

    fn poll_cells(&mut self, cx: &mut Context<'_>, ends: &mut Ends<BoxError>, _out: &mut VecDeque<O>) {
        for (row, cells) in self.rows.iter_mut().enumerate() {
            cells.poll(row, cx, ends);
            if ends.has_failed() {
                // The run ends: the other cells are dropped unpolled.
                return;
            }
        }
    }

    fn idle(&self) -> bool {
        self.rows.iter().all(|cells| cells.is_empty())
    }

    fn drop_cells(&mut self) {
        for cells in &mut self.rows {
            cells.clear();
        }
    }

    fn deliver(&mut self, row: usize, col: usize, out: &mut VecDeque<O>) {
        let (this, rest) = self.rows.split_at_mut(row + 1);
        let next: &mut dyn Any = match rest.first_mut() {
            Some(next) => next.inputs(),
            None => out,
        };
        this[row].deliver(col, next);
    }

    fn commands(&mut self, items: &mut Vec<Value>) -> usize {
        let Some(first) = self.rows.first_mut() else {
            // No stage: the run is already complete.
            items.clear();
            return 0;
        };
        let added = items.len();
        for item in items.drain(..) {
            first.push_value(item);
        }
        added
    }

    fn records(&self) -> bool {
        self.recorder.is_on()
    }

    fn started(&mut self, cells: &[(usize, usize)], at: Duration) {
        self.recorder.started(cells, at);
    }

    fn finished(&mut self, indices: &mut dyn Iterator<Item = usize>, at: Duration) {
        self.recorder.finished(indices, at);
    }

    fn columns(&mut self, cols: usize) {
        self.recorder.columns(cols);
    }
}
