use std::borrow::Cow;

use ayutil::eager;

#[eager]
async fn shout<'a>(text: Cow<'a, str>) -> String {
    text.to_uppercase()
}

fn main() {}
