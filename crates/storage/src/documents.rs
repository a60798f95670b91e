//! Issued documents and their seals' keys (ADR 0013).
//!
//! - The stream `document` (id = the verification code) and its projection `documents`:
//!   results and certified copies as issued, and their revocation.
//! - The stream `signing_key` (id = the certificate's SHA-256) and its projection
//!   `signing_keys`: the installation's root authority (owner `""`) and the agencies'
//!   certificates, each private key wrapped under the master key.
//! - `document_verifications`: every check of a document, append-only.

use chrono::{DateTime, Utc};
use motcua_domain::document::{Document, DocumentEvent};
use motcua_domain::event::EventMeta;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::{Store, StoreError, StoreResult, Tx, events, on_pool, on_tx, push_in};

/// Stream type of issued documents (id = the verification code).
pub const STREAM: &str = "document";

/// Stream type of signing keys (id = the certificate's SHA-256).
pub const KEY_STREAM: &str = "signing_key";

/// The owner of the installation's root authorities and other trusted roots.
pub const ROOT_OWNER: &str = "";

/// A signing key as its `created` event records it and its projection row holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SigningKeyRow {
    /// SHA-256 of the certificate (DER), hex.
    pub fingerprint: String,
    /// The agency's identifier code, or [`ROOT_OWNER`].
    pub owner: String,
    /// The certificate, PEM.
    pub certificate: String,
    /// The private key, wrapped under the master key (hex); none for a root held elsewhere.
    pub wrapped_key: Option<String>,
    /// Which master key wrapped it.
    pub master_key_id: Option<String>,
    /// The certificate's subject.
    pub subject: String,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it stopped being used for new seals.
    pub retired_at: Option<DateTime<Utc>>,
}

/// Records a new signing key: its `created` event and its row, in `tx`.
pub async fn create_key(tx: &mut Tx, key: &SigningKeyRow, meta: &EventMeta) -> StoreResult<()> {
    const INSERT: &str = "INSERT INTO signing_keys (fingerprint, owner, certificate, \
         wrapped_key, master_key_id, subject, not_before, not_after, created_at, retired_at, \
         version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, 1)";
    let payload = serde_json::to_value(key)?;
    events::append(
        tx,
        KEY_STREAM,
        &key.fingerprint,
        0,
        &[("created", payload)],
        meta,
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict { .. } => StoreError::Duplicate {
            what: format!("chứng thư số / certificate {}", key.fingerprint),
        },
        other => other,
    })?;
    on_tx!(tx, conn => {
        sqlx::query(INSERT)
            .bind(&key.fingerprint)
            .bind(&key.owner)
            .bind(&key.certificate)
            .bind(key.wrapped_key.as_deref())
            .bind(key.master_key_id.as_deref())
            .bind(&key.subject)
            .bind(key.not_before)
            .bind(key.not_after)
            .bind(key.created_at)
            .execute(conn)
            .await?;
    });
    Ok(())
}

/// Retires a signing key: no new seal uses it; what it sealed stays verifiable.
pub async fn retire_key(tx: &mut Tx, fingerprint: &str, meta: &EventMeta) -> StoreResult<()> {
    const UPDATE: &str = "UPDATE signing_keys SET retired_at = $2, version = version + 1 \
         WHERE fingerprint = $1 AND retired_at IS NULL";
    events::append(
        tx,
        KEY_STREAM,
        fingerprint,
        1,
        &[("retired", serde_json::json!({}))],
        meta,
    )
    .await?;
    let affected = on_tx!(tx, conn => {
        sqlx::query(UPDATE).bind(fingerprint).bind(meta.at).execute(conn).await?.rows_affected()
    });
    if affected != 1 {
        return Err(StoreError::NotFound {
            what: format!("chứng thư số đang dùng / key in use {fingerprint}"),
        });
    }
    Ok(())
}

/// A SELECT of whole [`SigningKeyRow`]s followed by `$rest` (a literal, so the SQL stays static).
macro_rules! select_keys {
    ($rest:literal) => {
        concat!(
            "SELECT fingerprint, owner, certificate, wrapped_key, master_key_id, subject, ",
            "not_before, not_after, created_at, retired_at FROM signing_keys ",
            $rest
        )
    };
}

/// The keys of `owner`, newest first, read in `tx` (to choose the one to sign with).
pub async fn keys_of_in(tx: &mut Tx, owner: &str) -> StoreResult<Vec<SigningKeyRow>> {
    const SQL: &str = select_keys!("WHERE owner = $1 ORDER BY created_at DESC, fingerprint");
    Ok(on_tx!(tx, conn => sqlx::query_as(SQL).bind(owner).fetch_all(conn).await?))
}

/// Allocates the next number of `agency`'s certification register of `year`, in the
/// transaction that issues the copy (so a rolled-back copy gives its number back).
pub async fn allocate_register_number(tx: &mut Tx, agency: &str, year: i32) -> StoreResult<u32> {
    const SQL: &str = "INSERT INTO certification_register (agency, year, last_value) \
         VALUES ($1, $2, 1) ON CONFLICT (agency, year) DO UPDATE SET \
         last_value = certification_register.last_value + 1 RETURNING last_value";
    let value: i32 = on_tx!(tx, conn => {
        sqlx::query_scalar(SQL).bind(agency).bind(year).fetch_one(conn).await?
    });
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("register number {value}")))
}

/// Records the events of one document and its new state, in `tx`. `expected_version` is the
/// version the decision was based on (0 for a new document).
pub async fn record(
    tx: &mut Tx,
    expected_version: i64,
    events: &[DocumentEvent],
    state: &Document,
    meta: &EventMeta,
) -> StoreResult<()> {
    const INSERT: &str = "INSERT INTO documents (code, kind, agency, dossier_code, sha256, \
         issued_at, revoked_at, version, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    const UPDATE: &str = "UPDATE documents SET revoked_at = $2, version = $3, state = $4 \
         WHERE code = $1 AND version = $5";
    let payloads = events
        .iter()
        .map(|e| Ok((e.kind(), serde_json::to_value(e)?)))
        .collect::<StoreResult<Vec<_>>>()?;
    let code = &state.issue.code;
    let version = events::append(tx, STREAM, code, expected_version, &payloads, meta)
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } if expected_version == 0 => StoreError::Duplicate {
                what: format!("tài liệu / document {code}"),
            },
            other => other,
        })?;
    let revoked_at = state.revocation.as_ref().map(|r| r.at);
    let affected = if expected_version == 0 {
        on_tx!(tx, conn => {
            sqlx::query(INSERT)
                .bind(code)
                .bind(state.issue.kind.as_str())
                .bind(&state.issue.agency)
                .bind(state.issue.dossier.as_deref())
                .bind(&state.issue.file.sha256)
                .bind(state.issued_at)
                .bind(revoked_at)
                .bind(version)
                .bind(Json(state))
                .execute(conn)
                .await?
                .rows_affected()
        })
    } else {
        on_tx!(tx, conn => {
            sqlx::query(UPDATE)
                .bind(code)
                .bind(revoked_at)
                .bind(version)
                .bind(Json(state))
                .bind(expected_version)
                .execute(conn)
                .await?
                .rows_affected()
        })
    };
    crate::error::ensure_written(affected, 1, expected_version, || {
        format!("tài liệu / document {code}")
    })
}

/// Reads a document inside a write transaction.
pub async fn find_in(tx: &mut Tx, code: &str) -> StoreResult<Option<Document>> {
    const SQL: &str = "SELECT state FROM documents WHERE code = $1";
    let state: Option<Json<Document>> =
        on_tx!(tx, conn => sqlx::query_scalar(SQL).bind(code).fetch_optional(conn).await?);
    Ok(state.map(|s| s.0))
}

/// One check of a document, as logged.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VerificationRow {
    /// Random identifier.
    pub id: String,
    /// The document's verification code.
    pub code: String,
    /// When.
    pub verified_at: DateTime<Utc>,
    /// How: `code` (typed or scanned), `file` (uploaded), `api`.
    pub channel: String,
    /// What it found ([`motcua_domain::document::Verdict::as_str`]).
    pub verdict: String,
    /// The signed-in account that checked, if any.
    pub account_id: Option<String>,
}

impl Store {
    /// Every signing key, roots first, then by owner, newest first.
    pub async fn signing_keys(&self) -> StoreResult<Vec<SigningKeyRow>> {
        const SQL: &str = select_keys!("ORDER BY owner, created_at DESC, fingerprint");
        Ok(on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await?))
    }

    /// The certificates of the installation's trusted roots, PEM.
    pub async fn trusted_roots(&self) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT certificate FROM signing_keys WHERE owner = $1 ORDER BY created_at, fingerprint";
        Ok(on_pool!(self, pool => sqlx::query_scalar(SQL).bind(ROOT_OWNER).fetch_all(pool).await?))
    }

    /// One document.
    pub async fn find_document(&self, code: &str) -> StoreResult<Option<Document>> {
        const SQL: &str = "SELECT state FROM documents WHERE code = $1";
        let state: Option<Json<Document>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(code).fetch_optional(pool).await?);
        Ok(state.map(|s| s.0))
    }

    /// The documents whose PDF has the SHA-256 `sha256` (one, unless the same bytes were
    /// issued twice).
    pub async fn documents_with_file(&self, sha256: &str) -> StoreResult<Vec<Document>> {
        const SQL: &str = "SELECT state FROM documents WHERE sha256 = $1 ORDER BY issued_at, code";
        let rows: Vec<Json<Document>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(sha256).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Which of `agencies` had issued a document of `kind` by `by` (766 indicator 4.6:
    /// the communes that provide electronic certified copies).
    pub async fn agencies_issuing(
        &self,
        kind: &str,
        agencies: &[String],
        by: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        // The agency list is bound as one JSON array on both engines.
        const SQLITE: &str = "SELECT DISTINCT agency FROM documents WHERE kind = $1 \
             AND issued_at <= $2 AND agency IN (SELECT value FROM json_each($3))";
        const POSTGRES: &str = "SELECT DISTINCT agency FROM documents WHERE kind = $1 \
             AND issued_at <= $2 AND agency IN (SELECT jsonb_array_elements_text($3::jsonb))";
        let list = serde_json::to_string(agencies)?;
        let sql = match self {
            Store::Sqlite(_) => SQLITE,
            Store::Postgres(_) => POSTGRES,
        };
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(sql)
                .bind(kind)
                .bind(by)
                .bind(&list)
                .fetch_all(pool)
                .await?
        }))
    }

    /// How many documents each of `agencies` issued in `[from, to)`, by kind: `(agency,
    /// kind, count)` (revoked ones too: they were issued).
    pub async fn documents_issued_between(
        &self,
        agencies: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        if agencies.is_empty() {
            return Ok(Vec::new());
        }
        let rows = on_pool!(self, pool => {
            let mut select = sqlx::QueryBuilder::new(
                "SELECT agency, kind, COUNT(*) FROM documents WHERE issued_at >= ",
            );
            select.push_bind(from).push(" AND issued_at < ").push_bind(to).push(" AND agency IN (");
            push_in!(select, agencies);
            select.push(" GROUP BY agency, kind");
            select.build_query_as().fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// The documents issued for a dossier, oldest first.
    pub async fn documents_of_dossier(&self, dossier: &str) -> StoreResult<Vec<Document>> {
        const SQL: &str =
            "SELECT state FROM documents WHERE dossier_code = $1 ORDER BY issued_at, code";
        let rows: Vec<Json<Document>> =
            on_pool!(self, pool => sqlx::query_scalar(SQL).bind(dossier).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The documents issued for any of `dossiers`, oldest first: one query for a list of
    /// dossiers (an applicant's data store).
    pub async fn documents_of_dossiers(&self, dossiers: &[String]) -> StoreResult<Vec<Document>> {
        // The codes are bound as one JSON array on both engines.
        const SQLITE: &str = "SELECT state FROM documents WHERE dossier_code IN \
             (SELECT value FROM json_each($1)) ORDER BY issued_at, code";
        const POSTGRES: &str = "SELECT state FROM documents WHERE dossier_code IN \
             (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY issued_at, code";
        if dossiers.is_empty() {
            return Ok(Vec::new());
        }
        let list = serde_json::to_string(dossiers)?;
        let sql = match self {
            Store::Sqlite(_) => SQLITE,
            Store::Postgres(_) => POSTGRES,
        };
        let rows: Vec<Json<Document>> =
            on_pool!(self, pool => sqlx::query_scalar(sql).bind(&list).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Logs one check of a document.
    pub async fn log_verification(&self, row: &VerificationRow) -> StoreResult<()> {
        const INSERT: &str = "INSERT INTO document_verifications (id, code, verified_at, \
             channel, verdict, account_id) VALUES ($1, $2, $3, $4, $5, $6)";
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(INSERT)
                .bind(&row.id)
                .bind(&row.code)
                .bind(row.verified_at)
                .bind(&row.channel)
                .bind(&row.verdict)
                .bind(row.account_id.as_deref())
                .execute(conn)
                .await?;
        });
        tx.commit().await
    }

    /// The checks of a document, newest first (at most `limit`), and how many in all.
    pub async fn verifications_of(
        &self,
        code: &str,
        limit: i64,
    ) -> StoreResult<(Vec<VerificationRow>, i64)> {
        const SQL: &str = "SELECT id, code, verified_at, channel, verdict, account_id \
             FROM document_verifications WHERE code = $1 ORDER BY verified_at DESC, id LIMIT $2";
        const COUNT: &str = "SELECT COUNT(*) FROM document_verifications WHERE code = $1";
        Ok(on_pool!(self, pool => {
            let rows = sqlx::query_as(SQL).bind(code).bind(limit.clamp(1, 500)).fetch_all(pool).await?;
            let total: i64 = sqlx::query_scalar(COUNT).bind(code).fetch_one(pool).await?;
            (rows, total)
        }))
    }
}
