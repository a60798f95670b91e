//! The tables of migration `0008_api_tokens`: API tokens for machine clients, and the
//! external e-ID identities linked to accounts (with the account events that go with them).
//!
//! - Stream `api_token` (id = the token id, `t:` and 16 hex digits): `created` (agency, role,
//!   name, scopes, expiry — never the secret nor its hash) and `revoked`; projection
//!   `api_tokens`, written in the same transaction and carrying the stream version. The
//!   secret is stored only as its SHA-256. `last_used_at` is a plain column, touched at most
//!   once a minute by the service, not an event.
//! - `account_identities` maps (issuer, subject) at an OpenID provider to an account. Linking
//!   is recorded on the account's stream as `eid_linked` (issuer, subject, e-ID level); a
//!   sign-in through the provider is `signed_in` with `{"method": "eid", …}`.
//!
//! The store checks versions and keys only; who may issue a token, which scopes exist and
//! how claims become an account belong to `motcua-service`.

use chrono::{DateTime, Utc};
use motcua_domain::event::{EventMeta, Role};
use serde_json::{Value, json};

use crate::accounts::SessionRow;
use crate::error::is_unique_violation;
use crate::{StoreError, StoreResult, Tx, events, on_pool, on_tx};

/// Stream type of API token events (id = the token id).
pub const STREAM: &str = "api_token";

/// An API token as the projection stores it. `Debug` leaves out the hash.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
    /// `t:` followed by 16 hex digits; the actor id its requests are recorded under.
    pub id: String,
    /// Hex SHA-256 of the secret (the secret is shown once, then only its holder has it).
    pub token_hash: String,
    /// Identifier code of the agency the token acts for.
    pub agency: String,
    /// The staff role the token acts in, within its agency.
    pub role: Role,
    /// What the token is for, as its creator named it (e.g. "Đồng bộ DVCQG").
    pub name: String,
    /// Scopes granted, e.g. `dossiers:read` (validated by the service).
    pub scopes: Vec<String>,
    /// Account id of whoever created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Last time it authenticated a request (at most a minute stale).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Version of the token's stream.
    pub version: i64,
}

impl std::fmt::Debug for ApiTokenRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiTokenRow")
            .field("id", &self.id)
            .field("agency", &self.agency)
            .field("role", &self.role)
            .field("scopes", &self.scopes)
            .field("expires_at", &self.expires_at)
            .field("revoked_at", &self.revoked_at)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    token_hash: String,
    agency: String,
    role: String,
    name: String,
    scopes: String,
    created_by: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    version: i64,
}

impl Row {
    fn into_token(self) -> StoreResult<ApiTokenRow> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            StoreError::Corrupt(format!("api token {}: unknown role {}", self.id, self.role))
        })?;
        Ok(ApiTokenRow {
            id: self.id,
            token_hash: self.token_hash,
            agency: self.agency,
            role,
            name: self.name,
            scopes: self.scopes.split_whitespace().map(str::to_owned).collect(),
            created_by: self.created_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            last_used_at: self.last_used_at,
            version: self.version,
        })
    }
}

const COLUMNS: &str = "id, token_hash, agency, role, name, scopes, created_by, created_at, \
     expires_at, revoked_at, last_used_at, version";

fn token_not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        what: format!("khóa API / API token {id}"),
    }
}

fn account_not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        what: format!("tài khoản / account {id}"),
    }
}

/// A link between an identity at an OpenID provider and an account.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityLink {
    /// The provider's issuer URL, exactly as its ID tokens say.
    pub issuer: String,
    /// The provider's stable subject identifier for the person.
    pub subject: String,
    /// The account it signs in to.
    pub account_id: String,
}

impl std::fmt::Debug for IdentityLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The subject may be a personal identification number.
        f.debug_struct("IdentityLink")
            .field("issuer", &self.issuer)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// Appends one event to an account's stream at its current version, setting its e-ID level
/// to at least `eid_level` when given: the write path of the account events of this module.
/// Returns the new version.
async fn append_to_account(
    tx: &mut Tx,
    account_id: &str,
    kind: &str,
    payload: Value,
    eid_level: Option<i32>,
    meta: &EventMeta,
) -> StoreResult<i64> {
    const CURRENT: &str = "SELECT version FROM accounts WHERE id = $1";
    const BUMP: &str = "UPDATE accounts SET version = $2, \
         eid_level = CASE WHEN $3 IS NOT NULL AND $3 > eid_level THEN $3 ELSE eid_level END \
         WHERE id = $1 AND version = $4";
    let current: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar(CURRENT).bind(account_id).fetch_optional(conn).await?
    });
    let current = current.ok_or_else(|| account_not_found(account_id))?;
    let affected = on_tx!(tx, conn => {
        sqlx::query(BUMP).bind(account_id).bind(current + 1).bind(eid_level).bind(current)
            .execute(conn).await?.rows_affected()
    });
    if affected == 0 {
        return Err(StoreError::Conflict {
            what: format!("tài khoản / account {account_id}"),
            expected: current,
            actual: current + 1,
        });
    }
    events::append_unchecked(
        tx,
        crate::accounts::STREAM,
        account_id,
        current,
        &[(kind, payload)],
        meta,
    )
    .await
}

impl crate::Store {
    /// Creates an API token: the projection row and the `created` event, in one transaction.
    /// `row.version` must be 1; a taken id or hash is [`StoreError::Duplicate`].
    pub async fn create_api_token(&self, row: &ApiTokenRow, meta: &EventMeta) -> StoreResult<()> {
        let insert = format!(
            "INSERT INTO api_tokens ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, 1)"
        );
        let mut tx = self.begin().await?;
        let inserted = on_tx!(&mut tx, conn => {
            sqlx::query(sqlx::AssertSqlSafe(insert))
                .bind(&row.id)
                .bind(&row.token_hash)
                .bind(&row.agency)
                .bind(row.role.as_str())
                .bind(&row.name)
                .bind(row.scopes.join(" "))
                .bind(&row.created_by)
                .bind(row.created_at)
                .bind(row.expires_at)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        });
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Duplicate {
                    what: format!("khóa API / API token {}", row.id),
                });
            }
            Err(e) => return Err(e.into()),
        }
        let payload = json!({
            "agency": row.agency,
            "role": row.role,
            "name": row.name,
            "scopes": row.scopes,
            "expires_at": row.expires_at,
        });
        events::append_unchecked(&mut tx, STREAM, &row.id, 0, &[("created", payload)], meta)
            .await?;
        tx.commit().await
    }

    /// Revokes a token at the stream version the caller read and records `revoked`. Returns
    /// the new version. [`StoreError::Conflict`] when the token changed meanwhile.
    pub async fn revoke_api_token(
        &self,
        id: &str,
        expected_version: i64,
        meta: &EventMeta,
    ) -> StoreResult<i64> {
        const REVOKE: &str = "UPDATE api_tokens SET revoked_at = $2, version = $3 \
             WHERE id = $1 AND version = $4";
        const CURRENT: &str = "SELECT version FROM api_tokens WHERE id = $1";
        let mut tx = self.begin().await?;
        let affected = on_tx!(&mut tx, conn => {
            sqlx::query(REVOKE)
                .bind(id)
                .bind(meta.at)
                .bind(expected_version + 1)
                .bind(expected_version)
                .execute(conn)
                .await?
                .rows_affected()
        });
        if affected == 0 {
            let actual: Option<i64> = on_tx!(&mut tx, conn => {
                sqlx::query_scalar(CURRENT).bind(id).fetch_optional(conn).await?
            });
            return Err(match actual {
                None => token_not_found(id),
                Some(actual) => StoreError::Conflict {
                    what: format!("khóa API / API token {id}"),
                    expected: expected_version,
                    actual,
                },
            });
        }
        let version = events::append_unchecked(
            &mut tx,
            STREAM,
            id,
            expected_version,
            &[("revoked", json!({}))],
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The token with this id.
    pub async fn find_api_token(&self, id: &str) -> StoreResult<Option<ApiTokenRow>> {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
        });
        row.map(Row::into_token).transpose()
    }

    /// The token whose secret hashes to `token_hash`, live or not (the caller compares the
    /// instants with its clock).
    pub async fn find_api_token_by_hash(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<ApiTokenRow>> {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).fetch_optional(pool).await?
        });
        row.map(Row::into_token).transpose()
    }

    /// Tokens, all or those of one agency, newest first.
    pub async fn list_api_tokens(&self, agency: Option<&str>) -> StoreResult<Vec<ApiTokenRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE ($1 IS NULL OR agency = $1) \
             ORDER BY created_at DESC, id"
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(agency).fetch_all(pool).await?
        });
        rows.into_iter().map(Row::into_token).collect()
    }

    /// Records that a token authenticated a request at `at` (not an event).
    pub async fn touch_api_token(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(SQL).bind(id).bind(at).execute(conn).await?;
        });
        tx.commit().await
    }

    /// The account linked to an identity at a provider, if any.
    pub async fn find_identity(&self, issuer: &str, subject: &str) -> StoreResult<Option<String>> {
        const SQL: &str =
            "SELECT account_id FROM account_identities WHERE issuer = $1 AND subject = $2";
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(issuer).bind(subject).fetch_optional(pool).await?
        }))
    }

    /// Links an identity to its account and records `eid_linked` (issuer, subject, level) on
    /// the account's stream, raising the account's e-ID level to `eid_level` if lower.
    ///
    /// With `replace_password_hash`, the account's password hash is replaced and every
    /// session of the account ends, in the same transaction: a password set before the person
    /// was verified is no longer trusted. A taken identity is [`StoreError::Duplicate`].
    /// Returns the account's new version.
    pub async fn link_identity(
        &self,
        link: &IdentityLink,
        eid_level: i32,
        replace_password_hash: Option<&str>,
        meta: &EventMeta,
    ) -> StoreResult<i64> {
        const INSERT: &str = "INSERT INTO account_identities (issuer, subject, account_id, \
             linked_at) VALUES ($1, $2, $3, $4)";
        const PASSWORD: &str = "UPDATE account_credentials SET password_hash = $2, \
             changed_at = $3 WHERE account_id = $1";
        const END_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1";
        let mut tx = self.begin().await?;
        let inserted = on_tx!(&mut tx, conn => {
            sqlx::query(INSERT)
                .bind(&link.issuer)
                .bind(&link.subject)
                .bind(&link.account_id)
                .bind(meta.at)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        });
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Duplicate {
                    what: "danh tính điện tử / electronic identity".into(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(hash) = replace_password_hash {
            on_tx!(&mut tx, conn => {
                sqlx::query(PASSWORD).bind(&link.account_id).bind(hash).bind(meta.at)
                    .execute(&mut *conn).await?;
                sqlx::query(END_SESSIONS).bind(&link.account_id).execute(&mut *conn).await?;
            });
        }
        let payload = json!({
            "issuer": link.issuer,
            "subject": link.subject,
            "eid_level": eid_level,
            "password_replaced": replace_password_hash.is_some(),
        });
        let version = append_to_account(
            &mut tx,
            &link.account_id,
            "eid_linked",
            payload,
            Some(eid_level),
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Opens a session like [`Store::open_session`](crate::Store::open_session), recording
    /// `signed_in` with `payload` (how the person signed in, e.g.
    /// `{"method": "eid", "issuer": …}`; never a token), and raising the account's e-ID level
    /// to `eid_level` when given. Returns the account's new version.
    pub async fn open_session_with(
        &self,
        session: &SessionRow,
        payload: Value,
        eid_level: Option<i32>,
        meta: &EventMeta,
    ) -> StoreResult<i64> {
        const INSERT: &str = "INSERT INTO sessions (token_hash, account_id, csrf_token, \
             created_at, last_seen_at, idle_seconds, idle_expires_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let mut tx = self.begin().await?;
        let version = append_to_account(
            &mut tx,
            &session.account_id,
            "signed_in",
            payload,
            eid_level,
            meta,
        )
        .await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(INSERT)
                .bind(&session.token_hash)
                .bind(&session.account_id)
                .bind(&session.csrf_token)
                .bind(session.created_at)
                .bind(session.last_seen_at)
                .bind(session.idle_seconds)
                .bind(session.idle_expires_at)
                .bind(session.expires_at)
                .execute(conn)
                .await?;
        });
        tx.commit().await?;
        Ok(version)
    }
}
