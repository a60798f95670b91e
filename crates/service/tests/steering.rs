//! Steering (issue 7), on SQLite and PostgreSQL: a meeting's conclusion assigns tasks down
//! two levels and the parent rolls its sub-tasks up; who sees and does what; extensions,
//! recurring tasks, cancellation and version conflicts; the figures of a period; news
//! queued with each change and delivered to a webhook with retries; reminders once each.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, TimeDelta};
use motcua_domain::event::Role;
use motcua_domain::kpi::Ratio;
use motcua_domain::kpi::counts::Month;
use motcua_domain::kpi::period::Period;
use motcua_domain::notification::{ChannelKind, DeliveryStatus};
use motcua_domain::steering::{DocumentKind, Meeting, SteeringDocument};
use motcua_domain::task::{
    Assignment, Frequency, Priority, Recurrence, Task, TaskCommand, TaskStatus,
};
use motcua_domain::units::{Agency, AgencyKind};
use motcua_service::accounts::{NewAccount, Password};
use motcua_service::notifications::NotificationSettings;
use motcua_service::steering::{NewTask, TaskFilter, TaskView};
use motcua_service::{Acting, ServiceError, Services};
use motcua_storage::notifications::NotificationQuery;
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;

use common::*;

const COMMITTEE: &str = "000.00.00.H05";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The fixture, with the province's People's Committee registered.
async fn steering_fixture(store: &Store) -> Fixture {
    let f = fixture(store).await;
    f.services
        .register_agency(
            &Acting::cli("test"),
            Agency {
                code: COMMITTEE.parse().unwrap(),
                name: "Ủy ban nhân dân tỉnh Bắc Ninh".into(),
                kind: AgencyKind::ProvincialPeoplesCommittee,
                unit: "24".parse().unwrap(),
                valid_from: Some(day(2025, 7, 1)),
                valid_to: None,
            },
            None,
        )
        .await
        .unwrap();
    f
}

fn assignment(assigner: &str, lead: &str, deadline: NaiveDate) -> Assignment {
    Assignment {
        title: "Số hóa sổ hộ tịch lưu trữ".into(),
        content: "Số hóa và cập nhật vào cơ sở dữ liệu hộ tịch.".into(),
        assigner: assigner.into(),
        lead: lead.into(),
        coordinators: Vec::new(),
        deadline,
        output: "Báo cáo kết quả".into(),
        priority: Priority::High,
        plan: None,
        source: None,
        parent: None,
        series: None,
    }
}

async fn assign_one(s: &Services, acting: &Acting, a: Assignment) -> Task {
    let mut made = s
        .assign_task(
            acting,
            NewTask {
                assignment: a,
                recurrence: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(made.len(), 1);
    made.remove(0)
}

fn report(text: &str) -> TaskCommand {
    TaskCommand::ReportCompletion {
        text: text.into(),
        files: Vec::new(),
    }
}

fn accept() -> TaskCommand {
    TaskCommand::DecideCompletion {
        accepted: true,
        note: String::new(),
    }
}

async fn a_conclusion_assigns_tasks_down_two_levels_and_they_roll_up(store: &Store) {
    let f = steering_fixture(store).await;
    let s = &f.services;
    let (committee, justice, commune) = (
        staff(Role::Leader, COMMITTEE),
        staff(Role::Leader, JUSTICE),
        staff(Role::Specialist, KINH_BAC),
    );
    let meeting = s
        .record_meeting(
            &staff(Role::Specialist, COMMITTEE),
            Meeting {
                id: String::new(),
                host: COMMITTEE.into(),
                body: "Ban Chỉ đạo cải cách hành chính tỉnh".into(),
                title: "Phiên họp tháng 11/2026".into(),
                date: day(2026, 11, 23),
                chair: "Chủ tịch UBND tỉnh".into(),
                participants: vec![JUSTICE.into(), KINH_BAC.into()],
                location: String::new(),
                summary: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(meeting.id, "HOP-2026-0001");
    let document = |kind, number: &str, meeting: Option<String>, public| SteeringDocument {
        id: String::new(),
        owner: COMMITTEE.into(),
        kind,
        number: number.into(),
        date: day(2026, 11, 23),
        issuer: "Ủy ban nhân dân tỉnh Bắc Ninh".into(),
        title: "Văn bản".into(),
        summary: String::new(),
        meeting,
        public_results: public,
    };
    let conclusion = s
        .record_steering_document(
            &committee,
            document(
                DocumentKind::Conclusion,
                "125/TB-UBND",
                Some(meeting.id.clone()),
                false,
            ),
        )
        .await
        .unwrap();
    let plan = s
        .record_steering_document(
            &committee,
            document(DocumentKind::Plan, "12/KH-UBND", None, true),
        )
        .await
        .unwrap();
    assert_eq!(
        s.meeting_for(&committee, &meeting.id)
            .await
            .unwrap()
            .documents[0]
            .id,
        conclusion.id
    );
    // A conclusion is no plan.
    let mut wrong = assignment(COMMITTEE, JUSTICE, day(2026, 12, 15));
    wrong.plan = Some(conclusion.id.clone());
    let err = s
        .assign_task(
            &committee,
            NewTask {
                assignment: wrong,
                recurrence: None,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("plan:"), "{err}");

    let mut a = assignment(COMMITTEE, JUSTICE, day(2026, 12, 15));
    a.plan = Some(plan.id.clone());
    a.source = Some(conclusion.id.clone());
    let parent = assign_one(s, &committee, a).await;
    assert_eq!(parent.id, "NV-2026-00001");
    // Tuesday 15/12/2026 ends at 17:00.
    assert_eq!(parent.due, vn(2026, 12, 15, 17, 0));

    // The lead splits it; a sub-task may not outlast its parent, and only the lead splits.
    let mut late = assignment(JUSTICE, KINH_BAC, day(2026, 12, 16));
    late.parent = Some(parent.id.clone());
    let err = s
        .assign_task(
            &justice,
            NewTask {
                assignment: late,
                recurrence: None,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("deadline:"), "{err}");
    let mut stranger = assignment(FINANCE, KINH_BAC, day(2026, 12, 10));
    stranger.parent = Some(parent.id.clone());
    let err = s
        .assign_task(
            &staff(Role::Leader, FINANCE),
            NewTask {
                assignment: stranger,
                recurrence: None,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("parent:"), "{err}");
    let mut sub = assignment(JUSTICE, KINH_BAC, day(2026, 12, 10));
    sub.parent = Some(parent.id.clone());
    let child = assign_one(s, &justice, sub).await;
    assert_eq!(child.assignment.plan.as_deref(), Some(plan.id.as_str()));

    f.clock.set(vn(2026, 11, 30, 10, 0));
    s.act_on_task(
        &commune,
        &child.id,
        Some(1),
        TaskCommand::ReportProgress {
            percent: 50,
            text: "Đã số hóa một nửa".into(),
            files: Vec::new(),
        },
    )
    .await
    .unwrap();
    let detail = s.task_for(&justice, &parent.id).await.unwrap();
    assert_eq!((detail.children.len(), detail.roll_up), (1, Some(50)));
    assert!(detail.rights.split && !detail.rights.decide);

    f.clock.set(vn(2026, 12, 10, 16, 0));
    s.act_on_task(&commune, &child.id, Some(2), report("Xong"))
        .await
        .unwrap();
    f.clock.set(vn(2026, 12, 14, 9, 0));
    let done = s
        .act_on_task(&justice, &child.id, Some(3), accept())
        .await
        .unwrap();
    // Done when reported, before the assigner looked at it: on time.
    assert_eq!(done.completed_at, Some(vn(2026, 12, 10, 16, 0)));
    assert_eq!(
        s.task_for(&committee, &parent.id).await.unwrap().roll_up,
        Some(100)
    );

    // The parent is reported a minute after its deadline: done late.
    f.clock.set(vn(2026, 12, 15, 17, 1));
    s.act_on_task(&justice, &parent.id, Some(1), report("Hoàn thành"))
        .await
        .unwrap();
    f.clock.set(vn(2026, 12, 16, 9, 0));
    s.act_on_task(&committee, &parent.id, Some(2), accept())
        .await
        .unwrap();
    let detail = s.task_for(&committee, &parent.id).await.unwrap();
    assert_eq!(detail.status, Some(TaskStatus::DoneLate));
    let kinds: Vec<_> = detail
        .history
        .iter()
        .map(|h| h.event.as_ref().unwrap().kind())
        .collect();
    assert_eq!(
        kinds,
        ["assigned", "completion_reported", "completion_decided"]
    );
    assert_eq!(detail.history[0].actor.agency.as_deref(), Some(COMMITTEE));

    // December's figures of the province: the two tasks, by lead and by plan.
    let december = Period::month(Month::new(2026, 12).unwrap());
    let figures = s.task_figures(&committee, "24", december).await.unwrap();
    assert_eq!(figures.total.assigned(), 2);
    assert_eq!(
        (figures.total.done_on_time, figures.total.done_late),
        (1, 1)
    );
    assert_eq!(figures.total.on_time_rate(), Ratio::new(1, 2));
    let justice_row = figures.by_lead.iter().find(|r| r.key == JUSTICE).unwrap();
    assert_eq!(justice_row.counts.done_late, 1);
    assert_eq!(figures.by_plan[0].key, plan.id);
    let behind = s
        .tasks_behind_figure(&committee, "24", december, None, Some(TaskStatus::DoneLate))
        .await
        .unwrap();
    assert_eq!(behind.len(), 1);
    assert_eq!(behind[0].task.id, parent.id);
    // The plan's results are public: the published figures count them too.
    let public = s.public_task_figures("24", december).await.unwrap();
    assert_eq!(public.total.assigned(), 2);
    // A commune's figures count only its own tasks.
    let commune_figures = s
        .task_figures(&committee, KINH_BAC, december)
        .await
        .unwrap();
    assert_eq!(commune_figures.total.done_on_time, 1);
    assert_eq!(commune_figures.total.assigned(), 1);
}

async fn who_sees_and_does_what(store: &Store) {
    let f = steering_fixture(store).await;
    let s = &f.services;
    let committee = staff(Role::Leader, COMMITTEE);
    let justice = staff(Role::Leader, JUSTICE);
    let parent = assign_one(
        s,
        &committee,
        assignment(COMMITTEE, JUSTICE, day(2026, 12, 15)),
    )
    .await;
    let mut sub = assignment(JUSTICE, KINH_BAC, day(2026, 12, 10));
    sub.parent = Some(parent.id.clone());
    let child = assign_one(s, &justice, sub).await;

    // Another department sees neither; the commune sees only its own.
    let finance = staff(Role::Leader, FINANCE);
    for id in [&parent.id, &child.id] {
        let err = s.task_for(&finance, id).await.unwrap_err();
        assert!(
            matches!(err, ServiceError::Store(StoreError::NotFound { .. })),
            "{err}"
        );
    }
    let commune = staff(Role::Specialist, KINH_BAC);
    assert!(s.task_for(&commune, &parent.id).await.is_err());
    assert!(s.task_for(&commune, &child.id).await.is_ok());
    // The province's People's Committee sees its department's sub-task to a commune.
    assert!(s.task_for(&committee, &child.id).await.is_ok());
    // An inspector of the province sees both.
    let inspector = s
        .create_account(
            &Acting::cli("test"),
            NewAccount::Staff {
                login: "thanhtra.test".into(),
                name: "Thanh tra".into(),
                phone: None,
                role: Role::Inspector,
                agency: None,
                unit: Some("24".into()),
                password: Password::new("mat-khau-dai-1"),
            },
        )
        .await
        .unwrap();
    let inspector = Acting::for_account(&inspector, None);
    assert!(s.task_for(&inspector, &child.id).await.is_ok());
    let all = s
        .tasks_for(
            &inspector,
            &TaskFilter {
                per_page: 50,
                ..TaskFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.total, 2);

    // Views of an agency's relation to its tasks.
    let view = |v| TaskFilter {
        view: v,
        per_page: 50,
        ..TaskFilter::default()
    };
    let ids = |page: motcua_service::steering::TaskPage| -> Vec<String> {
        page.tasks.into_iter().map(|l| l.task.id).collect()
    };
    assert_eq!(
        ids(s
            .tasks_for(&justice, &view(TaskView::Leading))
            .await
            .unwrap()),
        [parent.id.as_str()]
    );
    assert_eq!(
        ids(s
            .tasks_for(&justice, &view(TaskView::Assigned))
            .await
            .unwrap()),
        [child.id.as_str()]
    );
    assert_eq!(
        ids(s
            .tasks_for(&committee, &view(TaskView::Below))
            .await
            .unwrap()),
        [child.id.as_str()]
    );
    assert_eq!(
        s.tasks_for(&finance, &view(TaskView::All))
            .await
            .unwrap()
            .total,
        0
    );

    // Roles: a specialist reports but does not assign; the lead does not decide its own.
    let specialist = staff(Role::Specialist, JUSTICE);
    let err = s
        .assign_task(
            &specialist,
            NewTask {
                assignment: assignment(JUSTICE, FINANCE, day(2026, 12, 15)),
                recurrence: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err}");
    // A task is done only once its sub-tasks are; nor is it withdrawn before them.
    let err = s
        .act_on_task(&specialist, &parent.id, Some(1), report("Xong"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("1 sub-task(s) are still open"),
        "{err}"
    );
    let err = s
        .act_on_task(
            &committee,
            &parent.id,
            Some(1),
            TaskCommand::Cancel {
                reason: "Không cần nữa".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Refused(_)), "{err}");
    s.act_on_task(&commune, &child.id, Some(1), report("Xong"))
        .await
        .unwrap();
    s.act_on_task(&justice, &child.id, Some(2), accept())
        .await
        .unwrap();
    s.act_on_task(&specialist, &parent.id, Some(1), report("Xong"))
        .await
        .unwrap();
    let err = s
        .act_on_task(&justice, &parent.id, Some(2), accept())
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err}");
    // A stale version is a conflict, not a lost update.
    let err = s
        .act_on_task(&committee, &parent.id, Some(1), accept())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Store(StoreError::Conflict { .. })),
        "{err}"
    );
    // What awaits whom.
    let todos = s.task_todos(&committee).await.unwrap();
    assert_eq!(todos.to_decide, 1);
    // Unknown agencies and passed deadlines name the field.
    let err = s
        .assign_task(
            &committee,
            NewTask {
                assignment: assignment(COMMITTEE, "999.00.50.H05", day(2026, 12, 15)),
                recurrence: None,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("lead:"), "{err}");
    let err = s
        .assign_task(
            &committee,
            NewTask {
                assignment: assignment(COMMITTEE, JUSTICE, day(2026, 11, 20)),
                recurrence: None,
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("deadline:"), "{err}");
}

async fn extensions_recurring_tasks_and_cancellation(store: &Store) {
    let f = steering_fixture(store).await;
    let s = &f.services;
    let committee = staff(Role::Leader, COMMITTEE);
    let home = staff(Role::Specialist, JUSTICE);
    // Monthly by the 20th until March: four periods; 20/12/2026 is a Sunday.
    let series = s
        .assign_task(
            &committee,
            NewTask {
                assignment: assignment(COMMITTEE, JUSTICE, day(2027, 3, 31)),
                recurrence: Some(Recurrence {
                    frequency: Frequency::Monthly,
                    day: 20,
                    from: day(2026, 11, 23),
                    until: day(2027, 3, 31),
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(series.len(), 4);
    let first = &series[0];
    assert_eq!(first.deadline, day(2026, 12, 20));
    assert_eq!(first.due, vn(2026, 12, 21, 17, 0));
    assert!(
        series
            .iter()
            .all(|t| t.assignment.series.as_ref().unwrap().id == first.id)
    );
    assert_eq!(
        series[1].assignment.series.as_ref().unwrap().period,
        "tháng 01/2027"
    );
    let detail = s.task_for(&committee, &first.id).await.unwrap();
    assert_eq!(detail.series.len(), 3);

    // An extension granted moves the deadline; a refusal needs a reason.
    let asked = s
        .act_on_task(
            &home,
            &first.id,
            Some(1),
            TaskCommand::RequestExtension {
                until: day(2026, 12, 31),
                reason: "Chờ số liệu của xã".into(),
            },
        )
        .await
        .unwrap();
    let err = s
        .act_on_task(
            &committee,
            &first.id,
            Some(asked.version),
            TaskCommand::DecideExtension {
                granted: false,
                note: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("note:"), "{err}");
    let granted = s
        .act_on_task(
            &committee,
            &first.id,
            Some(asked.version),
            TaskCommand::DecideExtension {
                granted: true,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (granted.deadline, granted.due),
        (day(2026, 12, 31), vn(2026, 12, 31, 17, 0))
    );

    // A cancelled period no longer counts.
    s.act_on_task(
        &committee,
        &series[3].id,
        Some(1),
        TaskCommand::Cancel {
            reason: "Giao trùng".into(),
        },
    )
    .await
    .unwrap();
    f.clock.set(vn(2027, 3, 31, 9, 0));
    let q1 = Period::quarter(2027, 1).unwrap();
    let figures = s.task_figures(&committee, JUSTICE, q1).await.unwrap();
    // January, February and December's (extended, still open) periods; March's cancelled.
    assert_eq!(figures.total.assigned(), 3);
    assert_eq!(figures.total.open_overdue, 3);
    let cancelled = s
        .tasks_for(
            &committee,
            &TaskFilter {
                view: TaskView::Assigned,
                cancelled: Some(true),
                per_page: 50,
                ..TaskFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(cancelled.total, 1);
}

/// A webhook receiver on 127.0.0.1 that fails its first `failures` requests with 500 and
/// answers 204 after; it counts the requests and keeps the last body.
async fn receiver(failures: usize) -> (String, Arc<AtomicUsize>, Arc<std::sync::Mutex<String>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let body = Arc::new(std::sync::Mutex::new(String::new()));
    let (c, b) = (count.clone(), body.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0_u8; 64 * 1024];
            let mut read = 0;
            // Read the head and the body the Content-Length announces.
            loop {
                let n = socket.read(&mut buf[read..]).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                read += n;
                let text = String::from_utf8_lossy(&buf[..read]).to_string();
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let length = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if read >= head_end + 4 + length {
                        *b.lock().unwrap() = text[head_end + 4..].to_owned();
                        break;
                    }
                }
            }
            let n = c.fetch_add(1, Ordering::SeqCst);
            let answer = if n < failures {
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\nconnection: close\r\n\r\nfail"
            } else {
                "HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n"
            };
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    (url, count, body)
}

fn transports() -> motcua_notify::Transports {
    motcua_notify::Transports::new(motcua_notify::TransportSettings {
        smtp: None,
        webhook_secret: None,
        timeout: std::time::Duration::from_secs(5),
        // The test's receiver listens on 127.0.0.1.
        allow_private: true,
    })
    .unwrap()
}

async fn news_is_queued_with_each_change_and_delivered_with_retries(store: &Store) {
    let f = steering_fixture(store).await;
    let admin = Acting::cli("test");
    let (url, count, body) = receiver(1).await;
    // The receiver is on this machine: a private address, refused unless the operator allows.
    let err = f
        .services
        .subscribe(&admin, Some(JUSTICE.into()), ChannelKind::Webhook, &url)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("private address"), "{err}");
    let s = &f
        .services
        .clone()
        .with_notification_settings(NotificationSettings {
            allow_private_webhooks: true,
            ..NotificationSettings::default()
        });
    s.subscribe(&admin, Some(JUSTICE.into()), ChannelKind::Webhook, &url)
        .await
        .unwrap();
    // E-mail without a mail server configured: given up at once, and visible.
    s.subscribe(
        &admin,
        Some(JUSTICE.into()),
        ChannelKind::Email,
        "vanthu@stp.bacninh.gov.vn",
    )
    .await
    .unwrap();
    let err = s
        .subscribe(
            &admin,
            Some(JUSTICE.into()),
            ChannelKind::Webhook,
            "ftp://x",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("address:"), "{err}");
    let err = s
        .subscribe(
            &staff(Role::AgencyAdmin, FINANCE),
            Some(JUSTICE.into()),
            ChannelKind::Webhook,
            &url,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err}");

    let committee = staff(Role::Leader, COMMITTEE);
    let task = assign_one(
        s,
        &committee,
        assignment(COMMITTEE, JUSTICE, day(2026, 12, 15)),
    )
    .await;
    let news = |status: Option<&str>| NotificationQuery {
        task: Some(task.id.clone()),
        status: status.map(str::to_owned),
        limit: 50,
        ..NotificationQuery::default()
    };
    let (queued, total) = s.notifications_for(&admin, news(None)).await.unwrap();
    assert!(queued.iter().any(|n| n.address == url));
    // Those who read the task but do not manage the agency's subscriptions do not see where
    // its news goes.
    let (seen, _) = s.notifications_for(&committee, news(None)).await.unwrap();
    assert!(
        seen.iter()
            .all(|n| n.address.is_empty() && n.last_error.is_none())
    );
    assert_eq!(total, 2, "one per subscription, with the assignment");
    assert!(queued.iter().all(|n| n.subject.contains("Nhiệm vụ mới")));

    let round = s.deliver_notifications(&transports(), 50).await.unwrap();
    assert_eq!(
        (round.delivered, round.retrying, round.abandoned),
        (0, 1, 1)
    );
    let (abandoned, _) = s
        .notifications_for(&admin, news(Some("abandoned")))
        .await
        .unwrap();
    assert!(
        abandoned[0].last_error.as_deref().unwrap().contains("smtp"),
        "{:?}",
        abandoned[0].last_error
    );
    // Not due again before its delay.
    let round = s.deliver_notifications(&transports(), 50).await.unwrap();
    assert_eq!(round.delivered + round.retrying, 0);
    f.clock.set(f.services.now() + TimeDelta::minutes(1));
    let round = s.deliver_notifications(&transports(), 50).await.unwrap();
    assert_eq!(round.delivered, 1);
    assert_eq!(count.load(Ordering::SeqCst), 2);
    let sent: serde_json::Value = serde_json::from_str(&body.lock().unwrap()).unwrap();
    assert_eq!(sent["task"]["id"], task.id.as_str());
    let (delivered, _) = s
        .notifications_for(&admin, news(Some("delivered")))
        .await
        .unwrap();
    assert_eq!(
        (delivered[0].attempts, delivered[0].status()),
        (2, DeliveryStatus::Delivered)
    );

    // A notification given up can be queued again by hand.
    let again = s
        .retry_notification(&admin, &abandoned[0].id)
        .await
        .unwrap();
    assert_eq!(again.status(), DeliveryStatus::Pending);

    // Reminders: three working days before Tuesday 15/12 17:00 is Thursday 10/12 17:00.
    f.clock.set(vn(2026, 12, 10, 16, 0));
    assert_eq!(s.queue_reminders().await.unwrap(), 0);
    f.clock.set(vn(2026, 12, 10, 17, 0));
    assert_eq!(s.queue_reminders().await.unwrap(), 2, "both subscriptions");
    assert_eq!(s.queue_reminders().await.unwrap(), 0, "once");
    f.clock.set(vn(2026, 12, 15, 17, 1));
    assert_eq!(
        s.queue_reminders().await.unwrap(),
        2,
        "overdue, to the lead"
    );
    let (all, _) = s.notifications_for(&admin, news(None)).await.unwrap();
    assert!(all.iter().any(|n| n.subject.contains("quá hạn")));
}

contract_tests!(
    a_conclusion_assigns_tasks_down_two_levels_and_they_roll_up,
    who_sees_and_does_what,
    extensions_recurring_tasks_and_cancellation,
    news_is_queued_with_each_change_and_delivered_with_retries,
);
