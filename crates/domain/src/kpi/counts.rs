//! What one dossier adds to the operations centre's counters, month by month.
//!
//! The counters are a projection of the dossier log: each dossier contributes
//! [`contributions`] as its current state stands, so a change adds
//! `contributions(new) − contributions(old)` ([`delta`]) in the transaction that records it,
//! and summing every dossier's contributions rebuilds them from the log. Reports then read a
//! few rows per agency instead of the dossiers.
//!
//! Three kinds of counter:
//!
//! - **Flows** ([`Counts`]): how many dossiers did something in a month ([`Metric`]):
//!   received by channel, resolved early / on time / late, electronic results, ratings… A
//!   period's flows are the sums of its months'.
//! - **Stocks** ([`Stocks`]): how many dossiers were in a state at a month's end ([`Stock`]):
//!   open (received, not yet ended), and open past their appointment. A stock is the sum of
//!   its monthly changes up to that month (open: received − resolved; overdue:
//!   [`Metric::Due`] − [`Metric::DueEnded`]), kept as a Fenwick tree over the month numbers
//!   ([`Node`]): a change adds to at most 12 nodes and the stock at any month's end is the
//!   sum of at most 11 nodes, however long the history. A period reads its stocks at its
//!   start from the trees ([`nodes_for`]) and their changes within it from its months'
//!   flows. Every update is a commutative addition (an upsert `value = value + n`), so
//!   concurrent writers never read a counter to write one, and the tree of a sum of dossiers
//!   is the sum of their trees.
//! - **Procedures used** ([`ProcedureCounts`], [`ProcedureUses`]): per procedure, the few
//!   flows of [`ProcedureFlow`] behind the 766 indicators that count procedures with at
//!   least one such dossier in the period (3.2, 3.5, 3.5b, 4.5a), which per-agency counts
//!   cannot give. They are kept per scope (the agency and each unit it lies in) and per
//!   month, quarter and year of receipt, so that a store can keep, beside them, how many
//!   procedures each scope used in each period, and a report reads one row per unit.
//!
//! Months are calendar months of Vietnamese local time. A dossier counts only once received
//! and when its procedure has a time limit (the others are [`Metric::Unclassified`]), so the
//! report's identities hold on the counted ones (Biểu 06: received = resolved + in progress).
//!
//! Dossiers still open at the end of a past month are split within time / overdue by their
//! measured appointment ([`Timing::measured_due`]) as it stands now, against that end. The
//! pause of a dossier waiting for a supplement at that end is not replayed (the current
//! state no longer knows it); for the period in progress the caller classifies the open
//! dossiers at the instant asked.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::period::Period;
use crate::dossier::{ApplicantId, Decision, Dossier, Outcome, OutcomeRules, Rating, ResultForm};
use crate::event::Channel;

/// A calendar month (tháng), the bucket of the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `year`-`month`, if `month` is 1–12.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// The local month of an instant, at `offset` from UTC.
    pub fn of(at: DateTime<Utc>, offset: FixedOffset) -> Month {
        let local = at.with_timezone(&offset);
        Month {
            year: local.year(),
            month: local.month(),
        }
    }

    /// Year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Month of the year, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before this one.
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// How many months `later` comes after this one (0 when it is not later).
    pub fn months_until(self, later: Month) -> u32 {
        let months = |m: Month| i64::from(m.year) * 12 + i64::from(m.month);
        u32::try_from(months(later) - months(self)).unwrap_or(0)
    }

    /// The first local day of the month.
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    /// The instant the month starts, local midnight at `offset`.
    pub fn start(self, offset: FixedOffset) -> Option<DateTime<Utc>> {
        let midnight = self.first_day()?.and_hms_opt(0, 0, 0)?;
        Some(midnight.and_local_timezone(offset).single()?.to_utc())
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = String;

    /// Reads `YYYY-MM`.
    fn from_str(s: &str) -> Result<Month, String> {
        let bad = || {
            format!("tháng phải có dạng YYYY-MM, nhận «{s}» / a month must read YYYY-MM, got «{s}»")
        };
        let (year, month) = s.trim().split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let month = month.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

/// What a flow counter counts, per agency and month; see [`contributions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// Newly received in the month, online (Biểu 06; 766 indicator 3.3).
    ReceivedOnline,
    /// Newly received in the month at the one-stop desk (or by the API or command line).
    ReceivedDesk,
    /// Newly received in the month by public postal service.
    ReceivedPost,
    /// Processing ended in the month before the appointment day (766 rule 2.1).
    ResolvedEarly,
    /// Processing ended in the month on the appointment day.
    ResolvedOnTime,
    /// Processing ended in the month after the appointment.
    ResolvedLate,
    /// The measured appointment falls in the month (a counted dossier's): from the month's
    /// end it is overdue while open.
    Due,
    /// A counted dossier ended, counted in the later of the month its appointment falls in
    /// and the month it ended: from that month's end it is no longer open past its
    /// appointment. `Due − DueEnded` is the month's change of [`Stock::Overdue`].
    DueEnded,
    /// Received in the month without a time limit: not classified, outside Biểu 06.
    Unclassified,
    /// Ended in the month, of a procedure whose result is a document (766 4.1 denominator).
    DocumentResult,
    /// Of those, the result was issued electronically (766 indicator 4.1).
    ElectronicResult,
    /// Received in the month with a file attached to some component and, where the
    /// procedure's result is a document, a result file: the electronic result or the scan of
    /// the paper one (766 indicator 4.2). Counted in the month of receipt once both hold.
    Digitized,
    /// Received in the month reusing an earlier dossier's digitized component (766 4.3).
    Reused,
    /// Received in the month with a component from the applicant's data store (766 4.4).
    FromDataStore,
    /// Received in the month by an applicant authenticated with e-ID (766 4.5b).
    EidVerified,
    /// Rated satisfied, counted in the month processing ended (766 group 5).
    RatedSatisfied,
    /// Rated acceptable.
    RatedAcceptable,
    /// Rated not satisfied.
    RatedDissatisfied,
    /// Ended in the month late or rated not satisfied (once if both; 766 indicator 5.4),
    /// a counted dossier's.
    LateOrDissatisfied,
    /// Received in the month online, with an electronic result where the procedure's result
    /// is a document (766 indicator 3.3): counted in the month of receipt once the result
    /// is issued electronically, or at receipt when no document result is due.
    OnlineWithResult,
    /// Received in the month, of a procedure offered as a full-process online service when
    /// the dossier was created (766 indicator 3.0 denominator).
    FullProcessEligible,
    /// Of those, received online: a full-process online dossier (766 indicator 3.0).
    FullProcessOnline,
    /// Received in the month and asked to pay a non-zero amount of fees or taxes: a dossier
    /// with a financial obligation (766 indicator 3.6 denominator).
    FinancialObligation,
    /// Of those, the obligation was paid online (766 indicator 3.6).
    PaidOnline,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 24] = [
        Metric::ReceivedOnline,
        Metric::ReceivedDesk,
        Metric::ReceivedPost,
        Metric::ResolvedEarly,
        Metric::ResolvedOnTime,
        Metric::ResolvedLate,
        Metric::Due,
        Metric::DueEnded,
        Metric::Unclassified,
        Metric::DocumentResult,
        Metric::ElectronicResult,
        Metric::Digitized,
        Metric::Reused,
        Metric::FromDataStore,
        Metric::EidVerified,
        Metric::RatedSatisfied,
        Metric::RatedAcceptable,
        Metric::RatedDissatisfied,
        Metric::LateOrDissatisfied,
        Metric::OnlineWithResult,
        Metric::FullProcessEligible,
        Metric::FullProcessOnline,
        Metric::FinancialObligation,
        Metric::PaidOnline,
    ];

    /// The stable text a store keeps.
    pub fn key(self) -> &'static str {
        match self {
            Metric::ReceivedOnline => "received_online",
            Metric::ReceivedDesk => "received_desk",
            Metric::ReceivedPost => "received_post",
            Metric::ResolvedEarly => "resolved_early",
            Metric::ResolvedOnTime => "resolved_on_time",
            Metric::ResolvedLate => "resolved_late",
            Metric::Due => "due",
            Metric::DueEnded => "due_ended",
            Metric::Unclassified => "unclassified",
            Metric::DocumentResult => "document_result",
            Metric::ElectronicResult => "electronic_result",
            Metric::Digitized => "digitized",
            Metric::Reused => "reused",
            Metric::FromDataStore => "from_data_store",
            Metric::EidVerified => "eid_verified",
            Metric::RatedSatisfied => "rated_satisfied",
            Metric::RatedAcceptable => "rated_acceptable",
            Metric::RatedDissatisfied => "rated_dissatisfied",
            Metric::LateOrDissatisfied => "late_or_dissatisfied",
            Metric::OnlineWithResult => "online_with_result",
            Metric::FullProcessEligible => "full_process_eligible",
            Metric::FullProcessOnline => "full_process_online",
            Metric::FinancialObligation => "financial_obligation",
            Metric::PaidOnline => "paid_online",
        }
    }

    /// The metric of a stored key, if it is one.
    pub fn parse(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }
}

/// What a stock counter counts at the end of a month, per agency; see [`contributions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stock {
    /// Counted dossiers received by the month's end whose processing had not ended by then:
    /// Biểu 06's "in progress" at that end, "carried over" into the next month.
    Open,
    /// Of those, the ones whose measured appointment fell before that end (in the month or
    /// earlier): "in progress, overdue" at a past month's end.
    Overdue,
}

impl Stock {
    /// Both stocks.
    pub const ALL: [Stock; 2] = [Stock::Open, Stock::Overdue];

    /// The stable text a store keeps.
    pub fn key(self) -> &'static str {
        match self {
            Stock::Open => "open",
            Stock::Overdue => "overdue",
        }
    }

    /// The stock of a stored key, if it is one.
    pub fn parse(key: &str) -> Option<Stock> {
        Stock::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// A node of a stock's Fenwick tree: month number `n` (1 = January 1990) holds the sum of
/// the stock's monthly changes over the months `n − lowbit(n) + 1 ..= n`, where `lowbit(n)`
/// is the largest power of two dividing `n`.
///
/// The tree spans [`Node::COUNT`] months, January 1990 to August 2160; changes in months
/// outside it count at its first or last month (no dossier is received before 1990, and no
/// report asks for 2160).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node(u16);

impl Node {
    /// Months the tree spans: 2¹¹, so a sum reads at most 11 nodes and a change writes at
    /// most 12.
    pub const COUNT: u16 = 2048;

    /// The year of month number 1.
    const FIRST_YEAR: i32 = 1990;

    /// The node of month number `index`, 1 to [`Node::COUNT`].
    pub fn from_index(index: i64) -> Option<Node> {
        u16::try_from(index)
            .ok()
            .filter(|n| (1..=Node::COUNT).contains(n))
            .map(Node)
    }

    /// Its month number, 1 to [`Node::COUNT`].
    pub fn index(self) -> u16 {
        self.0
    }

    /// The month number of `month`, clamped to the tree.
    fn number(month: Month) -> u16 {
        let n = i64::from(month.year() - Node::FIRST_YEAR) * 12 + i64::from(month.month());
        // Clamped into 1..=2048, so the conversion holds.
        u16::try_from(n.clamp(1, i64::from(Node::COUNT))).unwrap_or(Node::COUNT)
    }

    /// The nodes a change in `month` adds to: `n`, `n + lowbit(n)`, … up to the root.
    pub fn updated_by(month: Month) -> impl Iterator<Item = Node> {
        let first = Node::number(month);
        std::iter::successors(Some(first), |&n| {
            n.checked_add(n & n.wrapping_neg())
                .filter(|&next| next <= Node::COUNT)
        })
        .map(Node)
    }

    /// The nodes whose sum is a stock at the end of `month`: `n`, `n − lowbit(n)`, … down
    /// to 1 (none before January 1990).
    pub fn summed_at(month: Month) -> impl Iterator<Item = Node> {
        let before_tree = month
            < Month {
                year: Node::FIRST_YEAR,
                month: 1,
            };
        let first = (!before_tree).then(|| Node::number(month));
        std::iter::successors(first, |&n| {
            Some(n - (n & n.wrapping_neg())).filter(|&m| m > 0)
        })
        .map(Node)
    }
}

/// What a per-procedure counter counts: the dossiers behind a 766 indicator that counts
/// procedures rather than dossiers, received in the month, of a procedure that was in the
/// indicator's set when the dossier was created ([`crate::dossier::ProcedureSets`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProcedureFlow {
    /// Received online, with or without a time limit, of an online service (3.2: an online
    /// service used).
    Online,
    /// From an applicant authenticated with e-ID or with a component from the applicant's
    /// data store, of a procedure open to individuals (4.5a: population data used).
    PopulationData,
    /// Asked to pay a non-zero amount, of a procedure with fee information (3.5).
    FeeAsked,
    /// Of those, paid online (3.5b).
    PaidOnline,
}

impl ProcedureFlow {
    /// Every per-procedure flow, in the order of the store's columns.
    pub const ALL: [ProcedureFlow; 4] = [
        ProcedureFlow::Online,
        ProcedureFlow::PopulationData,
        ProcedureFlow::FeeAsked,
        ProcedureFlow::PaidOnline,
    ];

    /// The stable text a store keeps (its column).
    pub fn key(self) -> &'static str {
        match self {
            ProcedureFlow::Online => "online",
            ProcedureFlow::PopulationData => "population_data",
            ProcedureFlow::FeeAsked => "fee_asked",
            ProcedureFlow::PaidOnline => "paid_online",
        }
    }

    /// Its place in [`ProcedureFlow::ALL`] and in the value arrays of [`ProcedureUses`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Per-procedure flows of one agency by month of receipt, procedure code and flow.
pub type ProcedureCounts = BTreeMap<(Month, String, ProcedureFlow), i64>;

/// Per-procedure flows by scope (an agency or a unit code), period key (a month `2026-10`,
/// its quarter `2026-Q4` or its year `2026`: [`period_keys`]) and procedure code, the flows
/// in [`ProcedureFlow::ALL`] order.
pub type ProcedureUses = BTreeMap<(String, String, String), [i64; 4]>;

/// For each scope and period key, how many procedures have each flow above 0: what a
/// store keeps beside [`ProcedureUses`] and a report reads.
pub type ProceduresUsed = BTreeMap<(String, String), [i64; 4]>;

/// The period keys a month's per-procedure flows count in: the month, its quarter, its
/// year (the periods whose procedures used can be read without adding months up).
pub fn period_keys(month: Month) -> [String; 3] {
    let quarter = Period::quarter(month.year(), (month.month() - 1) / 3 + 1);
    let year = Period::year(month.year());
    [
        Period::month(month).to_string(),
        quarter.map(|p| p.to_string()).unwrap_or_default(),
        year.map(|p| p.to_string()).unwrap_or_default(),
    ]
}

/// The key of `period` among [`period_keys`]; `None` for a run of months, whose
/// procedures used are not kept.
pub fn period_key(period: Period) -> Option<String> {
    (period.span() != super::period::Span::Range).then(|| period.to_string())
}

/// The per-procedure rows of one agency's `counters` in each of its `scopes` (the agency
/// itself and the units it lies in), all-zero rows left out.
pub fn procedure_uses<S: AsRef<str>>(counters: &Counters, scopes: &[S]) -> ProcedureUses {
    let mut out = ProcedureUses::new();
    add_procedure_uses(&mut out, counters, scopes);
    out.retain(|_, row| row.iter().any(|n| *n != 0));
    out
}

/// Adds the per-procedure rows of one agency's `counters` in each of its `scopes` to `out`
/// (several agencies' rows summed; all-zero rows kept).
pub fn add_procedure_uses<S: AsRef<str>>(
    out: &mut ProcedureUses,
    counters: &Counters,
    scopes: &[S],
) {
    for ((month, procedure, flow), n) in &counters.procedures {
        for key in period_keys(*month) {
            for scope in scopes {
                let row = out
                    .entry((scope.as_ref().to_owned(), key.clone(), procedure.clone()))
                    .or_default();
                row[flow.index()] += n;
            }
        }
    }
}

/// How many procedures of each scope and period key have each flow above 0.
pub fn procedures_used(uses: &ProcedureUses) -> ProceduresUsed {
    let mut out = ProceduresUsed::new();
    for ((scope, key, _), row) in uses {
        let used = out.entry((scope.clone(), key.clone())).or_default();
        for (total, n) in used.iter_mut().zip(row) {
            *total += i64::from(*n > 0);
        }
    }
    out.retain(|_, row| row.iter().any(|n| *n != 0));
    out
}

/// Flow counts by month and metric (of one agency, or summed over several).
pub type Counts = BTreeMap<(Month, Metric), i64>;

/// Stock tree nodes by stock (of one agency, or summed over several).
pub type Stocks = BTreeMap<(Stock, Node), i64>;

/// Counters of one agency, or summed over several: flows, stock trees and, where computed
/// from dossiers, per-procedure flows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// Flows.
    pub counts: Counts,
    /// Stock trees.
    pub stocks: Stocks,
    /// Per-procedure flows (a store keeps them as [`ProcedureUses`], not here).
    pub procedures: ProcedureCounts,
}

impl Counters {
    /// Adds `other` times `sign` (1 or −1).
    pub fn add(&mut self, other: &Counters, sign: i64) {
        for (key, n) in &other.counts {
            *self.counts.entry(*key).or_insert(0) += sign * n;
        }
        for (key, n) in &other.stocks {
            *self.stocks.entry(*key).or_insert(0) += sign * n;
        }
        for (key, n) in &other.procedures {
            *self.procedures.entry(key.clone()).or_insert(0) += sign * n;
        }
    }

    /// Drops the counters that are 0.
    pub fn retain_non_zero(&mut self) {
        self.counts.retain(|_, n| *n != 0);
        self.stocks.retain(|_, n| *n != 0);
        self.procedures.retain(|_, n| *n != 0);
    }

    /// Whether every counter is 0 (or absent).
    pub fn is_empty(&self) -> bool {
        self.counts.values().all(|n| *n == 0)
            && self.stocks.values().all(|n| *n == 0)
            && self.procedures.values().all(|n| *n == 0)
    }

    /// Adds `n` to per-procedure flow `flow` of `procedure` in `month`.
    pub fn add_procedure_flow(
        &mut self,
        month: Month,
        procedure: &str,
        flow: ProcedureFlow,
        n: i64,
    ) {
        *self
            .procedures
            .entry((month, procedure.to_owned(), flow))
            .or_insert(0) += n;
    }

    /// Adds `n` to flow `metric` of `month`.
    pub fn add_flow(&mut self, month: Month, metric: Metric, n: i64) {
        *self.counts.entry((month, metric)).or_insert(0) += n;
    }

    /// Adds a change of `n` in `month` to `stock`: to every node of the tree the month
    /// reaches.
    pub fn add_stock_change(&mut self, stock: Stock, month: Month, n: i64) {
        for node in Node::updated_by(month) {
            *self.stocks.entry((stock, node)).or_insert(0) += n;
        }
    }

    /// Flow `metric` summed over the months of `period` (0 if negative, which consistent
    /// counters never are).
    pub fn flow(&self, metric: Metric, period: Period) -> u64 {
        let total: i64 = self
            .counts
            .range((period.first(), metric)..=(period.last(), metric))
            .filter(|((_, m), _)| *m == metric)
            .map(|(_, n)| *n)
            .sum();
        u64::try_from(total).unwrap_or(0)
    }

    /// `stock` at the end of `month` (0 if negative, which consistent counters never are).
    /// Needs the nodes of [`Node::summed_at`] of `month`.
    pub fn stock(&self, stock: Stock, month: Month) -> u64 {
        let total: i64 = Node::summed_at(month)
            .filter_map(|node| self.stocks.get(&(stock, node)))
            .sum();
        u64::try_from(total).unwrap_or(0)
    }
}

/// The stock nodes the Biểu 06 rows of `period` need: both stocks at the end of the month
/// before it (the dossiers carried over, and those of them already overdue); their changes
/// within the period are its months' flows.
pub fn nodes_for(period: Period) -> BTreeSet<Node> {
    Node::summed_at(period.first().previous()).collect()
}

/// What `dossier`, as it stands, adds to the counters of its agency.
pub fn contributions(dossier: &Dossier, rules: &OutcomeRules) -> Counters {
    let mut out = Counters::default();
    let offset = rules.offset();
    let timing = dossier.timing();
    let Some(received) = timing.received_at else {
        return out;
    };
    let mut add = |month: Month, metric: Metric| out.add_flow(month, metric, 1);
    let received_in = Month::of(received, offset);
    let ended_in = timing.finished_at.map(|at| Month::of(at, offset));
    let submission = &dossier.submission;
    let electronic = matches!(dossier.result, Some((ResultForm::Electronic, _)));
    // A dossier ended without approval (refused, withdrawn, stopped) issues no result, so
    // needs no result file; an open one may still get it.
    let result_file_due = submission.procedure.document_result
        && (ended_in.is_none() || dossier.decision == Some(Decision::Approved));
    let result_file = electronic || dossier.result_scan.is_some();
    if submission.components.iter().any(|c| c.has_file) && (!result_file_due || result_file) {
        add(received_in, Metric::Digitized);
    }
    if submission.components.iter().any(|c| c.reused) {
        add(received_in, Metric::Reused);
    }
    if submission.components.iter().any(|c| c.from_data_store) {
        add(received_in, Metric::FromDataStore);
    }
    if submission.eid_verified {
        add(received_in, Metric::EidVerified);
    }
    if submission.channel == Channel::Online
        && (!submission.procedure.document_result || electronic)
    {
        add(received_in, Metric::OnlineWithResult);
    }
    if submission.procedure.full_process_online {
        add(received_in, Metric::FullProcessEligible);
        if submission.channel == Channel::Online {
            add(received_in, Metric::FullProcessOnline);
        }
    }
    if dossier.payment_due_vnd.is_some_and(|vnd| vnd > 0) {
        add(received_in, Metric::FinancialObligation);
        if dossier.paid_online == Some(true) {
            add(received_in, Metric::PaidOnline);
        }
    }
    // The procedures used (766 3.2, 3.5, 3.5b, 4.5a), classified by a time limit or not.
    let sets = submission.procedure.counted_in;
    let mut used = |flow: ProcedureFlow| {
        out.add_procedure_flow(received_in, &submission.procedure.code, flow, 1);
    };
    if sets.online_service && submission.channel == Channel::Online {
        used(ProcedureFlow::Online);
    }
    let person = matches!(submission.applicant.id, ApplicantId::Person(_));
    if sets.for_individuals
        && person
        && (submission.eid_verified || submission.components.iter().any(|c| c.from_data_store))
    {
        used(ProcedureFlow::PopulationData);
    }
    if sets.fee_information && dossier.payment_due_vnd.is_some_and(|vnd| vnd > 0) {
        used(ProcedureFlow::FeeAsked);
        if dossier.paid_online == Some(true) {
            used(ProcedureFlow::PaidOnline);
        }
    }
    let mut add = |month: Month, metric: Metric| out.add_flow(month, metric, 1);
    if let Some(ended) = ended_in {
        if submission.procedure.document_result {
            add(ended, Metric::DocumentResult);
            if electronic {
                add(ended, Metric::ElectronicResult);
            }
        }
        match dossier.rating {
            Some(Rating::Satisfied) => add(ended, Metric::RatedSatisfied),
            Some(Rating::Acceptable) => add(ended, Metric::RatedAcceptable),
            Some(Rating::Dissatisfied) => add(ended, Metric::RatedDissatisfied),
            None => {}
        }
    }
    let Some(due) = timing.measured_due(rules) else {
        add(received_in, Metric::Unclassified);
        return out;
    };
    add(
        received_in,
        match submission.channel {
            Channel::Online => Metric::ReceivedOnline,
            Channel::Post => Metric::ReceivedPost,
            _ => Metric::ReceivedDesk,
        },
    );
    if let Some(ended) = ended_in {
        // A finished dossier's class does not depend on the instant asked.
        let late = match timing.outcome_at(received, rules) {
            Outcome::Early => {
                add(ended, Metric::ResolvedEarly);
                false
            }
            Outcome::OnTime => {
                add(ended, Metric::ResolvedOnTime);
                false
            }
            _ => {
                add(ended, Metric::ResolvedLate);
                true
            }
        };
        if late || dossier.rating == Some(Rating::Dissatisfied) {
            add(ended, Metric::LateOrDissatisfied);
        }
    }
    // Open from the month it was received to the month it ended; overdue from the month its
    // appointment falls in (open at that month's end with the appointment passed) to the
    // month it ended, if that is later.
    let due_in = Month::of(due, offset);
    add(due_in, Metric::Due);
    if let Some(ended) = ended_in {
        add(due_in.max(ended), Metric::DueEnded);
    }
    out.add_stock_change(Stock::Open, received_in, 1);
    match ended_in {
        Some(ended) => {
            out.add_stock_change(Stock::Open, ended, -1);
            if ended > due_in {
                out.add_stock_change(Stock::Overdue, due_in, 1);
                out.add_stock_change(Stock::Overdue, ended, -1);
            }
        }
        None => out.add_stock_change(Stock::Overdue, due_in, 1),
    }
    out.retain_non_zero();
    out
}

/// What changes in the counters when a dossier goes from `old` (none for a new one) to
/// `new`: the non-zero differences of their [`contributions`].
pub fn delta(old: Option<&Dossier>, new: &Dossier, rules: &OutcomeRules) -> Counters {
    let mut out = contributions(new, rules);
    if let Some(old) = old {
        out.add(&contributions(old, rules), -1);
    }
    out.retain_non_zero();
    out
}

/// The Biểu 06 counts of `period` from counters (one agency's or several summed) holding
/// its months' flows and the stock nodes of [`nodes_for`]: received and resolved are the
/// sums over its months, carried over is what was open at its start, and the dossiers still
/// open at its end are split by their appointment against that end. For the period in
/// progress, the caller replaces the open split with a live one.
pub fn report06_counts(counters: &Counters, period: Period) -> super::report06::Report06Counts {
    let start = Start::of(counters, period);
    start.row(counters, period)
}

/// The Biểu 06 counts of each month of `period`, in order, from the same counters as
/// [`report06_counts`] of the whole period: each month carries over the last one's open
/// dossiers.
pub fn monthly_report06(
    counters: &Counters,
    period: Period,
) -> Vec<(Month, super::report06::Report06Counts)> {
    let mut start = Start::of(counters, period);
    period
        .months()
        .map(|month| {
            let one = Period::month(month);
            let row = start.row(counters, one);
            start = Start {
                open: row.within_time + row.overdue,
                overdue: start.overdue_at_end(counters, one),
            };
            (month, row)
        })
        .collect()
}

/// The stocks at the start of a period: open, and open past the appointment (as signed sums,
/// which consistent counters keep non-negative).
#[derive(Debug, Clone, Copy)]
struct Start {
    open: u64,
    overdue: i64,
}

impl Start {
    fn of(counters: &Counters, period: Period) -> Start {
        let before = period.first().previous();
        let sum = |stock: Stock| -> i64 {
            Node::summed_at(before)
                .filter_map(|node| counters.stocks.get(&(stock, node)))
                .sum()
        };
        Start {
            open: u64::try_from(sum(Stock::Open)).unwrap_or(0),
            overdue: sum(Stock::Overdue),
        }
    }

    /// The overdue stock at the end of `period` (signed).
    fn overdue_at_end(self, counters: &Counters, period: Period) -> i64 {
        let signed = |metric: Metric| i64::try_from(counters.flow(metric, period)).unwrap_or(0);
        self.overdue + signed(Metric::Due) - signed(Metric::DueEnded)
    }

    fn row(self, counters: &Counters, period: Period) -> super::report06::Report06Counts {
        let flow = |metric: Metric| counters.flow(metric, period);
        let carried_over = self.open;
        let (online, in_person, postal) = (
            flow(Metric::ReceivedOnline),
            flow(Metric::ReceivedDesk),
            flow(Metric::ReceivedPost),
        );
        let (early, on_time, late) = (
            flow(Metric::ResolvedEarly),
            flow(Metric::ResolvedOnTime),
            flow(Metric::ResolvedLate),
        );
        // Received = resolved + in progress by construction; the open stock at the end
        // agrees whenever the counters do.
        let in_progress =
            (carried_over + online + in_person + postal).saturating_sub(early + on_time + late);
        let overdue = u64::try_from(self.overdue_at_end(counters, period))
            .unwrap_or(0)
            .min(in_progress);
        super::report06::Report06Counts {
            carried_over,
            online,
            in_person,
            postal,
            early,
            on_time,
            late,
            within_time: in_progress - overdue,
            overdue,
        }
    }
}
