//! The main journeys in real headless Chromium, against the application served on a real
//! TCP port: a citizen finds a procedure, submits online (draft, upload, resume), a desk
//! officer receives that dossier and a paper one and prints Form 01, a specialist and a
//! leader take the online dossier to its result, and the citizen tracks it without an
//! account and rates the service; a leader drills down from the dashboard to the dossiers
//! behind a figure and downloads the month's workbook; a certifier makes an electronic
//! certified copy from a scanned original and an anonymous visitor verifies it by the
//! address of its QR code; the province's leader assigns a task, the department reports it
//! done with its evidence, the leader accepts it and sees it on the task figures. Pages are
//! checked in Vietnamese (the default), once in English, without JavaScript (no page
//! carries a script), and at phone width.
//!
//! `tests/portal.rs` and `tests/office.rs` check the same pages over in-process HTTP in
//! detail; these tests check that a browser can walk them: the forms post what the
//! handlers expect, the links lead where the next step is, uploads go through a file input.
//! They need Debian's `chromium` and `chromium-driver` (see `driver`); they never skip.
//! SQLite only: the pages are the same on both backends, which the HTTP suites cover.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

#[path = "../common/mod.rs"]
mod common;
mod driver;

use std::path::{Path, PathBuf};

use common::{CITIZEN_A, CITIZEN_B, KINH_BAC, PDF, PORTAL_PASSWORD, Portal, TempDir, portal};
use driver::{DESKTOP, PHONE, Tab, in_chromium};
use motcua_domain::dossier::{Rating, Status};
use motcua_domain::event::{Channel, Role};
use motcua_service::accounts::{NewAccount, Password};
use motcua_service::{Acting, Services};
use motcua_test_support::TestDb;
use serde_json::json;

/// The ward's desk officer.
const DESK: &str = "motcua.kinhbac";
/// The ward's specialist.
const SPECIALIST: &str = "chuyenvien.kinhbac";
/// The ward's leader.
const LEADER: &str = "lanhdao.kinhbac";

/// The portal's fixture with a desk officer, a specialist and a leader at the People's
/// Committee of phường Kinh Bắc, where marriages are registered.
async fn ward_portal(db: &TestDb) -> Portal {
    let portal = portal(&db.store).await;
    for (login, name, role) in [
        (DESK, "Ngô Thị Hoa", Role::DeskOfficer),
        (SPECIALIST, "Đinh Văn Nam", Role::Specialist),
        (LEADER, "Hoàng Minh Tuấn", Role::Leader),
    ] {
        portal
            .app
            .services
            .create_account(
                &Acting::cli("test"),
                NewAccount::Staff {
                    login: login.into(),
                    name: name.into(),
                    phone: None,
                    role,
                    agency: Some(KINH_BAC.into()),
                    unit: None,
                    password: Password::new(PORTAL_PASSWORD),
                },
            )
            .await
            .unwrap();
    }
    portal
}

/// Serves the application on a free local port for the rest of the test; returns its
/// address.
async fn serve(portal: &Portal) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let base = format!("http://{address}");
    // QR codes point to this server.
    let mut state = portal.app.state.clone();
    state.services = state.services.clone().with_public_url(&base);
    tokio::spawn(motcua_web::serve(listener, state, std::future::pending()));
    base
}

/// Signs in through the form, from whatever page the browser shows.
async fn sign_in(tab: &Tab, login: &str) {
    tab.forget().await;
    tab.open("/dang-nhap").await;
    tab.fill("login", login).await;
    tab.fill("password", PORTAL_PASSWORD).await;
    tab.press("Đăng nhập").await;
    tab.expect("Đăng xuất").await;
}

/// A dossier the citizen submitted: its code and the receipt's lookup secret.
struct Submitted {
    code: String,
    secret: String,
}

/// Journey 1: the citizen signs in, finds marriage registration by typing without
/// diacritics, starts an online submission, attaches a PDF, saves a draft, resumes it from
/// the drafts list and submits it; the receipt gives the dossier code and lookup secret.
async fn citizen_submits_online(tab: &Tab, pdf: &Path) -> Submitted {
    tab.forget().await;
    tab.open("/").await;
    assert_eq!(
        tab.run("return document.documentElement.lang;").await,
        json!("vi"),
        "Vietnamese by default"
    );
    tab.follow("Đăng nhập").await;
    tab.fill("login", CITIZEN_A).await;
    tab.fill("password", PORTAL_PASSWORD).await;
    tab.press("Đăng nhập").await;
    tab.expect("Trần Thị Bình").await;

    // "ket hon" finds "kết hôn".
    tab.open("/").await;
    tab.fill("q", "ket hon").await;
    tab.press("Tìm kiếm").await;
    assert_eq!(tab.heading().await, "Tìm thủ tục hành chính");
    tab.expect("1.000894").await;
    tab.follow("Thủ tục đăng ký kết hôn").await;
    assert_eq!(tab.heading().await, "Thủ tục đăng ký kết hôn");
    tab.follow("Nộp hồ sơ trực tuyến").await;
    assert_eq!(tab.heading().await, "Nộp hồ sơ trực tuyến");

    // The account's details are filled in; the citizen completes the rest.
    assert_eq!(tab.value("name").await, "Trần Thị Bình");
    assert_eq!(tab.value("phone").await, "0912345678");
    tab.fill("address", "Số 5 Nguyễn Trãi, phường Kinh Bắc")
        .await;
    tab.choose("agency", "Ủy ban nhân dân phường Kinh Bắc")
        .await;
    tab.attach("file-0", pdf).await;
    tab.press("Lưu nháp").await;
    tab.expect("Đã lưu bản nháp.").await;
    tab.expect("Đã tải lên: giay-xac-nhan-tinh-trang-hon-nhan.pdf")
        .await;

    // Later: back from the drafts list, everything kept.
    tab.open("/").await;
    tab.follow("Thủ tục hành chính").await;
    tab.follow("Bản nháp").await;
    tab.expect("Thủ tục đăng ký kết hôn").await;
    tab.follow("Tiếp tục").await;
    assert_eq!(
        tab.value("address").await,
        "Số 5 Nguyễn Trãi, phường Kinh Bắc"
    );
    assert_eq!(tab.value("agency").await, KINH_BAC);
    tab.expect("Đã tải lên: giay-xac-nhan-tinh-trang-hon-nhan.pdf")
        .await;
    tab.press("Nộp hồ sơ").await;

    tab.expect("Đã nộp hồ sơ.").await;
    assert_eq!(tab.heading().await, "Giấy biên nhận hồ sơ trực tuyến");
    let code = tab.text_of(".receipt-code strong").await;
    let secret = tab.text_of(".secret strong").await;
    assert!(code.starts_with(&format!("{KINH_BAC}-261123-")), "{code}");
    assert_eq!(secret.len(), 8, "{secret}");
    tab.expect("Ngày hẹn trả được báo khi cơ quan tiếp nhận hồ sơ hợp lệ.")
        .await;
    tab.press("Đăng xuất").await;
    tab.expect_no("Trần Thị Bình").await;
    Submitted { code, secret }
}

/// Asserts the page links the A4 print stylesheet: a loaded sheet with an `@page` rule of
/// size A4 inside `@media print`, and a print rule hiding what is not printed.
async fn expect_a4_print_stylesheet(tab: &Tab) {
    let found = tab
        .run(
            r#"
            let a4 = false, hides = false;
            for (const sheet of document.styleSheets) {
              for (const rule of sheet.cssRules) {
                if (!(rule instanceof CSSMediaRule) || rule.media.mediaText !== "print") continue;
                for (const inner of rule.cssRules) {
                  if (inner instanceof CSSPageRule && inner.style.getPropertyValue("size").toLowerCase() === "a4") a4 = true;
                  if (inner.selectorText && inner.selectorText.includes(".no-print")
                      && inner.style.getPropertyValue("display") === "none") hides = true;
                }
              }
            }
            return [a4, hides];
            "#,
        )
        .await;
    assert_eq!(
        found,
        json!([true, true]),
        "A4 print stylesheet on {}",
        tab.path().await
    );
}

/// Journey 2: the ward's desk officer receives the online dossier from the worklist, then
/// a paper dossier at the desk (procedure search, applicant, ticked components), and gets
/// Form 01 with the code and the appointment date, ready to print on A4. Returns the paper
/// dossier's code.
async fn desk_receives(tab: &Tab, online: &str) -> String {
    sign_in(tab, DESK).await;
    tab.open("/can-bo/ho-so").await;
    tab.follow(online).await;
    tab.expect("1 — Mới đăng ký").await;
    tab.submit("#act-tiep-nhan button[type=submit]").await;
    tab.expect("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ").await;
    assert_eq!(tab.text_of(".form-code strong").await, online);
    tab.follow("← Về trang hồ sơ").await;
    tab.expect("2 — Được tiếp nhận").await;

    // A paper dossier: find the procedure without diacritics, tick what was handed in.
    tab.follow("Tiếp nhận hồ sơ").await;
    tab.fill("q", "hoa giai vien").await;
    tab.press("Tìm").await;
    tab.follow("1.002211 — Thủ tục công nhận hòa giải viên (cấp xã)")
        .await;
    tab.fill("personal_id", CITIZEN_B).await;
    tab.fill("name", "Lê Văn Cường").await;
    tab.fill("phone", "0987 654 321").await;
    tab.fill("address", "Thôn Đông, phường Kinh Bắc").await;
    tab.tick("#c0").await;
    tab.tick("#c1").await;
    tab.press("Tiếp nhận và in giấy hẹn (Mẫu 01)").await;

    for text in [
        "Mẫu số 01",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Lê Văn Cường",
        "Thủ tục công nhận hòa giải viên (cấp xã)",
        // Received Monday 09:00; 5 working days skip Tuesday 24/11 (a day off).
        "09 giờ 00 phút, ngày 23/11/2026",
        "09 giờ 00 phút, ngày 01/12/2026",
        "Ngô Thị Hoa",
    ] {
        tab.expect(text).await;
    }
    let paper = tab.text_of(".form-code strong").await;
    assert!(paper.starts_with(&format!("{KINH_BAC}-261123-")), "{paper}");
    assert_ne!(paper, online);
    expect_a4_print_stylesheet(tab).await;
    paper
}

/// Journey 3: the specialist takes the dossier for appraisal and passes it to the leader,
/// who approves and issues the result; the desk returns it online. Each step through the
/// forms of the dossier's page.
async fn back_office_to_result(tab: &Tab, code: &str) {
    let page = format!("/can-bo/ho-so/{code}");
    sign_in(tab, SPECIALIST).await;
    tab.open(&page).await;
    tab.fill("chuyen-xu-ly-step", "Thẩm định").await;
    tab.choose("chuyen-xu-ly-assignee", "Đinh Văn Nam (Chuyên viên xử lý)")
        .await;
    tab.fill("chuyen-xu-ly-budget", "2").await;
    tab.submit("#act-chuyen-xu-ly button[type=submit]").await;
    tab.expect("Đã ghi nhận.").await;
    tab.fill("chuyen-xu-ly-step", "Phê duyệt").await;
    tab.choose(
        "chuyen-xu-ly-assignee",
        "Hoàng Minh Tuấn (Lãnh đạo phê duyệt)",
    )
    .await;
    tab.submit("#act-chuyen-xu-ly button[type=submit]").await;
    tab.expect("Đã ghi nhận.").await;

    sign_in(tab, LEADER).await;
    tab.open(&page).await;
    tab.tick("#decision-approve").await;
    tab.submit("#act-ket-thuc-xu-ly button[type=submit]").await;
    tab.expect("Đã ghi nhận.").await;
    tab.tick("#result_form-electronic").await;
    tab.fill("ban-hanh-ket-qua-number", "15/GCNKH").await;
    tab.submit("#act-ban-hanh-ket-qua button[type=submit]")
        .await;
    tab.expect("Đã ghi nhận.").await;

    sign_in(tab, DESK).await;
    tab.open(&page).await;
    tab.tick("#method-online").await;
    tab.submit("#act-tra-ket-qua button[type=submit]").await;
    tab.expect("10 — Đã trả kết quả").await;
    let history = tab.text_of("#sec-history + div").await;
    for text in [
        "Thẩm định",
        "Phê duyệt",
        "Ban hành kết quả",
        "Trả kết quả",
        "Ngô Thị Hoa",
        "Đinh Văn Nam",
        "Hoàng Minh Tuấn",
    ] {
        assert!(
            history.contains(text),
            "{text} missing from the history:\n{history}"
        );
    }
}

/// Journey 4: without an account, the citizen tracks the dossier by code and phone number,
/// sees the result returned and rates the service; then by code and lookup secret sees the
/// rating kept. One look at the tracking page in English.
async fn citizen_tracks_and_rates(tab: &Tab, dossier: &Submitted) {
    tab.forget().await;
    tab.open("/").await;
    tab.follow("Tra cứu hồ sơ").await;
    assert_eq!(tab.heading().await, "Tra cứu hồ sơ");
    tab.fill("ma", &dossier.code).await;
    tab.fill("xac_minh", "0912 345 678").await;
    tab.press("Tra cứu").await;
    tab.expect(&format!("Hồ sơ {}", dossier.code)).await;
    tab.expect("10 — Đã trả kết quả").await;
    tab.expect("T*** T*** B***").await;
    tab.expect_no("Trần Thị Bình").await;
    tab.tick("#muc-satisfied").await;
    tab.press("Gửi đánh giá").await;
    tab.expect("Cảm ơn bạn đã đánh giá.").await;

    tab.fill("ma", &dossier.code).await;
    tab.fill("xac_minh", &dossier.secret.to_lowercase()).await;
    tab.press("Tra cứu").await;
    tab.expect("10 — Đã trả kết quả").await;
    tab.expect("Hài lòng").await;
    tab.expect_no("Gửi đánh giá").await;

    // The same page in English, and back. This page was posted from the rating's answer
    // (at `/tra-cuu/danh-gia`, a POST address): the switch must not lead to a 405.
    tab.follow("English").await;
    assert_eq!(tab.heading().await, "Track a dossier");
    assert_eq!(
        tab.run("return document.documentElement.lang;").await,
        json!("en")
    );
    tab.follow("Tiếng Việt").await;
    assert_eq!(tab.heading().await, "Tra cứu hồ sơ");
}

/// What the journeys leave in the store, checked behind the pages' backs.
async fn expect_recorded(services: &Services, online: &Submitted, paper: &str) {
    let online = services
        .find_dossier(&online.code.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(online.status, Status::Returned);
    assert_eq!(online.submission.channel, Channel::Online);
    assert_eq!(online.rating, Some(Rating::Satisfied));
    assert!(
        online.submission.components.iter().any(|c| c.has_file),
        "the uploaded PDF is part of the dossier"
    );
    let paper = services
        .find_dossier(&paper.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(paper.status, Status::Received);
    assert_eq!(paper.submission.channel, Channel::Desk);
    assert_eq!(paper.submission.components.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_goes_from_search_to_a_rated_result_in_chromium() {
    let db = TestDb::sqlite().await;
    let portal = ward_portal(&db).await;
    let base = serve(&portal).await;
    let uploads = TempDir::new("motcua-browser-upload");
    let pdf: PathBuf = uploads.0.join("giay-xac-nhan-tinh-trang-hon-nhan.pdf");
    std::fs::write(&pdf, PDF).unwrap();
    let services = portal.app.services.clone();
    in_chromium("journeys", &base, DESKTOP, move |tab| async move {
        let online = citizen_submits_online(&tab, &pdf).await;
        let paper = desk_receives(&tab, &online.code).await;
        back_office_to_result(&tab, &online.code).await;
        citizen_tracks_and_rates(&tab, &online).await;
        expect_recorded(&services, &online, &paper).await;
    })
    .await;
    drop(portal);
    db.cleanup().await;
}

/// The ward's leader opens the dashboard, drills down from a figure to the dossiers behind
/// it and on to one of them, then downloads the month's results as a workbook and opens it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_drills_down_from_the_dashboard_and_downloads_the_workbook_in_chromium() {
    use calamine::{Reader, Xlsx};

    let db = TestDb::sqlite().await;
    let portal = ward_portal(&db).await;
    let base = serve(&portal).await;
    let code = desk_dossier(&portal.app.services).await;
    in_chromium("dashboard", &base, DESKTOP, move |tab| async move {
        sign_in(&tab, LEADER).await;
        tab.open("/can-bo/ho-so").await;
        tab.follow("Điều hành").await;
        tab.expect("Bảng điều hành").await;
        tab.expect("Ủy ban nhân dân phường Kinh Bắc — Tháng 11/2026")
            .await;
        // 4.2: the dossiers received, in the denominator; none digitized.
        tab.click("a[href*='chi-so=4.2'][href*='phan=mau-so']")
            .await;
        tab.expect("hồ sơ ở mẫu số").await;
        tab.expect(&code).await;
        tab.follow(&code).await;
        assert_eq!(tab.path().await, format!("/can-bo/ho-so/{code}"));
        tab.open("/can-bo/dieu-hanh").await;
        tab.follow("Trang công khai kết quả").await;
        let file = tab
            .download("a[href^='/dieu-hanh/xuat.xlsx']", "xlsx")
            .await;
        let mut book: Xlsx<_> = calamine::open_workbook(&file).unwrap();
        assert!(book.sheet_names().len() >= 4, "{:?}", book.sheet_names());
        let first = book.sheet_names()[0].clone();
        let sheet = book.worksheet_range(&first).unwrap();
        // The one dossier of the month: its procedure has no time limit, counted apart.
        let row = |key: &str| {
            sheet
                .rows()
                .find(|r| r.first().is_some_and(|c| *c == key))
                .map(|r| r.iter().map(ToString::to_string).collect::<Vec<_>>())
                .unwrap_or_else(|| panic!("no row {key} in {first}"))
        };
        assert_eq!(row("unclassified")[3], "1");
        assert_eq!(row("received")[3], "0");
    })
    .await;
    drop(portal);
    db.cleanup().await;
}

/// A paper dossier received at the ward's desk through the services; returns its code.
async fn desk_dossier(services: &Services) -> String {
    let acting = Acting::cli("desk");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let procedure = services
        .procedure("1.000894", today)
        .await
        .unwrap()
        .unwrap();
    let dossier = services
        .submit_dossier(
            &acting,
            motcua_service::dossiers::NewDossier {
                agency: common::KINH_BAC.into(),
                procedure: motcua_service::office::procedure_ref(&procedure),
                applicant: motcua_domain::dossier::Applicant {
                    id: motcua_domain::dossier::ApplicantId::Person(CITIZEN_B.parse().unwrap()),
                    name: "Lê Văn Cường".into(),
                    phone: Some("0912000111".into()),
                    email: None,
                    address: None,
                },
                channel: Channel::Desk,
                components: Vec::new(),
                eid_verified: false,
            },
            true,
        )
        .await
        .unwrap();
    dossier.code().to_string()
}

/// Journey of a certified copy: the ward's desk scans a citizen's paper original into a
/// dossier of `2.000815`, the leader certifies the electronic copy from the dossier's page and
/// downloads it; an anonymous visitor opens the address its QR code holds and sees it genuine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certifier_makes_a_certified_copy_and_a_visitor_verifies_it_in_chromium() {
    let db = TestDb::sqlite().await;
    let portal = ward_portal(&db).await;
    let base = serve(&portal).await;
    let uploads = TempDir::new("motcua-browser-scan");
    let scan: PathBuf = uploads.0.join("giay-khai-sinh.png");
    std::fs::write(&scan, motcua_test_support::scan_png()).unwrap();
    let services = portal.app.services.clone();
    let origin = base.clone();
    in_chromium("certified-copy", &base, DESKTOP, move |tab| async move {
        sign_in(&tab, DESK).await;
        tab.open("/can-bo/tiep-nhan?thu-tuc=2.000815").await;
        tab.fill("personal_id", CITIZEN_A).await;
        tab.fill("name", "Trần Thị Bình").await;
        tab.tick("#c0").await;
        tab.attach("c0-f", &scan).await;
        tab.press("Tiếp nhận và in giấy hẹn (Mẫu 01)").await;
        tab.expect("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ").await;
        let code = tab.text_of(".form-code strong").await;

        sign_in(&tab, LEADER).await;
        tab.open(&format!("/can-bo/ho-so/{code}")).await;
        tab.expect("giay-khai-sinh.png").await;
        tab.fill("certify-original", "Giấy khai sinh").await;
        tab.press("Chứng thực và ký số").await;
        tab.expect("Đã ghi nhận.").await;
        tab.expect("Số chứng thực: 1, quyển số 01/2026-SCT/BSĐT")
            .await;
        let pdf = tab.download("ul.documents a[download]", "pdf").await;
        let text = std::process::Command::new("pdftotext")
            .args([pdf.to_str().unwrap(), "-"])
            .output()
            .expect("pdftotext (poppler-utils) must be installed");
        let text = String::from_utf8_lossy(&text.stdout).into_owned();
        assert!(
            text.contains("Chứng thực bản sao đúng với bản chính."),
            "{text}"
        );
        let docs = services
            .dossier_documents(&Acting::cli("test"), &code.parse().unwrap())
            .await
            .unwrap();
        // The address the QR code holds is printed beside it: this server's.
        let verification = format!("{origin}/xac-minh/{}", docs[0].issue.code);
        assert!(
            text.contains(&verification),
            "{verification} not in: {text}"
        );

        // Anyone: no account, the QR code's address.
        tab.forget().await;
        tab.open(verification.trim_start_matches(&origin)).await;
        tab.expect("Tài liệu hợp lệ").await;
        tab.expect("Bản sao điện tử được chứng thực từ bản chính")
            .await;
        tab.expect_no("Trần Thị Bình").await;
    })
    .await;
    drop(portal);
    db.cleanup().await;
}

/// The province's leader assigns a task to the Department of Justice from the assignment
/// form; the department's leader finds it in the inbox and reports it done with a file; the
/// province's leader accepts it, and the month's task figures count it done on time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_assigns_a_task_and_a_department_reports_it_done_in_chromium() {
    let db = TestDb::sqlite().await;
    let portal = portal(&db.store).await;
    let admin = Acting::cli("test");
    let s = &portal.app.services;
    common::register_province_committee(s).await;
    s.create_account(
        &admin,
        NewAccount::Staff {
            login: "lanhdao.ubnd".into(),
            name: "Nguyễn Hữu Thành".into(),
            phone: None,
            role: Role::Leader,
            agency: Some("000.00.00.H05".into()),
            unit: None,
            password: Password::new(PORTAL_PASSWORD),
        },
    )
    .await
    .unwrap();
    let base = serve(&portal).await;
    let uploads = TempDir::new("motcua-browser-evidence");
    let evidence: PathBuf = uploads.0.join("bao-cao-ket-qua.pdf");
    std::fs::write(&evidence, PDF).unwrap();
    in_chromium("tasks", &base, DESKTOP, move |tab| async move {
        sign_in(&tab, "lanhdao.ubnd").await;
        tab.open("/can-bo/ho-so").await;
        tab.follow("Nhiệm vụ").await;
        tab.follow("Giao nhiệm vụ").await;
        assert_eq!(tab.heading().await, "Giao nhiệm vụ");
        tab.fill("title", "Số hóa sổ hộ tịch lưu trữ").await;
        tab.fill(
            "content",
            "Số hóa toàn bộ sổ hộ tịch, cập nhật cơ sở dữ liệu",
        )
        .await;
        tab.choose("lead", "Sở Tư pháp tỉnh Bắc Ninh (000.00.10.H05)")
            .await;
        // The date picker is the browser's own widget: its value is set as it would set it.
        tab.run("document.getElementById('deadline').value = '2026-12-15'; return null;")
            .await;
        tab.press("Giao nhiệm vụ").await;
        tab.expect("Đã lưu.").await;
        assert_eq!(tab.heading().await, "Nhiệm vụ NV-2026-00001");
        tab.expect("Chưa hoàn thành, trong hạn").await;

        sign_in(&tab, "lanhdao.stp").await;
        tab.open("/can-bo/nhiem-vu").await;
        tab.expect("Số hóa sổ hộ tịch lưu trữ").await;
        tab.follow("NV-2026-00001").await;
        tab.fill("completion-text", "Đã số hóa 1.250 sổ hộ tịch")
            .await;
        tab.attach("completion-file", &evidence).await;
        tab.press("Báo cáo hoàn thành").await;
        tab.expect("Đã lưu.").await;
        tab.expect("Chờ đơn vị giao xem xét").await;
        tab.expect("bao-cao-ket-qua.pdf").await;

        sign_in(&tab, "lanhdao.ubnd").await;
        tab.open("/can-bo/nhiem-vu?xem=assigned&cho-quyet-dinh=1")
            .await;
        tab.follow("NV-2026-00001").await;
        tab.tick("#accepted-yes").await;
        tab.press("Ghi nhận quyết định").await;
        tab.expect("Hoàn thành đúng hạn").await;
        tab.follow("Số liệu nhiệm vụ").await;
        tab.expect("Số liệu thực hiện nhiệm vụ").await;
        tab.expect("Sở Tư pháp tỉnh Bắc Ninh").await;
        tab.expect("100,00 %").await;
    })
    .await;
    drop(portal);
    db.cleanup().await;
}

/// Public pages at 390 CSS pixels, a common phone width: nothing wider than the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_fits_a_phone_screen_in_chromium() {
    let db = TestDb::sqlite().await;
    let portal = portal(&db.store).await;
    let base = serve(&portal).await;
    in_chromium("phone", &base, PHONE, |tab| async move {
        for path in [
            "/",
            "/thu-tuc?q=ket+hon",
            "/thu-tuc/1.000894",
            "/tra-cuu",
            "/dang-nhap",
            "/phan-anh",
        ] {
            tab.open(path).await;
            let widths = tab
                .run(
                    "return [window.innerWidth, document.documentElement.scrollWidth, \
                     document.documentElement.clientWidth];",
                )
                .await;
            let widths: Vec<u64> = serde_json::from_value(widths).unwrap();
            assert_eq!(widths[0], 390, "the window is phone-sized");
            assert!(
                widths[1] <= widths[2],
                "{path} scrolls sideways at 390 px: content {} px wide, screen {} px",
                widths[1],
                widths[2]
            );
        }
    })
    .await;
    drop(portal);
    db.cleanup().await;
}
