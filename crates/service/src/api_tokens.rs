//! API tokens for machine clients (issue "web application", §3).
//!
//! A token acts for **one agency** in **one staff role** of that agency, and only through
//! the **scopes** it was granted ([`ApiScope`]): what it may do is what that role may do in
//! that agency ([`motcua_domain::authz`]) *and* what its scopes cover. Agency administrators
//! issue and revoke tokens of their agency, system administrators of any agency
//! ([`Action::ManageApiTokens`]).
//!
//! - The secret (`mct_` and 64 hex digits, 256 bits) is returned once, at creation; the
//!   store keeps only its SHA-256. [`ApiTokenSecret`]'s `Debug` hides it and nothing logs it.
//! - Every token expires (at most [`MAX_VALID_DAYS`] days after creation); revoked and
//!   expired tokens authenticate nothing.
//! - Creation and revocation are events of stream `api_token`, recorded as the administrator
//!   who did them. Use is recorded as the token's last use (at most once a minute), not as an
//!   event per request; what a token *changes* is recorded as any change is, with the
//!   token's id as the actor and channel `api`.

use chrono::{DateTime, TimeDelta, Utc};
use motcua_domain::authz::{Action, Principal, Scope, Target};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_storage::StoreError;
use motcua_storage::api_tokens::ApiTokenRow;

use crate::accounts::{authorize, random_token, secret_hash};
use crate::{Acting, ServiceError, ServiceResult, Services};

/// What every token secret starts with, so leaked secrets are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "mct_";

/// Longest validity of a token, in days.
pub const MAX_VALID_DAYS: i64 = 366;

/// Longest token name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A token's last use is written at most this often (SQLite has one writer).
const TOUCH_EVERY: TimeDelta = TimeDelta::seconds(60);

/// What part of the API a token may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiScope {
    /// Read dossiers and their history (`dossiers:read`).
    DossiersRead,
    /// Submit, receive and process dossiers (`dossiers:write`).
    DossiersWrite,
    /// Read the procedure catalogue (`catalog:read`).
    CatalogRead,
    /// Read statistics (`statistics:read`).
    StatisticsRead,
    /// Import figures computed elsewhere (`statistics:write`).
    StatisticsWrite,
    /// Read steering meetings and documents, tasks, their figures and their notifications
    /// (`tasks:read`).
    TasksRead,
    /// Record steering, assign tasks, report on and decide them, manage their notifications
    /// (`tasks:write`).
    TasksWrite,
}

impl ApiScope {
    /// Every scope, in display order.
    pub const ALL: [ApiScope; 7] = [
        ApiScope::DossiersRead,
        ApiScope::DossiersWrite,
        ApiScope::CatalogRead,
        ApiScope::StatisticsRead,
        ApiScope::StatisticsWrite,
        ApiScope::TasksRead,
        ApiScope::TasksWrite,
    ];

    /// The scope's name, as tokens carry it and handlers require it.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::DossiersRead => "dossiers:read",
            ApiScope::DossiersWrite => "dossiers:write",
            ApiScope::CatalogRead => "catalog:read",
            ApiScope::StatisticsRead => "statistics:read",
            ApiScope::StatisticsWrite => "statistics:write",
            ApiScope::TasksRead => "tasks:read",
            ApiScope::TasksWrite => "tasks:write",
        }
    }

    /// Parses a scope's name; anything else is `None`.
    pub fn parse(name: &str) -> Option<ApiScope> {
        ApiScope::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for ApiScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles a token may act in: the staff roles that belong to one agency.
pub const TOKEN_ROLES: [Role; 4] = [
    Role::DeskOfficer,
    Role::Specialist,
    Role::Leader,
    Role::AgencyAdmin,
];

/// A token to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// Identifier code of the agency it acts for.
    pub agency: String,
    /// The staff role it acts in ([`TOKEN_ROLES`]).
    pub role: Role,
    /// What it is for (1–100 characters).
    pub name: String,
    /// The scopes it is granted (at least one).
    pub scopes: Vec<ApiScope>,
    /// Days until it expires (1–[`MAX_VALID_DAYS`]).
    pub valid_days: i64,
}

/// A token's secret, shown once. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiTokenSecret(String);

impl ApiTokenSecret {
    /// The secret, for the one page that shows it and for `Authorization: Bearer`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiTokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiTokenSecret(***)")
    }
}

/// An issued token (without its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// `t:` and 16 hex digits: the actor id of what it does.
    pub id: String,
    /// The agency it acts for.
    pub agency: String,
    /// The staff role it acts in.
    pub role: Role,
    /// What it is for.
    pub name: String,
    /// The scopes it was granted.
    pub scopes: Vec<ApiScope>,
    /// Account id of its creator.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Last time it was used (at most a minute stale).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Version of its stream.
    pub version: i64,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> ApiToken {
        ApiToken {
            id: r.id,
            agency: r.agency,
            role: r.role,
            name: r.name,
            // Unknown names (a scope removed in a later version) grant nothing.
            scopes: r.scopes.iter().filter_map(|s| ApiScope::parse(s)).collect(),
            created_by: r.created_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
            version: r.version,
        }
    }
}

impl ApiToken {
    /// Whether the token authenticates requests at `now`: not revoked, not expired.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    /// Whether the token was granted `scope`.
    pub fn has_scope(&self, scope: ApiScope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The token as the log records an actor: its id, its role and its agency.
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.id.clone(),
            role: self.role,
            agency: Some(self.agency.clone()),
        }
    }

    /// What the token does in one request: recorded as the token, through the API channel.
    pub fn acting(&self, request_id: Option<String>) -> Acting {
        Acting {
            actor: self.actor(),
            channel: Channel::Api,
            request_id,
        }
    }

    /// Where the token's role applies: its agency.
    pub fn principal(&self) -> Principal {
        Principal::new(self.role, Scope::Agency(self.agency.clone()))
    }
}

/// Checks a new token's fields; the messages name the field, Vietnamese then English.
fn check(new: &NewApiToken) -> Result<(), ServiceError> {
    let mut problems = Vec::new();
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        problems.push(format!(
            "name: tên khóa phải có 1–{MAX_NAME_CHARS} ký tự / the token name must have 1–{MAX_NAME_CHARS} characters"
        ));
    }
    if !TOKEN_ROLES.contains(&new.role) {
        problems.push(
            "role: khóa API chỉ mang vai trò cán bộ của một cơ quan / an API token acts only in a staff role of one agency"
                .to_owned(),
        );
    }
    if new.scopes.is_empty() {
        problems
            .push("scopes: hãy chọn ít nhất một phạm vi / choose at least one scope".to_owned());
    }
    if !(1..=MAX_VALID_DAYS).contains(&new.valid_days) {
        problems.push(format!(
            "valid_days: thời hạn phải từ 1 đến {MAX_VALID_DAYS} ngày / the validity must be 1 to {MAX_VALID_DAYS} days"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(problems.join("; ")))
    }
}

impl Services {
    /// Issues a token for `new.agency`; the secret is returned once and never again.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] unless `acting` may manage that agency's tokens;
    /// [`ServiceError::Invalid`] naming each wrong field or an unknown agency.
    #[tracing::instrument(skip_all, fields(api_token.id, agency = %new.agency))]
    pub async fn create_api_token(
        &self,
        acting: &Acting,
        new: NewApiToken,
    ) -> ServiceResult<(ApiTokenSecret, ApiToken)> {
        let principal = self.principal(acting).await?;
        authorize(
            &principal,
            Action::ManageApiTokens,
            &Target::agency(&new.agency),
        )?;
        check(&new)?;
        if self.store().find_agency(&new.agency).await?.is_none() {
            return Err(ServiceError::Invalid(format!(
                "agency: cơ quan {} chưa được đăng ký / agency {} is not registered",
                new.agency, new.agency
            )));
        }
        let secret = format!("{TOKEN_PREFIX}{}", random_token()?);
        let id = format!("t:{}", &random_token()?[..16]);
        let mut scopes = new.scopes.clone();
        scopes.sort();
        scopes.dedup();
        let meta = self.meta(acting);
        let row = ApiTokenRow {
            id,
            token_hash: secret_hash(&secret),
            agency: new.agency.clone(),
            role: new.role,
            name: new.name.trim().to_owned(),
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_by: acting.actor.id.clone(),
            created_at: meta.at,
            expires_at: meta.at + TimeDelta::days(new.valid_days),
            revoked_at: None,
            last_used_at: None,
            version: 1,
        };
        self.store().create_api_token(&row, &meta).await?;
        tracing::Span::current().record("api_token.id", row.id.as_str());
        tracing::info!(api_token.role = row.role.as_str(), "API token created");
        Ok((ApiTokenSecret(secret), row.into()))
    }

    /// Revokes a token (at once: its next request is refused).
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] unless `acting` may manage the token's agency's tokens;
    /// [`ServiceError::Refused`] when it is already revoked; an unknown id as
    /// [`StoreError::NotFound`].
    #[tracing::instrument(skip_all, fields(api_token.id = %id))]
    pub async fn revoke_api_token(&self, acting: &Acting, id: &str) -> ServiceResult<ApiToken> {
        let token: ApiToken = self
            .store()
            .find_api_token(id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("khóa API / API token {id}"),
            })?
            .into();
        authorize(
            &self.principal(acting).await?,
            Action::ManageApiTokens,
            &Target::agency(&token.agency),
        )?;
        if token.revoked_at.is_some() {
            return Err(ServiceError::Refused(
                "khóa API này đã bị thu hồi / this API token is already revoked".into(),
            ));
        }
        let meta = self.meta(acting);
        let version = self
            .store()
            .revoke_api_token(id, token.version, &meta)
            .await?;
        tracing::info!("API token revoked");
        Ok(ApiToken {
            revoked_at: Some(meta.at),
            version,
            ..token
        })
    }

    /// The tokens of one agency (its administrators) or of all agencies (system
    /// administrators, `None`), newest first.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] without the right.
    pub async fn list_api_tokens(
        &self,
        acting: &Acting,
        agency: Option<&str>,
    ) -> ServiceResult<Vec<ApiToken>> {
        let target = agency.map_or(Target::INSTALLATION, Target::agency);
        authorize(
            &self.principal(acting).await?,
            Action::ManageApiTokens,
            &target,
        )?;
        let rows = self.store().list_api_tokens(agency).await?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    /// The live token whose secret is `secret` (as sent in `Authorization: Bearer`): `None`
    /// when unknown, revoked or expired. Records its last use at most once a minute.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn authenticate_api_token(&self, secret: &str) -> ServiceResult<Option<ApiToken>> {
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 128 {
            return Ok(None);
        }
        let Some(row) = self
            .store()
            .find_api_token_by_hash(&secret_hash(secret))
            .await?
        else {
            tracing::debug!(reason = "unknown", "API token refused");
            return Ok(None);
        };
        let mut token = ApiToken::from(row);
        let now = self.now();
        if !token.is_live(now) {
            tracing::debug!(
                api_token.id = %token.id,
                reason = if token.revoked_at.is_some() { "revoked" } else { "expired" },
                "API token refused"
            );
            return Ok(None);
        }
        if token.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY) {
            self.store().touch_api_token(&token.id, now).await?;
            token.last_used_at = Some(now);
        }
        Ok(Some(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_by_name() {
        for scope in ApiScope::ALL {
            assert_eq!(ApiScope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(ApiScope::parse("dossiers:delete"), None);
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let secret = ApiTokenSecret(format!("{TOKEN_PREFIX}abc"));
        assert_eq!(format!("{secret:?}"), "ApiTokenSecret(***)");
    }

    #[test]
    fn new_tokens_are_checked_field_by_field() {
        let bad = NewApiToken {
            agency: "000.00.10.H05".into(),
            role: Role::Inspector,
            name: " ".into(),
            scopes: Vec::new(),
            valid_days: 0,
        };
        let message = check(&bad).unwrap_err().to_string();
        for field in ["name:", "role:", "scopes:", "valid_days:"] {
            assert!(message.contains(field), "{message}");
        }
    }
}
