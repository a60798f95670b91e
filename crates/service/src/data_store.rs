//! The applicant's data store (kho dữ liệu): the digitized documents and the valid results of
//! a person or business, which a later dossier reuses instead of asking for them again
//! (Circular 01/2023/TT-VPCP; 766 indicators 4.3 and 4.4, regulations.md §1.3 group 6, §3).
//!
//! It is read from the dossiers themselves, not kept apart: the files of their components
//! (digitized at the desk or uploaded online), the scans of their paper results, and the
//! documents issued for them that are not revoked. Each viewer sees the part within their reach: the applicant all of it, a desk
//! officer what comes from dossiers of their agency.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use motcua_domain::authz;
use motcua_domain::document::DocumentKind;
use motcua_domain::dossier::{ApplicantId, FileRef, split_counts};
use motcua_storage::StoreError;
use motcua_storage::dossiers::{DossierOrder, DossierQuery};

use crate::{Acting, ServiceError, ServiceResult, Services};

/// The name a scanned paper result goes by in the store, before its procedure's (Vietnamese,
/// like the catalogue's names).
const SCANNED_RESULT_PREFIX: &str = "Kết quả";

/// Dossiers of an applicant a data store is read from, newest first.
const MAX_DOSSIERS: i64 = 200;

/// What an item of the data store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A component of an earlier dossier, digitized.
    Digitized,
    /// An electronic result.
    Result,
    /// A paper result, scanned.
    ScannedResult,
    /// An electronic certified copy.
    CertifiedCopy,
}

impl ItemKind {
    /// Identifier, for pages and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Digitized => "digitized",
            ItemKind::Result => "result",
            ItemKind::ScannedResult => "scanned_result",
            ItemKind::CertifiedCopy => "certified_copy",
        }
    }
}

/// A document of the data store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreItem {
    /// What it is.
    pub kind: ItemKind,
    /// Its name: the component's, or the document's title.
    pub name: String,
    /// The file, by content.
    pub file: FileRef,
    /// The dossier it came from.
    pub dossier: String,
    /// That dossier's procedure.
    pub procedure: String,
    /// When it entered the store (the dossier's submission, or the document's issue).
    pub at: DateTime<Utc>,
}

impl Services {
    /// The data store of applicant `id` as `acting` may see it, newest first, each file once.
    pub async fn data_store(
        &self,
        acting: &Acting,
        id: &ApplicantId,
    ) -> ServiceResult<Vec<StoreItem>> {
        let (rows, _) = self
            .list_dossiers_for(
                acting,
                DossierQuery {
                    applicant_number: Some(authz::applicant_number(id)),
                    order: DossierOrder::NewestFirst,
                    limit: MAX_DOSSIERS,
                    ..DossierQuery::default()
                },
            )
            .await?;
        let dossiers: Vec<_> = rows.into_iter().map(|row| row.state.0).collect();
        let procedures: HashMap<String, String> = dossiers
            .iter()
            .map(|d| (d.code().to_string(), d.submission.procedure.name.clone()))
            .collect();
        let codes: Vec<String> = procedures.keys().cloned().collect();
        let mut items: Vec<StoreItem> = Vec::new();
        for doc in self.store().documents_of_dossiers(&codes).await? {
            let (Some(code), None) = (doc.issue.dossier, doc.revocation) else {
                continue;
            };
            items.push(StoreItem {
                kind: match doc.issue.kind {
                    DocumentKind::Result => ItemKind::Result,
                    DocumentKind::CertifiedCopy => ItemKind::CertifiedCopy,
                },
                name: doc.issue.title,
                file: doc.issue.file,
                procedure: procedures.get(&code).cloned().unwrap_or_default(),
                dossier: code,
                at: doc.issued_at,
            });
        }
        for dossier in dossiers {
            let code = dossier.code().to_string();
            let procedure = dossier.submission.procedure.name.clone();
            if let (Some(file), Some((_, at))) = (dossier.result_scan.clone(), dossier.result) {
                items.push(StoreItem {
                    kind: ItemKind::ScannedResult,
                    name: format!("{SCANNED_RESULT_PREFIX}: {procedure}"),
                    file,
                    dossier: code.clone(),
                    procedure: procedure.clone(),
                    at,
                });
            }
            let submitted = dossier.submitted_at;
            for component in dossier.submission.components {
                let (name, _) = split_counts(&component.name);
                for file in component.files {
                    items.push(StoreItem {
                        kind: ItemKind::Digitized,
                        name: name.to_owned(),
                        file,
                        dossier: code.clone(),
                        procedure: procedure.clone(),
                        at: submitted,
                    });
                }
            }
        }
        // A file reused in a later dossier stays the document it was issued as.
        items.sort_by_key(|item| (item.kind == ItemKind::Digitized, std::cmp::Reverse(item.at)));
        let mut seen = HashSet::new();
        items.retain(|item| seen.insert(item.file.sha256.clone()));
        items.sort_by_key(|item| std::cmp::Reverse(item.at));
        Ok(items)
    }

    /// The data store of the acting citizen or business itself.
    pub async fn own_data_store(&self, acting: &Acting) -> ServiceResult<Vec<StoreItem>> {
        let account = self.applicant_account(acting).await?;
        // An account without an identification number has dossiers of none: an empty store.
        match crate::drafts::applicant_id_of(&account) {
            Ok(id) => self.data_store(acting, &id).await,
            Err(_) => Ok(Vec::new()),
        }
    }

    /// The item of applicant `id`'s data store with file `sha256`, as `acting` may see it.
    ///
    /// # Errors
    /// "Not found" ([`StoreError::NotFound`]) when the store within reach holds no such file.
    pub async fn data_store_item(
        &self,
        acting: &Acting,
        id: &ApplicantId,
        sha256: &str,
    ) -> ServiceResult<StoreItem> {
        self.data_store(acting, id)
            .await?
            .into_iter()
            .find(|item| item.file.sha256 == sha256)
            .ok_or_else(|| {
                ServiceError::Store(StoreError::NotFound {
                    what: "giấy tờ trong kho dữ liệu của người nộp / document in the applicant's data store".into(),
                })
            })
    }
}
