//! Storage contract of the procedure catalogue and simplification plans, on both backends.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use chrono::{NaiveDate, TimeZone, Utc};
use motcua_domain::catalog::simplification::{PlanSnapshot, PlanState, SimplificationPlan};
use motcua_domain::catalog::{
    Level, LifecycleState, OnlineLevel, Procedure, ProcedureKind, Publication, TimeLimit, TimeUnit,
    TimeValue, shipped, version_on,
};
use motcua_domain::event::{Actor, Channel, EventMeta};
use motcua_storage::catalog::{
    PLAN_STREAM, PROCEDURE_STREAM, PlanChange, PlanEvent, ProcedureChange, ProcedureEvent,
    ProcedureFilter,
};
use motcua_storage::{Store, StoreError, catalog};
use motcua_test_support::contract_tests;

fn meta() -> EventMeta {
    EventMeta {
        at: Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap(),
        actor: Actor::system("catalog-test"),
        channel: Channel::Cli,
        request_id: Some("req-cat".into()),
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn procedure(code: &str, version: u32, name: &str) -> Procedure {
    let mut p = Procedure::draft(code.parse().unwrap(), name);
    p.version = version;
    p.sector = "Chứng thực".into();
    p.levels = vec![Level::Province, Level::Commune];
    p.online_level = OnlineLevel::Partial;
    p.time_limit = Some(TimeLimit {
        value: TimeValue::from_halves(3),
        unit: TimeUnit::WorkingDays,
    });
    p
}

fn published(mut p: Procedure, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Procedure {
    p.state = LifecycleState::Published;
    p.publication = Some(Publication {
        decision_no: "163/QĐ-BTP".into(),
        date: from,
    });
    p.valid_from = from;
    p.valid_to = to;
    p
}

/// A change creating a new code with the given versions.
fn create(versions: Vec<Procedure>) -> ProcedureChange {
    ProcedureChange {
        code: versions[0].code.to_string(),
        expected_version: 0,
        events: versions
            .iter()
            .cloned()
            .map(ProcedureEvent::Imported)
            .collect(),
        versions,
    }
}

fn all() -> ProcedureFilter {
    ProcedureFilter::default()
}

async fn records_a_batch_and_reads_it_back(store: &Store) {
    let a1 = procedure("2.000815", 1, "Chứng thực bản sao từ bản chính");
    let a2 = published(
        procedure("2.000815", 2, "Chứng thực bản sao từ bản chính (mới)"),
        Some(day(2025, 7, 1)),
        None,
    );
    let b = procedure("2.000908.000.00.00.H55", 1, "Cấp bản sao từ sổ gốc");
    store
        .record_procedure_batch(
            &[
                create(vec![a1.clone(), a2.clone()]),
                create(vec![b.clone()]),
            ],
            &meta(),
        )
        .await
        .unwrap();

    let streams = store.procedure_streams().await.unwrap();
    assert_eq!(streams.len(), 2);
    assert_eq!(streams[0].code, "2.000815");
    assert_eq!(streams[0].stream_version, 2);
    assert_eq!(streams[0].versions, [a1.clone(), a2.clone()]);
    assert_eq!(streams[1].code, "2.000908.000.00.00.H55");
    assert_eq!(streams[1].versions, [b]);

    let one = store.procedure_stream("2.000815").await.unwrap().unwrap();
    assert_eq!(one, streams[0]);
    assert!(store.procedure_stream("9.999999").await.unwrap().is_none());
    assert_eq!(
        store.find_procedure("2.000815", 2).await.unwrap(),
        Some(a2.clone())
    );
    assert_eq!(store.find_procedure("2.000815", 3).await.unwrap(), None);
    assert_eq!(store.count_procedures(&all()).await.unwrap(), 3);

    // The log holds the full content of each version, readable back into events.
    let log = store
        .load_stream(PROCEDURE_STREAM, "2.000815")
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].kind, "imported");
    assert_eq!(log[0].meta, meta());
    let events: Vec<ProcedureEvent> = log
        .iter()
        .map(|e| ProcedureEvent::from_stored(&e.kind, &e.payload).unwrap())
        .collect();
    assert_eq!(
        events,
        [ProcedureEvent::Imported(a1), ProcedureEvent::Imported(a2)]
    );
}

async fn a_failed_batch_leaves_nothing_behind(store: &Store) {
    let good = create(vec![procedure("1.000001", 1, "Một")]);
    let mut stale = create(vec![procedure("1.000002", 1, "Hai")]);
    stale.expected_version = 3;
    let err = store
        .record_procedure_batch(&[good, stale], &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 3,
                actual: 0,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.count_events().await.unwrap(), 0);
    assert_eq!(store.count_procedures(&all()).await.unwrap(), 0);
    assert!(store.procedure_streams().await.unwrap().is_empty());

    // Two writers of the same new stream in one batch both pass the version check; the
    // log's unique key stops the second, and the first is rolled back with it.
    let first = create(vec![procedure("1.000003", 1, "Ba")]);
    let racing = create(vec![procedure("1.000003", 1, "Ba (khác)")]);
    let err = store
        .record_procedure_batch(&[first, racing], &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(store.count_events().await.unwrap(), 0);
    assert_eq!(store.count_procedures(&all()).await.unwrap(), 0);
}

async fn refuses_a_stale_expected_version(store: &Store) {
    let p = procedure("1.000001", 1, "Một");
    store
        .record_procedure_batch(&[create(vec![p.clone()])], &meta())
        .await
        .unwrap();
    // A second writer that also read "no such code" loses.
    let err = store
        .record_procedure_batch(&[create(vec![p.clone()])], &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 0,
                actual: 1,
                ..
            }
        ),
        "{err:?}"
    );
    // Within a caller's transaction, too.
    let mut tx = store.begin().await.unwrap();
    let mut revised = p.clone();
    revised.name = "Một (sửa)".into();
    let change = ProcedureChange {
        code: "1.000001".into(),
        expected_version: 0,
        events: vec![ProcedureEvent::Revised(revised.clone())],
        versions: vec![revised],
    };
    assert!(matches!(
        catalog::record(&mut tx, &change, &meta()).await,
        Err(StoreError::Conflict { .. })
    ));
    drop(tx);
    assert_eq!(store.find_procedure("1.000001", 1).await.unwrap(), Some(p));
}

async fn later_events_update_the_projection_row(store: &Store) {
    let draft = procedure("2.000815", 1, "Chứng thực bản sao từ bản chính");
    store
        .record_procedure_batch(&[create(vec![draft.clone()])], &meta())
        .await
        .unwrap();
    let after = published(draft.clone(), Some(day(2025, 7, 1)), None);
    let mut tx = store.begin().await.unwrap();
    let change = ProcedureChange {
        code: "2.000815".into(),
        expected_version: 1,
        events: vec![ProcedureEvent::Published {
            version: 1,
            publication: after.publication.clone().unwrap(),
            valid_from: after.valid_from,
        }],
        versions: vec![after.clone()],
    };
    assert_eq!(catalog::record(&mut tx, &change, &meta()).await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert_eq!(
        store.find_procedure("2.000815", 1).await.unwrap(),
        Some(after)
    );
    let published_only = ProcedureFilter {
        state: Some(LifecycleState::Published),
        ..all()
    };
    assert_eq!(store.count_procedures(&published_only).await.unwrap(), 1);
    let log = store
        .load_stream(PROCEDURE_STREAM, "2.000815")
        .await
        .unwrap();
    assert_eq!(log[1].kind, "published");
    assert_eq!(
        ProcedureEvent::from_stored(&log[1].kind, &log[1].payload).unwrap(),
        change.events[0]
    );
    // A change naming another code's version is refused before anything is written.
    let mut tx = store.begin().await.unwrap();
    let wrong = ProcedureChange {
        code: "1.000001".into(),
        expected_version: 0,
        events: vec![],
        versions: vec![draft],
    };
    assert!(matches!(
        catalog::record(&mut tx, &wrong, &meta()).await,
        Err(StoreError::Corrupt(_))
    ));
}

async fn lists_filter_on_the_projected_columns(store: &Store) {
    let mut internal = procedure("1.000003", 1, "Thủ tục nội bộ về đất đai");
    internal.kind = ProcedureKind::Internal;
    internal.sector = "Đất đai".into();
    internal.levels = vec![Level::Ministry];
    internal.online_level = OnlineLevel::None;
    internal.time_limit = None;
    let v1 = procedure("2.000815", 1, "Chứng thực bản sao từ bản chính");
    let v2 = procedure("2.000815", 2, "Chứng thực bản sao điện tử từ bản chính");
    let other = procedure("2.000908", 1, "Cấp bản sao 100%_x");
    store
        .record_procedure_batch(
            &[
                create(vec![internal.clone()]),
                create(vec![v1.clone(), v2.clone()]),
                create(vec![other.clone()]),
            ],
            &meta(),
        )
        .await
        .unwrap();
    let names = |list: Vec<Procedure>| -> Vec<String> {
        list.into_iter()
            .map(|p| format!("{} v{}", p.code, p.version))
            .collect()
    };
    let list = |f: ProcedureFilter| async move { names(store.list_procedures(&f).await.unwrap()) };

    assert_eq!(
        list(all()).await,
        ["1.000003 v1", "2.000815 v1", "2.000815 v2", "2.000908 v1"]
    );
    let latest = ProcedureFilter {
        latest: true,
        ..all()
    };
    assert_eq!(
        list(latest.clone()).await,
        ["1.000003 v1", "2.000815 v2", "2.000908 v1"]
    );
    assert_eq!(store.count_procedures(&latest).await.unwrap(), 3);
    let sector = ProcedureFilter {
        sector: Some("Đất đai".into()),
        ..all()
    };
    assert_eq!(list(sector).await, ["1.000003 v1"]);
    let commune = ProcedureFilter {
        level: Some(Level::Commune),
        ..all()
    };
    assert_eq!(store.count_procedures(&commune).await.unwrap(), 3);
    let ministry = ProcedureFilter {
        level: Some(Level::Ministry),
        ..all()
    };
    assert_eq!(list(ministry).await, ["1.000003 v1"]);
    let internal_only = ProcedureFilter {
        kind: Some(ProcedureKind::Internal),
        ..all()
    };
    assert_eq!(list(internal_only).await, ["1.000003 v1"]);
    let offline = ProcedureFilter {
        online_level: Some(OnlineLevel::None),
        ..all()
    };
    assert_eq!(list(offline).await, ["1.000003 v1"]);

    // Names match ignoring case and diacritics; LIKE wildcards in the text are literal.
    let name = |text: &str| ProcedureFilter {
        name: Some(text.into()),
        ..all()
    };
    assert_eq!(
        list(name("CHUNG THUC ban sao")).await,
        ["2.000815 v1", "2.000815 v2"]
    );
    assert_eq!(list(name("đất đai")).await, ["1.000003 v1"]);
    assert_eq!(list(name("100%_")).await, ["2.000908 v1"]);
    assert!(list(name("0%x")).await.is_empty());
    let names_only = store
        .procedure_names_containing(&["SAO", "bản", "chứng"])
        .await
        .unwrap();
    assert_eq!(names_only.len(), 1);
    assert_eq!(names_only[0].code, "2.000815");
    assert_eq!(names_only[0].version, 2);
    assert_eq!(names_only[0].name, v2.name);
    let names_only = store
        .procedure_names_containing(&["ban", "sao", "x", "y", "z"])
        .await
        .unwrap();
    assert!(names_only.is_empty(), "{names_only:?}");
    let names_only = store.procedure_names_containing(&["ban"]).await.unwrap();
    let codes: Vec<&str> = names_only.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, ["2.000815", "2.000908"]);
    assert!(
        store
            .procedure_names_containing(&["%"])
            .await
            .unwrap()
            .len()
            == 1
    );

    // Pages.
    let page = ProcedureFilter {
        limit: Some(2),
        offset: 1,
        ..all()
    };
    assert_eq!(list(page.clone()).await, ["2.000815 v1", "2.000815 v2"]);
    assert_eq!(store.count_procedures(&page).await.unwrap(), 4);
}

async fn the_version_in_force_matches_the_domain_rule(store: &Store) {
    let code = "2.000815";
    let mut v1 = published(
        procedure(code, 1, "A"),
        Some(day(2020, 1, 1)),
        Some(day(2024, 12, 31)),
    );
    v1.state = LifecycleState::Withdrawn;
    let v2 = published(procedure(code, 2, "B"), Some(day(2025, 1, 1)), None);
    let v3 = procedure(code, 3, "C (draft)");
    let undated = published(procedure("2.000908", 1, "D"), None, None);
    let future = published(procedure("1.000001", 1, "E"), Some(day(2030, 1, 1)), None);
    let versions = vec![v1, v2, v3];
    store
        .record_procedure_batch(
            &[
                create(versions.clone()),
                create(vec![undated.clone()]),
                create(vec![future.clone()]),
            ],
            &meta(),
        )
        .await
        .unwrap();
    let everything = [versions.clone(), vec![undated, future]].concat();
    for date in [
        day(2019, 6, 1),
        day(2020, 1, 1),
        day(2024, 12, 31),
        day(2025, 1, 1),
        day(2031, 1, 1),
    ] {
        let stored = store
            .list_procedures(&ProcedureFilter {
                on: Some(date),
                ..all()
            })
            .await
            .unwrap();
        let mut expected: Vec<Procedure> = ["1.000001", "2.000815", "2.000908"]
            .iter()
            .filter_map(|c| version_on(&everything, &c.parse().unwrap(), date).cloned())
            .collect();
        expected.sort_by_key(|p| p.code.to_string());
        assert_eq!(stored, expected, "on {date}");
    }
}

async fn the_shipped_catalogue_survives_a_round_trip(store: &Store) {
    let all_procedures = shipped::procedures().unwrap();
    let changes: Vec<ProcedureChange> = all_procedures
        .iter()
        .map(|p| create(vec![p.clone()]))
        .collect();
    store
        .record_procedure_batch(&changes, &meta())
        .await
        .unwrap();
    let back = store.list_procedures(&all()).await.unwrap();
    assert_eq!(back.len(), 2_849);
    assert!(back == all_procedures, "stored catalogue differs");
    assert_eq!(store.count_events().await.unwrap(), 2_849);
}

fn plan() -> SimplificationPlan {
    let limit = |days| {
        Some(TimeLimit {
            value: TimeValue::whole(days),
            unit: TimeUnit::WorkingDays,
        })
    };
    SimplificationPlan {
        procedure: "2.000635".parse().unwrap(),
        description: "Cắt giảm thời hạn và thành phần hồ sơ".into(),
        before: PlanSnapshot {
            time_limit: limit(10),
            fees_vnd: 50_000,
            components: 4,
            steps: 5,
        },
        after: PlanSnapshot {
            time_limit: limit(7),
            fees_vnd: 50_000,
            components: 3,
            steps: 4,
        },
        state: PlanState::Proposed,
        decision_no: None,
        cost_before: None,
        cost_after: None,
    }
}

async fn plans_are_recorded_listed_and_versioned(store: &Store) {
    let proposed = plan();
    let id = "2.000635-1";
    let version = store
        .record_plan(
            &PlanChange {
                id: id.into(),
                expected_version: 0,
                events: vec![PlanEvent::Proposed(Box::new(proposed.clone()))],
                plan: proposed.clone(),
                reason: None,
            },
            &meta(),
        )
        .await
        .unwrap();
    assert_eq!(version, 1);
    assert_eq!(store.count_plans("2.000635").await.unwrap(), 1);
    assert_eq!(store.count_plans("2.000815").await.unwrap(), 0);

    let mut approved = proposed.clone();
    approved.state = PlanState::Approved;
    approved.decision_no = Some("1811/QĐ-TTPVHCC".into());
    let approve = PlanChange {
        id: id.into(),
        expected_version: 1,
        events: vec![PlanEvent::Approved {
            decision_no: "1811/QĐ-TTPVHCC".into(),
        }],
        plan: approved.clone(),
        reason: None,
    };
    let mut later = meta();
    later.at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    assert_eq!(store.record_plan(&approve, &later).await.unwrap(), 2);

    // A second decision based on version 1 is stale.
    let err = store.record_plan(&approve, &later).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    // So is proposing a plan under a taken id.
    let again = PlanChange {
        id: id.into(),
        expected_version: 0,
        events: vec![PlanEvent::Proposed(Box::new(proposed.clone()))],
        plan: proposed,
        reason: None,
    };
    let err = store.record_plan(&again, &meta()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");

    let stored = store.find_plan(id).await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.plan, approved);
    assert_eq!(stored.proposed_at, meta().at);
    assert_eq!(stored.updated_at, later.at);
    assert!(store.find_plan("nope").await.unwrap().is_none());
    assert_eq!(store.list_plans(None).await.unwrap(), [stored]);
    assert_eq!(store.list_plans(Some("2.000635")).await.unwrap().len(), 1);
    assert!(store.list_plans(Some("2.000815")).await.unwrap().is_empty());

    let log = store.load_stream(PLAN_STREAM, id).await.unwrap();
    let kinds: Vec<&str> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["proposed", "approved"]);
    assert_eq!(
        PlanEvent::from_stored(&log[1].kind, &log[1].payload).unwrap(),
        approve.events[0]
    );
}

contract_tests!(
    records_a_batch_and_reads_it_back,
    a_failed_batch_leaves_nothing_behind,
    refuses_a_stale_expected_version,
    later_events_update_the_projection_row,
    lists_filter_on_the_projected_columns,
    the_version_in_force_matches_the_domain_rule,
    the_shipped_catalogue_survives_a_round_trip,
    plans_are_recorded_listed_and_versioned,
);
