//! Sign-in, sessions, CSRF and the authentication extractors, over in-process HTTP
//! (`tower::ServiceExt::oneshot` on the real router), on SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use common::{App, Browser, app_with};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use motcua_domain::event::Role;
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_service::Acting;
use motcua_service::accounts::{NewAccount, Password};
use motcua_storage::Store;
use motcua_test_support::contract_tests;
use motcua_web::auth::{CurrentUser, Staff};
use motcua_web::{AppState, WebConfig};

const CITIZEN: &str = "027190123456";
const PASSWORD: &str = "mat-khau-dai-1";
const AGENCY: &str = "000.00.10.H05";

async fn app(store: &Store) -> App {
    let app = app_with(store, WebConfig::default()).await;
    let admin = Acting::cli("test");
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
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
    app.services
        .register_agency(
            &admin,
            Agency {
                code: AGENCY.parse().unwrap(),
                name: "Sở Tư pháp".into(),
                kind: AgencyKind::Department,
                unit: "24".parse().unwrap(),
                valid_from: Some(day(2025, 7, 1)),
                valid_to: None,
            },
            None,
        )
        .await
        .unwrap();
    app.services
        .register_citizen(
            NewAccount::Citizen {
                personal_id: CITIZEN.into(),
                name: "Trần Thị Bình".into(),
                phone: None,
                password: Password::new(PASSWORD),
            },
            None,
        )
        .await
        .unwrap();
    app.services
        .create_account(
            &admin,
            NewAccount::Staff {
                login: "motcua.stp".into(),
                name: "Nguyễn Thị Mai".into(),
                phone: None,
                role: Role::DeskOfficer,
                agency: Some(AGENCY.into()),
                unit: None,
                password: Password::new(PASSWORD),
            },
        )
        .await
        .unwrap();
    app
}

/// Routes guarded by the extractors, as colleagues' pages and API will be.
fn guarded(state: AppState) -> Router {
    Router::new()
        .route(
            "/can-bo/thu",
            get(|staff: Staff| async move { staff.account().name.clone() }),
        )
        .route(
            "/api/v1/thu",
            get(|user: CurrentUser| async move { user.account().id.clone() }),
        )
        .with_state(state)
}

async fn signing_in_sets_an_httponly_samesite_session_cookie(store: &Store) {
    let app = app(store).await;
    let mut browser = Browser::default();
    let form = browser.get(&app.router, "/dang-nhap").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<html lang=\"vi\">"));
    assert!(form.body.contains("<label for=\"login\">"));
    assert!(form.body.contains("aria-describedby=\"login-hint\""));
    assert!(form.headers.get("content-security-policy").is_some());
    assert_eq!(form.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let csrf_cookie = form.set_cookie("motcua_csrf").unwrap();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"));
    assert_eq!(browser.cookies["motcua_csrf"], form.csrf());

    let done = browser
        .post(
            &app.router,
            "/dang-nhap",
            &[
                ("csrf", &form.csrf()),
                ("login", CITIZEN),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/tai-khoan");
    let cookie = done.set_cookie("motcua_session").unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");

    let mine = browser.get(&app.router, "/tai-khoan").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Trần Thị Bình"));
    assert!(mine.body.contains("027*******56"), "masked personal ID");
    assert!(!mine.body.contains(CITIZEN));
    assert!(mine.body.contains("action=\"/dang-xuat\""));
    assert!(mine.body.contains("Đăng xuất"));
    assert_eq!(mine.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");

    // Behind TLS the cookie is also Secure.
    let secure = app_with(
        store,
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    )
    .await;
    let mut browser = Browser::default();
    let done = browser.sign_in(&secure.router, CITIZEN, PASSWORD).await;
    assert!(
        done.set_cookie("motcua_session")
            .unwrap()
            .contains("Secure")
    );
}

async fn a_wrong_password_shows_one_message_tied_to_the_form(store: &Store) {
    let app = app(store).await;
    let mut browser = Browser::default();
    let page = browser.sign_in(&app.router, CITIZEN, "sai-mat-khau").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.set_cookie("motcua_session").is_none());
    assert!(page.body.contains("role=\"alert\""));
    assert!(
        page.body.contains("hoặc mật khẩu không đúng"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("value=\"{CITIZEN}\"")));
    assert!(!page.body.contains("sai-mat-khau"));
    let unknown = browser.sign_in(&app.router, "024085000123", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("hoặc mật khẩu không đúng"));

    let empty = browser.sign_in(&app.router, "", "").await;
    assert!(empty.body.contains("id=\"login-error\""));
    assert!(
        empty
            .body
            .contains("aria-describedby=\"login-hint login-error\" aria-invalid=\"true\"")
    );
    assert!(empty.body.contains("id=\"password-error\""));
}

async fn forms_without_a_valid_csrf_token_get_403(store: &Store) {
    let app = app(store).await;
    let mut browser = Browser::default();
    browser.get(&app.router, "/dang-nhap").await;
    for csrf in [None, Some("0".repeat(64))] {
        let mut form = vec![("login", CITIZEN), ("password", PASSWORD)];
        if let Some(csrf) = &csrf {
            form.push(("csrf", csrf));
        }
        let page = browser.post(&app.router, "/dang-nhap", &form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{csrf:?}");
        assert!(page.body.contains("reload the page"), "{}", page.body);
        assert!(page.set_cookie("motcua_session").is_none());
    }
    // Without the cookie, a token copied from elsewhere is refused too (double submit).
    let mut stranger = Browser::default();
    let token = browser.cookies["motcua_csrf"].clone();
    let page = stranger
        .post(
            &app.router,
            "/dang-nhap",
            &[("csrf", &token), ("login", CITIZEN), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Signed in, forms need the session's token, not the anonymous one.
    let done = browser.sign_in(&app.router, CITIZEN, PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let anonymous = browser.cookies["motcua_csrf"].clone();
    let page = browser
        .post(
            &app.router,
            "/tai-khoan/mat-khau",
            &[
                ("csrf", &anonymous),
                ("current_password", PASSWORD),
                ("new_password", "mat-khau-moi-2"),
                ("new_password_confirm", "mat-khau-moi-2"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = browser.post(&app.router, "/dang-xuat", &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let still = browser.get(&app.router, "/tai-khoan").await;
    assert_eq!(still.status, StatusCode::OK, "still signed in");
    // Not a form at all.
    let request = Request::post("/dang-xuat")
        .header(header::COOKIE, browser.cookie_header())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let page = browser.send(&app.router, request).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn anonymous_visitors_go_to_sign_in_and_come_back(store: &Store) {
    let app = app(store).await;
    let mut browser = Browser::default();
    let page = browser.get(&app.router, "/tai-khoan?x=1").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/dang-nhap?next=/tai-khoan%3Fx%3D1");
    let form = browser.get(&app.router, page.location()).await;
    assert!(form.body.contains("name=\"next\" value=\"/tai-khoan?x=1\""));
    let done = browser
        .post(
            &app.router,
            "/dang-nhap",
            &[
                ("csrf", &form.csrf()),
                ("login", CITIZEN),
                ("password", PASSWORD),
                ("next", "/tai-khoan?x=1"),
            ],
        )
        .await;
    assert_eq!(done.location(), "/tai-khoan?x=1");

    // Never to another site.
    let mut other = Browser::default();
    let form = other.get(&app.router, "/dang-nhap").await;
    let done = other
        .post(
            &app.router,
            "/dang-nhap",
            &[
                ("csrf", &form.csrf()),
                ("login", CITIZEN),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(done.location(), "/tai-khoan");

    // The API answers 401 with a problem document instead of redirecting.
    let guarded = guarded(app.state.clone());
    let api = Browser::default().get(&guarded, "/api/v1/thu").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/problem+json"
    );
    assert!(api.body.contains("\"code\":\"unauthenticated\""));
    let page = Browser::default().get(&guarded, "/can-bo/thu").await;
    assert_eq!(page.location(), "/dang-nhap?next=/can-bo/thu");
    let signed_in = browser.get(&guarded, "/api/v1/thu").await;
    assert_eq!(signed_in.status, StatusCode::OK);
}

async fn staff_pages_refuse_citizens_with_403(store: &Store) {
    let app = app(store).await;
    let guarded = guarded(app.state.clone());
    let mut citizen = Browser::default();
    citizen.sign_in(&app.router, CITIZEN, PASSWORD).await;
    let page = citizen.get(&guarded, "/can-bo/thu").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("this page is for staff only"));

    let mut staff = Browser::default();
    let done = staff.sign_in(&app.router, "MotCua.STP", PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = staff.get(&guarded, "/can-bo/thu").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body, "Nguyễn Thị Mai");
}

async fn signing_out_ends_the_session(store: &Store) {
    let app = app(store).await;
    let mut browser = Browser::default();
    browser.sign_in(&app.router, CITIZEN, PASSWORD).await;
    let token = browser.cookies["motcua_session"].clone();
    let mine = browser.get(&app.router, "/tai-khoan").await;
    let out = browser
        .post(&app.router, "/dang-xuat", &[("csrf", &mine.csrf())])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/");
    assert!(
        out.set_cookie("motcua_session")
            .unwrap()
            .contains("Max-Age=0")
    );
    assert!(app.services.find_session(&token).await.unwrap().is_none());

    // The old cookie, replayed, opens nothing.
    let mut replay = Browser::default();
    replay.cookies.insert("motcua_session".into(), token);
    let page = replay.get(&app.router, "/tai-khoan").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let home = replay.get(&app.router, "/").await;
    assert!(home.body.contains("href=\"/dang-nhap\""));
    assert!(!home.body.contains("/dang-xuat"));
    let account = app
        .services
        .find_account_by_login(CITIZEN)
        .await
        .unwrap()
        .unwrap();
    let log = store.load_stream("account", &account.id).await.unwrap();
    let kinds: Vec<_> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "signed_in", "signed_out"]);
    assert!(log[1].meta.request_id.is_some(), "the request id is logged");
}

async fn the_language_switch_still_works(store: &Store) {
    let app = app(store).await;
    let mut browser = Browser::default();
    let switched = browser.get(&app.router, "/lang/en?next=/dang-nhap").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location(), "/dang-nhap");
    let form = browser.get(&app.router, "/dang-nhap").await;
    assert!(form.body.contains("<html lang=\"en\">"));
    assert!(
        form.body
            .contains("Personal identification number, tax code or login name")
    );
    let page = browser
        .post(
            &app.router,
            "/dang-nhap",
            &[
                ("csrf", &form.csrf()),
                ("login", CITIZEN),
                ("password", "x"),
            ],
        )
        .await;
    assert!(page.body.contains("the login or the password is incorrect"));
    assert!(!page.body.contains("không đúng"));
    browser.sign_in(&app.router, CITIZEN, PASSWORD).await;
    let mine = browser.get(&app.router, "/tai-khoan").await;
    assert!(mine.body.contains("Sign out") && mine.body.contains("My account"));
    let back = browser.get(&app.router, "/lang/vi?next=/tai-khoan").await;
    assert_eq!(back.location(), "/tai-khoan");
    let mine = browser.get(&app.router, "/tai-khoan").await;
    assert!(mine.body.contains("Tài khoản của tôi"));
}

async fn citizens_register_then_change_their_password(store: &Store) {
    let app = app(store).await;
    let mut browser = Browser::default();
    let form = browser.get(&app.router, "/dang-ky").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let short = browser
        .post(
            &app.router,
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("personal_id", "024085000123"),
                ("name", "Lê Văn Cường"),
                ("phone", ""),
                ("password", "ngan"),
                ("password_confirm", "ngan"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("mật khẩu phải có ít nhất 8 ký tự"));
    assert!(
        short
            .body
            .contains("aria-describedby=\"password-hint password-error\" aria-invalid=\"true\"")
    );
    assert!(
        short.body.contains("href=\"#password\""),
        "error summary links to the field"
    );
    assert!(short.body.contains("value=\"Lê Văn Cường\""));
    let taken = browser
        .post(
            &app.router,
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("personal_id", CITIZEN),
                ("name", "Lê Văn Cường"),
                ("password", "mat-khau-dai-2"),
                ("password_confirm", "mat-khau-dai-2"),
            ],
        )
        .await;
    assert!(taken.body.contains("Số định danh này đã có tài khoản"));
    let mismatch = browser
        .post(
            &app.router,
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("personal_id", "024085000123"),
                ("name", "Lê Văn Cường"),
                ("password", "mat-khau-dai-2"),
                ("password_confirm", "mat-khau-dai-3"),
            ],
        )
        .await;
    assert!(mismatch.body.contains("id=\"password_confirm-error\""));
    let done = browser
        .post(
            &app.router,
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("personal_id", "024085000123"),
                ("name", "Lê Văn Cường"),
                ("phone", "0912 345 678"),
                ("password", "mat-khau-dai-2"),
                ("password_confirm", "mat-khau-dai-2"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/tai-khoan");
    let mine = browser.get(&app.router, "/tai-khoan").await;
    assert!(mine.body.contains("Lê Văn Cường"));
    assert!(mine.body.contains("0912345678"));

    let session_csrf = mine.csrf();
    let wrong = browser
        .post(
            &app.router,
            "/tai-khoan/mat-khau",
            &[
                ("csrf", &session_csrf),
                ("current_password", "khong-phai"),
                ("new_password", "mat-khau-moi-9"),
                ("new_password_confirm", "mat-khau-moi-9"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("id=\"current_password-error\""));
    let changed = browser
        .post(
            &app.router,
            "/tai-khoan/mat-khau",
            &[
                ("csrf", &session_csrf),
                ("current_password", "mat-khau-dai-2"),
                ("new_password", "mat-khau-moi-9"),
                ("new_password_confirm", "mat-khau-moi-9"),
            ],
        )
        .await;
    assert_eq!(changed.location(), "/tai-khoan?da-doi=1");
    let notice = browser.get(&app.router, changed.location()).await;
    assert!(notice.body.contains("role=\"status\""));
    app.services
        .authenticate("024085000123", &Password::new("mat-khau-moi-9"))
        .await
        .unwrap();
}

contract_tests!(
    signing_in_sets_an_httponly_samesite_session_cookie,
    a_wrong_password_shows_one_message_tied_to_the_form,
    forms_without_a_valid_csrf_token_get_403,
    anonymous_visitors_go_to_sign_in_and_come_back,
    staff_pages_refuse_citizens_with_403,
    signing_out_ends_the_session,
    the_language_switch_still_works,
    citizens_register_then_change_their_password,
);
