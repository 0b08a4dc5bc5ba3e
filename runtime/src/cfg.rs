//! `cfg_*!` macros: one place that ties a module to its Cargo feature and its docs badge.

macro_rules! cfg_feature {
    ($feature:literal; $($item:item)*) => {
        $(
            #[cfg(feature = $feature)]
            #[cfg_attr(docsrs, doc(cfg(feature = $feature)))]
            $item
        )*
    };
}

macro_rules! cfg_scope { ($($item:item)*) => { cfg_feature! { "scope"; $($item)* } }; }
macro_rules! cfg_group { ($($item:item)*) => { cfg_feature! { "group"; $($item)* } }; }
macro_rules! cfg_funnel { ($($item:item)*) => { cfg_feature! { "funnel"; $($item)* } }; }
macro_rules! cfg_waterfall { ($($item:item)*) => { cfg_feature! { "waterfall"; $($item)* } }; }
macro_rules! cfg_batcher { ($($item:item)*) => { cfg_feature! { "batcher"; $($item)* } }; }
macro_rules! cfg_iter_stream { ($($item:item)*) => { cfg_feature! { "iter-stream"; $($item)* } }; }
macro_rules! cfg_cache { ($($item:item)*) => { cfg_feature! { "cache"; $($item)* } }; }
macro_rules! cfg_provider { ($($item:item)*) => { cfg_feature! { "provider"; $($item)* } }; }
macro_rules! cfg_eager { ($($item:item)*) => { cfg_feature! { "eager"; $($item)* } }; }
macro_rules! cfg_scheduling { ($($item:item)*) => { cfg_feature! { "scheduling"; $($item)* } }; }
