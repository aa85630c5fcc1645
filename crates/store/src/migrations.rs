//! The schema migrations of both backends, embedded in the binary.
//!
//! Each migration exists once per backend, as `migrations/<backend>/<NNNN>_<description>.sql`
//! (the sqlx-cli naming, so `sqlx migrate info` reads the same folders). They are listed here
//! rather than through `sqlx::migrate!`, which would need sqlx's proc-macro feature (and a
//! second build of both database drivers for the host); a test checks that this list and the
//! folders agree.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// One schema step, in both dialects.
struct Step {
    version: i64,
    description: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const STEPS: &[Step] = &[
    Step {
        version: 1,
        description: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Step {
        version: 2,
        description: "identity",
        sqlite: include_str!("../migrations/sqlite/0002_identity.sql"),
        postgres: include_str!("../migrations/postgres/0002_identity.sql"),
    },
    Step {
        version: 3,
        description: "frontier",
        sqlite: include_str!("../migrations/sqlite/0003_frontier.sql"),
        postgres: include_str!("../migrations/postgres/0003_frontier.sql"),
    },
];

fn migrator(sql: impl Fn(&Step) -> &'static str) -> Migrator {
    Migrator::with_migrations(
        STEPS
            .iter()
            .map(|s| {
                Migration::new(
                    s.version,
                    Cow::Borrowed(s.description),
                    MigrationType::Simple,
                    sql(s).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// The SQLite migrations.
pub(crate) fn sqlite() -> Migrator {
    migrator(|s| s.sqlite)
}

/// The PostgreSQL migrations.
pub(crate) fn postgres() -> Migrator {
    migrator(|s| s.postgres)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn files(backend: &str) -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_migration_is_listed_for_both_backends() {
        let listed: Vec<String> = STEPS
            .iter()
            .map(|s| format!("{:04}_{}.sql", s.version, s.description))
            .collect();
        assert_eq!(files("sqlite"), listed);
        assert_eq!(files("postgres"), listed);
        for (i, s) in STEPS.iter().enumerate() {
            assert_eq!(s.version, i as i64 + 1, "versions are dense from 1");
        }
    }
}
