//! Steering over in-process HTTP (issue 7), on SQLite and on PostgreSQL: a meeting and its
//! conclusion recorded from the pages, a task assigned from the conclusion and split to a
//! commune, progress with a file, completion reported and accepted, the figures and their
//! workbook, the public results of a public plan, the reminders' subscriptions page, and
//! who sees nothing.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use axum::http::StatusCode;
use common::{
    Browser, FINANCE, JUSTICE, KINH_BAC, PDF, PORTAL_PASSWORD, Page, Part, Portal, portal,
};
use motcua_domain::event::Role;
use motcua_service::Acting;
use motcua_service::accounts::{NewAccount, Password};
use motcua_storage::Store;
use motcua_test_support::contract_tests;

const COMMITTEE: &str = common::PROVINCE_COMMITTEE;

/// The portal's fixture with the province's People's Committee and the staff steering needs.
async fn fixture(store: &Store) -> Portal {
    let p = portal(store).await;
    let s = &p.app.services;
    let admin = Acting::cli("test");
    common::register_province_committee(s).await;
    for (login, role, agency) in [
        ("lanhdao.ubnd", Role::Leader, COMMITTEE),
        ("chuyenvien.ubnd", Role::Specialist, COMMITTEE),
        ("chuyenvien.stp", Role::Specialist, JUSTICE),
        ("chuyenvien.kb", Role::Specialist, KINH_BAC),
        ("quantri.stp", Role::AgencyAdmin, JUSTICE),
    ] {
        s.create_account(
            &admin,
            NewAccount::Staff {
                login: login.into(),
                name: format!("Cán bộ {login}"),
                phone: None,
                role,
                agency: Some(agency.into()),
                unit: None,
                password: Password::new(PORTAL_PASSWORD),
            },
        )
        .await
        .unwrap();
    }
    p
}

async fn signed_in(p: &Portal, login: &str) -> Browser {
    let mut browser = Browser::default();
    let done = browser.sign_in(&p.app.router, login, PORTAL_PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    browser
}

/// The version the first form of a task page carries.
fn version(page: &Page) -> String {
    let start = page.body.find("name=\"version\" value=\"").unwrap() + 22;
    page.body[start..].split('"').next().unwrap().to_owned()
}

fn assert_has(page: &Page, needle: &str) {
    assert!(
        page.body.contains(needle),
        "{needle} not in the page ({}): {}",
        page.status,
        &page.body[..page.body.len().min(3000)]
    );
}

/// Records a meeting and its conclusion through the pages; the conclusion's id.
async fn meeting_and_conclusion(p: &Portal, office: &mut Browser) -> String {
    let app = &p.app.router;
    let list = office.get(app, "/can-bo/hop").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let form = office.get(app, "/can-bo/hop/moi").await;
    let csrf = form.csrf();
    let missing = office
        .post(
            app,
            "/can-bo/hop/moi",
            &[
                ("csrf", &csrf),
                ("title", "Phiên họp"),
                ("body", "Ban Chỉ đạo"),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_has(&missing, "date:");
    let done = office
        .post(
            app,
            "/can-bo/hop/moi",
            &[
                ("csrf", &csrf),
                ("body", "Ban Chỉ đạo cải cách hành chính tỉnh"),
                ("title", "Phiên họp tháng 11/2026"),
                ("date", "2026-11-23"),
                ("chair", "Chủ tịch UBND tỉnh"),
                ("participants", JUSTICE),
                ("participants", KINH_BAC),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/can-bo/hop/HOP-2026-0001");
    let meeting = office.get(app, done.location()).await;
    assert_has(&meeting, "Phiên họp tháng 11/2026");
    let document = office
        .post(
            app,
            "/can-bo/van-ban/moi",
            &[
                ("csrf", &csrf),
                ("kind", "conclusion"),
                ("number", "125/TB-UBND"),
                ("date", "2026-11-23"),
                ("issuer", "Ủy ban nhân dân tỉnh Bắc Ninh"),
                ("title", "Kết luận phiên họp tháng 11/2026"),
                ("meeting", "HOP-2026-0001"),
            ],
        )
        .await;
    assert_eq!(document.status, StatusCode::SEE_OTHER, "{}", document.body);
    document
        .location()
        .trim_start_matches("/can-bo/van-ban/")
        .to_owned()
}

async fn a_conclusion_s_task_goes_down_two_levels_and_is_done_from_the_pages(store: &Store) {
    let p = fixture(store).await;
    let app = &p.app.router;
    let mut office = signed_in(&p, "chuyenvien.ubnd").await;
    let conclusion = meeting_and_conclusion(&p, &mut office).await;

    // The leader assigns a task from the conclusion.
    let mut leader = signed_in(&p, "lanhdao.ubnd").await;
    let form = leader
        .get(app, &format!("/can-bo/nhiem-vu/giao?van-ban={conclusion}"))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.csrf();
    let no_lead = leader
        .post(
            app,
            "/can-bo/nhiem-vu/giao",
            &[
                ("csrf", &csrf),
                ("title", "Số hóa sổ hộ tịch"),
                ("deadline", "2026-12-15"),
                ("priority", "high"),
            ],
        )
        .await;
    assert_eq!(no_lead.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_has(&no_lead, "lead:");
    let assigned = leader
        .post(
            app,
            "/can-bo/nhiem-vu/giao",
            &[
                ("csrf", &csrf),
                ("title", "Số hóa sổ hộ tịch lưu trữ"),
                ("content", "Số hóa và cập nhật cơ sở dữ liệu hộ tịch"),
                ("lead", JUSTICE),
                ("deadline", "2026-12-15"),
                ("priority", "high"),
                ("output", "Báo cáo kết quả"),
                ("source", &conclusion),
            ],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    assert_eq!(
        assigned.location(),
        "/can-bo/nhiem-vu/NV-2026-00001?da-luu=1"
    );

    // The department sees it in its inbox and splits it to a commune.
    let mut department = signed_in(&p, "lanhdao.stp").await;
    let inbox = department.get(app, "/can-bo/nhiem-vu").await;
    assert_has(&inbox, "NV-2026-00001");
    let split = department
        .get(app, "/can-bo/nhiem-vu/giao?cha=NV-2026-00001")
        .await;
    assert_has(&split, "NV-2026-00001");
    let sub = department
        .post(
            app,
            "/can-bo/nhiem-vu/giao",
            &[
                ("csrf", &split.csrf()),
                ("title", "Số hóa sổ hộ tịch tại phường"),
                ("lead", KINH_BAC),
                ("deadline", "2026-12-10"),
                ("priority", "normal"),
                ("parent", "NV-2026-00001"),
            ],
        )
        .await;
    assert_eq!(sub.status, StatusCode::SEE_OTHER, "{}", sub.body);
    assert_eq!(sub.location(), "/can-bo/nhiem-vu/NV-2026-00002?da-luu=1");

    // The commune reports progress with a file, then completion.
    let mut commune = signed_in(&p, "chuyenvien.kb").await;
    let page = commune.get(app, "/can-bo/nhiem-vu/NV-2026-00002").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    let progressed = commune
        .post_multipart(
            app,
            "/can-bo/nhiem-vu/NV-2026-00002/tien-do",
            &[
                Part::Text("csrf", &csrf),
                Part::Text("version", &version(&page)),
                Part::Text("percent", "50"),
                Part::Text("text", "Đã số hóa 120 sổ"),
                Part::File("tep1", "bao-cao.pdf", PDF),
            ],
        )
        .await;
    assert_eq!(
        progressed.status,
        StatusCode::SEE_OTHER,
        "{}",
        progressed.body
    );
    let page = commune.get(app, "/can-bo/nhiem-vu/NV-2026-00002").await;
    assert_has(&page, "Đã số hóa 120 sổ");
    let start = page
        .body
        .find("/can-bo/nhiem-vu/NV-2026-00002/tep/")
        .unwrap();
    let href = page.body[start..].split('"').next().unwrap().to_owned();
    let file = commune.get(app, &href).await;
    assert_eq!((file.status, file.bytes.as_slice()), (StatusCode::OK, PDF));
    // The parent shows the sub-task's progress.
    let parent = department.get(app, "/can-bo/nhiem-vu/NV-2026-00001").await;
    assert_has(&parent, "50 %");
    let done = commune
        .post_multipart(
            app,
            "/can-bo/nhiem-vu/NV-2026-00002/hoan-thanh",
            &[
                Part::Text("csrf", &csrf),
                Part::Text("version", &version(&page)),
                Part::Text("text", "Đã số hóa toàn bộ"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // A stale version gets the conflict message.
    let stale = commune
        .post_multipart(
            app,
            "/can-bo/nhiem-vu/NV-2026-00002/tien-do",
            &[
                Part::Text("csrf", &csrf),
                Part::Text("version", &version(&page)),
                Part::Text("percent", "60"),
                Part::Text("text", "Cập nhật"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);

    // The department accepts the commune's completion.
    let page = department.get(app, "/can-bo/nhiem-vu/NV-2026-00002").await;
    assert_has(&page, "quyet-dinh-hoan-thanh");
    let accepted = department
        .post_multipart(
            app,
            "/can-bo/nhiem-vu/NV-2026-00002/quyet-dinh-hoan-thanh",
            &[
                Part::Text("csrf", &page.csrf()),
                Part::Text("version", &version(&page)),
                Part::Text("accepted", "yes"),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let page = department.get(app, "/can-bo/nhiem-vu/NV-2026-00002").await;
    assert_has(&page, "Hoàn thành đúng hạn");

    // Another department sees nothing of it; its pages answer 404.
    let mut finance = signed_in(&p, "chuyenvien.stc").await;
    let hidden = finance.get(app, "/can-bo/nhiem-vu/NV-2026-00001").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let list = finance.get(app, "/can-bo/nhiem-vu?xem=all").await;
    assert!(!list.body.contains("NV-2026-00001"));
    assert_eq!(FINANCE, "000.00.11.H05");

    // In English, one click away.
    let switched = department
        .get(app, "/lang/en?next=/can-bo/nhiem-vu/NV-2026-00001")
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let english = department.get(app, "/can-bo/nhiem-vu/NV-2026-00001").await;
    assert_has(&english, "Sub-tasks");
}

async fn figures_workbook_and_public_results(store: &Store) {
    let p = fixture(store).await;
    let app = &p.app.router;
    let mut leader = signed_in(&p, "lanhdao.ubnd").await;
    // A public plan with a monthly report, and a task outside any plan.
    let form = leader.get(app, "/can-bo/van-ban/moi").await;
    let csrf = form.csrf();
    let plan = leader
        .post(
            app,
            "/can-bo/van-ban/moi",
            &[
                ("csrf", &csrf),
                ("kind", "plan"),
                ("number", "12/KH-UBND"),
                ("date", "2026-11-23"),
                ("issuer", "Ủy ban nhân dân tỉnh Bắc Ninh"),
                ("title", "Kế hoạch cải cách hành chính"),
                ("public_results", "1"),
            ],
        )
        .await;
    assert_eq!(plan.status, StatusCode::SEE_OTHER, "{}", plan.body);
    let plan = plan
        .location()
        .trim_start_matches("/can-bo/van-ban/")
        .to_owned();
    let series = leader
        .post(
            app,
            "/can-bo/nhiem-vu/giao",
            &[
                ("csrf", &csrf),
                ("title", "Báo cáo tình hình cải cách hành chính"),
                ("lead", JUSTICE),
                ("priority", "normal"),
                ("plan", &plan),
                ("repeat", "monthly"),
                ("day", "20"),
                ("from", "2026-11-23"),
                ("until", "2027-02-28"),
            ],
        )
        .await;
    assert_eq!(series.status, StatusCode::SEE_OTHER, "{}", series.body);
    assert!(
        series.location().ends_with("?da-luu=3"),
        "{}",
        series.location()
    );
    let other = leader
        .post(
            app,
            "/can-bo/nhiem-vu/giao",
            &[
                ("csrf", &csrf),
                ("title", "Kiểm tra công vụ"),
                ("lead", KINH_BAC),
                ("deadline", "2026-11-27"),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER, "{}", other.body);

    // The operations centre's main page sums the tasks up, each count a link.
    let main = leader
        .get(app, "/can-bo/dieu-hanh?don-vi=24&ky=2026-11")
        .await;
    assert_eq!(main.status, StatusCode::OK, "{}", main.body);
    assert_has(&main, "Nhiệm vụ được giao");
    assert_has(&main, "/can-bo/dieu-hanh/nhiem-vu/danh-sach?don-vi=24");
    // The figures of the province for the month and the tasks behind them.
    let board = leader
        .get(app, "/can-bo/dieu-hanh/nhiem-vu?don-vi=24&ky=2026-11")
        .await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    assert_has(&board, "Kế hoạch cải cách hành chính");
    assert_has(&board, "Ủy ban nhân dân phường Kinh Bắc");
    let behind = leader
        .get(
            app,
            &format!("/can-bo/dieu-hanh/nhiem-vu/danh-sach?don-vi=24&ky=2026-11&ke-hoach={plan}"),
        )
        .await;
    assert_eq!(behind.status, StatusCode::OK, "{}", behind.body);
    assert_eq!(
        behind.body.matches("/can-bo/nhiem-vu/NV-2026-0000").count(),
        3
    );
    let bad = leader
        .get(
            app,
            "/can-bo/dieu-hanh/nhiem-vu/danh-sach?don-vi=24&ky=2026-11&trang-thai=xyz",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let print = leader
        .get(app, "/can-bo/dieu-hanh/nhiem-vu/in?don-vi=24&ky=2026-11")
        .await;
    assert_has(&print, "BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO");

    // The workbook: by lead, by plan, the tasks.
    let book = leader
        .get(app, "/can-bo/dieu-hanh/nhiem-vu.xlsx?don-vi=24&ky=2026-11")
        .await;
    assert_eq!(book.status, StatusCode::OK);
    assert!(
        book.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(book.bytes.clone())).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Theo đơn vị (By lead)",
            "Theo kế hoạch (By plan)",
            "Nhiệm vụ (Tasks)"
        ]
    );
    let tasks = workbook.worksheet_range("Nhiệm vụ (Tasks)").unwrap();
    assert_eq!(tasks.height(), 2 + 4, "two header rows and four tasks");

    // The public page publishes only the public plan's tasks: three, not four.
    let mut visitor = Browser::default();
    let public = visitor.get(app, "/dieu-hanh?don-vi=24&thang=2026-11").await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert_has(&public, "Kết quả thực hiện nhiệm vụ được giao");
    let section = &public.body[public.body.find("id=\"tasks\"").unwrap()..];
    assert!(section.contains("<td>3</td>"), "{section}");
    // And as a table of the page's files.
    let csv = visitor
        .get(
            app,
            "/dieu-hanh/xuat.csv?don-vi=24&thang=2026-11&bang=nhiem-vu",
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let plan_line = csv
        .body
        .lines()
        .find(|l| l.starts_with(&plan))
        .unwrap_or_else(|| panic!("no line of {plan} in {}", csv.body));
    assert!(plan_line.contains(",3,"), "{plan_line}");
    // Figures are for those who read statistics: a specialist is refused.
    let mut specialist = signed_in(&p, "chuyenvien.stp").await;
    let refused = specialist
        .get(app, "/can-bo/dieu-hanh/nhiem-vu?don-vi=24&ky=2026-11")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn an_agency_administrator_subscribes_its_addresses(store: &Store) {
    let p = fixture(store).await;
    let app = &p.app.router;
    let mut admin = signed_in(&p, "quantri.stp").await;
    let page = admin.get(app, "/can-bo/thong-bao").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    let bad = admin
        .post(
            app,
            "/can-bo/thong-bao/dang-ky",
            &[
                ("csrf", &csrf),
                ("agency", JUSTICE),
                ("channel", "email"),
                ("address", "vanthu"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_has(&bad, "address:");
    // Another agency's news is not its to subscribe.
    let other = admin
        .post(
            app,
            "/can-bo/thong-bao/dang-ky",
            &[
                ("csrf", &csrf),
                ("agency", FINANCE),
                ("channel", "email"),
                ("address", "vanthu@stc.bacninh.gov.vn"),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let done = admin
        .post(
            app,
            "/can-bo/thong-bao/dang-ky",
            &[
                ("csrf", &csrf),
                ("agency", JUSTICE),
                ("channel", "email"),
                ("address", "vanthu@stp.bacninh.gov.vn"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = admin.get(app, "/can-bo/thong-bao").await;
    assert_has(&page, "vanthu@stp.bacninh.gov.vn");
    // A desk officer has no such page.
    let mut desk = signed_in(&p, "motcua.stp").await;
    let refused = desk.get(app, "/can-bo/thong-bao").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

contract_tests!(
    a_conclusion_s_task_goes_down_two_levels_and_is_done_from_the_pages,
    figures_workbook_and_public_results,
    an_agency_administrator_subscribes_its_addresses,
);
