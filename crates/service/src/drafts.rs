//! Online submission by a signed-in citizen or business: drafts saved and resumed, then
//! submitted as a dossier (channel online, the account acting).
//!
//! A draft holds the form values and one file per component of the procedure. Saving
//! checks nothing but ownership and the version (a half-filled form is what a draft is for);
//! submitting checks everything ([`check_draft`]) and then claims the draft — deletes it at
//! the version it was read — before creating the dossier, so a double click cannot submit
//! it twice. Should the submission fail after the claim, the draft is put back.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use motcua_domain::dossier::{Applicant, ApplicantId, Component, Dossier, FileRef};
use motcua_domain::event::Channel;
use motcua_domain::petition::{is_email, normalise_phone};
use motcua_storage::StoreError;
use motcua_storage::accounts::AccountKind;
use motcua_storage::drafts::{DraftFile, DraftRow};

use crate::accounts::Account;
use crate::dossiers::NewDossier;
use crate::portal::OnlineOffer;
use crate::{Acting, ServiceError, ServiceResult, Services};

/// Most drafts one account keeps; a new one beyond that is refused (delete old ones first).
pub const MAX_DRAFTS: usize = 50;

/// The applicant's part of the form. The identification number is not here: it is the
/// account's, and cannot be typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftForm {
    /// Full name of the person or organisation.
    pub name: String,
    /// Phone number (to follow the dossier with its code).
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// Postal address.
    pub address: String,
    /// Identifier code of the receiving agency chosen among the procedure's.
    pub agency: String,
}

impl DraftForm {
    fn to_map(&self) -> BTreeMap<String, String> {
        [
            ("name", &self.name),
            ("phone", &self.phone),
            ("email", &self.email),
            ("address", &self.address),
            ("agency", &self.agency),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
    }

    fn from_map(map: &BTreeMap<String, String>) -> DraftForm {
        let get = |k: &str| map.get(k).cloned().unwrap_or_default();
        DraftForm {
            name: get("name"),
            phone: get("phone"),
            email: get("email"),
            address: get("address"),
            agency: get("agency"),
        }
    }
}

/// The identification number of an applicant's account (its login).
pub(crate) fn applicant_id_of(account: &Account) -> ServiceResult<ApplicantId> {
    match account.kind {
        AccountKind::Citizen => account.login.parse().map(ApplicantId::Person).ok(),
        AccountKind::Business => account.login.parse().map(ApplicantId::Organisation).ok(),
        AccountKind::Staff => None,
    }
    .ok_or_else(|| {
        ServiceError::Internal(format!("account {} has no applicant number", account.id))
    })
}

/// A saved draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Its id.
    pub id: String,
    /// National procedure code.
    pub procedure_code: String,
    /// The form values.
    pub form: DraftForm,
    /// Files by component position.
    pub files: BTreeMap<u32, FileRef>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last saved.
    pub updated_at: DateTime<Utc>,
    /// Its version (to send back with the next save).
    pub version: i64,
}

impl From<DraftRow> for Draft {
    fn from(row: DraftRow) -> Draft {
        Draft {
            id: row.id,
            procedure_code: row.procedure_code,
            form: DraftForm::from_map(&row.form),
            files: row
                .files
                .into_iter()
                .map(|f| (f.component, f.file))
                .collect(),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A save of a draft: new or existing, its form, and the files uploaded with this save
/// (each replaces the component's earlier file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveDraft {
    /// The draft, or `None` for a new one.
    pub id: Option<String>,
    /// The version the form was showing (ignored for a new draft).
    pub expected_version: i64,
    /// National procedure code (must offer online submission).
    pub procedure_code: String,
    /// The form values.
    pub form: DraftForm,
    /// Files uploaded with this save, by component position.
    pub files: BTreeMap<u32, FileRef>,
}

/// A problem with a form field, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    /// The field to blame: `name`, `phone`, `email`, `agency`, or `file-{i}` for component
    /// `i`.
    pub field: String,
    /// The message in Vietnamese.
    pub vi: String,
    /// The message in English.
    pub en: String,
}

impl FormProblem {
    fn new(field: impl Into<String>, vi: impl Into<String>, en: impl Into<String>) -> Self {
        FormProblem {
            field: field.into(),
            vi: vi.into(),
            en: en.into(),
        }
    }
}

impl std::fmt::Display for FormProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.vi, self.en)
    }
}

/// The form field of component `i`.
pub fn component_field(i: u32) -> String {
    format!("file-{i}")
}

/// Every problem that keeps `draft` from being submitted: the applicant's name, a phone
/// or e-mail that is not one, no receiving agency chosen, a required component without a
/// file (the message names the component).
pub fn check_draft(draft: &Draft, offer: &OnlineOffer) -> Vec<FormProblem> {
    let mut errors = Vec::new();
    let f = &draft.form;
    if f.name.trim().is_empty() {
        errors.push(FormProblem::new(
            "name",
            "hãy nhập họ tên chủ hồ sơ",
            "enter the applicant's name",
        ));
    }
    if !f.phone.trim().is_empty() && normalise_phone(&f.phone).is_none() {
        errors.push(FormProblem::new(
            "phone",
            "số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0)",
            "the phone number is invalid (10 digits starting with 0)",
        ));
    }
    if !f.email.trim().is_empty() && !is_email(f.email.trim()) {
        errors.push(FormProblem::new(
            "email",
            "địa chỉ thư điện tử không hợp lệ",
            "the e-mail address is invalid",
        ));
    }
    if !offer
        .agencies
        .iter()
        .any(|a| a.code.as_str() == f.agency.trim())
    {
        errors.push(FormProblem::new(
            "agency",
            "hãy chọn cơ quan tiếp nhận hồ sơ",
            "choose the agency that receives the dossier",
        ));
    }
    for (i, spec) in offer.components.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        if spec.required && !draft.files.contains_key(&i) {
            errors.push(FormProblem::new(
                component_field(i),
                format!("thành phần «{}» là bắt buộc: hãy tải tệp lên", spec.name),
                format!("the component “{}” is required: upload a file", spec.name),
            ));
        }
    }
    errors
}

/// Most components a submission form offers (one upload field each).
pub const MAX_COMPONENTS: usize = 64;

fn not_found(id: &str) -> ServiceError {
    ServiceError::Store(StoreError::NotFound {
        what: format!("bản nháp / draft {id}"),
    })
}

impl Services {
    /// The signed-in applicant's account (citizens and businesses only).
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] for staff, programs and unknown accounts.
    pub async fn applicant_account(&self, acting: &Acting) -> ServiceResult<Account> {
        let account = self.find_account(&acting.actor.id).await?.ok_or_else(|| {
            ServiceError::Forbidden(
                "cần đăng nhập bằng tài khoản công dân hoặc doanh nghiệp / sign in with a citizen or business account".into(),
            )
        })?;
        if account.disabled || !matches!(account.kind, AccountKind::Citizen | AccountKind::Business)
        {
            return Err(ServiceError::Forbidden(
                "chỉ công dân và doanh nghiệp nộp hồ sơ trực tuyến / only citizens and businesses submit dossiers online".into(),
            ));
        }
        Ok(account)
    }

    /// A new form pre-filled from the account (name, phone); the only agency is chosen when
    /// there is one.
    pub async fn new_draft_form(
        &self,
        acting: &Acting,
        offer: &OnlineOffer,
    ) -> ServiceResult<DraftForm> {
        let account = self.applicant_account(acting).await?;
        Ok(DraftForm {
            name: account.name,
            phone: account.phone.unwrap_or_default(),
            email: String::new(),
            address: String::new(),
            agency: match offer.agencies.as_slice() {
                [only] => only.code.as_str().to_owned(),
                _ => String::new(),
            },
        })
    }

    /// Saves a draft of the acting applicant: creates it, or updates it at the version the
    /// form was showing.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] for accounts that do not submit; "not found" for
    /// another's draft; a conflict when it changed since; [`ServiceError::Invalid`] for a
    /// procedure not submitted online.
    pub async fn save_draft(&self, acting: &Acting, save: SaveDraft) -> ServiceResult<Draft> {
        let account = self.applicant_account(acting).await?;
        let now = self.now();
        let offer = self.offer_for(&save.procedure_code).await?;
        if let Some((&i, _)) = save
            .files
            .iter()
            .find(|(i, _)| **i as usize >= offer.components.len())
        {
            return Err(ServiceError::Invalid(format!(
                "thủ tục không có thành phần số {i} / the procedure has no component {i}"
            )));
        }
        let row = match &save.id {
            None => {
                if self.store().list_drafts(&account.id).await?.len() >= MAX_DRAFTS {
                    return Err(ServiceError::Refused(format!(
                        "đã có {MAX_DRAFTS} bản nháp; hãy xóa bớt / you already have {MAX_DRAFTS} drafts; delete some first"
                    )));
                }
                let id = crate::accounts::random_token()?
                    .chars()
                    .take(20)
                    .collect::<String>();
                let row = DraftRow {
                    id,
                    account_id: account.id.clone(),
                    procedure_code: save.procedure_code.clone(),
                    form: save.form.to_map(),
                    files: save
                        .files
                        .iter()
                        .map(|(i, f)| DraftFile {
                            component: *i,
                            file: f.clone(),
                        })
                        .collect(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                self.store().insert_draft(&row).await?
            }
            Some(id) => {
                let current = self
                    .store()
                    .find_draft(&account.id, id)
                    .await?
                    .ok_or_else(|| not_found(id))?;
                if current.procedure_code != save.procedure_code {
                    return Err(not_found(id));
                }
                let mut files: BTreeMap<u32, FileRef> = current
                    .files
                    .iter()
                    .map(|f| (f.component, f.file.clone()))
                    .collect();
                files.extend(save.files.clone());
                let row = DraftRow {
                    form: save.form.to_map(),
                    files: files
                        .into_iter()
                        .map(|(component, file)| DraftFile { component, file })
                        .collect(),
                    updated_at: now,
                    ..current
                };
                self.store()
                    .update_draft(&row, save.expected_version)
                    .await?
            }
        };
        Ok(row.into())
    }

    /// The acting applicant's drafts, last saved first.
    pub async fn drafts_of(&self, acting: &Acting) -> ServiceResult<Vec<Draft>> {
        let account = self.applicant_account(acting).await?;
        Ok(self
            .store()
            .list_drafts(&account.id)
            .await?
            .into_iter()
            .map(Draft::from)
            .collect())
    }

    /// One draft of the acting applicant.
    ///
    /// # Errors
    /// "Not found" for someone else's draft or one that is gone.
    pub async fn draft_of(&self, acting: &Acting, id: &str) -> ServiceResult<Draft> {
        let account = self.applicant_account(acting).await?;
        self.store()
            .find_draft(&account.id, id)
            .await?
            .map(Draft::from)
            .ok_or_else(|| not_found(id))
    }

    /// Deletes a draft of the acting applicant (its uploaded files stay in the store: content
    /// is shared and may be referenced elsewhere).
    pub async fn delete_draft(&self, acting: &Acting, id: &str) -> ServiceResult<()> {
        let account = self.applicant_account(acting).await?;
        Ok(self.store().delete_draft(&account.id, id, None).await?)
    }

    /// The online offer of a procedure in force, or an invalid-input error saying it is not
    /// submitted online.
    pub async fn offer_for(&self, code: &str) -> ServiceResult<OnlineOffer> {
        let not_online = || {
            ServiceError::Invalid(format!(
                "thủ tục {code} không nhận hồ sơ trực tuyến tại đây / procedure {code} is not submitted online here"
            ))
        };
        let procedure = self.public_procedure(code).await?.ok_or_else(not_online)?;
        let offer = self
            .online_offer(&procedure)
            .await?
            .ok_or_else(not_online)?;
        if offer.components.len() > MAX_COMPONENTS {
            return Err(not_online());
        }
        Ok(offer)
    }

    /// Submits a draft of the acting applicant as a dossier: channel online, the applicant
    /// being the account (its identification number), the components with their files. The
    /// dossier awaits receipt by the agency (status 1, "Mới đăng ký").
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] listing every problem ([`check_draft`]); a conflict when the
    /// draft changed since `expected_version`; "not found" for another's draft.
    pub async fn submit_draft(
        &self,
        acting: &Acting,
        id: &str,
        expected_version: i64,
    ) -> ServiceResult<Dossier> {
        let account = self.applicant_account(acting).await?;
        let row = self
            .store()
            .find_draft(&account.id, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let draft = Draft::from(row.clone());
        if draft.version != expected_version {
            return Err(ServiceError::Store(StoreError::Conflict {
                what: format!("bản nháp / draft {id}"),
                expected: expected_version,
                actual: draft.version,
            }));
        }
        let offer = self.offer_for(&draft.procedure_code).await?;
        let problems = check_draft(&draft, &offer);
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        let applicant_id = applicant_id_of(&account)?;
        // A file of the applicant's own data store, chosen or uploaded again, is a document
        // taken from it (766 indicator 4.4).
        let in_store: std::collections::HashSet<String> = self
            .data_store(acting, &applicant_id)
            .await?
            .into_iter()
            .map(|item| item.file.sha256)
            .collect();
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let components = offer
            .components
            .iter()
            .enumerate()
            .filter_map(|(i, spec)| {
                let file = draft.files.get(&u32::try_from(i).ok()?)?;
                Some(Component {
                    name: spec.name.clone(),
                    has_file: true,
                    reused: false,
                    from_data_store: in_store.contains(&file.sha256),
                    files: vec![file.clone()],
                })
            })
            .collect();
        let new = NewDossier {
            agency: draft.form.agency.trim().to_owned(),
            procedure: offer.reference.clone(),
            applicant: Applicant {
                id: applicant_id,
                name: draft.form.name.trim().to_owned(),
                phone: normalise_phone(&draft.form.phone),
                email: optional(&draft.form.email),
                address: optional(&draft.form.address),
            },
            channel: Channel::Online,
            components,
            // Level 2 is an e-ID account verified against the population database (Decree
            // 69/2024/NĐ-CP); self-registered accounts are level 1.
            eid_verified: account.eid_level >= 2,
        };
        let acting = Acting {
            channel: Channel::Online,
            ..acting.clone()
        };
        // Claim the draft first: a second submission of the same draft finds it gone.
        self.store()
            .delete_draft(&account.id, id, Some(expected_version))
            .await?;
        match self.submit_dossier(&acting, new, false).await {
            Ok(dossier) => {
                tracing::info!(dossier.code = %dossier.code(), "submitted a dossier online");
                Ok(dossier)
            }
            Err(e) => {
                if let Err(restore) = self.store().insert_draft(&row).await {
                    tracing::error!(error = %restore, "could not restore a draft after a failed submission");
                }
                Err(e)
            }
        }
    }
}
