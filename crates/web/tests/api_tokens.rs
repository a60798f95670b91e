//! API tokens over HTTP: the management page of agency administrators, and the
//! [`ApiCaller`] extractor API handlers use (bearer token or session cookie, scopes, 401 and
//! 403 answers), on SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;
mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use chrono::TimeDelta;
use common::{App, Browser, Page};
use motcua_service::api_tokens::{ApiScope, NewApiToken};
use motcua_service::{Acting, Services};
use motcua_storage::Store;
use motcua_test_support::contract_tests;
use motcua_web::auth::ApiCaller;
use motcua_web::error::ApiError;
use motcua_web::{AppState, WebConfig};
use support::{AGENCY, OTHER_AGENCY, PASSWORD};

/// An API handler as colleagues write them: scope first, then the work.
async fn dossiers(caller: ApiCaller) -> Result<String, ApiError> {
    caller.require_scope(ApiScope::DossiersRead)?;
    Ok(format!(
        "{} {} {}",
        caller.acting.actor.id,
        caller.agency().unwrap_or("-"),
        caller.acting.channel.as_str()
    ))
}

async fn statistics(caller: ApiCaller) -> Result<&'static str, ApiError> {
    caller.require_scope(ApiScope::StatisticsRead)?;
    Ok("ok")
}

fn api(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/thu/ho-so", get(dossiers).post(dossiers))
        .route("/api/v1/thu/thong-ke", get(statistics))
        .with_state(state)
}

async fn call(router: &Router, method: &str, uri: &str, headers: &[(&str, &str)]) -> Page {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    Browser::default()
        .send(router, request.body(Body::empty()).unwrap())
        .await
}

async fn setup(store: &Store) -> (App, motcua_service::FixedClock) {
    let (app, clock) = support::app(store, WebConfig::default());
    support::province(&app.services).await;
    (app, clock)
}

async fn acting(services: &Services, login: &str) -> Acting {
    let account = services
        .find_account_by_login(login)
        .await
        .unwrap()
        .unwrap();
    Acting::for_account(&account, None)
}

async fn a_bearer_token_acts_for_its_agency_within_its_scopes(store: &Store) {
    let (app, clock) = setup(store).await;
    let admin = acting(&app.services, "quantri.stp").await;
    let (secret, token) = app
        .services
        .create_api_token(
            &admin,
            NewApiToken {
                agency: AGENCY.into(),
                role: motcua_domain::event::Role::DeskOfficer,
                name: "Đồng bộ".into(),
                scopes: vec![ApiScope::DossiersRead],
                valid_days: 7,
            },
        )
        .await
        .unwrap();
    let api = api(app.state.clone());
    let bearer = format!("Bearer {}", secret.expose());

    let ok = call(
        &api,
        "GET",
        "/api/v1/thu/ho-so",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body, format!("{} {AGENCY} api", token.id));
    // A token needs no CSRF header: it is not sent by browsers on their own.
    let post = call(
        &api,
        "POST",
        "/api/v1/thu/ho-so",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(post.status, StatusCode::OK);

    let forbidden = call(
        &api,
        "GET",
        "/api/v1/thu/thong-ke",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/problem+json"
    );
    assert!(
        forbidden.body.contains("statistics:read"),
        "{}",
        forbidden.body
    );

    let missing = call(&api, "GET", "/api/v1/thu/ho-so", &[]).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        missing.headers.get(header::WWW_AUTHENTICATE).unwrap(),
        "Bearer realm=\"motcua\""
    );
    assert!(missing.body.contains("\"code\":\"unauthenticated\""));
    for wrong in ["Bearer mct_0000", "Bearer ", "bearer nonsense"] {
        let page = call(
            &api,
            "GET",
            "/api/v1/thu/ho-so",
            &[("authorization", wrong)],
        )
        .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{wrong}");
        assert_eq!(
            page.headers.get(header::WWW_AUTHENTICATE).unwrap(),
            "Bearer realm=\"motcua\", error=\"invalid_token\""
        );
    }

    // Expired, then revoked: 401 as well.
    clock.set(token.expires_at);
    let expired = call(
        &api,
        "GET",
        "/api/v1/thu/ho-so",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    clock.set(token.expires_at - TimeDelta::hours(1));
    app.services
        .revoke_api_token(&admin, &token.id)
        .await
        .unwrap();
    let revoked = call(
        &api,
        "GET",
        "/api/v1/thu/ho-so",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert!(revoked.headers.get(header::WWW_AUTHENTICATE).is_some());
}

async fn a_session_cookie_works_on_the_api_with_the_csrf_header_for_changes(store: &Store) {
    let (app, _) = setup(store).await;
    let api = api(app.state.clone());
    let mut browser = Browser::default();
    browser.sign_in(&app.router, "motcua.stp", PASSWORD).await;
    let mine = browser.get(&app.router, "/tai-khoan").await;
    let csrf = mine.csrf();
    let cookie = browser.cookie_header();
    let get = call(&api, "GET", "/api/v1/thu/ho-so", &[("cookie", &cookie)]).await;
    assert_eq!(get.status, StatusCode::OK, "{}", get.body);
    assert!(
        get.body.ends_with(&format!("{AGENCY} desk")),
        "{}",
        get.body
    );
    let post = call(&api, "POST", "/api/v1/thu/ho-so", &[("cookie", &cookie)]).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert!(post.body.contains("x-csrf-token"));
    let post = call(
        &api,
        "POST",
        "/api/v1/thu/ho-so",
        &[("cookie", &cookie), ("x-csrf-token", &csrf)],
    )
    .await;
    assert_eq!(post.status, StatusCode::OK);
    // Sessions carry every scope; their role decides as on the pages.
    let stats = call(&api, "GET", "/api/v1/thu/thong-ke", &[("cookie", &cookie)]).await;
    assert_eq!(stats.status, StatusCode::OK);
}

async fn agency_admins_issue_and_revoke_tokens_on_their_page(store: &Store) {
    let (app, _) = setup(store).await;
    let api = api(app.state.clone());
    let mut admin = Browser::default();
    admin.sign_in(&app.router, "quantri.stp", PASSWORD).await;
    let mine = admin.get(&app.router, "/tai-khoan").await;
    assert!(mine.body.contains("href=\"/tai-khoan/khoa-api\""));
    let page = admin.get(&app.router, "/tai-khoan/khoa-api").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(page.body.contains("name=\"scope.dossiers:read\""));
    assert!(page.body.contains(&format!("value=\"{AGENCY}\" readonly")));
    let csrf = page.csrf();

    let invalid = admin
        .post(
            &app.router,
            "/tai-khoan/khoa-api",
            &[
                ("csrf", &csrf),
                ("name", "Đồng bộ DVCQG"),
                ("role", "desk_officer"),
                ("valid_days", "90"),
            ],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid.body.contains("id=\"scopes-error\""),
        "{}",
        invalid.body
    );
    assert!(invalid.body.contains("value=\"Đồng bộ DVCQG\""));

    let created = admin
        .post(
            &app.router,
            "/tai-khoan/khoa-api",
            &[
                ("csrf", &csrf),
                ("name", "Đồng bộ DVCQG"),
                ("agency", OTHER_AGENCY),
                ("role", "desk_officer"),
                ("scope.dossiers:read", "on"),
                ("scope.catalog:read", "on"),
                ("valid_days", "90"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let start = created.body.find("<code id=\"new-token\">").unwrap() + 21;
    let secret = created.body[start..].split('<').next().unwrap().to_owned();
    assert!(secret.starts_with("mct_"), "{secret}");
    assert!(
        created.body.contains("dossiers:read catalog:read")
            || created.body.contains("catalog:read dossiers:read")
    );
    // The agency field of an agency administrator is their own, whatever the form says.
    let tokens = app
        .services
        .list_api_tokens(&acting(&app.services, "quantri.stp").await, Some(AGENCY))
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    let bearer = format!("Bearer {secret}");
    let ok = call(
        &api,
        "GET",
        "/api/v1/thu/ho-so",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);

    let again = admin.get(&app.router, "/tai-khoan/khoa-api").await;
    assert!(!again.body.contains(&secret), "shown once");
    assert!(again.body.contains(&tokens[0].id));
    let revoked = admin
        .post(
            &app.router,
            "/tai-khoan/khoa-api/thu-hoi",
            &[("csrf", &csrf), ("id", &tokens[0].id)],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(revoked.location(), "/tai-khoan/khoa-api?da-thu-hoi=1");
    let page = admin.get(&app.router, revoked.location()).await;
    assert!(page.body.contains("role=\"status\""));
    let refused = call(
        &api,
        "GET",
        "/api/v1/thu/ho-so",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    // Forms need the session's CSRF token.
    let forged = admin
        .post(
            &app.router,
            "/tai-khoan/khoa-api",
            &[("name", "x"), ("role", "desk_officer"), ("valid_days", "1")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

async fn desk_officers_have_no_token_page_and_system_admins_choose_the_agency(store: &Store) {
    let (app, _) = setup(store).await;
    let mut desk = Browser::default();
    desk.sign_in(&app.router, "motcua.stp", PASSWORD).await;
    let mine = desk.get(&app.router, "/tai-khoan").await;
    assert!(!mine.body.contains("/tai-khoan/khoa-api"));
    let page = desk.get(&app.router, "/tai-khoan/khoa-api").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let mut sysadmin = Browser::default();
    sysadmin
        .sign_in(&app.router, "quantri.hethong", PASSWORD)
        .await;
    let page = sysadmin.get(&app.router, "/tai-khoan/khoa-api").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"agency\""));
    let created = sysadmin
        .post(
            &app.router,
            "/tai-khoan/khoa-api",
            &[
                ("csrf", &page.csrf()),
                ("name", "Báo cáo"),
                ("agency", OTHER_AGENCY),
                ("role", "agency_admin"),
                ("scope.statistics:read", "on"),
                ("valid_days", "30"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.body.contains(OTHER_AGENCY));
}

contract_tests!(
    a_bearer_token_acts_for_its_agency_within_its_scopes,
    a_session_cookie_works_on_the_api_with_the_csrf_header_for_changes,
    agency_admins_issue_and_revoke_tokens_on_their_page,
    desk_officers_have_no_token_page_and_system_admins_choose_the_agency,
);
