//! The expansion of `#[cached]` does not depend on the user's imports: prelude names and
//! `ayutil` itself are shadowed here.
#![deny(warnings)]
#![allow(dead_code, non_camel_case_types)]

struct Result;
struct Option;
struct Box;
struct Clone;
struct Some;
struct None;
struct Duration;
mod ayutil {}
mod core {}
mod std {}

#[::ayutil::cached(ttl = "1s", max = 10)]
async fn plain(x: u32) -> u32 {
    x
}

#[::ayutil::cached]
fn fallible(x: u32) -> ::core::result::Result<u32, ()> {
    ::core::result::Result::Ok(x)
}

#[::ayutil::cached(task)]
async fn task(x: u64) -> u64 {
    x
}

#[::ayutil::cached(key: u32 = 1)]
async fn borrowed(text: &str) -> usize {
    text.len()
}

#[derive(::core::clone::Clone, Hash, PartialEq, Eq)]
struct Client;

impl Client {
    #[::ayutil::cached(key: u8 = 0)]
    async fn method(&self, y: u32) -> u32 {
        y
    }
}

pub(super) fn main() {
    let _ = fallible(1);
    let _ = plain_cache().len();
    let _ = Client::method_cache().stats();
    let _ = task_cache();
    let _ = borrowed_cache();
}
