// A trait impl cannot hold the generated `<name>_cache()` handle: cache an inherent
// method and call it from the trait method.
trait Fetch {
    fn get(&self, id: u32) -> u32;
}

#[derive(Clone, Hash, PartialEq, Eq)]
struct Client;

impl Fetch for Client {
    #[ayutil::cached]
    fn get(&self, id: u32) -> u32 {
        id
    }
}

fn main() {}
