// In a method, `self` is part of the key: a receiver type that is not `Hash` is reported
// on `self`, with how to leave it out of the key.
#[derive(Clone)]
struct Client {
    base: String,
}

impl Client {
    #[ayutil::cached]
    async fn get(&self, path: String) -> String {
        format!("{}{path}", self.base)
    }
}

fn main() {}
