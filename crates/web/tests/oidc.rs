//! Sign-in through an external e-ID provider, end to end against a real OpenID provider
//! started by the test on `127.0.0.1:0` (`support::oidc_provider`): the application runs
//! in-process with a browser that keeps cookies, and calls the provider over HTTP for
//! discovery, keys and the token exchange. On SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;
mod support;

use axum::http::StatusCode;
use common::{App, Browser, Page};
use motcua_service::accounts::{NewAccount, Password};
use motcua_storage::Store;
use motcua_test_support::contract_tests;
use motcua_web::WebConfig;
use motcua_web::auth::oidc::{OidcConfig, OidcSecret};
use support::oidc_provider::{
    CLIENT_ID, CLIENT_SECRET, REDIRECT_URL, Tamper, TestProvider, TestUser,
};
use support::{PASSWORD, start_time};

const CITIZEN: &str = "027190123456";
const NAME: &str = "Trần Thị Bình";

fn citizen() -> TestUser {
    TestUser {
        subject: "vneid-7f3a".into(),
        personal_id: Some(CITIZEN.into()),
        name: Some(NAME.into()),
        acr: Some("2".into()),
    }
}

/// The provider, and the application configured to use it.
async fn setup(store: &Store, user: TestUser) -> (TestProvider, App) {
    let provider = TestProvider::start(user, start_time()).await;
    let config = WebConfig {
        oidc: Some(OidcConfig::new(
            provider.issuer.clone(),
            CLIENT_ID,
            Some(OidcSecret::new(CLIENT_SECRET)),
            REDIRECT_URL,
        )),
        ..WebConfig::default()
    };
    let (app, _clock) = support::app(store, config);
    (provider, app)
}

/// The browser's whole trip: the sign-in page, the e-ID button, the provider, and back to
/// the callback. Returns the callback's answer.
async fn sign_in_with_eid(provider: &TestProvider, app: &App, browser: &mut Browser) -> Page {
    let form = browser.get(&app.router, "/dang-nhap").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("href=\"/dang-nhap/eid\""),
        "{}",
        form.body
    );
    let start = browser.get(&app.router, "/dang-nhap/eid").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let to_provider = start.location().to_owned();
    assert!(
        to_provider.starts_with(&format!("{}/authorize?", provider.issuer)),
        "{to_provider}"
    );
    for part in [
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(to_provider.contains(part), "{to_provider}");
    }
    let flow = start.set_cookie("motcua_eid").unwrap();
    assert!(
        flow.contains("HttpOnly") && flow.contains("Max-Age=600"),
        "{flow}"
    );
    let back = provider.visit(&to_provider).await;
    let path = back.strip_prefix("http://motcua.test").unwrap();
    browser.get(&app.router, path).await
}

async fn a_citizen_signs_in_with_e_id_and_gets_an_account_at_level_2(store: &Store) {
    let (provider, app) = setup(store, citizen()).await;
    let mut browser = Browser::default();
    let done = sign_in_with_eid(&provider, &app, &mut browser).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), "/tai-khoan");
    let session = done.set_cookie("motcua_session").unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(
        done.set_cookie("motcua_eid").unwrap().contains("Max-Age=0"),
        "the attempt is used once"
    );
    let mine = browser.get(&app.router, "/tai-khoan").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains(NAME), "{}", mine.body);
    assert!(mine.body.contains("027*******56"));
    assert!(!mine.body.contains(CITIZEN));
    let account = app
        .services
        .find_account_by_login(CITIZEN)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.eid_level, 2);
    assert_eq!(provider.token_requests(), 1);

    let log = store.load_stream("account", &account.id).await.unwrap();
    let kinds: Vec<_> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "eid_linked", "signed_in"]);
    let signed_in = &log[2];
    assert_eq!(signed_in.payload["method"], "eid");
    assert_eq!(signed_in.payload["issuer"], provider.issuer.as_str());
    assert_eq!(signed_in.meta.channel.as_str(), "online");
    let text = signed_in.payload.to_string();
    assert!(!text.contains("at-") && !text.contains("code-"), "{text}");

    // The next time, the same account, found by its link.
    let mut again = Browser::default();
    let done = sign_in_with_eid(&provider, &app, &mut again).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let log = store.load_stream("account", &account.id).await.unwrap();
    assert_eq!(log.last().unwrap().kind, "signed_in");
    assert_eq!(log.len(), 4);
}

async fn an_existing_password_account_is_linked_and_its_password_retired(store: &Store) {
    let (provider, app) = setup(
        store,
        TestUser {
            acr: None,
            ..citizen()
        },
    )
    .await;
    let registered = app
        .services
        .register_citizen(
            NewAccount::Citizen {
                personal_id: CITIZEN.into(),
                name: "Người đăng ký trước".into(),
                phone: None,
                password: Password::new(PASSWORD),
            },
            None,
        )
        .await
        .unwrap();
    let mut squatter = Browser::default();
    let done = squatter.sign_in(&app.router, CITIZEN, PASSWORD).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);

    let mut browser = Browser::default();
    let done = sign_in_with_eid(&provider, &app, &mut browser).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let account = app
        .services
        .find_account(&registered.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.eid_level, 1, "no level claim: level 1");
    assert!(
        app.services
            .find_account_by_login(CITIZEN)
            .await
            .unwrap()
            .is_some()
    );
    // Whoever set the password before the person proved who they are is out.
    let page = squatter.get(&app.router, "/tai-khoan").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let retry = Browser::default()
        .sign_in(&app.router, CITIZEN, PASSWORD)
        .await;
    assert_eq!(retry.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mine = browser.get(&app.router, "/tai-khoan").await;
    assert!(
        mine.body.contains("Người đăng ký trước"),
        "the account kept"
    );
}

async fn a_wrong_state_or_a_missing_attempt_is_refused(store: &Store) {
    let (provider, app) = setup(store, citizen()).await;
    let mut browser = Browser::default();
    let start = browser.get(&app.router, "/dang-nhap/eid").await;
    let back = provider.visit(start.location()).await;
    let path = back.strip_prefix("http://motcua.test").unwrap();
    let (before, state) = path.split_once("state=").unwrap();
    let forged = format!("{before}state=X{state}");
    let page = browser.get(&app.router, &forged).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("không khớp") && page.body.contains("does not match"));
    assert!(page.set_cookie("motcua_session").is_none());
    // Another browser, without the attempt's cookie, cannot complete it either.
    let mut stranger = Browser::default();
    let page = stranger.get(&app.router, path).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.set_cookie("motcua_session").is_none());
    assert_eq!(provider.token_requests(), 0, "no code was spent");
}

/// Starts a sign-in with the provider handing out a spoiled token and expects a 400 page.
async fn refused_for(store: &Store, tamper: Tamper) {
    let (provider, app) = setup(store, citizen()).await;
    provider.set(|s| s.tamper = tamper);
    let mut browser = Browser::default();
    let page = sign_in_with_eid(&provider, &app, &mut browser).await;
    assert_eq!(
        page.status,
        StatusCode::BAD_REQUEST,
        "{tamper:?}: {}",
        page.body
    );
    assert!(
        page.body.contains("could not be verified"),
        "{tamper:?}: {}",
        page.body
    );
    assert!(page.set_cookie("motcua_session").is_none(), "{tamper:?}");
    assert!(
        app.services
            .find_account_by_login(CITIZEN)
            .await
            .unwrap()
            .is_none(),
        "{tamper:?}"
    );
}

async fn a_tampered_id_token_is_refused(store: &Store) {
    refused_for(store, Tamper::Payload).await;
    refused_for(store, Tamper::UnknownKey).await;
}

async fn a_wrong_nonce_is_refused(store: &Store) {
    refused_for(store, Tamper::Nonce).await;
}

async fn a_wrong_audience_is_refused(store: &Store) {
    refused_for(store, Tamper::Audience).await;
}

async fn a_wrong_issuer_or_an_expired_token_is_refused(store: &Store) {
    refused_for(store, Tamper::Issuer).await;
    refused_for(store, Tamper::Expired).await;
}

async fn refused_consent_and_unusable_identities_show_a_bilingual_page(store: &Store) {
    let (provider, app) = setup(store, citizen()).await;
    provider.set(|s| s.deny = true);
    let mut browser = Browser::default();
    let page = sign_in_with_eid(&provider, &app, &mut browser).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("bạn đã không đồng ý") && page.body.contains("you did not agree"));

    // No personal ID, and `sub` is not one either.
    provider.set(|s| {
        s.deny = false;
        s.user.personal_id = None;
    });
    let page = sign_in_with_eid(&provider, &app, &mut Browser::default()).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("valid personal identification number"));

    // `sub` is used when it is itself a personal ID.
    provider.set(|s| s.user.subject = CITIZEN.into());
    let page = sign_in_with_eid(&provider, &app, &mut Browser::default()).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

async fn without_configuration_there_is_no_button_and_no_route(store: &Store) {
    let (app, _) = support::app(store, WebConfig::default());
    let mut browser = Browser::default();
    let form = browser.get(&app.router, "/dang-nhap").await;
    assert!(!form.body.contains("/dang-nhap/eid"));
    let page = browser.get(&app.router, "/dang-nhap/eid").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("not configured"));
}

async fn an_unreachable_provider_gives_502_not_500(store: &Store) {
    let (provider, app) = setup(store, citizen()).await;
    drop(provider);
    let page = Browser::default().get(&app.router, "/dang-nhap/eid").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    assert!(page.body.contains("cannot be reached"));
}

contract_tests!(
    a_citizen_signs_in_with_e_id_and_gets_an_account_at_level_2,
    an_existing_password_account_is_linked_and_its_password_retired,
    a_wrong_state_or_a_missing_attempt_is_refused,
    a_tampered_id_token_is_refused,
    a_wrong_nonce_is_refused,
    a_wrong_audience_is_refused,
    a_wrong_issuer_or_an_expired_token_is_refused,
    refused_consent_and_unusable_identities_show_a_bilingual_page,
    without_configuration_there_is_no_button_and_no_route,
    an_unreachable_provider_gives_502_not_500,
);
