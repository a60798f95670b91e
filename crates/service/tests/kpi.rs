//! The operations centre's counters on SQLite and on PostgreSQL: kept with each dossier
//! change, they (flows, stock trees, procedures used) equal the counters recomputed from the log on
//! generated histories (demo provinces of several seeds), and the figures of months,
//! quarters, runs of months and years read from them agree with the dossiers themselves.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use motcua_domain::dossier::{Dossier, Outcome, OutcomeRules};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::counts::Month;
use motcua_domain::kpi::index766::Indicator;
use motcua_domain::kpi::period::Period;
use motcua_domain::kpi::report06::{Report06Counts, Report06Row};
use motcua_service::demo::DemoConfig;
use motcua_service::kpi::dashboard::{Measure, Part};
use motcua_service::office::Urgency;
use motcua_service::{Acting, FixedClock, ServiceError, Services};
use motcua_storage::{Backend, Store};
use motcua_test_support::{TestDb, contract_tests};
use rand::{RngCore, SeedableRng};

/// Friday 30 October 2026, 17:30 in Vietnam: the end of the histories.
fn end() -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 10, 30, 17, 30, 0)
        .unwrap()
        .to_utc()
}

fn services(store: &Store) -> Services {
    Services::new(store.clone(), Arc::new(FixedClock::new(end())))
}

fn operator() -> Acting {
    Acting::cli("kpi-test")
}

async fn build(store: &Store, seed: u64, dossiers: u64) {
    let config = DemoConfig {
        dossiers,
        seed,
        months: 6,
        end: None,
    };
    services(store).build_demo(config, |_| {}).await.unwrap();
}

async fn fresh(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => TestDb::postgres().await,
    }
}

/// Every dossier, read back from the projection.
async fn all_dossiers(store: &Store) -> Vec<Dossier> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let codes = store.dossier_codes_after(&after, 500).await.unwrap();
        let Some(last) = codes.last() else { break };
        after = last.clone();
        out.extend(
            store
                .list_dossier_rows(&codes)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.state.0),
        );
    }
    out
}

async fn incremental_counters_equal_those_recomputed_from_the_log(store: &Store) {
    // The property over generated histories: a few seeds (one drawn anew each run and
    // printed), each a fresh database.
    let drawn = rand_chacha::ChaCha8Rng::from_os_rng().next_u64() % 10_000;
    for seed in [3, 11, drawn] {
        let db = fresh(store.backend()).await;
        build(&db.store, seed, 120).await;
        let svc = services(&db.store);
        assert!(
            svc.kpi_counts_match_log().await.unwrap(),
            "seed {seed}: the counters differ from the log's"
        );
        // Every kind is compared: the monthly flows, the stock trees, the procedures used
        // (rows and the counts their trigger keeps).
        let stored = db.store.all_kpi_counters().await.unwrap();
        let (uses, used) = db.store.all_procedure_uses().await.unwrap();
        assert!(
            stored.values().any(|c| !c.counts.is_empty())
                && stored.values().any(|c| !c.stocks.is_empty())
                && !uses.is_empty()
                && !used.is_empty(),
            "seed {seed}"
        );
        // A rebuild writes the same counters again.
        svc.rebuild_kpi_counts(&operator()).await.unwrap();
        assert!(svc.kpi_counts_match_log().await.unwrap(), "seed {seed}");
        db.cleanup().await;
    }
}

/// Biểu 06 counts of `[start, end)` counted directly from every dossier's state: received
/// and resolved within, carried over from before `start`, open at `end` split by the
/// measured appointment against `end`.
fn counted_directly(
    dossiers: &[Dossier],
    rules: &OutcomeRules,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Report06Counts {
    let counted: Vec<&Dossier> = dossiers
        .iter()
        .filter(|d| {
            let t = d.timing();
            t.received_at.is_some() && t.measured_due(rules).is_some()
        })
        .collect();
    let received = |channel: Channel| {
        counted
            .iter()
            .filter(|d| {
                let channel_of = match d.submission.channel {
                    Channel::Online | Channel::Post => d.submission.channel,
                    _ => Channel::Desk,
                };
                channel_of == channel
                    && d.timing()
                        .received_at
                        .is_some_and(|r| r >= start && r < end)
            })
            .count() as u64
    };
    let carried_over = counted
        .iter()
        .filter(|d| {
            let t = d.timing();
            t.received_at.is_some_and(|r| r < start) && t.finished_at.is_none_or(|f| f >= start)
        })
        .count() as u64;
    let resolved_in = |class: Outcome| {
        counted
            .iter()
            .filter(|d| {
                let t = d.timing();
                t.finished_at.is_some_and(|f| f >= start && f < end)
                    && t.outcome_at(end, rules) == class
            })
            .count() as u64
    };
    let open_at_end: Vec<&&Dossier> = counted
        .iter()
        .filter(|d| {
            let t = d.timing();
            t.received_at.is_some_and(|r| r < end) && t.finished_at.is_none_or(|f| f >= end)
        })
        .collect();
    let overdue = open_at_end
        .iter()
        .filter(|d| d.timing().measured_due(rules).is_some_and(|due| due < end))
        .count() as u64;
    Report06Counts {
        carried_over,
        online: received(Channel::Online),
        in_person: received(Channel::Desk),
        postal: received(Channel::Post),
        early: resolved_in(Outcome::Early),
        on_time: resolved_in(Outcome::OnTime),
        late: resolved_in(Outcome::Late),
        within_time: open_at_end.len() as u64 - overdue,
        overdue,
    }
}

async fn monthly_figures_agree_with_the_dossiers(store: &Store) {
    build(store, 5, 300).await;
    let svc = services(store);
    let offset = FixedOffset::east_opt(7 * 3600).unwrap();
    let rules = svc.rules().outcome;
    let dossiers = all_dossiers(store).await;
    let month: Month = "2026-08".parse().unwrap();
    let end_of = month.next().start(offset).unwrap();
    let expected = counted_directly(&dossiers, &rules, month.start(offset).unwrap(), end_of);
    let received = expected.online + expected.in_person + expected.postal;

    let province = svc.kpi_report(&operator(), "24", month).await.unwrap();
    let row = &province.report06;
    row.check().unwrap();
    assert!(!province.live);
    assert_eq!(province.at, end_of);
    assert_eq!(row.counts, expected);
    assert!(received > 0 && province.agencies.len() > 100);
    let on_time = province
        .index
        .indicators
        .iter()
        .find(|s| s.indicator == Indicator::ProcessedOnTime)
        .unwrap();
    assert_eq!(on_time.ratio, Some(row.on_time_766()));
    // 3.0: of the dossiers received in the month for procedures offered full-process, those
    // received online (the demo's catalogue offers some).
    let (start, mut eligible, mut online) = (month.start(offset).unwrap(), 0, 0);
    for d in &dossiers {
        let received_at = d.timing().received_at;
        if d.submission.procedure.full_process_online
            && received_at.is_some_and(|r| r >= start && r < end_of)
        {
            eligible += 1;
            online += u64::from(d.submission.channel == Channel::Online);
        }
    }
    assert!(eligible > 0 && online > 0, "{eligible} {online}");
    let full_process = province
        .index
        .indicator(Indicator::FullProcessOnline)
        .unwrap();
    assert_eq!(full_process.ratio, Some(Ratio::new(online, eligible)));
    // 3.6: of the dossiers received in the month and asked to pay, those paid online.
    let (mut owing, mut paid_online) = (0, 0);
    for d in &dossiers {
        let received_at = d.timing().received_at;
        if d.payment_due_vnd.is_some_and(|vnd| vnd > 0)
            && received_at.is_some_and(|r| r >= start && r < end_of)
        {
            owing += 1;
            paid_online += u64::from(d.paid_online == Some(true));
        }
    }
    assert!(paid_online > 0, "{owing} {paid_online}");
    let paid = province
        .index
        .indicator(Indicator::DossiersPaidOnline)
        .unwrap();
    assert_eq!(paid.ratio, Some(Ratio::new(paid_online, owing)));
    procedures_used_agree_with_the_catalogue_and_the_dossiers(store, &svc, &dossiers).await;

    // One agency's figures are its own share; the month in progress is classified now.
    let agency = &province.agencies[0];
    let one = svc.kpi_report(&operator(), agency, month).await.unwrap();
    one.report06.check().unwrap();
    assert!(one.report06.counts.carried_over <= row.counts.carried_over);
    let current = svc
        .kpi_report(&operator(), "24", "2026-10".parse::<Month>().unwrap())
        .await
        .unwrap();
    assert!(current.live);
    current.report06.check().unwrap();

    // A quarter, a run of months and a year: received and resolved summed over their
    // months, carried over from their start, the open split at their end.
    for text in ["2026-Q3", "2026-06..2026-09", "2026-05..2026-05"] {
        let period: Period = text.parse().unwrap();
        let report = svc.kpi_report(&operator(), "24", period).await.unwrap();
        report.report06.check().unwrap();
        assert!(!report.live, "{text}");
        let wanted = counted_directly(
            &dossiers,
            &rules,
            period.start(offset).unwrap(),
            period.end(offset).unwrap(),
        );
        assert_eq!(report.report06.counts, wanted, "{text}");
        let by_month: u64 = period
            .months()
            .map(|m| {
                let c = counted_directly(
                    &dossiers,
                    &rules,
                    m.start(offset).unwrap(),
                    m.next().start(offset).unwrap(),
                );
                c.online + c.in_person + c.postal
            })
            .sum();
        assert_eq!(report.report06.newly_received(), by_month, "{text}");
    }
    // The year is in progress: its open dossiers are classified now.
    let year = svc
        .kpi_report(&operator(), "24", "2026".parse::<Period>().unwrap())
        .await
        .unwrap();
    year.report06.check().unwrap();
    assert!(year.live && year.at == end());
    let wanted = counted_directly(
        &dossiers,
        &rules,
        "2026".parse::<Period>().unwrap().start(offset).unwrap(),
        end(),
    );
    assert_eq!(
        year.report06.newly_received(),
        wanted.online + wanted.in_person + wanted.postal
    );
    assert_eq!(
        year.report06.resolved,
        wanted.early + wanted.on_time + wanted.late
    );

    // Every agency and every commune of the province from one read: each commune's figures
    // are its committee's, and the agencies add up to the province.
    let all = svc.kpi_every_unit(&operator(), "24", month).await.unwrap();
    assert_eq!(all.unit.report06, province.report06);
    assert_eq!(all.agencies.len(), province.agencies.len());
    let sum = Report06Row::total(all.agencies.iter().map(|r| &r.report06));
    assert_eq!(sum, province.report06);
    assert!(all.units.len() >= 99, "{}", all.units.len());
    for unit in &all.units {
        let alone = svc
            .kpi_report(&operator(), &unit.unit, month)
            .await
            .unwrap();
        assert_eq!(alone.report06, unit.report06, "{}", unit.unit);
        assert_eq!(alone.index, unit.index, "{}", unit.unit);
    }

    // Bad asks get clear errors in both languages.
    let future = svc
        .kpi_report(&operator(), "24", "2027-01".parse::<Month>().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&future, ServiceError::Invalid(m) if m.contains("chưa bắt đầu") && m.contains("has not begun")),
        "{future:?}"
    );
    let unknown = svc
        .kpi_report(&operator(), "99999", month)
        .await
        .unwrap_err();
    assert!(
        matches!(&unknown, ServiceError::Invalid(m) if m.contains("99999") && m.contains("no agency")),
        "{unknown:?}"
    );
    // A citizen reads no statistics.
    assert!(svc.kpi_report(&citizen(), "24", month).await.is_err());
}

/// 3.2, 3.5, 3.5b and 4.5a of the province for a quarter and of each commune for a month:
/// of the unit's procedures in force in each set (offered online, with fees, open to
/// individuals), those with a dossier of the kind received in the period, counted from the
/// catalogue and the dossiers. A run of months does not keep them: unmeasured.
async fn procedures_used_agree_with_the_catalogue_and_the_dossiers(
    store: &Store,
    svc: &Services,
    dossiers: &[Dossier],
) {
    use motcua_domain::catalog::{Level, LifecycleState, Procedure, ProcedureKind};
    use motcua_domain::dossier::ApplicantId;
    use std::collections::BTreeSet;
    let offset = FixedOffset::east_opt(7 * 3600).unwrap();
    let filter = motcua_storage::catalog::ProcedureFilter {
        on: Some(end().with_timezone(&offset).date_naive()),
        ..Default::default()
    };
    let procedures = store.list_procedures(&filter).await.unwrap();
    let expected = |period: Period, agencies: &[String], levels: &[Level]| {
        let (start, until) = (period.start(offset).unwrap(), period.end(offset).unwrap());
        let set = |keep: &dyn Fn(&Procedure) -> bool| -> BTreeSet<String> {
            procedures
                .iter()
                .filter(|p| {
                    p.state == LifecycleState::Published
                        && p.kind == ProcedureKind::Public
                        && p.levels.iter().any(|l| levels.contains(l))
                        && keep(p)
                })
                .map(|p| p.code.to_string())
                .collect()
        };
        let used = |keep: &dyn Fn(&Dossier) -> bool, of: &BTreeSet<String>| {
            let codes: BTreeSet<&str> = dossiers
                .iter()
                .filter(|d| {
                    agencies.contains(&d.submission.agency)
                        && d.timing()
                            .received_at
                            .is_some_and(|r| r >= start && r < until)
                        && keep(d)
                })
                .map(|d| d.submission.procedure.code.as_str())
                .collect();
            let n = of.iter().filter(|c| codes.contains(c.as_str())).count();
            Ratio::new(n as u64, of.len() as u64)
        };
        let owing = |d: &Dossier| d.payment_due_vnd.is_some_and(|vnd| vnd > 0);
        let charged = set(&|p| p.has_fee_information());
        [
            (
                Indicator::OnlineServicesUsed,
                used(
                    &|d| d.submission.channel == Channel::Online,
                    &set(&|p| p.offered_online()),
                ),
            ),
            (Indicator::FeesIntegrated, used(&owing, &charged)),
            (
                Indicator::FeesPaidOnline,
                used(&|d| owing(d) && d.paid_online == Some(true), &charged),
            ),
            (
                Indicator::PopulationDataProcedures,
                used(
                    &|d| {
                        matches!(d.submission.applicant.id, ApplicantId::Person(_))
                            && (d.submission.eid_verified
                                || d.submission.components.iter().any(|c| c.from_data_store))
                    },
                    &set(&|p| p.open_to_individuals()),
                ),
            ),
        ]
    };
    let quarter: Period = "2026-Q3".parse().unwrap();
    let report = svc.kpi_report(&operator(), "24", quarter).await.unwrap();
    for (indicator, ratio) in expected(
        quarter,
        &report.agencies,
        &[Level::Province, Level::Commune],
    ) {
        assert!(
            ratio.numerator > 0 && ratio.denominator > ratio.numerator,
            "{indicator:?} {ratio:?}"
        );
        let score = report.index.indicator(indicator).unwrap();
        assert_eq!(score.ratio, Some(ratio), "{indicator:?}");
    }
    // Each commune of the province, for a month, over the commune-level procedures.
    let month: Period = "2026-08".parse().unwrap();
    let every = svc.kpi_every_unit(&operator(), "24", month).await.unwrap();
    let mut used_somewhere = 0;
    for unit in &every.units {
        for (indicator, ratio) in expected(month, &unit.agencies, &[Level::Commune]) {
            used_somewhere += ratio.numerator;
            let score = unit.index.indicator(indicator).unwrap();
            assert_eq!(score.ratio, Some(ratio), "{} {indicator:?}", unit.unit);
        }
    }
    assert!(used_somewhere > 0 && !every.units.is_empty());
    // A run of months keeps no procedures used: unmeasured, not 0.
    let run: Period = "2026-07..2026-08".parse().unwrap();
    let report = svc.kpi_report(&operator(), "24", run).await.unwrap();
    let score = report
        .index
        .indicator(Indicator::OnlineServicesUsed)
        .unwrap();
    assert_eq!(score.ratio, None);
}

fn citizen() -> Acting {
    Acting {
        actor: Actor {
            id: "u:citizen".into(),
            role: Role::Citizen,
            agency: None,
        },
        channel: Channel::Online,
        request_id: None,
    }
}

async fn the_drill_down_adds_up_to_the_figures(store: &Store) {
    build(store, 7, 300).await;
    let svc = services(store);
    // Months, a quarter and a run of months: a dossier counts at most once in a period.
    for month in ["2026-08", "2026-10", "2026-Q3", "2026-07..2026-10"] {
        let month: Period = month.parse().unwrap();
        let (province, agencies) = svc
            .kpi_agency_reports(&operator(), "24", month)
            .await
            .unwrap();
        assert_eq!(agencies.len(), province.agencies.len());
        // Unit → agencies: the agencies' rows add up to the unit's.
        assert_eq!(
            Report06Row::total(agencies.iter().map(|a| &a.report06)),
            province.report06,
            "{month}"
        );
        let mut explained = 0;
        for agency in agencies.iter().filter(|a| a.report06.received > 0).take(6) {
            let b = svc
                .kpi_breakdown(&operator(), &agency.unit, month)
                .await
                .unwrap();
            assert_eq!(b.report.report06, agency.report06);
            // Agency → dossiers, and agency → procedures: each adds up to the counters.
            let rows: Vec<Report06Row> = b.dossiers.iter().map(|d| d.row).collect();
            assert_eq!(
                Report06Row::total(&rows),
                agency.report06,
                "{}",
                agency.unit
            );
            let lines: Vec<Report06Row> = b.procedures.iter().map(|p| p.row).collect();
            assert_eq!(Report06Row::total(&lines), agency.report06);
            for measure in Measure::ALL {
                let whole = measure.ratio(&agency.report06, &agency.index.input());
                let shares: Vec<Ratio> = b
                    .dossiers
                    .iter()
                    .map(|d| measure.ratio(&d.row, &d.input))
                    .collect();
                let listed = |part: Part| shares.iter().filter(|r| part.holds(**r)).count();
                // Each dossier counts at most once in a numerator or a denominator.
                assert_eq!(
                    listed(Part::Numerator) as u64,
                    whole.numerator,
                    "{measure:?}"
                );
                assert_eq!(
                    listed(Part::Denominator) as u64,
                    whole.denominator,
                    "{measure:?}"
                );
                assert_eq!(
                    listed(Part::Missing) as u64,
                    whole.denominator - whole.numerator
                );
            }
            explained += b.dossiers.len();
        }
        assert!(explained > 0, "{month}");
    }

    // Alerts: the overdue dossiers of the agencies are the month in progress's overdue.
    let current = svc.current_month();
    let live = svc.kpi_report(&operator(), "24", current).await.unwrap();
    let alerts = svc.kpi_alerts(&operator(), "24", current).await.unwrap();
    let overdue: u64 = alerts.iter().map(|a| a.overdue).sum();
    assert_eq!(overdue, live.report06.counts.overdue);
    assert!(overdue > 0);
    assert!(alerts.windows(2).all(|w| w[0].overdue >= w[1].overdue));
    let first = &alerts[0];
    assert!(first.open >= first.overdue + first.due_soon);
    let listed = svc
        .kpi_alert_dossiers(&operator(), &first.agency, Urgency::Overdue)
        .await
        .unwrap();
    assert_eq!(listed.len() as u64, first.overdue);
    assert!(listed.windows(2).all(|w| w[0].due_at <= w[1].due_at));
    assert!(listed.iter().all(|d| d.finished_at.is_none()));

    // A unit is not one agency; a citizen reads none of it.
    let not_one = svc
        .kpi_breakdown(&operator(), "24", current)
        .await
        .unwrap_err();
    assert!(matches!(&not_one, ServiceError::Invalid(m) if m.contains("not one agency")));
    assert!(matches!(
        svc.kpi_alerts(&citizen(), "24", current).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        svc.kpi_breakdown(&citizen(), &first.agency, current).await,
        Err(ServiceError::Forbidden(_))
    ));
}

async fn figures_from_elsewhere_are_imported_and_kept_with_their_source(store: &Store) {
    build(store, 2, 20).await;
    let svc = services(store);
    let month: Month = "2026-09".parse().unwrap();
    // The demo imports the province's samples each month: two figures and the parts of 766
    // indicators 1.1, 1.2 and 1.4, whose 1.4 denominator is the month's dossiers received.
    let demo = svc.imported_kpi("24", month).await.unwrap();
    assert_eq!(demo.len(), 8);
    assert!(demo.iter().all(|(f, _)| f.source.contains("demo")));
    let report = svc.kpi_report(&operator(), "24", month).await.unwrap();
    let c = &report.report06.counts;
    let received = c.online + c.in_person + c.postal + report.unclassified;
    let synced = report.index.indicator(Indicator::DossiersSynced).unwrap();
    assert!(synced.imported && synced.score.points().is_some());
    let ratio = synced.ratio.unwrap();
    assert_eq!(ratio.denominator, received);
    assert!(ratio.numerator <= received && received > 0);
    for indicator in [Indicator::PublishedOnTime, Indicator::UpdatedOnTime] {
        assert!(report.index.indicator(indicator).unwrap().imported);
    }
    assert!(
        !report
            .index
            .indicator(Indicator::ProcessedOnTime)
            .unwrap()
            .imported
    );

    let csv = "\u{feff}don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n\
        24,2026-09,vneid.kich_hoat,Tài khoản VNeID được kích hoạt,152340,tài khoản,Công an tỉnh\n\
        24,2026-09,dtc.giai_ngan,Giải ngân vốn đầu tư công,\"61,5\",%,Sở Tài chính\n";
    assert_eq!(svc.import_kpi_csv(&operator(), csv).await.unwrap(), 2);
    // A later import of a key replaces its value; the log keeps every import.
    let again = "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n\
        24,2026-09,dtc.giai_ngan,Giải ngân vốn đầu tư công,63.2,%,Sở Tài chính\n";
    svc.import_kpi_csv(&operator(), again).await.unwrap();
    let shown = svc.imported_kpi("24", month).await.unwrap();
    let values: Vec<(&str, f64)> = shown
        .iter()
        .filter(|(f, _)| !f.key.starts_with("chi_so_766."))
        .map(|(f, _)| (f.key.as_str(), f.value))
        .collect();
    assert_eq!(
        values,
        [("dtc.giai_ngan", 63.2), ("vneid.kich_hoat", 152_340.0)]
    );
    let eid = shown
        .iter()
        .find(|(f, _)| f.key == "vneid.kich_hoat")
        .unwrap();
    assert_eq!((eid.0.source.as_str(), eid.1), ("Công an tỉnh", end()));
    let log = store
        .load_stream(motcua_storage::kpi::IMPORT_STREAM, "24/2026-09")
        .await
        .unwrap();
    assert_eq!(log.len(), 8 + 3);

    // All or none: a bad line, an unknown unit or a month not begun records nothing.
    for (text, wanted) in [
        (
            "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n24,2026-09,a,A,1,,X\n24,2026-09,b,B,x,,X\n",
            "line 3, gia_tri",
        ),
        (
            "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n24,2026-09,a,A,1,,X\n99999,2026-09,b,B,1,,X\n",
            "no agency or administrative unit",
        ),
        (
            "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n24,2027-01,a,A,1,,X\n",
            "has not begun",
        ),
    ] {
        let e = svc.import_kpi_csv(&operator(), text).await.unwrap_err();
        assert!(
            matches!(&e, ServiceError::Invalid(m) if m.contains(wanted)),
            "{e:?}"
        );
    }
    assert_eq!(svc.imported_kpi("24", month).await.unwrap().len(), 8);
    let refused = svc.import_kpi_csv(&citizen(), again).await.unwrap_err();
    assert!(matches!(refused, ServiceError::Forbidden(_)), "{refused:?}");

    // An agency's own 766 parts: 1.4 scores from both, marked as imported; 1.1 with its
    // numerator alone measures nothing; the province's figures stay its own.
    let agency = report.agencies[0].clone();
    let before = svc.kpi_report(&operator(), &agency, month).await.unwrap();
    assert_eq!(
        before
            .index
            .indicator(Indicator::DossiersSynced)
            .unwrap()
            .ratio,
        None
    );
    assert!(svc.imported_kpi(&agency, month).await.unwrap().is_empty());
    let parts = format!(
        "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n\
        {agency},2026-09,chi_so_766.1_4.tu_so,Hồ sơ đồng bộ,18,hồ sơ,Cổng DVCQG\n\
        {agency},2026-09,chi_so_766.1_4.mau_so,Hồ sơ tiếp nhận,20,hồ sơ,Cổng DVCQG\n\
        {agency},2026-09,chi_so_766.1_1.tu_so,TTHC công bố đúng hạn,4,TTHC,CSDLQG về TTHC\n"
    );
    assert_eq!(svc.import_kpi_csv(&operator(), &parts).await.unwrap(), 3);
    // A new service instance: the report is not one kept from before the import.
    let after = services(store)
        .kpi_report(&operator(), &agency, month)
        .await
        .unwrap();
    let synced = after.index.indicator(Indicator::DossiersSynced).unwrap();
    assert_eq!(synced.ratio, Some(Ratio::new(18, 20)));
    assert!(synced.imported && synced.score.points().is_some());
    assert!(after.index.total.out_of > before.index.total.out_of);
    let published = after.index.indicator(Indicator::PublishedOnTime).unwrap();
    assert_eq!((published.ratio, published.imported), (None, false));
    let province = services(store)
        .kpi_report(&operator(), "24", month)
        .await
        .unwrap();
    assert_eq!(
        province
            .index
            .indicator(Indicator::DossiersSynced)
            .unwrap()
            .ratio,
        Some(ratio)
    );
    // A counted indicator (2.1) cannot be imported.
    let counted = "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n\
        24,2026-09,chi_so_766.2_1.tu_so,Đúng hạn,1,hồ sơ,X\n";
    let e = svc.import_kpi_csv(&operator(), counted).await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Invalid(m) if m.contains("importable")),
        "{e:?}"
    );
}

contract_tests!(
    incremental_counters_equal_those_recomputed_from_the_log,
    monthly_figures_agree_with_the_dossiers,
    the_drill_down_adds_up_to_the_figures,
    figures_from_elsewhere_are_imported_and_kept_with_their_source,
);
