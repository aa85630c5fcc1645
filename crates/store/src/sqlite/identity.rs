//! The identity registry's tables on SQLite.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::SqliteStore;
use crate::StoreError;
use crate::identity::{
    IdentityStore, IdentityWrite, PersonKind, PersonRow, RosterEntryRow, RosterRow, RosterSummary,
    TemplateRow,
};
use crate::rows::{count_from, hash_from, time_from};

fn template_row(r: &SqliteRow) -> Result<TemplateRow, StoreError> {
    let index: i64 = r.try_get("idx")?;
    Ok(TemplateRow {
        index: u32::try_from(index).map_err(|_| StoreError::Corrupt {
            what: "templates.idx",
            detail: format!("index {index} out of range"),
        })?,
        sealed: r.try_get("sealed")?,
        sha256: hash_from("templates.sha256", r.try_get::<&[u8], _>("sha256")?)?,
        enrolled: time_from(r.try_get("enrolled_ms")?),
    })
}

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn put_identity(&self, w: &IdentityWrite) -> Result<(), StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        for p in &w.people {
            let kind = p.person.kind.as_str();
            sqlx::query(
                "INSERT INTO people (kind, id, name, updated_ms) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, updated_ms = excluded.updated_ms",
            )
            .bind(kind)
            .bind(&p.person.id)
            .bind(&p.person.name)
            .bind(p.person.updated.0)
            .execute(&mut *tx)
            .await?;
            if let Some(templates) = &p.templates {
                sqlx::query("DELETE FROM templates WHERE kind = ? AND id = ?")
                    .bind(kind)
                    .bind(&p.person.id)
                    .execute(&mut *tx)
                    .await?;
                for t in templates {
                    sqlx::query(
                        "INSERT INTO templates (kind, id, idx, sealed, sha256, enrolled_ms) \
                         VALUES (?, ?, ?, ?, ?, ?)",
                    )
                    .bind(kind)
                    .bind(&p.person.id)
                    .bind(i64::from(t.index))
                    .bind(t.sealed.as_slice())
                    .bind(t.sha256.0.as_slice())
                    .bind(t.enrolled.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::error::conflict_on("templates.idx"))?;
                }
            }
        }
        if let Some(r) = &w.roster {
            sqlx::query("DELETE FROM rosters WHERE sitting = ?")
                .bind(&r.sitting)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO rosters (sitting, imported_ms, imported_by) VALUES (?, ?, ?)")
                .bind(&r.sitting)
                .bind(r.imported.0)
                .bind(&r.imported_by)
                .execute(&mut *tx)
                .await?;
            for (pos, e) in r.entries.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO roster_entries (sitting, position, candidate, name, seat, subject) \
                     VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(&r.sitting)
                .bind(i64::try_from(pos).map_err(|_| StoreError::OutOfRange {
                    what: "roster position",
                })?)
                .bind(&e.candidate)
                .bind(&e.name)
                .bind(e.seat.as_deref())
                .bind(e.subject.as_deref())
                .execute(&mut *tx)
                .await
                .map_err(crate::error::conflict_on("roster_entries.candidate"))?;
            }
            let orphan = sqlx::query(
                "SELECT r.candidate FROM roster_entries r LEFT JOIN people p \
                 ON p.kind = 'candidate' AND p.id = r.candidate \
                 WHERE r.sitting = ? AND p.id IS NULL LIMIT 1",
            )
            .bind(&r.sitting)
            .fetch_optional(&mut *tx)
            .await?;
            if orphan.is_some() {
                return Err(StoreError::Conflict {
                    constraint: "roster_entries.candidate".into(),
                });
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn person(
        &self,
        kind: PersonKind,
        id: &str,
    ) -> Result<(PersonRow, Vec<TemplateRow>), StoreError> {
        let r = sqlx::query("SELECT name, updated_ms FROM people WHERE kind = ? AND id = ?")
            .bind(kind.as_str())
            .bind(id)
            .fetch_one(&self.reader)
            .await?;
        let person = PersonRow {
            kind,
            id: id.to_owned(),
            name: r.try_get("name")?,
            updated: time_from(r.try_get("updated_ms")?),
        };
        let rows = sqlx::query(
            "SELECT idx, sealed, sha256, enrolled_ms FROM templates WHERE kind = ? AND id = ? ORDER BY idx",
        )
        .bind(kind.as_str())
        .bind(id)
        .fetch_all(&self.reader)
        .await?;
        let templates = rows.iter().map(template_row).collect::<Result<_, _>>()?;
        Ok((person, templates))
    }

    async fn roster(&self, sitting: &str) -> Result<RosterRow, StoreError> {
        let head = sqlx::query("SELECT imported_ms, imported_by FROM rosters WHERE sitting = ?")
            .bind(sitting)
            .fetch_one(&self.reader)
            .await?;
        let rows = sqlx::query(
            "SELECT candidate, name, seat, subject FROM roster_entries WHERE sitting = ? ORDER BY position",
        )
        .bind(sitting)
        .fetch_all(&self.reader)
        .await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok(RosterEntryRow {
                    candidate: r.try_get("candidate")?,
                    name: r.try_get("name")?,
                    seat: r.try_get("seat")?,
                    subject: r.try_get("subject")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(RosterRow {
            sitting: sitting.to_owned(),
            imported: time_from(head.try_get("imported_ms")?),
            imported_by: head.try_get("imported_by")?,
            entries,
        })
    }

    async fn rosters(&self) -> Result<Vec<RosterSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.sitting, r.imported_ms, r.imported_by, \
             (SELECT COUNT(*) FROM roster_entries e WHERE e.sitting = r.sitting) AS n \
             FROM rosters r ORDER BY r.imported_ms DESC, r.sitting",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RosterSummary {
                    sitting: r.try_get("sitting")?,
                    imported: time_from(r.try_get("imported_ms")?),
                    imported_by: r.try_get("imported_by")?,
                    entries: count_from("roster_entries", r.try_get("n")?)?,
                })
            })
            .collect()
    }

    async fn roster_templates(
        &self,
        sitting: &str,
    ) -> Result<Vec<(String, TemplateRow)>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.idx, t.sealed, t.sha256, t.enrolled_ms FROM roster_entries r \
             JOIN templates t ON t.kind = 'candidate' AND t.id = r.candidate \
             WHERE r.sitting = ? ORDER BY t.id, t.idx",
        )
        .bind(sitting)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, template_row(r)?)))
            .collect()
    }

    async fn templates_of_kind(
        &self,
        kind: PersonKind,
    ) -> Result<Vec<(String, TemplateRow)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, idx, sealed, sha256, enrolled_ms FROM templates WHERE kind = ? ORDER BY id, idx",
        )
        .bind(kind.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, template_row(r)?)))
            .collect()
    }
}
