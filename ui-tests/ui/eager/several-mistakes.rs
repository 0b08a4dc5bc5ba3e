use ayutil::eager;

#[eager(local, spawn = true)]
fn fetch(name: &str, id: u32) -> u32 {
    id + name.len() as u32
}

fn main() {}
