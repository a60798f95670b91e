//! Accounts, passwords and sessions (issue "Accounts, roles, security").
//!
//! - **Accounts**: citizens (login = 12-digit personal identification number, e-ID level 1),
//!   businesses (login = tax code) and staff (login name, one role, scoped to an agency or,
//!   for inspectors, a unit). Event-sourced on stream `account`; the password hash is kept
//!   apart from the log (see `motcua_storage::accounts`).
//! - **Passwords**: Argon2id with the crate's defaults (19 MiB, 2 passes — the OWASP
//!   recommendation), as PHC strings, hashed and verified on the blocking pool. A refused
//!   sign-in never says whether the login or the password was wrong.
//! - **Sessions**: a random 256-bit token in the browser's cookie; the store keeps only its
//!   SHA-256, the account, a CSRF token and two expiry instants ([`SessionPolicy`]). Sign-in
//!   and sign-out are events of the account (who, when, channel; never the password).
//! - **Who is acting**: a session gives the [`Acting`] recorded in the log and the
//!   [`Principal`] that authorization checks (the applicant number of a citizen, the unit of
//!   an inspector).
//!
//! Nothing here logs a login, a name, a password or a token.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use motcua_domain::authz::{self, Action, Principal, Target};
use motcua_domain::dossier::Dossier;
use motcua_domain::event::{Actor, Channel, EventMeta, Role};
use motcua_domain::ids::{PersonalId, TaxCode, tax_check_digit};
use motcua_domain::units::{AgencyCode, UnitCode};
use motcua_storage::accounts::{self as store_accounts, AccountRow, SessionRow};
use motcua_storage::{StoreError, Tx};
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::{Acting, ServiceError, ServiceResult, Services};

pub use motcua_storage::accounts::AccountKind;

/// Vietnam's offset: "today" on the map of units is the local date.
const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted, in characters (hashing cost must stay bounded).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A session's last use is written at most this often: every request would otherwise be a
/// write, and SQLite has one writer.
const TOUCH_EVERY: TimeDelta = TimeDelta::seconds(60);

/// The one answer to a refused sign-in, whichever part was wrong.
pub const BAD_CREDENTIALS: &str = "số định danh, mã số thuế hoặc tên đăng nhập, hoặc mật khẩu không đúng / \
     the login or the password is incorrect";

// ---------------------------------------------------------------------------------------
// Values.

/// A password as typed. `Debug` never shows it; nothing logs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a typed password.
    pub fn new(text: impl Into<String>) -> Password {
        Password(text.into())
    }

    /// The password's text, for hashing and checks.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Password {
        Password(s.to_owned())
    }
}

impl From<String> for Password {
    fn from(s: String) -> Password {
        Password(s)
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Password)
    }
}

/// An account: the projection's row, with what the service derives from it
/// (`principal`, `actor`, `channel`…, defined beside the row in `motcua-storage`).
pub use motcua_storage::accounts::AccountRow as Account;

impl Acting {
    /// What `account` does in one request: recorded as the account's actor, through its
    /// channel, with the request's correlation id.
    pub fn for_account(account: &Account, request_id: Option<String>) -> Acting {
        Acting {
            actor: account.actor(),
            channel: account.channel(),
            request_id,
        }
    }
}

/// A field-level problem with a form, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field to blame (`personal_id`, `tax_code`, `login`, `name`, `phone`,
    /// `password`, `role`, `agency`, `unit`).
    pub field: &'static str,
    /// The message in Vietnamese.
    pub vi: String,
    /// The message in English.
    pub en: String,
}

impl FieldError {
    fn new(field: &'static str, vi: impl Into<String>, en: impl Into<String>) -> FieldError {
        FieldError {
            field,
            vi: vi.into(),
            en: en.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.vi, self.en)
    }
}

fn invalid_fields(errors: &[FieldError]) -> ServiceError {
    ServiceError::Invalid(
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// A new account, as a form or an administrator gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewAccount {
    /// A citizen (e-ID level 1).
    Citizen {
        /// The 12-digit personal identification number (the login).
        personal_id: String,
        /// Full name.
        name: String,
        /// Phone number, optional.
        phone: Option<String>,
        /// Password.
        password: Password,
    },
    /// A business or organisation.
    Business {
        /// Its tax code (the login).
        tax_code: String,
        /// Its name.
        name: String,
        /// Phone number, optional.
        phone: Option<String>,
        /// Password.
        password: Password,
    },
    /// A civil servant or administrator.
    Staff {
        /// Login name: 3–64 of `a-z 0-9 . _ -`, with at least one letter.
        login: String,
        /// Full name.
        name: String,
        /// Phone number, optional.
        phone: Option<String>,
        /// One of desk officer, specialist, leader, agency administrator (all with
        /// `agency`), inspector (with `unit`) or system administrator (neither).
        role: Role,
        /// Agency identifier code, e.g. `000.00.10.H05`.
        agency: Option<String>,
        /// Unit code, e.g. `24`.
        unit: Option<String>,
        /// Password.
        password: Password,
    },
}

/// An account checked by [`check_new_account`], normalised.
struct Checked {
    kind: AccountKind,
    login: String,
    name: String,
    phone: Option<String>,
    role: Role,
    agency: Option<String>,
    unit: Option<String>,
    eid_level: i32,
}

/// Checks a new account's fields, all of them, so a form can show every problem at once.
/// The messages name the field, in Vietnamese then English.
pub fn check_new_account(new: &NewAccount) -> Vec<FieldError> {
    match checked(new) {
        Ok(_) => Vec::new(),
        Err(errors) => errors,
    }
}

fn checked(new: &NewAccount) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let (kind, login, name, phone, password, role, agency, unit) = match new {
        NewAccount::Citizen {
            personal_id,
            name,
            phone,
            password,
        } => {
            let login = match personal_id.trim().parse::<PersonalId>() {
                Ok(id) => id.to_string(),
                Err(e) => {
                    errors.push(FieldError::new(
                        "personal_id",
                        format!("số định danh cá nhân không hợp lệ: {}", vi_part(&e)),
                        format!(
                            "the personal identification number is invalid: {}",
                            en_part(&e)
                        ),
                    ));
                    String::new()
                }
            };
            let role = Role::Citizen;
            (
                AccountKind::Citizen,
                login,
                name,
                phone,
                password,
                role,
                None,
                None,
            )
        }
        NewAccount::Business {
            tax_code,
            name,
            phone,
            password,
        } => {
            let login = match tax_code.trim().parse::<TaxCode>() {
                Ok(t) => t.to_string(),
                Err(e) => {
                    errors.push(FieldError::new(
                        "tax_code",
                        format!("mã số thuế không hợp lệ: {}", vi_part(&e)),
                        format!("the tax code is invalid: {}", en_part(&e)),
                    ));
                    String::new()
                }
            };
            let role = Role::Business;
            (
                AccountKind::Business,
                login,
                name,
                phone,
                password,
                role,
                None,
                None,
            )
        }
        NewAccount::Staff {
            login,
            name,
            phone,
            role,
            agency,
            unit,
            password,
        } => {
            let login = login.trim().to_lowercase();
            if !is_staff_login(&login) {
                errors.push(FieldError::new(
                    "login",
                    "tên đăng nhập phải dài 3–64 ký tự, gồm chữ thường không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang, và có ít nhất một chữ cái",
                    "the login name must be 3–64 characters of a–z, 0–9, '.', '_' or '-', with at least one letter",
                ));
            }
            let agency = agency.as_deref().map(str::trim).filter(|a| !a.is_empty());
            let unit = unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
            let (needs_agency, needs_unit) = match role {
                Role::DeskOfficer | Role::Specialist | Role::Leader | Role::AgencyAdmin => {
                    (true, false)
                }
                Role::Inspector => (false, true),
                Role::SystemAdmin => (false, false),
                Role::Citizen | Role::Business | Role::System => {
                    errors.push(FieldError::new(
                        "role",
                        format!("vai trò {} không dành cho tài khoản cán bộ", role.as_str()),
                        format!("role {} is not a staff role", role.as_str()),
                    ));
                    (false, false)
                }
            };
            let agency = staff_scope(
                &mut errors,
                needs_agency,
                agency,
                ScopeMessages {
                    field: "agency",
                    missing: (
                        "vai trò này cần mã cơ quan",
                        "this role needs an agency code",
                    ),
                    invalid: ("mã cơ quan không hợp lệ", "the agency code is invalid"),
                    unexpected: (
                        "vai trò này không gắn với một cơ quan",
                        "this role is not tied to an agency",
                    ),
                },
                |a| a.parse::<AgencyCode>().map(|c| c.as_str().to_owned()),
            );
            let unit = staff_scope(
                &mut errors,
                needs_unit,
                unit,
                ScopeMessages {
                    field: "unit",
                    missing: (
                        "thanh tra cải cách hành chính cần mã đơn vị hành chính",
                        "a reform inspector needs an administrative unit code",
                    ),
                    invalid: ("mã đơn vị không hợp lệ", "the unit code is invalid"),
                    unexpected: (
                        "chỉ thanh tra cải cách hành chính gắn với một đơn vị",
                        "only reform inspectors are tied to a unit",
                    ),
                },
                |u| u.parse::<UnitCode>().map(|c| c.as_str().to_owned()),
            );
            (
                AccountKind::Staff,
                login,
                name,
                phone,
                password,
                *role,
                agency,
                unit,
            )
        }
    };
    let name = name.trim().to_owned();
    if name.is_empty() {
        errors.push(FieldError::new(
            "name",
            "họ tên không được để trống",
            "the name is required",
        ));
    } else if name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "họ tên dài tối đa 200 ký tự",
            "the name must have at most 200 characters",
        ));
    }
    let phone = match phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => match normalise_phone(p) {
            Some(p) => Some(p),
            None => {
                errors.push(FieldError::new(
                    "phone",
                    "số điện thoại phải gồm 10 chữ số bắt đầu bằng 0, hoặc 11 chữ số bắt đầu bằng 02 (có thể viết +84)",
                    "the phone number must have 10 digits starting with 0, or 11 digits starting with 02 (+84 allowed)",
                ));
                None
            }
        },
    };
    errors.extend(check_password(password, &login));
    if !errors.is_empty() {
        return Err(errors);
    }
    let eid_level = match kind {
        AccountKind::Citizen | AccountKind::Business => 1,
        AccountKind::Staff => 0,
    };
    Ok(Checked {
        kind,
        login,
        name,
        phone,
        role,
        agency,
        unit,
        eid_level,
    })
}

/// What to say about one scope code of a staff account (agency or unit), Vietnamese then
/// English.
struct ScopeMessages {
    field: &'static str,
    missing: (&'static str, &'static str),
    invalid: (&'static str, &'static str),
    unexpected: (&'static str, &'static str),
}

/// A staff account's scope code, checked: present and valid when the role `needs` it,
/// absent otherwise; each problem is pushed to `errors` under the field's name.
fn staff_scope<E: std::fmt::Display>(
    errors: &mut Vec<FieldError>,
    needs: bool,
    value: Option<&str>,
    says: ScopeMessages,
    parse: impl Fn(&str) -> Result<String, E>,
) -> Option<String> {
    let problem = match (needs, value) {
        (true, None) => FieldError::new(says.field, says.missing.0, says.missing.1),
        (true, Some(v)) => match parse(v) {
            Ok(code) => return Some(code),
            Err(e) => FieldError::new(
                says.field,
                format!("{}: {}", says.invalid.0, vi_part(&e)),
                format!("{}: {}", says.invalid.1, en_part(&e)),
            ),
        },
        (false, Some(_)) => FieldError::new(says.field, says.unexpected.0, says.unexpected.1),
        (false, None) => return None,
    };
    errors.push(problem);
    None
}

/// The Vietnamese half of a bilingual `vi / en` message.
fn vi_part(e: &impl std::fmt::Display) -> String {
    let text = e.to_string();
    text.split_once(" / ")
        .map_or(text.clone(), |(vi, _)| vi.to_owned())
}

/// The English half of a bilingual `vi / en` message.
fn en_part(e: &impl std::fmt::Display) -> String {
    let text = e.to_string();
    text.split_once(" / ")
        .map_or(text.clone(), |(_, en)| en.to_owned())
}

/// Checks a new password: 8 to 128 characters, not containing the login.
pub fn check_password(password: &Password, login: &str) -> Vec<FieldError> {
    let text = password.expose();
    let n = text.chars().count();
    let mut errors = Vec::new();
    if n < MIN_PASSWORD_CHARS {
        errors.push(FieldError::new(
            "password",
            format!("mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự"),
            format!("the password must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    } else if n > MAX_PASSWORD_CHARS {
        errors.push(FieldError::new(
            "password",
            format!("mật khẩu dài tối đa {MAX_PASSWORD_CHARS} ký tự"),
            format!("the password must have at most {MAX_PASSWORD_CHARS} characters"),
        ));
    } else if !login.is_empty() && text.to_lowercase().contains(&login.to_lowercase()) {
        errors.push(FieldError::new(
            "password",
            "mật khẩu không được chứa tên đăng nhập hoặc số định danh",
            "the password must not contain the login",
        ));
    }
    errors
}

/// Whether `login` (already lower-cased) is a valid staff login name. A letter is required
/// so that no login name can look like a personal ID or a tax code.
fn is_staff_login(login: &str) -> bool {
    (3..=64).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && login.bytes().any(|b| b.is_ascii_lowercase())
}

/// `0912 345 678`, `0912.345.678`, `+84912345678` → `0912345678`; anything else → `None`.
fn normalise_phone(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let national = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    // Mobile numbers have 10 digits; fixed lines 11, with a 02xx area code (numbering plan
    // of 2017, Decision 798/QĐ-BTTTT 🔶).
    let fits = match national.len() {
        10 => national.starts_with('0'),
        11 => national.starts_with("02"),
        _ => false,
    };
    (fits && national.bytes().all(|b| b.is_ascii_digit())).then_some(national)
}

/// The stored form of whatever someone types as a login: a personal ID's 12 digits, a tax
/// code's canonical form, or a lower-cased login name.
pub fn normalise_login(text: &str) -> String {
    let text = text.trim();
    if let Ok(id) = text.parse::<PersonalId>() {
        return id.to_string();
    }
    if let Ok(tax) = text.parse::<TaxCode>() {
        return tax.to_string();
    }
    text.to_lowercase()
}

// ---------------------------------------------------------------------------------------
// Secrets.

/// `len` random bytes from the operating system, as lower-case hex.
fn random_hex(len: usize) -> ServiceResult<String> {
    let mut bytes = vec![0_u8; len];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| ServiceError::Internal(format!("the OS random source failed: {e}")))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// A fresh random token (256 bits, 64 hex digits): session tokens, CSRF tokens, the
/// anonymous forms' double-submit cookie.
///
/// # Errors
/// The operating system's random source failed.
pub fn random_token() -> ServiceResult<String> {
    random_hex(32)
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_match(a: &str, b: &str) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The SHA-256 of a session token, as stored: a stolen database does not yield live
/// sessions.
fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Whether `id` is an account id (`u:` and 16 hex digits) rather than a program's actor.
pub fn is_account_id(id: &str) -> bool {
    id.strip_prefix("u:").is_some_and(|rest| {
        rest.len() == 16
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Runs `f` on the blocking pool inside the current span (hashing takes tens of
/// milliseconds of CPU and must not stall the async workers).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|e| ServiceError::Internal(format!("hashing task: {e}")))
}

/// Hashes a password with Argon2id and a random salt, as a PHC string.
async fn hash_password(password: &Password) -> ServiceResult<String> {
    let password = password.clone();
    blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|h: PasswordHash| h.to_string())
    })
    .await?
    .map_err(|e| ServiceError::Internal(format!("hashing: {e}")))
}

/// Verifies a password against a PHC string; a malformed string verifies nothing.
async fn verify_password(password: &Password, phc: String) -> ServiceResult<bool> {
    let password = password.clone();
    blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
}

/// A hash of nothing anyone knows, verified when a login is unknown so that unknown logins
/// take as long to refuse as wrong passwords.
async fn dummy_hash() -> ServiceResult<String> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h.clone());
    }
    let hash = hash_password(&Password::new(random_token()?)).await?;
    Ok(DUMMY.get_or_init(|| hash).clone())
}

// ---------------------------------------------------------------------------------------
// Sessions.

/// How long sessions live. Defaults: 30 minutes unused, 12 hours at most — a working day
/// at the desk without signing in twice, and a short window for a forgotten public
/// computer (OWASP session management guidance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    /// A session unused this many seconds ends.
    pub idle_secs: i64,
    /// A session ends this many seconds after sign-in, however busy.
    pub absolute_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_secs: 30 * 60,
            absolute_secs: 12 * 3600,
        }
    }
}

/// The secret a browser holds for a session (the cookie's value). `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// The token as sent in a cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

/// A live session: its account and CSRF token.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// The signed-in account.
    pub account: Account,
    /// The token every state-changing form of this session must carry.
    pub csrf: String,
    /// When the session was opened.
    pub created_at: DateTime<Utc>,
    /// When it ends unless used again (idle limit), or at the latest (absolute limit).
    pub expires_at: DateTime<Utc>,
    token_hash: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", &self.account)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Session {
    fn of(row: SessionRow, account: Account) -> Session {
        Session {
            account,
            csrf: row.csrf_token,
            created_at: row.created_at,
            expires_at: row.idle_expires_at.min(row.expires_at),
            token_hash: row.token_hash,
        }
    }

    /// What the account does in this request (see [`Acting::for_account`]).
    pub fn acting(&self, request_id: Option<String>) -> Acting {
        Acting::for_account(&self.account, request_id)
    }

    /// Where the account's role applies.
    pub fn principal(&self) -> Principal {
        self.account.principal()
    }

    /// May this session's account do `action` to `target`? ([`authz::authorize`])
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] saying why, in Vietnamese then English.
    pub fn authorize(&self, action: Action, target: &Target) -> ServiceResult<()> {
        authorize(&self.principal(), action, target)
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        tokens_match(&self.csrf, token)
    }
}

/// [`authz::authorize`] as a service error.
///
/// # Errors
/// [`ServiceError::Forbidden`] saying why, in Vietnamese then English.
pub fn authorize(principal: &Principal, action: Action, target: &Target) -> ServiceResult<()> {
    authz::authorize(principal, action, target).map_err(|d| ServiceError::Forbidden(d.to_string()))
}

// ---------------------------------------------------------------------------------------
// Use cases.

impl Services {
    fn account_meta(&self, account: &Account, request_id: Option<String>) -> EventMeta {
        self.meta(&Acting::for_account(account, request_id))
    }

    /// Who `acting` stands for. Accounts of citizens, businesses and inspectors are read for
    /// their applicant number or unit (and refused when disabled); staff accounts carry their
    /// agency in the actor; programs (`system:*`, the demo generator's applicants) are
    /// trusted as [`Principal::of_actor`] says.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] for an unknown or disabled account.
    pub async fn principal(&self, acting: &Acting) -> ServiceResult<Principal> {
        self.principal_in(None, acting).await
    }

    /// [`Services::principal`], reading the account in `tx` when one is open.
    pub(crate) async fn principal_in(
        &self,
        tx: Option<&mut Tx>,
        acting: &Acting,
    ) -> ServiceResult<Principal> {
        let actor = &acting.actor;
        let needs_account = matches!(actor.role, Role::Citizen | Role::Business | Role::Inspector);
        if !needs_account || !is_account_id(&actor.id) {
            return Ok(Principal::of_actor(actor));
        }
        let row = match tx {
            Some(tx) => store_accounts::find_in(tx, &actor.id).await?,
            None => self.store().find_account(&actor.id).await?,
        };
        match row {
            Some(a) if !a.disabled && a.role == actor.role => {
                Ok(a.principal())
            }
            Some(_) => Err(ServiceError::Forbidden(
                "tài khoản đã bị khóa hoặc đã đổi vai trò / the account is disabled or its role changed"
                    .into(),
            )),
            None => Err(ServiceError::Forbidden(format!(
                "không có tài khoản {} / no account {}",
                actor.id, actor.id
            ))),
        }
    }

    /// The target of something of `agency`, with the units the agency lies within (its
    /// unit and every unit above it, on today's map), so inspectors' scopes can be checked.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown agency; storage failures.
    pub async fn agency_target(&self, agency: &str) -> ServiceResult<Target> {
        if let Some(target) = self.targets.get(agency) {
            return Ok(target);
        }
        let generation = self.targets.generation();
        let found =
            self.store()
                .find_agency(agency)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("cơ quan / agency {agency}"),
                })?;
        let units = self.unit_chain(found.agency.unit.as_str()).await?;
        let target = Target::agency(agency).within(units);
        self.targets.put(agency, target.clone(), generation);
        Ok(target)
    }

    /// The target of a unit's statistics: the unit and every unit above it.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn unit_target(&self, unit: &str) -> ServiceResult<Target> {
        Ok(Target::INSTALLATION.within(self.unit_chain(unit).await?))
    }

    /// The target of a dossier: its agency, applicant and the units its agency lies within.
    ///
    /// # Errors
    /// Storage failures. A dossier of an unregistered agency gets no units.
    pub async fn dossier_target(&self, dossier: &Dossier) -> ServiceResult<Target> {
        let target = Target::of_dossier(dossier);
        let agency = &dossier.submission.agency;
        Ok(match self.store().find_agency(agency).await? {
            Some(found) => target.within(self.unit_chain(found.agency.unit.as_str()).await?),
            None => target,
        })
    }

    /// `code` and its ancestors on today's map (the latest revision when none is valid
    /// today), nearest first.
    async fn unit_chain(&self, code: &str) -> ServiceResult<Vec<String>> {
        let today = self.now().with_timezone(&VIETNAM).date_naive();
        let mut chain = vec![code.to_owned()];
        let mut current = code.to_owned();
        // Country → province → (district) → commune: never deeper than four levels.
        for _ in 0..4 {
            let versions = self.store().unit_versions(&current).await?;
            let valid = versions.iter().find(|v| {
                v.unit.valid_from.is_none_or(|f| f <= today)
                    && v.unit.valid_to.is_none_or(|t| t >= today)
            });
            let Some(parent) = valid
                .or(versions.last())
                .and_then(|v| v.unit.parent.as_ref())
            else {
                break;
            };
            current = parent.as_str().to_owned();
            if chain.contains(&current) {
                break;
            }
            chain.push(current.clone());
        }
        Ok(chain)
    }

    /// Creates an account for someone else: staff of an agency by its agency administrator,
    /// any account by a system administrator or the system.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] without the right; [`ServiceError::Invalid`] naming each
    /// wrong field or an unknown agency or unit; a taken login as
    /// [`StoreError::Duplicate`].
    #[tracing::instrument(skip_all, fields(account.id))]
    pub async fn create_account(&self, acting: &Acting, new: NewAccount) -> ServiceResult<Account> {
        let checked = checked(&new).map_err(|e| invalid_fields(&e))?;
        let principal = self.principal(acting).await?;
        let target = match &checked.agency {
            Some(agency) => Target::agency(agency),
            None => Target::INSTALLATION,
        };
        authorize(&principal, Action::ManageAccounts, &target)?;
        let meta = self.meta(acting);
        self.insert_account(checked, &new, meta).await
    }

    /// A citizen registers themselves (e-ID level 1): no one else acts, so the new account
    /// is recorded as its own creator, online.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming each wrong field; a taken personal ID as
    /// [`StoreError::Duplicate`].
    #[tracing::instrument(skip_all, fields(account.id))]
    pub async fn register_citizen(
        &self,
        new: NewAccount,
        request_id: Option<String>,
    ) -> ServiceResult<Account> {
        if !matches!(new, NewAccount::Citizen { .. }) {
            return Err(ServiceError::Invalid(
                "chỉ công dân tự đăng ký tài khoản / only citizens register themselves".into(),
            ));
        }
        let checked = checked(&new).map_err(|e| invalid_fields(&e))?;
        let id = format!("u:{}", random_hex(8)?);
        let meta = EventMeta {
            at: self.now(),
            actor: Actor {
                id: id.clone(),
                role: Role::Citizen,
                agency: None,
            },
            channel: Channel::Online,
            request_id,
        };
        self.insert_account_with_id(id, checked, &new, meta).await
    }

    async fn insert_account(
        &self,
        checked: Checked,
        new: &NewAccount,
        meta: EventMeta,
    ) -> ServiceResult<Account> {
        let id = format!("u:{}", random_hex(8)?);
        self.insert_account_with_id(id, checked, new, meta).await
    }

    async fn insert_account_with_id(
        &self,
        id: String,
        checked: Checked,
        new: &NewAccount,
        meta: EventMeta,
    ) -> ServiceResult<Account> {
        if let Some(agency) = &checked.agency
            && self.store().find_agency(agency).await?.is_none()
        {
            return Err(ServiceError::Invalid(format!(
                "cơ quan {agency} chưa được đăng ký / agency {agency} is not registered"
            )));
        }
        if let Some(unit) = &checked.unit
            && self.store().unit_versions(unit).await?.is_empty()
        {
            return Err(ServiceError::Invalid(format!(
                "không có đơn vị hành chính mã {unit} / there is no administrative unit {unit}"
            )));
        }
        let password = match new {
            NewAccount::Citizen { password, .. }
            | NewAccount::Business { password, .. }
            | NewAccount::Staff { password, .. } => password,
        };
        let hash = hash_password(password).await?;
        let row = AccountRow {
            id,
            kind: checked.kind,
            login: checked.login,
            name: checked.name,
            phone: checked.phone,
            role: checked.role,
            agency: checked.agency,
            unit: checked.unit,
            eid_level: checked.eid_level,
            disabled: false,
            created_at: meta.at,
            version: 1,
        };
        self.store().create_account(&row, &hash, &meta).await?;
        tracing::Span::current().record("account.id", row.id.as_str());
        tracing::info!(account.role = row.role.as_str(), "account created");
        Ok(row)
    }

    /// The account with this id.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn find_account(&self, id: &str) -> ServiceResult<Option<Account>> {
        Ok(self.store().find_account(id).await?)
    }

    /// The account with this login (as typed: see [`normalise_login`]).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn find_account_by_login(&self, login: &str) -> ServiceResult<Option<Account>> {
        Ok(self
            .store()
            .find_account_by_login(&normalise_login(login))
            .await?)
    }

    /// Accounts of one agency (its administrator) or all of them (system administrators).
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] without the right.
    pub async fn list_accounts(
        &self,
        acting: &Acting,
        agency: Option<&str>,
    ) -> ServiceResult<Vec<Account>> {
        let target = agency.map_or(Target::INSTALLATION, Target::agency);
        authorize(
            &self.principal(acting).await?,
            Action::ManageAccounts,
            &target,
        )?;
        let rows = self.store().list_accounts(agency).await?;
        Ok(rows.into_iter().collect())
    }

    /// Disables (ending its sessions) or enables an account, at the version the caller read
    /// when given.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] without the right or for one's own account; a stale
    /// version as [`StoreError::Conflict`]; an unknown id as [`StoreError::NotFound`].
    #[tracing::instrument(skip_all, fields(account.id = %id))]
    pub async fn set_account_disabled(
        &self,
        acting: &Acting,
        id: &str,
        disabled: bool,
        expected_version: Option<i64>,
    ) -> ServiceResult<Account> {
        let account = self
            .find_account(id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("tài khoản / account {id}"),
            })?;
        if acting.actor.id == account.id {
            return Err(ServiceError::Forbidden(
                "không thể tự khóa hay mở tài khoản của chính mình / you cannot disable or enable your own account".into(),
            ));
        }
        let target = match &account.agency {
            Some(agency) => Target::agency(agency),
            None => Target::INSTALLATION,
        };
        authorize(
            &self.principal(acting).await?,
            Action::ManageAccounts,
            &target,
        )?;
        let expected = expected_version.unwrap_or(account.version);
        let version = self
            .store()
            .set_account_disabled(id, disabled, expected, &self.meta(acting))
            .await?;
        self.sessions.clear();
        tracing::info!(account.disabled = disabled, "account state changed");
        Ok(Account {
            disabled,
            version,
            ..account
        })
    }

    /// Checks a login and password. The answer to a wrong login and to a wrong password is
    /// the same ([`BAD_CREDENTIALS`]) and takes as long; a disabled account is named only to
    /// whoever knows its password.
    ///
    /// # Errors
    /// [`ServiceError::Refused`] with [`BAD_CREDENTIALS`] or the disabled-account message.
    #[tracing::instrument(skip_all, fields(account.id))]
    pub async fn authenticate(&self, login: &str, password: &Password) -> ServiceResult<Account> {
        let login = normalise_login(login);
        let found = if login.is_empty() {
            None
        } else {
            self.store().find_account_by_login(&login).await?
        };
        let Some(row) = found else {
            verify_password(password, dummy_hash().await?).await?;
            tracing::info!("sign-in refused: unknown login");
            return Err(ServiceError::Refused(BAD_CREDENTIALS.into()));
        };
        tracing::Span::current().record("account.id", row.id.as_str());
        let hash = self
            .store()
            .password_hash(&row.id)
            .await?
            .unwrap_or_default();
        if !verify_password(password, hash).await? {
            tracing::info!("sign-in refused: wrong password");
            return Err(ServiceError::Refused(BAD_CREDENTIALS.into()));
        }
        if row.disabled {
            tracing::info!("sign-in refused: account disabled");
            return Err(ServiceError::Refused(
                "tài khoản đã bị khóa; hãy liên hệ quản trị / the account is disabled; contact an administrator".into(),
            ));
        }
        Ok(row)
    }

    /// Opens a session for an authenticated account and records `signed_in` on its stream.
    /// The token is returned once, for the cookie; the store keeps only its hash.
    ///
    /// # Errors
    /// Storage failures; a concurrent change of the account as [`StoreError::Conflict`].
    #[tracing::instrument(skip_all, fields(account.id = %account.id))]
    pub async fn open_session(
        &self,
        account: &Account,
        policy: &SessionPolicy,
        request_id: Option<String>,
    ) -> ServiceResult<(SessionToken, Session)> {
        let token = random_token()?;
        let now = self.now();
        let row = SessionRow {
            token_hash: token_hash(&token),
            account_id: account.id.clone(),
            csrf_token: random_token()?,
            created_at: now,
            last_seen_at: now,
            idle_seconds: policy.idle_secs,
            idle_expires_at: now + TimeDelta::seconds(policy.idle_secs),
            expires_at: now + TimeDelta::seconds(policy.absolute_secs),
        };
        let meta = self.account_meta(account, request_id);
        let version = self.store().open_session(&row, &meta).await?;
        tracing::info!("signed in");
        let account = Account {
            version,
            ..account.clone()
        };
        Ok((SessionToken(token), Session::of(row, account)))
    }

    /// [`Services::authenticate`] then [`Services::open_session`]: the sign-in form.
    ///
    /// # Errors
    /// As those two.
    pub async fn sign_in(
        &self,
        login: &str,
        password: &Password,
        policy: &SessionPolicy,
        request_id: Option<String>,
    ) -> ServiceResult<(SessionToken, Session)> {
        let account = self.authenticate(login, password).await?;
        self.open_session(&account, policy, request_id).await
    }

    /// The live session of a cookie's token: `None` when unknown, expired (then deleted) or
    /// its account disabled. Its last use is recorded at most once a minute. A session read
    /// less than two seconds ago is not read again: a sign-out or disabling made through
    /// these services shows at once, one made by another process up to two seconds late.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn find_session(&self, token: &str) -> ServiceResult<Option<Session>> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let hash = token_hash(token);
        let now = self.now();
        // A session seen moments ago is used as read while it is neither expired nor due for
        // its touch: most requests of a signed-in person then cost no query.
        if let Some((row, account)) = self.sessions.get(&hash)
            && now < row.expires_at
            && now < row.idle_expires_at
            && now - row.last_seen_at < TOUCH_EVERY
        {
            return Ok(Some(Session::of(row, account)));
        }
        let generation = self.sessions.generation();
        let Some((row, account)) = self.store().find_session(&hash).await? else {
            return Ok(None);
        };
        if now >= row.expires_at || now >= row.idle_expires_at || account.disabled {
            self.store().delete_session(&hash).await?;
            return Ok(None);
        }
        let mut row = row;
        if now - row.last_seen_at >= TOUCH_EVERY {
            self.store().touch_session(&hash, now).await?;
            row.last_seen_at = now;
            row.idle_expires_at = now + TimeDelta::seconds(row.idle_seconds);
        }
        self.sessions
            .put(&hash, (row.clone(), account.clone()), generation);
        Ok(Some(Session::of(row, account)))
    }

    /// Ends the session of a cookie's token (sign-out) and records `signed_out`. Returns
    /// whether there was a live session.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn close_session(
        &self,
        token: &str,
        request_id: Option<String>,
    ) -> ServiceResult<bool> {
        let Some(session) = self.find_session(token).await? else {
            return Ok(false);
        };
        let meta = self.account_meta(&session.account, request_id);
        let closed = self
            .store()
            .close_session(&session.token_hash, &meta)
            .await?;
        self.sessions.clear();
        if closed {
            tracing::info!(account.id = %session.account.id, "signed out");
        }
        Ok(closed)
    }

    /// Changes the session's own password after checking the current one; every other
    /// session of the account ends.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming the field (wrong current password, weak new one).
    #[tracing::instrument(skip_all, fields(account.id = %session.account.id))]
    pub async fn change_password(
        &self,
        session: &Session,
        current: &Password,
        new: &Password,
        request_id: Option<String>,
    ) -> ServiceResult<Account> {
        let account = self
            .find_account(&session.account.id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("tài khoản / account {}", session.account.id),
            })?;
        let hash = self
            .store()
            .password_hash(&account.id)
            .await?
            .unwrap_or_default();
        if !verify_password(current, hash).await? {
            return Err(ServiceError::Invalid(
                "mật khẩu hiện tại không đúng / the current password is incorrect".into(),
            ));
        }
        let problems = check_password(new, &account.login);
        if !problems.is_empty() {
            return Err(invalid_fields(&problems));
        }
        let hash = hash_password(new).await?;
        let meta = self.account_meta(&account, request_id);
        let version = self
            .store()
            .set_password(
                &account.id,
                account.version,
                &hash,
                Some(&session.token_hash),
                &meta,
            )
            .await?;
        self.sessions.clear();
        tracing::info!("password changed");
        Ok(Account { version, ..account })
    }

    /// Deletes every expired session; returns how many (for a periodic job).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn purge_sessions(&self) -> ServiceResult<u64> {
        Ok(self.store().purge_sessions(self.now()).await?)
    }
}

// ---------------------------------------------------------------------------------------
// Sign-in through an external e-ID provider (OpenID Connect).

/// Who an external e-ID provider (the national VNeID, or any OpenID provider) says signed
/// in, after the web layer has verified the ID token. `Debug` shows only the issuer and the
/// level: the subject and the personal ID are personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The provider's issuer URL, exactly as its ID tokens say.
    pub issuer: String,
    /// The provider's stable identifier of the person (`sub`).
    pub subject: String,
    /// The 12-digit personal identification number the provider vouches for.
    pub personal_id: String,
    /// The full name the provider gives, if any (needed to create an account).
    pub name: Option<String>,
    /// The e-ID level the provider asserts: 1 or 2 (Decree 69/2024/NĐ-CP).
    pub eid_level: i32,
}

impl std::fmt::Debug for ExternalIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalIdentity")
            .field("issuer", &self.issuer)
            .field("eid_level", &self.eid_level)
            .finish_non_exhaustive()
    }
}

/// The SHA-256 of a secret as the store keeps it (session tokens, API tokens): a stolen
/// database yields no live secret.
pub(crate) fn secret_hash(secret: &str) -> String {
    token_hash(secret)
}

/// The refusal of an e-ID sign-in whose identity cannot be used, whatever the detail.
const EID_UNUSABLE: &str = "nhà cung cấp định danh không trả về số định danh cá nhân hợp lệ / \
     the identity provider did not return a valid personal identification number";

impl Services {
    /// Signs in a person whom an e-ID provider has vouched for: the account linked to the
    /// identity (issuer, subject); otherwise the citizen account with that personal ID, which
    /// is then linked; otherwise a new citizen account (with the provider's level), linked.
    /// Opens a session and records `signed_in` with `{"method": "eid", "issuer", "eid_level"}`.
    ///
    /// Linking an existing account replaces its password with one nobody knows and ends its
    /// sessions: anyone could have registered that personal ID with a password before the
    /// person proved who they are, and must not keep access to the verified account. An
    /// account's e-ID level is raised to the provider's, never lowered.
    ///
    /// # Errors
    /// [`ServiceError::Refused`] for an invalid personal ID, an identity linked to another
    /// personal ID, a non-citizen account with that login, a missing name for a new account,
    /// or a disabled account; storage failures.
    #[tracing::instrument(skip_all, fields(account.id, eid.level = identity.eid_level))]
    pub async fn sign_in_with_eid(
        &self,
        identity: &ExternalIdentity,
        policy: &SessionPolicy,
        request_id: Option<String>,
    ) -> ServiceResult<(SessionToken, Session)> {
        let personal_id = identity
            .personal_id
            .trim()
            .parse::<PersonalId>()
            .map_err(|_| ServiceError::Refused(EID_UNUSABLE.into()))?
            .to_string();
        if identity.issuer.is_empty()
            || identity.subject.is_empty()
            || identity.issuer.len() > 500
            || identity.subject.len() > 500
            || !(1..=2).contains(&identity.eid_level)
        {
            return Err(ServiceError::Refused(EID_UNUSABLE.into()));
        }
        let account = self
            .eid_account(identity, &personal_id, request_id.clone())
            .await?;
        tracing::Span::current().record("account.id", account.id.as_str());
        if account.disabled {
            tracing::info!("e-ID sign-in refused: account disabled");
            return Err(ServiceError::Refused(
                "tài khoản đã bị khóa; hãy liên hệ quản trị / the account is disabled; contact an administrator".into(),
            ));
        }
        let token = random_token()?;
        let now = self.now();
        let row = SessionRow {
            token_hash: token_hash(&token),
            account_id: account.id.clone(),
            csrf_token: random_token()?,
            created_at: now,
            last_seen_at: now,
            idle_seconds: policy.idle_secs,
            idle_expires_at: now + TimeDelta::seconds(policy.idle_secs),
            expires_at: now + TimeDelta::seconds(policy.absolute_secs),
        };
        let payload = serde_json::json!({
            "method": "eid",
            "issuer": identity.issuer,
            "eid_level": identity.eid_level,
        });
        let meta = self.account_meta(&account, request_id);
        self.store()
            .open_session_with(&row, payload, Some(identity.eid_level), &meta)
            .await?;
        let account =
            self.find_account(&account.id)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("tài khoản / account {}", account.id),
                })?;
        tracing::info!("signed in with e-ID");
        Ok((SessionToken(token), Session::of(row, account)))
    }

    /// The account an identity signs in to, linking or creating it on first use.
    async fn eid_account(
        &self,
        identity: &ExternalIdentity,
        personal_id: &str,
        request_id: Option<String>,
    ) -> ServiceResult<Account> {
        let store = self.store();
        if let Some(id) = store
            .find_identity(&identity.issuer, &identity.subject)
            .await?
        {
            let account = self
                .find_account(&id)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("tài khoản / account {id}"),
                })?;
            if account.login != personal_id {
                tracing::warn!(
                    account.id = %account.id,
                    "e-ID sign-in refused: the provider now gives another personal ID for a linked identity"
                );
                return Err(ServiceError::Refused(EID_UNUSABLE.into()));
            }
            return Ok(account);
        }
        let (account, replace_password) = match store.find_account_by_login(personal_id).await? {
            Some(row) if row.kind == AccountKind::Citizen => (row, true),
            Some(_) => return Err(ServiceError::Refused(EID_UNUSABLE.into())),
            None => match self
                .create_eid_citizen(identity, personal_id, &request_id)
                .await
            {
                Ok(account) => (account, false),
                // Someone registered the number a moment ago: link that account instead.
                Err(ServiceError::Store(StoreError::Duplicate { .. })) => {
                    let row = store
                        .find_account_by_login(personal_id)
                        .await?
                        .ok_or_else(|| StoreError::NotFound {
                            what: "tài khoản / account".into(),
                        })?;
                    (row, true)
                }
                Err(e) => return Err(e),
            },
        };
        let unusable = if replace_password {
            Some(hash_password(&Password::new(random_token()?)).await?)
        } else {
            None
        };
        let link = motcua_storage::api_tokens::IdentityLink {
            issuer: identity.issuer.clone(),
            subject: identity.subject.clone(),
            account_id: account.id.clone(),
        };
        let meta = self.account_meta(&account, request_id);
        match store
            .link_identity(&link, identity.eid_level, unusable.as_deref(), &meta)
            .await
        {
            Ok(_) => {
                self.sessions.clear();
                tracing::info!(
                    account.id = %account.id,
                    password_replaced = replace_password,
                    "e-ID identity linked"
                );
                Ok(account)
            }
            // A concurrent first sign-in of the same person linked it first.
            Err(StoreError::Duplicate { .. }) => Ok(account),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates the citizen account of a first e-ID sign-in, recorded as its own creator,
    /// online, with the provider's level and a password nobody knows (the person signs in
    /// through the provider).
    async fn create_eid_citizen(
        &self,
        identity: &ExternalIdentity,
        personal_id: &str,
        request_id: &Option<String>,
    ) -> ServiceResult<Account> {
        let name = identity
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                ServiceError::Refused(
                    "nhà cung cấp định danh không trả về họ tên / the identity provider did not return a name"
                        .into(),
                )
            })?;
        let new = NewAccount::Citizen {
            personal_id: personal_id.to_owned(),
            name: name.to_owned(),
            phone: None,
            password: Password::new(random_token()?),
        };
        let mut checked = checked(&new).map_err(|e| invalid_fields(&e))?;
        checked.eid_level = identity.eid_level;
        let id = format!("u:{}", random_hex(8)?);
        let meta = EventMeta {
            at: self.now(),
            actor: Actor {
                id: id.clone(),
                role: Role::Citizen,
                agency: None,
            },
            channel: Channel::Online,
            request_id: request_id.clone(),
        };
        self.insert_account_with_id(id, checked, &new, meta).await
    }
}

// ---------------------------------------------------------------------------------------
// Demo accounts.

/// The password of every demo account (printed by `motcua demo`; change it anywhere real).
pub const DEMO_PASSWORD: &str = "motcua-demo-2026";

/// One demo account, for the table `motcua demo` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoAccount {
    /// Its role.
    pub role: Role,
    /// What to type as the login.
    pub login: String,
    /// Its password ([`DEMO_PASSWORD`]).
    pub password: &'static str,
    /// Its scope: an agency code, `unit 24`, the personal ID or tax code it owns dossiers
    /// under, or `*` for everywhere.
    pub agency: Option<String>,
    /// Its display name.
    pub name: String,
}

/// One fixed staff account of the demo province.
struct DemoStaff {
    role: Role,
    login: &'static str,
    name: &'static str,
    agency: Option<&'static str>,
    unit: Option<&'static str>,
}

/// The fixed staff accounts of the demo province.
///
/// The desk officer sits at the provincial service centre but acts for Sở Tư pháp, as the
/// demo's seconded officers do (`demo.rs`: every dossier carries the deciding agency's
/// code), so desk officer, specialist and leader work on the same dossiers.
const DEMO_STAFF: [DemoStaff; 11] = [
    DemoStaff {
        role: Role::DeskOfficer,
        login: "motcua.stp",
        name: "Nguyễn Thị Mai (Một cửa — Trung tâm PVHCC, Sở Tư pháp)",
        agency: Some("000.00.10.H05"),
        unit: None,
    },
    DemoStaff {
        role: Role::Specialist,
        login: "chuyenvien.stp",
        name: "Trần Văn Hùng (Chuyên viên Sở Tư pháp)",
        agency: Some("000.00.10.H05"),
        unit: None,
    },
    DemoStaff {
        role: Role::Leader,
        login: "lanhdao.stp",
        name: "Lê Minh Tuấn (Phó Giám đốc Sở Tư pháp)",
        agency: Some("000.00.10.H05"),
        unit: None,
    },
    DemoStaff {
        role: Role::DeskOfficer,
        login: "motcua.xa001",
        name: "Phạm Thị Hoa (Một cửa UBND xã)",
        agency: Some("001.00.50.H05"),
        unit: None,
    },
    // Signs the commune's results and certifies its copies (Decree 23/2015/NĐ-CP art. 5).
    DemoStaff {
        role: Role::Leader,
        login: "lanhdao.xa001",
        name: "Đặng Văn Bình (Phó Chủ tịch UBND xã)",
        agency: Some("001.00.50.H05"),
        unit: None,
    },
    // Steering (issue 7): the province's People's Committee assigns tasks and decides on
    // them; its office records meetings; the provincial police leads Project 06.
    DemoStaff {
        role: Role::Leader,
        login: "lanhdao.ubnd",
        name: "Nguyễn Hữu Thành (Phó Chủ tịch UBND tỉnh)",
        agency: Some("000.00.00.H05"),
        unit: None,
    },
    DemoStaff {
        role: Role::Specialist,
        login: "chuyenvien.ubnd",
        name: "Bùi Thị Thu (Chuyên viên Văn phòng UBND tỉnh)",
        agency: Some("000.00.00.H05"),
        unit: None,
    },
    DemoStaff {
        role: Role::Leader,
        login: "lanhdao.cat",
        name: "Trịnh Văn Quang (Phó Giám đốc Công an tỉnh)",
        agency: Some("000.00.20.H05"),
        unit: None,
    },
    DemoStaff {
        role: Role::AgencyAdmin,
        login: "quantri.stp",
        name: "Đỗ Quang Vinh (Quản trị Sở Tư pháp)",
        agency: Some("000.00.10.H05"),
        unit: None,
    },
    DemoStaff {
        role: Role::Inspector,
        login: "thanhtra.bacninh",
        name: "Vũ Thị Lan (Thanh tra cải cách hành chính tỉnh Bắc Ninh)",
        agency: None,
        unit: Some("24"),
    },
    DemoStaff {
        role: Role::SystemAdmin,
        login: "quantri.hethong",
        name: "Hoàng Văn Nam (Quản trị hệ thống)",
        agency: None,
        unit: None,
    },
];

impl Services {
    /// Creates one account per role in the demo province (see [`DEMO_STAFF`] for the
    /// staff; the citizen and the business are the applicants with the most demo dossiers,
    /// or fixed numbers on a store without dossiers), all with [`DEMO_PASSWORD`].
    /// Idempotent: an existing login is listed, not created again (its password is then
    /// whatever it was set to).
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] unless `acting` may manage every account (the system or
    /// a system administrator); [`ServiceError::Invalid`] when the demo agencies are not
    /// registered (build the demo province first).
    pub async fn create_demo_accounts(&self, acting: &Acting) -> ServiceResult<Vec<DemoAccount>> {
        authorize(
            &self.principal(acting).await?,
            Action::ManageAccounts,
            &Target::INSTALLATION,
        )?;
        let mut out = Vec::new();
        for DemoStaff {
            role,
            login,
            name,
            agency,
            unit,
        } in DEMO_STAFF
        {
            let new = NewAccount::Staff {
                login: login.to_owned(),
                name: name.to_owned(),
                phone: None,
                role,
                agency: agency.map(str::to_owned),
                unit: unit.map(str::to_owned),
                password: Password::new(DEMO_PASSWORD),
            };
            self.ensure_account(acting, new).await?;
            out.push(DemoAccount {
                role,
                login: login.to_owned(),
                password: DEMO_PASSWORD,
                agency: agency
                    .map(str::to_owned)
                    .or(unit.map(|u| format!("unit {u}")))
                    .or(Some("*".to_owned())),
                name: name.to_owned(),
            });
        }
        let citizen = self.store().frequent_applicant("person").await?;
        let (number, name, phone) = match citizen {
            Some(a) => (a.number, a.name, a.phone),
            None => (
                "027190123456".to_owned(),
                "Nguyễn Văn An".to_owned(),
                Some("0987654321".to_owned()),
            ),
        };
        self.ensure_account(
            acting,
            NewAccount::Citizen {
                personal_id: number.clone(),
                name: name.clone(),
                phone,
                password: Password::new(DEMO_PASSWORD),
            },
        )
        .await?;
        out.push(DemoAccount {
            role: Role::Citizen,
            login: number.clone(),
            password: DEMO_PASSWORD,
            agency: None,
            name,
        });
        let business = self.store().frequent_applicant("organisation").await?;
        let (number, name, phone) = match business {
            Some(a) => (a.number, a.name, a.phone),
            None => (
                fallback_tax_code(),
                "Công ty TNHH Kinh Bắc".to_owned(),
                None,
            ),
        };
        self.ensure_account(
            acting,
            NewAccount::Business {
                tax_code: number.clone(),
                name: name.clone(),
                phone,
                password: Password::new(DEMO_PASSWORD),
            },
        )
        .await?;
        out.push(DemoAccount {
            role: Role::Business,
            login: number,
            password: DEMO_PASSWORD,
            agency: None,
            name,
        });
        Ok(out)
    }

    /// Creates `new` unless its login exists.
    async fn ensure_account(&self, acting: &Acting, new: NewAccount) -> ServiceResult<()> {
        let login = match &new {
            NewAccount::Citizen { personal_id, .. } => personal_id,
            NewAccount::Business { tax_code, .. } => tax_code,
            NewAccount::Staff { login, .. } => login,
        };
        if self.find_account_by_login(login).await?.is_some() {
            return Ok(());
        }
        match self.create_account(acting, new).await {
            Ok(_) | Err(ServiceError::Store(StoreError::Duplicate { .. })) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// A valid Bắc Ninh tax code (prefix 23) for a store without business dossiers.
fn fallback_tax_code() -> String {
    let mut digits = [2_u8, 3, 0, 0, 1, 0, 0, 0, 1];
    loop {
        if let Some(check) = tax_check_digit(&digits) {
            return digits
                .iter()
                .chain(std::iter::once(&check))
                .map(|d| char::from(b'0' + d))
                .collect();
        }
        digits[8] = (digits[8] + 1) % 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised() {
        assert_eq!(
            normalise_phone("0912 345 678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            normalise_phone("+84912345678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(normalise_phone("912345678"), None);
        assert_eq!(normalise_phone("09123456789"), None);
    }

    #[test]
    fn staff_logins_never_look_like_numbers() {
        assert!(is_staff_login("motcua.stp"));
        assert!(!is_staff_login("027190123456"));
        assert!(!is_staff_login("ab"));
        assert!(!is_staff_login("Motcua"));
        assert!(!is_staff_login("mot cua"));
    }

    #[test]
    fn logins_are_normalised_by_shape() {
        assert_eq!(normalise_login(" 027190123456 "), "027190123456");
        assert_eq!(normalise_login("MotCua.STP"), "motcua.stp");
    }

    #[test]
    fn account_ids_are_told_from_program_actors() {
        assert!(is_account_id("u:0123456789abcdef"));
        assert!(!is_account_id("u:vneid-0000abcd"));
        assert!(!is_account_id("u:1"));
        assert!(!is_account_id("system:demo"));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(tokens_match("abcd", "abcd"));
        assert!(!tokens_match("abcd", "abce"));
        assert!(!tokens_match("abc", "abcd"));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn the_fallback_tax_code_is_valid() {
        assert!(fallback_tax_code().parse::<TaxCode>().is_ok());
    }

    #[test]
    fn passwords_need_eight_characters_and_say_so() {
        let errors = check_password(&Password::new("short"), "x");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "mật khẩu phải có ít nhất 8 ký tự / the password must have at least 8 characters"
        );
        assert!(format!("{:?}", Password::new("secret-123")).contains("***"));
    }
}
