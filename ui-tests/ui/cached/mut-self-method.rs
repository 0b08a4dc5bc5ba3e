#[derive(Clone, Hash, PartialEq, Eq)]
struct Counter(u32);

impl Counter {
    #[ayutil::cached]
    fn bump(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

fn main() {}
