use ayutil::eager;

#[eager]
fn fetch(id: u32) -> u32 {
    id
}

fn main() {
    let _ = fetch(1);
}
