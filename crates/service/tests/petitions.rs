//! Feedback and petitions, on SQLite and PostgreSQL: deadlines on the agency's working days
//! (across a holiday), who may handle them, publication.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use motcua_domain::event::Role;
use motcua_domain::petition::{
    PetitionClass, PetitionCommand, PetitionContact, PetitionRules, PetitionStatus, Punctuality,
};
use motcua_service::ServiceError;
use motcua_service::petitions::{AboutInput, NewPetition, public_acting};
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

contract_tests!(
    deadlines_count_the_agency_s_working_days,
    only_the_addressed_agency_handles_and_publishes,
    a_petition_names_every_wrong_field,
);
