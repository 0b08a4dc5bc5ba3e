use ayutil::eager;

#[eager(lcoal)]
async fn fetch(id: u32) -> u32 {
    id
}

fn main() {}
