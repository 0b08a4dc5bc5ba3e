// The expansion must not depend on the user's imports or prelude names.
#![deny(warnings)]
#![allow(dead_code, non_camel_case_types)]

struct Result;
struct Option;
struct Box;
struct Some;
struct Ok;
struct Err;
struct Future;
struct Poll;
mod core {}
mod std {}
mod futures_util {}
mod tokio {}

pub(super) fn main() {
    let rt = ::tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let (a, b, c) = ayutil::link!(async { 1 }, || 2, 3).await;
        assert_eq!(a + b + c, 6);
        let r = ayutil::try_link!(async { ::core::result::Result::<u8, ()>::Ok(1) }).await;
        assert_eq!(r, ::core::result::Result::Ok((1,)));
    });
}
