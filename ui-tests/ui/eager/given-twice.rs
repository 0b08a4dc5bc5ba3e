use ayutil::eager;

#[eager]
#[eager]
async fn fetch(id: u32) -> u32 {
    id
}

fn main() {}
