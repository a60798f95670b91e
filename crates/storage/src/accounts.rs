//! Accounts, their credentials and web sessions.
//!
//! - Stream `account` (id = the account id, `u:` and 16 hex digits): `created`,
//!   `password_changed`, `disabled`, `enabled`, `signed_in`, `signed_out`; projection
//!   `accounts`, written in the same transaction and carrying the stream version.
//! - `account_credentials` holds the Argon2id PHC string of each account's password. It is
//!   deliberately not event-sourced: the log is append-only forever, and a replaced password
//!   hash must really go. Events say only that a password was set.
//! - `sessions` holds web sessions by the SHA-256 of their token (the token itself is never
//!   stored), with the CSRF token of the session and its two expiry instants. Ephemeral.
//!
//! The store checks versions and keys only; who may create or change an account, password
//! rules and hashing belong to `motcua-service`.

use chrono::{DateTime, Utc};
use motcua_domain::authz::{Principal, Scope};
use motcua_domain::dossier::Dossier;
use motcua_domain::event::{Actor, Channel, EventMeta, Role};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;

use crate::error::is_unique_violation;
use crate::{StoreError, StoreResult, Tx, events, on_pool, on_tx};

/// Stream type of account events (id = the account id).
pub const STREAM: &str = "account";

/// What kind of person an account belongs to; it fixes the shape of the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A citizen; the login is the 12-digit personal identification number.
    Citizen,
    /// A business or organisation; the login is its tax code.
    Business,
    /// A civil servant or administrator; the login is a chosen login name.
    Staff,
}

impl AccountKind {
    /// Stable identifier stored in the projection.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Citizen => "citizen",
            AccountKind::Business => "business",
            AccountKind::Staff => "staff",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<AccountKind> {
        Some(match s {
            "citizen" => AccountKind::Citizen,
            "business" => AccountKind::Business,
            "staff" => AccountKind::Staff,
            _ => return None,
        })
    }
}

/// An account as the projection stores it.
///
/// `Debug` leaves out the login, name and phone: a citizen's login is their personal
/// identification number, and a `{:?}` must never carry it into a log.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// `u:` followed by 16 hex digits; what the log records as the actor id.
    pub id: String,
    /// Citizen, business or staff.
    pub kind: AccountKind,
    /// Personal ID, tax code or login name (unique).
    pub login: String,
    /// Full name of the person or organisation.
    pub name: String,
    /// Phone number, if given.
    pub phone: Option<String>,
    /// The one role the account holds.
    pub role: Role,
    /// Agency identifier code the role applies to (staff other than inspectors and system
    /// administrators).
    pub agency: Option<String>,
    /// Unit code the role applies to (inspectors).
    pub unit: Option<String>,
    /// Electronic identification level (Decree 69/2024/NĐ-CP): 1 for a self-registered
    /// citizen, 0 for accounts not tied to the national e-ID.
    pub eid_level: i32,
    /// A disabled account cannot sign in and has no sessions.
    pub disabled: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// Version of the account's stream.
    pub version: i64,
}

impl std::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("role", &self.role)
            .field("agency", &self.agency)
            .field("unit", &self.unit)
            .field("disabled", &self.disabled)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl AccountRow {
    /// Where the account's role applies: its own dossiers (citizens, businesses), its
    /// agency, its unit (inspectors) or everywhere (system administrators).
    pub fn principal(&self) -> Principal {
        let scope = match (self.kind, self.role) {
            (AccountKind::Citizen | AccountKind::Business, _) => {
                Scope::Applicant(self.login.clone())
            }
            (_, Role::SystemAdmin | Role::System) => Scope::Everywhere,
            (_, Role::Inspector) => self.unit.clone().map_or(Scope::Nowhere, Scope::Unit),
            _ => self.agency.clone().map_or(Scope::Nowhere, Scope::Agency),
        };
        Principal::new(self.role, scope)
    }

    /// The account as the log records an actor: its id, role and agency — never its login.
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.id.clone(),
            role: self.role,
            agency: self.agency.clone(),
        }
    }

    /// The channel its actions come through: online for applicants, the one-stop desk and
    /// back office for staff.
    pub fn channel(&self) -> Channel {
        match self.kind {
            AccountKind::Citizen | AccountKind::Business => Channel::Online,
            AccountKind::Staff => Channel::Desk,
        }
    }

    /// Whether this is a staff account (any role other than citizen and business).
    pub fn is_staff(&self) -> bool {
        self.kind == AccountKind::Staff
    }

    /// The applicant number dossiers record for this account (citizens and businesses).
    pub fn applicant_number(&self) -> Option<&str> {
        match self.kind {
            AccountKind::Citizen | AccountKind::Business => Some(&self.login),
            AccountKind::Staff => None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    login: String,
    name: String,
    phone: Option<String>,
    role: String,
    agency: Option<String>,
    unit: Option<String>,
    eid_level: i32,
    disabled: bool,
    created_at: DateTime<Utc>,
    version: i64,
}

impl Row {
    fn into_account(self) -> StoreResult<AccountRow> {
        let kind = AccountKind::parse(&self.kind).ok_or_else(|| {
            StoreError::Corrupt(format!("account {}: unknown kind {}", self.id, self.kind))
        })?;
        let role = Role::parse(&self.role).ok_or_else(|| {
            StoreError::Corrupt(format!("account {}: unknown role {}", self.id, self.role))
        })?;
        Ok(AccountRow {
            id: self.id,
            kind,
            login: self.login,
            name: self.name,
            phone: self.phone,
            role,
            agency: self.agency,
            unit: self.unit,
            eid_level: self.eid_level,
            disabled: self.disabled,
            created_at: self.created_at,
            version: self.version,
        })
    }
}

const COLUMNS: &str = "id, kind, login, name, phone, role, agency, unit, eid_level, disabled, \
     created_at, version";

/// A web session as stored. `Debug` leaves out the CSRF token.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// Hex SHA-256 of the session token (the token is only in the browser's cookie).
    pub token_hash: String,
    /// The signed-in account.
    pub account_id: String,
    /// The session's CSRF token, embedded in its forms.
    pub csrf_token: String,
    /// When the session was opened.
    pub created_at: DateTime<Utc>,
    /// Last time it was used (updated at most once a minute).
    pub last_seen_at: DateTime<Utc>,
    /// Idle lifetime in seconds: unused that long, the session ends.
    pub idle_seconds: i64,
    /// `last_seen_at` + idle lifetime.
    pub idle_expires_at: DateTime<Utc>,
    /// Absolute end, however busy the session is.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for SessionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRow")
            .field("account_id", &self.account_id)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .field("idle_expires_at", &self.idle_expires_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A session's columns and its account's, as [`crate::Store::find_session`] reads them.
#[derive(sqlx::FromRow)]
struct SessionJoin {
    token_hash: String,
    account_id: String,
    csrf_token: String,
    session_created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    idle_seconds: i64,
    idle_expires_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    #[sqlx(flatten)]
    account: Row,
}

const SESSION_COLUMNS: &str = "token_hash, account_id, csrf_token, created_at, last_seen_at, \
     idle_seconds, idle_expires_at, expires_at";

/// The taken-login error, without the login itself (it may be a personal ID).
fn login_taken() -> StoreError {
    StoreError::Duplicate {
        what: "tên đăng nhập / login".into(),
    }
}

fn account_not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        what: format!("tài khoản / account {id}"),
    }
}

/// Bumps the projection's version from `expected` to `expected + 1` (setting `disabled` when
/// given) and appends one event: the write path of every change after creation. [`StoreError::Conflict`] or [`StoreError::NotFound`] when the
/// account is not at `expected`.
async fn change(
    tx: &mut Tx,
    id: &str,
    expected: i64,
    kind: &str,
    payload: Value,
    disabled: Option<bool>,
    meta: &EventMeta,
) -> StoreResult<i64> {
    const BUMP: &str = "UPDATE accounts SET version = $2, disabled = COALESCE($3, disabled) \
         WHERE id = $1 AND version = $4";
    let version = expected + 1;
    let affected = on_tx!(tx, conn => {
        sqlx::query(BUMP).bind(id).bind(version).bind(disabled).bind(expected)
            .execute(conn).await?.rows_affected()
    });
    if affected == 0 {
        const CURRENT: &str = "SELECT version FROM accounts WHERE id = $1";
        let actual: Option<i64> = on_tx!(tx, conn => {
            sqlx::query_scalar(CURRENT).bind(id).fetch_optional(conn).await?
        });
        return Err(match actual {
            None => account_not_found(id),
            Some(actual) => StoreError::Conflict {
                what: format!("tài khoản / account {id}"),
                expected,
                actual,
            },
        });
    }
    events::append_unchecked(tx, STREAM, id, expected, &[(kind, payload)], meta).await
}

/// Reads an account inside a write transaction (authorization of a change made in it).
pub async fn find_in(tx: &mut Tx, id: &str) -> StoreResult<Option<AccountRow>> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
    let row: Option<Row> = on_tx!(tx, conn => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?
    });
    row.map(Row::into_account).transpose()
}

/// The applicant who filed the most dossiers of a kind (`person` or `organisation`), with
/// the name on their latest dossier and their number of dossiers: for demo accounts that
/// own real demo dossiers.
#[derive(Clone, PartialEq, Eq)]
pub struct FrequentApplicant {
    /// Personal ID or tax code, as dossiers record it.
    pub number: String,
    /// Name on the latest of their dossiers.
    pub name: String,
    /// Phone on that dossier.
    pub phone: Option<String>,
    /// How many dossiers they filed.
    pub dossiers: i64,
}

impl std::fmt::Debug for FrequentApplicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrequentApplicant")
            .field("dossiers", &self.dossiers)
            .finish_non_exhaustive()
    }
}

impl crate::Store {
    /// Creates an account with its password hash: the projection row, the credentials and
    /// the `created` event, in one transaction. A taken login (or id) is
    /// [`StoreError::Duplicate`]; `row.version` must be 1.
    pub async fn create_account(
        &self,
        row: &AccountRow,
        password_hash: &str,
        meta: &EventMeta,
    ) -> StoreResult<()> {
        const INSERT: &str = "INSERT INTO accounts (id, kind, login, name, phone, role, agency, \
             unit, eid_level, disabled, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)";
        const CREDENTIALS: &str = "INSERT INTO account_credentials (account_id, password_hash, \
             changed_at) VALUES ($1, $2, $3)";
        let mut tx = self.begin().await?;
        // The row first: its unique login turns a taken login into a clear Duplicate.
        let inserted = on_tx!(&mut tx, conn => {
            sqlx::query(INSERT)
                .bind(&row.id)
                .bind(row.kind.as_str())
                .bind(&row.login)
                .bind(&row.name)
                .bind(&row.phone)
                .bind(row.role.as_str())
                .bind(&row.agency)
                .bind(&row.unit)
                .bind(row.eid_level)
                .bind(row.disabled)
                .bind(row.created_at)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
        });
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(login_taken()),
            Err(e) => return Err(e.into()),
        }
        on_tx!(&mut tx, conn => {
            sqlx::query(CREDENTIALS).bind(&row.id).bind(password_hash).bind(row.created_at)
                .execute(conn).await?;
        });
        let payload = json!({
            "kind": row.kind,
            "login": row.login,
            "name": row.name,
            "phone": row.phone,
            "role": row.role,
            "agency": row.agency,
            "unit": row.unit,
            "eid_level": row.eid_level,
        });
        events::append_unchecked(&mut tx, STREAM, &row.id, 0, &[("created", payload)], meta)
            .await?;
        tx.commit().await
    }

    /// The account with this id.
    pub async fn find_account(&self, id: &str) -> StoreResult<Option<AccountRow>> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
        });
        row.map(Row::into_account).transpose()
    }

    /// The account with this login (personal ID, tax code or login name, exactly).
    pub async fn find_account_by_login(&self, login: &str) -> StoreResult<Option<AccountRow>> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE login = $1");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(login).fetch_optional(pool).await?
        });
        row.map(Row::into_account).transpose()
    }

    /// Accounts, all or those of one agency, by login.
    pub async fn list_accounts(&self, agency: Option<&str>) -> StoreResult<Vec<AccountRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM accounts WHERE ($1 IS NULL OR agency = $1) ORDER BY login"
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(agency).fetch_all(pool).await?
        });
        rows.into_iter().map(Row::into_account).collect()
    }

    /// The stored password hash (PHC string) of an account.
    pub async fn password_hash(&self, account_id: &str) -> StoreResult<Option<String>> {
        const SQL: &str = "SELECT password_hash FROM account_credentials WHERE account_id = $1";
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(account_id).fetch_optional(pool).await?
        }))
    }

    /// Replaces an account's password hash at the stream version the caller read, records
    /// `password_changed` (without the hash) and ends the account's sessions except
    /// `keep_session` (a token hash). Returns the new version.
    pub async fn set_password(
        &self,
        id: &str,
        expected_version: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        meta: &EventMeta,
    ) -> StoreResult<i64> {
        const UPDATE: &str = "UPDATE account_credentials SET password_hash = $2, changed_at = $3 WHERE account_id = $1";
        const END_SESSIONS: &str =
            "DELETE FROM sessions WHERE account_id = $1 AND ($2 IS NULL OR token_hash <> $2)";
        let mut tx = self.begin().await?;
        let version = change(
            &mut tx,
            id,
            expected_version,
            "password_changed",
            json!({}),
            None,
            meta,
        )
        .await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(UPDATE).bind(id).bind(password_hash).bind(meta.at)
                .execute(&mut *conn).await?;
            sqlx::query(END_SESSIONS).bind(id).bind(keep_session).execute(&mut *conn).await?;
        });
        tx.commit().await?;
        Ok(version)
    }

    /// Disables (ending every session) or enables an account at the stream version the
    /// caller read. Returns the new version.
    pub async fn set_account_disabled(
        &self,
        id: &str,
        disabled: bool,
        expected_version: i64,
        meta: &EventMeta,
    ) -> StoreResult<i64> {
        const END_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1";
        let kind = if disabled { "disabled" } else { "enabled" };
        let mut tx = self.begin().await?;
        let version = change(
            &mut tx,
            id,
            expected_version,
            kind,
            json!({}),
            Some(disabled),
            meta,
        )
        .await?;
        if disabled {
            on_tx!(&mut tx, conn => {
                sqlx::query(END_SESSIONS).bind(id).execute(conn).await?;
            });
        }
        tx.commit().await?;
        Ok(version)
    }

    /// Opens a session and records `signed_in` on the account's stream (the channel and
    /// request id are in `meta`), in one transaction. Returns the account's new version.
    pub async fn open_session(&self, session: &SessionRow, meta: &EventMeta) -> StoreResult<i64> {
        const CURRENT: &str = "SELECT version FROM accounts WHERE id = $1";
        let insert = format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        );
        let mut tx = self.begin().await?;
        let current: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(CURRENT).bind(&session.account_id).fetch_optional(conn).await?
        });
        let current = current.ok_or_else(|| account_not_found(&session.account_id))?;
        let version = change(
            &mut tx,
            &session.account_id,
            current,
            "signed_in",
            json!({}),
            None,
            meta,
        )
        .await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(sqlx::AssertSqlSafe(insert))
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

    /// Ends a session on request of its account: deletes it and records `signed_out`.
    /// Returns whether there was such a session.
    pub async fn close_session(&self, token_hash: &str, meta: &EventMeta) -> StoreResult<bool> {
        const DELETE: &str = "DELETE FROM sessions WHERE token_hash = $1 RETURNING account_id";
        const CURRENT: &str = "SELECT version FROM accounts WHERE id = $1";
        let mut tx = self.begin().await?;
        let account: Option<String> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(DELETE).bind(token_hash).fetch_optional(conn).await?
        });
        let Some(account) = account else {
            return Ok(false);
        };
        let current: i64 = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(CURRENT).bind(&account).fetch_one(conn).await?
        });
        change(
            &mut tx,
            &account,
            current,
            "signed_out",
            json!({}),
            None,
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The session with this token hash and its account, expired or not (the caller
    /// compares the instants with its clock).
    pub async fn find_session(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(SessionRow, AccountRow)>> {
        // One statement for both rows: every signed-in page asks this first.
        const SQL: &str = "SELECT s.token_hash, s.account_id, s.csrf_token, \
             s.created_at AS session_created_at, s.last_seen_at, s.idle_seconds, \
             s.idle_expires_at, s.expires_at, a.id, a.kind, a.login, a.name, a.phone, a.role, \
             a.agency, a.unit, a.eid_level, a.disabled, a.created_at, a.version \
             FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1";
        let found: Option<SessionJoin> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(token_hash).fetch_optional(pool).await?
        });
        let Some(found) = found else {
            return Ok(None);
        };
        let session = SessionRow {
            token_hash: found.token_hash,
            account_id: found.account_id,
            csrf_token: found.csrf_token,
            created_at: found.session_created_at,
            last_seen_at: found.last_seen_at,
            idle_seconds: found.idle_seconds,
            idle_expires_at: found.idle_expires_at,
            expires_at: found.expires_at,
        };
        Ok(Some((session, found.account.into_account()?)))
    }

    /// Records that a session was used at `at`, moving its idle expiry forward.
    pub async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 \
             WHERE token_hash = $1";
        const IDLE: &str = "SELECT idle_seconds FROM sessions WHERE token_hash = $1";
        let mut tx = self.begin().await?;
        let idle: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(IDLE).bind(token_hash).fetch_optional(conn).await?
        });
        if let Some(idle) = idle {
            let idle_expires_at = at + chrono::TimeDelta::seconds(idle);
            on_tx!(&mut tx, conn => {
                sqlx::query(SQL).bind(token_hash).bind(at).bind(idle_expires_at)
                    .execute(conn).await?;
            });
        }
        tx.commit().await
    }

    /// Deletes one session without an event (it expired; nobody acted).
    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        const SQL: &str = "DELETE FROM sessions WHERE token_hash = $1";
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => {
            sqlx::query(SQL).bind(token_hash).execute(conn).await?;
        });
        tx.commit().await
    }

    /// Deletes every session expired at `now` (idle or absolute); returns how many.
    pub async fn purge_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        const SQL: &str = "DELETE FROM sessions WHERE expires_at <= $1 OR idle_expires_at <= $1";
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, conn => {
            sqlx::query(SQL).bind(now).execute(conn).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(n)
    }

    /// Number of open (possibly expired, not yet purged) sessions of an account.
    pub async fn count_sessions(&self, account_id: &str) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM sessions WHERE account_id = $1";
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(SQL).bind(account_id).fetch_one(pool).await?
        }))
    }

    /// The applicant of `kind` (`person` or `organisation`) with the most dossiers, if any
    /// dossier exists: demo accounts sign in as someone who really filed demo dossiers.
    pub async fn frequent_applicant(&self, kind: &str) -> StoreResult<Option<FrequentApplicant>> {
        const TOP: &str = "SELECT applicant_number, COUNT(*) AS n FROM dossiers \
             WHERE applicant_kind = $1 GROUP BY applicant_number \
             ORDER BY n DESC, applicant_number LIMIT 1";
        const LATEST: &str = "SELECT state FROM dossiers WHERE applicant_kind = $1 \
             AND applicant_number = $2 ORDER BY submitted_at DESC, code DESC LIMIT 1";
        let top: Option<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(TOP).bind(kind).fetch_optional(pool).await?
        });
        let Some((number, dossiers)) = top else {
            return Ok(None);
        };
        let state: Option<Json<Dossier>> = on_pool!(self, pool => {
            sqlx::query_scalar(LATEST).bind(kind).bind(&number).fetch_optional(pool).await?
        });
        Ok(state.map(|s| {
            let applicant = &s.0.submission.applicant;
            FrequentApplicant {
                number,
                name: applicant.name.clone(),
                phone: applicant.phone.clone(),
                dossiers,
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in [
            AccountKind::Citizen,
            AccountKind::Business,
            AccountKind::Staff,
        ] {
            assert_eq!(AccountKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AccountKind::parse("robot"), None);
    }
}
