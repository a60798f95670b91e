//! The login rate limit over HTTP: per login and per client address, 429 with a message in
//! the page's language and `Retry-After`, reset by a successful sign-in, time moved by the
//! test's clock (no sleeping). On SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;
mod support;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::TimeDelta;
use common::{App, Browser, Page};
use motcua_storage::Store;
use motcua_test_support::contract_tests;
use motcua_web::WebConfig;
use motcua_web::auth::LoginLimits;
use support::{PASSWORD, start_time};

/// Posts the sign-in form as a browser at `ip` would (the server gives handlers the peer's
/// address as `ConnectInfo`).
async fn attempt(app: &App, browser: &mut Browser, ip: &str, login: &str, password: &str) -> Page {
    let form = browser.get(&app.router, "/dang-nhap").await;
    let body = format!(
        "csrf={}&login={}&password={}",
        form.csrf(),
        common::encode(login),
        common::encode(password)
    );
    let mut request = Request::post("/dang-nhap")
        .header(header::COOKIE, browser.cookie_header())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let peer: SocketAddr = format!("{ip}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    browser.send(&app.router, request).await
}

async fn five_failures_lock_a_login_for_fifteen_minutes_and_success_resets(store: &Store) {
    let (app, clock) = support::app(store, WebConfig::default());
    support::province(&app.services).await;
    let mut browser = Browser::default();
    for n in 0..5 {
        let page = attempt(&app, &mut browser, "10.0.0.1", "motcua.stp", "sai-mat-khau").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}");
    }
    // Even the right password is not tried now.
    let page = attempt(&app, &mut browser, "10.0.0.2", "MotCua.STP", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    assert_eq!(page.headers.get(header::RETRY_AFTER).unwrap(), "900");
    assert!(
        page.body.contains("Hãy thử lại sau 15 phút"),
        "{}",
        page.body
    );
    assert!(page.body.contains("role=\"alert\""));
    assert!(page.set_cookie("motcua_session").is_none());
    // The same in English.
    browser.get(&app.router, "/lang/en?next=/dang-nhap").await;
    let page = attempt(&app, &mut browser, "10.0.0.2", "motcua.stp", PASSWORD).await;
    assert!(
        page.body.contains("Try again in 15 minutes"),
        "{}",
        page.body
    );
    // Other logins are not affected.
    let other = attempt(&app, &mut browser, "10.0.0.1", "quantri.stp", PASSWORD).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);

    clock.set(start_time() + TimeDelta::minutes(15));
    let done = attempt(
        &app,
        &mut Browser::default(),
        "10.0.0.2",
        "motcua.stp",
        PASSWORD,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Success cleared the count: four failures are allowed again.
    for _ in 0..4 {
        attempt(
            &app,
            &mut Browser::default(),
            "10.0.0.3",
            "motcua.stp",
            "sai",
        )
        .await;
    }
    let done = attempt(
        &app,
        &mut Browser::default(),
        "10.0.0.3",
        "motcua.stp",
        PASSWORD,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
}

async fn twenty_failures_from_one_address_lock_it_out_for_every_login(store: &Store) {
    let (app, _clock) = support::app(store, WebConfig::default());
    support::province(&app.services).await;
    let mut browser = Browser::default();
    for n in 0..20 {
        let login = format!("khong-co-{n}");
        let page = attempt(&app, &mut browser, "10.9.9.9", &login, "sai").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}");
    }
    let page = attempt(&app, &mut browser, "10.9.9.9", "quantri.stp", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = attempt(
        &app,
        &mut Browser::default(),
        "10.9.9.8",
        "quantri.stp",
        PASSWORD,
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
}

async fn behind_a_proxy_the_configured_header_names_the_client(store: &Store) {
    let limits = LoginLimits {
        per_login: 100,
        per_ip: 3,
        window_secs: 900,
    };
    for (header_name, separate) in [(Some("x-forwarded-for"), true), (None, false)] {
        let (app, _clock) = support::app(
            store,
            WebConfig {
                client_ip_header: header_name.map(str::to_owned),
                login_limits: limits,
                ..WebConfig::default()
            },
        );
        // Every request comes from the proxy; the header names the client.
        let through_proxy = |client: &'static str| {
            let app = &app;
            async move {
                let mut browser = Browser::default();
                let form = browser.get(&app.router, "/dang-nhap").await;
                let body = format!("csrf={}&login=khong-co&password=sai", form.csrf());
                let mut request = Request::post("/dang-nhap")
                    .header(header::COOKIE, browser.cookie_header())
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header("x-forwarded-for", format!("203.0.113.7, {client}"))
                    .body(Body::from(body))
                    .unwrap();
                let proxy: SocketAddr = "127.0.0.1:50000".parse().unwrap();
                request.extensions_mut().insert(ConnectInfo(proxy));
                browser.send(&app.router, request).await.status
            }
        };
        for _ in 0..3 {
            assert_eq!(
                through_proxy("198.51.100.1").await,
                StatusCode::UNPROCESSABLE_ENTITY
            );
        }
        assert_eq!(
            through_proxy("198.51.100.1").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        let other = through_proxy("198.51.100.2").await;
        if separate {
            assert_eq!(other, StatusCode::UNPROCESSABLE_ENTITY, "another client");
        } else {
            assert_eq!(
                other,
                StatusCode::TOO_MANY_REQUESTS,
                "all share the proxy's address"
            );
        }
    }
}

contract_tests!(
    five_failures_lock_a_login_for_fifteen_minutes_and_success_resets,
    twenty_failures_from_one_address_lock_it_out_for_every_login,
    behind_a_proxy_the_configured_header_names_the_client,
);
