use ayutil::eager;

struct Client {
    base: String,
}

impl Client {
    #[eager]
    async fn url(&self, id: u32) -> String {
        format!("{}/{id}", self.base)
    }
}

fn main() {}
