//! Documents over in-process HTTP, on SQLite and on PostgreSQL: the desk scans a paper
//! original into the dossier, the certifier makes the electronic certified copy from the
//! dossier's page, anyone verifies it by its QR address and the API without signing in, and
//! the next dossier reuses the copy from the applicant's data store instead of a new scan, at
//! the desk and online; an issued paper result is scanned into the dossier and the store.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use axum::Router;
use axum::http::StatusCode;
use common::{Browser, CITIZEN_A, JUSTICE, PDF, PORTAL_PASSWORD, Page, Part, portal};
use motcua_domain::document::DocumentKind;
use motcua_domain::dossier::{Command, Decision, DossierCode, ResultForm};
use motcua_service::Acting;
use motcua_storage::Store;
use motcua_test_support::{contract_tests, scan_png};

/// The procedure of certified copies from originals.
const COPIES: &str = "2.000815";

async fn signed_in(app: &Router, login: &str) -> Browser {
    let mut browser = Browser::default();
    let done = browser.sign_in(app, login, PORTAL_PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    browser
}

fn code_of(location: &str) -> DossierCode {
    location
        .trim_start_matches("/can-bo/ho-so/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The version a dossier page's forms carry.
fn version(page: &Page) -> String {
    let start = page.body.find("name=\"version\" value=\"").unwrap() + 22;
    page.body[start..].split('"').next().unwrap().to_owned()
}

/// The intake form's fields for citizen A's request of a copy, the original received.
fn intake_fields(csrf: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf", csrf),
        ("procedure", COPIES),
        ("personal_id", CITIZEN_A),
        ("name", "Trần Thị Bình"),
        ("c0", "1"),
        ("c0-o", "1"),
        ("c0-c", "0"),
        ("channel", "desk"),
        ("action", "receive"),
    ]
}

async fn a_paper_original_becomes_a_certified_copy_anyone_verifies(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let services = &p.app.services;
    let mut desk = signed_in(app, "motcua.stp").await;
    let lookup = format!("/can-bo/tiep-nhan?thu-tuc={COPIES}&so={CITIZEN_A}");
    let form = desk.get(app, &lookup).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    // Nothing in the applicant's data store yet: no column to reuse from.
    assert!(!form.body.contains("name=\"c0-r\""), "{}", form.body);

    // The desk scans the original into the dossier.
    let csrf = form.csrf();
    let scan = scan_png();
    let mut parts: Vec<Part<'_>> = intake_fields(&csrf)
        .into_iter()
        .map(|(k, v)| Part::Text(k, v))
        .collect();
    parts.push(Part::File("c0-f", "khai-sinh.png", &scan));
    let received = desk.post_multipart(app, "/can-bo/tiep-nhan", &parts).await;
    assert_eq!(received.status, StatusCode::SEE_OTHER, "{}", received.body);
    assert!(received.location().ends_with("/mau-01"));
    let code = code_of(received.location());
    let dossier = services.find_dossier(&code).await.unwrap();
    let component = &dossier.submission.components[0];
    assert!(component.has_file && !component.reused);
    assert_eq!(component.files[0].media_type, "image/png");

    // The certifier's form is on the dossier's page for a leader, not for the desk.
    let page = desk.get(app, &format!("/can-bo/ho-so/{code}")).await;
    assert!(!page.body.contains("act-chung-thuc"));
    let mut leader = signed_in(app, "lanhdao.stp").await;
    let page = leader.get(app, &format!("/can-bo/ho-so/{code}")).await;
    assert!(page.body.contains("id=\"act-chung-thuc\""), "{}", page.body);
    assert!(page.body.contains("khai-sinh.png"));
    assert!(page.body.contains("2.000 ₫"), "the fee schedule is shown");
    let (csrf, v) = (page.csrf(), version(&page));
    let certify = format!("/can-bo/ho-so/{code}/chung-thuc");
    let unnamed = leader
        .post_multipart(
            app,
            &certify,
            &[Part::Text("csrf", &csrf), Part::Text("version", &v)],
        )
        .await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unnamed.body.contains("id=\"certify-error\""),
        "{}",
        unnamed.body
    );
    assert!(unnamed.body.contains("name the original document"));
    let forged = leader
        .post_multipart(
            app,
            &certify,
            &[
                Part::Text("csrf", "forged"),
                Part::Text("version", &v),
                Part::Text("original", "Giấy khai sinh"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = leader
        .post_multipart(
            app,
            &certify,
            &[
                Part::Text("csrf", &csrf),
                Part::Text("version", &v),
                Part::Text("original", "Giấy khai sinh"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = leader.get(app, done.location()).await;
    assert!(
        page.body
            .contains("Số chứng thực: 1, quyển số 01/2026-SCT/BSĐT"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"act-chung-thuc\""), "made once");
    let docs = services
        .dossier_documents(&Acting::cli("test"), &code)
        .await
        .unwrap();
    assert_eq!(docs.len(), 1);
    let copy = &docs[0].issue;
    assert_eq!(copy.kind, DocumentKind::CertifiedCopy);

    // Anyone, signed in or not, by the QR code's address and by the API.
    let mut visitor = Browser::default();
    let checked = visitor.get(app, &format!("/xac-minh/{}", copy.code)).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(checked.body.contains("Tài liệu hợp lệ"), "{}", checked.body);
    assert!(
        checked
            .body
            .contains("Bản sao điện tử được chứng thực từ bản chính")
    );
    assert!(
        !checked.body.contains("Trần Thị Bình"),
        "nothing about the person"
    );
    let api = visitor
        .get(app, &format!("/api/v1/verifications/{}", copy.code))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["status"], "genuine", "{json}");
    assert_eq!(json["document"]["kind"], "certified_copy", "{json}");

    // The next request reuses the copy from the applicant's data store.
    let form = desk.get(app, &lookup).await;
    assert!(form.body.contains("name=\"c0-r\""), "{}", form.body);
    assert!(form.body.contains(&copy.file.sha256));
    assert!(
        form.body.contains(&component.files[0].sha256),
        "the digitized scan too"
    );
    let csrf = form.csrf();
    let bogus = "0".repeat(64);
    let mut fields = intake_fields(&csrf);
    fields.push(("c0-r", &bogus));
    let refused = desk.post(app, "/can-bo/tiep-nhan", &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"c0-r-error\""),
        "{}",
        refused.body
    );
    fields.pop();
    fields.push(("c0-r", &copy.file.sha256));
    let reused = desk.post(app, "/can-bo/tiep-nhan", &fields).await;
    assert_eq!(reused.status, StatusCode::SEE_OTHER, "{}", reused.body);
    let again = services
        .find_dossier(&code_of(reused.location()))
        .await
        .unwrap();
    let component = &again.submission.components[0];
    assert!(component.has_file && component.reused);
    assert_eq!(component.files[0].sha256, copy.file.sha256);
    // The reused file is served with the new dossier to those who may read it.
    let file = desk
        .get(
            app,
            &format!("/can-bo/ho-so/{}/tep/{}", again.code(), copy.file.sha256),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.bytes.starts_with(b"%PDF-"));

    // Online, the citizen sees the store and takes the copy from it for a component.
    let mut citizen = signed_in(app, CITIZEN_A).await;
    let store = citizen.get(app, "/kho-du-lieu").await;
    assert_eq!(store.status, StatusCode::OK, "{}", store.body);
    assert!(
        store.body.contains("Bản sao chứng thực điện tử"),
        "{}",
        store.body
    );
    assert!(store.body.contains(&format!("/tep/{}", copy.file.sha256)));
    let form = citizen.get(app, "/thu-tuc/1.000588/nop-truc-tuyen").await;
    assert!(form.body.contains("name=\"store-0\""), "{}", form.body);
    let csrf = form.csrf();
    let submitted = citizen
        .post_multipart(
            app,
            "/ho-so-nhap",
            &[
                Part::Text("csrf", &csrf),
                Part::Text("procedure", "1.000588"),
                Part::Text("draft_id", ""),
                Part::Text("version", "0"),
                Part::Text("name", "Trần Thị Bình"),
                Part::Text("phone", "0912345678"),
                Part::Text("agency", JUSTICE),
                Part::Text("store-0", &copy.file.sha256),
                Part::File("file-1", "quyet-dinh.pdf", PDF),
                Part::File("file-2", "the.png", &scan),
                Part::File("file-3", "tru-so.pdf", PDF),
                Part::Text("action", "submit"),
            ],
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let online: DossierCode = submitted
        .location()
        .trim_start_matches("/ho-so-cua-toi/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let online = services.find_dossier(&online).await.unwrap();
    let components = &online.submission.components;
    assert_eq!(components[0].files[0].sha256, copy.file.sha256);
    assert!(
        components[0].from_data_store,
        "taken from the store (766 4.4)"
    );
    assert!(!components[1].from_data_store, "a new upload");
}

async fn a_paper_result_is_scanned_into_the_dossier_and_the_data_store(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let services = &p.app.services;
    let mut desk = signed_in(app, "motcua.stp").await;
    let form = desk
        .get(app, &format!("/can-bo/tiep-nhan?thu-tuc={COPIES}"))
        .await;
    let csrf = form.csrf();
    let received = desk
        .post(app, "/can-bo/tiep-nhan", &intake_fields(&csrf))
        .await;
    assert_eq!(received.status, StatusCode::SEE_OTHER, "{}", received.body);
    let code = code_of(received.location());
    let page = desk.get(app, &format!("/can-bo/ho-so/{code}")).await;
    assert!(
        !page.body.contains("act-quet-ket-qua"),
        "no paper result yet"
    );
    let leader = Acting::cli("test");
    for command in [
        Command::Finish {
            decision: Decision::Approved,
        },
        Command::IssueResult {
            form: ResultForm::Paper,
            number: Some("12/BS".into()),
        },
    ] {
        services
            .act_on_dossier(&leader, &code, command, None)
            .await
            .unwrap();
    }
    let page = desk.get(app, &format!("/can-bo/ho-so/{code}")).await;
    assert!(
        page.body.contains("id=\"act-quet-ket-qua\""),
        "{}",
        page.body
    );
    let (csrf, v) = (page.csrf(), version(&page));
    let url = format!("/can-bo/ho-so/{code}/quet-ket-qua");
    let empty = desk
        .post_multipart(
            app,
            &url,
            &[Part::Text("csrf", &csrf), Part::Text("version", &v)],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("choose the scanned result"),
        "{}",
        empty.body
    );
    let scan = scan_png();
    let done = desk
        .post_multipart(
            app,
            &url,
            &[
                Part::Text("csrf", &csrf),
                Part::Text("version", &v),
                Part::File("scan", "ket-qua.png", &scan),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let dossier = services.find_dossier(&code).await.unwrap();
    let kept = dossier.result_scan.unwrap();
    assert_eq!(kept.name, "ket-qua.png");
    let history = services.dossier_history(&code).await.unwrap();
    assert_eq!(history.last().unwrap().kind, "result_scanned");
    let mut citizen = signed_in(app, CITIZEN_A).await;
    let page = citizen.get(app, "/kho-du-lieu").await;
    assert!(page.body.contains("Kết quả giấy đã quét"), "{}", page.body);
    let file = citizen
        .get(app, &format!("/ho-so-cua-toi/{code}/tep/{}", kept.sha256))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, scan);
}

contract_tests!(
    a_paper_original_becomes_a_certified_copy_anyone_verifies,
    a_paper_result_is_scanned_into_the_dossier_and_the_data_store,
);
