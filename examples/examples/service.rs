//! A service: a `#[cached]` method, its `#[provider]` database, `#[run_as_main]`. Run: `cargo run --example service`.
//!
//! A small service as the README shows it: a struct with a `#[cached]` method whose
//! dependency (a database client) comes from `#[provider]`, launched by `#[run_as_main]`,
//! plus the test double that replaces the database for one task. `tests/tests/service.rs`
//! runs the same code with the double.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use ayutil::{ProviderSpec, Scope, cached, provider, run_as_main};

/// The database client the service depends on. It is not `Hash`: it is never part of a
/// cache key.
#[derive(Clone)]
pub(crate) struct Db {
    name: &'static str,
    queries: Arc<AtomicUsize>,
}

impl Db {
    /// The production database.
    pub(crate) fn production() -> Self {
        Db {
            name: "production",
            queries: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A test double: answers from memory and counts its queries.
    pub(crate) fn fake() -> Self {
        Db {
            name: "fake",
            queries: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Looks a user up (the production one pretends to be slow).
    pub(crate) async fn query_user(&self, id: u32) -> anyhow::Result<String> {
        self.queries.fetch_add(1, Ordering::SeqCst);
        if self.name == "production" {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::ensure!(id != 0, "no user has id 0");
        Ok(format!("{}-user-{id}", self.name))
    }

    /// How many queries this client answered.
    pub(crate) fn queries(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }
}

/// Where `#[provider]` takes the database from. Tests override it per task.
pub(crate) static DB: ProviderSpec<Db> = ProviderSpec::lazy(Db::production);

/// The service: its `region` is part of every cache key (`&self` is in the key).
#[derive(Clone, Hash, PartialEq, Eq)]
pub(crate) struct Users {
    pub(crate) region: &'static str,
}

impl Users {
    /// A user's display name: one database query per (region, id) while it is cached,
    /// shared by every concurrent caller; errors reach every caller and are not stored.
    #[provider(db, from = DB)]
    #[cached(ttl = "5m", max = 10_000)]
    pub(crate) async fn display_name(&self, id: u32, db: Db) -> anyhow::Result<String> {
        let name = db
            .query_user(id)
            .await
            .with_context(|| format!("looking up user {id} in {}", self.region))?;
        Ok(format!("{name} ({})", self.region))
    }
}

#[run_as_main(timeout = "30s")]
pub(crate) async fn main(run: Scope) -> anyhow::Result<()> {
    let users = Users { region: "eu" };
    // A hundred concurrent requests for three users: three database queries.
    for i in 0..100u32 {
        let users = users.clone();
        run.spawn(async move {
            let name = users.display_name(1 + i % 3).await;
            assert!(name.is_ok());
        });
    }
    let first = users.display_name(1).await?;
    println!("{first}");
    let failure = users.display_name(0).await.unwrap_err();
    println!("error: {failure:#}");
    // The explicit variant bypasses the provider and the cache.
    let fake = Db::fake();
    println!("{}", users.display_name_with(1, fake.clone()).await?);
    println!("fake database queries: {}", fake.queries());
    Ok(())
}
