//! `#[provider]` and `#[cached]` in either order: the injected parameter (not `Hash`)
//! is never part of the key.
#![deny(warnings)]

use ayutil::{ProviderSpec, cached, provider};

#[derive(Clone)]
struct Db;

static DB: ProviderSpec<Db> = ProviderSpec::lazy(|| Db);

#[provider(db, from = DB)]
#[cached]
async fn provider_first(id: u32, db: Db) -> u32 {
    let _ = db;
    id
}

#[cached(ttl = "10s")]
#[provider(db, from = DB)]
async fn cached_first(id: u32, db: Db) -> u32 {
    let _ = db;
    id
}

pub(super) fn main() {
    let _ = (
        provider_first(1),
        provider_first_with(1, Db),
        cached_first(1),
        cached_first_with(1, Db),
    );
    let _ = (provider_first_cache().len(), cached_first_cache().len());
}
