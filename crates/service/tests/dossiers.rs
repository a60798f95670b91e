//! Dossier use cases through the real write path, on SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Decision, DossierCode, ProcedureRef, ResultForm, ReturnMethod,
    Status,
};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_service::dossiers::NewDossier;
use motcua_service::{Acting, FixedClock, ServiceError, Services};
use motcua_storage::{Store, StoreError, Tx};
use motcua_test_support::contract_tests;

const AGENCY: &str = "000.00.13.H05";
const OTHER_AGENCY: &str = "000.00.14.H05";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

/// Services at `at`, with Bắc Ninh and the two agencies the tests use registered.
async fn services(store: &Store, at: DateTime<Utc>) -> (Services, FixedClock) {
    let clock = FixedClock::new(at);
    let svc = Services::new(store.clone(), Arc::new(clock.clone()));
    let admin = Acting::cli("test");
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    svc.record_unit(
        &admin,
        AdminUnit {
            code: "24".parse().unwrap(),
            unit_type: UnitType::Province,
            name: "Bắc Ninh".into(),
            full_name: "Tỉnh Bắc Ninh".into(),
            name_en: Some("Bac Ninh".into()),
            parent: None,
            valid_from: Some(day(2025, 7, 1)),
            valid_to: None,
        },
    )
    .await
    .unwrap();
    for (code, name) in [(AGENCY, "Sở Xây dựng"), (OTHER_AGENCY, "Sở Tư pháp")] {
        let agency = Agency {
            code: code.parse().unwrap(),
            name: name.into(),
            kind: AgencyKind::Department,
            unit: "24".parse().unwrap(),
            valid_from: Some(day(2025, 7, 1)),
            valid_to: None,
        };
        svc.register_agency(&admin, agency, None).await.unwrap();
    }
    (svc, clock)
}

fn staff(role: Role, agency: &str) -> Acting {
    Acting {
        actor: Actor {
            id: format!("u:{}", role.as_str()),
            role,
            agency: Some(agency.into()),
        },
        channel: Channel::Desk,
        request_id: Some("req-42".into()),
    }
}

fn new_dossier(agency: &str) -> NewDossier {
    NewDossier {
        agency: agency.into(),
        procedure: ProcedureRef {
            code: "1.004873".into(),
            name: "Cấp giấy phép xây dựng".into(),
            limit: Some(TimeLimit {
                value: TimeValue::whole(5),
                unit: TimeUnit::WorkingDays,
            }),
            same_day_certification: false,
            document_result: true,
            full_process_online: false,
            counted_in: Default::default(),
        },
        applicant: Applicant {
            id: ApplicantId::Person("027190123456".parse().unwrap()),
            name: "Trần Thị Bình".into(),
            phone: Some("0987654321".into()),
            email: None,
            address: Some("Phường Kinh Bắc, Bắc Ninh".into()),
        },
        channel: Channel::Desk,
        components: Vec::new(),
        eid_verified: true,
    }
}

async fn desk_intake_numbers_dossiers_per_agency_and_day(store: &Store) {
    let (svc, clock) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let desk = staff(Role::DeskOfficer, AGENCY);
    let first = svc
        .submit_dossier(&desk, new_dossier(AGENCY), true)
        .await
        .unwrap();
    let second = svc
        .submit_dossier(&desk, new_dossier(AGENCY), true)
        .await
        .unwrap();
    assert_eq!(first.code().to_string(), "000.00.13.H05-261123-0001");
    assert_eq!(second.code().to_string(), "000.00.13.H05-261123-0002");
    assert_eq!(first.status, Status::Received);
    assert_eq!(first.due, Some(vn(2026, 12, 1, 9, 0)));
    let other = staff(Role::DeskOfficer, OTHER_AGENCY);
    let elsewhere = svc
        .submit_dossier(&other, new_dossier(OTHER_AGENCY), true)
        .await
        .unwrap();
    assert_eq!(elsewhere.code().to_string(), "000.00.14.H05-261123-0001");
    clock.set(vn(2026, 11, 25, 9, 0));
    let next_day = svc
        .submit_dossier(&desk, new_dossier(AGENCY), true)
        .await
        .unwrap();
    assert_eq!(next_day.code().to_string(), "000.00.13.H05-261125-0001");
}

async fn concurrent_intake_gives_unique_gap_free_codes(store: &Store) {
    let (svc, _) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let svc = svc.clone();
        tasks.push(tokio::spawn(async move {
            let desk = staff(Role::DeskOfficer, AGENCY);
            let mut codes = Vec::new();
            for _ in 0..10 {
                let d = svc
                    .submit_dossier(&desk, new_dossier(AGENCY), true)
                    .await
                    .unwrap();
                codes.push(d.code().sequence());
            }
            codes
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (1..=80).collect::<Vec<u32>>());
}

async fn a_stale_version_gets_a_clear_conflict(store: &Store) {
    let (svc, _) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let d = svc
        .submit_dossier(&staff(Role::DeskOfficer, AGENCY), new_dossier(AGENCY), true)
        .await
        .unwrap();
    let specialist = staff(Role::Specialist, AGENCY);
    let transfer = Command::Transfer {
        step: "Thẩm định".into(),
        agency: AGENCY.into(),
        assignee: None,
        budget: None,
    };
    svc.act_on_dossier(&specialist, d.code(), transfer.clone(), Some(d.version))
        .await
        .unwrap();
    let err = svc
        .act_on_dossier(&specialist, d.code(), transfer, Some(d.version))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Store(StoreError::Conflict { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("reload and try again"), "{err}");
}

async fn concurrent_officers_never_lose_an_update(store: &Store) {
    let (svc, _) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let d = svc
        .submit_dossier(&staff(Role::DeskOfficer, AGENCY), new_dossier(AGENCY), true)
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let svc = svc.clone();
        let code = d.code().clone();
        tasks.push(tokio::spawn(async move {
            let command = Command::Transfer {
                step: format!("Bước {i}"),
                agency: AGENCY.into(),
                assignee: None,
                budget: None,
            };
            svc.act_on_dossier(&staff(Role::Specialist, AGENCY), &code, command, None)
                .await
        }));
    }
    let mut done = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => done += 1,
            Err(ServiceError::Store(StoreError::Conflict { .. })) => {}
            Err(other) => panic!("{other}"),
        }
    }
    let after = svc.find_dossier(d.code()).await.unwrap();
    // Every accepted transfer is in the state and in the log: none was overwritten.
    assert_eq!(after.steps.len(), done);
    assert_eq!(after.version, 2 + done as i64);
    assert_eq!(svc.dossier_history(d.code()).await.unwrap().len(), 2 + done);
}

async fn permissions_and_scope_are_enforced(store: &Store) {
    let (svc, _) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let d = svc
        .submit_dossier(&staff(Role::DeskOfficer, AGENCY), new_dossier(AGENCY), true)
        .await
        .unwrap();
    let finish = Command::Finish {
        decision: Decision::Approved,
    };
    let err = svc
        .act_on_dossier(
            &staff(Role::DeskOfficer, AGENCY),
            d.code(),
            finish.clone(),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let err = svc
        .act_on_dossier(&staff(Role::Leader, OTHER_AGENCY), d.code(), finish, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("outside your scope"), "{err}");
    let err = svc
        .submit_dossier(
            &staff(Role::DeskOfficer, AGENCY),
            new_dossier(OTHER_AGENCY),
            true,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
}

async fn the_log_records_who_did_what_and_replays_to_the_projection(store: &Store) {
    let (svc, clock) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let desk = staff(Role::DeskOfficer, AGENCY);
    let mut codes: Vec<DossierCode> = Vec::new();
    for i in 0..5 {
        let d = svc
            .submit_dossier(&desk, new_dossier(AGENCY), i % 2 == 0)
            .await
            .unwrap();
        codes.push(d.code().clone());
    }
    let code = &codes[0];
    clock.set(vn(2026, 11, 23, 10, 0));
    let specialist = staff(Role::Specialist, AGENCY);
    let leader = staff(Role::Leader, AGENCY);
    for (acting, command) in [
        (
            &specialist,
            Command::Transfer {
                step: "Thẩm định".into(),
                agency: AGENCY.into(),
                assignee: Some("u:9".into()),
                budget: None,
            },
        ),
        (
            &specialist,
            Command::RequestSupplement {
                reasons: "Thiếu bản vẽ".into(),
            },
        ),
        (&desk, Command::ProvideSupplement),
        (
            &leader,
            Command::Finish {
                decision: Decision::Approved,
            },
        ),
        (
            &leader,
            Command::IssueResult {
                form: ResultForm::Electronic,
                number: Some("12/GPXD".into()),
            },
        ),
        (
            &desk,
            Command::ReturnResult {
                method: ReturnMethod::Desk,
            },
        ),
    ] {
        clock.set(svc.now() + chrono::TimeDelta::hours(5));
        svc.act_on_dossier(acting, code, command, None)
            .await
            .unwrap();
    }
    let history = svc.dossier_history(code).await.unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "received",
            "transferred",
            "supplement_requested",
            "supplement_provided",
            "processing_finished",
            "result_issued",
            "result_returned"
        ]
    );
    assert_eq!(history[5].meta.actor.role, Role::Leader);
    assert_eq!(history[5].meta.actor.agency.as_deref(), Some(AGENCY));
    assert_eq!(history[5].meta.channel, Channel::Desk);
    assert_eq!(history[5].meta.request_id.as_deref(), Some("req-42"));

    let report = svc.replay_dossiers(false).await.unwrap();
    assert_eq!(report.dossiers, 5);
    assert_eq!(report.events, 3 * 2 + 2 + 6);
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);

    // A projection changed behind the log's back is found, and restored from the log.
    let mut tx = store.begin().await.unwrap();
    let sql = "UPDATE dossiers SET status = 'stopped' WHERE code = $1";
    match &mut tx {
        Tx::Sqlite(t) => {
            sqlx::query(sql)
                .bind(code.to_string())
                .execute(&mut **t)
                .await
                .unwrap();
        }
        Tx::Postgres(t) => {
            sqlx::query(sql)
                .bind(code.to_string())
                .execute(&mut **t)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
    let report = svc.replay_dossiers(true).await.unwrap();
    assert_eq!(report.mismatches, vec![code.to_string()]);
    assert!(
        svc.replay_dossiers(false)
            .await
            .unwrap()
            .mismatches
            .is_empty()
    );
    assert_eq!(
        svc.find_dossier(code).await.unwrap().status,
        Status::Returned
    );
}

async fn personal_numbers_stay_out_of_debug_output(store: &Store) {
    let (svc, _) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let d = svc
        .submit_dossier(&staff(Role::DeskOfficer, AGENCY), new_dossier(AGENCY), true)
        .await
        .unwrap();
    let debug = format!("{d:?}");
    assert!(!debug.contains("027190123456"), "{debug}");
}

async fn tracking_needs_the_receipt_secret_or_the_phone(store: &Store) {
    let (svc, _) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let d = svc
        .submit_dossier(&staff(Role::DeskOfficer, AGENCY), new_dossier(AGENCY), true)
        .await
        .unwrap();
    let code = d.code().to_string();
    let secret = d.submission.lookup_secret.clone();
    assert_eq!(secret.len(), 8);
    assert_eq!(
        svc.track_dossier(&code, &secret.to_lowercase())
            .await
            .unwrap()
            .code(),
        d.code()
    );
    assert_eq!(
        svc.track_dossier(&code, "+84 987 654 321")
            .await
            .unwrap()
            .code(),
        d.code()
    );
    let wrong = svc.track_dossier(&code, "0900000000").await.unwrap_err();
    let missing = svc
        .track_dossier("000.00.13.H05-261123-0099", &secret)
        .await
        .unwrap_err();
    // A stranger cannot tell a wrong code from a wrong second factor.
    assert_eq!(wrong.to_string(), missing.to_string());
    let malformed = svc.track_dossier("H05-1", &secret).await.unwrap_err();
    assert!(
        matches!(malformed, ServiceError::Invalid(_)),
        "{malformed:?}"
    );

    // The page's one read: the same dossier and the history the applicant sees, in order.
    let (tracked, timeline) = svc
        .track_dossier_with_timeline(&code, &secret)
        .await
        .unwrap();
    assert_eq!(tracked, svc.track_dossier(&code, &secret).await.unwrap());
    assert_eq!(timeline, svc.dossier_timeline(&d).await.unwrap());
    let kinds: Vec<&str> = timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["submitted", "received"]);
    for (wrong_code, factor) in [
        (code.as_str(), "0900000000"),
        ("000.00.13.H05-261123-0099", secret.as_str()),
    ] {
        let err = svc
            .track_dossier_with_timeline(wrong_code, factor)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), missing.to_string());
    }
    assert!(matches!(
        svc.track_dossier_with_timeline("H05-1", &secret).await,
        Err(ServiceError::Invalid(_))
    ));
}

async fn worklists_list_open_dossiers_by_deadline(store: &Store) {
    let (svc, clock) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let desk = staff(Role::DeskOfficer, AGENCY);
    let mut codes = Vec::new();
    for day in [23, 24, 25] {
        clock.set(vn(2026, 11, day, 9, 0));
        codes.push(
            svc.submit_dossier(&desk, new_dossier(AGENCY), true)
                .await
                .unwrap(),
        );
    }
    clock.set(vn(2026, 11, 23, 10, 0));
    let other = svc
        .submit_dossier(
            &staff(Role::DeskOfficer, OTHER_AGENCY),
            new_dossier(OTHER_AGENCY),
            true,
        )
        .await
        .unwrap();
    // The other agency hands a step to ours: it appears in our worklist too.
    svc.act_on_dossier(
        &staff(Role::Specialist, OTHER_AGENCY),
        other.code(),
        Command::Transfer {
            step: "Phối hợp".into(),
            agency: AGENCY.into(),
            assignee: None,
            budget: None,
        },
        None,
    )
    .await
    .unwrap();
    svc.act_on_dossier(
        &staff(Role::Leader, AGENCY),
        codes[1].code(),
        Command::Stop {
            reasons: "Có tranh chấp".into(),
        },
        None,
    )
    .await
    .unwrap();
    let query = motcua_storage::dossiers::DossierQuery {
        agency: Some(AGENCY.into()),
        open_only: true,
        limit: 10,
        ..Default::default()
    };
    let (rows, total) = store.list_dossiers(&query).await.unwrap();
    assert_eq!(total, 3);
    let listed: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        listed,
        [
            codes[0].code().to_string(),
            other.code().to_string(),
            codes[2].code().to_string()
        ]
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
    );
    assert_eq!(rows[1].step.as_deref(), Some("Phối hợp"));
    // The narrow facts of the same query: every dossier it selects, by code, no state.
    let facts = store.list_dossier_facts(&query).await.unwrap();
    let mut by_code = listed.clone();
    by_code.sort_unstable();
    assert_eq!(
        facts.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(),
        by_code
    );
    assert!(facts.iter().all(|f| f.finished_at.is_none()));
    // Whole rows by code come in the order asked; unknown codes are left out.
    let asked = vec![
        codes[2].code().to_string(),
        "000.00.99.H05-261123-9999".to_owned(),
        codes[0].code().to_string(),
    ];
    let by_codes = store.list_dossier_rows(&asked).await.unwrap();
    assert_eq!(
        by_codes.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        [asked[0].as_str(), asked[2].as_str()]
    );
    assert!(store.list_dossier_rows(&[]).await.unwrap().is_empty());
    let by_step = motcua_storage::dossiers::DossierQuery {
        step: Some("Phối hợp".into()),
        ..query.clone()
    };
    assert_eq!(store.list_dossiers(&by_step).await.unwrap().1, 1);
    let mine = motcua_storage::dossiers::DossierQuery {
        applicant_number: Some("027190123456".into()),
        order: motcua_storage::dossiers::DossierOrder::NewestFirst,
        limit: 2,
        ..Default::default()
    };
    let (page, total) = store.list_dossiers(&mine).await.unwrap();
    assert_eq!(total, 4);
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].code, codes[2].code().to_string());
}

async fn a_coordinating_agency_sees_and_processes_its_step_only(store: &Store) {
    let (svc, _) = services(store, vn(2026, 11, 23, 9, 0)).await;
    let d = svc
        .submit_dossier(&staff(Role::DeskOfficer, AGENCY), new_dossier(AGENCY), true)
        .await
        .unwrap();
    let theirs = staff(Role::Specialist, OTHER_AGENCY);
    // Not theirs yet: invisible, and out of reach.
    assert!(svc.dossier_for(&theirs, d.code()).await.is_err());
    let query = motcua_storage::dossiers::DossierQuery {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        svc.list_dossiers_for(&theirs, query.clone())
            .await
            .unwrap()
            .1,
        0
    );
    svc.act_on_dossier(
        &staff(Role::Specialist, AGENCY),
        d.code(),
        Command::Transfer {
            step: "Phối hợp thẩm định".into(),
            agency: OTHER_AGENCY.into(),
            assignee: None,
            budget: None,
        },
        None,
    )
    .await
    .unwrap();
    // At their step: they see it in their worklist and may process it.
    assert_eq!(
        svc.dossier_for(&theirs, d.code()).await.unwrap().code(),
        d.code()
    );
    assert_eq!(
        svc.list_dossiers_for(&theirs, query.clone())
            .await
            .unwrap()
            .1,
        1
    );
    svc.act_on_dossier(
        &theirs,
        d.code(),
        Command::Transfer {
            step: "Trả kết quả phối hợp".into(),
            agency: AGENCY.into(),
            assignee: None,
            budget: None,
        },
        None,
    )
    .await
    .unwrap();
    // Handed back: out of their reach again.
    assert!(svc.dossier_for(&theirs, d.code()).await.is_err());
    let err = svc
        .act_on_dossier(
            &theirs,
            d.code(),
            Command::RequestSupplement {
                reasons: "x".into(),
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
}

contract_tests!(
    a_coordinating_agency_sees_and_processes_its_step_only,
    tracking_needs_the_receipt_secret_or_the_phone,
    worklists_list_open_dossiers_by_deadline,
    desk_intake_numbers_dossiers_per_agency_and_day,
    concurrent_intake_gives_unique_gap_free_codes,
    a_stale_version_gets_a_clear_conflict,
    concurrent_officers_never_lose_an_update,
    permissions_and_scope_are_enforced,
    the_log_records_who_did_what_and_replays_to_the_projection,
    personal_numbers_stay_out_of_debug_output,
);
