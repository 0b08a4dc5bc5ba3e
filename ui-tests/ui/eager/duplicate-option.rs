use ayutil::eager;

#[eager(local, local)]
async fn fetch(id: u32) -> u32 {
    id
}

fn main() {}
