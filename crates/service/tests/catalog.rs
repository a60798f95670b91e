//! Catalogue use cases through the real store, on SQLite and on PostgreSQL: import
//! idempotence and atomicity, life-cycle checks, search ranking, simplification plans.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use motcua_domain::catalog::codec::export_csv;
use motcua_domain::catalog::shipped::{self, PROCEDURES_CSV};
use motcua_domain::catalog::simplification::{ComplianceCostInput, PlanSnapshot, PlanState};
use motcua_domain::catalog::{
    LifecycleState, Procedure, Publication, TimeLimit, TimeUnit, TimeValue,
};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_service::catalog::{
    DEFAULT_COST_PARAMS, ImportSummary, PlanDecision, PlanProposal, replay_procedure,
};
use motcua_service::{Acting, FixedClock, ServiceError, Services};
use motcua_storage::catalog::{PROCEDURE_STREAM, ProcedureEvent};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

fn services(store: &Store) -> Services {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap());
    Services::new(store.clone(), Arc::new(clock))
}

fn acting(role: Role) -> Acting {
    Acting {
        actor: Actor {
            id: format!("u:{}", role.as_str()),
            role,
            agency: Some("000.00.13.H05".into()),
        },
        channel: Channel::Api,
        request_id: None,
    }
}

fn system() -> Acting {
    Acting::cli("catalog-test")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn draft(code: &str, version: u32, name: &str) -> Procedure {
    let mut p = Procedure::draft(code.parse().unwrap(), name);
    p.version = version;
    p.sector = "Chứng thực".into();
    p
}

fn publication(no: &str, date: Option<NaiveDate>) -> Publication {
    Publication {
        decision_no: no.into(),
        date,
    }
}

fn published(mut p: Procedure, from: NaiveDate) -> Procedure {
    p.state = LifecycleState::Published;
    p.publication = Some(publication("163/QĐ-BTP", Some(from)));
    p.valid_from = Some(from);
    p
}

fn summary(
    created: usize,
    revised: usize,
    unchanged: usize,
    published: usize,
    withdrawn: usize,
) -> ImportSummary {
    ImportSummary {
        created,
        revised,
        unchanged,
        published,
        withdrawn,
    }
}

async fn kinds(store: &Store, code: &str) -> Vec<String> {
    store
        .load_stream(PROCEDURE_STREAM, code)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn reimporting_the_shipped_catalogue_changes_nothing(store: &Store) {
    let services = services(store);
    let all = shipped::procedures().unwrap();
    let started = Instant::now();
    let first = services
        .import_catalogue(&system(), all.clone())
        .await
        .unwrap();
    let first_took = started.elapsed();
    assert_eq!(first, summary(2_849, 0, 0, 0, 0));
    let events = store.count_events().await.unwrap();
    assert_eq!(events, 2_849);

    let started = Instant::now();
    let again = services
        .import_catalogue(&system(), all.clone())
        .await
        .unwrap();
    let again_took = started.elapsed();
    assert_eq!(again, summary(0, 0, 2_849, 0, 0));
    assert_eq!(store.count_events().await.unwrap(), events);
    eprintln!(
        "{:?}: import 2,849 procedures {first_took:?}, re-import {again_took:?}",
        store.backend()
    );

    // Export → CSV reproduces the shipped file byte for byte.
    let exported = services.export_catalogue().await.unwrap();
    assert!(
        exported == all,
        "export differs from the imported catalogue"
    );
    assert!(export_csv(&exported).unwrap() == PROCEDURES_CSV);
}

async fn a_bad_input_imports_nothing(store: &Store) {
    let services = services(store);
    let good = draft("1.000001", 1, "Thủ tục tốt");
    let mut bad = draft("1.000002", 1, " ");
    bad.valid_from = Some(day(2025, 2, 1));
    bad.valid_to = Some(day(2025, 1, 1));
    let err = services
        .import_catalogue(&system(), vec![good.clone(), bad, good.clone()])
        .await
        .unwrap_err();
    let ServiceError::Invalid(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("Thủ tục 1.000002 v1, trường name")
            && message.contains("Procedure 1.000002 v1, field name")
            && message.contains("field valid_to")
            && message.contains("Procedure 1.000001 v1 appears twice"),
        "{message}"
    );
    assert_eq!(store.count_events().await.unwrap(), 0);
    assert!(services.export_catalogue().await.unwrap().is_empty());
}

async fn state_changes_follow_the_life_cycle(store: &Store) {
    let services = services(store);
    let v1 = draft("2.000815", 1, "Chứng thực bản sao từ bản chính");
    let other = draft("2.000908", 1, "Cấp bản sao từ sổ gốc");
    assert_eq!(
        services
            .import_catalogue(&system(), vec![v1.clone(), other.clone()])
            .await
            .unwrap(),
        summary(2, 0, 0, 0, 0)
    );

    // Publication with a corrected name: a revision then the publication, counted once.
    let mut v1_published = published(v1.clone(), day(2025, 7, 1));
    v1_published.name = "Chứng thực bản sao từ bản chính giấy tờ".into();
    let mut other_revised = other.clone();
    other_revised.sector = "Hộ tịch".into();
    assert_eq!(
        services
            .import_catalogue(&system(), vec![v1_published.clone(), other_revised.clone()])
            .await
            .unwrap(),
        summary(0, 1, 0, 1, 0)
    );
    assert_eq!(
        kinds(store, "2.000815").await,
        ["imported", "revised", "published"]
    );
    assert_eq!(kinds(store, "2.000908").await, ["imported", "revised"]);

    // Back to draft is refused, naming the code; nothing of the batch is stored.
    let events = store.count_events().await.unwrap();
    let v2 = draft("2.000815", 2, "Phiên bản mới");
    let err = services
        .import_catalogue(&system(), vec![v2.clone(), v1.clone()])
        .await
        .unwrap_err();
    let ServiceError::Refused(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.starts_with("Thủ tục 2.000815 v1: Không thể chuyển")
            && message.contains(
                " / Procedure 2.000815 v1: Cannot move a procedure from 'published' to 'draft'"
            ),
        "{message}"
    );
    assert_eq!(store.count_events().await.unwrap(), events);

    // Withdrawal through an import.
    let mut withdrawn = v1_published.clone();
    withdrawn.state = LifecycleState::Withdrawn;
    withdrawn.valid_to = Some(day(2026, 6, 30));
    assert_eq!(
        services
            .import_catalogue(&system(), vec![withdrawn.clone(), v2.clone()])
            .await
            .unwrap(),
        summary(1, 0, 0, 0, 1)
    );
    let log = store
        .load_stream(PROCEDURE_STREAM, "2.000815")
        .await
        .unwrap();
    let events: Vec<ProcedureEvent> = log
        .iter()
        .map(|e| ProcedureEvent::from_stored(&e.kind, &e.payload).unwrap())
        .collect();
    assert_eq!(
        events.last(),
        Some(&ProcedureEvent::Imported(v2.clone())),
        "{events:#?}"
    );
    assert!(events.contains(&ProcedureEvent::Withdrawn {
        version: 1,
        effective: Some(day(2026, 7, 1)),
        valid_to: Some(day(2026, 6, 30)),
    }));
    // The log replays to the projection.
    let versions = services.procedure_versions("2.000815").await.unwrap();
    assert_eq!(replay_procedure(&events), versions);
    assert_eq!(versions, [withdrawn.clone(), v2]);

    // Which version applies on a date: the withdrawn one until its last day, then none.
    assert_eq!(
        services
            .procedure("2.000815", day(2026, 6, 30))
            .await
            .unwrap(),
        Some(withdrawn)
    );
    assert_eq!(
        services
            .procedure("2.000815", day(2026, 7, 1))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        services
            .procedure("9.999999", day(2026, 7, 1))
            .await
            .unwrap(),
        None
    );
}

async fn publishing_and_withdrawing_need_the_right_role(store: &Store) {
    let services = services(store);
    let p = draft("2.000815", 1, "Chứng thực bản sao từ bản chính");
    services
        .import_catalogue(&acting(Role::AgencyAdmin), vec![p.clone()])
        .await
        .unwrap();

    // Agency administrators manage the catalogue but do not publish.
    let as_published = published(p.clone(), day(2025, 7, 1));
    let err = services
        .import_catalogue(&acting(Role::AgencyAdmin), vec![as_published])
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let err = services
        .import_catalogue(&acting(Role::DeskOfficer), vec![p.clone()])
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let err = services
        .publish_procedure(
            &acting(Role::AgencyAdmin),
            "2.000815",
            1,
            publication("1/QĐ-BTP", None),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");

    // A leader publishes; the version applies from the decision date.
    let leader = acting(Role::Leader);
    let done = services
        .publish_procedure(
            &leader,
            "2.000815",
            1,
            publication("163/QĐ-BTP", Some(day(2025, 7, 1))),
        )
        .await
        .unwrap();
    assert_eq!(done.state, LifecycleState::Published);
    assert_eq!(done.valid_from, Some(day(2025, 7, 1)));
    let err = services
        .publish_procedure(&leader, "2.000815", 1, publication("2/QĐ-BTP", None))
        .await
        .unwrap_err();
    let ServiceError::Refused(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("Procedure 2.000815 v1: Cannot move"),
        "{message}"
    );
    let err = services
        .publish_procedure(&leader, "2.000815", 7, publication("2/QĐ-BTP", None))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Store(StoreError::NotFound { .. })),
        "{err:?}"
    );

    // Withdrawal before the first day is an invalid date order.
    let err = services
        .withdraw_procedure(&leader, "2.000815", 1, day(2025, 7, 1))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    let gone = services
        .withdraw_procedure(&leader, "2.000815", 1, day(2026, 1, 1))
        .await
        .unwrap();
    assert_eq!(gone.valid_to, Some(day(2025, 12, 31)));
    assert_eq!(
        kinds(store, "2.000815").await,
        ["imported", "published", "withdrawn"]
    );
    let log = store
        .load_stream(PROCEDURE_STREAM, "2.000815")
        .await
        .unwrap();
    assert_eq!(log[1].meta.actor.role, Role::Leader);
    assert_eq!(
        services
            .procedure("2.000815", day(2025, 12, 31))
            .await
            .unwrap(),
        Some(gone)
    );
}

async fn search_ranks_names_ignoring_diacritics(store: &Store) {
    let services = services(store);
    services
        .import_catalogue(&system(), shipped::procedures().unwrap())
        .await
        .unwrap();
    let started = Instant::now();
    for _ in 0..10 {
        services
            .search_procedures("thu tuc ban sao", 10)
            .await
            .unwrap();
    }
    eprintln!(
        "{:?}: search 'thu tuc ban sao' {:?} per query",
        store.backend(),
        started.elapsed() / 10
    );
    let hits = services
        .search_procedures("chung thuc ban sao", 5)
        .await
        .unwrap();
    assert_eq!(hits[0].0.code.to_string(), "2.000815", "{hits:#?}");
    assert!(hits.windows(2).all(|w| w[0].1 >= w[1].1));

    let hits = services
        .search_procedures("thu tuc ban sao", 10)
        .await
        .unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().any(|(p, _)| p.code.to_string() == "2.000908"));
    assert!(
        hits.iter()
            .all(|(p, _)| p.name.to_lowercase().contains("bản sao")),
        "{hits:#?}"
    );
    assert_eq!(
        services
            .search_procedures("THỦ TỤC CẤP BẢN SAO TỪ SỔ GỐC", 3)
            .await
            .unwrap()[0]
            .0
            .code
            .to_string(),
        "2.000908"
    );
    assert_eq!(
        services
            .search_procedures("dang ky khai sinh", 3)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(
        services
            .search_procedures("  ", 5)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        services
            .search_procedures("chung thuc ban sao", 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        services
            .search_procedures("xyzzy khong co", 5)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Decision 1811/QĐ-TTPVHCC (Hà Nội), TTHC 2.000635: 1,024,000 → 231,000 đồng per dossier,
/// 3,228 subjects a year (regulations.md §7).
fn ha_noi_plan() -> PlanProposal {
    let cost = |vnd: f64| ComplianceCostInput {
        other_costs_vnd: vnd,
        times_per_year: 1.0,
        subjects_per_year: 3_228.0,
        ..ComplianceCostInput::default()
    };
    let limit = |days| {
        Some(TimeLimit {
            value: TimeValue::whole(days),
            unit: TimeUnit::WorkingDays,
        })
    };
    PlanProposal {
        procedure: "2.000635".parse().unwrap(),
        description: "Tái cấu trúc quy trình, trả kết quả điện tử".into(),
        before: PlanSnapshot {
            time_limit: limit(4),
            fees_vnd: 8_000,
            components: 2,
            steps: 5,
        },
        after: PlanSnapshot {
            time_limit: limit(3),
            fees_vnd: 8_000,
            components: 1,
            steps: 3,
        },
        cost_before: Some(cost(1_024_000.0)),
        cost_after: Some(cost(231_000.0)),
    }
}

async fn plans_move_through_their_states(store: &Store) {
    let services = services(store);
    let mut p = draft("2.000635", 1, "Cấp bản sao Trích lục hộ tịch");
    p = published(p, day(2025, 7, 1));
    services.import_catalogue(&system(), vec![p]).await.unwrap();
    let params = DEFAULT_COST_PARAMS;
    let leader = acting(Role::Leader);

    let err = services
        .propose_plan(&acting(Role::DeskOfficer), ha_noi_plan(), &params)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let mut unknown = ha_noi_plan();
    unknown.procedure = "1.000001".parse().unwrap();
    let err = services
        .propose_plan(&leader, unknown, &params)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("1.000001 is not in the catalogue"),
        "{err}"
    );
    let mut mixed_units = ha_noi_plan();
    mixed_units.after.time_limit = Some(TimeLimit {
        value: TimeValue::whole(3),
        unit: TimeUnit::Days,
    });
    let err = services
        .propose_plan(&leader, mixed_units, &params)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("different units"), "{err}");

    let plan = services
        .propose_plan(&leader, ha_noi_plan(), &params)
        .await
        .unwrap();
    assert_eq!(plan.id, "2.000635-1");
    assert_eq!(plan.plan.state, PlanState::Proposed);
    assert_eq!(plan.time_cut, Some(0.25));
    let saving = plan.saving.unwrap();
    assert_eq!(saving.before_vnd, 3_305_472_000);
    assert_eq!(saving.after_vnd, 745_668_000);
    assert_eq!(saving.saving_vnd, 2_559_804_000);
    assert_eq!(saving.rate_percent(), 77.44);

    // Implemented only after approval.
    let err = services
        .implement_plan(&leader, &plan.id, None, &params)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Refused(_)), "{err:?}");
    let err = services
        .decide_plan(
            &leader,
            &plan.id,
            PlanDecision::Approve {
                decision_no: " ".into(),
            },
            &params,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    let approved = services
        .decide_plan(
            &leader,
            &plan.id,
            PlanDecision::Approve {
                decision_no: "1811/QĐ-TTPVHCC".into(),
            },
            &params,
        )
        .await
        .unwrap();
    assert_eq!(approved.plan.state, PlanState::Approved);
    assert_eq!(
        approved.plan.decision_no.as_deref(),
        Some("1811/QĐ-TTPVHCC")
    );
    let err = services
        .decide_plan(
            &leader,
            &plan.id,
            PlanDecision::Reject {
                reason: "muộn".into(),
            },
            &params,
        )
        .await
        .unwrap_err();
    let ServiceError::Refused(message) = err else {
        panic!("{err:?}")
    };
    assert!(message.starts_with("Phương án 2.000635-1: "), "{message}");
    let err = services
        .implement_plan(&leader, &plan.id, Some(9), &params)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("has no version 9"), "{err}");
    let done = services
        .implement_plan(&leader, &plan.id, Some(1), &params)
        .await
        .unwrap();
    assert_eq!(done.plan.state, PlanState::Implemented);
    assert_eq!(done.version, 3);

    // A second plan for the same procedure, rejected with a reason.
    let second = services
        .propose_plan(&leader, ha_noi_plan(), &params)
        .await
        .unwrap();
    assert_eq!(second.id, "2.000635-2");
    let rejected = services
        .decide_plan(
            &leader,
            &second.id,
            PlanDecision::Reject {
                reason: "Trùng với phương án 2.000635-1".into(),
            },
            &params,
        )
        .await
        .unwrap();
    assert_eq!(rejected.plan.state, PlanState::Rejected);
    assert_eq!(
        rejected.reason.as_deref(),
        Some("Trùng với phương án 2.000635-1")
    );

    let all = services.list_plans(None, &params).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["2.000635-1", "2.000635-2"]);
    assert!(
        services
            .list_plans(Some("2.000815"), &params)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(services.plan("nope", &params).await.unwrap().is_none());
    let err = services
        .implement_plan(&leader, "nope", None, &params)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Store(StoreError::NotFound { .. })),
        "{err:?}"
    );
}

contract_tests!(
    reimporting_the_shipped_catalogue_changes_nothing,
    a_bad_input_imports_nothing,
    state_changes_follow_the_life_cycle,
    publishing_and_withdrawing_need_the_right_role,
    search_ranks_names_ignoring_diacritics,
    plans_move_through_their_states,
);
