//! `#[eager]` expansions must not depend on the caller's prelude or imports, and must
//! compile without warnings on every kind of `async fn` it accepts.
#![deny(warnings)]
// trybuild allowed dead code in its pass cases; this file is now a module of tests/ui.rs.
#![allow(dead_code)]

struct Result;
struct Option;
struct Box;
struct Arc;
mod ayutil {}

use ::ayutil::eager;

#[eager]
async fn single_expression(x: u32) -> u32 {
    x + 1
}

#[eager]
async fn unit() {}

#[eager]
async fn waits(x: u32) -> u32 {
    ::tokio::task::yield_now().await;
    x * 2
}

#[eager]
async fn patterns((a, b): (u32, u32), mut count: u32, _: u8) -> u32 {
    count += 1;
    a + b + count
}

#[eager]
async fn early_return(fail: bool) -> ::std::result::Result<u32, ::std::num::ParseIntError> {
    if fail {
        return "x".parse::<u32>();
    }
    let n: u32 = "41".parse()?;
    ::tokio::task::yield_now().await;
    Ok(n + 1)
}

#[eager]
async fn generic<T: ::std::fmt::Display + Send + 'static>(value: T) -> ::std::string::String {
    value.to_string()
}

#[eager]
async fn impl_trait(values: impl IntoIterator<Item = u32> + Send + 'static) -> u32 {
    values.into_iter().sum()
}

#[eager]
async fn opaque(x: u32) -> impl ::std::fmt::Display + Send + 'static {
    ::tokio::task::yield_now().await;
    x
}

#[eager]
async fn static_str(text: &'static str) -> usize {
    text.len()
}

#[eager(crate = ::ayutil)]
async fn with_crate_path() -> u8 {
    1
}

#[eager(crate = "::ayutil")]
async fn with_crate_string() -> u8 {
    2
}

#[derive(Clone)]
struct Service {
    base: u32,
}

impl Service {
    #[eager]
    async fn by_value(self, x: u32) -> u32 {
        self.base + x
    }

    #[eager]
    async fn by_arc(self: ::std::sync::Arc<Self>, x: u32) -> u32 {
        ::tokio::task::yield_now().await;
        self.base * x
    }

    #[eager]
    async fn uses_self_type(x: u32) -> Self {
        Self { base: x }
    }
}

/// A guard the body never names still lives until the body ends, as in an `async fn`.
struct Guard(::std::sync::Arc<::std::sync::atomic::AtomicBool>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.store(true, ::std::sync::atomic::Ordering::SeqCst);
    }
}

#[eager]
async fn holds(_guard: Guard, rx: ::tokio::sync::oneshot::Receiver<()>) {
    let _ = rx.await;
}

pub(super) fn main() {
    let rt = ::tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let ready: ::ayutil::Eager<u32> = single_expression(1);
        ::std::assert!(ready.is_finished());
        ::std::assert_eq!(ready.await, 2);
        unit().await;
        ::std::assert_eq!(waits(4).await, 8);
        ::std::assert_eq!(patterns((1, 2), 3, 0).await, 7);
        ::std::assert!(early_return(true).await.is_err());
        ::std::assert_eq!(early_return(false).await, Ok(42));
        ::std::assert_eq!(generic(5).await, "5");
        ::std::assert_eq!(impl_trait(::std::vec![1, 2, 3]).await, 6);
        ::std::assert_eq!(static_str("abc").await, 3);
        ::std::assert_eq!(opaque(9).await.to_string(), "9");
        ::std::assert_eq!(with_crate_path().await + with_crate_string().await, 3);
        let service = Service { base: 10 };
        ::std::assert_eq!(service.clone().by_value(1).await, 11);
        ::std::assert_eq!(::std::sync::Arc::new(service).by_arc(3).await, 30);
        ::std::assert_eq!(Service::uses_self_type(4).await.base, 4);

        let dropped = ::std::sync::Arc::new(::std::sync::atomic::AtomicBool::new(false));
        let (tx, rx) = ::tokio::sync::oneshot::channel();
        let held = holds(Guard(dropped.clone()), rx);
        ::std::assert!(!dropped.load(::std::sync::atomic::Ordering::SeqCst));
        tx.send(()).unwrap();
        held.await;
        ::std::assert!(dropped.load(::std::sync::atomic::Ordering::SeqCst));
    });
}
