//! The demo province through the real write path, on SQLite and on PostgreSQL: a small
//! build checked for well-formed data, a faithful log, consistent figures, plausible mixes,
//! determinism and idempotence.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use motcua_domain::dossier::DossierCode;
use motcua_service::demo::{DemoConfig, DemoProgress, DemoReport, SERVICE_CENTRE};
use motcua_service::{FixedClock, ServiceError, Services};
use motcua_storage::{Backend, Store};
use motcua_test_support::{TestDb, contract_tests};

const DOSSIERS: u64 = 300;

/// Friday 30 October 2026, 17:30 in Vietnam: the end of the history.
fn end() -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 10, 30, 17, 30, 0)
        .unwrap()
        .to_utc()
}

fn config() -> DemoConfig {
    DemoConfig {
        dossiers: DOSSIERS,
        seed: 7,
        months: 12,
        end: None, // the services' clock, fixed at end()
    }
}

fn services(store: &Store) -> Services {
    Services::new(store.clone(), Arc::new(FixedClock::new(end())))
}

async fn build(store: &Store) -> DemoReport {
    let mut seen = Vec::new();
    let report = services(store)
        .build_demo(config(), |p| seen.push(p))
        .await
        .unwrap();
    assert!(seen.contains(&DemoProgress::ReferenceData), "{seen:?}");
    assert_eq!(
        seen.iter().rev().find_map(|p| match p {
            DemoProgress::Dossiers { done, total } => Some((*done, *total)),
            _ => None,
        }),
        Some((DOSSIERS, DOSSIERS))
    );
    report
}

async fn all_codes(store: &Store) -> Vec<String> {
    let mut codes = Vec::new();
    let mut after = String::new();
    loop {
        let page = store.dossier_codes_after(&after, 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.clone();
        codes.extend(page);
    }
    codes
}

async fn builds_a_consistent_province_once_and_deterministically(store: &Store) {
    let svc = services(store);
    let report = build(store).await;
    assert!(!report.already_built);
    assert_eq!(report.dossiers, DOSSIERS);
    assert_eq!(report.end, end());
    assert!(report.procedures > 1000, "{}", report.procedures);
    assert_eq!(report.agencies, 13 + 99 + 1 + report.extra_desks);
    assert!(svc.agency(SERVICE_CENTRE).await.unwrap().is_some());

    // Every code well formed, unique, of a demo agency of Bắc Ninh, within the history.
    let codes = all_codes(store).await;
    assert_eq!(codes.len() as u64, DOSSIERS);
    let unique: BTreeSet<&String> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len());
    let first_day = report.from.unwrap().date_naive();
    for code in &codes {
        let parsed: DossierCode = code.parse().unwrap();
        assert_eq!(&parsed.to_string(), code);
        assert!(parsed.agency().ends_with(".H05"), "{code}");
        assert!(
            parsed.date() >= first_day && parsed.date() <= end().date_naive(),
            "{code}"
        );
    }

    // The log alone rebuilds every projection.
    let replay = svc.replay_dossiers(false).await.unwrap();
    assert!(replay.mismatches.is_empty(), "{:?}", replay.mismatches);
    assert_eq!(replay.dossiers, DOSSIERS);
    assert_eq!(replay.events, report.events);
    assert!(report.events > 5 * DOSSIERS, "{}", report.events);

    // Headline identities (Biểu số 06/VPCP/KSTT) and the figures at the end of the history.
    let h = report.headline;
    assert_eq!(h, svc.headline(None, None, end()).await.unwrap());
    assert_eq!(h.received, h.online + h.desk + h.post);
    assert_eq!(h.received, h.resolved + h.in_progress);
    assert_eq!(
        h.received,
        h.early + h.on_time + h.late + h.within_time + h.overdue + h.without_limit
    );
    assert!(h.early + h.on_time + h.late <= h.resolved);
    assert!(h.within_time + h.overdue <= h.in_progress);

    // The mixes, roughly as configured (wide tolerances: 300 dossiers).
    let received = h.received as f64;
    assert!(h.received >= DOSSIERS * 9 / 10, "{h:?}");
    assert!(
        h.received < DOSSIERS,
        "some online dossiers are never received: {h:?}"
    );
    let online = h.online_rate().unwrap();
    assert!((0.30..0.60).contains(&online), "online {online}");
    assert!(h.post > 0 && (h.post as f64) < 0.15 * received, "{h:?}");
    assert!(h.early > 0 && h.on_time > 0, "{h:?}");
    let overdue = h.overdue_rate_766().unwrap();
    assert!(overdue < 0.03, "overdue {overdue}");
    let on_time = h.on_time_rate_resolved().unwrap();
    assert!(on_time > 0.97, "on time {on_time}");
    let electronic = h.electronic_results as f64 / h.resolved as f64;
    assert!(
        (0.25..0.65).contains(&electronic),
        "electronic {electronic}"
    );
    assert!(
        h.in_progress > 0,
        "the end of the history leaves work open: {h:?}"
    );

    // A realistic dossier to show: supplement requested and provided, result returned.
    let sample: DossierCode = report.sample_code.clone().unwrap().parse().unwrap();
    let dossier = svc.find_dossier(&sample).await.unwrap();
    assert!(!dossier.pauses.is_empty());
    let history = svc.dossier_history(&sample).await.unwrap();
    assert!(history.iter().all(|e| e.meta.at <= end()));
    assert!(
        history
            .iter()
            .any(|e| e.meta.actor.role == motcua_domain::event::Role::Leader)
    );

    // Feedback and simplification plans too: the operations centre's group 5 and catalogue
    // figures have something to show.
    let year = motcua_domain::kpi::period::Period::year(2026).unwrap();
    let province = svc
        .kpi_report(&motcua_service::Acting::cli("test"), "24", year)
        .await
        .unwrap();
    let p = &province.petitions;
    assert!(
        p.received > 0 && p.about_staff > 0 && p.about_procedures > 0,
        "{p:?}"
    );
    assert!(p.on_time > 0 && p.on_time < p.handled_or_open, "{p:?}");
    let c = province.catalogue.unwrap();
    assert_eq!(
        (
            c.plans_proposed,
            c.plans_approved,
            c.plans_implemented,
            c.plans_cutting_time
        ),
        (1, 1, 1, 2),
        "{c:?}"
    );
    assert!(c.published_public > 1000 && c.partial > 0, "{c:?}");

    // Built once: a second call writes nothing and reports the same figures.
    let again = svc.build_demo(config(), |_| {}).await.unwrap();
    assert!(again.already_built);
    assert_eq!(again.dossiers, 0);
    assert_eq!(again.headline, h);
    assert_eq!(all_codes(store).await.len() as u64, DOSSIERS);

    // The same seed into another database gives the same province.
    let other = match store.backend() {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => TestDb::postgres().await,
    };
    let twin = build(&other.store).await;
    assert_eq!(twin.headline, h);
    assert_eq!(twin.events, report.events);
    assert_eq!(twin.sample_code, report.sample_code);
    assert_eq!(all_codes(&other.store).await, codes);
    assert_eq!(
        services(&other.store).find_dossier(&sample).await.unwrap(),
        dossier
    );
    other.cleanup().await;
}

async fn refuses_a_history_before_the_merged_province(store: &Store) {
    let err = services(store)
        .build_demo(
            DemoConfig {
                months: 24,
                ..config()
            },
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("2025-07-01"), "{err}");
    // Nothing was written.
    assert!(store.dossier_codes_after("", 1).await.unwrap().is_empty());
    assert_eq!(store.count_events().await.unwrap(), 0);
}

contract_tests!(
    builds_a_consistent_province_once_and_deterministically,
    refuses_a_history_before_the_merged_province,
);
