//! Feedback and petitions, on SQLite and PostgreSQL: deadlines on the agency's working days
//! (across a holiday), who may handle them, publication.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use motcua_domain::catalog::simplification::{ComplianceCostParams, PlanSnapshot};
use motcua_domain::catalog::{Level, TimeLimit, TimeUnit, TimeValue, shipped};
use motcua_domain::event::Role;
use motcua_domain::kpi::counts::Month;
use motcua_domain::kpi::index766::Indicator;
use motcua_domain::kpi::petitions::PetitionCounts;
use motcua_domain::kpi::{Ratio, catalogue};
use motcua_domain::petition::{
    PetitionClass, PetitionCommand, PetitionContact, PetitionRules, PetitionStatus, Punctuality,
};
use motcua_service::catalog::{PlanDecision, PlanProposal};
use motcua_service::petitions::{AboutInput, NewPetition, public_acting};
use motcua_service::{Acting, ServiceError};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

mod common;

use common::*;

fn petition(agency: &str) -> NewPetition {
    NewPetition {
        agency: agency.into(),
        class: PetitionClass::Procedure,
        about: AboutInput::Procedure("1.001193".into()),
        title: "Hướng dẫn chưa rõ".into(),
        content: "Tờ khai trên cổng thiếu hướng dẫn.".into(),
        contact: PetitionContact {
            name: "Phạm Thu Hà".into(),
            phone: Some("0987654321".into()),
            email: None,
            address: None,
        },
    }
}

async fn deadlines_count_the_agency_s_working_days(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let p = s
        .submit_petition(&public_acting(None), petition(KINH_BAC))
        .await
        .unwrap();
    assert!(
        p.code().starts_with("PA-261123-") && p.code().len() == 18,
        "{}",
        p.code()
    );
    assert_eq!(p.submission.account, None);
    assert!(matches!(
        &p.submission.about,
        motcua_domain::petition::PetitionAbout::Procedure { name, .. } if name == "Thủ tục đăng ký khai sinh"
    ));
    // Tuesday 24/11/2026 is Vietnam Culture Day: it does not count.
    assert_eq!(p.deadlines.reject_due, vn(2026, 11, 26, 9, 0));
    assert_eq!(p.deadlines.supplement_due, vn(2026, 12, 1, 9, 0));
    assert_eq!(p.deadlines.answer_due, vn(2026, 12, 15, 9, 0));
    let log = store
        .load_stream(motcua_storage::petitions::STREAM, p.code())
        .await
        .unwrap();
    assert_eq!(log[0].kind, "received");
    assert_eq!(log[0].meta.actor.id, "public:anonymous");

    // Other deadlines are configuration.
    let strict = s.clone().with_petition_rules(PetitionRules {
        answer_working_days: 10,
        ..PetitionRules::default()
    });
    let q = strict
        .submit_petition(&citizen(&f, CITIZEN_A).await, petition(KINH_BAC))
        .await
        .unwrap();
    assert_eq!(q.deadlines.answer_due, vn(2026, 12, 8, 9, 0));
    assert!(
        q.submission.account.is_some(),
        "a signed-in sender is recorded"
    );
    let (mine, _) = s
        .petitions_of(&citizen(&f, CITIZEN_A).await, &[], 10, 0)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    // The sender's list filters by status as the staff list does.
    let (rejected, none) = s
        .petitions_of(
            &citizen(&f, CITIZEN_A).await,
            &[PetitionStatus::Rejected],
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!((rejected.len(), none), (0, 0));
    let (received, _) = s
        .petitions_of(
            &citizen(&f, CITIZEN_A).await,
            &[PetitionStatus::Received],
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(received.len(), 1);

    // Answered after the 15 working days: late.
    f.clock.set(vn(2026, 12, 16, 9, 0));
    let desk = staff(Role::DeskOfficer, KINH_BAC);
    let answered = s
        .act_on_petition(
            &desk,
            p.code(),
            PetitionCommand::Answer {
                answer: "Đã bổ sung hướng dẫn.".into(),
            },
            Some(1),
        )
        .await
        .unwrap();
    let steps = answered.steps(vn(2026, 12, 16, 10, 0));
    assert_eq!(steps[0].punctuality, Punctuality::Late);
    assert_eq!(answered.publish_due, Some(vn(2026, 12, 18, 9, 0)));
}

async fn only_the_addressed_agency_handles_and_publishes(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let p = s
        .submit_petition(&public_acting(None), petition(JUSTICE))
        .await
        .unwrap();
    let code = p.code().to_owned();
    let answer = || PetitionCommand::Answer {
        answer: "Đã xử lý.".into(),
    };
    // Another agency's staff: as if it did not exist.
    let outsider = staff(Role::Specialist, FINANCE);
    assert!(matches!(
        s.petition_for_staff(&outsider, &code).await,
        Err(ServiceError::Store(StoreError::NotFound { .. }))
    ));
    assert!(matches!(
        s.act_on_petition(&outsider, &code, answer(), None).await,
        Err(ServiceError::Store(StoreError::NotFound { .. }))
    ));
    let (listed, total) = s.agency_petitions(&outsider, &[], 10, 0).await.unwrap();
    assert!(listed.is_empty() && total == 0);
    // The agency's administrator reads it but does not handle it.
    let admin = staff(Role::AgencyAdmin, JUSTICE);
    assert!(s.petition_for_staff(&admin, &code).await.is_ok());
    assert!(matches!(
        s.act_on_petition(&admin, &code, answer(), None).await,
        Err(ServiceError::Forbidden(_))
    ));
    // Citizens have no worklist.
    assert!(matches!(
        s.agency_petitions(&citizen(&f, CITIZEN_A).await, &[], 10, 0)
            .await,
        Err(ServiceError::Forbidden(_))
    ));
    // The agency's specialist asks for more; the sender, holding the code, replies.
    let specialist = staff(Role::Specialist, JUSTICE);
    let (open, _) = s
        .agency_petitions(&specialist, &[PetitionStatus::Received], 10, 0)
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    s.act_on_petition(
        &specialist,
        &code,
        PetitionCommand::RequestSupplement {
            reasons: "Ngày nộp hồ sơ?".into(),
        },
        Some(1),
    )
    .await
    .unwrap();
    // A stale form loses.
    assert!(matches!(
        s.act_on_petition(&specialist, &code, answer(), Some(1))
            .await,
        Err(ServiceError::Store(StoreError::Conflict { .. }))
    ));
    assert!(matches!(
        s.act_on_petition(
            &specialist,
            &code,
            PetitionCommand::ProvideSupplement { text: "x".into() },
            None
        )
        .await,
        Err(ServiceError::Invalid(_))
    ));
    s.provide_petition_supplement(&public_acting(None), &code.to_lowercase(), "Ngày 20/11.")
        .await
        .unwrap();
    let answered = s
        .act_on_petition(&specialist, &code, answer(), None)
        .await
        .unwrap();
    assert_eq!(answered.status, PetitionStatus::Answered);
    assert!(s.published_petitions(10, 0).await.unwrap().0.is_empty());
    assert!(matches!(
        s.act_on_petition(&specialist, &code, answer(), None).await,
        Err(ServiceError::Refused(m)) if m.contains("cannot answer")
    ));
    let published = s
        .act_on_petition(&specialist, &code, PetitionCommand::Publish, None)
        .await
        .unwrap();
    assert!(published.on_time(s.now()));
    let (public, total) = s.published_petitions(10, 0).await.unwrap();
    assert_eq!((public.len(), total), (1, 1));
    let kinds: Vec<String> = store
        .load_stream(motcua_storage::petitions::STREAM, &code)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "received",
            "supplement_requested",
            "supplement_provided",
            "answered",
            "published"
        ]
    );
}

async fn a_petition_names_every_wrong_field(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let mut bad = petition("000.00.99.H05");
    bad.about = AboutInput::Procedure("9.999999".into());
    bad.contact.phone = Some("123".into());
    bad.title = " ".into();
    let fields: Vec<_> = s
        .check_petition(&bad)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, ["agency", "procedure", "title", "phone"]);
    assert!(matches!(
        s.submit_petition(&public_acting(None), bad).await,
        Err(ServiceError::Invalid(m)) if m.contains("agency:") && m.contains("title:")
    ));
    let mut officer = petition(JUSTICE);
    officer.class = PetitionClass::Staff;
    officer.about = AboutInput::Officer(String::new());
    let fields: Vec<_> = s
        .check_petition(&officer)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, ["officer"]);
}

/// Decision 766 group 5 and the catalogue's figures in an agency's month, counted by hand:
/// in October phường Kinh Bắc's committee receives a petition about an officer, never
/// answered (answer due 26/10: overdue at the month's end), and one about a procedure,
/// rejected the next working day; Sở Tư pháp receives one. A simplification plan approved
/// later moves the catalogue's figures at once.
async fn petitions_and_the_catalogue_count_in_the_766_index(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let mut staff_petition = petition(KINH_BAC);
    staff_petition.class = PetitionClass::Staff;
    staff_petition.about = AboutInput::Officer("Cán bộ một cửa".into());
    f.clock.set(vn(2026, 10, 5, 9, 0));
    s.submit_petition(&public_acting(None), staff_petition)
        .await
        .unwrap();
    f.clock.set(vn(2026, 10, 20, 9, 0));
    let rejected = s
        .submit_petition(&public_acting(None), petition(KINH_BAC))
        .await
        .unwrap();
    f.clock.set(vn(2026, 10, 21, 9, 0));
    let desk = staff(Role::DeskOfficer, KINH_BAC);
    s.act_on_petition(
        &desk,
        rejected.code(),
        PetitionCommand::Reject {
            reasons: "Không thuộc thẩm quyền.".into(),
        },
        None,
    )
    .await
    .unwrap();
    f.clock.set(vn(2026, 10, 22, 9, 0));
    s.submit_petition(&public_acting(None), petition(JUSTICE))
        .await
        .unwrap();

    f.clock.set(vn(2026, 11, 10, 9, 0));
    let admin = Acting::cli("test");
    let october: Month = "2026-10".parse().unwrap();
    let r = s.kpi_report(&admin, KINH_BAC, october).await.unwrap();
    assert_eq!(
        r.petitions,
        PetitionCounts {
            received: 2,
            about_procedures: 1,
            about_staff: 1,
            received_not_overdue: 1,
            handled_or_open: 2,
            on_time: 1,
        }
    );
    let ratio = |i: Indicator| {
        r.index
            .indicators
            .iter()
            .find(|x| x.indicator == i)
            .and_then(|x| x.ratio)
    };
    assert_eq!(ratio(Indicator::PetitionsOnTime), Some(Ratio::new(1, 2)));
    assert_eq!(
        ratio(Indicator::PetitionSatisfaction),
        Some(Ratio::new(1, 2))
    );
    assert_eq!(
        ratio(Indicator::PetitionsAboutStaff),
        Some(Ratio::new(1, 2))
    );
    // November has none of October's: the overdue one is carried over into 5.2 only.
    let november = s
        .kpi_report(&admin, KINH_BAC, october.next())
        .await
        .unwrap();
    assert_eq!(
        (
            november.petitions.received,
            november.petitions.handled_or_open
        ),
        (0, 1)
    );
    // The province counts both agencies' petitions.
    let province = s.kpi_report(&admin, "24", october).await.unwrap();
    assert_eq!(province.petitions.received, 3);

    // A commune's committee counts the commune-level procedures of the catalogue; a
    // provincial department is not told its own.
    let shipped: Vec<_> = shipped::procedures()
        .unwrap()
        .into_iter()
        .filter(|p| ["1.000588", "1.001193", "2.000815"].contains(&p.code.to_string().as_str()))
        .collect();
    let commune = catalogue::catalogue_figures(&shipped, &[], catalogue::levels_of(true));
    assert!(commune.published_public > 0, "{commune:?}");
    assert_eq!(r.catalogue, Some(commune));
    assert_eq!(
        ratio(Indicator::PublishedInFull),
        Some(commune.published_in_full_ratio())
    );
    let justice = s.kpi_report(&admin, JUSTICE, october).await.unwrap();
    assert_eq!(justice.catalogue, None);
    assert_eq!(justice.petitions.received, 1);

    // A plan cutting a commune procedure's time limit, approved: the figures move at once.
    let target = shipped
        .iter()
        .find(|p| p.levels.contains(&Level::Commune))
        .unwrap();
    let days = |n| TimeLimit {
        value: TimeValue::whole(n),
        unit: TimeUnit::WorkingDays,
    };
    let (limit, shorter) = (days(10), days(5));
    let params = ComplianceCostParams {
        hourly_income_vnd: 30_000.0,
    };
    let plan = s
        .propose_plan(
            &admin,
            PlanProposal {
                procedure: target.code.clone(),
                description: "Rút ngắn thời hạn một nửa".into(),
                before: PlanSnapshot {
                    time_limit: Some(limit),
                    ..PlanSnapshot::default()
                },
                after: PlanSnapshot {
                    time_limit: Some(shorter),
                    ..PlanSnapshot::default()
                },
                cost_before: None,
                cost_after: None,
            },
            &params,
        )
        .await
        .unwrap();
    let proposed = s.kpi_report(&admin, KINH_BAC, october).await.unwrap();
    assert_eq!(proposed.catalogue.unwrap().plans_proposed, 1);
    s.decide_plan(
        &admin,
        &plan.id,
        PlanDecision::Approve {
            decision_no: "1811/QĐ-UBND".into(),
        },
        &params,
    )
    .await
    .unwrap();
    let approved = s.kpi_report(&admin, KINH_BAC, october).await.unwrap();
    let c = approved.catalogue.unwrap();
    assert_eq!(
        (c.plans_proposed, c.plans_approved, c.plans_cutting_time),
        (0, 1, 1)
    );
}

contract_tests!(
    deadlines_count_the_agency_s_working_days,
    only_the_addressed_agency_handles_and_publishes,
    a_petition_names_every_wrong_field,
    petitions_and_the_catalogue_count_in_the_766_index,
);
