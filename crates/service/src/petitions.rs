//! Feedback and petitions (phản ánh, kiến nghị): sent by anyone, handled by the staff of the
//! addressed agency, answers published. The rules and deadlines are the domain's
//! ([`motcua_domain::petition`]); this module adds who may do what, codes and storage.
//!
//! Permissions use the dossier actions of [`motcua_domain::authz`] on the addressed agency
//! (there is no petition action yet): listing needs [`Action::ListWorklist`], reading
//! [`Action::ReadDossier`], handling (reject, ask, answer, publish) any of
//! [`Action::ReceiveDossier`], [`Action::ProcessDossier`] or [`Action::DecideDossier`] — so
//! desk officers, specialists and leaders of that agency handle its petitions, system
//! administrators only read them.

use motcua_domain::authz::{self, Action, Principal, Scope, Target};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::petition::{
    Petition, PetitionAbout, PetitionClass, PetitionCommand, PetitionContact, PetitionContext,
    PetitionError, PetitionFieldError, PetitionStatus, PetitionSubmission, check_submission,
    decide,
};
use motcua_domain::units::Agency;
use motcua_storage::StoreError;
use motcua_storage::petitions::{self as store_petitions, PetitionQuery};
use rand::Rng;

use crate::accounts::is_account_id;
use crate::{Acting, ServiceError, ServiceResult, Services};

impl From<PetitionError> for ServiceError {
    fn from(e: PetitionError) -> Self {
        match e {
            PetitionError::Invalid(m) => ServiceError::Invalid(m),
            other => ServiceError::Refused(other.to_string()),
        }
    }
}

/// Actions that handle a petition (any one suffices).
const HANDLE: [Action; 3] = [
    Action::ReceiveDossier,
    Action::ProcessDossier,
    Action::DecideDossier,
];

/// What a petition is about, as a form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AboutInput {
    /// A procedure, by its code.
    Procedure(String),
    /// An officer, by name or description.
    Officer(String),
    /// The agency itself.
    Agency,
}

/// A petition as a form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPetition {
    /// Identifier code of the addressed agency.
    pub agency: String,
    /// Rules and procedures, or staff behaviour.
    pub class: PetitionClass,
    /// What it is about.
    pub about: AboutInput,
    /// Short title.
    pub title: String,
    /// The petition.
    pub content: String,
    /// How to reach the sender.
    pub contact: PetitionContact,
}

/// The actor of someone without an account: recorded as a member of the public acting
/// online.
pub fn public_acting(request_id: Option<String>) -> Acting {
    Acting {
        actor: Actor {
            id: "public:anonymous".into(),
            role: Role::Citizen,
            agency: None,
        },
        channel: Channel::Online,
        request_id,
    }
}

/// Letters and digits that cannot be misread on paper (no 0/O, 1/I/L), as receipts use.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

fn not_found(code: &str) -> ServiceError {
    ServiceError::Store(StoreError::NotFound {
        what: format!("phản ánh / petition {code}"),
    })
}

impl Services {
    /// Agencies a petition may be addressed to: those registered and valid today, by name.
    pub async fn petition_agencies(&self) -> ServiceResult<Vec<Agency>> {
        let today = self.local_today();
        let mut agencies: Vec<Agency> = self
            .agencies(None)
            .await?
            .into_iter()
            .map(|s| s.agency)
            .filter(|a| {
                a.valid_from.is_none_or(|f| f <= today) && a.valid_to.is_none_or(|t| t >= today)
            })
            .collect();
        agencies.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(agencies)
    }

    /// Every problem with a petition as a form gives it, by field: the domain's checks,
    /// plus an agency that is not registered and a procedure that is not in the catalogue.
    pub async fn check_petition(
        &self,
        new: &NewPetition,
    ) -> ServiceResult<Vec<PetitionFieldError>> {
        let (submission, mut problems) = self.petition_submission(new, None).await?;
        problems.extend(check_submission(&submission));
        Ok(problems)
    }

    async fn petition_submission(
        &self,
        new: &NewPetition,
        account: Option<String>,
    ) -> ServiceResult<(PetitionSubmission, Vec<PetitionFieldError>)> {
        let mut problems = Vec::new();
        let agency = new.agency.trim().to_owned();
        if !agency.is_empty() && self.store().find_agency(&agency).await?.is_none() {
            problems.push(PetitionFieldError {
                field: "agency",
                vi: "cơ quan này không có trong hệ thống".into(),
                en: "this agency is not registered".into(),
            });
        }
        let about = match &new.about {
            AboutInput::Procedure(code) => {
                let code = code.trim().to_owned();
                let name = match self.public_procedure(&code).await? {
                    Some(p) => p.name,
                    None => {
                        if !code.is_empty() {
                            problems.push(PetitionFieldError {
                                field: "procedure",
                                vi: format!("không có thủ tục mã {code}"),
                                en: format!("there is no procedure {code}"),
                            });
                        }
                        String::new()
                    }
                };
                PetitionAbout::Procedure { code, name }
            }
            AboutInput::Officer(name) => PetitionAbout::Officer {
                name: name.trim().to_owned(),
            },
            AboutInput::Agency => PetitionAbout::Agency,
        };
        let submission = PetitionSubmission {
            code: String::new(),
            agency,
            class: new.class,
            about,
            title: new.title.trim().to_owned(),
            content: new.content.trim().to_owned(),
            contact: PetitionContact {
                name: new.contact.name.trim().to_owned(),
                phone: new.contact.phone.clone(),
                email: new.contact.email.clone(),
                address: new
                    .contact
                    .address
                    .as_deref()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
            },
            account,
        };
        Ok((submission, problems))
    }

    /// A new code `PA-YYMMDD-XXXXXXXX`: the date of receipt and 8 random characters
    /// (31⁸ ≈ 8.5 × 10¹¹), so the code alone lets its holder follow the petition.
    fn petition_code(&self) -> String {
        let mut rng = rand::rng();
        let random: String = (0..8)
            .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
            .collect();
        format!(
            "PA-{}-{random}",
            self.now()
                .with_timezone(&crate::portal::VIETNAM)
                .format("%y%m%d")
        )
    }

    /// Receives a petition from anyone: `acting` is the signed-in account (recorded as the
    /// sender) or [`public_acting`]. Deadlines are fixed on the addressed agency's calendar.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming every field that is wrong.
    pub async fn submit_petition(
        &self,
        acting: &Acting,
        new: NewPetition,
    ) -> ServiceResult<Petition> {
        let account = is_account_id(&acting.actor.id).then(|| acting.actor.id.clone());
        let (mut submission, mut problems) = self.petition_submission(&new, account).await?;
        problems.extend(check_submission(&submission));
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(
                problems
                    .iter()
                    .map(|p| format!("{}: {} / {}", p.field, p.vi, p.en))
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        let calendar = self.agency_calendar(&submission.agency).await?;
        let rules = self.petition_rules();
        // A clash of random codes is a unique violation: draw again.
        let mut attempts = 0;
        loop {
            attempts += 1;
            submission.code = self.petition_code();
            let ctx = PetitionContext {
                now: self.now(),
                calendar: &calendar,
                rules: &rules,
            };
            let (events, state) = decide(
                None,
                &PetitionCommand::Submit(Box::new(submission.clone())),
                &ctx,
            )?;
            let mut tx = self.store().begin().await?;
            match store_petitions::record(&mut tx, 0, &events, &state, &self.meta(acting)).await {
                Ok(()) => {
                    tx.commit().await?;
                    tracing::info!(petition.code = %state.code(), petition.agency = %state.submission.agency, "received a petition");
                    return Ok(state);
                }
                Err(StoreError::Duplicate { .. }) if attempts < 3 => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// A petition by its code, for whoever holds the code (the sender's lookup).
    ///
    /// # Errors
    /// "Not found".
    pub async fn petition_by_code(&self, code: &str) -> ServiceResult<Petition> {
        let code = code.trim().to_uppercase();
        self.store()
            .find_petition(&code)
            .await?
            .ok_or_else(|| not_found(&code))
    }

    /// The petitions the acting account sent, newest first, optionally of some statuses.
    pub async fn petitions_of(
        &self,
        acting: &Acting,
        statuses: &[PetitionStatus],
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Petition>, i64)> {
        if !is_account_id(&acting.actor.id) {
            return Ok((Vec::new(), 0));
        }
        Ok(self
            .store()
            .list_petitions(&PetitionQuery {
                account: Some(acting.actor.id.clone()),
                statuses: statuses.iter().map(|s| s.as_str().to_owned()).collect(),
                limit,
                offset,
                ..PetitionQuery::default()
            })
            .await?)
    }

    /// Published answers, most recent first: public to everyone.
    pub async fn published_petitions(
        &self,
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Petition>, i64)> {
        Ok(self
            .store()
            .list_petitions(&PetitionQuery {
                published_only: true,
                limit,
                offset,
                ..PetitionQuery::default()
            })
            .await?)
    }

    /// The sender gives the information asked for, with the petition's code (which only
    /// the sender holds) — signed in or not.
    pub async fn provide_petition_supplement(
        &self,
        acting: &Acting,
        code: &str,
        text: &str,
    ) -> ServiceResult<Petition> {
        let code = code.trim().to_uppercase();
        self.change_petition(
            acting,
            &code,
            PetitionCommand::ProvideSupplement {
                text: text.to_owned(),
            },
            None,
            |_, _| Ok(()),
        )
        .await
    }

    /// The petitions addressed to the staff member's agency (all of them for a system
    /// administrator), oldest answer deadline first, optionally of some statuses.
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`] for accounts without a worklist.
    pub async fn agency_petitions(
        &self,
        acting: &Acting,
        statuses: &[PetitionStatus],
        limit: i64,
        offset: i64,
    ) -> ServiceResult<(Vec<Petition>, i64)> {
        let principal = self.principal(acting).await?;
        let agency = match &principal.scope {
            Scope::Agency(agency) => {
                let target = self.agency_target(agency).await?;
                authorize(&principal, &[Action::ListWorklist], &target)?;
                Some(agency.clone())
            }
            Scope::Everywhere => {
                authorize(&principal, &[Action::ListWorklist], &Target::INSTALLATION)?;
                None
            }
            _ => {
                return Err(ServiceError::Forbidden(
                    "chỉ cán bộ của cơ quan xem phản ánh gửi cơ quan / only an agency's staff see its petitions".into(),
                ));
            }
        };
        Ok(self
            .store()
            .list_petitions(&PetitionQuery {
                agency,
                statuses: statuses.iter().map(|s| s.as_str().to_owned()).collect(),
                limit,
                offset,
                ..PetitionQuery::default()
            })
            .await?)
    }

    /// One petition, if the staff member may read it; out of scope it answers "not found",
    /// so its existence does not leak.
    pub async fn petition_for_staff(&self, acting: &Acting, code: &str) -> ServiceResult<Petition> {
        let principal = self.principal(acting).await?;
        let petition = self.petition_by_code(code).await?;
        let target = self.petition_target(&petition).await?;
        match authz::authorize(&principal, Action::ReadDossier, &target) {
            Ok(()) => Ok(petition),
            Err(_) => Err(not_found(code)),
        }
    }

    /// Staff of the addressed agency reject, ask for more information, answer or publish.
    /// With `expected_version`, refuses if the petition changed since the form was shown.
    ///
    /// # Errors
    /// "Not found" out of scope; [`ServiceError::Forbidden`] for a role that does not
    /// handle; a refusal for a step the status does not allow.
    pub async fn act_on_petition(
        &self,
        acting: &Acting,
        code: &str,
        command: PetitionCommand,
        expected_version: Option<i64>,
    ) -> ServiceResult<Petition> {
        if matches!(
            command,
            PetitionCommand::Submit(_) | PetitionCommand::ProvideSupplement { .. }
        ) {
            return Err(ServiceError::Invalid(
                "cán bộ không gửi hay bổ sung phản ánh thay người dân / staff neither send nor complete petitions for the sender".into(),
            ));
        }
        // Visible first (404 out of scope), then allowed to handle (403 by role).
        self.petition_for_staff(acting, code).await?;
        let principal = self.principal(acting).await?;
        self.change_petition(acting, code, command, expected_version, |_, target| {
            authorize(&principal, &HANDLE, target)
        })
        .await
    }

    async fn petition_target(&self, petition: &Petition) -> ServiceResult<Target> {
        match self.agency_target(&petition.submission.agency).await {
            Ok(target) => Ok(target),
            Err(ServiceError::Store(StoreError::NotFound { .. })) => {
                Ok(Target::agency(&petition.submission.agency))
            }
            Err(e) => Err(e),
        }
    }

    /// Loads, checks, decides and records one command in one transaction.
    async fn change_petition(
        &self,
        acting: &Acting,
        code: &str,
        command: PetitionCommand,
        expected_version: Option<i64>,
        allowed: impl FnOnce(&Petition, &Target) -> ServiceResult<()>,
    ) -> ServiceResult<Petition> {
        let current = self.petition_by_code(code).await?;
        let target = self.petition_target(&current).await?;
        allowed(&current, &target)?;
        let calendar = self.agency_calendar(&current.submission.agency).await?;
        let rules = self.petition_rules();
        let mut tx = self.store().begin().await?;
        let current = store_petitions::find_in(&mut tx, &current.submission.code)
            .await?
            .ok_or_else(|| not_found(code))?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(ServiceError::Store(StoreError::Conflict {
                what: format!("phản ánh / petition {code}"),
                expected,
                actual: current.version,
            }));
        }
        let ctx = PetitionContext {
            now: self.now(),
            calendar: &calendar,
            rules: &rules,
        };
        let (events, state) = decide(Some(&current), &command, &ctx)?;
        store_petitions::record(
            &mut tx,
            current.version,
            &events,
            &state,
            &self.meta(acting),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(petition.code = %state.code(), petition.status = state.status.as_str(), "petition changed");
        Ok(state)
    }
}

fn authorize(principal: &Principal, actions: &[Action], target: &Target) -> ServiceResult<()> {
    authz::authorize_any(principal, actions, target)
        .map_err(|d| ServiceError::Forbidden(d.to_string()))
}
