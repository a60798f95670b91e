//! The one-stop desk and the back office over in-process HTTP (the real router, forms with
//! CSRF tokens and dossier versions), on SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use common::{App, Browser, Page, app_with};
use motcua_domain::catalog::{
    DossierComponent, LifecycleState, Procedure, ProcedureResult, Publication, TimeLimit, TimeUnit,
    TimeValue,
};
use motcua_domain::dossier::{Applicant, ApplicantId, DossierCode, Status};
use motcua_domain::event::{Channel, Role};
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_service::accounts::{NewAccount, Password};
use motcua_service::dossiers::NewDossier;
use motcua_service::office::procedure_ref;
use motcua_service::{Acting, FixedClock, Services};
use motcua_storage::Store;
use motcua_test_support::contract_tests;
use motcua_web::WebConfig;

const AGENCY: &str = "000.00.10.H05";
const OTHER_AGENCY: &str = "000.00.11.H05";
const PASSWORD: &str = "mat-khau-dai-1";
const PROCEDURE: &str = "1.004873";
const CITIZEN: &str = "027190123456";
const PUBLIC_URL: &str = "https://dichvucong.bacninh.gov.vn";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

fn procedure() -> Procedure {
    let mut p = Procedure::draft(PROCEDURE.parse().unwrap(), "Cấp giấy phép xây dựng");
    p.sector = "Xây dựng".into();
    p.time_limit = Some(TimeLimit {
        value: TimeValue::whole(5),
        unit: TimeUnit::WorkingDays,
    });
    p.components = vec![
        DossierComponent {
            name: "Đơn đề nghị cấp giấy phép xây dựng".into(),
            originals: 1,
            copies: 0,
            required: true,
            form: None,
        },
        DossierComponent {
            name: "Bản vẽ thiết kế xây dựng".into(),
            originals: 0,
            copies: 2,
            required: true,
            form: None,
        },
    ];
    p.result = ProcedureResult {
        name: "Giấy phép xây dựng".into(),
        codes: Vec::new(),
        document_required: true,
    };
    p.state = LifecycleState::Published;
    p.publication = Some(Publication {
        decision_no: "1234/QĐ-BXD".into(),
        date: NaiveDate::from_ymd_opt(2025, 7, 1),
    });
    p.valid_from = NaiveDate::from_ymd_opt(2025, 7, 1);
    p
}

/// The application at Monday 23/11/2026 09:00 (24/11 is a day off), with two agencies, a
/// procedure and staff of every role the desk and back office need.
async fn app(store: &Store) -> App {
    let app = app_with(
        store,
        WebConfig {
            public_url: PUBLIC_URL.into(),
            ..WebConfig::default()
        },
    )
    .await;
    let admin = Acting::cli("test");
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    app.services
        .record_unit(
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
        app.services
            .register_agency(
                &admin,
                Agency {
                    code: code.parse().unwrap(),
                    name: name.into(),
                    kind: AgencyKind::Department,
                    unit: "24".parse().unwrap(),
                    valid_from: Some(day(2025, 7, 1)),
                    valid_to: None,
                },
                None,
            )
            .await
            .unwrap();
    }
    app.services
        .import_catalogue(&admin, vec![procedure()])
        .await
        .unwrap();
    for (login, name, role, agency) in [
        ("mai.stp", "Nguyễn Thị Mai", Role::DeskOfficer, Some(AGENCY)),
        ("lan.stp", "Lê Thị Lan", Role::Specialist, Some(AGENCY)),
        ("hung.stp", "Phạm Văn Hùng", Role::Leader, Some(AGENCY)),
        (
            "son.sxd",
            "Vũ Văn Sơn",
            Role::DeskOfficer,
            Some(OTHER_AGENCY),
        ),
        ("quantri", "Đỗ Quản Trị", Role::SystemAdmin, None),
    ] {
        app.services
            .create_account(
                &admin,
                NewAccount::Staff {
                    login: login.into(),
                    name: name.into(),
                    phone: None,
                    role,
                    agency: agency.map(Into::into),
                    unit: None,
                    password: Password::new(PASSWORD),
                },
            )
            .await
            .unwrap();
    }
    app
}

async fn signed_in(app: &App, login: &str) -> Browser {
    let mut browser = Browser::default();
    let done = browser.sign_in(&app.router, login, PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    browser
}

/// The version a dossier page's forms carry.
fn version(page: &Page) -> String {
    let start = page.body.find("name=\"version\" value=\"").unwrap() + 22;
    page.body[start..].split('"').next().unwrap().to_owned()
}

/// Where `needle` first appears in `page` (panics when absent, naming it).
fn at(page: &Page, needle: &str) -> usize {
    page.body
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the page"))
}

/// The code a redirect to a dossier's page or form names.
fn code_of(location: &str) -> DossierCode {
    location
        .trim_start_matches("/can-bo/ho-so/")
        .split(['/', '?'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Receives a paper dossier through the intake form; returns the redirect.
async fn intake(app: &App, desk: &mut Browser, extra: &[(&str, &str)]) -> Page {
    let form = desk
        .get(
            &app.router,
            &format!("/can-bo/tiep-nhan?thu-tuc={PROCEDURE}"),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("procedure", PROCEDURE),
        ("personal_id", CITIZEN),
        ("name", "Trần Thị Bình"),
        ("phone", "0987 654 321"),
        ("address", "Phường Kinh Bắc, Bắc Ninh"),
        ("c0", "1"),
        ("c0-o", "1"),
        ("c0-c", "0"),
        ("c1", "1"),
        ("c1-o", "0"),
        ("c1-c", "2"),
        ("channel", "desk"),
    ];
    // The extra fields replace the defaults of the same name.
    fields.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    fields.extend_from_slice(extra);
    if !extra.iter().any(|(k, _)| *k == "action") {
        fields.push(("action", "receive"));
    }
    desk.post(&app.router, "/can-bo/tiep-nhan", &fields).await
}

/// Posts an action of a dossier's page with the page's CSRF token and version.
async fn act(
    app: &App,
    browser: &mut Browser,
    code: &DossierCode,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let page = browser
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (csrf, version) = (page.csrf(), version(&page));
    let mut form = vec![("csrf", csrf.as_str()), ("version", version.as_str())];
    form.extend_from_slice(fields);
    browser
        .post(
            &app.router,
            &format!("/can-bo/ho-so/{code}/{action}"),
            &form,
        )
        .await
}

/// Services whose clock stands at `at`, over the same store: to place dossiers in the past.
fn services_at(store: &Store, at: DateTime<Utc>) -> Services {
    Services::new(store.clone(), Arc::new(FixedClock::new(at)))
}

fn new_dossier(channel: Channel) -> NewDossier {
    NewDossier {
        agency: AGENCY.into(),
        procedure: procedure_ref(&procedure()),
        applicant: Applicant {
            id: ApplicantId::Person(CITIZEN.parse().unwrap()),
            name: "Trần Thị Bình".into(),
            phone: Some("0987654321".into()),
            email: None,
            address: None,
        },
        channel,
        components: Vec::new(),
        eid_verified: false,
    }
}

/// A paper dossier received at `at` by the desk of AGENCY.
async fn received_at(store: &Store, at: DateTime<Utc>) -> DossierCode {
    let desk = Acting::cli("desk");
    services_at(store, at)
        .submit_dossier(&desk, new_dossier(Channel::Desk), true)
        .await
        .unwrap()
        .code()
        .clone()
}

async fn a_desk_officer_receives_a_paper_dossier_and_prints_form_01(store: &Store) {
    let app = app(store).await;
    let mut desk = signed_in(&app, "mai.stp").await;
    // Choose the procedure with the search box.
    let search = desk
        .get(&app.router, "/can-bo/tiep-nhan?q=giay+phep+xay+dung")
        .await;
    assert_eq!(search.status, StatusCode::OK, "{}", search.body);
    assert!(
        search
            .body
            .contains(&format!("href=\"/can-bo/tiep-nhan?thu-tuc={PROCEDURE}\""))
    );
    let form = desk
        .get(
            &app.router,
            &format!("/can-bo/tiep-nhan?thu-tuc={PROCEDURE}"),
        )
        .await;
    assert!(form.body.contains("Bản vẽ thiết kế xây dựng"));
    assert!(form.body.contains("<label for=\"personal_id\">"));
    assert!(form.headers.get("cache-control").unwrap() == "no-store");

    let done = intake(&app, &mut desk, &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location().ends_with("/mau-01"), "{}", done.location());
    let code = code_of(done.location());
    assert_eq!(code.to_string(), format!("{AGENCY}-261123-0001"));
    let dossier = app.services.find_dossier(&code).await.unwrap();
    assert_eq!(dossier.status, Status::Received);
    assert_eq!(dossier.submission.channel, Channel::Desk);

    let slip = desk.get(&app.router, done.location()).await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.body);
    for text in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mẫu số 01",
        "Thông tư số 01/2018/TT-VPCP",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "SỞ TƯ PHÁP",
        &code.to_string(),
        "Trần Thị Bình",
        "Cấp giấy phép xây dựng",
        "Bản vẽ thiết kế xây dựng",
        // Received Monday 09:00; 5 working days skip Vietnam Culture Day (Tuesday 24/11).
        "09 giờ 00 phút, ngày 23/11/2026",
        "09 giờ 00 phút, ngày 01/12/2026",
        &dossier.submission.lookup_secret,
        "https://dichvucong.bacninh.gov.vn/tra-cuu",
        "Tại Bộ phận Một cửa",
        "Nguyễn Thị Mai",
    ] {
        assert!(slip.body.contains(text), "{text} missing from Form 01");
    }
    // The counts of originals and copies are on the slip.
    let row = &slip.body[at(&slip, "<td>Bản vẽ thiết kế xây dựng</td>")..];
    assert!(row.starts_with("<td>Bản vẽ thiết kế xây dựng</td><td>0</td><td>2</td>"));
    // It prints without the site's navigation.
    assert!(slip.body.contains("class=\"toolbar no-print\""));
    assert!(slip.body.contains("href=\"/static/"));

    // The next time, the desk finds the applicant by number within its agency.
    let lookup = desk
        .get(
            &app.router,
            &format!("/can-bo/tiep-nhan?thu-tuc={PROCEDURE}&so={CITIZEN}"),
        )
        .await;
    assert!(lookup.body.contains("value=\"Trần Thị Bình\""));
    assert!(lookup.body.contains("value=\"0987 654 321\""));
    let mut other = signed_in(&app, "son.sxd").await;
    let lookup = other
        .get(
            &app.router,
            &format!("/can-bo/tiep-nhan?thu-tuc={PROCEDURE}&so={CITIZEN}"),
        )
        .await;
    assert!(!lookup.body.contains("Trần Thị Bình"));
    let bad = desk
        .get(
            &app.router,
            &format!("/can-bo/tiep-nhan?thu-tuc={PROCEDURE}&so=12ab"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"so-error\""));

    // Receipt by post is recorded as such.
    let post = intake(&app, &mut desk, &[("channel", "post")]).await;
    assert_eq!(post.status, StatusCode::SEE_OTHER, "{}", post.body);
    let by_post = app
        .services
        .find_dossier(&code_of(post.location()))
        .await
        .unwrap();
    assert_eq!(by_post.submission.channel, Channel::Post);

    // A wrong personal ID names the field, in Vietnamese then English, and keeps the form.
    let wrong = intake(&app, &mut desk, &[("personal_id", "12345")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("Số định danh cá nhân: Cần 12 chữ số"),
        "{}",
        wrong.body
    );
    assert!(
        wrong
            .body
            .contains("Personal identification number: Expected 12 digits")
    );
    assert!(
        wrong
            .body
            .contains("aria-describedby=\"id-hint personal_id-error\" aria-invalid=\"true\"")
    );
    assert!(wrong.body.contains("value=\"Trần Thị Bình\""));
    let none = intake(&app, &mut desk, &[("c0", ""), ("c1", "")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Thành phần hồ sơ: hãy đánh dấu"));
}

async fn incomplete_and_refused_dossiers_get_forms_02_and_03(store: &Store) {
    let app = app(store).await;
    let mut desk = signed_in(&app, "mai.stp").await;
    let missing = intake(&app, &mut desk, &[("action", "guide")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("id=\"reasons-error\""));

    let guided = intake(
        &app,
        &mut desk,
        &[("action", "guide"), ("reasons", "Thiếu bản vẽ mặt bằng")],
    )
    .await;
    assert_eq!(guided.status, StatusCode::SEE_OTHER, "{}", guided.body);
    assert!(guided.location().ends_with("/mau-02"));
    let code = code_of(guided.location());
    let form = desk.get(&app.router, guided.location()).await;
    for text in [
        "Mẫu số 02",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Thiếu bản vẽ mặt bằng",
        "Nguyễn Thị Mai",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    ] {
        assert!(form.body.contains(text), "{text} missing from Form 02");
    }
    // The applicant comes back with what was missing: recorded, then received.
    let page = desk
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    assert!(page.body.contains("1 — Mới đăng ký"));
    assert!(page.body.contains("/da-bo-sung-tiep-nhan\""));
    let done = act(&app, &mut desk, &code, "da-bo-sung-tiep-nhan", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let done = act(&app, &mut desk, &code, "tiep-nhan", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location().ends_with("/mau-01"));

    let refused = intake(
        &app,
        &mut desk,
        &[
            ("action", "refuse"),
            ("reasons", "Không thuộc thẩm quyền của Sở"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER, "{}", refused.body);
    assert!(refused.location().ends_with("/mau-03"));
    let form = desk.get(&app.router, refused.location()).await;
    assert!(
        form.body
            .contains("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
    );
    assert!(form.body.contains("Không thuộc thẩm quyền của Sở"));
    let refused = app
        .services
        .find_dossier(&code_of(refused.location()))
        .await
        .unwrap();
    assert_eq!(refused.status, Status::NotReceived);
    // A refused dossier has no receipt.
    let none = desk
        .get(
            &app.router,
            &format!("/can-bo/ho-so/{}/mau-01", refused.code()),
        )
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);

    // An online dossier waiting for receipt is received from the worklist.
    let online = app
        .services
        .submit_dossier(&Acting::cli("portal"), new_dossier(Channel::Online), false)
        .await
        .unwrap();
    let list = desk.get(&app.router, "/can-bo/ho-so").await;
    assert!(
        list.body
            .contains(&format!("href=\"/can-bo/ho-so/{}\"", online.code()))
    );
    let done = act(&app, &mut desk, online.code(), "tiep-nhan", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let online = app.services.find_dossier(online.code()).await.unwrap();
    assert_eq!(online.status, Status::Received);
}

async fn the_worklist_is_sorted_by_deadline_and_marks_overdue_and_due_soon(store: &Store) {
    let app = app(store).await;
    let normal = received_at(store, vn(2026, 11, 20, 9, 0)).await;
    let overdue = received_at(store, vn(2026, 11, 13, 9, 0)).await;
    let today = received_at(store, vn(2026, 11, 16, 14, 0)).await;
    // Due Wednesday 08:00: two days away, but only 6.5 working hours (Tuesday is off).
    let across = received_at(store, vn(2026, 11, 17, 8, 0)).await;
    let mut desk = signed_in(&app, "mai.stp").await;
    let list = desk.get(&app.router, "/can-bo/ho-so").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let positions: Vec<usize> = [&overdue, &today, &across, &normal]
        .iter()
        .map(|c| at(&list, &format!("href=\"/can-bo/ho-so/{c}\"")))
        .collect();
    assert!(positions.is_sorted(), "{positions:?}");
    assert!(
        list.body.contains("<strong>1</strong> hồ sơ quá hạn"),
        "{}",
        list.body
    );
    assert!(
        list.body
            .contains("<strong>2</strong> hồ sơ đến hạn trong 1 ngày làm việc")
    );
    // Each row says it in words and an icon, not by colour only.
    let row = |code: &DossierCode| {
        let end = at(&list, &format!("href=\"/can-bo/ho-so/{code}\""));
        let start = list.body[..end].rfind("<tr").unwrap();
        let stop = end + list.body[end..].find("</tr>").unwrap();
        list.body[start..stop].to_owned()
    };
    assert!(row(&overdue).starts_with("<tr class=\"overdue\">"));
    assert!(row(&overdue).contains("⚠ Quá hạn"));
    for code in [&today, &across] {
        assert!(
            row(code).starts_with("<tr class=\"due-soon\">"),
            "{}",
            row(code)
        );
        assert!(row(code).contains("⏰ Đến hạn trong 1 ngày làm việc"));
    }
    assert!(row(&normal).starts_with("<tr>"));

    // Filters and a bad one named in both languages.
    let filtered = desk
        .get(&app.router, "/can-bo/ho-so?trang-thai=processed")
        .await;
    assert!(filtered.body.contains("Không có hồ sơ nào phù hợp."));
    let bad = desk
        .get(&app.router, "/can-bo/ho-so?trang-thai=khong-co")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Trạng thái: hãy chọn") && bad.body.contains("Status: choose"));
    // System administrators choose the agency; others see their own.
    assert!(!list.body.contains("id=\"co-quan\""));
    let mut admin = signed_in(&app, "quantri").await;
    let all = admin
        .get(
            &app.router,
            &format!("/can-bo/ho-so?co-quan={OTHER_AGENCY}"),
        )
        .await;
    assert!(all.body.contains("id=\"co-quan\""));
    assert!(all.body.contains("<strong>0</strong>"));
    // Staff of the other agency see none of them.
    let mut other = signed_in(&app, "son.sxd").await;
    let theirs = other.get(&app.router, "/can-bo/ho-so").await;
    assert!(!theirs.body.contains(&overdue.to_string()));
}

async fn a_dossier_goes_through_its_life_cycle_by_the_pages_forms(store: &Store) {
    let app = app(store).await;
    let mut desk = signed_in(&app, "mai.stp").await;
    let mut specialist = signed_in(&app, "lan.stp").await;
    let mut leader = signed_in(&app, "hung.stp").await;
    let lan = app
        .services
        .find_account_by_login("lan.stp")
        .await
        .unwrap()
        .unwrap();
    let hung = app
        .services
        .find_account_by_login("hung.stp")
        .await
        .unwrap()
        .unwrap();
    let code = code_of(intake(&app, &mut desk, &[]).await.location());

    let page = specialist
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    assert!(
        page.body
            .contains(&format!("action=\"/can-bo/ho-so/{code}/chuyen-xu-ly\""))
    );
    assert!(page.body.contains("Lê Thị Lan (Chuyên viên xử lý)"));
    assert!(!page.body.contains("/ket-thuc-xu-ly\""));
    let done = act(
        &app,
        &mut specialist,
        &code,
        "chuyen-xu-ly",
        &[
            ("step", "Thẩm định"),
            ("agency", AGENCY),
            ("assignee", &lan.id),
            ("budget_value", "2"),
            ("budget_unit", "working_days"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("/can-bo/ho-so/{code}?da-luu=1"));
    let bad = act(
        &app,
        &mut specialist,
        &code,
        "chuyen-xu-ly",
        &[
            ("step", "Thẩm định"),
            ("agency", AGENCY),
            ("budget_value", "0"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Thời gian cho bước:"), "{}", bad.body);
    assert!(
        bad.body
            .contains("aria-describedby=\"chuyen-xu-ly-budget-hint chuyen-xu-ly-error\"")
    );

    let done = act(
        &app,
        &mut specialist,
        &code,
        "yeu-cau-bo-sung",
        &[("reasons", "Bổ sung bản vẽ mặt cắt")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = desk
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    assert!(page.body.contains("5 — Yêu cầu bổ sung giấy tờ"));
    assert!(page.body.contains("Chờ bổ sung hồ sơ"));
    assert!(page.body.contains("/mau-02\""));
    let done = act(&app, &mut desk, &code, "nhan-bo-sung", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let done = act(
        &app,
        &mut specialist,
        &code,
        "yeu-cau-nop-phi",
        &[
            ("fee_name_1", "Lệ phí cấp giấy phép"),
            ("fee_amount_1", "150.000"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let done = act(&app, &mut desk, &code, "ghi-nhan-thanh-toan", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let done = act(
        &app,
        &mut specialist,
        &code,
        "chuyen-xu-ly",
        &[
            ("step", "Phê duyệt"),
            ("agency", AGENCY),
            ("assignee", &hung.id),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let refuse = act(
        &app,
        &mut leader,
        &code,
        "ket-thuc-xu-ly",
        &[("decision", "refuse")],
    )
    .await;
    assert_eq!(refuse.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refuse.body.contains("Nội dung, lý do: bắt buộc nhập"));
    let done = act(
        &app,
        &mut leader,
        &code,
        "ket-thuc-xu-ly",
        &[("decision", "approve")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Not issued yet: the desk is told why it cannot return the result.
    let page = desk
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    assert!(page.body.contains("chưa ban hành kết quả nên chưa thể trả"));
    let done = act(
        &app,
        &mut leader,
        &code,
        "ban-hanh-ket-qua",
        &[("result_form", "electronic"), ("number", "125/GPXD")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let done = act(&app, &mut desk, &code, "tra-ket-qua", &[("method", "desk")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let dossier = app.services.find_dossier(&code).await.unwrap();
    assert_eq!(dossier.status, Status::Returned);
    assert_eq!(dossier.payment_due_vnd, Some(150_000));

    // The history names who did what, in which role and agency, through which channel.
    let page = desk
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    assert!(page.body.contains("10 — Đã trả kết quả"));
    assert!(page.body.contains("125/GPXD"));
    let history = &page.body[at(&page, "id=\"sec-history\"")..];
    for text in [
        "Tiếp nhận hồ sơ (Mẫu 01)",
        "Chuyển xử lý",
        "Thẩm định — Sở Tư pháp",
        "Yêu cầu bổ sung hồ sơ",
        "Bổ sung bản vẽ mặt cắt",
        "Lệ phí cấp giấy phép: 150.000 ₫",
        "Kết thúc xử lý",
        "Ban hành kết quả",
        "Trả kết quả",
        "Nguyễn Thị Mai",
        "Lê Thị Lan",
        "Phạm Văn Hùng",
        "Công chức tiếp nhận và trả kết quả",
        "Chuyên viên xử lý",
        "Lãnh đạo phê duyệt",
        "Trực tiếp tại Bộ phận Một cửa",
    ] {
        assert!(history.contains(text), "{text} missing from the history");
    }

    // Form 06: one row per hand-over, each step measured against its own budget.
    let slip = desk
        .get(
            &app.router,
            &format!("/can-bo/ho-so/{code}/phieu-kiem-soat"),
        )
        .await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.body);
    for text in [
        "Mẫu số 06",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "1. Giao: Bộ phận tiếp nhận và trả kết quả (Nguyễn Thị Mai)",
        "Nhận: Thẩm định — Sở Tư pháp (Lê Thị Lan)",
        "2. Giao: Thẩm định — Sở Tư pháp (Lê Thị Lan)",
        "Nhận: Phê duyệt — Sở Tư pháp (Phạm Văn Hùng)",
        "3. Giao: Phê duyệt — Sở Tư pháp (Phạm Văn Hùng)",
        "4. Giao: Bộ phận tiếp nhận và trả kết quả (Nguyễn Thị Mai)",
    ] {
        assert!(slip.body.contains(text), "{text} missing from Form 06");
    }
    // The appraisal step had 2 working days and ended the same day: early.
    let second = &slip.body[at(&slip, "2. Giao:")..];
    let second = &second[..second.find("</tr>").unwrap()];
    assert!(second.contains("Trước hạn"), "{second}");
}

async fn a_stale_version_gets_the_conflict_message(store: &Store) {
    let app = app(store).await;
    let mut desk = signed_in(&app, "mai.stp").await;
    let mut specialist = signed_in(&app, "lan.stp").await;
    let code = code_of(intake(&app, &mut desk, &[]).await.location());
    let page = specialist
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    let (csrf, stale) = (page.csrf(), version(&page));
    let uri = format!("/can-bo/ho-so/{code}/chuyen-xu-ly");
    let transfer = |step| {
        [
            ("csrf", csrf.as_str()),
            ("version", stale.as_str()),
            ("step", step),
            ("agency", AGENCY),
        ]
    };
    let done = specialist
        .post(&app.router, &uri, &transfer("Thẩm định"))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Someone else's change came first: the same version again is stale.
    let conflict = specialist
        .post(&app.router, &uri, &transfer("Phê duyệt"))
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(
        conflict
            .body
            .contains("Hồ sơ đã được người khác cập nhật, hãy tải lại trang")
    );
    assert!(conflict.body.contains("reload the page"));
    // The page shown is the fresh one: its forms carry the new version.
    assert_ne!(version(&conflict), stale);
    // Switching the language there comes back to this address with GET: the dossier page.
    let back = specialist.get(&app.router, &uri).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(back.location(), format!("/can-bo/ho-so/{code}"));
    let dossier = app.services.find_dossier(&code).await.unwrap();
    assert_eq!(dossier.steps.len(), 1);
}

async fn a_desk_officer_cannot_finish_and_other_agencies_see_nothing(store: &Store) {
    let app = app(store).await;
    let mut desk = signed_in(&app, "mai.stp").await;
    let code = code_of(intake(&app, &mut desk, &[]).await.location());
    let page = desk
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    assert!(
        !page.body.contains("/ket-thuc-xu-ly\""),
        "finish is not offered"
    );
    assert!(page.body.contains("/rut-ho-so\""));
    let forged = act(
        &app,
        &mut desk,
        &code,
        "ket-thuc-xu-ly",
        &[("decision", "approve")],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("may not decide dossiers"));
    // Without the session's CSRF token, nothing is even tried.
    let version = version(&page);
    let no_token = desk
        .post(
            &app.router,
            &format!("/can-bo/ho-so/{code}/rut-ho-so"),
            &[("version", version.as_str()), ("reasons", "x")],
        )
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);

    let mut other = signed_in(&app, "son.sxd").await;
    for path in ["", "/mau-01", "/phieu-kiem-soat"] {
        let page = other
            .get(&app.router, &format!("/can-bo/ho-so/{code}{path}"))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("Trần Thị Bình"));
    }
    let page = other.get(&app.router, "/can-bo/ho-so").await;
    let csrf = page.csrf();
    let forged = other
        .post(
            &app.router,
            &format!("/can-bo/ho-so/{code}/rut-ho-so"),
            &[
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("reasons", "x"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    // Unknown codes and actions are pages that do not exist.
    let page = desk.get(&app.router, "/can-bo/ho-so/khong-phai-ma").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // Citizens never reach the back office; anonymous visitors are sent to sign in.
    let mut anonymous = Browser::default();
    let page = anonymous.get(&app.router, "/can-bo/ho-so").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/dang-nhap?next="));

    // The dossier is unchanged by all of this.
    let dossier = app.services.find_dossier(&code).await.unwrap();
    assert_eq!(dossier.status, Status::Received);
}

async fn apology_stop_and_withdrawal_with_their_forms(store: &Store) {
    let app = app(store).await;
    let mut leader = signed_in(&app, "hung.stp").await;
    let mut desk = signed_in(&app, "mai.stp").await;
    // Due today at 14:00: too late for the apology; the engine says why, in both languages.
    let late = received_at(store, vn(2026, 11, 16, 14, 0)).await;
    let page = leader
        .get(&app.router, &format!("/can-bo/ho-so/{late}"))
        .await;
    assert!(page.body.contains("Chưa thực hiện được"));
    let refused = act(
        &app,
        &mut leader,
        &late,
        "gia-han",
        &[
            ("reasons", "Chờ ý kiến cơ quan phối hợp"),
            ("new_due_date", "2026-12-04"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Nghị định 61/2018/NĐ-CP"));
    assert!(
        refused
            .body
            .contains("at least 1 working day(s) before the appointment")
    );

    let code = received_at(store, vn(2026, 11, 20, 9, 0)).await;
    let bad = act(
        &app,
        &mut leader,
        &code,
        "gia-han",
        &[("reasons", "Chờ ý kiến"), ("new_due_date", "04/13/2026")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Ngày hẹn trả mới:"));
    let done = act(
        &app,
        &mut leader,
        &code,
        "gia-han",
        &[
            ("reasons", "Chờ ý kiến cơ quan phối hợp"),
            ("new_due_date", "2026-12-04"),
            ("new_due_time", "16:00"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = leader
        .get(&app.router, &format!("/can-bo/ho-so/{code}"))
        .await;
    assert!(page.body.contains("Hạn tính thống kê (trước gia hạn)"));
    let form = leader
        .get(&app.router, &format!("/can-bo/ho-so/{code}/mau-04"))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for text in [
        "Mẫu số 04",
        "Thông tư số 03/2025/TT-VPCP",
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Chờ ý kiến cơ quan phối hợp",
        "16 giờ 00 phút, ngày 04/12/2026",
        "Phạm Văn Hùng",
    ] {
        assert!(form.body.contains(text), "{text} missing from Form 04");
    }
    let done = act(
        &app,
        &mut leader,
        &code,
        "dung-xu-ly",
        &[("reasons", "Người nộp đã chết, không có người thừa kế")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let form = leader
        .get(&app.router, &format!("/can-bo/ho-so/{code}/mau-05"))
        .await;
    assert!(form.body.contains("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"));
    assert!(form.body.contains("Mẫu số 05"));

    // Withdrawal on the applicant's written request, recorded by the desk.
    let other = received_at(store, vn(2026, 11, 20, 9, 0)).await;
    let missing = act(&app, &mut desk, &other, "rut-ho-so", &[]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = act(
        &app,
        &mut desk,
        &other,
        "rut-ho-so",
        &[("reasons", "Đơn xin rút hồ sơ ngày 23/11/2026")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let other = app.services.find_dossier(&other).await.unwrap();
    assert_eq!(other.status, Status::Withdrawn);
}

async fn pages_render_in_english_after_the_switch(store: &Store) {
    let app = app(store).await;
    let mut desk = signed_in(&app, "mai.stp").await;
    let code = code_of(intake(&app, &mut desk, &[]).await.location());
    let switched = desk
        .get(&app.router, &format!("/lang/en?next=/can-bo/ho-so/{code}"))
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let page = desk.get(&app.router, switched.location()).await;
    assert!(page.body.contains("<html lang=\"en\">"));
    for text in [
        "History of the dossier",
        "2 — Received",
        "Desk officer (intake and results)",
        "Withdraw at the applicant",
        "Receipt and appointment slip (Form 01)",
    ] {
        assert!(page.body.contains(text), "{text} missing in English");
    }
    let list = desk.get(&app.router, "/can-bo/ho-so").await;
    assert!(list.body.contains("Dossiers to handle"));
    let slip = desk
        .get(&app.router, &format!("/can-bo/ho-so/{code}/mau-01"))
        .await;
    assert!(slip.body.contains("RECEIPT AND APPOINTMENT SLIP"));
    assert!(
        slip.body
            .contains("the Vietnamese form is the official one")
    );
    assert!(slip.body.contains("09:00 on 01/12/2026"));
    let intake = desk.get(&app.router, "/can-bo/tiep-nhan").await;
    assert!(intake.body.contains("Receive a dossier"));
    // A wrong field is still named in Vietnamese first, then in English.
    let bad = desk.get(&app.router, "/can-bo/ho-so?trang=0").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Trang: số trang phải là số nguyên từ 1 / Page:")
    );
}

async fn the_dashboard_drills_down_to_the_dossiers_behind_a_figure(store: &Store) {
    let app = app(store).await;
    let normal = received_at(store, vn(2026, 11, 20, 9, 0)).await;
    let overdue = received_at(store, vn(2026, 11, 13, 9, 0)).await;
    let today = received_at(store, vn(2026, 11, 16, 14, 0)).await;
    let mut leader = signed_in(&app, "hung.stp").await;
    let board = leader.get(&app.router, "/can-bo/dieu-hanh").await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    assert_eq!(board.headers.get("cache-control").unwrap(), "no-store");
    let body = &board.body;
    // The leader's own agency, the month in progress: 2 of 3 within time (766 indicator 2.1).
    assert!(body.contains("Sở Tư pháp — Tháng 11/2026"), "{body}");
    assert!(body.contains("<strong>66,67 %</strong> 2.1"), "{body}");
    assert!(
        body.contains("href=\"/can-bo/dieu-hanh\""),
        "the navigation offers it"
    );
    // Alerts: one overdue, one due within a working day, each a link to its dossiers.
    let alert = format!("/can-bo/dieu-hanh/ho-so?co-quan={AGENCY}&#38;canh-bao=qua-han\">1</a>");
    assert!(body.contains(&alert), "{body}");
    assert!(body.contains("canh-bao=sap-den-han\">1</a>"), "{body}");
    assert!(!body.contains("<script"), "works without JavaScript");

    // "Why not 100 %?": the dossiers of the denominator outside the numerator.
    let why = leader
        .get(
            &app.router,
            &format!(
                "/can-bo/dieu-hanh/ho-so?co-quan={AGENCY}&thang=2026-11&chi-so=2.1&phan=chua-dat"
            ),
        )
        .await;
    assert_eq!(why.status, StatusCode::OK, "{}", why.body);
    assert!(
        why.body
            .contains(&format!("href=\"/can-bo/ho-so/{overdue}\""))
    );
    assert!(!why.body.contains(&today.to_string()) && !why.body.contains(&normal.to_string()));
    assert!(
        why.body.contains("<strong>1</strong> hồ sơ"),
        "{}",
        why.body
    );
    let numerator = leader
        .get(
            &app.router,
            &format!(
                "/can-bo/dieu-hanh/ho-so?co-quan={AGENCY}&thang=2026-11&chi-so=2.1&phan=tu-so"
            ),
        )
        .await;
    assert!(
        numerator.body.contains(&today.to_string()) && numerator.body.contains(&normal.to_string())
    );
    assert!(!numerator.body.contains(&overdue.to_string()));
    let alerted = leader
        .get(
            &app.router,
            &format!("/can-bo/dieu-hanh/ho-so?co-quan={AGENCY}&canh-bao=sap-den-han"),
        )
        .await;
    assert!(
        alerted.body.contains(&today.to_string()),
        "{}",
        alerted.body
    );
    assert!(!alerted.body.contains(&overdue.to_string()));

    // Agency → procedures, each figure drillable to its dossiers.
    let agency = leader
        .get(
            &app.router,
            &format!("/can-bo/dieu-hanh/co-quan?co-quan={AGENCY}&thang=2026-11"),
        )
        .await;
    assert_eq!(agency.status, StatusCode::OK, "{}", agency.body);
    assert!(agency.body.contains("1.004873 — Cấp giấy phép xây dựng"));
    assert!(
        agency
            .body
            .contains("&#38;thu-tuc=1.004873&#38;chi-so=2.1&#38;phan=chua-dat")
    );

    // Any period, not only a month: the quarter holds November's dossiers, and every link
    // of its page keeps the quarter down to the dossiers behind a figure.
    let quarter = leader
        .get(&app.router, "/can-bo/dieu-hanh?ky=2026-Q4")
        .await;
    assert_eq!(quarter.status, StatusCode::OK, "{}", quarter.body);
    assert!(
        quarter.body.contains("Sở Tư pháp — Quý IV/2026"),
        "{}",
        quarter.body
    );
    assert!(quarter.body.contains("<strong>66,67 %</strong> 2.1"));
    assert!(
        quarter.body.contains("value=\"2026-Q4\""),
        "the form shows the period"
    );
    assert!(
        quarter
            .body
            .contains("&#38;ky=2026-Q4&#38;chi-so=2.1&#38;phan=chua-dat"),
        "{}",
        quarter.body
    );
    let why = leader
        .get(
            &app.router,
            &format!(
                "/can-bo/dieu-hanh/ho-so?co-quan={AGENCY}&ky=2026-Q4&chi-so=2.1&phan=chua-dat"
            ),
        )
        .await;
    assert!(why.body.contains("Quý IV/2026"), "{}", why.body);
    assert!(
        why.body
            .contains(&format!("href=\"/can-bo/ho-so/{overdue}\""))
    );
    assert!(
        why.body.contains("ky=2026-Q4\""),
        "back to the agency's quarter"
    );

    // The same list as files, every dossier of it, in both languages.
    assert!(
        why.body.contains("/can-bo/dieu-hanh/ho-so.xlsx?co-quan="),
        "{}",
        why.body
    );
    let list = format!("co-quan={AGENCY}&ky=2026-Q4&chi-so=2.1&phan=chua-dat");
    let csv = leader
        .get(&app.router, &format!("/can-bo/dieu-hanh/ho-so.csv?{list}"))
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert_eq!(csv.headers.get("cache-control").unwrap(), "no-store");
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "two header rows and the one dossier: {lines:?}"
    );
    assert!(lines[0].starts_with("Mã hồ sơ,"), "{lines:?}");
    assert!(lines[1].starts_with("Dossier code,"), "{lines:?}");
    assert!(lines[2].starts_with(&overdue.to_string()), "{lines:?}");
    assert!(
        lines[2].ends_with("chỉ ở mẫu số / denominator only"),
        "{lines:?}"
    );
    let xlsx = leader
        .get(&app.router, &format!("/can-bo/dieu-hanh/ho-so.xlsx?{list}"))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let disposition = xlsx.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("quy-iv-2026.xlsx"), "{disposition}");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "Hồ sơ (Dossiers)").unwrap();
    assert_eq!(sheet.height(), 3);
    assert_eq!(
        sheet.get_value((2, 0)).unwrap().to_string(),
        overdue.to_string()
    );
    let bad = leader
        .get(
            &app.router,
            &format!("/can-bo/dieu-hanh/ho-so.csv?co-quan={AGENCY}&chi-so=9.9"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The units may be gathered on the period's map (today's for a month since the merger,
    // so no notice), which the form keeps and the files follow.
    let on_period = leader
        .get(&app.router, "/can-bo/dieu-hanh?ky=2026-Q4&ban-do=ky")
        .await;
    assert_eq!(on_period.status, StatusCode::OK, "{}", on_period.body);
    assert!(
        on_period.body.contains("value=\"ky\" checked")
            && on_period
                .body
                .contains("&#38;ky=2026-Q4&#38;ban-do=ky\" download>xlsx")
            && !on_period.body.contains("class=\"notice\""),
        "{}",
        on_period.body
    );

    // Every table of the dashboard as files too: the agencies and the alerts of the unit,
    // the procedures of an agency, with each ratio's numerator and denominator.
    assert!(
        quarter.body.contains("/can-bo/dieu-hanh/xuat.csv?don-vi="),
        "{}",
        quarter.body
    );
    let fields = |body: &str, row: usize| -> Vec<String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body.trim_start_matches('\u{feff}').as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        records[row].iter().map(str::to_owned).collect()
    };
    let agencies = leader
        .get(
            &app.router,
            "/can-bo/dieu-hanh/xuat.csv?ky=2026-Q4&bang=co-quan",
        )
        .await;
    assert_eq!(agencies.status, StatusCode::OK, "{}", agencies.body);
    assert_eq!(agencies.headers.get("cache-control").unwrap(), "no-store");
    assert_eq!(fields(&agencies.body, 0)[5], "Đúng hạn (766): tử số");
    assert_eq!(fields(&agencies.body, 1)[5], "On time (766): numerator");
    let line = fields(&agencies.body, 2);
    assert_eq!(line[0], AGENCY, "{line:?}");
    assert_eq!(&line[5..8], ["2", "3", "66.67"], "2.1 is 2 of 3: {line:?}");
    let alerts = leader
        .get(
            &app.router,
            "/can-bo/dieu-hanh/xuat.csv?ky=2026-Q4&bang=canh-bao",
        )
        .await;
    let line = fields(&alerts.body, 2);
    assert_eq!(line[0], AGENCY, "{line:?}");
    assert_eq!(
        line[4], "1",
        "one dossier due within a working day: {line:?}"
    );
    let unknown = leader
        .get(&app.router, "/can-bo/dieu-hanh/xuat.csv?bang=thu-tuc")
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("co-quan, canh-bao"),
        "{}",
        unknown.body
    );
    let book = leader
        .get(&app.router, "/can-bo/dieu-hanh/xuat.xlsx?ky=2026-Q4")
        .await;
    assert_eq!(book.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(book.bytes.clone())).unwrap();
    let sheets = calamine::Reader::sheet_names(&book);
    assert_eq!(sheets, ["Cơ quan (Agencies)", "Cảnh báo (Alerts)"]);
    let sheet = calamine::Reader::worksheet_range(&mut book, "Cơ quan (Agencies)").unwrap();
    assert_eq!(sheet.get_value((2, 0)).unwrap().to_string(), AGENCY);
    let rate = sheet.get_value((2, 7)).unwrap().to_string();
    assert!(
        rate.starts_with("0.666"),
        "a fraction formatted as a percentage: {rate}"
    );
    assert!(
        agency
            .body
            .contains(&format!("/can-bo/dieu-hanh/co-quan.csv?co-quan={AGENCY}")),
        "{}",
        agency.body
    );
    let procedures = leader
        .get(
            &app.router,
            &format!("/can-bo/dieu-hanh/co-quan.csv?co-quan={AGENCY}&ky=2026-Q4"),
        )
        .await;
    assert_eq!(procedures.status, StatusCode::OK, "{}", procedures.body);
    let line = fields(&procedures.body, 2);
    assert_eq!(line[0], "1.004873", "{line:?}");
    assert_eq!(line[1], "Cấp giấy phép xây dựng", "{line:?}");
    let procedures = leader
        .get(
            &app.router,
            &format!("/can-bo/dieu-hanh/co-quan.xlsx?co-quan={AGENCY}&ky=2026-Q4"),
        )
        .await;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(procedures.bytes.clone())).unwrap();
    assert_eq!(
        calamine::Reader::sheet_names(&book),
        ["Thủ tục (Procedures)"]
    );
    let sheet = calamine::Reader::worksheet_range(&mut book, "Thủ tục (Procedures)").unwrap();
    assert_eq!(sheet.get_value((2, 0)).unwrap().to_string(), "1.004873");
    // October alone had none of them; a run of months counts both.
    let october = leader
        .get(
            &app.router,
            &format!("/can-bo/dieu-hanh/co-quan?co-quan={AGENCY}&ky=2026-10"),
        )
        .await;
    assert!(october.body.contains("Tháng 10/2026"), "{}", october.body);
    assert!(!october.body.contains("1.004873 — Cấp giấy phép xây dựng"));
    let run = leader
        .get(
            &app.router,
            &format!("/can-bo/dieu-hanh/co-quan?co-quan={AGENCY}&ky=2026-10..2026-11"),
        )
        .await;
    assert!(run.body.contains("Từ 10/2026 đến 11/2026"), "{}", run.body);
    assert!(run.body.contains("1.004873 — Cấp giấy phép xây dựng"));

    // Bad asks are named in both languages; others' statistics are refused.
    for (uri, wanted) in [
        (
            "/can-bo/dieu-hanh?thang=11-2026",
            "the period «11-2026» must read YYYY-MM (month)",
        ),
        (
            "/can-bo/dieu-hanh?ky=2026-Q5",
            "the period «2026-Q5» must read",
        ),
        (
            &*format!("/can-bo/dieu-hanh/ho-so?co-quan={AGENCY}&chi-so=9.9"),
            "not a measure that can be explained",
        ),
        (
            &*format!("/can-bo/dieu-hanh/ho-so?co-quan={AGENCY}&chi-so=2.1&phan=ca"),
            "must be tu-so, mau-so or chua-dat",
        ),
        ("/can-bo/dieu-hanh/co-quan", "the agency code is missing"),
        ("/can-bo/dieu-hanh?ban-do=cu", "the map must be hien-nay"),
    ] {
        let bad = leader.get(&app.router, uri).await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            bad.body
        );
        assert!(bad.body.contains(wanted), "{uri}: {}", bad.body);
    }
    let theirs = leader
        .get(
            &app.router,
            &format!("/can-bo/dieu-hanh?don-vi={OTHER_AGENCY}"),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.body);
    let mut desk = signed_in(&app, "mai.stp").await;
    let refused = desk.get(&app.router, "/can-bo/dieu-hanh").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let worklist = desk.get(&app.router, "/can-bo/ho-so").await;
    assert!(!worklist.body.contains("href=\"/can-bo/dieu-hanh\""));
}

contract_tests!(
    a_desk_officer_receives_a_paper_dossier_and_prints_form_01,
    the_dashboard_drills_down_to_the_dossiers_behind_a_figure,
    incomplete_and_refused_dossiers_get_forms_02_and_03,
    the_worklist_is_sorted_by_deadline_and_marks_overdue_and_due_soon,
    a_dossier_goes_through_its_life_cycle_by_the_pages_forms,
    a_stale_version_gets_the_conflict_message,
    a_desk_officer_cannot_finish_and_other_agencies_see_nothing,
    apology_stop_and_withdrawal_with_their_forms,
    pages_render_in_english_after_the_switch,
);
