//! The counters of a few dossiers driven through the real engine, and the Biểu 06 rows of
//! months, a quarter, a year and a range of months read from them, checked against numbers
//! computed by hand.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use motcua_domain::calendar::{Calendar, CalendarConfig, bundled_schedules};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Context, Decision, Dossier, DossierCode, DossierRules,
    OutcomeRules, ProcedureRef, Submission, decide,
};
use motcua_domain::event::Channel;
use motcua_domain::kpi::counts::{
    self, Counters, Metric, Month, Node, ProcedureFlow, Stock, contributions, nodes_for,
};
use motcua_domain::kpi::period::Period;
use motcua_domain::kpi::report06::{Report06Counts, Report06Row};
use proptest::prelude::*;

static CALENDAR: LazyLock<Calendar> = LazyLock::new(|| {
    Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap_or_else(|e| panic!("{e}"))
});

fn vn(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .to_utc()
}

/// A dossier received at `received` on `channel` with a limit of `days` working days (none
/// for `None`), finished at `finished` if given.
fn dossier(
    channel: Channel,
    days: Option<u32>,
    received: DateTime<Utc>,
    finished: Option<DateTime<Utc>>,
) -> Dossier {
    let rules = DossierRules::default();
    let submission = Submission {
        code: DossierCode::new(
            "000.00.13.H05",
            chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            1,
        )
        .unwrap(),
        agency: "000.00.13.H05".into(),
        procedure: ProcedureRef {
            code: "1.001234".into(),
            name: "Cấp giấy phép".into(),
            limit: days.map(|d| TimeLimit {
                value: TimeValue::whole(d),
                unit: TimeUnit::WorkingDays,
            }),
            same_day_certification: false,
            document_result: false,
            full_process_online: false,
            counted_in: Default::default(),
        },
        applicant: Applicant {
            id: ApplicantId::Person("001090123456".parse().unwrap()),
            name: "Nguyễn Văn An".into(),
            phone: None,
            email: None,
            address: None,
        },
        channel,
        components: Vec::new(),
        eid_verified: false,
        lookup_secret: "K7M2QX9P".into(),
    };
    let mut state: Option<Dossier> = None;
    let mut run = |at: DateTime<Utc>, command: Command| {
        let ctx = Context {
            now: at,
            calendar: &CALENDAR,
            rules: &rules,
        };
        let (_, next) = decide(state.as_ref(), &command, &ctx).unwrap_or_else(|e| panic!("{e}"));
        state = Some(next);
    };
    run(received, Command::Submit(Box::new(submission)));
    run(received, Command::Receive);
    if let Some(at) = finished {
        run(
            received + chrono::TimeDelta::hours(1),
            Command::Transfer {
                step: "Thẩm định".into(),
                agency: "000.00.13.H05".into(),
                assignee: None,
                budget: None,
            },
        );
        run(
            at,
            Command::Finish {
                decision: Decision::Approved,
            },
        );
    }
    state.unwrap()
}

/// Eight dossiers of one agency in 2026 (all Mondays at 10:00; no holiday in these weeks):
///
/// | | channel | received | limit | appointment | ended | class |
/// |---|---|---|---|---|---|---|
/// | A | desk | 15/06 | 5 wd | 22/06 | 08/07 | late |
/// | B | online | 22/06 | 30 wd | 03/08 | 20/07 | early |
/// | C | post | 06/07 | 5 wd | 13/07 10:00 | 13/07 09:00 | on time |
/// | D | desk | 10/08 | 5 wd | 17/08 | open | overdue |
/// | E | online | 21/09 | 10 wd | 05/10 | open | within time until October |
/// | F | desk | 14/09 | 5 wd | 21/09 | 02/10 | late (open overdue at the end of September) |
/// | G | desk | 11/05 | 5 wd | 18/05 | 15/05 | early |
/// | H | desk | 05/08 | none | — | open | not classified |
fn counters() -> Counters {
    let rules = OutcomeRules::default();
    let all = [
        dossier(
            Channel::Desk,
            Some(5),
            vn(2026, 6, 15, 10),
            Some(vn(2026, 7, 8, 10)),
        ),
        dossier(
            Channel::Online,
            Some(30),
            vn(2026, 6, 22, 10),
            Some(vn(2026, 7, 20, 10)),
        ),
        dossier(
            Channel::Post,
            Some(5),
            vn(2026, 7, 6, 10),
            Some(vn(2026, 7, 13, 9)),
        ),
        dossier(Channel::Desk, Some(5), vn(2026, 8, 10, 10), None),
        dossier(Channel::Online, Some(10), vn(2026, 9, 21, 10), None),
        dossier(
            Channel::Desk,
            Some(5),
            vn(2026, 9, 14, 10),
            Some(vn(2026, 10, 2, 10)),
        ),
        dossier(
            Channel::Desk,
            Some(5),
            vn(2026, 5, 11, 10),
            Some(vn(2026, 5, 15, 10)),
        ),
        dossier(Channel::Desk, None, vn(2026, 8, 5, 10), None),
    ];
    let mut sum = Counters::default();
    for d in &all {
        sum.add(&contributions(d, &rules), 1);
    }
    sum.retain_non_zero();
    sum
}

fn row(period: &str) -> Report06Row {
    let period: Period = period.parse().unwrap();
    let row = Report06Row::from_counts(counts::report06_counts(&counters(), period));
    row.check().unwrap();
    row
}

#[allow(clippy::too_many_arguments)]
fn expected(
    carried_over: u64,
    (online, in_person, postal): (u64, u64, u64),
    (early, on_time, late): (u64, u64, u64),
    (within_time, overdue): (u64, u64),
) -> Report06Counts {
    Report06Counts {
        carried_over,
        online,
        in_person,
        postal,
        early,
        on_time,
        late,
        within_time,
        overdue,
    }
}

#[test]
fn a_quarter_sums_its_months_and_carries_over_what_was_open_at_its_start() {
    // Carried over: A and B, open at the end of June. Received: C (post), D and F (desk),
    // E (online). Resolved: A late, B early, C on time. Open at the end of September: D and
    // F past their appointments, E within time. 2 + 4 = 6 = 3 + 3.
    let q3 = row("2026-Q3");
    assert_eq!(q3.counts, expected(2, (1, 2, 1), (1, 1, 1), (1, 2)));
    assert_eq!((q3.received, q3.resolved, q3.in_progress), (6, 3, 3));
}

#[test]
fn each_month_carries_over_the_last_ones_open_dossiers() {
    // June: A and B received; at its end A is past its appointment, B is not.
    assert_eq!(
        row("2026-06").counts,
        expected(0, (1, 1, 0), (0, 0, 0), (1, 1))
    );
    // July: A and B carried over, C received; all three resolved.
    assert_eq!(
        row("2026-07").counts,
        expected(2, (0, 0, 1), (1, 1, 1), (0, 0))
    );
    // August: nothing carried over; D received and overdue at the month's end.
    assert_eq!(
        row("2026-08").counts,
        expected(0, (0, 1, 0), (0, 0, 0), (0, 1))
    );
    // September: D carried over; E and F received; F is past its appointment at the end.
    assert_eq!(
        row("2026-09").counts,
        expected(1, (1, 1, 0), (0, 0, 0), (1, 2))
    );
    // October: D, E and F carried over; F resolved late; E's appointment (5/10) passed.
    assert_eq!(
        row("2026-10").counts,
        expected(3, (0, 0, 0), (0, 0, 1), (0, 2))
    );
}

#[test]
fn a_year_and_a_range_of_months_are_sums_of_their_months() {
    // 2026: G, A, D, F at the desk, B and E online, C by post; resolved G and B early, C on
    // time, A and F late; D and E open at the year's end, both past their appointments.
    assert_eq!(
        row("2026").counts,
        expected(0, (2, 4, 1), (2, 1, 2), (0, 2))
    );
    // June to August: A, B, C and D received; A, B, C resolved; D overdue at the end.
    assert_eq!(
        row("2026-06..2026-08").counts,
        expected(0, (1, 2, 1), (1, 1, 1), (0, 1))
    );
    // The dossier without a time limit is counted apart, in its month.
    let c = counters();
    let q3: Period = "2026-Q3".parse().unwrap();
    assert_eq!(c.flow(Metric::Unclassified, q3), 1);
    assert_eq!(c.flow(Metric::Unclassified, "2026-Q2".parse().unwrap()), 0);
}

#[test]
fn a_period_reads_only_its_months_and_a_few_stock_nodes() {
    // Only the period's flows and the nodes of `nodes_for` are needed: the same row from
    // counters cut down to them.
    let all = counters();
    for text in ["2026-07", "2026-Q3", "2026", "2026-06..2026-08"] {
        let period: Period = text.parse().unwrap();
        let nodes = nodes_for(period);
        assert!(nodes.len() <= 11, "{text}: {}", nodes.len());
        let cut = Counters {
            counts: all
                .counts
                .iter()
                .filter(|((m, _), _)| period.contains(*m))
                .map(|(k, n)| (*k, *n))
                .collect(),
            stocks: all
                .stocks
                .iter()
                .filter(|((_, node), _)| nodes.contains(node))
                .map(|(k, n)| (*k, *n))
                .collect(),
            procedures: Default::default(),
        };
        assert_eq!(
            counts::report06_counts(&cut, period),
            counts::report06_counts(&all, period),
            "{text}"
        );
    }
}

#[test]
fn a_trend_rolls_each_month_into_the_next_from_one_start() {
    // The months of a year from the year's flows and the stocks at its start only.
    let all = counters();
    let year: Period = "2026".parse().unwrap();
    let nodes = nodes_for(year);
    let cut = Counters {
        counts: all
            .counts
            .iter()
            .filter(|((m, _), _)| year.contains(*m))
            .map(|(k, n)| (*k, *n))
            .collect(),
        stocks: all
            .stocks
            .iter()
            .filter(|((_, node), _)| nodes.contains(node))
            .map(|(k, n)| (*k, *n))
            .collect(),
        procedures: Default::default(),
    };
    let months = counts::monthly_report06(&cut, year);
    assert_eq!(months.len(), 12);
    for (m, row) in months {
        assert_eq!(row, counts::report06_counts(&all, Period::month(m)), "{m}");
    }
}

fn month(index: u32) -> Month {
    // 0 = January 2020.
    Month::new(2020 + (index / 12) as i32, index % 12 + 1).unwrap()
}

proptest! {
    /// A stock read from its tree at any month's end is the sum of its changes up to then.
    #[test]
    fn a_stock_is_the_sum_of_its_changes_up_to_the_month(
        changes in proptest::collection::vec((0u32..240, -3i64..4), 0..60),
        at in 0u32..240,
    ) {
        let mut c = Counters::default();
        for (m, n) in &changes {
            c.add_stock_change(Stock::Open, month(*m), *n);
        }
        let wanted: i64 = changes.iter().filter(|(m, _)| *m <= at).map(|(_, n)| n).sum();
        let read: i64 = Node::summed_at(month(at))
            .filter_map(|node| c.stocks.get(&(Stock::Open, node)))
            .sum();
        prop_assert_eq!(read, wanted);
        prop_assert!(Node::summed_at(month(at)).count() <= 11);
        prop_assert!(Node::updated_by(month(at)).count() <= 12);
    }
}

#[test]
fn indicator_3_3_counts_online_receipts_with_their_electronic_result_in_the_receipt_month() {
    let rules = OutcomeRules::default();
    let june: Month = "2026-06".parse().unwrap();
    let flow = |d: &Dossier| contributions(d, &rules).flow(Metric::OnlineWithResult, june.into());
    // Online, no document result due: counted at receipt.
    let online = dossier(Channel::Online, Some(5), vn(2026, 6, 15, 10), None);
    assert_eq!(flow(&online), 1);
    // Online, a document result due and not issued electronically (yet): not counted.
    let mut waiting = online;
    waiting.submission.procedure.document_result = true;
    assert_eq!(flow(&waiting), 0);
    // At the desk: never.
    let desk = dossier(Channel::Desk, Some(5), vn(2026, 6, 15, 10), None);
    assert_eq!(flow(&desk), 0);
    // Without a time limit it still counts (3.3 divides by every dossier received).
    let unclassified = dossier(Channel::Online, None, vn(2026, 6, 15, 10), None);
    assert_eq!(flow(&unclassified), 1);
}

#[test]
fn indicator_3_0_counts_online_receipts_of_full_process_procedures() {
    let rules = OutcomeRules::default();
    let june: Month = "2026-06".parse().unwrap();
    let flows = |d: &Dossier| {
        let c = contributions(d, &rules);
        (
            c.flow(Metric::FullProcessOnline, june.into()),
            c.flow(Metric::FullProcessEligible, june.into()),
        )
    };
    let full_process = |channel, days| {
        let mut d = dossier(channel, days, vn(2026, 6, 15, 10), None);
        d.submission.procedure.full_process_online = true;
        d
    };
    // Online for a procedure offered full-process: numerator and denominator.
    assert_eq!(flows(&full_process(Channel::Online, Some(5))), (1, 1));
    // At the desk or by post: eligible, not a full-process online dossier.
    assert_eq!(flows(&full_process(Channel::Desk, Some(5))), (0, 1));
    assert_eq!(flows(&full_process(Channel::Post, Some(5))), (0, 1));
    // Without a time limit it still counts; a procedure not offered full-process never.
    assert_eq!(flows(&full_process(Channel::Online, None)), (1, 1));
    let partial = dossier(Channel::Online, Some(5), vn(2026, 6, 15, 10), None);
    assert_eq!(flows(&partial), (0, 0));
    // Counted in the month of receipt, not in the next.
    let july = june.next();
    let c = contributions(&full_process(Channel::Online, Some(5)), &rules);
    assert_eq!(c.flow(Metric::FullProcessOnline, july.into()), 0);
}

#[test]
fn indicator_3_6_counts_obligations_paid_online_in_the_receipt_month() {
    let rules = OutcomeRules::default();
    let june: Month = "2026-06".parse().unwrap();
    let flows = |d: &Dossier| {
        let c = contributions(d, &rules);
        (
            c.flow(Metric::PaidOnline, june.into()),
            c.flow(Metric::FinancialObligation, june.into()),
        )
    };
    let asked = |due: u64, paid_online: Option<bool>| {
        let mut d = dossier(Channel::Desk, Some(5), vn(2026, 6, 15, 10), None);
        d.payment_due_vnd = Some(due);
        d.paid_online = paid_online;
        d
    };
    // Paid online: numerator and denominator; at the desk or not yet paid: denominator only.
    assert_eq!(flows(&asked(150_000, Some(true))), (1, 1));
    assert_eq!(flows(&asked(150_000, Some(false))), (0, 1));
    assert_eq!(flows(&asked(150_000, None)), (0, 1));
    // Fees of 0 đồng, or never asked to pay: no obligation.
    assert_eq!(flows(&asked(0, Some(true))), (0, 0));
    let never = dossier(Channel::Online, Some(5), vn(2026, 6, 15, 10), None);
    assert_eq!(flows(&never), (0, 0));
    // Counted in the month of receipt, whenever the payment is made.
    let c = contributions(&asked(150_000, Some(true)), &rules);
    assert_eq!(c.flow(Metric::PaidOnline, june.next().into()), 0);
}

#[test]
fn indicators_counting_procedures_count_per_procedure_flows_of_the_receipt_month() {
    use motcua_domain::dossier::{Component, ProcedureSets};
    let rules = OutcomeRules::default();
    let june: Month = "2026-06".parse().unwrap();
    let all_sets = ProcedureSets {
        online_service: true,
        fee_information: true,
        for_individuals: true,
    };
    let flows = |d: &Dossier| {
        let c = contributions(d, &rules);
        ProcedureFlow::ALL
            .into_iter()
            .filter(|f| c.procedures.get(&(june, "1.001234".into(), *f)) == Some(&1))
            .collect::<Vec<_>>()
    };
    let at = vn(2026, 6, 15, 10);
    let with_sets = |mut d: Dossier| {
        d.submission.procedure.counted_in = all_sets;
        d
    };
    // At the desk, no e-ID, no fee: nothing.
    assert_eq!(
        flows(&with_sets(dossier(Channel::Desk, Some(5), at, None))),
        []
    );
    // Online, without a time limit too (3.2 counts services used, classified or not); not
    // for a procedure that was no online service when the dossier was created.
    let online = with_sets(dossier(Channel::Online, None, at, None));
    assert_eq!(flows(&online), [ProcedureFlow::Online]);
    let mut not_offered = online.clone();
    not_offered.submission.procedure.counted_in.online_service = false;
    assert_eq!(flows(&not_offered), []);
    // An individual's e-ID, or a component from the data store: population data (4.5a);
    // not an organisation's.
    let mut eid = with_sets(dossier(Channel::Desk, Some(5), at, None));
    eid.submission.eid_verified = true;
    assert_eq!(flows(&eid), [ProcedureFlow::PopulationData]);
    let mut business = eid.clone();
    business.submission.applicant.id = ApplicantId::Organisation("0101243150".parse().unwrap());
    assert_eq!(flows(&business), []);
    let mut stored = with_sets(dossier(Channel::Desk, Some(5), at, None));
    stored.submission.components = vec![Component {
        name: "Giấy khai sinh".into(),
        has_file: true,
        reused: false,
        from_data_store: true,
        files: vec![],
    }];
    assert_eq!(flows(&stored), [ProcedureFlow::PopulationData]);
    // A fee asked (3.5), and paid online (3.5b); 0 đồng is no fee data.
    let mut paid = with_sets(dossier(Channel::Online, Some(5), at, None));
    paid.payment_due_vnd = Some(50_000);
    paid.paid_online = Some(true);
    assert_eq!(
        flows(&paid),
        [
            ProcedureFlow::Online,
            ProcedureFlow::FeeAsked,
            ProcedureFlow::PaidOnline
        ]
    );
    paid.payment_due_vnd = Some(0);
    assert_eq!(flows(&paid), [ProcedureFlow::Online]);
    // Before the sets were recorded (older events), a dossier counts in none.
    assert_eq!(flows(&dossier(Channel::Online, Some(5), at, None)), []);

    // Kept per scope and per month, quarter and year: two dossiers of one procedure are one
    // procedure used; a dossier moved away leaves none.
    let mut c = contributions(&online, &rules);
    c.add(&contributions(&online, &rules), 1);
    c.add(&contributions(&eid, &rules), 1);
    let uses = counts::procedure_uses(&c, &["000.00.13.H05", "24"]);
    assert_eq!(uses.len(), 2 * 3);
    assert_eq!(
        uses[&("24".into(), "2026-Q2".into(), "1.001234".into())],
        [2, 1, 0, 0]
    );
    let used = counts::procedures_used(&uses);
    for key in ["2026-06", "2026-Q2", "2026"] {
        assert_eq!(used[&("24".into(), key.into())], [1, 1, 0, 0], "{key}");
    }
    c.add(&contributions(&eid, &rules), -1);
    let used = counts::procedures_used(&counts::procedure_uses(&c, &["24"]));
    assert_eq!(used[&("24".into(), "2026".into())], [1, 0, 0, 0]);
    assert_eq!(
        counts::period_key("2026-01..2026-06".parse().unwrap()),
        None
    );
    assert_eq!(
        counts::period_key("2026-Q2".parse().unwrap()).as_deref(),
        Some("2026-Q2")
    );
}

#[test]
fn indicator_4_2_asks_for_a_result_file_where_the_result_is_a_document() {
    use motcua_domain::dossier::{Component, FileRef, ResultForm};
    let rules = OutcomeRules::default();
    let june: Month = "2026-06".parse().unwrap();
    let flow = |d: &Dossier| contributions(d, &rules).flow(Metric::Digitized, june.into());
    let file = FileRef {
        sha256: "ab".repeat(32),
        name: "ket-qua.pdf".into(),
        media_type: "application/pdf".into(),
        size: 1024,
    };
    let scanned = |document_result: bool, finished: Option<DateTime<Utc>>| {
        let mut d = dossier(Channel::Desk, Some(5), vn(2026, 6, 15, 10), finished);
        d.submission.procedure.document_result = document_result;
        d.submission.components = vec![Component {
            name: "Tờ khai".into(),
            has_file: true,
            reused: false,
            from_data_store: false,
            files: vec![file.clone()],
        }];
        d
    };
    // No document result due: a component's file is enough, at receipt.
    assert_eq!(flow(&scanned(false, None)), 1);
    // A document result due: not until its file exists, then counted in the receipt month.
    let open = scanned(true, None);
    assert_eq!(flow(&open), 0);
    let finished = scanned(true, Some(vn(2026, 7, 1, 10)));
    assert_eq!(flow(&finished), 0);
    let mut electronic = finished.clone();
    electronic.result = Some((ResultForm::Electronic, vn(2026, 7, 1, 11)));
    assert_eq!(flow(&electronic), 1);
    let mut paper = finished.clone();
    paper.result = Some((ResultForm::Paper, vn(2026, 7, 1, 11)));
    assert_eq!(flow(&paper), 0);
    paper.result_scan = Some(file.clone());
    assert_eq!(flow(&paper), 1);
    // Refused: no result is issued, so none is asked for.
    let mut refused = finished;
    refused.decision = Some(Decision::Refused {
        reasons: "Thiếu giấy tờ".into(),
    });
    assert_eq!(flow(&refused), 1);
    // No file on any component: never, whatever the result.
    let mut bare = electronic;
    bare.submission.components[0].has_file = false;
    assert_eq!(flow(&bare), 0);
}
