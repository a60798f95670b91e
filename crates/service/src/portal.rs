//! The public portal's use cases that are not drafts, files or petitions: searching the
//! catalogue with filters, what a procedure offers online and which agency receives it, the
//! applicant's own actions on a dossier (supplements with files, rating from a receipt) and
//! a dossier's history as the applicant sees it.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
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

/// How long a catalogue snapshot is used without asking the store whether the catalogue
/// changed. Changes made through these services drop the snapshot at once; this bounds how
/// late a change made by another process (an import from the CLI) shows.
const CATALOGUE_TRUSTED: Duration = Duration::from_secs(2);

/// The public procedures in force on one day, read once and searched in memory. The
/// catalogue changes a few times a year, while every search page read each procedure it
/// showed with a query of its own.
#[derive(Debug)]
struct CatalogueSnapshot {
    /// The local day the versions are in force on.
    day: NaiveDate,
    /// [`motcua_storage::Store::catalogue_revision`] when it was read.
    revision: (i64, i64),
    /// Public procedures in force on `day`, by code.
    procedures: Vec<Arc<Procedure>>,
    /// Index into `procedures` by code.
    by_code: HashMap<String, usize>,
    /// The names, folded once; keys index `procedures`.
    names: SearchIndex<usize>,
    /// Each procedure's implementing agencies, folded (the agency filter).
    agencies: Vec<Vec<String>>,
    /// Sectors of `procedures`, sorted (the search page's filter).
    sectors: Arc<[String]>,
}

impl CatalogueSnapshot {
    fn new(day: NaiveDate, revision: (i64, i64), procedures: Vec<Procedure>) -> Self {
        let procedures: Vec<Arc<Procedure>> = procedures.into_iter().map(Arc::new).collect();
        let by_code = procedures
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.to_string(), i))
            .collect();
        let names = SearchIndex::new(
            procedures
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.name.as_str())),
        );
        let agencies = procedures
            .iter()
            .map(|p| {
                p.implementing_agencies
                    .iter()
                    .map(|a| fold(a.as_str()))
                    .collect()
            })
            .collect();
        let sectors = procedures
            .iter()
            .map(|p| p.sector.clone())
            .filter(|s| !s.trim().is_empty())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        CatalogueSnapshot {
            day,
            revision,
            procedures,
            by_code,
            names,
            agencies,
            sectors,
        }
    }
}

/// The snapshot in use and when its revision was last found unchanged.
#[derive(Debug)]
struct CatalogueCache {
    snapshot: Arc<CatalogueSnapshot>,
    checked_at: Instant,
}

/// Settings of the portal's use cases, carried by [`Services`].
#[derive(Debug)]
pub struct PortalSettings {
    /// Where uploaded files live.
    pub files: FileStore,
    /// Deadlines of petitions.
    pub petitions: PetitionRules,
    /// The public catalogue in force, as last read.
    catalogue: RwLock<Option<CatalogueCache>>,
    /// Held while the snapshot is read, so that concurrent requests wait for one reading
    /// instead of each reading the whole catalogue.
    catalogue_reading: tokio::sync::Mutex<()>,
    /// Bumped by every [`PortalSettings::forget_catalogue`]: a snapshot read before is not kept.
    catalogue_generation: std::sync::atomic::AtomicU64,
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
            catalogue: RwLock::new(None),
            catalogue_reading: tokio::sync::Mutex::new(()),
            catalogue_generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Drops the catalogue snapshot: the next search reads the catalogue again.
    pub(crate) fn forget_catalogue(&self) {
        if let Ok(mut cache) = self.catalogue.write() {
            self.catalogue_generation
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            *cache = None;
        }
    }

    /// The snapshot for `day` if it was checked within [`CATALOGUE_TRUSTED`], or if its
    /// revision is `revision` (then it counts as checked now).
    fn cached_catalogue(
        &self,
        day: NaiveDate,
        revision: Option<(i64, i64)>,
    ) -> Option<Arc<CatalogueSnapshot>> {
        let fresh = |c: &CatalogueCache| {
            c.snapshot.day == day
                && match revision {
                    None => c.checked_at.elapsed() < CATALOGUE_TRUSTED,
                    Some(r) => c.snapshot.revision == r,
                }
        };
        if revision.is_none() {
            let cache = self.catalogue.read().ok()?;
            return cache
                .as_ref()
                .filter(|c| fresh(c))
                .map(|c| Arc::clone(&c.snapshot));
        }
        let mut cache = self.catalogue.write().ok()?;
        let c = cache.as_mut().filter(|c| fresh(c))?;
        c.checked_at = Instant::now();
        Some(Arc::clone(&c.snapshot))
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
    /// The procedures of the page: best match first with text, by code otherwise (shared
    /// with the catalogue snapshot they were found in).
    pub items: Vec<Arc<Procedure>>,
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
        let files = FileStore::new(dir);
        // The master key moves with the files: a test's temporary directory holds both.
        self.signing = std::sync::Arc::new(
            crate::documents::SigningSettings::beside(files.dir())
                .with_public_url(self.signing().public_url()),
        );
        self.portal = std::sync::Arc::new(PortalSettings::new(files, self.portal.petitions));
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

    /// The public catalogue in force today: a snapshot searched in memory, read again when
    /// the day or the catalogue's revision changes (checked at most every
    /// [`CATALOGUE_TRUSTED`]; at once after a change made through these services).
    async fn catalogue(&self) -> ServiceResult<Arc<CatalogueSnapshot>> {
        let today = self.local_today();
        if let Some(snapshot) = self.portal.cached_catalogue(today, None) {
            return Ok(snapshot);
        }
        let _reading = self.portal.catalogue_reading.lock().await;
        if let Some(snapshot) = self.portal.cached_catalogue(today, None) {
            return Ok(snapshot);
        }
        // The revision is read before the procedures: a change between the two reads is
        // then seen as a new revision at the next check, never missed.
        let generation = self
            .portal
            .catalogue_generation
            .load(std::sync::atomic::Ordering::SeqCst);
        let revision = self.store().catalogue_revision().await?;
        if let Some(snapshot) = self.portal.cached_catalogue(today, Some(revision)) {
            return Ok(snapshot);
        }
        let filter = ProcedureFilter {
            on: Some(today),
            kind: Some(ProcedureKind::Public),
            ..ProcedureFilter::default()
        };
        let procedures = self.store().list_procedures(&filter).await?;
        let snapshot = Arc::new(CatalogueSnapshot::new(today, revision, procedures));
        if let Ok(mut cache) = self.portal.catalogue.write()
            && self
                .portal
                .catalogue_generation
                .load(std::sync::atomic::Ordering::SeqCst)
                == generation
        {
            *cache = Some(CatalogueCache {
                snapshot: Arc::clone(&snapshot),
                checked_at: Instant::now(),
            });
        }
        Ok(snapshot)
    }

    /// A page of the public procedures in force today matching `query`.
    ///
    /// With text, the names are ranked as [`Services::search_procedures`] ranks them (case
    /// and diacritics ignored) and the filters keep a part of the ranking; without, the
    /// matching procedures come by code. The agency filter matches words of implementing
    /// agencies' names, case and diacritics ignored.
    pub async fn find_procedures(&self, query: &CatalogueQuery) -> ServiceResult<CataloguePage> {
        let catalogue = self.catalogue().await?;
        let per_page = query.per_page.clamp(1, 100);
        let page = query.page.max(1);
        let offset =
            usize::try_from(u64::from(page - 1) * u64::from(per_page)).unwrap_or(usize::MAX);
        let agency = query
            .agency
            .as_deref()
            .map(fold)
            .filter(|a| !a.trim().is_empty());
        let keep = |i: usize| {
            let p = &catalogue.procedures[i];
            query.sector.as_ref().is_none_or(|s| &p.sector == s)
                && query.level.is_none_or(|l| p.levels.contains(&l))
                && query.online.is_none_or(|o| p.online_level == o)
                && agency
                    .as_deref()
                    .is_none_or(|a| catalogue.agencies[i].iter().any(|name| name.contains(a)))
        };
        let matching: Vec<usize> = if Query::new(&query.text).is_some() {
            catalogue
                .names
                .search(&query.text, usize::MAX)
                .into_iter()
                .map(|hit| *hit.key)
                .filter(|i| keep(*i))
                .collect()
        } else {
            (0..catalogue.procedures.len())
                .filter(|i| keep(*i))
                .collect()
        };
        let items = matching
            .iter()
            .skip(offset)
            .take(per_page as usize)
            .map(|i| Arc::clone(&catalogue.procedures[*i]))
            .collect();
        Ok(CataloguePage {
            items,
            total: matching.len() as u64,
            page,
            per_page,
        })
    }

    /// The sectors of the public procedures in force, sorted (the search page's filter).
    pub async fn procedure_sectors(&self) -> ServiceResult<Arc<[String]>> {
        Ok(Arc::clone(&self.catalogue().await?.sectors))
    }

    /// The version of procedure `code` in force today, if it is a public procedure.
    pub async fn public_procedure(&self, code: &str) -> ServiceResult<Option<Procedure>> {
        if code
            .parse::<motcua_domain::catalog::ProcedureCode>()
            .is_err()
        {
            return Ok(None);
        }
        let catalogue = self.catalogue().await?;
        Ok(catalogue
            .by_code
            .get(code)
            .map(|i| Procedure::clone(&catalogue.procedures[*i])))
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
            .store()
            .stream_timeline(
                motcua_storage::dossiers::STREAM,
                &dossier.code().to_string(),
            )
            .await?
            .into_iter()
            .map(|(kind, at)| TimelineEntry { kind, at })
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
