//! Electronic certified copies from originals (chứng thực bản sao điện tử từ bản chính,
//! Decree 45/2020/NĐ-CP art. 10(3); regulations.md §4), as the result of a dossier of a
//! same-day certification procedure such as `2.000815`.
//!
//! The requester presents the original; its scan is the dossier's files (scanned at the
//! desk, or uploaded online and checked against the original), or what the certifier scans
//! now. The certifier's certification makes the copy: the scan with the certification
//! statement, its number in the agency's certification register of the year, sealed jointly
//! by the certifier's own certificate and the agency's, and the fee counted on its pages.
//! The dossier's `processing_finished` and `result_issued` and the copy's `issued` are
//! recorded in one transaction with the register number.

use chrono::Datelike as _;
use motcua_domain::authz::{Action, Target};
use motcua_domain::document::{
    self, CODE_CHARS, Certification, CertificationFees, Document, DocumentEvent, DocumentKind,
    Issue,
};
use motcua_domain::dossier::{Command, Decision, Dossier, DossierCode, ResultForm};
use motcua_signing::seal;
use motcua_storage::documents;
use rand::Rng;

use crate::accounts::authorize;
use crate::documents::KeyOwner;
use crate::files::{Upload, check_upload};
use crate::{Acting, ServiceError, ServiceResult, Services};

/// Longest name of the original kept.
const MAX_ORIGINAL_CHARS: usize = 200;

/// What the certifier certifies.
#[derive(Debug, Clone, Default)]
pub struct CopyRequest {
    /// What the original is, e.g. "Giấy khai sinh".
    pub original: String,
    /// The original as the certifier scanned it now; when empty, the dossier's own files are
    /// the scan.
    pub scans: Vec<Upload>,
}

impl Services {
    /// The fee schedule of certified copies in force.
    pub fn certification_fees(&self) -> CertificationFees {
        self.certification_fees
    }

    /// The same services with another fee schedule for certified copies.
    pub fn with_certification_fees(mut self, fees: CertificationFees) -> Services {
        self.certification_fees = fees;
        self
    }

    /// Certifies the copy that dossier `code` asks for: for a leader of its agency (the
    /// certifier, who signs), on a dossier of a same-day certification procedure that has
    /// no decision yet.
    pub async fn certify_copy(
        &self,
        acting: &Acting,
        code: &DossierCode,
        request: CopyRequest,
        expected_version: Option<i64>,
    ) -> ServiceResult<(Dossier, Document)> {
        let dossier = self.find_dossier(code).await?;
        let principal = self.principal_in(None, acting).await?;
        authorize(
            &principal,
            Action::DecideDossier,
            &Target::of_dossier(&dossier),
        )?;
        let submission = &dossier.submission;
        if !submission.procedure.same_day_certification {
            return Err(ServiceError::Refused(format!(
                "thủ tục {} không phải thủ tục chứng thực bản sao / procedure {} is not a certification of copies",
                submission.procedure.code, submission.procedure.code
            )));
        }
        if dossier.decision.is_some() {
            return Err(ServiceError::Refused(
                "hồ sơ đã có quyết định giải quyết / the dossier already has a decision".into(),
            ));
        }
        let original = request.original.trim().to_owned();
        if original.is_empty() || original.chars().count() > MAX_ORIGINAL_CHARS {
            return Err(ServiceError::Invalid(format!(
                "original: cần ghi tên giấy tờ bản chính (tối đa {MAX_ORIGINAL_CHARS} ký tự) / name the original document (at most {MAX_ORIGINAL_CHARS} characters)"
            )));
        }
        let scans = self.scans_of(&dossier, request.scans).await?;
        let page_count =
            motcua_pdf::scanned_page_count(&scanned_pages(&scans)).map_err(scan_error)?;
        let page_count = u32::try_from(page_count).unwrap_or(u32::MAX);
        let fee = self.certification_fees().fee(page_count);

        let agency = submission.agency.clone();
        let found = self.existing_agency(&agency).await?;
        let unit = self.unit_of(&found.agency).await;
        let certifier_name = match self.find_account(&acting.actor.id).await? {
            Some(a) => a.name,
            None => acting.actor.id.clone(),
        };
        let meta = self.meta_now(acting);
        let local = meta.at.with_timezone(&crate::portal::VIETNAM);
        let year = local.year();
        // Keys first, in a transaction of their own: making one looks the agency up, and the
        // dossier's transaction below should hold its connection as briefly as it can.
        let (agency_key, certifier_key) = {
            let mut tx = self.store().begin().await?;
            let agency_key = self
                .sealing_key(&mut tx, &KeyOwner::Agency(&agency), &meta)
                .await?;
            let certifier_key = self
                .sealing_key(
                    &mut tx,
                    &KeyOwner::Certifier {
                        account: &acting.actor.id,
                        name: &certifier_name,
                        agency: &agency,
                    },
                    &meta,
                )
                .await?;
            tx.commit().await?;
            (agency_key, certifier_key)
        };
        let verification_code =
            document::verification_code(rand::rng().random::<[u8; CODE_CHARS]>());
        let url = self.verification_url(&verification_code);
        let (governing, place) = match &unit {
            Some(u) => (u.committee_name(), u.name.clone()),
            None => (String::new(), String::new()),
        };
        let book = document::register_book(year);
        // Finish first: it checks the dossier may be decided and warms its calendar before
        // the transaction holds a connection.
        let mut tx = self.dossier_tx();
        let finished = tx
            .act(
                acting,
                code,
                Command::Finish {
                    decision: Decision::Approved,
                },
                expected_version,
                meta.at,
            )
            .await?;
        // The register number is taken in the dossier's transaction: a copy that fails to
        // record gives its number back, so the register has no gaps.
        let number = documents::allocate_register_number(tx.raw().await?, &agency, year).await?;
        let register_entry = format!("{number}, quyển số {book}");
        let issued = tx
            .act_on_state(
                acting,
                &finished,
                Command::IssueResult {
                    form: ResultForm::Electronic,
                    number: Some(register_entry.clone()),
                },
                meta.at,
            )
            .await?;
        // Typesetting and signing are CPU work: off the async workers, while the
        // transaction waits.
        let copy = CopyToSeal {
            scans,
            governing_body: governing.to_uppercase(),
            certifier_agency: found.agency.name.to_uppercase(),
            place,
            certified_at: local.fixed_offset(),
            register_number: number.to_string(),
            register_book: book.clone(),
            certifier_name: certifier_name.clone(),
            verification_code: verification_code.clone(),
            verification_url: url,
            signers: [
                (
                    certifier_key.credential.clone(),
                    certifier_key.chain.clone(),
                ),
                (agency_key.credential.clone(), agency_key.chain.clone()),
            ],
            at: meta.at,
        };
        let (pdf, p7s) = tokio::task::spawn_blocking(move || copy.render_and_seal())
            .await
            .map_err(|e| ServiceError::Internal(format!("certified copy: {e}")))??;
        let (file, seal) = self
            .store_sealed(
                tx.raw().await?,
                pdf,
                p7s,
                &format!("ban-sao-{code}.pdf"),
                meta.at,
            )
            .await?;
        let issue = Issue {
            code: verification_code,
            kind: DocumentKind::CertifiedCopy,
            agency: agency.clone(),
            dossier: Some(code.to_string()),
            title: format!("Bản sao điện tử được chứng thực từ bản chính: {original}"),
            number: Some(register_entry),
            file,
            seal,
            certificate: agency_key.row.fingerprint.clone(),
            signer: agency_key.row.subject.clone(),
            certification: Some(Certification {
                register_number: number,
                register_book: book,
                original,
                pages: page_count,
                fee,
                certifier: certifier_key.row.subject.clone(),
                certifier_certificate: certifier_key.row.fingerprint.clone(),
            }),
        };
        let event = DocumentEvent::Issued(Box::new(issue));
        let state = document::apply(None, &event, meta.at, &acting.actor.id)
            .map_err(|e| ServiceError::Refused(e.to_string()))?;
        documents::record(tx.raw().await?, 0, &[event], &state, &meta).await?;
        tx.commit().await?;
        tracing::info!(document = %state.issue.code, dossier = %code, register = number, pages = page_count, "certified an electronic copy");
        Ok((issued, state))
    }

    /// The scan of the original: `uploads` if the certifier scanned it now (checked like any
    /// upload), else the files of the dossier's components.
    async fn scans_of(
        &self,
        dossier: &Dossier,
        uploads: Vec<Upload>,
    ) -> ServiceResult<Vec<(&'static str, Vec<u8>)>> {
        let mut scans = Vec::new();
        if !uploads.is_empty() {
            for upload in uploads {
                // The scan lives on inside the copy's PDF; it is not stored apart.
                let media = check_upload("Bản quét bản chính / scan of the original", &upload)?;
                scans.push((media.as_str(), upload.bytes));
            }
            return Ok(scans);
        }
        // The components' files, as the certifier's form lists them.
        let files = dossier
            .submission
            .components
            .iter()
            .flat_map(|c| c.files.iter());
        for file in files {
            let Some(media) = crate::files::MediaType::parse(&file.media_type) else {
                continue;
            };
            let bytes = self.file_store().read(&file.sha256).await?;
            scans.push((media.as_str(), bytes));
        }
        if scans.is_empty() {
            return Err(ServiceError::Refused(
                "hồ sơ chưa có bản quét bản chính: hãy quét bản chính và tải lên / the dossier has no scan of the original: scan the original and upload it".into(),
            ));
        }
        Ok(scans)
    }
}

/// The scans as the renderer reads them.
fn scanned_pages<'a>(scans: &'a [(&'static str, Vec<u8>)]) -> Vec<motcua_pdf::ScannedPage<'a>> {
    scans
        .iter()
        .map(|(media_type, bytes)| motcua_pdf::ScannedPage { bytes, media_type })
        .collect()
}

/// Everything a certified copy's PDF and seal are made of, owned, for a blocking thread.
struct CopyToSeal {
    scans: Vec<(&'static str, Vec<u8>)>,
    governing_body: String,
    certifier_agency: String,
    place: String,
    certified_at: chrono::DateTime<chrono::FixedOffset>,
    register_number: String,
    register_book: String,
    certifier_name: String,
    verification_code: String,
    verification_url: String,
    /// The certifier's credential and chain, then the agency's.
    signers: [(motcua_signing::Credential, Vec<Vec<u8>>); 2],
    at: chrono::DateTime<chrono::Utc>,
}

impl CopyToSeal {
    /// The copy's PDF and its joint seal.
    fn render_and_seal(self) -> ServiceResult<(Vec<u8>, Vec<u8>)> {
        let pdf = motcua_pdf::render_certified_copy(&motcua_pdf::CertifiedCopy {
            pages: &scanned_pages(&self.scans),
            governing_body: &self.governing_body,
            certifier_agency: &self.certifier_agency,
            place: &self.place,
            certified_at: self.certified_at,
            register_number: &self.register_number,
            register_book: &self.register_book,
            certifier_title: "Người thực hiện chứng thực",
            certifier_name: &self.certifier_name,
            verification_code: &self.verification_code,
            verification_url: &self.verification_url,
        })
        .map_err(scan_error)?;
        let [(certifier, certifier_chain), (agency, agency_chain)] = &self.signers;
        let p7s = seal::seal_jointly(
            &pdf,
            &[(certifier, certifier_chain), (agency, agency_chain)],
            self.at,
        )
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok((pdf, p7s))
    }
}

/// A scan that cannot be made into a copy is the certifier's to fix; anything else is ours.
fn scan_error(e: motcua_pdf::PdfError) -> ServiceError {
    match e {
        motcua_pdf::PdfError::BadImage { .. }
        | motcua_pdf::PdfError::UnsupportedMediaType { .. }
        | motcua_pdf::PdfError::NoPages
        | motcua_pdf::PdfError::TooManyPages { .. } => ServiceError::Invalid(format!("scan: {e}")),
        other => ServiceError::Internal(other.to_string()),
    }
}
