//! Integration tests of `Bag` and `OrderedBag`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ayutil::{Bag, OrderedBag};
use futures::{FutureExt as _, StreamExt as _};
use tokio::time::{Instant, sleep};

use crate::support;

fn assert_send_sync<T: Send + Sync>(_: &T) {}

/// Counts drops: proves how many task futures were dropped (finished or cancelled).
struct CountDrop(Arc<AtomicUsize>);

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn bag_yields_in_arrival_order_as_values_are_put() {
    let start = Instant::now();
    let bag = Bag::new();
    for (name, ms) in [("slow", 30_u64), ("fast", 10), ("mid", 20)] {
        bag.spawn(async move {
            sleep(Duration::from_millis(ms)).await;
            Some(name)
        });
    }
    let mut stream = bag.into_stream();
    assert_eq!(stream.next().await.unwrap().unwrap(), "fast");
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(10),
        "yielded as soon as put"
    );
    assert_eq!(stream.next().await.unwrap().unwrap(), "mid");
    assert_eq!(stream.next().await.unwrap().unwrap(), "slow");
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn putters_put_many_values_each() {
    let bag = Bag::new();
    for t in 0..10_u32 {
        let putter = bag.putter();
        bag.spawn(async move {
            for i in 0..10 {
                sleep(Duration::from_millis(1)).await;
                putter.put(t * 10 + i).unwrap();
            }
        });
    }
    let mut got: Vec<u32> = bag.into_stream().map(Result::unwrap).collect().await;
    got.sort_unstable();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
}

#[tokio::test]
async fn empty_bag_ends_at_once() {
    let items: Vec<_> = Bag::<u8>::new().into_stream().collect().await;
    assert!(items.is_empty());
    let items: Vec<_> = OrderedBag::<u8>::new().into_stream().collect().await;
    assert!(items.is_empty());
}

#[tokio::test(start_paused = true)]
async fn stream_stays_open_while_a_putter_lives() {
    let bag: Bag<i32> = Bag::new();
    let putter = bag.putter();
    let mut stream = bag.into_stream();
    assert!(stream.next().now_or_never().is_none());
    let late = tokio::spawn(async move {
        sleep(Duration::from_secs(1)).await;
        putter.put(5).unwrap();
        // `putter` drops here, which ends the stream.
    });
    assert_eq!(stream.next().await.unwrap().unwrap(), 5);
    assert!(stream.next().await.is_none());
    late.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn failing_task_yields_nothing_and_the_error_comes_last() {
    let bag = Bag::new();
    bag.spawn(async {
        sleep(Duration::from_millis(1)).await;
        Err("broken")
    });
    bag.spawn(async {
        sleep(Duration::from_millis(2)).await;
        if true {
            panic!("also broken");
        }
        Ok(None)
    });
    for i in 0..3_u32 {
        bag.spawn(async move {
            sleep(Duration::from_millis(10)).await;
            Ok(Some(i))
        });
    }
    let items: Vec<_> = bag.into_stream().collect().await;
    assert_eq!(items.len(), 4);
    let mut values: Vec<u32> = items[..3].iter().map(|r| *r.as_ref().unwrap()).collect();
    values.sort_unstable();
    assert_eq!(values, [0, 1, 2]);
    let err = items.into_iter().last().unwrap().unwrap_err();
    assert_eq!(err.others(), 1, "the panic is counted");
    assert_eq!(err.into_first().unwrap().into_error(), Some("broken"));
}

#[tokio::test]
async fn dropping_the_stream_cancels_running_tasks() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let bag = Bag::new();
    let putter = bag.putter();
    for _ in 0..4 {
        let guard = CountDrop(Arc::clone(&dropped));
        bag.spawn(async move {
            let _guard = guard;
            std::future::pending::<Option<u8>>().await
        });
    }
    let mut stream = bag.into_stream();
    assert!(stream.next().now_or_never().is_none());
    drop(stream);
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(dropped.load(Ordering::SeqCst), 4);
    assert_eq!(putter.put(1).unwrap_err().into_inner(), 1);
    assert!(putter.spawn(async { Some(2) }).is_err());
}

#[tokio::test(start_paused = true)]
async fn thousands_of_tasks_lose_no_value() {
    let bag = Bag::new();
    for i in 0..5_000_u64 {
        bag.spawn(async move {
            sleep(Duration::from_micros(i % 89)).await;
            Some(i)
        });
    }
    let values: Vec<u64> = bag.into_stream().map(Result::unwrap).collect().await;
    assert_eq!(values.len(), 5_000);
    assert_eq!(values.iter().sum::<u64>(), (0..5_000).sum::<u64>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bag_loses_nothing_across_threads() {
    let bag = Bag::new();
    for t in 0..16_u64 {
        let putter = bag.putter();
        bag.spawn(async move {
            for i in 0..250 {
                if i % 50 == 0 {
                    tokio::task::yield_now().await;
                }
                putter.put(t * 1_000 + i).unwrap();
            }
        });
    }
    let values: Vec<u64> = bag.into_stream().map(Result::unwrap).collect().await;
    assert_eq!(values.len(), 4_000);
}

#[tokio::test(start_paused = true)]
async fn ordered_bag_yields_in_spawn_order_with_puts_in_between() {
    let bag = OrderedBag::new();
    for (name, ms) in [("a", 30_u64), ("b", 10), ("c", 20)] {
        bag.spawn(async move {
            sleep(Duration::from_millis(ms)).await;
            Some(name)
        });
    }
    bag.put("z");
    bag.spawn(async { Some("d") });
    let out: Vec<&str> = bag.into_stream().map(Result::unwrap).collect().await;
    assert_eq!(out, ["a", "b", "c", "z", "d"]);
}

#[tokio::test(start_paused = true)]
async fn ordered_none_keeps_its_slot_without_stalling_later_items() {
    let start = Instant::now();
    let bag = OrderedBag::new();
    bag.spawn(async {
        sleep(Duration::from_millis(10)).await;
        None
    });
    bag.spawn(async {
        sleep(Duration::from_millis(20)).await;
        Some(1)
    });
    bag.spawn(async {
        sleep(Duration::from_millis(100)).await;
        Some(2)
    });
    let mut stream = bag.into_stream();
    assert_eq!(stream.next().await.unwrap().unwrap(), 1);
    assert_eq!(start.elapsed(), Duration::from_millis(20));
    assert_eq!(stream.next().await.unwrap().unwrap(), 2);
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn ordered_head_of_line_holds_later_values() {
    let start = Instant::now();
    let bag = OrderedBag::new();
    bag.spawn(async {
        sleep(Duration::from_millis(50)).await;
        Some("first")
    });
    bag.spawn(async { Some("second") });
    let mut stream = bag.into_stream();
    assert_eq!(stream.next().await.unwrap().unwrap(), "first");
    assert_eq!(start.elapsed(), Duration::from_millis(50));
    assert_eq!(stream.next().await.unwrap().unwrap(), "second");
}

#[tokio::test(start_paused = true)]
async fn ordered_failed_task_keeps_order_and_errors_last() {
    let bag = OrderedBag::new();
    bag.spawn(async {
        sleep(Duration::from_millis(5)).await;
        Ok(Some(0))
    });
    bag.spawn(async {
        sleep(Duration::from_millis(1)).await;
        Err("bad")
    });
    bag.spawn(async {
        if true {
            panic!("worse");
        }
        Ok(Some(9))
    });
    bag.spawn(async { Ok(Some(3)) });
    let items: Vec<_> = bag.into_stream().collect().await;
    assert_eq!(items.len(), 3);
    assert_eq!(*items[0].as_ref().unwrap(), 0);
    assert_eq!(*items[1].as_ref().unwrap(), 3);
    let err = items.into_iter().last().unwrap().unwrap_err();
    assert_eq!(err.others(), 1);
}

#[tokio::test(start_paused = true)]
async fn ordered_putter_puts_take_their_place_when_made() {
    let bag = OrderedBag::new();
    let putter = bag.putter();
    bag.spawn(async move {
        sleep(Duration::from_millis(10)).await;
        // Made after "late" was spawned, so it comes after it.
        putter.put("from task").unwrap();
        Some("task")
    });
    bag.spawn(async { Some("late") });
    let out: Vec<&str> = bag.into_stream().map(Result::unwrap).collect().await;
    assert_eq!(out, ["task", "late", "from task"]);
}

#[tokio::test(start_paused = true)]
async fn ordered_thousands_keep_their_order() {
    let bag = OrderedBag::new();
    for i in 0..3_000_u64 {
        bag.spawn(async move {
            sleep(Duration::from_micros((i * 7919) % 101)).await;
            Some(i)
        });
    }
    let values: Vec<u64> = bag.into_stream().map(Result::unwrap).collect().await;
    assert_eq!(values, (0..3_000).collect::<Vec<_>>());
}

#[tokio::test]
async fn dropping_the_ordered_stream_cancels_running_tasks() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let bag = OrderedBag::new();
    for _ in 0..3 {
        let guard = CountDrop(Arc::clone(&dropped));
        bag.spawn(async move {
            let _guard = guard;
            std::future::pending::<Option<u8>>().await
        });
    }
    drop(bag.into_stream());
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(dropped.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn bags_streams_and_putters_are_send_and_sync() {
    let bag = Bag::<u8, std::io::Error>::new();
    let putter = bag.putter();
    assert_send_sync(&bag);
    assert_send_sync(&putter);
    let stream = bag.into_stream();
    assert_send_sync(&stream);
    let ordered = OrderedBag::<u8, std::io::Error>::new();
    let oputter = ordered.putter();
    assert_send_sync(&ordered);
    assert_send_sync(&oputter);
    assert_send_sync(&ordered.into_stream());
    drop((putter, stream, oputter));
}

#[tokio::test(start_paused = true)]
async fn cancelled_next_loses_no_value() {
    let bag = Bag::new();
    bag.spawn(async {
        sleep(Duration::from_millis(50)).await;
        Some("late")
    });
    let mut stream = bag.into_stream();
    // A `next()` given up before the value arrives, as in a `select!` loop.
    let cut = tokio::time::timeout(Duration::from_millis(10), stream.next()).await;
    assert!(cut.is_err());
    assert_eq!(stream.next().await.unwrap().unwrap(), "late");
    assert!(stream.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn ordered_nested_spawns_through_a_putter_take_later_places() {
    let bag = OrderedBag::new();
    let putter = bag.putter();
    bag.spawn(async move {
        sleep(Duration::from_millis(5)).await;
        for i in 0..3 {
            putter
                .spawn(async move {
                    sleep(Duration::from_millis(10 - 3 * i)).await;
                    Some(10 + i)
                })
                .unwrap();
        }
        Some(1)
    });
    bag.spawn(async { Some(2) });
    let out: Vec<u64> = bag.into_stream().map(Result::unwrap).collect().await;
    assert_eq!(out, [1, 2, 10, 11, 12]);
}

#[tokio::test(start_paused = true)]
async fn stream_after_error_is_finished() {
    let bag = OrderedBag::<u8, &str>::new();
    bag.spawn(async { Err("no") });
    let mut stream = bag.into_stream();
    assert!(stream.next().await.unwrap().is_err());
    assert!(stream.next().await.is_none());
    assert!(stream.next().await.is_none());
}

#[test]
fn ordered_bag_keeps_spawn_order_on_a_multi_thread_runtime() {
    // Tasks end on two worker threads in any order, and putters on other tasks take places
    // meanwhile: every round must come out exactly in the order the places were taken.
    let rt = support::multi_thread();
    for round in 0..200_u64 {
        rt.block_on(async {
            let bag = OrderedBag::new();
            let putter = bag.putter();
            for i in 0..20_u64 {
                if i % 5 == 4 {
                    putter.put(i).unwrap();
                } else {
                    putter
                        .spawn(async move {
                            if (i + round) % 3 == 0 {
                                tokio::task::yield_now().await;
                            }
                            Some(i)
                        })
                        .unwrap();
                }
            }
            drop(putter);
            let values: Vec<u64> = bag.into_stream().map(Result::unwrap).collect().await;
            assert_eq!(values, (0..20).collect::<Vec<_>>(), "round {round}");
        });
    }
}
