//! Online submission through drafts, on SQLite and PostgreSQL: save, resume, submit once,
//! ownership, the checks that name each field and component.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::collections::BTreeMap;

use motcua_domain::dossier::{ApplicantId, Status};
use motcua_domain::event::{Channel, Role};
use motcua_service::ServiceError;
use motcua_service::drafts::{DraftForm, SaveDraft, check_draft};
use motcua_service::files::Upload;
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

mod common;

use common::*;

fn form(agency: &str) -> DraftForm {
    DraftForm {
        name: "Trần Thị Bình".into(),
        phone: "0912 345 678".into(),
        email: String::new(),
        address: "Phường Kinh Bắc".into(),
        agency: agency.into(),
    }
}

fn pdf(name: &str) -> Upload {
    Upload {
        name: name.into(),
        size: PDF.len() as u64,
        bytes: PDF.to_vec(),
    }
}

async fn a_draft_is_saved_resumed_and_submitted_once(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let a = citizen(&f, CITIZEN_A).await;
    let offer = s.offer_for("1.000588").await.unwrap();
    assert_eq!(offer.components.len(), 4);
    assert_eq!(offer.agencies.len(), 1);
    assert_eq!(
        offer.agencies[0].code.as_str(),
        JUSTICE,
        "Sở Tư pháp, as the demo maps it"
    );
    let prefilled = s.new_draft_form(&a, &offer).await.unwrap();
    assert_eq!(prefilled.name, "Trần Thị Bình");
    assert_eq!(prefilled.phone, "0912345678");
    assert_eq!(prefilled.agency, JUSTICE, "the only agency is chosen");

    let file = s.store_upload("Tờ khai", pdf("to-khai.pdf")).await.unwrap();
    let draft = s
        .save_draft(
            &a,
            SaveDraft {
                id: None,
                expected_version: 0,
                procedure_code: "1.000588".into(),
                form: form(JUSTICE),
                files: BTreeMap::from([(0, file.clone())]),
            },
        )
        .await
        .unwrap();
    assert_eq!(draft.version, 1);
    let problems = check_draft(&draft, &offer);
    let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["file-1", "file-2", "file-3"]);
    assert!(problems[0].vi.contains("«Quyết định về việc cử Giám đốc"));
    assert!(matches!(
        s.submit_draft(&a, &draft.id, 1).await,
        Err(ServiceError::Invalid(m)) if m.contains("is required: upload a file")
    ));

    // Resume and complete: earlier files stay, new ones are added.
    let draft = s
        .save_draft(
            &a,
            SaveDraft {
                id: Some(draft.id.clone()),
                expected_version: 1,
                procedure_code: "1.000588".into(),
                form: form(JUSTICE),
                files: BTreeMap::from([(1, file.clone()), (2, file.clone()), (3, file.clone())]),
            },
        )
        .await
        .unwrap();
    assert_eq!(draft.files.len(), 4);
    assert_eq!(s.drafts_of(&a).await.unwrap().len(), 1);
    // A stale form cannot overwrite it.
    assert!(matches!(
        s.save_draft(
            &a,
            SaveDraft {
                id: Some(draft.id.clone()),
                expected_version: 1,
                procedure_code: "1.000588".into(),
                form: form(JUSTICE),
                files: BTreeMap::new(),
            },
        )
        .await,
        Err(ServiceError::Store(StoreError::Conflict { .. }))
    ));

    let dossier = s.submit_draft(&a, &draft.id, 2).await.unwrap();
    assert_eq!(dossier.status, Status::Submitted);
    assert_eq!(dossier.submission.channel, Channel::Online);
    assert_eq!(dossier.submission.agency, JUSTICE);
    assert_eq!(
        dossier.submission.applicant.id,
        ApplicantId::Person(CITIZEN_A.parse().unwrap())
    );
    assert_eq!(
        dossier.submission.applicant.phone.as_deref(),
        Some("0912345678")
    );
    assert_eq!(dossier.submission.components.len(), 4);
    assert_eq!(dossier.submission.components[2].files, vec![file]);
    assert_eq!(dossier.submission.lookup_secret.len(), 8);
    assert!(
        dossier
            .code()
            .to_string()
            .starts_with("000.00.10.H05-261123-")
    );
    // The draft is gone: a second submission finds nothing.
    assert!(s.drafts_of(&a).await.unwrap().is_empty());
    assert!(matches!(
        s.submit_draft(&a, &draft.id, 2).await,
        Err(ServiceError::Store(StoreError::NotFound { .. }))
    ));
    let log = s.dossier_history(dossier.code()).await.unwrap();
    assert_eq!(log[0].meta.channel, Channel::Online);
    assert_eq!(log[0].meta.actor.role, Role::Citizen);
}

async fn drafts_belong_to_their_account(store: &Store) {
    let f = fixture(store).await;
    let s = &f.services;
    let a = citizen(&f, CITIZEN_A).await;
    let b = citizen(&f, CITIZEN_B).await;
    let draft = s
        .save_draft(
            &a,
            SaveDraft {
                id: None,
                expected_version: 0,
                procedure_code: "1.001193".into(),
                form: form(KINH_BAC),
                files: BTreeMap::new(),
            },
        )
        .await
        .unwrap();
    let not_found = |r: Result<_, ServiceError>| {
        matches!(r, Err(ServiceError::Store(StoreError::NotFound { .. })))
    };
    assert!(not_found(s.draft_of(&b, &draft.id).await.map(|_| ())));
    assert!(not_found(s.delete_draft(&b, &draft.id).await));
    assert!(not_found(
        s.submit_draft(&b, &draft.id, 1).await.map(|_| ())
    ));
    assert!(s.drafts_of(&b).await.unwrap().is_empty());
    // Staff do not submit online for themselves.
    let desk = staff(Role::DeskOfficer, JUSTICE);
    assert!(matches!(
        s.drafts_of(&desk).await,
        Err(ServiceError::Forbidden(_))
    ));
    // A procedure not offered online has no draft.
    assert!(matches!(
        s.save_draft(
            &a,
            SaveDraft {
                id: None,
                expected_version: 0,
                procedure_code: "2.000815".into(),
                form: form(KINH_BAC),
                files: BTreeMap::new(),
            },
        )
        .await,
        Err(ServiceError::Invalid(m)) if m.contains("not submitted online here")
    ));
    // A commune procedure offers the wards' People's Committees and a generic component.
    let offer = s.offer_for("1.001193").await.unwrap();
    assert_eq!(offer.agencies[0].code.as_str(), KINH_BAC);
    assert_eq!(offer.components.len(), 1);
    assert!(offer.components[0].required);
    // An agency that does not receive the procedure is refused, by field.
    let mut wrong = s.draft_of(&a, &draft.id).await.unwrap();
    wrong.form.agency = JUSTICE.into();
    wrong.form.phone = "12345".into();
    let fields: Vec<_> = check_draft(&wrong, &offer)
        .into_iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, ["phone", "agency", "file-0"]);
    s.delete_draft(&a, &draft.id).await.unwrap();
    assert!(s.drafts_of(&a).await.unwrap().is_empty());
    f.clock.set(vn(2026, 11, 23, 10, 0));
}

contract_tests!(
    a_draft_is_saved_resumed_and_submitted_once,
    drafts_belong_to_their_account,
);
