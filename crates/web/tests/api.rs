//! The JSON API under `/api/v1`, in-process, on SQLite and on PostgreSQL: a dossier's whole
//! journey through API tokens, credentials and scopes, scope of agencies, bad input of every
//! body (a 4xx naming the field, never a 500), optimistic concurrency, pagination, petition
//! lists, the applicant's supplement with files, dossier files served only within scope, and
//! the OpenAPI document kept in step with the code.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, CITIZEN_A, CITIZEN_B, FINANCE, JUSTICE, PDF, PNG, Page, Portal};
use motcua_domain::event::Role;
use motcua_service::Acting;
use motcua_service::api_tokens::{ApiScope, NewApiToken};
use motcua_storage::Store;
use motcua_test_support::contract_tests;
use serde_json::{Value, json};

/// A procedure of Sở Tư pháp submitted online and at the desk.
const PROCEDURE: &str = "1.000588";

/// Sends `body` (JSON unless `content_type` says otherwise) with `headers`.
async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Page {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    Browser::default()
        .send(app, request.body(Body::from(body)).unwrap())
        .await
}

/// A client holding a bearer token (or nothing).
struct Client<'a> {
    app: &'a Router,
    auth: Vec<(String, String)>,
}

impl<'a> Client<'a> {
    fn bearer(app: &'a Router, secret: &str) -> Client<'a> {
        Client {
            app,
            auth: vec![("authorization".into(), format!("Bearer {secret}"))],
        }
    }

    fn anonymous(app: &'a Router) -> Client<'a> {
        Client {
            app,
            auth: Vec::new(),
        }
    }

    /// Signed in on the pages as `login`: the session cookie, and its CSRF token for writes.
    async fn session(app: &'a Router, login: &str) -> Client<'a> {
        let mut browser = Browser::default();
        browser.sign_in(app, login, common::PORTAL_PASSWORD).await;
        let csrf = browser.get(app, "/tai-khoan").await.csrf();
        Client {
            app,
            auth: vec![
                ("cookie".into(), browser.cookie_header()),
                ("x-csrf-token".into(), csrf),
            ],
        }
    }

    fn headers(&self) -> Vec<(&str, &str)> {
        self.auth
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    async fn get(&self, uri: &str) -> Page {
        send(self.app, "GET", uri, &self.headers(), None, Vec::new()).await
    }

    async fn post(&self, uri: &str, body: &Value) -> Page {
        send(
            self.app,
            "POST",
            uri,
            &self.headers(),
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
        )
        .await
    }

    async fn post_raw(&self, uri: &str, content_type: &str, body: &[u8]) -> Page {
        send(
            self.app,
            "POST",
            uri,
            &self.headers(),
            Some(content_type),
            body.to_vec(),
        )
        .await
    }
}

fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("{e}: {}", page.body))
}

/// Asserts a problem document: status, code, the field named, a bilingual detail.
#[track_caller]
fn assert_problem(page: &Page, status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(page.status, status, "{}", page.body);
    assert_eq!(
        page.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/problem+json",
        "{}",
        page.body
    );
    let problem = json_of(page);
    assert_eq!(problem["code"], code, "{}", page.body);
    assert_eq!(problem["status"], status.as_u16(), "{}", page.body);
    assert!(
        problem["detail"].as_str().unwrap().contains(" / "),
        "Vietnamese / English: {}",
        page.body
    );
    if let Some(field) = field {
        assert_eq!(problem["field"], field, "{}", page.body);
    }
}

/// Issues a token of `agency` in `role` with `scopes`.
async fn token(portal: &Portal, agency: &str, role: Role, scopes: &[ApiScope]) -> String {
    let (secret, _) = portal
        .app
        .services
        .create_api_token(
            &Acting::cli("test"),
            NewApiToken {
                agency: agency.into(),
                role,
                name: format!("{} {}", role.as_str(), scopes.len()),
                scopes: scopes.to_vec(),
                valid_days: 30,
            },
        )
        .await
        .unwrap();
    secret.expose().to_owned()
}

const ALL: [ApiScope; 7] = ApiScope::ALL;

fn desk_intake() -> Value {
    json!({
        "procedure": PROCEDURE,
        "channel": "desk",
        "applicant": {
            "personal_id": CITIZEN_A,
            "name": "Trần Thị Bình",
            "phone": "0912345678",
        },
        "components": [{"name": "Tờ khai", "originals": 1}],
    })
}

/// Takes a step at the dossier's current version.
async fn act(client: &Client<'_>, code: &str, command: Value) -> Value {
    let current = json_of(&client.get(&format!("/api/v1/dossiers/{code}")).await);
    let page = client
        .post(
            &format!("/api/v1/dossiers/{code}/actions"),
            &json!({"expected_version": current["version"], "command": command}),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{command}: {}", page.body);
    json_of(&page)
}

async fn a_dossier_goes_from_intake_to_rating_through_the_api(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    let leader = Client::bearer(app, &token(&portal, JUSTICE, Role::Leader, &ALL).await);

    // The desk receives it: the clock starts.
    let created = desk.post("/api/v1/dossiers", &desk_intake()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let dossier = json_of(&created);
    let code = dossier["code"].as_str().unwrap().to_owned();
    assert!(code.starts_with(JUSTICE), "{code}");
    assert_eq!(dossier["status"], "received");
    assert_eq!(dossier["status_code"], 2);
    assert_eq!(dossier["applicant"]["number"], CITIZEN_A);
    assert!(dossier["due"].is_string(), "an appointment: {dossier}");
    assert!(
        dossier["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "return_result" || a["action"] == "withdraw"),
        "{dossier}"
    );

    // On the desk's worklist.
    let list = json_of(&desk.get("/api/v1/dossiers").await);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == code.as_str()),
        "{list}"
    );

    // The leader processes and decides; the desk hands the result over.
    let moved = act(
        &leader,
        &code,
        json!({"action": "transfer", "step": "Thẩm định", "agency": JUSTICE,
               "budget": {"value": "2", "unit": "working_days"}}),
    )
    .await;
    assert_eq!(moved["status"], "in_progress");
    assert_eq!(moved["steps"][0]["name"], "Thẩm định");
    let finished = act(
        &leader,
        &code,
        json!({"action": "finish", "decision": "approve"}),
    )
    .await;
    assert_eq!(finished["status"], "processed");
    assert_eq!(finished["decision"], "approved");
    let issued = act(
        &leader,
        &code,
        json!({"action": "issue_result", "form": "electronic", "number": "15/GP"}),
    )
    .await;
    assert_eq!(issued["result_form"], "electronic");
    let returned = act(
        &desk,
        &code,
        json!({"action": "return_result", "method": "desk"}),
    )
    .await;
    assert_eq!(returned["status"], "returned");
    assert_eq!(returned["returned_by"], "desk");

    // The history, recorded as the tokens through the API channel.
    let events = json_of(&desk.get(&format!("/api/v1/dossiers/{code}/events")).await);
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"submitted"), "{kinds:?}");
    assert!(kinds.contains(&"result_returned"), "{kinds:?}");
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["channel"] == "api" && e["actor"].as_str().unwrap().starts_with("t:")),
        "{events}"
    );

    // The applicant follows it with the phone from the receipt and rates it, once.
    let public = Client::anonymous(app);
    let tracked = public
        .post(
            "/api/v1/tracking",
            &json!({"code": code, "factor": "0912 345 678"}),
        )
        .await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    let tracked = json_of(&tracked);
    assert_eq!(tracked["status"], "returned");
    assert_eq!(tracked["applicant"], "T*** T*** B***");
    assert_eq!(tracked["can_rate"], true);
    assert!(!tracked.to_string().contains(CITIZEN_A), "nothing personal");
    let wrong = public
        .post(
            "/api/v1/tracking",
            &json!({"code": code, "factor": "0900000000"}),
        )
        .await;
    assert_problem(&wrong, StatusCode::NOT_FOUND, "not_found", None);
    let rated = public
        .post(
            "/api/v1/tracking/rating",
            &json!({"code": code, "factor": "0912345678", "rating": "satisfied"}),
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert_eq!(json_of(&rated)["rating"], "satisfied");
    let again = public
        .post(
            "/api/v1/tracking/rating",
            &json!({"code": code, "factor": "0912345678", "rating": "dissatisfied"}),
        )
        .await;
    assert_problem(&again, StatusCode::UNPROCESSABLE_ENTITY, "refused", None);
}

async fn credentials_scopes_and_agencies_are_enforced(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    let code = json_of(&desk.post("/api/v1/dossiers", &desk_intake()).await)["code"]
        .as_str()
        .unwrap()
        .to_owned();

    // No credential: 401 with the challenge; a bad token: 401 invalid_token.
    let anonymous = Client::anonymous(app);
    let none = anonymous.get("/api/v1/dossiers").await;
    assert_problem(&none, StatusCode::UNAUTHORIZED, "unauthenticated", None);
    assert_eq!(
        none.headers.get(header::WWW_AUTHENTICATE).unwrap(),
        "Bearer realm=\"motcua\""
    );
    let bad = Client::bearer(app, "mct_nonsense")
        .get("/api/v1/procedures")
        .await;
    assert_problem(&bad, StatusCode::UNAUTHORIZED, "unauthenticated", None);

    // A token without the scope: 403 naming it, for reads, writes and the catalogue.
    let catalogue_only = Client::bearer(
        app,
        &token(
            &portal,
            JUSTICE,
            Role::DeskOfficer,
            &[ApiScope::CatalogRead],
        )
        .await,
    );
    let read = catalogue_only
        .get(&format!("/api/v1/dossiers/{code}"))
        .await;
    assert_problem(&read, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(read.body.contains("dossiers:read"), "{}", read.body);
    let write = catalogue_only
        .post("/api/v1/dossiers", &desk_intake())
        .await;
    assert!(write.body.contains("dossiers:write"), "{}", write.body);
    assert_eq!(
        catalogue_only.get("/api/v1/procedures").await.status,
        StatusCode::OK
    );
    let readers = Client::bearer(
        app,
        &token(
            &portal,
            JUSTICE,
            Role::DeskOfficer,
            &[ApiScope::DossiersRead],
        )
        .await,
    );
    let catalogue = readers.get("/api/v1/procedures").await;
    assert_problem(&catalogue, StatusCode::FORBIDDEN, "forbidden", None);
    // The catalogue is public without a credential.
    assert_eq!(
        anonymous.get("/api/v1/procedures").await.status,
        StatusCode::OK
    );

    // A desk officer may not decide.
    let version = json_of(&desk.get(&format!("/api/v1/dossiers/{code}")).await)["version"].clone();
    let decide = desk
        .post(
            &format!("/api/v1/dossiers/{code}/actions"),
            &json!({"expected_version": version, "command": {"action": "stop", "reasons": "x"}}),
        )
        .await;
    assert_problem(&decide, StatusCode::FORBIDDEN, "forbidden", None);

    // Another agency's token neither sees the dossier (404, as if unknown) nor lists it,
    // nor receives for Sở Tư pháp.
    let finance = Client::bearer(app, &token(&portal, FINANCE, Role::Specialist, &ALL).await);
    let hidden = finance.get(&format!("/api/v1/dossiers/{code}")).await;
    assert_problem(&hidden, StatusCode::NOT_FOUND, "not_found", None);
    let events = finance
        .get(&format!("/api/v1/dossiers/{code}/events"))
        .await;
    assert_problem(&events, StatusCode::NOT_FOUND, "not_found", None);
    let act = finance
        .post(
            &format!("/api/v1/dossiers/{code}/actions"),
            &json!({"expected_version": version, "command": {"action": "receive"}}),
        )
        .await;
    assert_problem(&act, StatusCode::NOT_FOUND, "not_found", None);
    let list = json_of(&finance.get("/api/v1/dossiers?status=all").await);
    assert_eq!(list["total"], 0, "{list}");
    let mut foreign = desk_intake();
    foreign["agency"] = json!(JUSTICE);
    let finance_desk = Client::bearer(app, &token(&portal, FINANCE, Role::DeskOfficer, &ALL).await);
    let refused = finance_desk.post("/api/v1/dossiers", &foreign).await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden", None);

    // Statistics of the whole installation: not an agency's token.
    let stats = desk.get("/api/v1/statistics/headline").await;
    assert_problem(&stats, StatusCode::FORBIDDEN, "forbidden", None);
}

async fn bad_input_is_a_4xx_naming_the_field(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    let code = json_of(&desk.post("/api/v1/dossiers", &desk_intake()).await)["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let actions = format!("/api/v1/dossiers/{code}/actions");

    // Not JSON at all, JSON with trailing text, another media type, too large.
    let broken = desk
        .post_raw("/api/v1/dossiers", "application/json", b"{\"procedure\": ")
        .await;
    assert_problem(&broken, StatusCode::BAD_REQUEST, "malformed", Some("body"));
    let trailing = desk
        .post_raw(
            "/api/v1/tracking",
            "application/json",
            b"{\"code\":\"a\",\"factor\":\"b\"} x",
        )
        .await;
    assert_problem(
        &trailing,
        StatusCode::BAD_REQUEST,
        "malformed",
        Some("body"),
    );
    let form = desk
        .post_raw(
            "/api/v1/dossiers",
            "application/x-www-form-urlencoded",
            b"a=1",
        )
        .await;
    assert_problem(
        &form,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        None,
    );
    let huge = format!(
        "{{\"code\": \"{}\", \"factor\": \"x\"}}",
        "A".repeat(300 * 1024)
    );
    let large = desk
        .post_raw("/api/v1/tracking", "application/json", huge.as_bytes())
        .await;
    assert_problem(&large, StatusCode::PAYLOAD_TOO_LARGE, "too_large", None);

    // Each body: a wrong type, a missing field, an unknown enum value, a bad value.
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/api/v1/dossiers",
            json!({"procedure": PROCEDURE, "channel": "fax", "applicant": {"name": "A"}}),
            "channel",
        ),
        (
            "/api/v1/dossiers",
            json!({"procedure": PROCEDURE, "channel": "desk"}),
            "applicant",
        ),
        (
            "/api/v1/dossiers",
            json!({"procedure": PROCEDURE, "channel": "desk", "applicant": {}}),
            "applicant.name",
        ),
        (
            "/api/v1/dossiers",
            json!({"procedure": PROCEDURE, "channel": "desk", "applicant": {"name": "A", "nickname": "B"}}),
            "applicant.nickname",
        ),
        (
            "/api/v1/dossiers",
            json!({"procedure": 12, "channel": "desk", "applicant": {"name": "A"}}),
            "procedure",
        ),
        (
            "/api/v1/dossiers",
            {
                let mut b = desk_intake();
                b["applicant"]["personal_id"] = json!("12345");
                b
            },
            "applicant.personal_id",
        ),
        (
            "/api/v1/dossiers",
            {
                let mut b = desk_intake();
                b["applicant"]["name"] = json!("  ");
                b
            },
            "applicant.name",
        ),
        (
            "/api/v1/dossiers",
            {
                let mut b = desk_intake();
                b["components"] = json!([]);
                b
            },
            "components",
        ),
        (
            "/api/v1/dossiers",
            {
                let mut b = desk_intake();
                b["components"][0]["originals"] = json!(-1);
                b
            },
            "components[0].originals",
        ),
        (
            "/api/v1/dossiers",
            {
                let mut b = desk_intake();
                b["procedure"] = json!("9.999999");
                b
            },
            "procedure",
        ),
        (
            "/api/v1/dossiers",
            {
                let mut b = desk_intake();
                b["intake"] = json!("refuse");
                b
            },
            "reasons",
        ),
        (
            &actions,
            json!({"command": {"action": "receive"}}),
            "expected_version",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "teleport"}}),
            "command.action",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "stop"}}),
            "command.reasons",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "stop", "reasons": " "}}),
            "command.reasons",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "transfer", "step": "A", "agency": "nowhere"}}),
            "command.agency",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "transfer", "step": "A", "agency": JUSTICE, "budget": {"value": "x", "unit": "working_days"}}}),
            "command.budget.value",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "request_payment", "lines": [{"name": "Lệ phí", "amount_vnd": 0}]}}),
            "command.lines[0].amount_vnd",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "extend", "reasons": "x", "due": "tomorrow"}}),
            "command.due",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "finish", "decision": "maybe"}}),
            "command.decision",
        ),
        (
            &actions,
            json!({"expected_version": 1, "command": {"action": "return_result", "method": "pigeon"}}),
            "command.method",
        ),
        (
            "/api/v1/tracking",
            json!({"code": code, "factor": ""}),
            "factor",
        ),
        (
            "/api/v1/tracking",
            json!({"code": "not a code", "factor": "123"}),
            "code",
        ),
        (
            "/api/v1/tracking/rating",
            json!({"code": code, "factor": "1", "rating": "great"}),
            "rating",
        ),
        (
            "/api/v1/petitions",
            json!({"agency": JUSTICE, "class": "procedure", "about": "agency", "title": "", "content": "Nội dung", "contact": {"name": "A"}}),
            "title",
        ),
        (
            "/api/v1/petitions",
            json!({"agency": JUSTICE, "class": "other", "about": "agency", "title": "T", "content": "C", "contact": {"name": "A"}}),
            "class",
        ),
        (
            "/api/v1/petitions",
            json!({"agency": JUSTICE, "class": "staff", "about": "agency", "title": "T", "content": "Nội dung phản ánh", "contact": {"name": "A", "email": "not-an-email"}}),
            "contact.email",
        ),
    ];
    for (uri, body, field) in cases {
        let page = desk.post(uri, &body).await;
        assert!(
            page.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{uri} {body}: {} {}",
            page.status,
            page.body
        );
        assert_problem(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            Some(field),
        );
    }

    // Query parameters.
    for (uri, field) in [
        ("/api/v1/procedures?limit=0", "limit"),
        ("/api/v1/procedures?limit=101", "limit"),
        ("/api/v1/dossiers?limit=abc", "limit"),
        ("/api/v1/dossiers?cursor=xyz", "cursor"),
        ("/api/v1/dossiers?status=lost", "status"),
        ("/api/v1/procedures?level=galaxy", "level"),
        ("/api/v1/procedures?online=maybe", "online"),
    ] {
        let page = desk.get(uri).await;
        assert_problem(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            Some(field),
        );
    }

    // Unknown paths and methods are problems too.
    let missing = desk.get("/api/v1/nothing-here").await;
    assert_problem(&missing, StatusCode::NOT_FOUND, "not_found", None);
    let method = desk.get("/api/v1/tracking").await;
    assert_problem(
        &method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        None,
    );
    let unknown = desk.get("/api/v1/dossiers/000.00.10.H05-991231-9999").await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, "not_found", None);
    let garbage = desk.get("/api/v1/dossiers/%E2%9C%93").await;
    assert_problem(&garbage, StatusCode::NOT_FOUND, "not_found", None);
}

async fn a_stale_version_is_a_conflict(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    let leader = Client::bearer(app, &token(&portal, JUSTICE, Role::Leader, &ALL).await);
    let dossier = json_of(&desk.post("/api/v1/dossiers", &desk_intake()).await);
    let code = dossier["code"].as_str().unwrap();
    let read = dossier["version"].as_i64().unwrap();
    let transfer = json!({"action": "transfer", "step": "Thẩm định", "agency": JUSTICE});
    let first = leader
        .post(
            &format!("/api/v1/dossiers/{code}/actions"),
            &json!({"expected_version": read, "command": transfer}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // A second client acting on what it read before: refused, nothing changed.
    let second = leader
        .post(
            &format!("/api/v1/dossiers/{code}/actions"),
            &json!({"expected_version": read, "command": {"action": "finish", "decision": "approve"}}),
        )
        .await;
    assert_problem(&second, StatusCode::CONFLICT, "conflict", None);
    let now = json_of(&leader.get(&format!("/api/v1/dossiers/{code}")).await);
    assert_eq!(now["status"], "in_progress");
    // A step the status does not allow: refused by the engine.
    let refused = leader
        .post(
            &format!("/api/v1/dossiers/{code}/actions"),
            &json!({"expected_version": now["version"], "command": {"action": "return_result", "method": "desk"}}),
        )
        .await;
    assert!(
        matches!(
            refused.status,
            StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        refused.body
    );
}

/// Walks every page of `uri` (which has a `?`), checking the pages join without gaps.
async fn walk(client: &Client<'_>, uri: &str) -> (Vec<Value>, u64, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next: Option<String> = None;
    let mut total: u64;
    loop {
        let url = match &next {
            None => uri.to_owned(),
            Some(cursor) => format!("{uri}&cursor={cursor}"),
        };
        let page = client.get(&url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.body);
        let page = json_of(&page);
        total = page["total"].as_u64().unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        pages += 1;
        match page["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_owned()),
            None => break,
        }
        assert!(pages < 100, "the pages never end");
    }
    (items, total, pages)
}

async fn lists_come_in_pages(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let public = Client::anonymous(app);

    // The catalogue: diacritics and case ignored, filters, pages that join.
    let (found, total, pages) =
        walk(&public, "/api/v1/procedures?q=DANG%20KY%20KHAI&limit=7").await;
    assert!(total > 7, "{total}");
    assert_eq!(found.len() as u64, total);
    assert_eq!(pages as u64, total.div_ceil(7));
    let codes: BTreeSet<&str> = found.iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), found.len(), "no procedure twice");
    assert!(codes.contains("1.001193"), "birth registration: {codes:?}");
    let commune = json_of(
        &public
            .get("/api/v1/procedures?q=khai%20sinh&level=commune")
            .await,
    );
    assert!(
        commune["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["levels"].as_array().unwrap().contains(&json!("commune"))),
        "{commune}"
    );
    let (all, all_total, _) = walk(&public, "/api/v1/procedures?limit=100").await;
    assert_eq!(all.len() as u64, all_total);
    // A procedure with its online offer.
    let detail = public.get(&format!("/api/v1/procedures/{PROCEDURE}")).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let detail = json_of(&detail);
    assert_eq!(detail["code"], PROCEDURE);
    assert!(
        detail["online"]["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["code"] == JUSTICE),
        "{detail}"
    );
    let unknown = public.get("/api/v1/procedures/9.999999").await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, "not_found", None);

    // Dossiers: five at the desk, read two at a time, nearest appointment first.
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    for _ in 0..5 {
        let created = desk.post("/api/v1/dossiers", &desk_intake()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let (dossiers, total, pages) = walk(&desk, "/api/v1/dossiers?limit=2").await;
    assert_eq!((dossiers.len(), total, pages), (5, 5, 3));
    let dues: Vec<&str> = dossiers
        .iter()
        .map(|d| d["due"].as_str().unwrap())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort_unstable();
    assert_eq!(dues, sorted);
    let code = dossiers[0]["code"].as_str().unwrap();
    let (events, events_total, _) =
        walk(&desk, &format!("/api/v1/dossiers/{code}/events?limit=1")).await;
    assert_eq!(events.len() as u64, events_total);
    assert!(events_total >= 2, "submitted and received");
}

async fn a_citizen_submits_online_and_follows_the_dossier(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let mut browser = Browser::default();
    browser
        .sign_in(app, CITIZEN_A, common::PORTAL_PASSWORD)
        .await;
    let csrf = browser.get(app, "/tai-khoan").await.csrf();
    let cookie = browser.cookie_header();
    let session = [("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];

    // Without the CSRF header, a session may not write.
    let no_csrf = send(
        app,
        "POST",
        "/api/v1/files?name=don.pdf",
        &[("cookie", cookie.as_str())],
        Some("application/pdf"),
        PDF.to_vec(),
    )
    .await;
    assert_problem(&no_csrf, StatusCode::FORBIDDEN, "forbidden", None);
    let not_pdf = send(
        app,
        "POST",
        "/api/v1/files?name=don.pdf",
        &session,
        Some("application/pdf"),
        b"hello".to_vec(),
    )
    .await;
    assert_problem(
        &not_pdf,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("body"),
    );
    let uploaded = send(
        app,
        "POST",
        "/api/v1/files?name=don.pdf",
        &session,
        Some("application/pdf"),
        PDF.to_vec(),
    )
    .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let sha256 = json_of(&uploaded)["sha256"].as_str().unwrap().to_owned();

    let offer = json_of(
        &Client::anonymous(app)
            .get(&format!("/api/v1/procedures/{PROCEDURE}"))
            .await,
    );
    let components = offer["online"]["components"].as_array().unwrap();
    let files: Vec<Value> = components
        .iter()
        .enumerate()
        .filter(|(_, c)| c["required"] == true)
        .map(|(i, _)| json!({"component": i, "sha256": sha256, "name": "don.pdf"}))
        .collect();
    let post = |body: Value| async move {
        send(
            app,
            "POST",
            "/api/v1/dossiers",
            &session,
            Some("application/json"),
            serde_json::to_vec(&body).unwrap(),
        )
        .await
    };
    // Missing files and a bad phone: every problem named.
    let incomplete = post(json!({
        "procedure": PROCEDURE, "channel": "online", "agency": JUSTICE,
        "applicant": {"name": "Trần Thị Bình", "phone": "12"},
    }))
    .await;
    assert_problem(
        &incomplete,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        None,
    );
    let fields: Vec<String> = json_of(&incomplete)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(fields.contains(&"applicant.phone".to_owned()), "{fields:?}");
    assert!(fields.iter().any(|f| f.starts_with("files")), "{fields:?}");
    let unknown_file = post(json!({
        "procedure": PROCEDURE, "channel": "online", "agency": JUSTICE,
        "applicant": {"name": "Trần Thị Bình"},
        "files": [{"component": 0, "sha256": "0".repeat(64), "name": "x.pdf"}],
    }))
    .await;
    assert_problem(
        &unknown_file,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("files[0].sha256"),
    );

    let submitted = post(json!({
        "procedure": PROCEDURE, "channel": "online", "agency": JUSTICE,
        "applicant": {"name": "Trần Thị Bình", "phone": "0912345678"},
        "files": files,
    }))
    .await;
    assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
    let dossier = json_of(&submitted);
    assert_eq!(dossier["status"], "submitted");
    assert_eq!(dossier["channel"], "online");
    assert_eq!(dossier["actions"], json!([]));
    let code = dossier["code"].as_str().unwrap().to_owned();

    // "My dossiers", and the history without officers' identities.
    let mine = send(app, "GET", "/api/v1/dossiers", &session, None, Vec::new()).await;
    let mine = json_of(&mine);
    assert_eq!(mine["total"], 1, "{mine}");
    let history = send(
        app,
        "GET",
        &format!("/api/v1/dossiers/{code}/events"),
        &session,
        None,
        Vec::new(),
    )
    .await;
    let history = json_of(&history);
    assert!(history["items"][0]["actor"].is_null(), "{history}");

    // The desk receives it through its token; a petition about the service follows.
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    let received = act(&desk, &code, json!({"action": "receive"})).await;
    assert_eq!(received["status"], "received");

    let petition = Client::anonymous(app)
        .post(
            "/api/v1/petitions",
            &json!({"agency": JUSTICE, "class": "procedure", "about": "procedure",
                    "procedure": PROCEDURE, "title": "Hỏi về thời hạn",
                    "content": "Xin cho biết thời hạn giải quyết hồ sơ của tôi.",
                    "contact": {"name": "Trần Thị Bình", "phone": "0912345678"}}),
        )
        .await;
    assert_eq!(petition.status, StatusCode::CREATED, "{}", petition.body);
    let petition = json_of(&petition);
    let petition_code = petition["code"].as_str().unwrap();
    assert!(
        !petition.to_string().contains("0912345678"),
        "no contact shown"
    );
    let leader = Client::bearer(app, &token(&portal, JUSTICE, Role::Leader, &ALL).await);
    let answered = leader
        .post(
            &format!("/api/v1/petitions/{petition_code}/actions"),
            &json!({"expected_version": petition["version"],
                    "command": {"action": "answer", "answer": "Thời hạn là 5 ngày làm việc."}}),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    let shown = json_of(
        &Client::anonymous(app)
            .get(&format!("/api/v1/petitions/{petition_code}"))
            .await,
    );
    assert_eq!(shown["status"], "answered");
    assert_eq!(shown["answer"], "Thời hạn là 5 ngày làm việc.");
    let finance = Client::bearer(app, &token(&portal, FINANCE, Role::Leader, &ALL).await);
    let elsewhere = finance
        .post(
            &format!("/api/v1/petitions/{petition_code}/actions"),
            &json!({"expected_version": 1, "command": {"action": "publish"}}),
        )
        .await;
    assert_problem(&elsewhere, StatusCode::NOT_FOUND, "not_found", None);
}

/// Bodies over the server's own limit are refused before any handler runs; the API still
/// answers with a problem document, whether the size was announced or not.
async fn bodies_over_the_server_limit_are_problems(store: &Store) {
    let app = common::app_with(
        store,
        motcua_web::WebConfig {
            max_body_bytes: 1024,
            ..motcua_web::WebConfig::default()
        },
    )
    .await;
    let body = format!("{{\"code\": \"{}\", \"factor\": \"x\"}}", "A".repeat(4096));
    let length = body.len().to_string();
    let announced = send(
        &app.router,
        "POST",
        "/api/v1/tracking",
        &[("content-length", length.as_str())],
        Some("application/json"),
        body.clone().into_bytes(),
    )
    .await;
    assert_problem(&announced, StatusCode::PAYLOAD_TOO_LARGE, "too_large", None);
    let streamed = send(
        &app.router,
        "POST",
        "/api/v1/tracking",
        &[],
        Some("application/json"),
        body.into_bytes(),
    )
    .await;
    assert_problem(&streamed, StatusCode::PAYLOAD_TOO_LARGE, "too_large", None);
}

/// The headline figures, for those who read statistics everywhere.
async fn a_system_administrator_reads_the_headline(store: &Store) {
    use motcua_service::accounts::{NewAccount, Password};
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    for _ in 0..2 {
        let created = desk.post("/api/v1/dossiers", &desk_intake()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    portal
        .app
        .services
        .create_account(
            &Acting::cli("test"),
            NewAccount::Staff {
                login: "quantri.hethong".into(),
                name: "Quản trị hệ thống".into(),
                phone: None,
                role: Role::SystemAdmin,
                agency: None,
                unit: None,
                password: Password::new(common::PORTAL_PASSWORD),
            },
        )
        .await
        .unwrap();
    let mut browser = Browser::default();
    browser
        .sign_in(app, "quantri.hethong", common::PORTAL_PASSWORD)
        .await;
    let cookie = browser.cookie_header();
    let headline = send(
        app,
        "GET",
        "/api/v1/statistics/headline",
        &[("cookie", cookie.as_str())],
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(headline.status, StatusCode::OK, "{}", headline.body);
    let headline = json_of(&headline);
    assert_eq!(headline["received"], 2, "{headline}");
    assert_eq!(headline["desk"], 2, "{headline}");
    let bad = send(
        app,
        "GET",
        "/api/v1/statistics/headline?from=yesterday",
        &[("cookie", cookie.as_str())],
        None,
        Vec::new(),
    )
    .await;
    assert_problem(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("from"),
    );
}

/// Every operation of the document is routed: none answers the fallback's 404 or a 405.
async fn every_documented_operation_is_routed(store: &Store) {
    let app = common::app_with(store, motcua_web::WebConfig::default()).await;
    let document: Value = serde_json::from_str(&motcua_web::api::openapi_json().unwrap()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 14, "{:?}", paths.keys());
    for (path, item) in paths {
        let uri = format!(
            "/api/v1{}",
            path.replace("{code}", "000.00.10.H05-261123-0001")
                .replace("{sha256}", &"0".repeat(64))
        );
        for method in item.as_object().unwrap().keys() {
            let body = if method == "post" {
                b"{}".to_vec()
            } else {
                Vec::new()
            };
            let page = send(
                &app.router,
                &method.to_uppercase(),
                &uri,
                &[],
                Some("application/json"),
                body,
            )
            .await;
            assert_ne!(
                page.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}"
            );
            assert!(
                !page.body.contains("no such resource"),
                "{method} {uri} is documented but not routed: {}",
                page.body
            );
            assert!(page.status.as_u16() < 500, "{method} {uri}: {}", page.body);
        }
    }
    // And the served document is the generated one.
    let served = send(
        &app.router,
        "GET",
        "/api/v1/openapi.json",
        &[],
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.body, motcua_web::api::openapi_json().unwrap());
}

/// A petition to `agency` about the agency itself.
fn petition_to(agency: &str, title: &str) -> Value {
    json!({"agency": agency, "class": "procedure", "about": "agency", "title": title,
           "content": "Xin hướng dẫn thêm về hồ sơ cần nộp.",
           "contact": {"name": "Người gửi", "phone": "0912345678"}})
}

/// Sends a petition; returns its code.
async fn send_petition(client: &Client<'_>, agency: &str, title: &str) -> String {
    let sent = client
        .post("/api/v1/petitions", &petition_to(agency, title))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    json_of(&sent)["code"].as_str().unwrap().to_owned()
}

fn codes_of(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn petitions_are_listed_for_their_senders_and_their_agency(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let a = Client::session(app, CITIZEN_A).await;
    let a1 = send_petition(&a, JUSTICE, "Hỏi về lệ phí").await;
    // Received a day later: a later answer deadline (and a new sign-in, the first expired).
    portal
        .clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 2, 0, 0).unwrap());
    let a = Client::session(app, CITIZEN_A).await;
    let b = Client::session(app, CITIZEN_B).await;
    let a2 = send_petition(&a, JUSTICE, "Hỏi về thời hạn").await;
    let b1 = send_petition(&b, JUSTICE, "Phản ánh thái độ").await;
    let anonymous = Client::anonymous(app);
    let elsewhere = send_petition(&anonymous, FINANCE, "Hỏi Sở Tài chính").await;

    // Senders see their own, newest first, never another's.
    let mine = json_of(&a.get("/api/v1/petitions").await);
    assert_eq!(mine["total"], 2, "{mine}");
    assert_eq!(
        mine["items"][0]["code"],
        a2.as_str(),
        "newest first: {mine}"
    );
    assert_eq!(mine["items"][1]["code"], a1.as_str());
    assert_eq!(mine["items"][0]["status"], "received");
    assert_eq!(mine["items"][0]["late"], false);
    assert!(!mine.to_string().contains("0912345678"), "no contact shown");
    let theirs = json_of(&b.get("/api/v1/petitions").await);
    assert_eq!(
        codes_of(theirs["items"].as_array().unwrap()),
        [b1.clone()].into()
    );

    // The agency's staff see every petition addressed to it, oldest deadline first, in pages.
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    let (listed, total, pages) = walk(&desk, "/api/v1/petitions?limit=2").await;
    assert_eq!((total, pages), (3, 2));
    assert_eq!(
        codes_of(&listed),
        [a1.clone(), a2.clone(), b1.clone()].into()
    );
    assert_eq!(listed[0]["code"], a1.as_str(), "oldest deadline first");
    let dues: Vec<&str> = listed
        .iter()
        .map(|p| p["answer_due"].as_str().unwrap())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort_unstable();
    assert_eq!(dues, sorted);
    // Another agency's staff see only theirs.
    let finance = Client::bearer(app, &token(&portal, FINANCE, Role::Specialist, &ALL).await);
    let theirs = json_of(&finance.get("/api/v1/petitions").await);
    assert_eq!(
        codes_of(theirs["items"].as_array().unwrap()),
        [elsewhere].into()
    );

    // Filtered by status, for staff and senders alike.
    let leader = Client::bearer(app, &token(&portal, JUSTICE, Role::Leader, &ALL).await);
    let read = json_of(&anonymous.get(&format!("/api/v1/petitions/{a1}")).await);
    let answered = leader
        .post(
            &format!("/api/v1/petitions/{a1}/actions"),
            &json!({"expected_version": read["version"],
                    "command": {"action": "answer", "answer": "Lệ phí là 8.000 đồng."}}),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    let only = json_of(&desk.get("/api/v1/petitions?status=answered").await);
    assert_eq!(
        codes_of(only["items"].as_array().unwrap()),
        [a1.clone()].into()
    );
    let open = json_of(
        &desk
            .get("/api/v1/petitions?status=received,%20supplement_provided")
            .await,
    );
    assert_eq!(open["total"], 2, "{open}");
    let all = json_of(&desk.get("/api/v1/petitions?status=all").await);
    assert_eq!(all["total"], 3, "{all}");
    let mine_answered = json_of(&a.get("/api/v1/petitions?status=answered").await);
    assert_eq!(mine_answered["total"], 1, "{mine_answered}");
    assert_eq!(mine_answered["items"][0]["answer"], "Lệ phí là 8.000 đồng.");

    // Credentials and scopes.
    let none = anonymous.get("/api/v1/petitions").await;
    assert_problem(&none, StatusCode::UNAUTHORIZED, "unauthenticated", None);
    let catalogue_only = Client::bearer(
        app,
        &token(
            &portal,
            JUSTICE,
            Role::DeskOfficer,
            &[ApiScope::CatalogRead],
        )
        .await,
    );
    let refused = catalogue_only.get("/api/v1/petitions").await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(refused.body.contains("dossiers:read"), "{}", refused.body);

    // Bad filters name their parameter, for staff and senders.
    for client in [&desk, &a] {
        for (uri, field) in [
            ("/api/v1/petitions?status=lost", "status"),
            ("/api/v1/petitions?status=received,nope", "status"),
            ("/api/v1/petitions?limit=0", "limit"),
            ("/api/v1/petitions?limit=201", "limit"),
            ("/api/v1/petitions?limit=many", "limit"),
            ("/api/v1/petitions?cursor=xyz", "cursor"),
        ] {
            let page = client.get(uri).await;
            assert_problem(
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                Some(field),
            );
            let detail = json_of(&page)["detail"].as_str().unwrap().to_owned();
            let (vi, en) = detail.split_once(" / ").unwrap();
            assert!(
                vi.contains("phải") || vi.contains("không"),
                "Vietnamese first: {detail}"
            );
            assert!(!en.is_empty(), "{detail}");
        }
    }
}

/// Uploads `bytes` as `name` through `POST /files`; returns the `sha256`.
async fn upload(client: &Client<'_>, name: &str, bytes: &[u8]) -> String {
    let uploaded = client
        .post_raw(
            &format!("/api/v1/files?name={}", common::encode(name)),
            "application/octet-stream",
            bytes,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    json_of(&uploaded)["sha256"].as_str().unwrap().to_owned()
}

/// Submits the procedure online as the signed-in `citizen`, with the PDF as `file_name` for
/// each required component; returns the code and the file's `sha256`.
async fn submit_online(citizen: &Client<'_>, file_name: &str) -> (String, String) {
    let sha256 = upload(citizen, file_name, PDF).await;
    let offer = json_of(
        &Client::anonymous(citizen.app)
            .get(&format!("/api/v1/procedures/{PROCEDURE}"))
            .await,
    );
    let files: Vec<Value> = offer["online"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, c)| c["required"] == true)
        .map(|(i, _)| json!({"component": i, "sha256": sha256, "name": file_name}))
        .collect();
    assert!(!files.is_empty(), "{offer}");
    let submitted = citizen
        .post(
            "/api/v1/dossiers",
            &json!({"procedure": PROCEDURE, "channel": "online", "agency": JUSTICE,
                    "applicant": {"name": "Trần Thị Bình", "phone": "0912345678"},
                    "files": files}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
    let code = json_of(&submitted)["code"].as_str().unwrap().to_owned();
    (code, sha256)
}

async fn an_applicant_provides_the_supplement_with_files(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let a = Client::session(app, CITIZEN_A).await;
    let (code, _) = submit_online(&a, "to-khai.pdf").await;
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    let leader = Client::bearer(app, &token(&portal, JUSTICE, Role::Leader, &ALL).await);
    let supplement = format!("/api/v1/dossiers/{code}/supplement");

    // Nothing is awaited yet: refused by the rules, not by the shape.
    let early = a
        .post(&supplement, &json!({"expected_version": 1, "files": []}))
        .await;
    assert_problem(&early, StatusCode::UNPROCESSABLE_ENTITY, "refused", None);

    act(&desk, &code, json!({"action": "receive"})).await;
    act(
        &leader,
        &code,
        json!({"action": "transfer", "step": "Thẩm định", "agency": JUSTICE}),
    )
    .await;
    let asked = act(
        &leader,
        &code,
        json!({"action": "request_supplement", "reasons": "Thiếu giấy chứng sinh"}),
    )
    .await;
    assert_eq!(asked["status"], "supplement_requested");
    // The applicant reads what is asked.
    let shown = json_of(&a.get(&format!("/api/v1/dossiers/{code}")).await);
    assert_eq!(
        shown["supplement_reasons"], "Thiếu giấy chứng sinh",
        "{shown}"
    );
    let version = shown["version"].as_i64().unwrap();
    let sha256 = upload(&a, "chứng sinh.png", PNG).await;
    let body = json!({"expected_version": version,
                      "files": [{"sha256": sha256, "name": "chứng sinh.png"}]});

    // Someone else's dossier is not found; staff and tokens do not send supplements.
    let b = Client::session(app, CITIZEN_B).await;
    let stranger = b.post(&supplement, &body).await;
    assert_problem(&stranger, StatusCode::NOT_FOUND, "not_found", None);
    let finance = Client::bearer(app, &token(&portal, FINANCE, Role::DeskOfficer, &ALL).await);
    let other_agency = finance.post(&supplement, &body).await;
    assert_problem(&other_agency, StatusCode::NOT_FOUND, "not_found", None);
    let staff = desk.post(&supplement, &body).await;
    assert_problem(&staff, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(staff.body.contains("supplement_provided"), "{}", staff.body);
    let readers = Client::bearer(
        app,
        &token(
            &portal,
            JUSTICE,
            Role::DeskOfficer,
            &[ApiScope::DossiersRead],
        )
        .await,
    );
    let no_scope = readers.post(&supplement, &body).await;
    assert_problem(&no_scope, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(
        no_scope.body.contains("dossiers:write"),
        "{}",
        no_scope.body
    );
    let no_csrf = send(
        app,
        "POST",
        &supplement,
        &[("cookie", a.auth[0].1.as_str())],
        Some("application/json"),
        serde_json::to_vec(&body).unwrap(),
    )
    .await;
    assert_problem(&no_csrf, StatusCode::FORBIDDEN, "forbidden", None);

    // Bad input names its field; nothing is recorded.
    let file = json!({"sha256": sha256, "name": "x.png"});
    for (bad, field) in [
        (json!({"files": []}), "expected_version"),
        (json!({"expected_version": "one"}), "expected_version"),
        (
            json!({"expected_version": version, "files": [{"sha256": "0".repeat(64), "name": "x.png"}]}),
            "files[0].sha256",
        ),
        (
            json!({"expected_version": version, "files": [file, {"sha256": "nope", "name": "y.png"}]}),
            "files[1].sha256",
        ),
        (
            json!({"expected_version": version, "files": [{"sha256": sha256}]}),
            "files[0].name",
        ),
        (
            json!({"expected_version": version, "files": [file, file, file, file]}),
            "files",
        ),
        (json!({"expected_version": version, "note": "x"}), "note"),
    ] {
        let page = a.post(&supplement, &bad).await;
        assert_problem(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            Some(field),
        );
    }
    let broken = a
        .post_raw(&supplement, "application/json", b"{\"files\": [")
        .await;
    assert_problem(&broken, StatusCode::BAD_REQUEST, "malformed", Some("body"));
    let stale = a
        .post(
            &supplement,
            &json!({"expected_version": version - 1, "files": []}),
        )
        .await;
    assert_problem(&stale, StatusCode::CONFLICT, "conflict", None);
    let unknown = a
        .post(
            "/api/v1/dossiers/000.00.10.H05-991231-9999/supplement",
            &body,
        )
        .await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, "not_found", None);

    // The supplement: the clock resumes, the file is the dossier's.
    let sent = a.post(&supplement, &body).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let after = json_of(&sent);
    assert_eq!(after["status"], "in_progress", "{after}");
    assert!(after["supplement_reasons"].is_null(), "{after}");
    let again = a.post(&supplement, &body).await;
    assert_problem(&again, StatusCode::UNPROCESSABLE_ENTITY, "refused", None);
    let files = json_of(&a.get(&format!("/api/v1/dossiers/{code}/files")).await);
    let items = files["items"].as_array().unwrap();
    let supplied: Vec<&Value> = items
        .iter()
        .filter(|f| f["source"] == "supplement")
        .collect();
    assert_eq!(supplied.len(), 1, "{files}");
    assert_eq!(supplied[0]["name"], "chứng sinh.png");
    assert_eq!(supplied[0]["media_type"], "image/png");
    assert_eq!(supplied[0]["sha256"], sha256.as_str());
    let history = json_of(&desk.get(&format!("/api/v1/dossiers/{code}/events")).await);
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "supplement_provided" && e["channel"] == "online"),
        "{history}"
    );

    // The written guidance at reception is answered the same way.
    let (guided, _) = submit_online(&a, "don.pdf").await;
    act(
        &desk,
        &guided,
        json!({"action": "guide_intake", "reasons": "Thiếu bản sao giấy tờ tùy thân"}),
    )
    .await;
    let shown = json_of(&a.get(&format!("/api/v1/dossiers/{guided}")).await);
    assert_eq!(
        shown["supplement_reasons"],
        "Thiếu bản sao giấy tờ tùy thân"
    );
    let id_copy = upload(&a, "cccd.pdf", b"%PDF-1.4\n% another file\n%%EOF\n").await;
    let answered = a
        .post(
            &format!("/api/v1/dossiers/{guided}/supplement"),
            &json!({"expected_version": shown["version"],
                    "files": [{"sha256": id_copy, "name": "cccd.pdf"}]}),
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert!(json_of(&answered)["supplement_reasons"].is_null());
    let files = json_of(&desk.get(&format!("/api/v1/dossiers/{guided}/files")).await);
    assert!(
        files["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["source"] == "intake_supplement" && f["sha256"] == id_copy.as_str()),
        "{files}"
    );
}

async fn dossier_files_are_served_only_within_scope(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let a = Client::session(app, CITIZEN_A).await;
    let (code, sha256) = submit_online(&a, "đơn đề nghị.pdf").await;
    let files_uri = format!("/api/v1/dossiers/{code}/files");
    let file_uri = format!("{files_uri}/{sha256}");

    // The list: the submission's files with their components.
    let listed = a.get(&files_uri).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let listed = json_of(&listed);
    let items = listed["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{listed}");
    assert_eq!(listed["total"], items.len());
    assert!(
        items.iter().all(|f| f["source"] == "submission"
            && f["component"].is_string()
            && f["sha256"] == sha256.as_str()
            && f["name"] == "đơn đề nghị.pdf"
            && f["size"] == PDF.len()),
        "{listed}"
    );
    let (paged, total, _) = walk(&a, &format!("{files_uri}?limit=1")).await;
    assert_eq!(paged.len() as u64, total);

    // The applicant downloads it: its bytes, type and name.
    let download = a.get(&file_uri).await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.body);
    assert_eq!(download.body.as_bytes(), PDF);
    assert_eq!(
        download.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/pdf"
    );
    let disposition = download
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''%C4%91%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.pdf"),
        "{disposition}"
    );
    assert_eq!(
        download.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    assert_eq!(
        download
            .headers
            .get(header::X_CONTENT_TYPE_OPTIONS)
            .unwrap(),
        "nosniff"
    );
    let upper = a
        .get(&format!("{files_uri}/{}", sha256.to_uppercase()))
        .await;
    assert_eq!(upper.status, StatusCode::OK);

    // The agency's staff read it too.
    let desk = Client::bearer(app, &token(&portal, JUSTICE, Role::DeskOfficer, &ALL).await);
    let by_staff = desk.get(&file_uri).await;
    assert_eq!(by_staff.status, StatusCode::OK, "{}", by_staff.body);
    assert_eq!(by_staff.body.as_bytes(), PDF);
    assert_eq!(
        json_of(&desk.get(&files_uri).await)["total"],
        listed["total"]
    );

    // Anyone else: not found, as for a dossier that does not exist.
    let b = Client::session(app, CITIZEN_B).await;
    let finance = Client::bearer(app, &token(&portal, FINANCE, Role::Specialist, &ALL).await);
    for client in [&b, &finance] {
        for uri in [&files_uri, &file_uri] {
            let hidden = client.get(uri).await;
            assert_problem(&hidden, StatusCode::NOT_FOUND, "not_found", None);
        }
    }
    // A file the dossier does not have, even one in the store, is not found either.
    let others = upload(&b, "khac.pdf", b"%PDF-1.4\n% not this dossier\n%%EOF\n").await;
    for missing in [
        others.as_str(),
        &"0".repeat(64),
        "not-a-hash",
        "..%2F..%2Fetc",
    ] {
        let page = a.get(&format!("{files_uri}/{missing}")).await;
        assert_problem(&page, StatusCode::NOT_FOUND, "not_found", None);
    }
    let unknown = a
        .get(&format!(
            "/api/v1/dossiers/000.00.10.H05-991231-9999/files/{sha256}"
        ))
        .await;
    assert_problem(&unknown, StatusCode::NOT_FOUND, "not_found", None);
    let garbage = a.get("/api/v1/dossiers/%E2%9C%93/files").await;
    assert_problem(&garbage, StatusCode::NOT_FOUND, "not_found", None);

    // Credentials, scopes and paging.
    let anonymous = Client::anonymous(app);
    assert_problem(
        &anonymous.get(&file_uri).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        None,
    );
    let catalogue_only = Client::bearer(
        app,
        &token(
            &portal,
            JUSTICE,
            Role::DeskOfficer,
            &[ApiScope::CatalogRead],
        )
        .await,
    );
    for uri in [&files_uri, &file_uri] {
        let refused = catalogue_only.get(uri).await;
        assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden", None);
        assert!(refused.body.contains("dossiers:read"), "{}", refused.body);
    }
    for (query, field) in [("limit=0", "limit"), ("cursor=x", "cursor")] {
        let page = a.get(&format!("{files_uri}?{query}")).await;
        assert_problem(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            Some(field),
        );
    }
}

async fn figures_from_elsewhere_are_imported_through_the_api_and_published(store: &Store) {
    let portal = common::portal(store).await;
    let app = &portal.app.router;
    let leader = Client::bearer(app, &token(&portal, JUSTICE, Role::Leader, &ALL).await);
    let figure = |unit: &str, key: &str, value: f64| {
        json!({
            "unit": unit, "month": "2026-11", "key": key, "name": "Tài khoản VNeID được kích hoạt",
            "value": value, "measure": "tài khoản", "source": "Công an tỉnh",
        })
    };
    let done = leader
        .post(
            "/api/v1/kpi/imports",
            &json!({"figures": [figure(JUSTICE, "vneid.kich_hoat", 1520.0)]}),
        )
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(json_of(&done)["imported"], 1);
    // Read back by anyone, marked with its source and when it came.
    let read = Client::anonymous(app)
        .get(&format!("/api/v1/kpi/imports?unit={JUSTICE}&month=2026-11"))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let read = json_of(&read);
    assert_eq!(read[0]["value"], 1520.0);
    assert_eq!(read[0]["source"], "Công an tỉnh");
    assert!(read[0]["imported_at"].is_string());
    // The public results page shows it beside the computed figures, marked as imported.
    let mut b = Browser::default();
    let page = b
        .get(app, &format!("/dieu-hanh?don-vi={JUSTICE}&thang=2026-11"))
        .await;
    assert!(page.body.contains("Số liệu từ nguồn khác"), "{}", page.body);
    assert!(
        page.body
            .contains("Tài khoản VNeID được kích hoạt <span class=\"badge\">nhập</span>")
    );
    assert!(
        page.body
            .contains("<td>1.520 tài khoản</td><td>Công an tỉnh</td>")
    );

    // The province is not the leader's; a read-only token may not import; bad figures are named.
    let province = leader
        .post(
            "/api/v1/kpi/imports",
            &json!({"figures": [figure("24", "a", 1.0)]}),
        )
        .await;
    assert_eq!(province.status, StatusCode::FORBIDDEN, "{}", province.body);
    let reader = Client::bearer(
        app,
        &token(&portal, JUSTICE, Role::Leader, &[ApiScope::StatisticsRead]).await,
    );
    let refused = reader
        .post(
            "/api/v1/kpi/imports",
            &json!({"figures": [figure(JUSTICE, "a", 1.0)]}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("statistics:write"),
        "{}",
        refused.body
    );
    for (body, wanted) in [
        (json!({"figures": [figure(JUSTICE, "Sai Mã", 1.0)]}), "ma:"),
        (json!({"figures": []}), "there are no figures"),
        (
            json!({"figures": [{"unit": JUSTICE, "month": "11/2026", "key": "a", "name": "A", "value": 1, "source": "X"}]}),
            "figures[0].month",
        ),
    ] {
        let bad = leader.post("/api/v1/kpi/imports", &body).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains(wanted), "{wanted}: {}", bad.body);
    }
    let missing = Client::anonymous(app)
        .get("/api/v1/kpi/imports?month=2026-11")
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
}

contract_tests!(
    a_dossier_goes_from_intake_to_rating_through_the_api,
    credentials_scopes_and_agencies_are_enforced,
    bad_input_is_a_4xx_naming_the_field,
    a_stale_version_is_a_conflict,
    lists_come_in_pages,
    a_citizen_submits_online_and_follows_the_dossier,
    every_documented_operation_is_routed,
    bodies_over_the_server_limit_are_problems,
    a_system_administrator_reads_the_headline,
    petitions_are_listed_for_their_senders_and_their_agency,
    an_applicant_provides_the_supplement_with_files,
    dossier_files_are_served_only_within_scope,
    figures_from_elsewhere_are_imported_through_the_api_and_published,
);

/// The committed document (`docs/api/openapi.json`) is the one the code generates.
#[test]
fn the_committed_openapi_document_is_current() {
    let generated = motcua_web::api::openapi_json().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/openapi.json");
    if std::env::var_os("MOTCUA_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/api/openapi.json is not the document the code generates; refresh it with\n    \
         MOTCUA_BLESS=1 cargo test -p motcua-web --test api the_committed_openapi_document_is_current\n\
         and review the difference"
    );
}

/// The document declares what every client needs: the problem schema, both security
/// schemes, OpenAPI 3.1.
#[test]
fn the_document_declares_problems_and_security() {
    let document: Value = serde_json::from_str(&motcua_web::api::openapi_json().unwrap()).unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let components = &document["components"];
    assert!(components["schemas"]["Problem"].is_object());
    assert_eq!(components["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(components["securitySchemes"]["session"]["in"], "cookie");
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["operationId"].is_string() && operation["summary"].is_string(),
                "{method} {path} lacks an id or a summary"
            );
        }
    }
}
