//! The operations centre's figures (issue "operations centre"): the Biểu 06 row and the
//! Decision 766 index of a unit or agency for a month, read from the counters the dossier
//! write path keeps (`motcua_domain::kpi::counts`), never from a scan of the dossiers; and
//! the counters recomputed from the event log, to rebuild or to check them.

use chrono::{DateTime, Utc};
use motcua_domain::authz::{self, Action};
use motcua_domain::dossier::Outcome;
use motcua_domain::fold::fold;
use motcua_domain::kpi::counts::{self, Counts, Metric, Month};
use motcua_domain::kpi::index766::{self, Assessment, Indicator, Input766, Rules766, UnitLevel};
use motcua_domain::kpi::report06::Report06Row;
use motcua_domain::units::{AgencyKind, UnitKind};
use motcua_storage::dossiers::DossierQuery;
use motcua_storage::kpi::AgencyCounts;

pub mod dashboard;
pub mod imports;

use crate::portal::VIETNAM;
use crate::stats::timing_of;
use crate::{Acting, ServiceError, ServiceResult, Services};

/// A unit's (or one agency's) figures for one month.
#[derive(Debug, Clone)]
pub struct KpiReport {
    /// The unit or agency code asked for.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// The month.
    pub month: Month,
    /// The agencies whose dossiers are counted.
    pub agencies: Vec<String>,
    /// The Biểu 06 row; its identities hold ([`Report06Row::check`]).
    pub report06: Report06Row,
    /// Dossiers received in the month of procedures without a time limit (not classified,
    /// outside the row).
    pub unclassified: u64,
    /// Whether the month is in progress: its open dossiers are then classified at `at`.
    pub live: bool,
    /// The instant the figures stand at (the month's end, or now).
    pub at: DateTime<Utc>,
    /// The Decision 766 index, with the indicators the counters measure.
    pub index: Assessment,
}

/// A unit's published results: the month, its trend and its communes' ranking.
#[derive(Debug, Clone)]
pub struct KpiBoard {
    /// The month's figures.
    pub report: KpiReport,
    /// The Biểu 06 rows of the twelve months up to it, oldest first.
    pub trend: Vec<(Month, Report06Row)>,
    /// The communes' People's Committees within the unit, by 766 total (rank, name,
    /// assessment); empty for one agency.
    pub ranking: Vec<(usize, String, Assessment)>,
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

/// A unit's Biểu 06 report of a month, row by agency ([`Services::published_report06`]).
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
}

/// The 766 input of a unit's month from its counters and Biểu 06 row. Indicators the
/// counters do not measure (publication, payments, petitions, …) stay unmeasured, so the
/// total says what it is out of.
fn index_input(
    unit: &str,
    level: UnitLevel,
    row: &Report06Row,
    counts: &Counts,
    month: Month,
) -> Input766 {
    let this = |metric: Metric| {
        u64::try_from(counts.get(&(month, metric)).copied().unwrap_or(0)).unwrap_or(0)
    };
    let on_time = row.on_time_766();
    let received = row.newly_received() + this(Metric::Unclassified);
    let resolved = row.resolved;
    let unsatisfied = this(Metric::LateOrDissatisfied);
    Input766::new(unit, level)
        .with(
            Indicator::ProcessedOnTime,
            on_time.numerator,
            on_time.denominator,
        )
        .with(
            Indicator::ElectronicResults,
            this(Metric::ElectronicResult),
            this(Metric::DocumentResult),
        )
        .with(
            Indicator::DigitizedDossiers,
            this(Metric::Digitized),
            received,
        )
        .with(Indicator::ReusedData, this(Metric::Reused), received)
        .with(
            Indicator::SharedForReuse,
            this(Metric::FromDataStore),
            received,
        )
        .with(
            Indicator::PopulationDataDossiers,
            this(Metric::EidVerified),
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

impl Services {
    /// The month in progress, in Vietnamese local time.
    pub fn current_month(&self) -> Month {
        Month::of(self.now(), VIETNAM)
    }

    /// The figures of `unit` (an agency's identifier code, or an administrative unit's code:
    /// every agency within it) for `month`, at `now` if the month is in progress. Needs
    /// [`Action::ReadStatistics`] on the unit.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for an unknown unit or a month not begun;
    /// [`ServiceError::Refused`] while the counters do not cover the log (run the rebuild);
    /// [`ServiceError::Forbidden`]; storage failures.
    pub async fn kpi_report(
        &self,
        acting: &Acting,
        unit: &str,
        month: Month,
    ) -> ServiceResult<KpiReport> {
        let scope = self.kpi_scope(unit.trim()).await?;
        self.authorize_statistics(acting, &scope.target).await?;
        let read = self.kpi_counts(&scope.agencies, month).await?;
        Ok(self.kpi_figures(unit.trim(), scope, month, &read).await?.0)
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

    /// The counters of `agencies` up to `month`, once they cover the log.
    async fn kpi_counts(&self, agencies: &[String], month: Month) -> ServiceResult<AgencyCounts> {
        self.counters_cover_the_log().await?;
        Ok(self.store().kpi_counts_of(agencies, month).await?)
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

    /// The published results of `unit` for `month` (the reform plan asks for monthly
    /// publication, open to everyone): the month's figures, the twelve months up to it, and
    /// for a unit with communes, their People's Committees ranked by the 766 index.
    ///
    /// # Errors
    /// As [`Services::kpi_report`], without the permission check.
    pub async fn published_kpi(&self, unit: &str, month: Month) -> ServiceResult<KpiBoard> {
        let unit = unit.trim();
        let scope = self.kpi_scope(unit).await?;
        let agencies = scope.agencies.clone();
        // One read serves the unit and every commune within it.
        let read = self.kpi_counts(&agencies, month).await?;
        let (report, summed) = self.kpi_figures(unit, scope, month, &read).await?;
        let mut trend = Vec::new();
        let mut m = month;
        for _ in 0..12 {
            let row = if m == month {
                report.report06
            } else {
                Report06Row::from_counts(counts::report06_counts(&summed, m))
            };
            trend.push((m, row));
            m = m.previous();
        }
        trend.reverse();
        let mut peers = Vec::new();
        if agencies.len() > 1 {
            let communes = self
                .agency_reports(&agencies, month, &read, |level| level == UnitLevel::Commune)
                .await?;
            peers = communes
                .into_iter()
                .map(|(_, r)| (r.name, r.index))
                .collect();
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

    /// The Biểu số 06/VPCP/KSTT report of `unit` for `month`, as the form lays it out: the
    /// unit's row and, for a unit with several agencies, one row per agency (provincial
    /// agencies first, then the communes' People's Committees, each by name). Public,
    /// as [`Services::published_kpi`] is; the agencies' rows sum to the unit's.
    ///
    /// # Errors
    /// As [`Services::published_kpi`].
    pub async fn published_report06(
        &self,
        unit: &str,
        month: Month,
    ) -> ServiceResult<Report06ByAgency> {
        let unit = unit.trim();
        let scope = self.kpi_scope(unit).await?;
        let agencies = scope.agencies.clone();
        let read = self.kpi_counts(&agencies, month).await?;
        let (report, _) = self.kpi_figures(unit, scope, month, &read).await?;
        let mut rows = Vec::new();
        if agencies.len() > 1 {
            for (level, r) in self
                .agency_reports(&agencies, month, &read, |_| true)
                .await?
            {
                rows.push(AgencyReport06 {
                    code: r.unit,
                    name: r.name,
                    level,
                    row: r.report06,
                    unclassified: r.unclassified,
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

    /// The figures of each of `agencies` whose 766 level `keep` accepts, with that level,
    /// from counters already read.
    async fn agency_reports(
        &self,
        agencies: &[String],
        month: Month,
        read: &AgencyCounts,
        keep: impl Fn(UnitLevel) -> bool,
    ) -> ServiceResult<Vec<(UnitLevel, KpiReport)>> {
        let mut out = Vec::new();
        for agency in agencies {
            // An agency's scope says whether it is a commune's People's Committee.
            let scope = self.kpi_scope(agency).await?;
            let level = scope.level;
            if keep(level) {
                let (r, _) = self.kpi_figures(agency, scope, month, read).await?;
                out.push((level, r));
            }
        }
        Ok(out)
    }

    /// The figures of a resolved scope for `month` from counters already read (`read`
    /// holds at least its agencies' months up to `month`), and its summed counters.
    async fn kpi_figures(
        &self,
        unit: &str,
        scope: KpiScope,
        month: Month,
        read: &AgencyCounts,
    ) -> ServiceResult<(KpiReport, Counts)> {
        let now = self.now();
        let current = Month::of(now, VIETNAM);
        if month > current {
            return Err(ServiceError::Invalid(format!(
                "tháng {month} chưa bắt đầu / month {month} has not begun"
            )));
        }
        let KpiScope {
            name,
            agencies,
            level,
            ..
        } = scope;
        let mut summed = Counts::new();
        for counts in agencies.iter().filter_map(|a| read.get(a)) {
            for (key, n) in counts.iter().filter(|((m, _), _)| *m <= month) {
                *summed.entry(*key).or_insert(0) += n;
            }
        }
        let mut row = counts::report06_counts(&summed, month);
        let live = month == current;
        let at = if live {
            // The month in progress: its open dossiers as they stand now.
            let (within, overdue) = self.open_split(&agencies, now).await?;
            row.within_time = within;
            row.overdue = overdue;
            now
        } else {
            month.next().start(VIETNAM).unwrap_or(now)
        };
        let report06 = Report06Row::from_counts(row);
        let unclassified = u64::try_from(
            summed
                .get(&(month, Metric::Unclassified))
                .copied()
                .unwrap_or(0),
        )
        .unwrap_or(0);
        let input = index_input(unit, level, &report06, &summed, month);
        let report = KpiReport {
            unit: unit.to_owned(),
            name,
            month,
            agencies,
            index: index766::assess(&input, &Rules766::default()),
            report06,
            unclassified,
            live,
            at,
        };
        Ok((report, summed))
    }

    /// The name, agencies, 766 level and permission target of a unit or agency code.
    async fn kpi_scope(&self, unit: &str) -> ServiceResult<KpiScope> {
        let level_of = |kind: AgencyKind| {
            if kind == AgencyKind::CommunePeoplesCommittee {
                UnitLevel::Commune
            } else {
                UnitLevel::Province
            }
        };
        if let Some(found) = self.store().find_agency(unit).await? {
            return Ok(KpiScope {
                name: found.agency.name,
                agencies: vec![unit.to_owned()],
                level: level_of(found.agency.kind),
                target: self.agency_target(unit).await?,
            });
        }
        let versions = self.store().unit_versions(unit).await?;
        let Some(found) = versions.last() else {
            return Err(ServiceError::Invalid(format!(
                "không có cơ quan hay đơn vị hành chính mã «{unit}» / no agency or \
                 administrative unit with code «{unit}»"
            )));
        };
        let mut agencies = Vec::new();
        for stored in self.agencies(None).await? {
            let code = stored.agency.code.to_string();
            if self
                .agency_target(&code)
                .await?
                .units
                .iter()
                .any(|u| u == unit)
            {
                agencies.push(code);
            }
        }
        let level = if found.unit.kind() == UnitKind::Commune {
            UnitLevel::Commune
        } else {
            UnitLevel::Province
        };
        Ok(KpiScope {
            name: found.unit.name.clone(),
            agencies,
            level,
            target: self.unit_target(unit).await?,
        })
    }

    /// The open, classified dossiers of `agencies` split within time / overdue at `at`.
    async fn open_split(
        &self,
        agencies: &[String],
        at: DateTime<Utc>,
    ) -> ServiceResult<(u64, u64)> {
        let rules = self.rules().outcome;
        let (mut within, mut overdue) = (0, 0);
        for agency in agencies {
            for f in self.open_facts(agency).await? {
                match timing_of(&f)?.outcome_at(at, &rules) {
                    Outcome::WithinTime => within += 1,
                    Outcome::Overdue => overdue += 1,
                    _ => {}
                }
            }
        }
        Ok((within, overdue))
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
    pub async fn recompute_kpi_counts(&self) -> ServiceResult<AgencyCounts> {
        let rules = self.rules().outcome;
        let mut out = AgencyCounts::new();
        let mut after = String::new();
        loop {
            let codes = self.store().dossier_codes_after(&after, 500).await?;
            let Some(last) = codes.last() else { break };
            after = last.clone();
            for code in codes {
                let (Some(state), _) = self.replay_dossier(&code).await? else {
                    continue;
                };
                let agency = out.entry(state.submission.agency.clone()).or_default();
                for (key, n) in counts::contributions(&state, &rules) {
                    *agency.entry(key).or_insert(0) += n;
                }
            }
        }
        out.retain(|_, counts| {
            counts.retain(|_, n| *n != 0);
            !counts.is_empty()
        });
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
        let counts = self.recompute_kpi_counts().await?;
        motcua_storage::kpi::replace_counts(&mut tx, &counts).await?;
        tx.commit().await?;
        tracing::info!(
            agencies = counts.len(),
            "rebuilt the KPI counters from the log"
        );
        Ok(counts.len())
    }

    /// Whether the stored counters equal those recomputed from the log.
    pub async fn kpi_counts_match_log(&self) -> ServiceResult<bool> {
        let recomputed = self.recompute_kpi_counts().await?;
        let every = Month::new(9999, 12).ok_or_else(|| ServiceError::Internal("month".into()))?;
        Ok(self.store().kpi_counts_until(every).await? == recomputed)
    }
}
