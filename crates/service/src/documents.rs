//! Issued documents: electronic results sealed by their agency, revocation, and public
//! verification (issue 6, ADR 0013).
//!
//! Each agency seals with its own certificate. An installation without certificates from a
//! licensed authority makes its own root (the demo's) on first use and issues each agency a
//! certificate from it; `motcua keys import` records real ones instead. Private keys are
//! kept only wrapped under the master key ([`MASTER_KEY_FILE_ENV`]), never in the database.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use motcua_domain::authz::{Action, Target};
use motcua_domain::document::{
    self, CODE_CHARS, Document, DocumentEvent, DocumentKind, Issue, Verdict,
};
use motcua_domain::dossier::{Command, Decision, Dossier, DossierCode, FileRef, ResultForm};
use motcua_domain::event::EventMeta;
use motcua_domain::units::AdminUnit;
use motcua_signing::cert::{self, Subject};
use motcua_signing::{Credential, MasterKey, seal};
use motcua_storage::documents::{self, ROOT_OWNER, SigningKeyRow, VerificationRow};
use motcua_storage::{StoreError, Tx};
use rand::Rng;

use crate::accounts::authorize;
use crate::{Acting, ServiceError, ServiceResult, Services};

/// Environment variable naming the master key file (32 random bytes).
pub const MASTER_KEY_FILE_ENV: &str = "MOTCUA_MASTER_KEY_FILE";

/// Environment variable giving the public address printed in verification QR codes.
pub const PUBLIC_URL_ENV: &str = "MOTCUA_PUBLIC_URL";

/// Media type of a detached seal.
pub const SEAL_MEDIA_TYPE: &str = "application/pkcs7-signature";

/// The subject of a root authority this installation makes for itself.
fn own_root_subject() -> Subject {
    Subject {
        common_name: "motcua — Tổ chức chứng thực gốc (Root CA)".into(),
        organization: "motcua".into(),
        unit_code: None,
    }
}

/// How long certificates this installation makes stay valid.
const ROOT_YEARS: i64 = 10;
const AGENCY_YEARS: i64 = 3;

/// Where the master key lives and the address verification links point to.
#[derive(Debug)]
pub struct SigningSettings {
    master_key_file: PathBuf,
    master_key: Mutex<Option<Arc<MasterKey>>>,
    public_url: String,
}

impl SigningSettings {
    /// The key file beside the files directory (or [`MASTER_KEY_FILE_ENV`]), the address from
    /// [`PUBLIC_URL_ENV`] or `http://127.0.0.1:8080`.
    pub fn beside(files_dir: &Path) -> SigningSettings {
        let master_key_file = std::env::var_os(MASTER_KEY_FILE_ENV)
            .filter(|v| !v.is_empty())
            .map_or_else(
                || {
                    files_dir
                        .parent()
                        .unwrap_or(files_dir)
                        .join("keys")
                        .join("master.key")
                },
                PathBuf::from,
            );
        let public_url = std::env::var(PUBLIC_URL_ENV)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "http://127.0.0.1:8080".into());
        SigningSettings {
            master_key_file,
            master_key: Mutex::new(None),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The same settings with another public address.
    pub fn with_public_url(self, url: &str) -> SigningSettings {
        SigningSettings {
            public_url: url.trim_end_matches('/').to_owned(),
            ..self
        }
    }

    /// The address verification links start with.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The master key: read from its file, or made and written (owner-only) on first use.
    fn master_key(&self) -> ServiceResult<Arc<MasterKey>> {
        let mut held = self
            .master_key
            .lock()
            .map_err(|_| ServiceError::Internal("master key lock".into()))?;
        if let Some(key) = held.as_ref() {
            return Ok(key.clone());
        }
        let key = Arc::new(load_or_create_master_key(&self.master_key_file)?);
        *held = Some(key.clone());
        Ok(key)
    }
}

fn key_file_error(path: &Path, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!(
        "tệp khóa chủ / master key file {}: {e}",
        path.display()
    ))
}

fn load_or_create_master_key(path: &Path) -> ServiceResult<MasterKey> {
    match std::fs::read(path) {
        Ok(bytes) => MasterKey::from_bytes(&bytes).map_err(|e| key_file_error(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = MasterKey::generate().map_err(|e| key_file_error(path, e))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| key_file_error(path, e))?;
            }
            write_owner_only(path, &key.to_bytes()).map_err(|e| key_file_error(path, e))?;
            tracing::warn!(path = %path.display(), "made a new master key for signing keys: back it up apart from the database");
            Ok(key)
        }
        Err(e) => Err(key_file_error(path, e)),
    }
}

/// Writes a new file readable by its owner only; refuses to replace one (another process
/// may have just made its key).
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn signing_error(e: motcua_signing::SigningError) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// What the public may know of a document: who issued what and when, whether it was revoked.
/// Nothing about the person it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicDocument {
    /// The verification code.
    pub code: String,
    /// Result or certified copy.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// Its number.
    pub number: Option<String>,
    /// The issuing agency's code.
    pub agency: String,
    /// The issuing agency's name.
    pub agency_name: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The certificate that sealed it, as people read it.
    pub signer: String,
    /// SHA-256 of that certificate.
    pub certificate: String,
    /// SHA-256 of the PDF.
    pub sha256: String,
    /// When it was revoked and why.
    pub revocation: Option<(DateTime<Utc>, String)>,
}

/// The answer to a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// What was found.
    pub verdict: Verdict,
    /// The document, when one has this code or these bytes.
    pub document: Option<PublicDocument>,
}

impl Verification {
    /// No document has this code or these bytes.
    const UNKNOWN: Verification = Verification {
        verdict: Verdict::Unknown,
        document: None,
    };
}

/// How a verification reached motcua, as logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyChannel {
    /// A code typed or a QR code scanned.
    Code,
    /// A file uploaded.
    File,
    /// The JSON API.
    Api,
}

impl VerifyChannel {
    fn as_str(self) -> &'static str {
        match self {
            VerifyChannel::Code => "code",
            VerifyChannel::File => "file",
            VerifyChannel::Api => "api",
        }
    }
}

/// An agency's or a certifier's credential to seal with, and the chain to carry.
pub(crate) struct SealingKey {
    pub(crate) credential: Credential,
    pub(crate) chain: Vec<Vec<u8>>,
    pub(crate) row: SigningKeyRow,
}

/// Whose key: an agency's (its seal), or a certifier's own (Decree 45/2020/NĐ-CP art. 10(3):
/// a certified copy carries the certifier's signature beside the agency's).
pub(crate) enum KeyOwner<'a> {
    /// An agency, by identifier code.
    Agency(&'a str),
    /// A certifier of `agency`, by account id and name.
    Certifier {
        /// The account id.
        account: &'a str,
        /// The name the certificate gives.
        name: &'a str,
        /// The agency they certify for.
        agency: &'a str,
    },
}

impl KeyOwner<'_> {
    /// The owner recorded with the key.
    fn key(&self) -> String {
        match self {
            KeyOwner::Agency(code) => (*code).to_owned(),
            // A certifier who moves agency gets a certificate naming the new one.
            KeyOwner::Certifier {
                account, agency, ..
            } => format!("account:{account}@{agency}"),
        }
    }
}

impl Services {
    /// The signing settings in use.
    pub fn signing(&self) -> &SigningSettings {
        &self.signing
    }

    /// The same services with verification links to `url` (e.g. `https://motcua.example.vn`).
    pub fn with_public_url(mut self, url: &str) -> Services {
        let settings = SigningSettings::beside(self.file_store().dir()).with_public_url(url);
        self.signing = Arc::new(settings);
        self
    }

    /// The address of a document's public verification page (also its QR code).
    pub fn verification_url(&self, code: &str) -> String {
        format!("{}/xac-minh/{code}", self.signing.public_url)
    }

    pub(crate) fn meta_now(&self, acting: &Acting) -> EventMeta {
        EventMeta {
            at: self.now(),
            actor: acting.actor.clone(),
            channel: acting.channel,
            request_id: acting.request_id.clone(),
        }
    }

    /// The trusted roots' certificates, DER.
    pub async fn trusted_roots(&self) -> ServiceResult<Vec<Vec<u8>>> {
        self.store()
            .trusted_roots()
            .await?
            .iter()
            .map(|pem| cert::certificate_from_pem_or_der(pem.as_bytes()).map_err(signing_error))
            .collect()
    }

    /// Every signing key (roots and agencies), for the operator.
    pub async fn signing_keys(&self) -> ServiceResult<Vec<SigningKeyRow>> {
        Ok(self.store().signing_keys().await?)
    }

    /// The key `owner` seals with now, made (with the installation's own root, if it has
    /// none) when it has none valid. Runs in `tx`, so a key made is recorded with the seal.
    pub(crate) async fn sealing_key(
        &self,
        tx: &mut Tx,
        owner: &KeyOwner<'_>,
        meta: &EventMeta,
    ) -> ServiceResult<SealingKey> {
        let agency = &owner.key();
        let master = self.signing.master_key()?;
        let now = meta.at;
        let usable = |k: &SigningKeyRow| {
            k.retired_at.is_none()
                && k.wrapped_key.is_some()
                && k.not_before <= now
                && now < k.not_after
        };
        let roots = documents::keys_of_in(tx, ROOT_OWNER).await?;
        if let Some(row) = documents::keys_of_in(tx, agency)
            .await?
            .into_iter()
            .find(usable)
        {
            let credential = self.unwrap_credential(&master, &row)?;
            let issuer = cert::certificate_info(&credential.certificate)
                .map_err(signing_error)?
                .issuer;
            let chain = roots
                .iter()
                .filter(|r| r.subject == issuer)
                .filter_map(|r| cert::certificate_from_pem_or_der(r.certificate.as_bytes()).ok())
                .collect();
            return Ok(SealingKey {
                credential,
                chain,
                row,
            });
        }
        // No key: this installation certifies its agencies itself.
        // Only this installation's own roots have a private key here.
        let root = match roots
            .into_iter()
            .find(|r| usable(r) && r.master_key_id.as_deref() == Some(master.id().as_str()))
        {
            Some(row) => self.unwrap_credential(&master, &row)?,
            None => {
                let credential = cert::new_authority(
                    &own_root_subject(),
                    serial(),
                    now - Duration::hours(1),
                    now + Duration::days(365 * ROOT_YEARS),
                )
                .map_err(signing_error)?;
                self.record_credential(tx, &master, ROOT_OWNER, &credential, meta)
                    .await?;
                credential
            }
        };
        let subject = match owner {
            KeyOwner::Agency(code) => {
                let found = self.existing_agency(code).await?;
                Subject {
                    common_name: found.agency.name.clone(),
                    organization: match self.unit_of(&found.agency).await {
                        Some(unit) => unit.committee_name(),
                        None => found.agency.name.clone(),
                    },
                    unit_code: Some((*code).to_owned()),
                }
            }
            KeyOwner::Certifier { name, agency, .. } => Subject {
                common_name: (*name).to_owned(),
                organization: self.existing_agency(agency).await?.agency.name,
                unit_code: None,
            },
        };
        let credential = cert::issue(
            &root,
            &own_root_subject(),
            &subject,
            serial(),
            now - Duration::hours(1),
            now + Duration::days(365 * AGENCY_YEARS),
        )
        .map_err(signing_error)?;
        let row = self
            .record_credential(tx, &master, agency, &credential, meta)
            .await?;
        Ok(SealingKey {
            credential,
            chain: vec![root.certificate],
            row,
        })
    }

    fn unwrap_credential(
        &self,
        master: &MasterKey,
        row: &SigningKeyRow,
    ) -> ServiceResult<Credential> {
        if row.master_key_id.as_deref() != Some(&master.id()) {
            return Err(ServiceError::Internal(format!(
                "khóa ký {} được mã hóa bằng khóa chủ khác ({}) / key {} was wrapped with another master key ({})",
                row.fingerprint,
                row.master_key_id.as_deref().unwrap_or("-"),
                row.fingerprint,
                row.master_key_id.as_deref().unwrap_or("-"),
            )));
        }
        let wrapped = row
            .wrapped_key
            .as_deref()
            .and_then(motcua_signing::from_hex)
            .ok_or_else(|| ServiceError::Internal(format!("key {}: no key", row.fingerprint)))?;
        let private_key = master
            .unwrap(&wrapped, &wrap_context(&row.owner, &row.fingerprint))
            .map_err(signing_error)?;
        Ok(Credential {
            certificate: cert::certificate_from_pem_or_der(row.certificate.as_bytes())
                .map_err(signing_error)?,
            private_key,
        })
    }

    /// Records `credential` (or, without a private key, a trusted root) for `owner`.
    async fn record_credential(
        &self,
        tx: &mut Tx,
        master: &MasterKey,
        owner: &str,
        credential: &Credential,
        meta: &EventMeta,
    ) -> ServiceResult<SigningKeyRow> {
        let info = cert::certificate_info(&credential.certificate).map_err(signing_error)?;
        let wrapped = if credential.private_key.is_empty() {
            None
        } else {
            Some(motcua_signing::to_hex(
                &master
                    .wrap(
                        &credential.private_key,
                        &wrap_context(owner, &info.fingerprint),
                    )
                    .map_err(signing_error)?,
            ))
        };
        let row = SigningKeyRow {
            fingerprint: info.fingerprint,
            owner: owner.to_owned(),
            certificate: cert::to_pem(&credential.certificate),
            master_key_id: wrapped.as_ref().map(|_| master.id()),
            wrapped_key: wrapped,
            subject: info.subject,
            not_before: info.not_before,
            not_after: info.not_after,
            created_at: meta.at,
            retired_at: None,
        };
        documents::create_key(tx, &row, meta).await?;
        Ok(row)
    }

    /// Imports an agency's certificate and private key from a licensed authority, with the
    /// authority's root(s) as trusted roots; the agency's earlier keys are retired (they keep
    /// verifying what they sealed). Installation-wide: for the system administrator.
    pub async fn import_signing_key(
        &self,
        acting: &Acting,
        agency: &str,
        credential: &Credential,
        roots: &[Vec<u8>],
    ) -> ServiceResult<SigningKeyRow> {
        self.principal_in(None, acting)
            .await
            .and_then(|p| authorize(&p, Action::ManageUnits, &Target::agency(agency)))?;
        cert::check_credential(credential).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        self.existing_agency(agency).await?;
        let master = self.signing.master_key()?;
        let meta = self.meta_now(acting);
        let now = meta.at;
        // The chain must verify before anything is recorded.
        let probe = seal::seal(b"probe", credential, &[], now).map_err(signing_error)?;
        seal::verify(b"probe", &probe, roots, now)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let mut tx = self.store().begin().await?;
        let known: Vec<String> = documents::keys_of_in(&mut tx, ROOT_OWNER)
            .await?
            .into_iter()
            .map(|k| k.fingerprint)
            .collect();
        for root in roots {
            let root_credential = Credential {
                certificate: root.clone(),
                private_key: Vec::new(),
            };
            if !known.contains(&motcua_signing::sha256_hex(root)) {
                self.record_credential(&mut tx, &master, ROOT_OWNER, &root_credential, &meta)
                    .await?;
            }
        }
        for old in documents::keys_of_in(&mut tx, agency).await? {
            if old.retired_at.is_none() {
                documents::retire_key(&mut tx, &old.fingerprint, &meta).await?;
            }
        }
        let row = self
            .record_credential(&mut tx, &master, agency, credential, &meta)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Rotates `agency`'s key: retires it, so the next seal makes (or needs) a new one.
    pub async fn rotate_signing_key(
        &self,
        acting: &Acting,
        agency: &str,
    ) -> ServiceResult<SigningKeyRow> {
        self.principal_in(None, acting)
            .await
            .and_then(|p| authorize(&p, Action::ManageUnits, &Target::agency(agency)))?;
        let meta = self.meta_now(acting);
        let mut tx = self.store().begin().await?;
        for old in documents::keys_of_in(&mut tx, agency).await? {
            if old.retired_at.is_none() {
                documents::retire_key(&mut tx, &old.fingerprint, &meta).await?;
            }
        }
        let key = self
            .sealing_key(&mut tx, &KeyOwner::Agency(agency), &meta)
            .await?;
        tx.commit().await?;
        Ok(key.row)
    }

    /// The unit an agency serves (its People's Committee heads the documents), if known.
    pub(crate) async fn unit_of(&self, agency: &motcua_domain::units::Agency) -> Option<AdminUnit> {
        self.unit_details(&agency.unit, None)
            .await
            .ok()
            .map(|d| d.unit)
    }

    /// Issues the result of dossier `code` electronically: renders the result document,
    /// seals it with the agency's key, stores both, and records the dossier's `result_issued`
    /// and the document's `issued` in one transaction. `text` adds paragraphs to the standard
    /// wording.
    pub async fn issue_electronic_result(
        &self,
        acting: &Acting,
        code: &DossierCode,
        number: Option<String>,
        text: &str,
        expected_version: Option<i64>,
    ) -> ServiceResult<(Dossier, Document)> {
        let dossier = self.find_dossier(code).await?;
        let principal = self.principal_in(None, acting).await?;
        authorize(
            &principal,
            Action::DecideDossier,
            &Target::of_dossier(&dossier),
        )?;
        let Some(decision) = dossier.decision.clone() else {
            return Err(ServiceError::Refused(
                "hồ sơ chưa có quyết định giải quyết / the dossier has no decision yet".into(),
            ));
        };
        let number = number
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if number.as_ref().is_some_and(|n| n.chars().count() > 60) {
            return Err(ServiceError::Invalid(
                "số văn bản dài quá 60 ký tự / the document number is over 60 characters".into(),
            ));
        }
        let agency = &dossier.submission.agency;
        let found = self.existing_agency(agency).await?;
        let unit = self.unit_of(&found.agency).await;
        let signer_name = match self.find_account(&acting.actor.id).await? {
            Some(a) => a.name,
            None => acting.actor.id.clone(),
        };
        let meta = self.meta_now(acting);
        let verification_code =
            document::verification_code(rand::rng().random::<[u8; CODE_CHARS]>());
        let url = self.verification_url(&verification_code);
        let local = meta.at.with_timezone(&crate::portal::VIETNAM);
        let received = dossier
            .received_at
            .unwrap_or(meta.at)
            .with_timezone(&crate::portal::VIETNAM);
        let submission = &dossier.submission;
        let applicant = &submission.applicant.name;
        let mut paragraphs = vec![format!(
            "Căn cứ hồ sơ số {code} của {applicant} tiếp nhận ngày {} đề nghị giải quyết thủ tục hành chính “{}” (mã {});",
            received.format("%d/%m/%Y"),
            submission.procedure.name,
            submission.procedure.code,
        )];
        let title = match &decision {
            Decision::Approved => {
                paragraphs.push(format!(
                    "{} chấp thuận đề nghị của {applicant}. Văn bản này là kết quả giải quyết thủ tục hành chính nêu trên dưới dạng điện tử, được ký số bởi cơ quan giải quyết và có giá trị pháp lý như văn bản giấy.",
                    found.agency.name
                ));
                "Kết quả giải quyết thủ tục hành chính"
            }
            Decision::Refused { reasons } => {
                paragraphs.push(format!(
                    "{} không giải quyết đề nghị của {applicant} vì lý do sau: {reasons}",
                    found.agency.name
                ));
                "Thông báo từ chối giải quyết hồ sơ"
            }
        };
        paragraphs.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
        let (governing, place) = match &unit {
            Some(u) => (u.committee_name(), u.name.clone()),
            None => (String::new(), String::new()),
        };
        let number_text = number.clone().unwrap_or_else(|| verification_code.clone());
        let pdf = motcua_pdf::render_result(&motcua_pdf::ResultDocument {
            governing_body: &governing.to_uppercase(),
            issuer: &found.agency.name.to_uppercase(),
            number: &number_text,
            place: &place,
            issued_at: local.fixed_offset(),
            title,
            procedure: &submission.procedure.name,
            procedure_code: &submission.procedure.code,
            dossier_code: &code.to_string(),
            recipient: applicant,
            paragraphs: &paragraphs,
            signer_title: "Thủ trưởng cơ quan",
            signer_name: &signer_name,
            verification_code: &verification_code,
            verification_url: &url,
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        // The key first, in a transaction of its own: making one looks the agency up with a
        // second connection, which a held transaction could leave waiting for the pool.
        let sealing = {
            let mut tx = self.store().begin().await?;
            let key = self
                .sealing_key(&mut tx, &KeyOwner::Agency(agency), &meta)
                .await?;
            tx.commit().await?;
            key
        };
        let p7s = seal::seal(&pdf, &sealing.credential, &sealing.chain, meta.at)
            .map_err(signing_error)?;
        let mut tx = self.dossier_tx();
        let dossier = tx
            .act(
                acting,
                code,
                Command::IssueResult {
                    form: ResultForm::Electronic,
                    number: number.clone(),
                },
                expected_version,
                meta.at,
            )
            .await?;
        let (file, seal) = self
            .store_sealed(
                tx.raw().await?,
                pdf,
                p7s,
                &format!("ket-qua-{code}.pdf"),
                meta.at,
            )
            .await?;
        let issue = Issue {
            code: verification_code,
            kind: DocumentKind::Result,
            agency: agency.clone(),
            dossier: Some(code.to_string()),
            title: title.to_owned(),
            number,
            file,
            seal,
            certificate: sealing.row.fingerprint.clone(),
            signer: sealing.row.subject.clone(),
            certification: None,
        };
        let event = DocumentEvent::Issued(Box::new(issue));
        let state = document::apply(None, &event, meta.at, &acting.actor.id)
            .map_err(|e| ServiceError::Refused(e.to_string()))?;
        documents::record(tx.raw().await?, 0, &[event], &state, &meta).await?;
        tx.commit().await?;
        tracing::info!(document = %state.issue.code, dossier = %code, key = %sealing.row.fingerprint, "sealed an electronic result");
        Ok((dossier, state))
    }

    /// Stores a sealed PDF and its seal, indexed in `tx` (the transaction that records the
    /// document); their references, the PDF named `file_name`.
    pub(crate) async fn store_sealed(
        &self,
        tx: &mut Tx,
        pdf: Vec<u8>,
        p7s: Vec<u8>,
        file_name: &str,
        at: DateTime<Utc>,
    ) -> ServiceResult<(FileRef, FileRef)> {
        let (pdf_size, p7s_size) = (pdf.len() as u64, p7s.len() as u64);
        let files = self.file_store();
        let pdf_sha256 = files.put_in(tx, pdf, "application/pdf", at).await?;
        let p7s_sha256 = files.put_in(tx, p7s, SEAL_MEDIA_TYPE, at).await?;
        Ok((
            FileRef {
                sha256: pdf_sha256,
                name: file_name.to_owned(),
                media_type: "application/pdf".into(),
                size: pdf_size,
            },
            FileRef {
                sha256: p7s_sha256,
                name: format!("{file_name}.p7s"),
                media_type: SEAL_MEDIA_TYPE.into(),
                size: p7s_size,
            },
        ))
    }

    /// Revokes document `code` for `reason`: for a leader of the issuing agency.
    pub async fn revoke_document(
        &self,
        acting: &Acting,
        code: &str,
        reason: &str,
    ) -> ServiceResult<Document> {
        let code = document::parse_verification_code(code).ok_or_else(not_a_code)?;
        let principal = self.principal_in(None, acting).await?;
        let meta = self.meta_now(acting);
        let mut tx = self.store().begin().await?;
        let current = documents::find_in(&mut tx, &code)
            .await?
            .ok_or_else(|| document_not_found(&code))?;
        authorize(
            &principal,
            Action::DecideDossier,
            &Target::agency(&current.issue.agency),
        )?;
        let event =
            document::revoke(&current, reason).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let state = document::apply(Some(current.clone()), &event, meta.at, &acting.actor.id)
            .map_err(|e| ServiceError::Refused(e.to_string()))?;
        documents::record(&mut tx, current.version, &[event], &state, &meta).await?;
        tx.commit().await?;
        Ok(state)
    }

    /// The documents issued for a dossier `acting` may read.
    pub async fn dossier_documents(
        &self,
        acting: &Acting,
        code: &DossierCode,
    ) -> ServiceResult<Vec<Document>> {
        self.dossier_for(acting, code).await?;
        Ok(self.store().documents_of_dossier(&code.to_string()).await?)
    }

    /// Checks the document with verification code `input` (as typed), and logs the check.
    pub async fn verify_code(
        &self,
        acting: Option<&Acting>,
        input: &str,
        channel: VerifyChannel,
    ) -> ServiceResult<Verification> {
        let code = document::parse_verification_code(input).ok_or_else(not_a_code)?;
        let Some(doc) = self.store().find_document(&code).await? else {
            return Ok(Verification::UNKNOWN);
        };
        let pdf = self.file_store().read(&doc.issue.file.sha256).await?;
        self.verify_document(acting, doc, &pdf, channel).await
    }

    /// Checks an uploaded file: genuine if it is, byte for byte, a document motcua issued
    /// and its seal verifies.
    pub async fn verify_file(
        &self,
        acting: Option<&Acting>,
        bytes: &[u8],
        channel: VerifyChannel,
    ) -> ServiceResult<Verification> {
        let sha256 = motcua_signing::sha256_hex(bytes);
        let Some(doc) = self
            .store()
            .documents_with_file(&sha256)
            .await?
            .into_iter()
            .last()
        else {
            return Ok(Verification::UNKNOWN);
        };
        self.verify_document(acting, doc, bytes, channel).await
    }

    async fn verify_document(
        &self,
        acting: Option<&Acting>,
        doc: Document,
        pdf: &[u8],
        channel: VerifyChannel,
    ) -> ServiceResult<Verification> {
        let now = self.now();
        let p7s = self.file_store().read(&doc.issue.seal.sha256).await?;
        let roots = self.trusted_roots().await?;
        let verdict = match seal::verify_jointly(pdf, &p7s, &roots, now)
            .map_err(|e| e.to_string())
            .and_then(|signers| expected_signers(&doc, &signers))
        {
            Err(reason) => Verdict::NotGenuine { reason },
            Ok(()) => match &doc.revocation {
                Some(r) => Verdict::Revoked {
                    at: r.at,
                    reason: r.reason.clone(),
                },
                None => Verdict::Genuine,
            },
        };
        // The generator is not Send: draw before awaiting.
        let id = motcua_signing::to_hex(&rand::rng().random::<[u8; 12]>());
        self.store()
            .log_verification(&VerificationRow {
                id,
                code: doc.issue.code.clone(),
                verified_at: now,
                channel: channel.as_str().to_owned(),
                verdict: verdict.as_str().to_owned(),
                account_id: acting.map(|a| a.actor.id.clone()),
            })
            .await?;
        let agency_name = match self.agency(&doc.issue.agency).await? {
            Some(a) => a.agency.name,
            None => doc.issue.agency.clone(),
        };
        Ok(Verification {
            verdict,
            document: Some(PublicDocument {
                code: doc.issue.code,
                kind: doc.issue.kind,
                title: doc.issue.title,
                number: doc.issue.number,
                agency: doc.issue.agency,
                agency_name,
                issued_at: doc.issued_at,
                signer: doc.issue.signer,
                certificate: doc.issue.certificate,
                sha256: doc.issue.file.sha256,
                revocation: doc.revocation.map(|r| (r.at, r.reason)),
            }),
        })
    }

    /// Who checked a document of a dossier `acting` may read: newest first, at most `limit`,
    /// and how many checks in all.
    pub async fn document_verifications(
        &self,
        acting: &Acting,
        code: &str,
        limit: i64,
    ) -> ServiceResult<(Vec<VerificationRow>, i64)> {
        let code = document::parse_verification_code(code).ok_or_else(not_a_code)?;
        let doc = self
            .store()
            .find_document(&code)
            .await?
            .ok_or_else(|| document_not_found(&code))?;
        let Some(dossier) = doc.issue.dossier.as_deref() else {
            return Err(document_not_found(&code));
        };
        let dossier: DossierCode = dossier.parse().map_err(|_| document_not_found(&code))?;
        self.dossier_for(acting, &dossier).await?;
        Ok(self.store().verifications_of(&code, limit).await?)
    }
}

/// The seal must be by the certificates the document records: the agency's, and for a
/// certified copy the certifier's too; a seal by others, however valid, is not this document's.
fn expected_signers(doc: &Document, signers: &[seal::Sealed]) -> Result<(), String> {
    let expected = std::iter::once(&doc.issue.certificate).chain(
        doc.issue
            .certification
            .as_ref()
            .map(|c| &c.certifier_certificate),
    );
    let expected: Vec<&String> = expected.collect();
    if signers.len() != expected.len() {
        return Err(format!(
            "tài liệu có {} chữ ký, khi cấp ghi {} / the document carries {} signatures, its issue recorded {}",
            signers.len(),
            expected.len(),
            signers.len(),
            expected.len()
        ));
    }
    for fingerprint in expected {
        if !signers.iter().any(|s| &s.signer.fingerprint == fingerprint) {
            return Err(format!(
                "tài liệu không được ký bằng chứng thư số đã ghi khi cấp ({fingerprint}) / the document is not sealed by the certificate recorded at issue ({fingerprint})"
            ));
        }
    }
    Ok(())
}

fn not_a_code() -> ServiceError {
    ServiceError::Invalid(format!(
        "mã xác minh gồm {CODE_CHARS} chữ và số, dạng XXXX-XXXX-XXXX / a verification code has {CODE_CHARS} letters and digits, as XXXX-XXXX-XXXX"
    ))
}

fn document_not_found(code: &str) -> ServiceError {
    ServiceError::Store(StoreError::NotFound {
        what: format!("tài liệu / document {code}"),
    })
}

fn wrap_context(owner: &str, fingerprint: &str) -> String {
    format!("motcua signing key/{owner}/{fingerprint}")
}

fn serial() -> u64 {
    // Positive and at most 63 bits, as RFC 5280 serials must be.
    rand::rng().random::<u64>() >> 1
}
