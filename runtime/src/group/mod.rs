//! [`Group`], [`Pool`], [`TaskSet`], [`Bag`] and [`OrderedBag`]: spawn tasks from anywhere
//! and collect their completion, failures or values.

mod bag;
mod bag_closed;
mod bag_core;
mod bag_result;
mod engine;
mod failure;
mod group_error;
mod join_round;
mod ordered_bag;
mod pool;
mod pool_size_error;
mod task_group;
mod task_result;
mod task_set;
mod task_set_error;

pub use self::bag::{Bag, BagStream, Putter};
pub use self::bag_closed::BagClosed;
pub use self::bag_result::BagResult;
pub use self::failure::{TaskFailure, TaskPanic};
pub use self::group_error::GroupError;
pub use self::ordered_bag::{OrderedBag, OrderedBagStream, OrderedPutter};
pub use self::pool::Pool;
pub use self::pool_size_error::PoolSizeError;
pub use self::task_group::Group;
pub use self::task_result::TaskResult;
pub use self::task_set::TaskSet;
pub use self::task_set_error::TaskSetError;
