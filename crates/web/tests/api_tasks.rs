//! Steering through the JSON API, in-process, on SQLite and on PostgreSQL: the province's
//! People's Committee records a meeting and its conclusion and assigns a task to a
//! department with an API token; the lead department reports progress and completion with a file uploaded
//! through `POST /files`; the assigner accepts it through the web session; the task reads
//! done on time and is counted in the lead's figures. Bad input is a 422 naming the field,
//! a stale version a 409, a missing scope a 403, an agency that is no party a 404; task news
//! is queued for the subscribed addresses and listed.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, DA_MAI, FINANCE, KINH_BAC, PDF, Page, Portal};
use motcua_domain::event::Role;
use motcua_service::Acting;
use motcua_service::api_tokens::{ApiScope, NewApiToken};
use motcua_storage::Store;
use motcua_test_support::contract_tests;
use serde_json::{Value, json};

/// The scopes of a token that reads and changes steering.
const TASKS: [ApiScope; 2] = [ApiScope::TasksRead, ApiScope::TasksWrite];

/// A client holding a bearer token, or a session cookie with its CSRF token.
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

    async fn send(
        &self,
        method: &str,
        uri: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Page {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in &self.auth {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        Browser::default()
            .send(self.app, request.body(Body::from(body)).unwrap())
            .await
    }

    async fn get(&self, uri: &str) -> Page {
        self.send("GET", uri, None, Vec::new()).await
    }

    async fn post(&self, uri: &str, body: &Value) -> Page {
        self.send(
            "POST",
            uri,
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
        )
        .await
    }

    async fn delete(&self, uri: &str) -> Page {
        self.send("DELETE", uri, None, Vec::new()).await
    }

    /// Uploads `bytes` as `name` through `POST /files`; returns the `sha256`.
    async fn upload(&self, name: &str, bytes: &[u8]) -> String {
        let uploaded = self
            .send(
                "POST",
                &format!("/api/v1/files?name={}", common::encode(name)),
                Some("application/octet-stream"),
                bytes.to_vec(),
            )
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
        json_of(&uploaded)["sha256"].as_str().unwrap().to_owned()
    }
}

fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("{e}: {}", page.body))
}

/// Asserts a 200 and returns its JSON.
#[track_caller]
fn ok(page: &Page) -> Value {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    json_of(page)
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
    assert!(
        problem["detail"].as_str().unwrap().contains(" / "),
        "Vietnamese / English: {}",
        page.body
    );
    if let Some(field) = field {
        assert_eq!(problem["field"], field, "{}", page.body);
    }
}

/// The province's People's Committee, which assigns the tasks of these tests.
const COMMITTEE: &str = common::PROVINCE_COMMITTEE;

/// The portal's fixture with the province's People's Committee and its leader
/// `lanhdao.ubnd`.
async fn portal(store: &Store) -> Portal {
    let portal = common::portal(store).await;
    let s = &portal.app.services;
    let admin = Acting::cli("test");
    common::register_province_committee(s).await;
    s.create_account(
        &admin,
        motcua_service::accounts::NewAccount::Staff {
            login: "lanhdao.ubnd".into(),
            name: "Lãnh đạo UBND tỉnh".into(),
            phone: None,
            role: Role::Leader,
            agency: Some(COMMITTEE.into()),
            unit: None,
            password: motcua_service::accounts::Password::new(common::PORTAL_PASSWORD),
        },
    )
    .await
    .unwrap();
    portal
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

/// A task for Sở Tài chính, due mid-December (the clock reads 23/11/2026).
fn task_for_finance(source: &str, plan: &str) -> Value {
    json!({
        "title": "Rà soát thủ tục thu phí, lệ phí",
        "content": "Rà soát và đề xuất cắt giảm thủ tục thu phí, lệ phí cấp tỉnh",
        "lead": FINANCE,
        "coordinators": [DA_MAI],
        "deadline": "2026-12-15",
        "output": "Báo cáo kết quả rà soát",
        "priority": "high",
        "source": source,
        "plan": plan,
    })
}

async fn a_task_goes_from_a_meeting_to_the_figures(store: &Store) {
    let portal = portal(store).await;
    let app = &portal.app.router;
    let justice = Client::bearer(app, &token(&portal, COMMITTEE, Role::Leader, &TASKS).await);
    let finance = Client::bearer(
        app,
        &token(&portal, FINANCE, Role::Specialist, &TASKS).await,
    );
    let finance_leader = Client::bearer(app, &token(&portal, FINANCE, Role::Leader, &TASKS).await);
    let finance_admin = Client::bearer(
        app,
        &token(&portal, FINANCE, Role::AgencyAdmin, &TASKS).await,
    );

    // Sở Tài chính's administrators subscribe a webhook to its task news.
    let subscribed = finance_admin
        .post(
            "/api/v1/notification-subscriptions",
            &json!({"channel": "webhook", "address": "https://example.gov.vn/hooks/motcua"}),
        )
        .await;
    assert_eq!(
        subscribed.status,
        StatusCode::CREATED,
        "{}",
        subscribed.body
    );
    let subscription = json_of(&subscribed);
    assert_eq!(
        subscription["agency"], FINANCE,
        "its own agency: {subscription}"
    );
    let subscription_id = subscription["id"].as_str().unwrap().to_owned();

    // Sở Tư pháp records its meeting, the conclusion and a plan.
    let meeting = json_of(
        &justice
            .post(
                "/api/v1/meetings",
                &json!({
                    "body": "Ban Chỉ đạo cải cách hành chính Sở Tư pháp",
                    "title": "Phiên họp tháng 11 năm 2026",
                    "date": "2026-11-20",
                    "chair": "Giám đốc Sở Tư pháp",
                    "participants": [FINANCE],
                }),
            )
            .await,
    );
    let meeting_id = meeting["id"].as_str().unwrap().to_owned();
    assert!(meeting_id.starts_with("HOP-2026-"), "{meeting}");
    assert_eq!(meeting["host"], COMMITTEE);
    let conclusion = justice
        .post(
            "/api/v1/steering-documents",
            &json!({
                "kind": "conclusion",
                "number": "125/TB-STP",
                "date": "2026-11-21",
                "issuer": "Sở Tư pháp tỉnh Bắc Ninh",
                "title": "Kết luận phiên họp tháng 11",
                "meeting": meeting_id,
            }),
        )
        .await;
    assert_eq!(
        conclusion.status,
        StatusCode::CREATED,
        "{}",
        conclusion.body
    );
    let conclusion_id = json_of(&conclusion)["id"].as_str().unwrap().to_owned();
    let plan = json_of(
        &justice
            .post(
                "/api/v1/steering-documents",
                &json!({
                    "kind": "plan",
                    "number": "30/KH-STP",
                    "date": "2026-01-15",
                    "issuer": "Sở Tư pháp tỉnh Bắc Ninh",
                    "title": "Kế hoạch cải cách hành chính năm 2026",
                }),
            )
            .await,
    );
    let plan_id = plan["id"].as_str().unwrap().to_owned();
    let read_meeting = ok(&finance.get(&format!("/api/v1/meetings/{meeting_id}")).await);
    assert_eq!(read_meeting["documents"][0]["id"], conclusion_id.as_str());
    assert_eq!(ok(&justice.get("/api/v1/meetings").await)["total"], 1);
    let plans = ok(&justice
        .get("/api/v1/steering-documents?plans_only=true")
        .await);
    assert_eq!(plans["total"], 1, "{plans}");
    assert_eq!(plans["items"][0]["id"], plan_id.as_str());

    // The leader assigns the task to Sở Tài chính with a token.
    let created = justice
        .post("/api/v1/tasks", &task_for_finance(&conclusion_id, &plan_id))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = json_of(&created);
    let task = &created[0];
    let id = task["id"].as_str().unwrap().to_owned();
    assert_eq!(task["assigner"], COMMITTEE);
    assert_eq!(task["status"], "open_within_time");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["version"], 1);
    assert!(
        task["due"].as_str().unwrap().starts_with("2026-12-15"),
        "{task}"
    );

    // It is in the lead's inbox, not among what it assigned.
    let inbox = ok(&finance.get("/api/v1/tasks").await);
    assert_eq!(inbox["total"], 1, "{inbox}");
    assert_eq!(inbox["items"][0]["id"], id.as_str());
    assert_eq!(
        ok(&finance.get("/api/v1/tasks?view=assigned").await)["total"],
        0
    );
    assert_eq!(
        ok(&justice.get("/api/v1/tasks?view=assigned").await)["total"],
        1
    );

    // The lead department's specialist reports progress…
    let uri = format!("/api/v1/tasks/{id}/actions");
    let progressed = ok(&finance
        .post(
            &uri,
            &json!({"action": "progress", "expected_version": 1, "percent": 60,
                    "text": "Đã rà soát 12/20 thủ tục"}),
        )
        .await);
    assert_eq!(progressed["progress"], 60);
    assert_eq!(progressed["version"], 2);
    assert!(progressed["rights"]["report"].as_bool().unwrap());
    assert!(!progressed["rights"]["decide"].as_bool().unwrap());
    // … and a report on the version it read before is a conflict that changes nothing.
    let stale = finance
        .post(
            &uri,
            &json!({"action": "progress", "expected_version": 1, "percent": 70, "text": "x"}),
        )
        .await;
    assert_problem(&stale, StatusCode::CONFLICT, "conflict", None);
    // The lead cannot decide what it reports.
    let own_decision = finance
        .post(
            &uri,
            &json!({"action": "decide_completion", "expected_version": 2, "accepted": true}),
        )
        .await;
    assert_problem(&own_decision, StatusCode::FORBIDDEN, "forbidden", None);

    // The lead splits its task for a ward.
    let split = finance_leader
        .post(
            "/api/v1/tasks",
            &json!({"title": "Rà soát phí cấp xã", "lead": KINH_BAC, "deadline": "2026-12-10",
                    "parent": id}),
        )
        .await;
    assert_eq!(split.status, StatusCode::CREATED, "{}", split.body);
    let child = json_of(&split)[0].clone();
    assert_eq!(child["parent"], id.as_str());
    assert_eq!(
        child["plan"],
        plan_id.as_str(),
        "the parent's plan: {child}"
    );

    // The ward reports its part done and the department accepts it: the parent may close.
    let ward = Client::bearer(
        app,
        &token(&portal, KINH_BAC, Role::Specialist, &TASKS).await,
    );
    let child_uri = format!("/api/v1/tasks/{}/actions", child["id"].as_str().unwrap());
    ok(&ward
        .post(
            &child_uri,
            &json!({"action": "report_completion", "expected_version": 1, "text": "Xong"}),
        )
        .await);
    ok(&finance_leader
        .post(
            &child_uri,
            &json!({"action": "decide_completion", "expected_version": 2, "accepted": true}),
        )
        .await);

    // Completion, with the evidence uploaded first.
    let sha256 = finance.upload("bao-cao-ra-soat.pdf", PDF).await;
    let reported = ok(&finance
        .post(
            &uri,
            &json!({"action": "report_completion", "expected_version": 2,
                    "text": "Đã rà soát 20/20 thủ tục",
                    "files": [{"sha256": sha256, "name": "Báo cáo rà soát.pdf"}]}),
        )
        .await);
    assert_eq!(reported["awaiting"], "assigner");
    assert_eq!(reported["version"], 3);

    // The assigner's leader accepts it through the web session.
    let leader = Client::session(app, "lanhdao.ubnd").await;
    let before = ok(&leader.get(&format!("/api/v1/tasks/{id}")).await);
    assert!(before["rights"]["decide"].as_bool().unwrap(), "{before}");
    assert_eq!(before["sub_tasks"][0]["id"], child["id"]);
    assert_eq!(before["roll_up"], 100, "the ward's part is done");
    let done = ok(&leader
        .post(
            &uri,
            &json!({"action": "decide_completion", "expected_version": 3, "accepted": true}),
        )
        .await);
    assert_eq!(done["status"], "done_on_time", "{done}");
    assert_eq!(done["awaiting"], "nobody");
    assert_eq!(done["progress"], 100);
    assert_eq!(done["version"], 4);
    let kinds: Vec<&str> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "assigned",
            "progress_reported",
            "completion_reported",
            "completion_decided"
        ]
    );
    let history = &done["history"];
    assert_eq!(history[0]["role"], "leader");
    assert_eq!(history[0]["agency"], COMMITTEE);
    assert_eq!(history[2]["agency"], FINANCE);
    assert_eq!(history[2]["event"]["files"][0]["sha256"], sha256.as_str());
    assert_eq!(
        history[2]["event"]["files"][0]["name"],
        "Báo cáo rà soát.pdf"
    );
    // The evidence downloads for the task's readers.
    let file = justice
        .get(&format!("/api/v1/tasks/{id}/files/{sha256}"))
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(file.bytes, PDF);

    // The conclusion shows its task and counts.
    let document = ok(&justice
        .get(&format!("/api/v1/steering-documents/{conclusion_id}"))
        .await);
    assert_eq!(document["meeting_detail"]["id"], meeting_id.as_str());
    assert!(
        document["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id.as_str()),
        "{document}"
    );
    // The task and its sub-task, which keeps its parent's source.
    assert_eq!(document["counts"]["done_on_time"], 2, "{document}");

    // The lead's figures for November count it, done on time.
    let figures = ok(&finance_leader
        .get(&format!(
            "/api/v1/tasks/statistics?unit={FINANCE}&period=2026-11"
        ))
        .await);
    assert_eq!(figures["period"], "2026-11");
    assert_eq!(figures["total"]["assigned"], 1, "{figures}");
    assert_eq!(figures["total"]["done_on_time"], 1);
    assert_eq!(
        figures["total"]["rates"]["done_on_time"],
        json!({"numerator": 1, "denominator": 1, "value": 1.0})
    );
    assert_eq!(figures["by_lead"][0]["key"], FINANCE);
    assert_eq!(figures["by_plan"][0]["key"], plan_id.as_str());
    let behind = ok(&finance_leader
        .get(&format!(
            "/api/v1/tasks/statistics/tasks?unit={FINANCE}&period=2026-11&status=done_on_time"
        ))
        .await);
    assert_eq!(behind["total"], 1);
    assert_eq!(behind["items"][0]["id"], id.as_str());
    // A department's statistics are not a ward's to read.
    let ward_leader = Client::bearer(app, &token(&portal, KINH_BAC, Role::Leader, &TASKS).await);
    let foreign = ward_leader
        .get(&format!(
            "/api/v1/tasks/statistics?unit={FINANCE}&period=2026-11"
        ))
        .await;
    assert_problem(&foreign, StatusCode::FORBIDDEN, "forbidden", None);

    // The assignment and the decision were queued for the subscribed webhook.
    let news = ok(&finance_admin.get("/api/v1/notifications").await);
    let items = news["items"].as_array().unwrap();
    for kind in ["assigned", "completion_decided"] {
        assert!(
            items.iter().any(|n| n["task"] == id.as_str()
                && n["kind"] == kind
                && n["status"] == "pending"
                && n["channel"] == "webhook"),
            "{kind}: {news}"
        );
    }
    let notification = items[0]["id"].as_str().unwrap();
    let retry = finance_admin
        .post(
            &format!("/api/v1/notifications/{notification}/retry"),
            &json!({}),
        )
        .await;
    assert_problem(&retry, StatusCode::UNPROCESSABLE_ENTITY, "refused", None);
    let bad_status = finance_admin.get("/api/v1/notifications?status=sent").await;
    assert_problem(
        &bad_status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("status"),
    );
    let subscriptions = ok(&finance_admin
        .get("/api/v1/notification-subscriptions")
        .await);
    assert_eq!(subscriptions["total"], 1);
    let ended = finance_admin
        .delete(&format!(
            "/api/v1/notification-subscriptions/{subscription_id}"
        ))
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT, "{}", ended.body);
    let again = finance_admin
        .delete(&format!(
            "/api/v1/notification-subscriptions/{subscription_id}"
        ))
        .await;
    assert_problem(&again, StatusCode::UNPROCESSABLE_ENTITY, "refused", None);

    // A monthly report: one task per period, of one series.
    let series = justice
        .post(
            "/api/v1/tasks",
            &json!({"title": "Báo cáo tình hình thu phí", "lead": FINANCE,
                    "recurrence": {"frequency": "monthly", "day": 20,
                                   "from": "2026-12-01", "until": "2027-02-28"}}),
        )
        .await;
    assert_eq!(series.status, StatusCode::CREATED, "{}", series.body);
    let periods = json_of(&series);
    let deadlines: Vec<&str> = periods
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["deadline"].as_str().unwrap())
        .collect();
    assert_eq!(deadlines, ["2026-12-20", "2027-01-20", "2027-02-20"]);
    assert_eq!(periods[1]["series"]["id"], periods[0]["id"]);
    let second = ok(&finance
        .get(&format!(
            "/api/v1/tasks/{}",
            periods[1]["id"].as_str().unwrap()
        ))
        .await);
    assert_eq!(
        second["series_tasks"].as_array().unwrap().len(),
        2,
        "{second}"
    );
}

async fn scopes_parties_and_bad_input_are_refused(store: &Store) {
    let portal = portal(store).await;
    let app = &portal.app.router;
    let justice = Client::bearer(app, &token(&portal, COMMITTEE, Role::Leader, &TASKS).await);
    let created = justice
        .post(
            "/api/v1/tasks",
            &json!({"title": "Số hóa hồ sơ", "lead": FINANCE, "deadline": "2026-12-31"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = json_of(&created)[0]["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/tasks/{id}/actions");

    // Scopes: reading needs tasks:read, changing tasks:write.
    let reader = Client::bearer(
        app,
        &token(&portal, COMMITTEE, Role::Leader, &[ApiScope::TasksRead]).await,
    );
    assert_eq!(
        reader.get(&format!("/api/v1/tasks/{id}")).await.status,
        StatusCode::OK
    );
    let write = reader
        .post(
            "/api/v1/tasks",
            &json!({"title": "x", "lead": FINANCE, "deadline": "2026-12-31"}),
        )
        .await;
    assert_problem(&write, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(write.body.contains("tasks:write"), "{}", write.body);
    let cancel = reader
        .post(
            &uri,
            &json!({"action": "cancel", "expected_version": 1, "reason": "x"}),
        )
        .await;
    assert_problem(&cancel, StatusCode::FORBIDDEN, "forbidden", None);
    let dossiers_only = Client::bearer(
        app,
        &token(&portal, COMMITTEE, Role::Leader, &[ApiScope::DossiersRead]).await,
    );
    let read = dossiers_only.get("/api/v1/tasks").await;
    assert_problem(&read, StatusCode::FORBIDDEN, "forbidden", None);
    assert!(read.body.contains("tasks:read"), "{}", read.body);
    // A specialist does not assign.
    let specialist = Client::bearer(
        app,
        &token(&portal, COMMITTEE, Role::Specialist, &TASKS).await,
    );
    let assigned = specialist
        .post(
            "/api/v1/tasks",
            &json!({"title": "x", "lead": FINANCE, "deadline": "2026-12-31"}),
        )
        .await;
    assert_problem(&assigned, StatusCode::FORBIDDEN, "forbidden", None);

    // A ward that is no party to the task does not see it: 404, as if unknown.
    let ward = Client::bearer(app, &token(&portal, KINH_BAC, Role::Leader, &TASKS).await);
    assert_problem(
        &ward.get(&format!("/api/v1/tasks/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );
    let acted = ward
        .post(
            &uri,
            &json!({"action": "cancel", "expected_version": 1, "reason": "x"}),
        )
        .await;
    assert_problem(&acted, StatusCode::NOT_FOUND, "not_found", None);
    assert_eq!(ok(&ward.get("/api/v1/tasks?view=all").await)["total"], 0);
    assert_problem(
        &justice.get("/api/v1/tasks/NV-2026-99999").await,
        StatusCode::NOT_FOUND,
        "not_found",
        None,
    );

    // Bad bodies name their field.
    let base = json!({"title": "Số hóa", "lead": FINANCE, "deadline": "2026-12-31"});
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    let mut untitled = base.clone();
    untitled.as_object_mut().unwrap().remove("title");
    for (body, field) in [
        (untitled, "title"),
        (with("title", json!("  ")), "title"),
        (with("deadline", json!("2026-11-01")), "deadline"),
        (with("deadline", json!("31/12/2026")), "deadline"),
        (with("lead", json!("000.00.99.H05")), "lead"),
        (with("lead", json!("Sở Tài chính")), "lead"),
        (with("lead", json!(COMMITTEE)), "lead"),
        (
            with("coordinators", json!(["000.00.98.H05"])),
            "coordinators",
        ),
        (with("priority", json!("extreme")), "priority"),
        (with("plan", json!("VB-2026-9999")), "plan"),
        (with("parent", json!("NV-2026-99999")), "parent"),
        (with("colour", json!("red")), "colour"),
        (
            with(
                "recurrence",
                json!({"frequency": "monthly", "day": 0, "from": "2026-12-01", "until": "2027-03-01"}),
            ),
            "recurrence.day",
        ),
        (
            with(
                "recurrence",
                json!({"frequency": "weekly", "day": 1, "from": "2026-12-01", "until": "2027-03-01"}),
            ),
            "recurrence.frequency",
        ),
    ] {
        let refused = justice.post("/api/v1/tasks", &body).await;
        assert_problem(
            &refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            Some(field),
        );
    }
    let finance = Client::bearer(
        app,
        &token(&portal, FINANCE, Role::Specialist, &TASKS).await,
    );
    for (body, field) in [
        (json!({"action": "finish", "expected_version": 1}), "action"),
        (
            json!({"action": "progress", "expected_version": 1, "text": "x"}),
            "percent",
        ),
        (
            json!({"action": "progress", "expected_version": 1, "percent": 150, "text": "x"}),
            "percent",
        ),
        (
            json!({"action": "progress", "expected_version": 1, "percent": 10}),
            "text",
        ),
        (
            json!({"action": "progress", "expected_version": 1, "percent": 10, "text": "x",
                   "granted": true}),
            "granted",
        ),
        (
            json!({"action": "progress", "expected_version": 1, "percent": 10, "text": "x",
                   "files": ["0000000000000000000000000000000000000000000000000000000000000000"]}),
            "files[0]",
        ),
        (
            json!({"action": "request_extension", "expected_version": 1, "until": "next week",
                   "reason": "x"}),
            "until",
        ),
        (json!({"action": "cancel", "expected_version": 1}), "reason"),
    ] {
        // The lead's specialist reports; the assigner's leader cancels.
        let client = if body["action"] == "cancel" {
            &justice
        } else {
            &finance
        };
        let refused = client.post(&uri, &body).await;
        assert_problem(
            &refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            Some(field),
        );
    }

    // Bad filters and periods name theirs.
    for (uri, field) in [
        ("/api/v1/tasks?status=late", "status"),
        ("/api/v1/tasks?view=mine", "view"),
        ("/api/v1/tasks?cancelled=maybe", "cancelled"),
        ("/api/v1/tasks?unit=99", "unit"),
        ("/api/v1/tasks?limit=0", "limit"),
        ("/api/v1/tasks/statistics?period=2026-13", "period"),
        ("/api/v1/tasks/statistics?period=2027-01", "period"),
        ("/api/v1/tasks/statistics?unit=99&period=2026-11", "unit"),
    ] {
        let refused = justice.get(uri).await;
        assert_problem(
            &refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            Some(field),
        );
    }
    let meeting = justice
        .post(
            "/api/v1/meetings",
            &json!({"body": "Ban Chỉ đạo", "title": "Họp", "date": "20/11/2026", "chair": "x"}),
        )
        .await;
    assert_problem(
        &meeting,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("date"),
    );
    let meeting = justice
        .post(
            "/api/v1/meetings",
            &json!({"body": "Ban Chỉ đạo", "title": "Họp", "date": "2026-11-20", "chair": " "}),
        )
        .await;
    assert_problem(
        &meeting,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("chair"),
    );
    let document = justice
        .post(
            "/api/v1/steering-documents",
            &json!({"kind": "memo", "number": "1", "date": "2026-11-20", "issuer": "x",
                    "title": "x"}),
        )
        .await;
    assert_problem(
        &document,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("kind"),
    );
    let subscription = Client::bearer(
        app,
        &token(&portal, FINANCE, Role::AgencyAdmin, &TASKS).await,
    )
    .post(
        "/api/v1/notification-subscriptions",
        &json!({"channel": "email", "address": "not-an-address"}),
    )
    .await;
    assert_problem(
        &subscription,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        Some("address"),
    );
}

contract_tests!(
    a_task_goes_from_a_meeting_to_the_figures,
    scopes_parties_and_bad_input_are_refused,
);
