// A trait impl cannot hold the explicit variant `<name>_with`.
trait Load {
    fn load(&self, id: u32) -> u32;
}

struct Store;

impl Load for Store {
    #[ayutil::provider(offset, from = || 1)]
    fn load(&self, id: u32, offset: u32) -> u32 {
        id + offset
    }
}

fn main() {}
