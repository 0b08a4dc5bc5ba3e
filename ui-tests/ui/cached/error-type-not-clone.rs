// The error of a failed call goes to every caller: a non-`Clone` error type needs
// `FromSharedError` (or `Clone`). One error, on the return type.
#[derive(Debug)]
struct LookupError;

#[ayutil::cached]
async fn lookup(id: u32) -> Result<String, LookupError> {
    if id == 0 { Err(LookupError) } else { Ok(id.to_string()) }
}

fn main() {}
