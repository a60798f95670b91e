//! Drafts of online submissions: what an applicant typed and uploaded, saved to resume later.
//!
//! A draft is a private scratch copy, not a record of the administration: it is kept in the
//! table `drafts` outside the event log, so that deleting it really erases what was typed.
//! Each save carries the version it was based on; a stale one is refused with
//! [`StoreError::Conflict`] (two tabs cannot overwrite each other silently).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use motcua_domain::dossier::FileRef;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::{Store, StoreError, StoreResult, on_pool, on_tx};

/// A file uploaded for one component of the procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftFile {
    /// Position of the component in the submission form (0-based).
    pub component: u32,
    /// The file.
    pub file: FileRef,
}

/// A draft as stored.
///
/// `Debug` leaves out the form values, which hold personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct DraftRow {
    /// Random id.
    pub id: String,
    /// The owner's account id.
    pub account_id: String,
    /// National procedure code.
    pub procedure_code: String,
    /// Form values by field name.
    pub form: BTreeMap<String, String>,
    /// Uploaded files, one per component at most.
    pub files: Vec<DraftFile>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
    /// Saves so far (1 after the first).
    pub version: i64,
}

impl std::fmt::Debug for DraftRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftRow")
            .field("id", &self.id)
            .field("account_id", &self.account_id)
            .field("procedure_code", &self.procedure_code)
            .field("files", &self.files.len())
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    account_id: String,
    procedure_code: String,
    form: Json<BTreeMap<String, String>>,
    files: Json<Vec<DraftFile>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl From<Row> for DraftRow {
    fn from(r: Row) -> DraftRow {
        DraftRow {
            id: r.id,
            account_id: r.account_id,
            procedure_code: r.procedure_code,
            form: r.form.0,
            files: r.files.0,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

const COLUMNS: &str =
    "id, account_id, procedure_code, form, files, created_at, updated_at, version";

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        what: format!("bản nháp / draft {id}"),
    }
}

impl Store {
    /// Inserts a draft at `draft.version` (1 for a new one; a draft restored after a failed
    /// submission keeps its version, so the form that holds it can still save).
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id is taken.
    pub async fn insert_draft(&self, draft: &DraftRow) -> StoreResult<DraftRow> {
        const SQL: &str = "INSERT INTO drafts (id, account_id, procedure_code, form, files, \
             created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let mut tx = self.begin().await?;
        let result = on_tx!(&mut tx, conn => {
            sqlx::query(SQL)
                .bind(&draft.id)
                .bind(&draft.account_id)
                .bind(&draft.procedure_code)
                .bind(Json(&draft.form))
                .bind(Json(&draft.files))
                .bind(draft.created_at)
                .bind(draft.updated_at)
                .bind(draft.version)
                .execute(conn)
                .await
                .map(|_| ())
        });
        match result {
            Ok(_) => {}
            Err(e) if crate::error::is_unique_violation(&e) => {
                return Err(StoreError::Duplicate {
                    what: format!("bản nháp / draft {}", draft.id),
                });
            }
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(draft.clone())
    }

    /// Saves new content of a draft of `draft.account_id`, if it is still at
    /// `expected_version`; returns it at the next version.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when it changed since; [`StoreError::NotFound`] when it is
    /// gone or belongs to another account.
    pub async fn update_draft(
        &self,
        draft: &DraftRow,
        expected_version: i64,
    ) -> StoreResult<DraftRow> {
        const SQL: &str = "UPDATE drafts SET form = $3, files = $4, updated_at = $5, \
             version = version + 1 WHERE id = $1 AND account_id = $2 AND version = $6";
        let mut tx = self.begin().await?;
        let affected = on_tx!(&mut tx, conn => {
            sqlx::query(SQL)
                .bind(&draft.id)
                .bind(&draft.account_id)
                .bind(Json(&draft.form))
                .bind(Json(&draft.files))
                .bind(draft.updated_at)
                .bind(expected_version)
                .execute(conn)
                .await?
                .rows_affected()
        });
        if affected == 0 {
            drop(tx);
            return Err(match self.find_draft(&draft.account_id, &draft.id).await? {
                Some(current) => StoreError::Conflict {
                    what: format!("bản nháp / draft {}", draft.id),
                    expected: expected_version,
                    actual: current.version,
                },
                None => not_found(&draft.id),
            });
        }
        tx.commit().await?;
        Ok(DraftRow {
            version: expected_version + 1,
            ..draft.clone()
        })
    }

    /// A draft of `account_id`.
    pub async fn find_draft(&self, account_id: &str, id: &str) -> StoreResult<Option<DraftRow>> {
        let sql = format!("SELECT {COLUMNS} FROM drafts WHERE id = $1 AND account_id = $2");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(account_id).fetch_optional(pool).await?
        });
        Ok(row.map(DraftRow::from))
    }

    /// The drafts of `account_id`, last saved first.
    pub async fn list_drafts(&self, account_id: &str) -> StoreResult<Vec<DraftRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM drafts WHERE account_id = $1 ORDER BY updated_at DESC, id"
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account_id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(DraftRow::from).collect())
    }

    /// Deletes a draft of `account_id`; with `expected_version`, only at that version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it is gone or another account's;
    /// [`StoreError::Conflict`] when it changed since `expected_version`.
    pub async fn delete_draft(
        &self,
        account_id: &str,
        id: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<()> {
        const SQL: &str = "DELETE FROM drafts WHERE id = $1 AND account_id = $2 \
             AND ($3 IS NULL OR version = $3)";
        let mut tx = self.begin().await?;
        let affected = on_tx!(&mut tx, conn => {
            sqlx::query(SQL)
                .bind(id)
                .bind(account_id)
                .bind(expected_version)
                .execute(conn)
                .await?
                .rows_affected()
        });
        if affected == 0 {
            drop(tx);
            return Err(match self.find_draft(account_id, id).await? {
                Some(current) => StoreError::Conflict {
                    what: format!("bản nháp / draft {id}"),
                    expected: expected_version.unwrap_or(current.version),
                    actual: current.version,
                },
                None => not_found(id),
            });
        }
        tx.commit().await?;
        Ok(())
    }
}
