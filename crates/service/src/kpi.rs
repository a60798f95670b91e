//! The operations centre's figures (issue "operations centre"): the Biểu 06 row and the
//! Decision 766 index of a unit or agency for a period (a month, a quarter, a year or a run
//! of months), read from the counters the dossier write path keeps
//! (`motcua_domain::kpi::counts`), never from a scan of the dossiers' history; and the
//! counters recomputed from the event log, to rebuild or to check them.
//!
//! A report reads its period's monthly flows and a few stock nodes per agency, so its cost
//! grows with the months asked and the agencies counted, not with the history. A period
//! that contains the month in progress is live: its open dossiers are classified now, from
//! the projection's open dossiers (as a single dossier is), and its figures stand at now.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::authz::{self, Action};
use motcua_domain::document::DocumentKind;
use motcua_domain::dossier::Outcome;
use motcua_domain::fold::fold;
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::catalogue::{self, CatalogueFigures};
use motcua_domain::kpi::counts::{self, Counters, Metric, Month, Node, ProcedureUses};
use motcua_domain::kpi::imported::{self, ImportedFigure};
use motcua_domain::kpi::index766::{self, Assessment, Indicator, Input766, Rules766, UnitLevel};
use motcua_domain::kpi::period::Period;
use motcua_domain::kpi::petitions::{self, PetitionCounts};
use motcua_domain::kpi::report06::Report06Row;
use motcua_domain::units::{Agency, AgencyKind, UnitKind, UnitRegistry};
use motcua_storage::dossiers::DossierQuery;
use motcua_storage::kpi::AgencyCounters;

pub mod dashboard;
pub mod imports;

use crate::portal::VIETNAM;
use crate::stats::timing_of;
use crate::{Acting, ServiceError, ServiceResult, Services};

/// A unit's (or one agency's) figures for one period.
#[derive(Debug, Clone)]
pub struct KpiReport {
    /// The unit or agency code asked for.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// The period.
    pub period: Period,
    /// The agencies whose dossiers are counted.
    pub agencies: Vec<String>,
    /// The Biểu 06 row; its identities hold ([`Report06Row::check`]).
    pub report06: Report06Row,
    /// Dossiers received in the period of procedures without a time limit (not classified,
    /// outside the row).
    pub unclassified: u64,
    /// Whether the period is in progress (it contains the current month): its open
    /// dossiers are then classified at `at`.
    pub live: bool,
    /// The instant the figures stand at (the period's end, or now).
    pub at: DateTime<Utc>,
    /// The Decision 766 index, with the indicators the counters, the petitions and the
    /// catalogue measure.
    pub index: Assessment,
    /// The petitions' counts of the period (766 group 5).
    pub petitions: PetitionCounts,
    /// The catalogue's figures for the unit, as of now; `None` for a provincial agency
    /// (the catalogue does not say which of a province's procedures are its own).
    pub catalogue: Option<CatalogueFigures>,
    /// The sealed electronic documents its agencies issued in the period.
    pub documents: IssuedDocuments,
    /// The day of the past map the unit was read on ([`UnitMap::Period`] for a unit since
    /// merged); `None` on today's map.
    pub map_day: Option<NaiveDate>,
    /// The agencies whose area lay only partly in the unit on that map (a merged
    /// province's own departments on the map before the merger): not counted in it.
    pub straddling: Vec<String>,
}

/// Which map of administrative units a unit's figures are drawn on: statistics of merged
/// units shown on the map of the period, or re-aggregated on today's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnitMap {
    /// Today's units: an agency of a unit since merged counts in the unit it went into.
    #[default]
    Today,
    /// The units in force on the period's first day: a merged unit as it then was, with
    /// the agencies whose area lay wholly in it.
    Period,
}

impl std::str::FromStr for UnitMap {
    type Err = String;

    /// Reads `hien-nay`/`today` or `ky`/`period`.
    fn from_str(s: &str) -> Result<UnitMap, String> {
        match s.trim() {
            "hien-nay" | "today" => Ok(UnitMap::Today),
            "ky" | "period" => Ok(UnitMap::Period),
            other => Err(format!(
                "bản đồ phải là hien-nay (hiện nay) hoặc ky (của kỳ), không phải «{other}» / \
                 the map must be today or period, not «{other}»"
            )),
        }
    }
}

/// A unit or agency code and the map to read it on; a bare code reads on today's map.
#[derive(Debug, Clone, Copy)]
pub struct OnMap<'a> {
    /// The unit's or agency's code.
    pub code: &'a str,
    /// The map.
    pub map: UnitMap,
}

impl<'a> OnMap<'a> {
    /// `code` on `map`.
    pub fn new(code: &'a str, map: UnitMap) -> OnMap<'a> {
        OnMap {
            code: code.trim(),
            map,
        }
    }
}

impl<'a> From<&'a str> for OnMap<'a> {
    fn from(code: &'a str) -> OnMap<'a> {
        OnMap::new(code, UnitMap::Today)
    }
}

impl<'a> From<&'a String> for OnMap<'a> {
    fn from(code: &'a String) -> OnMap<'a> {
        OnMap::new(code, UnitMap::Today)
    }
}

/// Sealed electronic documents issued in a period (the figures a reform meeting cites
/// beside 766 indicators 4.1 and 4.6): revoked ones included, since they were issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IssuedDocuments {
    /// Electronic results sealed by their agency.
    pub results: u64,
    /// Electronic certified copies from originals.
    pub certified_copies: u64,
}

impl IssuedDocuments {
    fn add(&mut self, kind: &str, n: u64) {
        if kind == DocumentKind::CertifiedCopy.as_str() {
            self.certified_copies += n;
        } else if kind == DocumentKind::Result.as_str() {
            self.results += n;
        }
    }
}

/// A unit's published results: the period, its monthly trend and its communes' ranking.
#[derive(Debug, Clone)]
pub struct KpiBoard {
    /// The period's figures.
    pub report: KpiReport,
    /// The Biểu 06 rows of the twelve months up to the period's end (or the month in
    /// progress), oldest first.
    pub trend: Vec<(Month, Report06Row)>,
    /// The communes' People's Committees within the unit, by 766 total (rank, name,
    /// assessment); empty for one agency.
    pub ranking: Vec<(usize, String, Assessment)>,
}

/// The figures of a unit, of each agency within it and of each administrative unit within
/// it, for one period ([`Services::kpi_every_unit`]).
#[derive(Debug, Clone)]
pub struct KpiUnits {
    /// The unit asked for (or the one agency).
    pub unit: KpiReport,
    /// Every agency counted in it, by code.
    pub agencies: Vec<KpiReport>,
    /// Every administrative unit within it that has agencies, by code.
    pub units: Vec<KpiReport>,
}

/// One agency's row of a unit's Biểu số 06/VPCP/KSTT report.
#[derive(Debug, Clone)]
pub struct AgencyReport06 {
    /// The agency's identifier code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its level: a commune's People's Committee, or a provincial agency.
    pub level: UnitLevel,
    /// Its row.
    pub row: Report06Row,
    /// Its dossiers of procedures without a time limit (outside the row).
    pub unclassified: u64,
}

/// A unit's Biểu 06 report of a period, row by agency ([`Services::published_report06`]).
#[derive(Debug, Clone)]
pub struct Report06ByAgency {
    /// The unit's figures; `report.report06` is the row of the whole unit.
    pub report: KpiReport,
    /// One row per agency within the unit, provincial agencies first; empty when the
    /// unit is one agency.
    pub agencies: Vec<AgencyReport06>,
}

/// Who a figure is about: resolved from a unit or agency code.
#[derive(Debug, Clone)]
struct KpiScope {
    name: String,
    agencies: Vec<String>,
    level: UnitLevel,
    target: authz::Target,
    /// The day of the past map the unit was read on; `None` on today's.
    map_day: Option<NaiveDate>,
    /// Agencies whose area straddled the unit on that map, not counted in it.
    straddling: Vec<String>,
}

/// What the figures of a unit or agency need to know of it besides the counters: who it
/// is, each agency counted in it and each administrative unit within it that has agencies.
/// Read from the units and agencies, then trusted for two seconds like agencies' chains of
/// units, and dropped at once with them when the services change a unit or an agency.
#[derive(Debug)]
pub(crate) struct KpiStructure {
    scope: KpiScope,
    agencies: Vec<(String, KpiScope)>,
    units: Vec<(String, KpiScope)>,
}

/// Open dossiers classified now, per agency: (within time, overdue).
type OpenSplits = BTreeMap<String, (u64, u64)>;

/// The catalogue's figures of a province's procedures and of a commune's.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CatalogueLevels {
    province: CatalogueFigures,
    commune: CatalogueFigures,
}

/// The catalogue's figures and the catalogue's and plans' revisions and the day they were
/// computed at.
pub(crate) type CatalogueRevision = (((i64, i64), chrono::NaiveDate), Arc<CatalogueLevels>);

/// What a report read: see [`Services::kpi_reading`].
struct Reading {
    structure: Arc<KpiStructure>,
    period: Period,
    counters: AgencyCounters,
    extras: Extras,
}

/// What a period's figures need besides the counters, read once for every agency of a
/// report: the live split (when the period is in progress), the petitions' counts per
/// agency and the catalogue's figures.
struct Extras {
    splits: Option<OpenSplits>,
    petitions: BTreeMap<String, PetitionCounts>,
    catalogue: Arc<CatalogueLevels>,
    /// The agencies that had issued an electronic certified copy by the period's end.
    copying: BTreeSet<String>,
    /// What each agency issued in the period.
    issued: BTreeMap<String, IssuedDocuments>,
    /// The imported parts of 766 indicators in the period's months, by unit code.
    imported_index: BTreeMap<String, Vec<ImportedFigure>>,
    /// How many procedures each agency and unit of the reading used in the period
    /// ([`motcua_domain::kpi::counts::ProcedureFlow`] order); `None` where they are not
    /// kept: a run of months, or a past map.
    procedures_used: Option<BTreeMap<String, [i64; 4]>>,
}

/// The 766 level of an agency's figures.
fn agency_level(kind: AgencyKind) -> UnitLevel {
    if kind == AgencyKind::CommunePeoplesCommittee {
        UnitLevel::Commune
    } else {
        UnitLevel::Province
    }
}

/// The 766 input of a unit's period from its counters and Biểu 06 row. Indicators the
/// counters do not measure (publication, petitions, …) stay unmeasured, so the
/// total says what it is out of.
fn index_input(
    unit: &str,
    level: UnitLevel,
    row: &Report06Row,
    counters: &Counters,
    period: Period,
) -> Input766 {
    let flow = |metric: Metric| counters.flow(metric, period);
    let on_time = row.on_time_766();
    let received = row.newly_received() + flow(Metric::Unclassified);
    let resolved = row.resolved;
    let unsatisfied = flow(Metric::LateOrDissatisfied);
    let mut input = Input766::new(unit, level);
    // 3.0 over the dossiers of procedures offered full-process (🔶 the catalogue's flag
    // stands for "eligible"); a period without one leaves it unmeasured, since the sources do
    // not say what no eligible dossier scores and 0 would punish a unit for procedures it
    // does not have.
    let eligible = flow(Metric::FullProcessEligible);
    if eligible > 0 {
        input.set(
            Indicator::FullProcessOnline,
            Ratio::new(flow(Metric::FullProcessOnline), eligible),
        );
    }
    // 3.6 over the dossiers asked to pay a non-zero amount (🔶 the portal's "fee-bearing
    // procedures' dossiers less those whose fees are all 0"); unmeasured without one, as 3.0.
    let obligations = flow(Metric::FinancialObligation);
    if obligations > 0 {
        input.set(
            Indicator::DossiersPaidOnline,
            Ratio::new(flow(Metric::PaidOnline), obligations),
        );
    }
    input
        .with(
            Indicator::ProcessedOnTime,
            on_time.numerator,
            on_time.denominator,
        )
        .with(
            Indicator::ElectronicResults,
            flow(Metric::ElectronicResult),
            flow(Metric::DocumentResult),
        )
        .with(
            Indicator::DigitizedDossiers,
            flow(Metric::Digitized),
            received,
        )
        .with(
            Indicator::SubmittedOnline,
            flow(Metric::OnlineWithResult),
            received,
        )
        .with(Indicator::ReusedData, flow(Metric::Reused), received)
        .with(
            Indicator::SharedForReuse,
            flow(Metric::FromDataStore),
            received,
        )
        .with(
            Indicator::PopulationDataDossiers,
            flow(Metric::EidVerified),
            received,
        )
        // 5.4 without petitions about dossiers (not linked to dossiers yet): resolved, less
        // those late or rated not satisfied, each counted once.
        .with(
            Indicator::DossierSatisfaction,
            resolved.saturating_sub(unsatisfied),
            resolved,
        )
}

/// `input` with the indicators the petitions measure (5.1–5.3) and, for a unit whose
/// procedures the catalogue says, those it measures (1.3, 3.1).
fn with_other_sources(
    mut input: Input766,
    petitions: &PetitionCounts,
    catalogue: Option<&CatalogueFigures>,
) -> Input766 {
    input.set(
        Indicator::PetitionsAboutProcedures,
        petitions.about_procedures_ratio(),
    );
    input.set(
        Indicator::PetitionsAboutStaff,
        petitions.about_staff_ratio(),
    );
    input.set(Indicator::PetitionsOnTime, petitions.on_time_ratio());
    input.set(
        Indicator::PetitionSatisfaction,
        petitions.satisfaction_ratio(),
    );
    if let Some(c) = catalogue {
        input.set(Indicator::PublishedInFull, c.published_in_full_ratio());
        input.set(Indicator::OnlineServicesOffered, c.online_offered_ratio());
    }
    input
}

/// The months and stock nodes the figures of `periods` read: one run of months covering
/// them all, and the nodes each needs.
fn reads(periods: &[Period]) -> Option<(Period, BTreeSet<Node>)> {
    let first = periods.iter().map(|p| p.first()).min()?;
    let last = periods.iter().map(|p| p.last()).max()?;
    let nodes = periods.iter().flat_map(|p| counts::nodes_for(*p)).collect();
    Some((Period::range(first, last)?, nodes))
}

/// The counters of `agencies` summed.
fn sum_of(read: &AgencyCounters, agencies: &[String]) -> Counters {
    let mut summed = Counters::default();
    for counters in agencies.iter().filter_map(|a| read.get(a)) {
        summed.add(counters, 1);
    }
    summed
}

/// The twelve months up to `last`.
fn twelve_months_to(last: Month) -> Period {
    let first = std::iter::successors(Some(last), |m| Some(m.previous()))
        .nth(11)
        .unwrap_or(last);
    Period::range(first, last).unwrap_or_else(|| Period::month(last))
}

impl Services {
    /// The month in progress, in Vietnamese local time.
    pub fn current_month(&self) -> Month {
        Month::of(self.now(), VIETNAM)
    }

    /// The figures of `unit` (an agency's identifier code, or an administrative unit's code:
    /// every agency within it) for `period` (a [`Month`] converts), at now if the period is
    /// in progress. Needs [`Action::ReadStatistics`] on the unit.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for an unknown unit or a period not begun;
    /// [`ServiceError::Refused`] while the counters do not cover the log (run the rebuild);
    /// [`ServiceError::Forbidden`]; storage failures.
    pub async fn kpi_report(
        &self,
        acting: &Acting,
        unit: impl Into<OnMap<'_>>,
        period: impl Into<Period>,
    ) -> ServiceResult<KpiReport> {
        let on: OnMap<'_> = unit.into();
        let period = period.into();
        let unit = on.code;
        let r = self.kpi_reading(Some(acting), on, period, None).await?;
        Ok(self.figures(unit, &r.structure.scope, &r).0)
    }

    /// The published results of `unit` for `period` (the reform plan asks for monthly
    /// publication, open to everyone): the period's figures, the twelve months up to its
    /// end, and for a unit with communes, their People's Committees ranked by the 766 index.
    ///
    /// # Errors
    /// As [`Services::kpi_report`], without the permission check.
    pub async fn published_kpi(
        &self,
        unit: impl Into<OnMap<'_>>,
        period: impl Into<Period>,
    ) -> ServiceResult<KpiBoard> {
        let on: OnMap<'_> = unit.into();
        let period = period.into();
        let unit = on.code;
        let months = twelve_months_to(period.last().min(self.current_month()));
        // One read serves the unit, its trend and every commune within it.
        let r = self.kpi_reading(None, on, period, Some(months)).await?;
        let (structure, extras) = (&r.structure, &r.extras);
        let scope = &structure.scope;
        let (report, summed) = self.figures(unit, scope, &r);
        let now_split = extras
            .splits
            .as_ref()
            .map(|s| (self.current_month(), split_of(s, &scope.agencies)));
        let trend = trend_rows(&summed, months, now_split);
        let mut peers = Vec::new();
        if scope.agencies.len() > 1 {
            for (code, one) in &structure.agencies {
                if one.level == UnitLevel::Commune {
                    let (commune, _) = self.figures(code, one, &r);
                    peers.push((commune.name, commune.index));
                }
            }
        }
        let assessments: Vec<Assessment> = peers.iter().map(|(_, a)| a.clone()).collect();
        let ranking = index766::rank(&assessments)
            .into_iter()
            .map(|r| {
                let name = peers
                    .iter()
                    .find(|(_, a)| a.unit == r.assessment.unit)
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default();
                (r.rank, name, r.assessment.clone())
            })
            .collect();
        Ok(KpiBoard {
            report,
            trend,
            ranking,
        })
    }

    /// The Biểu 06 rows of `unit` for the twelve months up to `last`, oldest first; the
    /// month in progress, if it is `last`, classifies its open dossiers now. Reads the
    /// unit's counters summed by the database. Needs [`Action::ReadStatistics`] on the unit.
    ///
    /// # Errors
    /// As [`Services::kpi_report`].
    pub async fn kpi_trend(
        &self,
        acting: &Acting,
        unit: &str,
        last: Month,
    ) -> ServiceResult<Vec<(Month, Report06Row)>> {
        let unit = unit.trim();
        let structure = self.kpi_structure(unit, self.today()).await?;
        let scope = &structure.scope;
        self.authorize_statistics(acting, &scope.target).await?;
        let live = self.check_begun(Period::month(last))?;
        let months = twelve_months_to(last);
        self.counters_cover_the_log().await?;
        let summed = self
            .store()
            .kpi_counters_summed(&scope.agencies, months, &counts::nodes_for(months))
            .await?;
        let splits = self.live_splits(live, &scope.agencies).await?;
        let now_split = splits
            .as_ref()
            .map(|s| (self.current_month(), split_of(s, &scope.agencies)));
        Ok(trend_rows(&summed, months, now_split))
    }

    /// The figures of `unit`, of every agency counted in it, and of every administrative
    /// unit within it that has agencies (a province's communes), for `period`, from one
    /// read of the counters: what an operations centre compares and ranks. Needs
    /// [`Action::ReadStatistics`] on the unit.
    ///
    /// # Errors
    /// As [`Services::kpi_report`].
    pub async fn kpi_every_unit(
        &self,
        acting: &Acting,
        unit: impl Into<OnMap<'_>>,
        period: impl Into<Period>,
    ) -> ServiceResult<KpiUnits> {
        let on: OnMap<'_> = unit.into();
        let period = period.into();
        let unit = on.code;
        let r = self.kpi_reading(Some(acting), on, period, None).await?;
        let structure = &r.structure;
        let (whole, _) = self.figures(unit, &structure.scope, &r);
        let each = |list: &[(String, KpiScope)]| -> Vec<KpiReport> {
            list.iter()
                .map(|(code, one)| self.figures(code, one, &r).0)
                .collect()
        };
        let (agencies, units) = (each(&structure.agencies), each(&structure.units));
        Ok(KpiUnits {
            unit: whole,
            agencies,
            units,
        })
    }

    /// The Biểu số 06/VPCP/KSTT report of `unit` for `period`, as the form lays it out: the
    /// unit's row and, for a unit with several agencies, one row per agency (provincial
    /// agencies first, then the communes' People's Committees, each by name). Public,
    /// as [`Services::published_kpi`] is; the agencies' rows sum to the unit's.
    ///
    /// # Errors
    /// As [`Services::published_kpi`].
    pub async fn published_report06(
        &self,
        unit: impl Into<OnMap<'_>>,
        period: impl Into<Period>,
    ) -> ServiceResult<Report06ByAgency> {
        let on: OnMap<'_> = unit.into();
        let period = period.into();
        let unit = on.code;
        let r = self.kpi_reading(None, on, period, None).await?;
        let structure = &r.structure;
        let scope = &structure.scope;
        let (report, _) = self.figures(unit, scope, &r);
        let mut rows = Vec::new();
        if scope.agencies.len() > 1 {
            for (code, one) in &structure.agencies {
                let (agency, _) = self.figures(code, one, &r);
                rows.push(AgencyReport06 {
                    code: agency.unit,
                    name: agency.name,
                    level: one.level,
                    row: agency.report06,
                    unclassified: agency.unclassified,
                });
            }
            // Provincial agencies first, then by name as Vietnamese readers sort it
            // (diacritics folded: Đa Mai before Kinh Bắc).
            rows.sort_by_cached_key(|a| (a.level == UnitLevel::Commune, fold(&a.name)));
        }
        Ok(Report06ByAgency {
            report,
            agencies: rows,
        })
    }

    /// Refuses unless `acting` may read the statistics of `target`.
    async fn authorize_statistics(
        &self,
        acting: &Acting,
        target: &authz::Target,
    ) -> ServiceResult<()> {
        let principal = self.principal(acting).await?;
        authz::authorize(&principal, Action::ReadStatistics, target)
            .map_err(|d| ServiceError::Forbidden(d.to_string()))
    }

    /// Who `unit` (an agency's or an administrative unit's code) is, for figures that are
    /// not counters (tasks): its name, its permission target and each agency counted in it
    /// with its name. Cached like the counters' structure.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for an unknown code; storage failures.
    pub(crate) async fn unit_agencies(
        &self,
        unit: &str,
    ) -> ServiceResult<(String, authz::Target, Vec<(String, String)>)> {
        let structure = self.kpi_structure(unit.trim(), self.today()).await?;
        let agencies = structure
            .agencies
            .iter()
            .map(|(code, one)| (code.clone(), one.name.clone()))
            .collect();
        Ok((
            structure.scope.name.clone(),
            structure.scope.target.clone(),
            agencies,
        ))
    }

    /// Whether `period` is in progress; refuses a period not begun.
    pub(crate) fn check_begun(&self, period: Period) -> ServiceResult<bool> {
        let current = self.current_month();
        if period.first() > current {
            return Err(ServiceError::Invalid(format!(
                "kỳ {period} ({}) chưa bắt đầu / period {period} ({}) has not begun",
                period.label_vi(),
                period.label_en()
            )));
        }
        Ok(period.last() >= current)
    }

    /// The counters of `agencies` the figures of `periods` need, once they cover the log.
    async fn kpi_counters(
        &self,
        agencies: &[String],
        periods: &[Period],
    ) -> ServiceResult<AgencyCounters> {
        self.counters_cover_the_log().await?;
        let Some((months, nodes)) = reads(periods) else {
            return Ok(AgencyCounters::new());
        };
        Ok(self
            .store()
            .kpi_counters_of(agencies, months, &nodes)
            .await?)
    }

    /// Refuses, naming the rebuild, while the counters do not cover the log (a database
    /// with dossiers from before them): zeros would look like figures.
    async fn counters_cover_the_log(&self) -> ServiceResult<()> {
        if self.store().kpi_counts_complete().await? {
            return Ok(());
        }
        Err(ServiceError::Refused(
            "số liệu chưa được tính lại từ nhật ký: chạy `motcua kpi rebuild` / the counters \
             do not cover the log yet: run `motcua kpi rebuild`"
                .into(),
        ))
    }

    /// The live split of `agencies` now, when the period is live.
    async fn live_splits(
        &self,
        live: bool,
        agencies: &[String],
    ) -> ServiceResult<Option<OpenSplits>> {
        if !live {
            return Ok(None);
        }
        Ok(Some(self.open_splits(agencies, self.now()).await?))
    }

    /// What the figures of `agencies` for `period` need besides the counters: the live
    /// split when the period is live, their petitions' counts and the catalogue's figures.
    async fn kpi_extras(
        &self,
        live: bool,
        agencies: &[String],
        period: Period,
    ) -> ServiceResult<Extras> {
        let splits = self.live_splits(live, agencies).await?;
        let bound = |at: Option<DateTime<Utc>>| {
            at.ok_or_else(|| ServiceError::Invalid(format!("kỳ {period} / period {period}")))
        };
        let (from, to) = (bound(period.start(VIETNAM))?, bound(period.end(VIETNAM))?);
        let at = if live { self.now() } else { to };
        let mut by_agency: BTreeMap<String, PetitionCounts> = BTreeMap::new();
        for p in self.store().petitions_in_period(agencies, from, to).await? {
            by_agency
                .entry(p.submission.agency.clone())
                .or_default()
                .add(&petitions::petition_counts(&p, from, to, at));
        }
        let copying = self
            .store()
            .agencies_issuing(DocumentKind::CertifiedCopy.as_str(), agencies, at)
            .await?
            .into_iter()
            .collect();
        let mut issued: BTreeMap<String, IssuedDocuments> = BTreeMap::new();
        for (agency, kind, n) in self
            .store()
            .documents_issued_between(agencies, from, to)
            .await?
        {
            issued
                .entry(agency)
                .or_default()
                .add(&kind, u64::try_from(n).unwrap_or(0));
        }
        Ok(Extras {
            splits,
            petitions: by_agency,
            catalogue: self.catalogue_levels().await?,
            copying,
            issued,
            imported_index: self
                .store()
                .imported_index_figures(period.first(), period.last())
                .await?,
            procedures_used: None,
        })
    }

    /// The catalogue's figures, computed again only when the catalogue or the plans change.
    async fn catalogue_levels(&self) -> ServiceResult<Arc<CatalogueLevels>> {
        // A version can come into force at midnight without an event: the day is in the key.
        let today = self.local_today();
        let revision = (self.store().catalogue_and_plans_revision().await?, today);
        let cached = self
            .catalogue_levels
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some((at, levels)) = cached
            && at == revision
        {
            return Ok(levels);
        }
        let filter = motcua_storage::catalog::ProcedureFilter {
            on: Some(today),
            ..Default::default()
        };
        let procedures = self.store().list_procedures(&filter).await?;
        let plans: Vec<_> = self
            .store()
            .list_plans(None)
            .await?
            .into_iter()
            .map(|p| p.plan)
            .collect();
        let levels = Arc::new(CatalogueLevels {
            province: catalogue::catalogue_figures(
                &procedures,
                &plans,
                catalogue::levels_of(false),
            ),
            commune: catalogue::catalogue_figures(&procedures, &plans, catalogue::levels_of(true)),
        });
        *self
            .catalogue_levels
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some((revision, levels.clone()));
        Ok(levels)
    }

    /// The day whose map of units `map` means for `period`: today, or the period's first day.
    pub(crate) fn map_day(&self, map: UnitMap, period: Period) -> NaiveDate {
        match map {
            UnitMap::Today => self.today(),
            UnitMap::Period => period.first().first_day().unwrap_or_else(|| self.today()),
        }
    }

    /// What a report of `unit` for `period` reads, once for all the agencies and units within
    /// it: their structure, their counters (for `more` too, e.g. a trend's months) and what
    /// else the figures need. With `acting`, refuses unless it may read the statistics.
    async fn kpi_reading(
        &self,
        acting: Option<&Acting>,
        unit: OnMap<'_>,
        period: Period,
        more: Option<Period>,
    ) -> ServiceResult<Reading> {
        let day = self.map_day(unit.map, period);
        let structure = self.kpi_structure(unit.code, day).await?;
        let scope = &structure.scope;
        if let Some(acting) = acting {
            self.authorize_statistics(acting, &scope.target).await?;
        }
        let live = self.check_begun(period)?;
        let periods: Vec<Period> = std::iter::once(period).chain(more).collect();
        let counters = self.kpi_counters(&scope.agencies, &periods).await?;
        let mut extras = self.kpi_extras(live, &scope.agencies, period).await?;
        // The procedures used are kept per unit of today's map and per month, quarter, year.
        if let (None, Some(key)) = (scope.map_day, counts::period_key(period)) {
            let mut scopes = vec![unit.code.to_owned()];
            for (code, _) in structure.agencies.iter().chain(&structure.units) {
                scopes.push(code.clone());
            }
            extras.procedures_used = Some(self.store().procedures_used(&key, &scopes).await?);
        }
        Ok(Reading {
            structure,
            period,
            counters,
            extras,
        })
    }

    /// The figures of a resolved scope (the reading's unit, or an agency or unit within it)
    /// from what `reading` read; and its summed counters.
    fn figures(&self, unit: &str, scope: &KpiScope, reading: &Reading) -> (KpiReport, Counters) {
        let (period, read, extras) = (reading.period, &reading.counters, &reading.extras);
        let summed = sum_of(read, &scope.agencies);
        let mut row = counts::report06_counts(&summed, period);
        let at = match &extras.splits {
            Some(splits) => {
                // The period in progress: its open dossiers as they stand now.
                (row.within_time, row.overdue) = split_of(splits, &scope.agencies);
                self.now()
            }
            None => period.end(VIETNAM).unwrap_or_else(|| self.now()),
        };
        let report06 = Report06Row::from_counts(row);
        let mut petitions = PetitionCounts::default();
        for counts in scope
            .agencies
            .iter()
            .filter_map(|a| extras.petitions.get(a))
        {
            petitions.add(counts);
        }
        // A unit's procedures are its level's; of a province's agencies only a commune's
        // People's Committee is known to carry out a level's procedures.
        let one_agency = scope.agencies == [unit];
        let catalogue = match scope.level {
            UnitLevel::Commune => Some(extras.catalogue.commune),
            _ if !one_agency => Some(extras.catalogue.province),
            _ => None,
        };
        let mut input = with_other_sources(
            index_input(unit, scope.level, &report06, &summed, period),
            &petitions,
            catalogue.as_ref(),
        );
        // 3.2, 3.5, 3.5b, 4.5a: of the unit's procedures in each set, those used.
        if let (Some(c), Some(used)) = (catalogue.as_ref(), &extras.procedures_used) {
            let used = used.get(unit).copied().unwrap_or_default();
            for (indicator, ratio) in c.used_ratios(used) {
                input.set(indicator, ratio);
            }
        }
        // 1.1, 1.2, 1.4 from elsewhere, where the unit imported them.
        if let Some(figures) = extras.imported_index.get(unit) {
            for (indicator, ratio) in imported::index_ratios(figures) {
                input.set_imported(indicator, ratio);
            }
        }
        // 4.6: of the communes' People's Committees counted here, those that provide
        // electronic certified copies, i.e. had issued one by the period's end.
        let communes: Vec<&String> = if one_agency {
            (scope.level == UnitLevel::Commune)
                .then_some(&scope.agencies[0])
                .into_iter()
                .collect()
        } else {
            reading
                .structure
                .agencies
                .iter()
                .filter(|(code, s)| s.level == UnitLevel::Commune && scope.agencies.contains(code))
                .map(|(code, _)| code)
                .collect()
        };
        if !communes.is_empty() {
            let providing = communes
                .iter()
                .filter(|c| extras.copying.contains(**c))
                .count();
            input.set(
                Indicator::ElectronicCertifiedCopies,
                Ratio::new(providing as u64, communes.len() as u64),
            );
        }
        let mut documents = IssuedDocuments::default();
        for one in scope.agencies.iter().filter_map(|a| extras.issued.get(a)) {
            documents.results += one.results;
            documents.certified_copies += one.certified_copies;
        }
        let report = KpiReport {
            unit: unit.to_owned(),
            name: scope.name.clone(),
            period,
            agencies: scope.agencies.clone(),
            index: index766::assess(&input, &Rules766::default()),
            report06,
            unclassified: summed.flow(Metric::Unclassified, period),
            live: extras.splits.is_some(),
            at,
            petitions,
            catalogue,
            documents,
            map_day: scope.map_day,
            straddling: scope.straddling.clone(),
        };
        (report, summed)
    }

    /// The structure of a unit or agency code on the map of `day`, from the cache or read
    /// anew.
    async fn kpi_structure(&self, unit: &str, day: NaiveDate) -> ServiceResult<Arc<KpiStructure>> {
        let key = format!("{unit}@{day}");
        if let Some(found) = self.kpi_structures.get(&key) {
            return Ok(found);
        }
        let generation = self.kpi_structures.generation();
        let structure = Arc::new(match self.store().find_agency(unit).await? {
            // The code names one agency: it is its own only agency, on any map.
            Some(found) => {
                let scope = self.agency_scope(unit, &found.agency, true).await?;
                KpiStructure {
                    agencies: vec![(unit.to_owned(), scope.clone())],
                    scope,
                    units: Vec::new(),
                }
            }
            None => self.unit_structure(unit, day).await?,
        });
        self.kpi_structures.put(&key, structure.clone(), generation);
        Ok(structure)
    }

    /// The scope of one agency; with `committees`, its target widened to the People's
    /// Committees above it (a scope of its own, not one within a unit's: that would cost a
    /// pass over every agency per agency).
    async fn agency_scope(
        &self,
        code: &str,
        agency: &Agency,
        committees: bool,
    ) -> ServiceResult<KpiScope> {
        let mut target = self.agency_target(code).await?;
        if committees {
            target = self.with_committees(target).await?;
        }
        Ok(KpiScope {
            name: agency.name.clone(),
            agencies: vec![code.to_owned()],
            level: agency_level(agency.kind),
            target,
            map_day: None,
            straddling: Vec::new(),
        })
    }

    /// The structure of an administrative unit on the map of `day`: the agencies whose
    /// area lies wholly in it on that map
    /// ([`motcua_domain::units::UnitRegistry::chain_on`]), so an agency of a
    /// unit since merged counts in the unit it went into on today's map, and an agency of a
    /// merged unit counts in the old unit it came from on a past map; the agencies whose
    /// area straddled it then (a merged province's departments) are named, not counted.
    async fn unit_structure(&self, unit: &str, day: NaiveDate) -> ServiceResult<KpiStructure> {
        let today = self.today();
        let registry = self.unit_registry().await?;
        let Some(found) = registry.unit_on(unit, day) else {
            let (d, vi) = (day.format("%Y-%m-%d"), day.format("%d/%m/%Y"));
            return Err(ServiceError::Invalid(format!(
                "không có cơ quan hay đơn vị hành chính mã «{unit}» trên bản đồ ngày {vi} \
                 (đơn vị cũ: xem theo bản đồ của kỳ) / no agency or administrative unit \
                 with code «{unit}» on the map of {d} (an old unit: read it on the \
                 period's map)"
            )));
        };
        let level = if found.kind() == UnitKind::Commune {
            UnitLevel::Commune
        } else {
            UnitLevel::Province
        };
        let on_today = registry
            .unit_on(unit, today)
            .is_some_and(|t| t.valid_from == found.valid_from);
        let target = if on_today {
            self.unit_target(unit).await?
        } else {
            // A unit of a past map: read by whoever reads the units holding it all today.
            let holding = registry.chain_on(unit, day, today);
            let codes: Vec<String> = holding.iter().map(|u| u.code.to_string()).collect();
            authz::Target::INSTALLATION.within(codes)
        };
        let mut scope = KpiScope {
            name: found.name.clone(),
            agencies: Vec::new(),
            level,
            target: self.with_committees(target).await?,
            map_day: (!on_today).then_some(day),
            straddling: Vec::new(),
        };
        // Each agency, and the units below `unit` its chain on that map passes through.
        let mut agencies = Vec::new();
        let mut within: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for stored in self.agencies(None).await? {
            let code = stored.agency.code.to_string();
            let home = stored.agency.unit.as_str();
            let chain: Vec<String> = registry
                .chain_on(home, today, day)
                .iter()
                .map(|u| u.code.to_string())
                .collect();
            let Some(at) = chain.iter().position(|u| u == unit) else {
                if registry.lies_partly_in(home, today, day, unit) {
                    scope.straddling.push(stored.agency.name.clone());
                }
                continue;
            };
            for u in &chain[..at] {
                within.entry(u.clone()).or_default().push(code.clone());
            }
            scope.agencies.push(code.clone());
            agencies.push((
                code.clone(),
                self.agency_scope(&code, &stored.agency, false).await?,
            ));
        }
        let mut units = Vec::new();
        for (code, members) in within {
            let Some(u) = registry.unit_on(&code, day) else {
                continue;
            };
            let one = KpiScope {
                name: u.name.clone(),
                agencies: members,
                level: if u.kind() == UnitKind::Commune {
                    UnitLevel::Commune
                } else {
                    UnitLevel::Province
                },
                target: scope.target.clone(),
                map_day: scope.map_day,
                straddling: Vec::new(),
            };
            units.push((code, one));
        }
        Ok(KpiStructure {
            scope,
            agencies,
            units,
        })
    }

    /// The name, agencies, 766 level and permission target of a unit or agency code on
    /// today's map.
    async fn kpi_scope(&self, unit: &str) -> ServiceResult<KpiScope> {
        let structure = self.kpi_structure(unit, self.today()).await?;
        Ok(structure.scope.clone())
    }

    /// A statistics target that the People's Committees of the units it lies within read
    /// too: a province's or a commune's committee steers everything in it (issue 7), so its
    /// leaders read those figures as the unit's inspectors do.
    async fn with_committees(&self, mut target: authz::Target) -> ServiceResult<authz::Target> {
        for stored in self.agencies(None).await? {
            let a = &stored.agency;
            let committee = matches!(
                a.kind,
                AgencyKind::ProvincialPeoplesCommittee | AgencyKind::CommunePeoplesCommittee
            );
            if committee && target.units.iter().any(|u| u == a.unit.as_str()) {
                target.reach.push(a.code.to_string());
            }
        }
        Ok(target)
    }

    /// The open, classified dossiers of each of `agencies` split within time / overdue at
    /// `at`.
    async fn open_splits(
        &self,
        agencies: &[String],
        at: DateTime<Utc>,
    ) -> ServiceResult<OpenSplits> {
        let rules = self.rules().outcome;
        let mut out = OpenSplits::new();
        for agency in agencies {
            let (mut within, mut overdue) = (0, 0);
            for f in self.open_facts(agency).await? {
                match timing_of(&f)?.outcome_at(at, &rules) {
                    Outcome::WithinTime => within += 1,
                    Outcome::Overdue => overdue += 1,
                    _ => {}
                }
            }
            out.insert(agency.clone(), (within, overdue));
        }
        Ok(out)
    }

    /// The open dossiers `agency` is responsible for (the list also holds other agencies'
    /// dossiers at a step of it).
    async fn open_facts(
        &self,
        agency: &str,
    ) -> ServiceResult<Vec<motcua_storage::dossiers::DossierFacts>> {
        let query = DossierQuery {
            agency: Some(agency.to_owned()),
            open_only: true,
            ..DossierQuery::default()
        };
        let mut facts = self.store().list_dossier_facts(&query).await?;
        facts.retain(|f| f.agency == agency);
        Ok(facts)
    }

    /// Every agency's counters recomputed from the event log: each dossier replayed from
    /// its events, its contributions summed.
    pub async fn recompute_kpi_counts(&self) -> ServiceResult<AgencyCounters> {
        let rules = self.rules().outcome;
        let mut out = AgencyCounters::new();
        let mut after = String::new();
        loop {
            let codes = self.store().dossier_codes_after(&after, 500).await?;
            let Some(last) = codes.last() else { break };
            after = last.clone();
            for code in codes {
                let (Some(state), _) = self.replay_dossier(&code).await? else {
                    continue;
                };
                out.entry(state.submission.agency.clone())
                    .or_default()
                    .add(&counts::contributions(&state, &rules), 1);
            }
        }
        out.retain(|_, counters| {
            counters.retain_non_zero();
            !counters.is_empty()
        });
        Ok(out)
    }

    /// The scopes a dossier of `agency` counts in for the procedures used: the agency and
    /// the units whose area holds its unit's on today's map and on the last one recorded
    /// (`UnitRegistry::chain_on`, as a report finds a unit's agencies: an agency of a
    /// merged unit counts in the units it went into; [`scopes_of`]); the agency alone when
    /// it is not registered. Kept for the day, until units or agencies change.
    pub(crate) async fn kpi_scopes(&self, agency: &str) -> ServiceResult<Arc<[String]>> {
        let today = self.today();
        let generation = {
            let cache = self.kpi_scopes.read().unwrap_or_else(|p| p.into_inner());
            if let Some(found) = cache.get(agency, today) {
                return Ok(found);
            }
            cache.generation
        };
        let home = self.store().find_agency(agency).await?;
        let registry = self.unit_registry().await?;
        let scopes = scopes_of(
            &registry,
            agency,
            home.as_ref().map(|a| a.agency.unit.as_str()),
            today,
        );
        self.kpi_scopes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .put(agency, today, generation, scopes.clone());
        Ok(scopes)
    }

    /// The procedures used of every agency's `counters`, in each agency's scopes.
    pub(crate) async fn procedure_uses_of(
        &self,
        counters: &AgencyCounters,
    ) -> ServiceResult<ProcedureUses> {
        let today = self.today();
        let registry = self.unit_registry().await?;
        let homes: BTreeMap<String, String> = self
            .store()
            .list_agencies(None)
            .await?
            .into_iter()
            .map(|a| (a.agency.code.to_string(), a.agency.unit.to_string()))
            .collect();
        let mut out = ProcedureUses::new();
        for (agency, c) in counters {
            let home = homes.get(agency).map(String::as_str);
            counts::add_procedure_uses(&mut out, c, &scopes_of(&registry, agency, home, today));
        }
        out.retain(|_, row| row.iter().any(|n| *n != 0));
        Ok(out)
    }

    /// Replaces the counters with those recomputed from the log; returns how many agencies
    /// have counters. Needs [`Action::ManageUnits`] (an operator's repair).
    ///
    /// # Errors
    /// [`ServiceError::Forbidden`]; storage failures; a corrupt log.
    pub async fn rebuild_kpi_counts(&self, acting: &Acting) -> ServiceResult<usize> {
        acting.require(Action::ManageUnits)?;
        // Dossier writes wait while the log is replayed, so none falls between the replay
        // and the replacement (a rebuild runs beside a serving process).
        let mut tx = self.store().begin().await?;
        motcua_storage::kpi::lock_counters(&mut tx).await?;
        let counters = self.recompute_kpi_counts().await?;
        let uses = self.procedure_uses_of(&counters).await?;
        motcua_storage::kpi::replace_counts(&mut tx, &counters, &uses).await?;
        tx.commit().await?;
        tracing::info!(
            agencies = counters.len(),
            "rebuilt the KPI counters from the log"
        );
        Ok(counters.len())
    }

    /// Whether the stored counters (flows, stock trees, procedures used) equal those
    /// recomputed from the log.
    pub async fn kpi_counts_match_log(&self) -> ServiceResult<bool> {
        let mut recomputed = self.recompute_kpi_counts().await?;
        let uses = self.procedure_uses_of(&recomputed).await?;
        let used = counts::procedures_used(&uses);
        // The per-procedure flows are stored by scope, compared as such below.
        recomputed.retain(|_, counters| {
            counters.procedures.clear();
            !counters.is_empty()
        });
        let mut stored = self.store().all_kpi_counters().await?;
        stored.retain(|_, counters| {
            counters.retain_non_zero();
            !counters.is_empty()
        });
        let (stored_uses, stored_used) = self.store().all_procedure_uses().await?;
        Ok(stored == recomputed && stored_uses == uses && stored_used == used)
    }
}

/// `agency` and the units holding its `home` unit's area on the map of `today` and on the
/// last map the registry knows, so that a merger already recorded to take effect later
/// finds its dossiers filed under the units it forms too (one recorded later needs
/// `motcua kpi rebuild`).
fn scopes_of(
    registry: &UnitRegistry,
    agency: &str,
    home: Option<&str>,
    today: NaiveDate,
) -> Arc<[String]> {
    let mut out = vec![agency.to_owned()];
    if let Some(h) = home {
        let last = NaiveDate::MAX.min(today + chrono::Days::new(365 * 100));
        for day in [today, last] {
            for unit in registry.chain_on(h, today, day) {
                let code = unit.code.to_string();
                if !out.contains(&code) {
                    out.push(code);
                }
            }
        }
    }
    out.into()
}

/// The scopes of agencies on one day's map ([`Services::kpi_scopes`]), and a generation
/// that a change of units or agencies moves, so a lookup begun before it is not kept.
#[derive(Debug, Default)]
pub(crate) struct ScopesCache {
    generation: u64,
    day: Option<NaiveDate>,
    scopes: BTreeMap<String, Arc<[String]>>,
}

impl ScopesCache {
    fn get(&self, agency: &str, day: NaiveDate) -> Option<Arc<[String]>> {
        (self.day == Some(day))
            .then(|| self.scopes.get(agency).cloned())
            .flatten()
    }

    fn put(&mut self, agency: &str, day: NaiveDate, generation: u64, scopes: Arc<[String]>) {
        if generation != self.generation {
            return;
        }
        if self.day != Some(day) {
            self.scopes.clear();
            self.day = Some(day);
        }
        self.scopes.insert(agency.to_owned(), scopes);
    }

    /// Drops every entry, and any lookup begun before.
    pub(crate) fn forget(&mut self) {
        self.generation += 1;
        self.scopes.clear();
    }
}

/// The live split of `agencies` summed.
fn split_of(splits: &OpenSplits, agencies: &[String]) -> (u64, u64) {
    agencies
        .iter()
        .filter_map(|a| splits.get(a))
        .fold((0, 0), |(w, o), (dw, do_)| (w + dw, o + do_))
}

/// The Biểu 06 rows of each month of `months` from summed counters; the month in progress,
/// if given with its live split, is classified now.
fn trend_rows(
    summed: &Counters,
    months: Period,
    now: Option<(Month, (u64, u64))>,
) -> Vec<(Month, Report06Row)> {
    counts::monthly_report06(summed, months)
        .into_iter()
        .map(|(m, mut row)| {
            if let Some((_, split)) = now.filter(|(current, _)| *current == m) {
                (row.within_time, row.overdue) = split;
            }
            (m, Report06Row::from_counts(row))
        })
        .collect()
}
