use ayutil::provider;

#[provider(text, from = || "hi")]
fn shout(text: impl AsRef<str>) -> String {
    text.as_ref().to_uppercase()
}

fn main() {}
