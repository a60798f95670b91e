//! The public portal over in-process HTTP, on SQLite and on PostgreSQL: search, procedure
//! pages, online submission with drafts and uploads, tracking, "my dossiers", ratings,
//! petitions and the staff's petition pages, CSRF on every form, the English switch.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use axum::Router;
use axum::http::StatusCode;
use common::{
    Browser, CITIZEN_A, CITIZEN_B, DA_MAI, JUSTICE, KINH_BAC, PDF, PNG, PORTAL_PASSWORD, Page,
    Part, Portal, portal,
};
use motcua_domain::dossier::{Command, Decision, DossierCode, ResultForm, ReturnMethod};
use motcua_service::Acting;
use motcua_storage::Store;
use motcua_test_support::contract_tests;

async fn signed_in(app: &Router, login: &str) -> Browser {
    let mut browser = Browser::default();
    let done = browser.sign_in(app, login, PORTAL_PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    browser
}

/// Rows of a result table (each result's code cell).
fn result_codes(page: &Page) -> Vec<String> {
    page.body
        .split("<td class=\"nowrap\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_owned())
        .collect()
}

/// The value of the hidden field `name`.
fn hidden(page: &Page, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.body.find(&marker).unwrap() + marker.len();
    page.body[start..].split('"').next().unwrap().to_owned()
}

/// The first text between `after` and the next `<`.
fn text_after(page: &Page, after: &str) -> String {
    let start = page.body.find(after).unwrap() + after.len();
    page.body[start..].split('<').next().unwrap().to_owned()
}

async fn search_ignores_diacritics_and_applies_filters(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut b = Browser::default();
    let plain = b.get(app, "/thu-tuc?q=dang+ky+khai+sinh").await;
    assert_eq!(plain.status, StatusCode::OK);
    let codes = result_codes(&plain);
    assert!(codes.contains(&"1.001193".to_owned()), "{codes:?}");
    // Upper case with every accent: the same procedures.
    let accented = b
        .get(app, "/thu-tuc?q=%C4%90%C4%82NG+K%C3%9D+KHAI+SINH")
        .await;
    assert_eq!(result_codes(&accented), codes);
    assert!(plain.body.contains("portal.css"));
    assert!(plain.body.contains("<label for=\"q\">"));

    // Level: birth registration is a commune procedure.
    let province = b.get(app, "/thu-tuc?q=khai+sinh&cap=province").await;
    assert!(!result_codes(&province).contains(&"1.001193".to_owned()));
    let commune = b.get(app, "/thu-tuc?q=khai+sinh&cap=commune").await;
    assert!(result_codes(&commune).contains(&"1.001193".to_owned()));
    // Sector, exactly as listed.
    let sector = b
        .get(app, "/thu-tuc?linh_vuc=Ch%E1%BB%A9ng+th%E1%BB%B1c")
        .await;
    let in_sector = result_codes(&sector);
    assert!(in_sector.contains(&"2.000815".to_owned()), "{in_sector:?}");
    assert!(!in_sector.contains(&"1.001193".to_owned()));
    // Implementing agency, words of its name without accents.
    let agency = b
        .get(app, "/thu-tuc?co_quan=so+tu+phap&q=tu+van+phap+luat")
        .await;
    let by_agency = result_codes(&agency);
    assert!(by_agency.contains(&"1.000588".to_owned()), "{by_agency:?}");
    let communes = b.get(app, "/thu-tuc?co_quan=so+tu+phap&q=khai+sinh").await;
    assert!(!result_codes(&communes).contains(&"1.001193".to_owned()));
    // Online level.
    let none = b
        .get(
            app,
            "/thu-tuc?linh_vuc=Ch%E1%BB%A9ng+th%E1%BB%B1c&truc_tuyen=none",
        )
        .await;
    assert!(result_codes(&none).contains(&"2.000815".to_owned()));
    let partial = b
        .get(
            app,
            "/thu-tuc?linh_vuc=Ch%E1%BB%A9ng+th%E1%BB%B1c&truc_tuyen=partial",
        )
        .await;
    assert!(!result_codes(&partial).contains(&"2.000815".to_owned()));
    // A bad filter is a 422 naming it.
    let bad = b.get(app, "/thu-tuc?cap=tinh").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("cap:"), "{}", bad.body);
}

async fn search_results_come_in_pages(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut b = Browser::default();
    let first = b
        .get(app, "/thu-tuc?linh_vuc=H%E1%BB%99+t%E1%BB%8Bch")
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let total: usize = text_after(&first, "<p role=\"status\">")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total > 40, "{total}");
    assert_eq!(result_codes(&first).len(), 20);
    assert!(first.body.contains("trang=2"));
    let pages = total.div_ceil(20);
    let last = b
        .get(
            app,
            &format!("/thu-tuc?linh_vuc=H%E1%BB%99+t%E1%BB%8Bch&trang={pages}"),
        )
        .await;
    assert_eq!(result_codes(&last).len(), total - 20 * (pages - 1));
    assert!(last.body.contains("rel=\"prev\""));
    assert!(!last.body.contains("rel=\"next\""));
    let mut seen = result_codes(&first);
    seen.extend(result_codes(&last));
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen.len(),
        20 + result_codes(&last).len(),
        "no row on two pages"
    );
    let zero = b.get(app, "/thu-tuc?trang=0").await;
    assert_eq!(zero.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(zero.body.contains("trang:"));
}

async fn a_procedure_page_shows_what_to_file_and_where(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut b = Browser::default();
    let page = b.get(app, "/thu-tuc/1.000588").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Thay đổi nội dung đăng ký hoạt động của Trung tâm tư vấn pháp luật",
        "5 ngày làm việc",
        "Sở Tư pháp",
        "Bản chính Giấy đăng ký hoạt động",
        "Miễn phí",
        "Một phần",
        "Giấy đăng ký hoạt động của Trung tâm tư vấn pháp luật",
        "href=\"/thu-tuc/1.000588/nop-truc-tuyen\"",
        "Nộp hồ sơ trực tuyến",
        "Sở Tư pháp tỉnh Bắc Ninh",
    ] {
        assert!(page.body.contains(text), "missing {text}");
    }
    // Birth registration: the ward's People's Committee, chosen by the applicant.
    let birth = b.get(app, "/thu-tuc/1.001193").await;
    assert!(birth.body.contains("nop-truc-tuyen"));
    // Certified copies are not an online service: no button.
    let copies = b.get(app, "/thu-tuc/2.000815").await;
    assert_eq!(copies.status, StatusCode::OK);
    assert!(!copies.body.contains("nop-truc-tuyen"));
    assert!(copies.body.contains("2.000 ₫"));
    let missing = b.get(app, "/thu-tuc/9.999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let nonsense = b.get(app, "/thu-tuc/khong-co").await;
    assert_eq!(nonsense.status, StatusCode::NOT_FOUND);
}

async fn an_online_submission_with_a_draft_and_uploads(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    // Anonymous visitors are sent to sign in and come back.
    let mut anonymous = Browser::default();
    let away = anonymous.get(app, "/thu-tuc/1.000588/nop-truc-tuyen").await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert_eq!(
        away.location(),
        "/dang-nhap?next=/thu-tuc/1.000588/nop-truc-tuyen"
    );

    let mut b = signed_in(app, CITIZEN_A).await;
    let form = b.get(app, "/thu-tuc/1.000588/nop-truc-tuyen").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(
        form.body.contains("value=\"Trần Thị Bình\""),
        "name pre-filled"
    );
    assert!(
        form.body.contains("value=\"0912345678\""),
        "phone pre-filled"
    );
    assert!(
        form.body.contains("027*******56"),
        "personal ID shown masked"
    );
    assert!(!form.body.contains(CITIZEN_A));
    assert!(form.body.contains("<label for=\"file-3\">"));
    let csrf = form.csrf();

    // Save a draft with the first component.
    let saved = b
        .post_multipart(
            app,
            "/ho-so-nhap",
            &[
                Part::Text("csrf", &csrf),
                Part::Text("procedure", "1.000588"),
                Part::Text("draft_id", ""),
                Part::Text("version", "0"),
                Part::Text("name", "Trần Thị Bình"),
                Part::Text("phone", "0912 345 678"),
                Part::Text("agency", JUSTICE),
                Part::File("file-0", "giay-dang-ky.pdf", PDF),
                Part::File("file-1", "", b""),
                Part::Text("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let resume = saved.location().split('?').next().unwrap().to_owned();
    assert!(resume.starts_with("/ho-so-nhap/"));
    let drafts = b.get(app, "/ho-so-nhap").await;
    assert!(drafts.body.contains(&resume));
    assert!(drafts.body.contains("Thay đổi nội dung đăng ký"));

    // Resume it: the file is kept, the form filled in.
    let resumed = b.get(app, saved.location()).await;
    assert_eq!(resumed.status, StatusCode::OK);
    assert!(resumed.body.contains("giay-dang-ky.pdf"));
    assert!(resumed.body.contains("role=\"status\""));
    let draft_id = hidden(&resumed, "draft_id");
    let version = hidden(&resumed, "version");
    assert_eq!(version, "1");

    // An oversized file and a file that is not what it says are refused, naming the
    // component; the draft keeps what was valid.
    let big = {
        let mut v = PDF.to_vec();
        v.resize(10 * 1024 * 1024 + 1, b' ');
        v
    };
    let refused = b
        .post_multipart(
            app,
            "/ho-so-nhap",
            &[
                Part::Text("csrf", &csrf),
                Part::Text("procedure", "1.000588"),
                Part::Text("draft_id", &draft_id),
                Part::Text("version", &version),
                Part::Text("name", "Trần Thị Bình"),
                Part::Text("phone", "0912345678"),
                Part::Text("agency", JUSTICE),
                Part::File("file-1", "quyet-dinh.pdf", &big),
                Part::File("file-2", "the-tu-van.pdf", b"MZ\x90\x00 not a pdf"),
                Part::File("file-3", "xac-nhan-tru-so.png", PNG),
                Part::Text("action", "submit"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"file-1-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("«Quyết định về việc cử Giám đốc Trung tâm")
    );
    assert!(refused.body.contains("vượt quá giới hạn 10 MB"));
    assert!(refused.body.contains("id=\"file-2-error\""));
    assert!(refused.body.contains("không phải tệp PDF, JPEG hoặc PNG"));
    assert!(
        refused
            .body
            .contains("aria-describedby=\"files-hint file-1-error\"")
    );
    assert!(
        refused.body.contains("xac-nhan-tru-so.png"),
        "valid upload kept"
    );
    let version = hidden(&refused, "version");
    assert_eq!(version, "2");

    // Submitting without the two missing components names them.
    let incomplete = b
        .post_multipart(
            app,
            "/ho-so-nhap",
            &[
                Part::Text("csrf", &csrf),
                Part::Text("procedure", "1.000588"),
                Part::Text("draft_id", &draft_id),
                Part::Text("version", &version),
                Part::Text("name", "Trần Thị Bình"),
                Part::Text("phone", "0912345678"),
                Part::Text("agency", JUSTICE),
                Part::Text("action", "submit"),
            ],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(incomplete.body.contains("là bắt buộc: hãy tải tệp lên"));
    let version = hidden(&incomplete, "version");

    // The rest, and the submission.
    let done = b
        .post_multipart(
            app,
            "/ho-so-nhap",
            &[
                Part::Text("csrf", &csrf),
                Part::Text("procedure", "1.000588"),
                Part::Text("draft_id", &draft_id),
                Part::Text("version", &version),
                Part::Text("name", "Trần Thị Bình"),
                Part::Text("phone", "0912345678"),
                Part::Text("agency", JUSTICE),
                Part::File("file-1", "quyet-dinh.pdf", PDF),
                Part::File("file-2", "the-tu-van.jpg", b"\xff\xd8\xff\xe0 jpeg"),
                Part::Text("action", "submit"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(
        done.location().ends_with("/bien-nhan?moi=1"),
        "{}",
        done.location()
    );
    let receipt = b.get(app, done.location()).await;
    assert_eq!(receipt.status, StatusCode::OK);
    let code = text_after(&receipt, "<span class=\"label\">Mã hồ sơ:</span> <strong>");
    assert!(code.starts_with("000.00.10.H05-261123-"), "{code}");
    let secret = text_after(&receipt, "<strong class=\"mono\">");
    assert_eq!(secret.len(), 8);
    assert!(receipt.body.contains("Ngày hẹn trả được báo khi"));
    assert_eq!(
        receipt.headers.get("cache-control").unwrap(),
        "no-store",
        "the receipt carries the lookup secret"
    );

    // The dossier carries the files by content, channel online, the account's applicant.
    let dossier = p
        .app
        .services
        .find_dossier(&code.parse::<DossierCode>().unwrap())
        .await
        .unwrap();
    assert_eq!(dossier.submission.channel.as_str(), "online");
    assert_eq!(dossier.submission.components.len(), 4);
    assert!(dossier.submission.components.iter().all(|c| c.has_file));
    assert_eq!(
        dossier.submission.components[3].files[0].media_type,
        "image/png"
    );
    assert_eq!(
        dossier.submission.applicant.phone.as_deref(),
        Some("0912345678")
    );
    // The draft is gone, and the same content was stored once.
    let drafts = b.get(app, "/ho-so-nhap").await;
    assert!(!drafts.body.contains(&draft_id));
    let sha = &dossier.submission.components[0].files[0].sha256;
    assert_eq!(&dossier.submission.components[1].files[0].sha256, sha);
    // Its owner downloads a file; another citizen cannot.
    let file = b
        .get(app, &format!("/ho-so-cua-toi/{code}/tep/{sha}"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers.get("content-type").unwrap(), "application/pdf");
    assert!(
        file.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let mut other = signed_in(app, CITIZEN_B).await;
    let theirs = other
        .get(app, &format!("/ho-so-cua-toi/{code}/tep/{sha}"))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    // The desk officer of the receiving agency sees the file on the dossier page and opens it;
    // an officer of another agency cannot.
    let mut desk = signed_in(app, "motcua.stp").await;
    let page = desk.get(app, &format!("/can-bo/ho-so/{code}")).await;
    let link = format!("/can-bo/ho-so/{code}/tep/{sha}");
    assert!(page.body.contains(&link), "{}", page.body);
    let opened = desk.get(app, &link).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert_eq!(
        opened.headers.get("content-type").unwrap(),
        "application/pdf"
    );
    let mut elsewhere = signed_in(app, "chuyenvien.stc").await;
    assert_eq!(
        elsewhere.get(app, &link).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Submits birth registration online for `login` at the People's Committee `agency`;
/// returns the dossier code and the receipt's lookup secret.
async fn submit_birth(app: &Router, b: &mut Browser, agency: &str) -> (String, String) {
    let form = b.get(app, "/thu-tuc/1.001193/nop-truc-tuyen").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("<select id=\"agency\""),
        "two wards to choose from"
    );
    let done = b
        .post_multipart(
            app,
            "/ho-so-nhap",
            &[
                Part::Text("csrf", &form.csrf()),
                Part::Text("procedure", "1.001193"),
                Part::Text("draft_id", ""),
                Part::Text("version", "0"),
                Part::Text("name", &hidden_value(&form, "name")),
                Part::Text("phone", "0912345678"),
                Part::Text("agency", agency),
                Part::File("file-0", "to-khai.pdf", PDF),
                Part::Text("action", "submit"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let receipt = b.get(app, done.location()).await;
    let code = text_after(&receipt, "<span class=\"label\">Mã hồ sơ:</span> <strong>");
    let secret = text_after(&receipt, "<strong class=\"mono\">");
    (code, secret)
}

/// The value of the text input `id`.
fn hidden_value(page: &Page, id: &str) -> String {
    let marker = format!("id=\"{id}\" name=\"{id}\" type=\"text\" value=\"");
    let start = page.body.find(&marker).unwrap() + marker.len();
    page.body[start..].split('"').next().unwrap().to_owned()
}

async fn finish(p: &Portal, code: &str) {
    let code: DossierCode = code.parse().unwrap();
    let system = Acting::cli("test");
    for command in [
        Command::Receive,
        Command::Finish {
            decision: Decision::Approved,
        },
        Command::IssueResult {
            form: ResultForm::Electronic,
            number: Some("12/KQ".into()),
        },
        Command::ReturnResult {
            method: ReturnMethod::Online,
        },
    ] {
        p.app
            .services
            .act_on_dossier(&system, &code, command, None)
            .await
            .unwrap();
    }
}

async fn tracking_by_secret_or_phone_and_rating_the_result(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut citizen = signed_in(app, CITIZEN_A).await;
    let (code, secret) = submit_birth(app, &mut citizen, KINH_BAC).await;
    assert!(code.starts_with(KINH_BAC), "{code}");

    let mut b = Browser::default();
    let form = b.get(app, "/tra-cuu").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let by_secret = b
        .post(
            app,
            "/tra-cuu",
            &[
                ("csrf", &csrf),
                ("ma", &code),
                ("xac_minh", &secret.to_lowercase()),
            ],
        )
        .await;
    assert_eq!(by_secret.status, StatusCode::OK, "{}", by_secret.body);
    assert!(by_secret.body.contains("1 — Mới đăng ký"));
    assert!(
        by_secret.body.contains("(Submitted)"),
        "status in both languages"
    );
    assert!(by_secret.body.contains("T*** T*** B***"), "name masked");
    assert!(!by_secret.body.contains("Trần Thị Bình"));
    assert!(!by_secret.body.contains(CITIZEN_A));
    assert!(!by_secret.body.contains("0912345678"));
    assert!(by_secret.body.contains("Nộp hồ sơ"), "history summary");
    assert!(!by_secret.body.contains("danh-gia"), "nothing to rate yet");

    let by_phone = b
        .post(
            app,
            "/tra-cuu",
            &[
                ("csrf", &csrf),
                ("ma", &code),
                ("xac_minh", "+84 912 345 678"),
            ],
        )
        .await;
    assert_eq!(by_phone.status, StatusCode::OK);
    // A wrong factor and a wrong code get the same message.
    let wrong = b
        .post(
            app,
            "/tra-cuu",
            &[("csrf", &csrf), ("ma", &code), ("xac_minh", "ZZZZZZZZ")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let unknown = b
        .post(
            app,
            "/tra-cuu",
            &[
                ("csrf", &csrf),
                ("ma", "001.00.50.H05-261123-0099"),
                ("xac_minh", &secret),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let message = "Không tìm thấy hồ sơ với mã và thông tin xác minh này";
    assert!(wrong.body.contains(message) && unknown.body.contains(message));
    assert!(wrong.body.contains("id=\"ma-error\""));

    // After the result: rate from the tracking page.
    finish(&p, &code).await;
    let done = b
        .post(
            app,
            "/tra-cuu",
            &[("csrf", &csrf), ("ma", &code), ("xac_minh", &secret)],
        )
        .await;
    assert!(done.body.contains("10 — Đã trả kết quả"));
    assert!(done.body.contains("action=\"/tra-cuu/danh-gia\""));
    assert!(done.body.contains("<legend>"));
    let rated = b
        .post(
            app,
            "/tra-cuu/danh-gia",
            &[
                ("csrf", &csrf),
                ("ma", &code),
                ("xac_minh", &secret),
                ("muc", "satisfied"),
            ],
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert!(rated.body.contains("Cảm ơn bạn đã đánh giá"));
    let dossier = p
        .app
        .services
        .find_dossier(&code.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        dossier.rating,
        Some(motcua_domain::dossier::Rating::Satisfied)
    );
    // Once only.
    let again = b
        .post(
            app,
            "/tra-cuu/danh-gia",
            &[
                ("csrf", &csrf),
                ("ma", &code),
                ("xac_minh", &secret),
                ("muc", "dissatisfied"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A wrong factor cannot rate.
    let stranger = b
        .post(
            app,
            "/tra-cuu/danh-gia",
            &[
                ("csrf", &csrf),
                ("ma", &code),
                ("xac_minh", "0999999999"),
                ("muc", "satisfied"),
            ],
        )
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
}

async fn my_dossiers_are_mine_only(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut a = signed_in(app, CITIZEN_A).await;
    let (first, _) = submit_birth(app, &mut a, KINH_BAC).await;
    p.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 23, 2, 10, 0).unwrap());
    let (second, _) = submit_birth(app, &mut a, DA_MAI).await;
    let mut b = signed_in(app, CITIZEN_B).await;
    let (theirs, _) = submit_birth(app, &mut b, KINH_BAC).await;

    let list = a.get(app, "/ho-so-cua-toi").await;
    assert_eq!(list.status, StatusCode::OK);
    let first_at = list.body.find(&first).unwrap();
    let second_at = list.body.find(&second).unwrap();
    assert!(second_at < first_at, "newest first");
    assert!(!list.body.contains(&theirs));
    let page = a.get(app, &format!("/ho-so-cua-toi/{first}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("to-khai.pdf"));
    assert!(page.body.contains("Ủy ban nhân dân phường Kinh Bắc"));
    let other = a.get(app, &format!("/ho-so-cua-toi/{theirs}")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let receipt = a
        .get(app, &format!("/ho-so-cua-toi/{theirs}/bien-nhan"))
        .await;
    assert_eq!(receipt.status, StatusCode::NOT_FOUND);
    let bogus = a.get(app, "/ho-so-cua-toi/khong-phai-ma").await;
    assert_eq!(bogus.status, StatusCode::NOT_FOUND);
    // Withdrawing another's dossier answers as if it did not exist.
    let csrf = page.csrf();
    let steal = a
        .post(
            app,
            &format!("/ho-so-cua-toi/{theirs}/rut"),
            &[("csrf", &csrf), ("ly_do", "thử")],
        )
        .await;
    assert_eq!(steal.status, StatusCode::NOT_FOUND);
    // Staff have no "my dossiers".
    let mut desk = signed_in(app, "motcua.stp").await;
    assert_eq!(
        desk.get(app, "/ho-so-cua-toi").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn supplements_withdrawal_and_rating_from_my_dossier(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut a = signed_in(app, CITIZEN_A).await;
    let (code, _) = submit_birth(app, &mut a, KINH_BAC).await;
    let parsed: DossierCode = code.parse().unwrap();
    let system = Acting::cli("test");
    let services = &p.app.services;
    services
        .act_on_dossier(&system, &parsed, Command::Receive, None)
        .await
        .unwrap();
    services
        .act_on_dossier(
            &system,
            &parsed,
            Command::RequestSupplement {
                reasons: "Thiếu giấy chứng sinh".into(),
            },
            None,
        )
        .await
        .unwrap();
    let page = a.get(app, &format!("/ho-so-cua-toi/{code}")).await;
    assert!(page.body.contains("Thiếu giấy chứng sinh"));
    assert!(
        page.body
            .contains("/bo-sung\" method=\"post\" enctype=\"multipart/form-data\"")
    );
    let csrf = page.csrf();
    let version = hidden(&page, "version");
    let wrong = a
        .post_multipart(
            app,
            &format!("/ho-so-cua-toi/{code}/bo-sung"),
            &[
                Part::Text("csrf", &csrf),
                Part::Text("version", &version),
                Part::File("file-0", "chung-sinh.pdf", b"GIF89a"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("«Tệp bổ sung 1»"), "{}", wrong.body);
    let sent = a
        .post_multipart(
            app,
            &format!("/ho-so-cua-toi/{code}/bo-sung"),
            &[
                Part::Text("csrf", &csrf),
                Part::Text("version", &version),
                Part::File("file-0", "chung-sinh.png", PNG),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let after = a.get(app, sent.location()).await;
    assert!(after.body.contains("Đã gửi bổ sung hồ sơ"));
    assert!(after.body.contains("chung-sinh.png"));
    assert!(after.body.contains("4 — Đang xử lý"));

    // Withdrawal needs reasons.
    let version = hidden(&after, "version");
    let no_reason = a
        .post(
            app,
            &format!("/ho-so-cua-toi/{code}/rut"),
            &[("csrf", &csrf), ("version", &version), ("ly_do", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("id=\"ly_do-error\""));
    assert!(no_reason.body.contains("aria-describedby=\"ly_do-error\""));

    // Another dossier, finished, then rated from its page.
    let (done, _) = submit_birth(app, &mut a, KINH_BAC).await;
    let before = a.get(app, &format!("/ho-so-cua-toi/{done}")).await;
    assert!(
        !before.body.contains("/danh-gia\""),
        "no rating before the result"
    );
    finish(&p, &done).await;
    let ready = a.get(app, &format!("/ho-so-cua-toi/{done}")).await;
    assert!(
        ready
            .body
            .contains(&format!("/ho-so-cua-toi/{done}/danh-gia"))
    );
    let rated = a
        .post(
            app,
            &format!("/ho-so-cua-toi/{done}/danh-gia"),
            &[
                ("csrf", &csrf),
                ("version", &hidden(&ready, "version")),
                ("muc", "acceptable"),
            ],
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    let shown = a.get(app, rated.location()).await;
    assert!(shown.body.contains("Chấp nhận được"));

    let withdrawn = a
        .post(
            app,
            &format!("/ho-so-cua-toi/{code}/rut"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("ly_do", "Nộp nhầm thủ tục"),
            ],
        )
        .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.body
    );
    let gone = a.get(app, withdrawn.location()).await;
    assert!(gone.body.contains("7 — Công dân yêu cầu rút hồ sơ"));
}

/// Sends a petition to Sở Tư pháp as an anonymous visitor; returns its code.
async fn send_petition(app: &Router, b: &mut Browser) -> String {
    let form = b.get(app, "/phan-anh").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let missing = b
        .post(
            app,
            "/phan-anh",
            &[
                ("csrf", &csrf),
                ("agency", JUSTICE),
                ("class", "staff"),
                ("about", "officer"),
                ("officer", "Quầy số 3"),
                ("title", "Thái độ tiếp dân"),
                ("content", "Cán bộ không hướng dẫn."),
                ("name", ""),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("id=\"name-error\""));
    assert!(missing.body.contains("id=\"phone-error\""));
    assert!(
        missing.body.contains("value=\"Thái độ tiếp dân\""),
        "input kept"
    );
    let sent = b
        .post(
            app,
            "/phan-anh",
            &[
                ("csrf", &csrf),
                ("agency", JUSTICE),
                ("class", "staff"),
                ("about", "officer"),
                ("officer", "Quầy số 3"),
                ("title", "Thái độ tiếp dân"),
                ("content", "Cán bộ không hướng dẫn."),
                ("name", "Phạm Thu Hà"),
                ("phone", "0987 654 321"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let code = sent.location()["/phan-anh/ma/".len()..]
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert!(code.starts_with("PA-261123-"), "{code}");
    code
}

async fn petitions_are_answered_within_scope_and_published(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut sender = Browser::default();
    let code = send_petition(app, &mut sender).await;
    let shown = sender.get(app, &format!("/phan-anh/ma/{code}?moi=1")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(&code));
    assert!(shown.body.contains("Đã tiếp nhận"));
    // 15 working days from Monday 23/11/2026, Tuesday 24/11 being Vietnam Culture Day.
    assert!(shown.body.contains("15/12/2026 09:00"), "{}", shown.body);
    assert!(
        !shown.body.contains("0987654321"),
        "contact details stay private"
    );

    // Staff of another agency neither list nor see it.
    let mut outsider = signed_in(app, "chuyenvien.stc").await;
    let list = outsider.get(app, "/can-bo/phan-anh").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains(&code));
    let page = outsider.get(app, &format!("/can-bo/phan-anh/{code}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let csrf = list.csrf();
    let act = outsider
        .post(
            app,
            &format!("/can-bo/phan-anh/{code}"),
            &[("csrf", &csrf), ("action", "answer"), ("text", "x")],
        )
        .await;
    assert_eq!(act.status, StatusCode::NOT_FOUND);
    // Citizens are not staff.
    let mut citizen = signed_in(app, CITIZEN_A).await;
    assert_eq!(
        citizen.get(app, "/can-bo/phan-anh").await.status,
        StatusCode::FORBIDDEN
    );

    // The agency's desk officer asks for more, the sender replies, the officer answers.
    let mut desk = signed_in(app, "motcua.stp").await;
    let list = desk.get(app, "/can-bo/phan-anh").await;
    assert!(list.body.contains(&code));
    let page = desk.get(app, &format!("/can-bo/phan-anh/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("0987654321"),
        "staff see how to reach the sender"
    );
    assert!(page.body.contains("Xử lý, trả lời (≤ 15 ngày làm việc)"));
    let csrf = page.csrf();
    let asked = desk
        .post(
            app,
            &format!("/can-bo/phan-anh/{code}"),
            &[
                ("csrf", &csrf),
                ("version", &hidden(&page, "version")),
                ("action", "ask"),
                ("text", "Xin cho biết ngày giờ cụ thể."),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let waiting = sender.get(app, &format!("/phan-anh/ma/{code}")).await;
    assert!(waiting.body.contains("Xin cho biết ngày giờ cụ thể."));
    let reply = sender
        .post(
            app,
            &format!("/phan-anh/ma/{code}/bo-sung"),
            &[
                ("csrf", &waiting.csrf()),
                ("text", "Sáng 20/11/2026, khoảng 9 giờ."),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = desk.get(app, &format!("/can-bo/phan-anh/{code}")).await;
    assert!(page.body.contains("Sáng 20/11/2026"));
    let empty = desk
        .post(
            app,
            &format!("/can-bo/phan-anh/{code}"),
            &[("csrf", &csrf), ("action", "answer"), ("text", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("id=\"text-error\""));
    let answered = desk
        .post(
            app,
            &format!("/can-bo/phan-anh/{code}"),
            &[
                ("csrf", &csrf),
                ("version", &hidden(&page, "version")),
                ("action", "answer"),
                ("text", "Đã nhắc nhở cán bộ quầy số 3."),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let page = desk.get(app, answered.location()).await;
    assert!(page.body.contains("Đã ghi nhận"));
    assert!(page.body.contains("value=\"publish\""));
    // Not public before it is published.
    let public = sender.get(app, "/phan-anh/cong-khai").await;
    assert!(!public.body.contains("Đã nhắc nhở cán bộ"));
    let published = desk
        .post(
            app,
            &format!("/can-bo/phan-anh/{code}"),
            &[
                ("csrf", &csrf),
                ("version", &hidden(&page, "version")),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );

    let public = Browser::default().get(app, "/phan-anh/cong-khai").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Thái độ tiếp dân"));
    assert!(public.body.contains("Đã nhắc nhở cán bộ quầy số 3."));
    assert!(!public.body.contains("0987654321"));
    assert!(!public.body.contains("Phạm Thu Hà"));
    let answer = sender.get(app, &format!("/phan-anh/ma/{code}")).await;
    assert!(answer.body.contains("Đã nhắc nhở cán bộ quầy số 3."));
    assert!(answer.body.contains("Đã công khai"));
    // Looking it up by code.
    let found = sender
        .get(
            app,
            &format!("/phan-anh/tra-cuu?ma={}", code.to_lowercase()),
        )
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    let missing = sender
        .get(app, "/phan-anh/tra-cuu?ma=PA-000000-XXXXXXXX")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn forms_without_a_csrf_token_get_403(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut citizen = signed_in(app, CITIZEN_A).await;
    let (code, secret) = submit_birth(app, &mut citizen, KINH_BAC).await;
    let mut anonymous = Browser::default();
    anonymous.get(app, "/tra-cuu").await;
    let petition = send_petition(app, &mut Browser::default()).await;

    for (uri, form) in [
        (
            "/tra-cuu",
            vec![("ma", code.as_str()), ("xac_minh", secret.as_str())],
        ),
        (
            "/tra-cuu/danh-gia",
            vec![
                ("ma", code.as_str()),
                ("xac_minh", secret.as_str()),
                ("muc", "satisfied"),
            ],
        ),
        ("/phan-anh", vec![("title", "x")]),
    ] {
        let page = anonymous.post(app, uri, &form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{uri}");
        let zeros = "0".repeat(64);
        let wrong: Vec<(&str, &str)> = form.into_iter().chain([("csrf", zeros.as_str())]).collect();
        let page = anonymous.post(app, uri, &wrong).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "{uri} with a wrong token"
        );
    }
    let reply = anonymous
        .post(
            app,
            &format!("/phan-anh/ma/{petition}/bo-sung"),
            &[("text", "x")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    // Signed-in forms, urlencoded and multipart.
    let page = citizen.get(app, "/thu-tuc/1.001193/nop-truc-tuyen").await;
    let saved = citizen
        .post_multipart(
            app,
            "/ho-so-nhap",
            &[
                Part::Text("csrf", &page.csrf()),
                Part::Text("procedure", "1.001193"),
                Part::Text("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let draft = saved.location().split('?').next().unwrap().to_owned();
    for (uri, form) in [
        (format!("{draft}/xoa"), vec![]),
        (format!("/ho-so-cua-toi/{code}/rut"), vec![("ly_do", "x")]),
        (
            format!("/ho-so-cua-toi/{code}/danh-gia"),
            vec![("muc", "satisfied")],
        ),
    ] {
        let page = citizen.post(app, &uri, &form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{uri}");
    }
    for uri in [
        "/ho-so-nhap".to_owned(),
        format!("/ho-so-cua-toi/{code}/bo-sung"),
    ] {
        let missing = citizen
            .post_multipart(
                app,
                &uri,
                &[
                    Part::Text("procedure", "1.001193"),
                    Part::File("file-0", "a.pdf", PDF),
                ],
            )
            .await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN, "{uri}");
        let wrong = citizen
            .post_multipart(
                app,
                &uri,
                &[
                    Part::Text("csrf", "forged"),
                    Part::Text("procedure", "1.001193"),
                ],
            )
            .await;
        assert_eq!(
            wrong.status,
            StatusCode::FORBIDDEN,
            "{uri} with a wrong token"
        );
    }
    // Nothing of the refused forms was recorded.
    assert!(citizen.get(app, &draft).await.status == StatusCode::OK);
    let mut desk = signed_in(app, "motcua.stp").await;
    let act = desk
        .post(
            app,
            &format!("/can-bo/phan-anh/{petition}"),
            &[("action", "answer"), ("text", "x")],
        )
        .await;
    assert_eq!(act.status, StatusCode::FORBIDDEN);
}

async fn the_english_switch_renders_english(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut b = Browser::default();
    let switched = b.get(app, "/lang/en?next=/thu-tuc").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let search = b.get(app, "/thu-tuc?q=khai+sinh").await;
    assert!(search.body.contains("<html lang=\"en\">"));
    assert!(search.body.contains("Find an administrative procedure"));
    assert!(search.body.contains("matching procedures."));
    assert!(search.body.contains("Commune"));
    let procedure = b.get(app, "/thu-tuc/1.000588").await;
    assert!(procedure.body.contains("5 working days"));
    assert!(procedure.body.contains("Submit online"));
    let track = b.get(app, "/tra-cuu").await;
    assert!(track.body.contains("Lookup secret or phone number"));
    let petition = b.get(app, "/phan-anh").await;
    assert!(petition.body.contains("Conduct of civil servants"));
    let public = b.get(app, "/phan-anh/cong-khai").await;
    assert!(public.body.contains("Answers to feedback and petitions"));
    // The English rejection of a bad filter names the field too.
    let bad = b.get(app, "/thu-tuc?truc_tuyen=x").await;
    assert!(bad.body.contains("the online level must be"));
}

async fn the_monthly_results_are_published_for_everyone(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut citizen = signed_in(app, CITIZEN_A).await;
    let (code, _) = submit_birth(app, &mut citizen, KINH_BAC).await;
    finish(&p, &code).await;

    let mut b = Browser::default();
    let form = b.get(app, "/dieu-hanh").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("id=\"don-vi\"") && !form.body.contains("Tổng số hồ sơ tiếp nhận"));

    // The province: its month, with the wards' committees ranked; no account needed.
    let province = b.get(app, "/dieu-hanh?don-vi=24&thang=2026-11").await;
    assert_eq!(province.status, StatusCode::OK, "{}", province.body);
    let body = &province.body;
    assert!(body.contains("Tỉnh Bắc Ninh — Tháng 11/2026"), "{body}");
    assert!(
        body.contains("Tháng đang diễn ra"),
        "the month is in progress"
    );
    // Birth registration has no time limit here: counted apart, outside the report's rows.
    for row in [
        "<th scope=\"row\">Thủ tục không quy định thời hạn (không xếp loại)</th><td>1</td>",
        "<th scope=\"row\">Tổng số hồ sơ tiếp nhận</th><td>0</td>",
        "<th scope=\"row\">Đã giải quyết</th><td>0</td>",
    ] {
        assert!(body.contains(row), "{row} in {body}");
    }
    // Its uploaded file makes it digitized (766 indicator 4.2), with the counts shown.
    assert!(body.contains("<td>4.2</td>"), "{body}");
    assert!(
        body.contains("100,00 % (1 / 1)"),
        "ratio and its counts: {body}"
    );
    assert!(body.contains("Xếp hạng các xã, phường") && body.contains("<svg"));
    assert!(!body.contains("<script"), "works without JavaScript");
    let one = b
        .get(app, &format!("/dieu-hanh?don-vi={KINH_BAC}&thang=2026-11"))
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    assert!(
        !one.body.contains("Xếp hạng các xã, phường"),
        "one agency has no peers"
    );

    // A quarter, a year and a run of months, by `thang` or by `ky`; the live period says so.
    for (uri, heading, live) in [
        (
            "/dieu-hanh?don-vi=24&ky=2026-Q4",
            "Tỉnh Bắc Ninh — Quý IV/2026",
            true,
        ),
        (
            "/dieu-hanh?don-vi=24&thang=2026",
            "Tỉnh Bắc Ninh — Năm 2026",
            true,
        ),
        (
            "/dieu-hanh?don-vi=24&thang=2026-01..2026-06",
            "Tỉnh Bắc Ninh — Từ 01/2026 đến 06/2026",
            false,
        ),
        (
            "/dieu-hanh?don-vi=24&thang=2026-11&ky=2026-Q3",
            "Tỉnh Bắc Ninh — Quý III/2026",
            false,
        ),
    ] {
        let page = b.get(app, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
        assert!(page.body.contains(heading), "{uri}: {}", page.body);
        assert_eq!(page.body.contains("Kỳ đang diễn ra"), live, "{uri}");
        assert!(page.body.contains("Số liệu chốt tại") != live, "{uri}");
    }
    // The quarter in progress holds the month's dossier.
    let quarter = b.get(app, "/dieu-hanh?don-vi=24&ky=2026-Q4").await;
    assert!(
        quarter.body.contains(
            "<th scope=\"row\">Thủ tục không quy định thời hạn (không xếp loại)</th><td>1</td>"
        ),
        "{}",
        quarter.body
    );

    // Bad asks name what is wrong, in both languages.
    for (uri, wanted) in [
        (
            "/dieu-hanh?don-vi=24&thang=11-2026",
            "the period «11-2026» must read YYYY-MM (month), YYYY-Qn (quarter)",
        ),
        (
            "/dieu-hanh?don-vi=24&ky=2026-Q5",
            "kỳ «2026-Q5» phải có dạng",
        ),
        ("/dieu-hanh?don-vi=24&ky=2027", "has not begun"),
        ("/dieu-hanh?don-vi=24&thang=2027-01", "has not begun"),
        (
            "/dieu-hanh?don-vi=99999",
            "no agency or administrative unit",
        ),
    ] {
        let bad = b.get(app, uri).await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            bad.body
        );
        assert!(bad.body.contains(wanted), "{uri}: {}", bad.body);
    }
}

contract_tests!(
    the_monthly_results_are_published_for_everyone,
    search_ignores_diacritics_and_applies_filters,
    search_results_come_in_pages,
    a_procedure_page_shows_what_to_file_and_where,
    an_online_submission_with_a_draft_and_uploads,
    tracking_by_secret_or_phone_and_rating_the_result,
    my_dossiers_are_mine_only,
    supplements_withdrawal_and_rating_from_my_dossier,
    petitions_are_answered_within_scope_and_published,
    forms_without_a_csrf_token_get_403,
    the_english_switch_renders_english,
);
