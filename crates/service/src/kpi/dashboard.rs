//! The leaders' dashboard (issue 5 §3): alerts per agency, and the drill-down from a unit's
//! figures to its agencies, from an agency's to its procedures, and to the dossiers behind
//! any ratio ("why is this 97.3 %?": the numerator's and the denominator's dossiers).
//!
//! An agency's period is broken down by reading the state of each dossier that can count in
//! it and taking its own contributions through the same functions as the counters, so the shares
//! of its dossiers add up exactly to the figures the counters give (a test checks it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use motcua_domain::dossier::{Dossier, Outcome, OutcomeRules, Status};
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::counts;
use motcua_domain::kpi::index766::{self, Assessment, Indicator, Input766, Rules766};
use motcua_domain::kpi::period::Period;
use motcua_domain::kpi::report06::Report06Row;

use super::{KpiReport, OnMap, index_input};
use crate::office::{Urgency, timing_urgency};
use crate::portal::VIETNAM;
use crate::stats::timing_of;
use crate::{Acting, ServiceError, ServiceResult, Services};

/// One agency's open dossiers that need a leader's attention now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyAlert {
    /// Agency code.
    pub agency: String,
    /// Agency name.
    pub name: String,
    /// Open dossiers it is responsible for.
    pub open: u64,
    /// Of those, past their appointment.
    pub overdue: u64,
    /// Of those, due within one working day.
    pub due_soon: u64,
}

/// A dossier as a list of the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierLine {
    /// Dossier code.
    pub code: String,
    /// National procedure code.
    pub procedure: String,
    /// Procedure name.
    pub procedure_name: String,
    /// Status.
    pub status: Status,
    /// Receipt.
    pub received_at: Option<DateTime<Utc>>,
    /// The appointment statistics measure against.
    pub due_at: Option<DateTime<Utc>>,
    /// End of processing.
    pub finished_at: Option<DateTime<Utc>>,
}

impl DossierLine {
    fn of(code: String, state: &Dossier, rules: &OutcomeRules) -> DossierLine {
        let timing = state.timing();
        DossierLine {
            code,
            procedure: state.submission.procedure.code.clone(),
            procedure_name: state.submission.procedure.name.clone(),
            status: state.status,
            received_at: timing.received_at,
            due_at: timing.measured_due(rules),
            finished_at: timing.finished_at,
        }
    }
}

/// What one dossier adds to an agency's figures of a period: its Biểu 06 row and the 766
/// counts, each 0 or 1. Summed over the agency's dossiers they are the agency's figures.
#[derive(Debug, Clone)]
pub struct DossierShare {
    /// The dossier.
    pub line: DossierLine,
    /// Its part of the Biểu 06 row.
    pub row: Report06Row,
    /// Its part of the 766 numerators and denominators.
    pub input: Input766,
}

/// One procedure's figures within an agency's period.
#[derive(Debug, Clone)]
pub struct ProcedureLine {
    /// National procedure code.
    pub procedure: String,
    /// Procedure name.
    pub name: String,
    /// Its Biểu 06 row.
    pub row: Report06Row,
    /// Its 766 numerators and denominators, assessed.
    pub index: Assessment,
}

/// An agency's period, broken down by procedure and by dossier.
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// The agency's figures, from the counters.
    pub report: KpiReport,
    /// Per procedure, most dossiers first.
    pub procedures: Vec<ProcedureLine>,
    /// Every dossier that counts in the period, in code order.
    pub dossiers: Vec<DossierShare>,
}

/// A ratio the dashboard can explain dossier by dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A Decision 766 indicator the counters measure.
    Indicator(Indicator),
    /// On-time rate of resolved dossiers ("Circular 01" family).
    OnTimeResolved,
    /// Overdue rate, "766" family.
    Overdue766,
    /// Share received online.
    OnlineShare,
}

impl Measure {
    /// The measures, in the dashboard's order.
    pub const ALL: [Measure; 12] = [
        Measure::Indicator(Indicator::ProcessedOnTime),
        Measure::OnTimeResolved,
        Measure::Overdue766,
        Measure::OnlineShare,
        Measure::Indicator(Indicator::FullProcessOnline),
        Measure::Indicator(Indicator::DossiersPaidOnline),
        Measure::Indicator(Indicator::ElectronicResults),
        Measure::Indicator(Indicator::DigitizedDossiers),
        Measure::Indicator(Indicator::ReusedData),
        Measure::Indicator(Indicator::SharedForReuse),
        Measure::Indicator(Indicator::PopulationDataDossiers),
        Measure::Indicator(Indicator::DossierSatisfaction),
    ];

    /// Its key in addresses: the indicator's code, or a short name.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Indicator(i) => i.code(),
            Measure::OnTimeResolved => "dung-han-da-giai-quyet",
            Measure::Overdue766 => "qua-han",
            Measure::OnlineShare => "truc-tuyen",
        }
    }

    /// The measure of a key, if it is one.
    pub fn parse(key: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.key() == key.trim())
    }

    /// Whether a higher rate is better (every measure but the overdue rate).
    pub fn higher_is_better(self) -> bool {
        self != Measure::Overdue766
    }

    /// Its ratio in a Biểu 06 row and a 766 input (of a unit, a procedure or one dossier).
    pub fn ratio(self, row: &Report06Row, input: &Input766) -> Ratio {
        match self {
            Measure::Indicator(i) => input.ratios.get(&i).copied().unwrap_or_default(),
            Measure::OnTimeResolved => row.on_time_resolved(),
            Measure::Overdue766 => row.overdue_766(),
            Measure::OnlineShare => row.online_share(),
        }
    }
}

/// Which dossiers of a ratio to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Those the numerator counts.
    Numerator,
    /// Those the denominator counts.
    Denominator,
    /// Those the denominator counts and the numerator does not: what keeps it below 100 %.
    Missing,
}

impl Part {
    /// Whether a dossier's own ratio puts it in this part.
    pub fn holds(self, share: Ratio) -> bool {
        match self {
            Part::Numerator => share.numerator > 0,
            Part::Denominator => share.denominator > 0,
            Part::Missing => share.denominator > share.numerator,
        }
    }
}

/// Sums 766 inputs indicator by indicator.
fn add_input(into: &mut Input766, other: &Input766) {
    for (indicator, r) in &other.ratios {
        let sum = into.ratios.entry(*indicator).or_default();
        *sum = Ratio::new(sum.numerator + r.numerator, sum.denominator + r.denominator);
    }
}

impl Services {
    /// The open dossiers of each agency within `unit` that are overdue or due within one
    /// working day now, most overdue first: the agencies of today's map, or of `period`'s
    /// when asked on the period's map (as its figures are). Needs [`Action::ReadStatistics`]
    /// on the unit.
    ///
    /// # Errors
    /// As [`Services::kpi_report`].
    pub async fn kpi_alerts(
        &self,
        acting: &Acting,
        unit: impl Into<OnMap<'_>>,
        period: impl Into<Period>,
    ) -> ServiceResult<Vec<AgencyAlert>> {
        let on: OnMap<'_> = unit.into();
        let day = self.map_day(on.map, period.into());
        let structure = self.kpi_structure(on.code, day).await?;
        self.authorize_statistics(acting, &structure.scope.target)
            .await?;
        let now = self.now();
        let rules = self.rules().outcome;
        let mut out = Vec::new();
        for (agency, one) in &structure.agencies {
            let calendar = self.dossier_calendar(agency).await?;
            let mut alert = AgencyAlert {
                agency: agency.clone(),
                name: one.name.clone(),
                open: 0,
                overdue: 0,
                due_soon: 0,
            };
            for f in self.open_facts(agency).await? {
                alert.open += 1;
                match timing_urgency(&timing_of(&f)?, now, &calendar, &rules)? {
                    Urgency::Overdue => alert.overdue += 1,
                    Urgency::DueSoon => alert.due_soon += 1,
                    Urgency::Normal => {}
                }
            }
            out.push(alert);
        }
        out.sort_by(|a, b| (b.overdue, b.due_soon, &a.name).cmp(&(a.overdue, a.due_soon, &b.name)));
        Ok(out)
    }

    /// The open dossiers `agency` is responsible for with the given urgency now, nearest
    /// appointment first.
    ///
    /// # Errors
    /// As [`Services::kpi_report`].
    pub async fn kpi_alert_dossiers(
        &self,
        acting: &Acting,
        agency: &str,
        urgency: Urgency,
    ) -> ServiceResult<Vec<DossierLine>> {
        let structure = self.kpi_structure(agency.trim(), self.today()).await?;
        self.authorize_statistics(acting, &structure.scope.target)
            .await?;
        let agency = agency.trim();
        let calendar = self.dossier_calendar(agency).await?;
        let (now, rules) = (self.now(), self.rules().outcome);
        let mut codes = Vec::new();
        for f in self.open_facts(agency).await? {
            if timing_urgency(&timing_of(&f)?, now, &calendar, &rules)? == urgency {
                codes.push(f.code);
            }
        }
        let mut lines = Vec::new();
        for chunk in codes.chunks(500) {
            for stored in self.store().list_dossier_rows(chunk).await? {
                lines.push(DossierLine::of(stored.code, &stored.state.0, &rules));
            }
        }
        lines.sort_by(|a, b| (a.due_at, &a.code).cmp(&(b.due_at, &b.code)));
        Ok(lines)
    }

    /// The figures of every agency within `unit` (on today's map, or on the period's: see
    /// [`OnMap`]) for `period` (a month, quarter, year or run of months), as
    /// [`Services::kpi_report`] gives one, from one read of their counters; the unit's own
    /// first.
    ///
    /// # Errors
    /// As [`Services::kpi_report`].
    pub async fn kpi_agency_reports(
        &self,
        acting: &Acting,
        unit: impl Into<OnMap<'_>>,
        period: impl Into<Period>,
    ) -> ServiceResult<(KpiReport, Vec<KpiReport>)> {
        let every = self.kpi_every_unit(acting, unit, period).await?;
        let (report, each) = (every.unit, every.agencies);
        Ok((report, each))
    }

    /// One agency's period broken down by procedure and by dossier: each dossier that can
    /// count in it (received before the period ends, not ended before it began), its own
    /// share computed from its state as the counters compute it.
    ///
    /// # Errors
    /// As [`Services::kpi_report`]; [`ServiceError::Invalid`] for a unit that is not one
    /// agency.
    pub async fn kpi_breakdown(
        &self,
        acting: &Acting,
        agency: &str,
        period: impl Into<Period>,
    ) -> ServiceResult<Breakdown> {
        let period = period.into();
        let agency = agency.trim();
        let report = self.kpi_report(acting, agency, period).await?;
        if report.agencies != [agency] {
            return Err(ServiceError::Invalid(format!(
                "«{agency}» không phải một cơ quan / «{agency}» is not one agency"
            )));
        }
        let rules = self.rules().outcome;
        let (from, to) = period_bounds(period)?;
        let level = report.index.level;
        let mut names = BTreeMap::new();
        let mut dossiers = Vec::new();
        let codes = self
            .store()
            .dossier_codes_in_period(agency, from, to)
            .await?;
        // The projection keeps each dossier's state as its events leave it.
        for chunk in codes.chunks(500) {
            for stored in self.store().list_dossier_rows(chunk).await? {
                let state = stored.state.0;
                let counted = counts::contributions(&state, &rules);
                let live = report.live.then_some(report.at);
                let share = dossier_share(&state, &counted, period, live, &rules);
                let input = index_input(&stored.code, level, &share, &counted, period);
                let counts_nothing = share == Report06Row::default()
                    && input.ratios.values().all(|r| r.denominator == 0);
                if counts_nothing {
                    continue;
                }
                let line = DossierLine::of(stored.code, &state, &rules);
                names
                    .entry(line.procedure.clone())
                    .or_insert(line.procedure_name.clone());
                dossiers.push(DossierShare {
                    line,
                    row: share,
                    input,
                });
            }
        }
        let mut lines: BTreeMap<&str, (Vec<Report06Row>, Input766, usize)> = BTreeMap::new();
        for d in &dossiers {
            let procedure = &d.line.procedure;
            let line = lines
                .entry(procedure)
                .or_insert_with(|| (Vec::new(), Input766::new(procedure, level), 0));
            line.0.push(d.row);
            add_input(&mut line.1, &d.input);
            line.2 += 1;
        }
        let mut procedures: Vec<(usize, ProcedureLine)> = lines
            .into_iter()
            .map(|(code, (rows, input, n))| {
                let line = ProcedureLine {
                    procedure: code.to_owned(),
                    name: names.get(code).cloned().unwrap_or_default(),
                    row: Report06Row::total(&rows),
                    index: index766::assess(&input, &Rules766::default()),
                };
                (n, line)
            })
            .collect();
        procedures.sort_by(|(a, x), (b, y)| b.cmp(a).then_with(|| x.procedure.cmp(&y.procedure)));
        Ok(Breakdown {
            report,
            procedures: procedures.into_iter().map(|(_, line)| line).collect(),
            dossiers,
        })
    }
}

/// The instants a period starts and ends, local time.
pub(crate) fn period_bounds(period: Period) -> ServiceResult<(DateTime<Utc>, DateTime<Utc>)> {
    match (period.start(VIETNAM), period.end(VIETNAM)) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(ServiceError::Invalid(format!(
            "kỳ {period} / period {period}"
        ))),
    }
}

/// One dossier's Biểu 06 row for `period`: its contributions (`counted`) read as the report
/// reads the counters, and, while the period is in progress (`live` is the instant), its
/// open state classified then, as [`Services::kpi_report`] classifies the open dossiers.
fn dossier_share(
    state: &Dossier,
    counted: &counts::Counters,
    period: Period,
    live: Option<DateTime<Utc>>,
    rules: &OutcomeRules,
) -> Report06Row {
    let mut counts = counts::report06_counts(counted, period);
    if let Some(at) = live {
        counts.within_time = 0;
        counts.overdue = 0;
        if state.timing().finished_at.is_none() {
            match state.timing().outcome_at(at, rules) {
                Outcome::WithinTime => counts.within_time = 1,
                Outcome::Overdue => counts.overdue = 1,
                _ => {}
            }
        }
    }
    Report06Row::from_counts(counts)
}
