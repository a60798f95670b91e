//! Back-office read models and desk intake (`motcua_service::office`), on SQLite and on
//! PostgreSQL: worklists by deadline with overdue and due-soon flags on the agency's
//! calendar, a dossier's file with the actions each role may take, the applicant lookup
//! within scope, and intake guidance or refusal in one transaction.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Dossier, Outcome, ProcedureRef, Status,
};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_service::accounts::{NewAccount, Password};
use motcua_service::dossiers::NewDossier;
use motcua_service::office::{IntakeDecision, OfficeAction, Urgency, WorklistFilter};
use motcua_service::{Acting, FixedClock, ServiceError, Services};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

const AGENCY: &str = "000.00.10.H05";
const OTHER_AGENCY: &str = "000.00.11.H05";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

/// Services at Monday 23/11/2026 09:00 (Tuesday 24/11 is Vietnam Culture Day, a day off),
/// with Bắc Ninh and two agencies registered.
async fn services(store: &Store) -> (Services, FixedClock) {
    let clock = FixedClock::new(vn(2026, 11, 23, 9, 0));
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
            name_en: None,
            parent: None,
            valid_from: Some(day(2025, 7, 1)),
            valid_to: None,
        },
    )
    .await
    .unwrap();
    for (code, name) in [(AGENCY, "Sở Tư pháp"), (OTHER_AGENCY, "Sở Xây dựng")] {
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
        request_id: None,
    }
}

fn new_dossier(agency: &str, person: &str, name: &str) -> NewDossier {
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
            id: ApplicantId::Person(person.parse().unwrap()),
            name: name.into(),
            phone: Some("0987654321".into()),
            email: None,
            address: Some("Phường Kinh Bắc, Bắc Ninh".into()),
        },
        channel: Channel::Desk,
        components: Vec::new(),
        eid_verified: false,
    }
}

/// A dossier received at `at` (5 working days), on the clock of `svc`.
async fn received_at(svc: &Services, clock: &FixedClock, at: DateTime<Utc>) -> Dossier {
    let now = svc.now();
    clock.set(at);
    let d = svc
        .submit_dossier(
            &staff(Role::DeskOfficer, AGENCY),
            new_dossier(AGENCY, "027190123456", "Trần Thị Bình"),
            true,
        )
        .await
        .unwrap();
    clock.set(now);
    d
}

async fn worklists_sort_by_deadline_and_flag_overdue_and_due_soon(store: &Store) {
    let (svc, clock) = services(store).await;
    // Due Mon 30/11 (normal), Fri 20/11 09:00 (overdue), Mon 23/11 14:00 (due today),
    // Wed 25/11 08:00 (due soon: only 6.5 working hours away across the day off),
    // Wed 25/11 16:00 (12.5 working hours away: normal).
    let normal = received_at(&svc, &clock, vn(2026, 11, 20, 9, 0)).await;
    let overdue = received_at(&svc, &clock, vn(2026, 11, 13, 9, 0)).await;
    let today = received_at(&svc, &clock, vn(2026, 11, 16, 14, 0)).await;
    let across = received_at(&svc, &clock, vn(2026, 11, 17, 8, 0)).await;
    let later = received_at(&svc, &clock, vn(2026, 11, 17, 16, 0)).await;
    assert_eq!(across.due, Some(vn(2026, 11, 25, 8, 0)));
    assert_eq!(later.due, Some(vn(2026, 11, 25, 16, 0)));

    let desk = staff(Role::DeskOfficer, AGENCY);
    let list = svc
        .worklist(&desk, &WorklistFilter::default())
        .await
        .unwrap();
    let codes: Vec<_> = list.rows.iter().map(|r| r.dossier.code().clone()).collect();
    assert_eq!(
        codes,
        [
            overdue.code(),
            today.code(),
            across.code(),
            later.code(),
            normal.code()
        ]
        .map(Clone::clone)
    );
    let urgencies: Vec<_> = list.rows.iter().map(|r| r.urgency).collect();
    assert_eq!(
        urgencies,
        [
            Urgency::Overdue,
            Urgency::DueSoon,
            Urgency::DueSoon,
            Urgency::Normal,
            Urgency::Normal
        ]
    );
    assert_eq!(list.rows[0].outcome, Outcome::Overdue);
    assert_eq!((list.overdue, list.due_soon, list.total), (1, 2, 5));
    assert_eq!((list.page, list.pages), (1, 1));

    // A supplement request stops the clock: the dossier is no longer about to be late.
    svc.act_on_dossier(
        &staff(Role::Specialist, AGENCY),
        today.code(),
        Command::RequestSupplement {
            reasons: "Thiếu bản vẽ".into(),
        },
        None,
    )
    .await
    .unwrap();
    let list = svc
        .worklist(&desk, &WorklistFilter::default())
        .await
        .unwrap();
    assert_eq!((list.overdue, list.due_soon), (1, 1));

    // Filters narrow; the counts follow them.
    let only = svc
        .worklist(
            &desk,
            &WorklistFilter {
                status: Some(Status::SupplementRequested),
                ..WorklistFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(only.total, 1);
    assert_eq!((only.overdue, only.due_soon), (0, 0));
    // Another agency's staff see none of them.
    let other = svc
        .worklist(
            &staff(Role::DeskOfficer, OTHER_AGENCY),
            &WorklistFilter::default(),
        )
        .await
        .unwrap();
    assert_eq!(other.total, 0);
    // Agency administrators read dossiers but keep no worklist.
    let err = svc
        .worklist(
            &staff(Role::AgencyAdmin, AGENCY),
            &WorklistFilter::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
}

async fn the_counts_cover_every_page(store: &Store) {
    let (svc, clock) = services(store).await;
    for _ in 0..27 {
        received_at(&svc, &clock, vn(2026, 11, 13, 9, 0)).await;
    }
    let list = svc
        .worklist(
            &staff(Role::Specialist, AGENCY),
            &WorklistFilter {
                page: 2,
                ..WorklistFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(list.rows.len(), 2);
    assert_eq!((list.total, list.pages, list.overdue), (27, 2, 27));
}

fn offered(file: &motcua_service::office::DossierFile) -> Vec<OfficeAction> {
    file.actions
        .iter()
        .filter(|a| a.blocked.is_none())
        .map(|a| a.action)
        .collect()
}

async fn each_role_is_offered_what_it_may_do_now(store: &Store) {
    let (svc, clock) = services(store).await;
    let d = received_at(&svc, &clock, vn(2026, 11, 20, 9, 0)).await;
    let code = d.code();
    let file = svc
        .office_dossier(&staff(Role::DeskOfficer, AGENCY), code)
        .await
        .unwrap();
    assert_eq!(offered(&file), [OfficeAction::Withdraw]);
    let file = svc
        .office_dossier(&staff(Role::Specialist, AGENCY), code)
        .await
        .unwrap();
    assert_eq!(
        offered(&file),
        [
            OfficeAction::Transfer,
            OfficeAction::RequestSupplement,
            OfficeAction::RequestPayment
        ]
    );
    let file = svc
        .office_dossier(&staff(Role::Leader, AGENCY), code)
        .await
        .unwrap();
    assert_eq!(
        offered(&file),
        [
            OfficeAction::Transfer,
            OfficeAction::RequestSupplement,
            OfficeAction::RequestPayment,
            OfficeAction::Finish,
            OfficeAction::Extend,
            OfficeAction::Stop
        ]
    );
    // Once finished, the result is issued before it can be returned: the desk sees why.
    svc.act_on_dossier(
        &staff(Role::Leader, AGENCY),
        code,
        Command::Finish {
            decision: motcua_domain::dossier::Decision::Approved,
        },
        None,
    )
    .await
    .unwrap();
    let file = svc
        .office_dossier(&staff(Role::DeskOfficer, AGENCY), code)
        .await
        .unwrap();
    let ret = file.offer(OfficeAction::ReturnResult).unwrap();
    assert!(
        ret.blocked.as_deref().unwrap().contains("not been issued"),
        "{ret:?}"
    );
    assert!(file.offer(OfficeAction::Withdraw).is_none());
}

async fn the_apology_is_blocked_inside_its_lead_time(store: &Store) {
    let (svc, clock) = services(store).await;
    // Due today at 14:00: less than one working day left.
    let d = received_at(&svc, &clock, vn(2026, 11, 16, 14, 0)).await;
    let file = svc
        .office_dossier(&staff(Role::Leader, AGENCY), d.code())
        .await
        .unwrap();
    let extend = file.offer(OfficeAction::Extend).unwrap();
    assert!(
        extend
            .blocked
            .as_deref()
            .unwrap()
            .contains("at least 1 working day(s) before"),
        "{extend:?}"
    );
    assert_eq!(file.urgency, Urgency::DueSoon);
}

async fn another_agency_cannot_see_the_file_and_the_history_names_people(store: &Store) {
    let (svc, clock) = services(store).await;
    let admin = Acting::cli("test");
    let account = svc
        .create_account(
            &admin,
            NewAccount::Staff {
                login: "mai.stp".into(),
                name: "Nguyễn Thị Mai".into(),
                phone: None,
                role: Role::DeskOfficer,
                agency: Some(AGENCY.into()),
                unit: None,
                password: Password::new("mat-khau-dai-1"),
            },
        )
        .await
        .unwrap();
    let d = svc
        .submit_dossier(
            &Acting::for_account(&account, None),
            new_dossier(AGENCY, "027190123456", "Trần Thị Bình"),
            true,
        )
        .await
        .unwrap();
    clock.set(vn(2026, 11, 23, 10, 0));
    let err = svc
        .office_dossier(&staff(Role::Leader, OTHER_AGENCY), d.code())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Store(StoreError::NotFound { .. })),
        "{err:?}"
    );
    let file = svc
        .office_dossier(&staff(Role::Specialist, AGENCY), d.code())
        .await
        .unwrap();
    let kinds: Vec<_> = file.history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["submitted", "received"]);
    let received = file.last("received").unwrap();
    assert_eq!(received.actor_name.as_deref(), Some("Nguyễn Thị Mai"));
    assert_eq!(received.role, Role::DeskOfficer);
    assert_eq!(received.agency.as_deref(), Some(AGENCY));
    assert_eq!(file.agency_name(AGENCY), "Sở Tư pháp");
}

async fn the_desk_looks_people_up_within_its_scope_only(store: &Store) {
    let (svc, clock) = services(store).await;
    let person: ApplicantId = ApplicantId::Person("027190123456".parse().unwrap());
    received_at(&svc, &clock, vn(2026, 11, 20, 9, 0)).await;
    let found = svc
        .desk_applicant(&staff(Role::DeskOfficer, AGENCY), &person)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name, "Trần Thị Bình");
    assert_eq!(found.phone.as_deref(), Some("0987654321"));
    let elsewhere = svc
        .desk_applicant(&staff(Role::DeskOfficer, OTHER_AGENCY), &person)
        .await
        .unwrap();
    assert!(elsewhere.is_none());
    let err = svc
        .desk_applicant(&staff(Role::Specialist, AGENCY), &person)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
}

async fn desk_intake_guides_or_refuses_in_one_transaction(store: &Store) {
    let (svc, _) = services(store).await;
    let desk = staff(Role::DeskOfficer, AGENCY);
    let new = || new_dossier(AGENCY, "027190123456", "Trần Thị Bình");
    // Missing reasons: nothing is recorded, no number is used.
    let err = svc
        .desk_intake(
            &desk,
            new(),
            IntakeDecision::Guide {
                reasons: "  ".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reasons"), "{err}");
    let guided = svc
        .desk_intake(
            &desk,
            new(),
            IntakeDecision::Guide {
                reasons: "Thiếu bản vẽ thiết kế".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(guided.code().to_string(), format!("{AGENCY}-261123-0001"));
    assert_eq!(guided.status, Status::Submitted);
    assert!(guided.intake_supplement_at.is_some());
    let refused = svc
        .desk_intake(
            &desk,
            new(),
            IntakeDecision::Refuse {
                reasons: "Không thuộc thẩm quyền".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(refused.status, Status::NotReceived);
    let received = svc
        .desk_intake(&desk, new(), IntakeDecision::Receive)
        .await
        .unwrap();
    assert_eq!(received.status, Status::Received);
    let kinds: Vec<_> = svc
        .dossier_history(refused.code())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["submitted", "refused_at_intake"]);
    // The desk takes dossiers in person or by post, not online ones.
    let mut online = new();
    online.channel = Channel::Online;
    let err = svc
        .desk_intake(&desk, online, IntakeDecision::Receive)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    // Specialists do not receive.
    let err = svc
        .desk_intake(
            &staff(Role::Specialist, AGENCY),
            new(),
            IntakeDecision::Receive,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
}

async fn colleagues_to_assign_are_the_agencys_processing_staff(store: &Store) {
    let (svc, _) = services(store).await;
    let admin = Acting::cli("test");
    for (login, name, role, agency) in [
        ("lan.stp", "Lê Thị Lan", Role::Specialist, AGENCY),
        ("hung.stp", "Phạm Văn Hùng", Role::Leader, AGENCY),
        ("mai.stp", "Nguyễn Thị Mai", Role::DeskOfficer, AGENCY),
        ("son.sxd", "Vũ Văn Sơn", Role::Specialist, OTHER_AGENCY),
    ] {
        svc.create_account(
            &admin,
            NewAccount::Staff {
                login: login.into(),
                name: name.into(),
                phone: None,
                role,
                agency: Some(agency.into()),
                unit: None,
                password: Password::new("mat-khau-dai-1"),
            },
        )
        .await
        .unwrap();
    }
    let names: Vec<_> = svc
        .assignees(&staff(Role::Leader, AGENCY))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Lê Thị Lan", "Phạm Văn Hùng"]);
    let err = svc
        .assignees(&staff(Role::DeskOfficer, AGENCY))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
}

contract_tests!(
    worklists_sort_by_deadline_and_flag_overdue_and_due_soon,
    the_counts_cover_every_page,
    each_role_is_offered_what_it_may_do_now,
    the_apology_is_blocked_inside_its_lead_time,
    another_agency_cannot_see_the_file_and_the_history_names_people,
    the_desk_looks_people_up_within_its_scope_only,
    desk_intake_guides_or_refuses_in_one_transaction,
    colleagues_to_assign_are_the_agencys_processing_staff,
);
