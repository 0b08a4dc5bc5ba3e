// The error of a failed call may reach callers on other threads.
use std::rc::Rc;

#[ayutil::cached]
fn parse(text: String) -> Result<u32, Rc<str>> {
    text.parse().map_err(|_| Rc::from("not a number"))
}

fn main() {}
