//! [`Group`], [`Pool`], [`TaskSet`], [`Bag`] and [`OrderedBag`]: spawn tasks from anywhere
//! and collect their completion, failures or values.

mod engine;
mod failure;
mod group;
mod group_error;
mod pool;
mod pool_size_error;
mod task_result;
mod task_set;
mod task_set_error;

pub use self::failure::{TaskFailure, TaskPanic};
pub use self::group::Group;
pub use self::group_error::GroupError;
pub use self::pool::Pool;
pub use self::pool_size_error::PoolSizeError;
pub use self::task_result::TaskResult;
pub use self::task_set::TaskSet;
pub use self::task_set_error::TaskSetError;
