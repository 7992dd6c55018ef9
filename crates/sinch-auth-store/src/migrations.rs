//! The versioned schema, embedded in the binary so a fresh machine needs
//! nothing but the executable. Both backends run these same files.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use crate::StoreError;

/// `(version, description, sql)`, in order. Append only: an applied
/// migration's checksum is recorded and checked on every start.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "accounts and sessions",
        include_str!("../migrations/0001_accounts_and_sessions.sql"),
    ),
    (
        2,
        "disabled accounts and session kinds",
        include_str!("../migrations/0002_disabled_accounts_and_session_kinds.sql"),
    ),
];

/// The newest schema version this build knows.
pub(crate) const LATEST_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|&(version, description, sql)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

pub(crate) async fn migrator() -> Result<Migrator, StoreError> {
    Migrator::new(Embedded)
        .await
        .map_err(|err| StoreError::Migration(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_without_gaps() {
        for (index, (version, _, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, index as i64 + 1);
        }
        assert_eq!(LATEST_VERSION, MIGRATIONS.len() as i64);
    }
}
