//! The public portal's use cases that are not drafts, files or petitions: searching the
//! catalogue with filters, what a procedure offers online and which agency receives it, the
//! applicant's own actions on a dossier (supplements with files, rating from a receipt) and
//! a dossier's history as the applicant sees it.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use motcua_domain::catalog::{
    Channel as CatalogueChannel, Level, OnlineLevel, Procedure, ProcedureKind,
};
use motcua_domain::dossier::{
    Command, Dossier, DossierCode, FileRef, ProcedureRef, Rating, Status,
};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::fold::{Query, SearchIndex, fold};
use motcua_domain::petition::PetitionRules;
use motcua_domain::units::{Agency, AgencyKind};
use motcua_storage::StoreError;
use motcua_storage::catalog::ProcedureFilter;
use motcua_storage::files::FileStore;

use crate::{Acting, ServiceError, ServiceResult, Services, demo};

/// Offset of Vietnamese local time (dates of the catalogue are local dates).
pub(crate) const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// How long the list of sectors (the search page's filter) is reused before it is read
/// again: the catalogue changes by imports, a few times a year.
const SECTORS_TTL: Duration = Duration::from_secs(300);

/// How long the cached sectors are used without even counting the catalogue (the count
/// catches an import made by another process sooner than [`SECTORS_TTL`]); counting on
/// every search page was half of its database time at load.
const SECTORS_TRUSTED: Duration = Duration::from_secs(2);

/// The sectors as last read, with the catalogue's count then.
#[derive(Debug)]
struct SectorCache {
    /// When the sectors were read.
    read_at: Instant,
    /// When the count was last found unchanged.
    checked_at: Instant,
    /// How many procedures were in force when the sectors were read.
    count: i64,
    sectors: Vec<String>,
}

/// Settings of the portal's use cases, carried by [`Services`].
#[derive(Debug)]
pub struct PortalSettings {
    /// Where uploaded files live.
    pub files: FileStore,
    /// Deadlines of petitions.
    pub petitions: PetitionRules,
    /// The sectors of the catalogue in force, with when they were read and how many
    /// procedures there were (a new count reads them again).
    sectors: RwLock<Option<SectorCache>>,
}

impl PortalSettings {
    /// The defaults for `store`: files next to the database, the 766 petition deadlines.
    pub fn for_store(store: &motcua_storage::Store) -> PortalSettings {
        PortalSettings::new(
            FileStore::new(store.default_files_dir()),
            PetitionRules::default(),
        )
    }

    /// Settings with a file store and petition rules.
    pub fn new(files: FileStore, petitions: PetitionRules) -> PortalSettings {
        PortalSettings {
            files,
            petitions,
            sectors: RwLock::new(None),
        }
    }
}

/// A search of the catalogue: text and filters, one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueQuery {
    /// Words of the name, case and diacritics ignored; empty for all.
    pub text: String,
    /// Sector (lĩnh vực), exactly.
    pub sector: Option<String>,
    /// Level that performs it.
    pub level: Option<Level>,
    /// Words of an implementing agency's name (case and diacritics ignored).
    pub agency: Option<String>,
    /// Online service level.
    pub online: Option<OnlineLevel>,
    /// Page number, from 1.
    pub page: u32,
    /// Results per page (1–100).
    pub per_page: u32,
}

/// One page of procedures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CataloguePage {
    /// The procedures of the page: best match first with text, by code otherwise.
    pub items: Vec<Procedure>,
    /// How many match in all.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

impl CataloguePage {
    /// Number of pages (at least 1).
    pub fn pages(&self) -> u32 {
        let per = u64::from(self.per_page.max(1));
        u32::try_from(self.total.div_ceil(per).max(1)).unwrap_or(u32::MAX)
    }
}

/// A component to upload when submitting online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentSpec {
    /// Its name, as the procedure lists it.
    pub name: String,
    /// Originals (bản chính) to present.
    pub originals: u32,
    /// Copies (bản sao).
    pub copies: u32,
    /// Whether a file must be uploaded.
    pub required: bool,
    /// The form to fill in, if the procedure names one.
    pub form: Option<String>,
}

/// What a procedure offers online here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineOffer {
    /// The procedure as the dossier will carry it.
    pub reference: ProcedureRef,
    /// The agencies that receive it (one department, or the communes' People's Committees
    /// for the applicant to choose).
    pub agencies: Vec<Agency>,
    /// One upload per component.
    pub components: Vec<ComponentSpec>,
}

/// The component offered when the catalogue lists none (the national catalogue lost many
/// component lists; the agency then asks for what it needs with one written guidance).
pub const GENERIC_COMPONENT_VI: &str = "Đơn đề nghị và giấy tờ kèm theo theo quy định của thủ tục";

/// One line of a dossier's history as its applicant sees it: what happened and when (never
/// who: officers' identities are not shown to the public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// Event kind (`submitted`, `received`, …).
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Services {
    /// The same services with uploaded files kept under `dir`.
    pub fn with_files_dir(mut self, dir: impl Into<PathBuf>) -> Services {
        self.portal = std::sync::Arc::new(PortalSettings::new(
            FileStore::new(dir),
            self.portal.petitions,
        ));
        self
    }

    /// The same services with other petition deadlines.
    pub fn with_petition_rules(mut self, rules: PetitionRules) -> Services {
        self.portal = std::sync::Arc::new(PortalSettings::new(self.portal.files.clone(), rules));
        self
    }

    /// The store of uploaded files.
    pub fn file_store(&self) -> &FileStore {
        &self.portal.files
    }

    /// The petition deadlines in force.
    pub fn petition_rules(&self) -> PetitionRules {
        self.portal.petitions
    }

    /// Local date in Vietnam now.
    pub fn local_today(&self) -> NaiveDate {
        self.now().with_timezone(&VIETNAM).date_naive()
    }

    /// A page of the public procedures in force today matching `query`.
    ///
    /// With text, the names are ranked as [`Services::search_procedures`] ranks them (case
    /// and diacritics ignored) and the filters applied to the ranking; without, the store
    /// filters and pages by code. The agency filter matches implementing agencies' names,
    /// which the store does not index, so it is applied here. Without filters, a text
    /// search counts the latest version of each matching code and shows those in force.
    pub async fn find_procedures(&self, query: &CatalogueQuery) -> ServiceResult<CataloguePage> {
        let today = self.local_today();
        let per_page = query.per_page.clamp(1, 100);
        let page = query.page.max(1);
        let offset = u64::from(page - 1) * u64::from(per_page);
        let agency = query
            .agency
            .as_deref()
            .map(fold)
            .filter(|a| !a.trim().is_empty());
        let keep = |p: &Procedure| {
            p.kind == ProcedureKind::Public
                && query.sector.as_ref().is_none_or(|s| &p.sector == s)
                && query.level.is_none_or(|l| p.levels.contains(&l))
                && query.online.is_none_or(|o| p.online_level == o)
                && agency.as_deref().is_none_or(|a| {
                    p.implementing_agencies
                        .iter()
                        .any(|i| fold(i.as_str()).contains(a))
                })
        };
        let page_of = |all: Vec<Procedure>| {
            let total = all.len() as u64;
            let items = all
                .into_iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(per_page as usize)
                .collect();
            CataloguePage {
                items,
                total,
                page,
                per_page,
            }
        };
        let mut filter = ProcedureFilter {
            on: Some(today),
            sector: query.sector.clone(),
            level: query.level,
            kind: Some(ProcedureKind::Public),
            online_level: query.online,
            ..ProcedureFilter::default()
        };
        let filtered = filter.sector.is_some()
            || filter.level.is_some()
            || filter.online_level.is_some()
            || agency.is_some();
        if let Some(q) = Query::new(&query.text) {
            // Rank the names first (code, version and name only), then read whole
            // procedures just for the filters or just for the page shown.
            let words: Vec<&str> = q.tokens().iter().map(String::as_str).collect();
            let names = self.store().procedure_names_containing(&words).await?;
            let index = SearchIndex::new(names.into_iter().map(|n| (n.code, n.name)));
            let ranked: Vec<String> = index
                .search(&query.text, usize::MAX)
                .into_iter()
                .map(|hit| hit.key.clone())
                .collect();
            if filtered {
                let mut in_force: HashMap<String, Procedure> = self
                    .store()
                    .list_procedures(&filter)
                    .await?
                    .into_iter()
                    .filter(|p| keep(p))
                    .map(|p| (p.code.to_string(), p))
                    .collect();
                let found = ranked
                    .iter()
                    .filter_map(|code| in_force.remove(code))
                    .collect();
                return Ok(page_of(found));
            }
            let total = ranked.len() as u64;
            let mut items = Vec::new();
            for code in ranked
                .iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(per_page as usize)
            {
                if let Some(p) = self.procedure(code, today).await?.filter(|p| keep(p)) {
                    items.push(p);
                }
            }
            return Ok(CataloguePage {
                items,
                total,
                page,
                per_page,
            });
        }
        if agency.is_some() {
            let all = self.store().list_procedures(&filter).await?;
            return Ok(page_of(all.into_iter().filter(|p| keep(p)).collect()));
        }
        let total = self.store().count_procedures(&filter).await?;
        filter.limit = Some(i64::from(per_page));
        filter.offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let items = self.store().list_procedures(&filter).await?;
        Ok(CataloguePage {
            items,
            total: u64::try_from(total).unwrap_or(0),
            page,
            per_page,
        })
    }

    /// The sectors of the public procedures in force, sorted (the search page's filter).
    pub async fn procedure_sectors(&self) -> ServiceResult<Vec<String>> {
        let filter = ProcedureFilter {
            on: Some(self.local_today()),
            kind: Some(ProcedureKind::Public),
            ..ProcedureFilter::default()
        };
        if let Ok(cached) = self.portal.sectors.read()
            && let Some(c) = cached.as_ref()
            && c.checked_at.elapsed() < SECTORS_TRUSTED
            && c.read_at.elapsed() < SECTORS_TTL
        {
            return Ok(c.sectors.clone());
        }
        let count = self.store().count_procedures(&filter).await?;
        if let Ok(mut cached) = self.portal.sectors.write()
            && let Some(c) = cached.as_mut()
            && c.count == count
            && c.read_at.elapsed() < SECTORS_TTL
        {
            c.checked_at = Instant::now();
            return Ok(c.sectors.clone());
        }
        let sectors: Vec<String> = self
            .store()
            .list_procedures(&filter)
            .await?
            .into_iter()
            .map(|p| p.sector)
            .filter(|s| !s.trim().is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if let Ok(mut cache) = self.portal.sectors.write() {
            let now = Instant::now();
            *cache = Some(SectorCache {
                read_at: now,
                checked_at: now,
                count,
                sectors: sectors.clone(),
            });
        }
        Ok(sectors)
    }

    /// The version of procedure `code` in force today, if it is a public procedure.
    pub async fn public_procedure(&self, code: &str) -> ServiceResult<Option<Procedure>> {
        if code
            .parse::<motcua_domain::catalog::ProcedureCode>()
            .is_err()
        {
            return Ok(None);
        }
        Ok(self
            .procedure(code, self.local_today())
            .await?
            .filter(|p| p.kind == ProcedureKind::Public))
    }

    /// The registered agencies that receive dossiers of `p`: those named by identifier code
    /// among its implementing agencies, else the demo province's responsible agency for it
    /// ([`demo::responsible`]: one department, or every commune's People's Committee).
    pub async fn responsible_agencies(&self, p: &Procedure) -> ServiceResult<Vec<Agency>> {
        let today = self.local_today();
        let valid = |a: &Agency| {
            a.valid_from.is_none_or(|f| f <= today) && a.valid_to.is_none_or(|t| t >= today)
        };
        let mut out = Vec::new();
        for named in &p.implementing_agencies {
            if let motcua_domain::catalog::AgencyRef::Code(code) = named
                && let Some(found) = self.store().find_agency(code.as_str()).await?
                && valid(&found.agency)
            {
                out.push(found.agency);
            }
        }
        if !out.is_empty() {
            return Ok(out);
        }
        match demo::responsible(p) {
            Some(demo::Responsible::Department(d)) => {
                if let Some(found) = self.store().find_agency(&d.code()).await?
                    && valid(&found.agency)
                {
                    out.push(found.agency);
                }
            }
            Some(demo::Responsible::Commune) => {
                out.extend(
                    self.agencies(None)
                        .await?
                        .into_iter()
                        .map(|s| s.agency)
                        .filter(|a| {
                            a.kind == AgencyKind::CommunePeoplesCommittee
                                && demo::is_commune_committee(a.code.as_str())
                                && valid(a)
                        }),
                );
                out.sort_by(|a, b| a.name.cmp(&b.name));
            }
            None => {}
        }
        Ok(out)
    }

    /// What `p` offers online here, or `None` when it is not submitted online (not an online
    /// service, or no agency here receives it).
    pub async fn online_offer(&self, p: &Procedure) -> ServiceResult<Option<OnlineOffer>> {
        let online =
            p.online_level != OnlineLevel::None || p.channels.contains(&CatalogueChannel::Online);
        if !online {
            return Ok(None);
        }
        let agencies = self.responsible_agencies(p).await?;
        if agencies.is_empty() {
            return Ok(None);
        }
        let mut components: Vec<ComponentSpec> = p
            .components
            .iter()
            .map(|c| ComponentSpec {
                name: c.name.clone(),
                originals: c.originals,
                copies: c.copies,
                required: c.required,
                form: c.form.clone(),
            })
            .collect();
        if components.is_empty() {
            components.push(ComponentSpec {
                name: GENERIC_COMPONENT_VI.to_owned(),
                originals: 0,
                copies: 0,
                required: true,
                form: None,
            });
        }
        Ok(Some(OnlineOffer {
            reference: crate::office::procedure_ref(p),
            agencies,
            components,
        }))
    }

    /// A dossier's history as its applicant sees it. Takes the dossier the caller was
    /// allowed to read ([`Services::dossier_for`] or [`Services::track_dossier`]).
    pub async fn dossier_timeline(&self, dossier: &Dossier) -> ServiceResult<Vec<TimelineEntry>> {
        Ok(self
            .dossier_history(dossier.code())
            .await?
            .into_iter()
            .map(|e| TimelineEntry {
                kind: e.kind,
                at: e.meta.at,
            })
            .collect())
    }

    /// Rates a finished dossier found with its code and the receipt's second factor (no
    /// account needed, like [`Services::track_dossier`]). The log records the holder of the
    /// receipt as the applicant acting online.
    ///
    /// # Errors
    /// The same "not found" as tracking for a wrong factor; a refusal when the dossier is
    /// not finished or already rated.
    pub async fn rate_tracked_dossier(
        &self,
        code: &str,
        factor: &str,
        rating: Rating,
        request_id: Option<String>,
    ) -> ServiceResult<Dossier> {
        let dossier = self.track_dossier(code, factor).await?;
        let role = match dossier.submission.applicant.id {
            motcua_domain::dossier::ApplicantId::Person(_) => Role::Citizen,
            motcua_domain::dossier::ApplicantId::Organisation(_) => Role::Business,
        };
        // Not an account id: the principal is "an applicant" whose dossier this is, which the
        // second factor above has just shown.
        let acting = Acting {
            actor: Actor {
                id: "receipt:holder".into(),
                role,
                agency: None,
            },
            channel: Channel::Online,
            request_id,
        };
        self.act_on_dossier(
            &acting,
            dossier.code(),
            Command::Rate { rating },
            Some(dossier.version),
        )
        .await
    }

    /// The applicant provides the supplement asked for (during processing, or the one
    /// written guidance at intake), with the files uploaded for it. The files are recorded
    /// first, as attachments of the dossier, then the supplement itself.
    ///
    /// # Errors
    /// "Not found" for someone else's dossier; a refusal when no supplement is awaited.
    pub async fn provide_supplement(
        &self,
        acting: &Acting,
        code: &DossierCode,
        files: &[FileRef],
        expected_version: Option<i64>,
    ) -> ServiceResult<Dossier> {
        let dossier = self.dossier_for(acting, code).await?;
        let (command, purpose) = match dossier.status {
            Status::SupplementRequested => (Command::ProvideSupplement, "supplement"),
            Status::Submitted
                if dossier.intake_supplement_at.is_some()
                    && dossier.intake_supplement_provided_at.is_none() =>
            {
                (Command::ProvideIntakeSupplement, "intake_supplement")
            }
            status => {
                return Err(ServiceError::Refused(format!(
                    "hồ sơ đang ở trạng thái \"{}\", không chờ bổ sung / the dossier is \"{}\" and awaits no supplement",
                    status.name_vi(),
                    status.name_en()
                )));
            }
        };
        if let Some(expected) = expected_version
            && expected != dossier.version
        {
            return Err(ServiceError::Store(StoreError::Conflict {
                what: format!("hồ sơ / dossier {code}"),
                expected,
                actual: dossier.version,
            }));
        }
        if !files.is_empty() {
            self.store()
                .record_attachment(&code.to_string(), purpose, files, &self.meta(acting))
                .await?;
        }
        self.act_on_dossier(acting, code, command, Some(dossier.version))
            .await
    }

    /// The files attached to a dossier after its submission, if `acting` may read it.
    pub async fn dossier_attachments_for(
        &self,
        acting: &Acting,
        code: &DossierCode,
    ) -> ServiceResult<Vec<motcua_storage::files::Attachment>> {
        self.dossier_for(acting, code).await?;
        Ok(self.store().dossier_attachments(&code.to_string()).await?)
    }
}
