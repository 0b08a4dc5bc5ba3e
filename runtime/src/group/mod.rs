//! [`Group`], [`Pool`], [`TaskSet`], [`Bag`] and [`OrderedBag`]: spawn tasks from anywhere
//! and collect their completion, failures or values.

mod bag;
mod bag_core;
mod engine;
mod error;
mod join_round;
mod ordered_bag;
mod pool;
mod task_group;
mod task_set;

pub use self::bag::{Bag, BagStream, Putter};
pub use self::error::{BagClosed, BagResult, GroupError, TaskFailure, TaskResult, TaskSetError};
pub use self::ordered_bag::{OrderedBag, OrderedBagStream, OrderedPutter};
pub use self::pool::Pool;
pub use self::task_group::Group;
pub use self::task_set::TaskSet;
