//! The demo province's year of steering (issue 7): the province's People's Committee
//! (`000.00.00.H05`) records its annual reform plan (results public), its Project 06 plan
//! (a decision, results public), a directive and the Government's conclusion; its reform
//! steering committee meets every month and each meeting's conclusion assigns tasks; the
//! departments and the provincial police split some of theirs to communes; a monthly and
//! a quarterly report recur. Every task is then lived through the real use cases on a clock
//! moved to each step: progress reported, some extensions asked (most granted), most done
//! on time, some late, a few returned once, some still open — within time or overdue — at
//! the history's end.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::steering::{DocumentKind, Meeting, SteeringDocument};
use motcua_domain::task::{Assignment, Frequency, Priority, Recurrence, Task, TaskCommand};
use motcua_domain::units::{Agency, AgencyKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{DEPARTMENTS, MERGED, PROVINCE, invalid};
use crate::steering::NewTask;
use crate::{Acting, FixedClock, ServiceResult, Services};

/// The province's People's Committee, which steers: the 1st-level body of `H05`.
pub const PEOPLES_COMMITTEE: &str = "000.00.00.H05";

/// What the steering demo recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct SteeringReport {
    /// Meetings recorded.
    pub meetings: u64,
    /// Documents recorded.
    pub documents: u64,
    /// Tasks assigned (sub-tasks and each period of a recurring task included).
    pub tasks: u64,
}

const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(o) => o,
    None => unreachable!(),
};

/// `date` at `hour`:00 local time.
fn local(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN);
    date.and_time(time)
        .and_local_timezone(VIETNAM)
        .single()
        .map_or_else(|| date.and_time(time).and_utc(), |d| d.to_utc())
}

fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&VIETNAM).date_naive()
}

/// A department's code by its symbol (`STP` → `000.00.10.H05`).
fn department(symbol: &str) -> String {
    DEPARTMENTS
        .iter()
        .find(|d| d.symbol == symbol)
        .map_or_else(|| PEOPLES_COMMITTEE.to_owned(), |d| d.code())
}

/// A commune's People's Committee by its number (1 = `001.00.50.H05`).
fn commune(n: usize) -> String {
    format!("{n:03}.00.50.H05")
}

/// An actor of the demo for `agency` in `role`, acting through the portal.
fn actor(agency: &str, role: Role) -> Acting {
    let who = match role {
        Role::Leader => "lanhdao",
        _ => "chuyenvien",
    };
    Acting {
        actor: Actor {
            id: format!("demo:{who}.{agency}"),
            role,
            agency: Some(agency.to_owned()),
        },
        channel: Channel::Online,
        request_id: None,
    }
}

/// A task as the demo gives it.
struct Given {
    title: &'static str,
    lead: String,
    coordinators: Vec<String>,
    deadline: NaiveDate,
    priority: Priority,
    output: &'static str,
}

/// What a task is linked to: its plan, the document it comes from, its parent.
#[derive(Clone, Copy)]
struct Links<'a> {
    plan: Option<&'a str>,
    source: Option<&'a str>,
    parent: Option<&'a str>,
}

/// The annual plan's tasks for the departments: (title, lead symbol, months to the
/// deadline, expected output).
const PLAN_TASKS: [(&str, &str, u32, &str); 10] = [
    (
        "Rà soát, đề xuất phương án đơn giản hóa thủ tục hành chính lĩnh vực hộ tịch, chứng thực",
        "STP",
        4,
        "Phương án đơn giản hóa trình UBND tỉnh",
    ),
    (
        "Khảo sát mức độ hài lòng của người dân, doanh nghiệp đối với sự phục vụ của cơ quan hành chính",
        "SNV",
        10,
        "Báo cáo kết quả khảo sát",
    ),
    (
        "Cung cấp dịch vụ công trực tuyến toàn trình cho 100% thủ tục đủ điều kiện lĩnh vực tài chính",
        "STC",
        6,
        "Danh mục dịch vụ công trực tuyến được cung cấp",
    ),
    (
        "Rút ngắn 30% thời gian giải quyết thủ tục cấp giấy phép xây dựng",
        "SXD",
        5,
        "Quyết định công bố thời hạn giải quyết mới",
    ),
    (
        "Số hóa hồ sơ địa chính, kết nối cơ sở dữ liệu đất đai với Hệ thống thông tin giải quyết thủ tục hành chính",
        "SNNMT",
        9,
        "Báo cáo kết quả số hóa",
    ),
    (
        "Triển khai giấy khám sức khỏe điện tử liên thông với dịch vụ cấp giấy phép lái xe",
        "SYT",
        7,
        "Báo cáo kết quả triển khai",
    ),
    (
        "Đẩy mạnh thanh toán trực tuyến phí, lệ phí giải quyết thủ tục hành chính",
        "SCT",
        8,
        "Tỷ lệ hồ sơ thanh toán trực tuyến",
    ),
    (
        "Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính tỉnh đáp ứng Bộ chỉ số 766",
        "SKHCN",
        6,
        "Hệ thống được nâng cấp, nghiệm thu",
    ),
    (
        "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc trên môi trường điện tử",
        "SGDĐT",
        11,
        "Quy trình điện tử được áp dụng",
    ),
    (
        "Tuyên truyền, hướng dẫn người dân sử dụng dịch vụ công trực tuyến tại các điểm du lịch, văn hóa",
        "SVHTTDL",
        3,
        "Báo cáo kết quả tuyên truyền",
    ),
];

/// Project 06's tasks for the provincial police: (title, months, output).
const PROJECT_06_TASKS: [(&str, u32, &str); 4] = [
    (
        "Thu nhận hồ sơ cấp căn cước và tài khoản định danh điện tử mức 2 cho người dân",
        8,
        "Số hồ sơ thu nhận, tài khoản kích hoạt",
    ),
    (
        "Làm sạch dữ liệu dân cư, bảo đảm dữ liệu đúng, đủ, sạch, sống",
        6,
        "Báo cáo kết quả làm sạch dữ liệu",
    ),
    (
        "Tích hợp xác thực định danh điện tử VNeID với Hệ thống thông tin giải quyết thủ tục hành chính tỉnh",
        5,
        "Đăng nhập bằng VNeID trên Cổng dịch vụ công tỉnh",
    ),
    (
        "Triển khai thanh toán không dùng tiền mặt trong giải quyết thủ tục hành chính về cư trú",
        10,
        "Tỷ lệ giao dịch không dùng tiền mặt",
    ),
];

/// Tasks a monthly meeting's conclusion may give: (title, lead: a department's symbol or
/// `xa` for a commune).
const MEETING_TASKS: [(&str, &str); 8] = [
    (
        "Khắc phục tình trạng hồ sơ quá hạn, gửi thư xin lỗi người dân theo quy định",
        "SXD",
    ),
    (
        "Nâng tỷ lệ hồ sơ trực tuyến toàn trình, hướng dẫn người dân nộp hồ sơ trực tuyến",
        "xa",
    ),
    (
        "Bảo đảm 100% kết quả giải quyết thủ tục hành chính được cấp bản điện tử",
        "SNNMT",
    ),
    (
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn tồn đọng",
        "xa",
    ),
    (
        "Trả lời phản ánh, kiến nghị của người dân đúng hạn và công khai kết quả",
        "STC",
    ),
    (
        "Rà soát, cập nhật quy trình nội bộ giải quyết thủ tục hành chính trên hệ thống",
        "STP",
    ),
    ("Kiểm tra công vụ tại Bộ phận Một cửa cấp xã", "SNV"),
    (
        "Triển khai chứng thực bản sao điện tử từ bản chính tại Bộ phận Một cửa",
        "xa",
    ),
];

/// What happens to a task, drawn once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Done before its deadline.
    OnTime,
    /// Done after its deadline.
    Late,
    /// An extension is asked (granted when `true`), then done within the new deadline.
    Extended(bool),
    /// Reported, returned once, reported again and accepted.
    Returned,
    /// Not done: progress only.
    Open,
}

fn fate(rng: &mut ChaCha8Rng) -> Fate {
    match rng.random_range(0..100) {
        0..=61 => Fate::OnTime,
        62..=71 => Fate::Late,
        72..=77 => Fate::Extended(true),
        78..=79 => Fate::Extended(false),
        80..=86 => Fate::Returned,
        _ => Fate::Open,
    }
}

/// The year of steering.
struct Steering<'a> {
    at: &'a Services,
    clock: &'a FixedClock,
    end: DateTime<Utc>,
    rng: ChaCha8Rng,
    report: SteeringReport,
}

impl Steering<'_> {
    /// Whether `at` lies in the history; moves the clock there when it does.
    fn move_to(&self, at: DateTime<Utc>) -> bool {
        if at >= self.end {
            return false;
        }
        self.clock.set(at);
        true
    }

    /// Records `document` at `at`; `None` when `at` is past the history's end.
    async fn document(
        &mut self,
        document: SteeringDocument,
        at: DateTime<Utc>,
    ) -> ServiceResult<Option<SteeringDocument>> {
        if !self.move_to(at) {
            return Ok(None);
        }
        let d = self
            .at
            .record_steering_document(&actor(PEOPLES_COMMITTEE, Role::Specialist), document)
            .await?;
        self.report.documents += 1;
        Ok(Some(d))
    }

    /// Assigns `given` from `assigner` at `at`, then lives each task made.
    async fn assign(
        &mut self,
        assigner: &str,
        given: Given,
        links: Links<'_>,
        recurrence: Option<Recurrence>,
        at: DateTime<Utc>,
    ) -> ServiceResult<Vec<Task>> {
        if !self.move_to(at) {
            return Ok(Vec::new());
        }
        let new = NewTask {
            assignment: Assignment {
                title: given.title.to_owned(),
                content: format!("{} (dữ liệu mẫu).", given.title),
                assigner: assigner.to_owned(),
                lead: given.lead,
                coordinators: given.coordinators,
                deadline: given.deadline,
                output: given.output.to_owned(),
                priority: given.priority,
                plan: links.plan.map(str::to_owned),
                source: links.source.map(str::to_owned),
                parent: links.parent.map(str::to_owned),
                series: None,
            },
            recurrence,
        };
        let tasks = self
            .at
            .assign_task(&actor(assigner, Role::Leader), new)
            .await?;
        self.report.tasks += tasks.len() as u64;
        Ok(tasks)
    }

    /// Lives one task through its fate, every step before the history's end.
    /// Lives one task through its fate. A parent (`children: Some`) is done only after its
    /// sub-tasks: not at all while one is open, and a day after the last was done.
    async fn live(
        &mut self,
        task: &Task,
        children: Option<Option<DateTime<Utc>>>,
    ) -> ServiceResult<()> {
        let drawn = fate(&mut self.rng);
        let fate = match children {
            Some(None) => Fate::Open,
            _ => drawn,
        };
        let a = &task.assignment;
        let (lead, assigner) = (
            actor(&a.lead, Role::Specialist),
            actor(&a.assigner, Role::Leader),
        );
        let start = task.assigned_at;
        let mut due = task.due;
        let span = (due - start).num_minutes().max(60);
        let share = |part: f64| start + TimeDelta::minutes((span as f64 * part) as i64);
        let mut version = task.version;
        // Progress at about a third and two thirds of the time.
        for (part, percent) in [(0.33, 30_u8), (0.66, 60)] {
            let at = share(part + self.rng.random_range(-0.05..0.05));
            if !self.move_to(at) {
                return Ok(());
            }
            let done = self
                .at
                .act_on_task(
                    &lead,
                    &task.id,
                    Some(version),
                    TaskCommand::ReportProgress {
                        percent: percent + self.rng.random_range(0..10),
                        text: format!(
                            "Đã thực hiện khoảng {percent}% khối lượng công việc (dữ liệu mẫu)."
                        ),
                        files: Vec::new(),
                    },
                )
                .await?;
            version = done.version;
        }
        if let Fate::Extended(granted) = fate {
            let asked = share(0.8);
            if !self.move_to(asked) {
                return Ok(());
            }
            let until = task.deadline + Days::new(30);
            version = self
                .at
                .act_on_task(
                    &lead,
                    &task.id,
                    Some(version),
                    TaskCommand::RequestExtension {
                        until,
                        reason: "Chờ ý kiến của các cơ quan phối hợp (dữ liệu mẫu).".into(),
                    },
                )
                .await?
                .version;
            if !self.move_to(asked + TimeDelta::days(2)) {
                return Ok(());
            }
            let decided = self
                .at
                .act_on_task(
                    &assigner,
                    &task.id,
                    Some(version),
                    TaskCommand::DecideExtension {
                        granted,
                        note: if granted {
                            String::new()
                        } else {
                            "Đề nghị khẩn trương hoàn thành theo thời hạn đã giao.".into()
                        },
                    },
                )
                .await?;
            version = decided.version;
            due = decided.due;
        }
        let reported = match fate {
            Fate::Open => return Ok(()),
            Fate::Late => due + TimeDelta::days(self.rng.random_range(2..25)),
            Fate::Extended(false) => due + TimeDelta::days(self.rng.random_range(1..10)),
            _ => {
                let left = (due - share(0.7)).num_minutes().max(60);
                share(0.7) + TimeDelta::minutes(self.rng.random_range(0..left))
            }
        };
        let report = TaskCommand::ReportCompletion {
            text: "Đã hoàn thành nhiệm vụ, kèm báo cáo kết quả (dữ liệu mẫu).".into(),
            files: Vec::new(),
        };
        let reported = match children {
            Some(Some(last)) => reported.max(last + TimeDelta::days(1)),
            _ => reported,
        };
        if !self.move_to(reported) {
            return Ok(());
        }
        version = self
            .at
            .act_on_task(&lead, &task.id, Some(version), report.clone())
            .await?
            .version;
        let mut decided = reported + TimeDelta::days(self.rng.random_range(1..4));
        if fate == Fate::Returned {
            if !self.move_to(decided) {
                return Ok(());
            }
            version = self
                .at
                .act_on_task(
                    &assigner,
                    &task.id,
                    Some(version),
                    TaskCommand::DecideCompletion {
                        accepted: false,
                        note: "Báo cáo chưa đủ số liệu minh chứng, đề nghị bổ sung.".into(),
                    },
                )
                .await?
                .version;
            if !self.move_to(decided + TimeDelta::days(3)) {
                return Ok(());
            }
            version = self
                .at
                .act_on_task(&lead, &task.id, Some(version), report)
                .await?
                .version;
            decided += TimeDelta::days(5);
        }
        if self.move_to(decided) {
            self.at
                .act_on_task(
                    &assigner,
                    &task.id,
                    Some(version),
                    TaskCommand::DecideCompletion {
                        accepted: true,
                        note: String::new(),
                    },
                )
                .await?;
        }
        Ok(())
    }
}

/// Months after `date`, on the same day (or the month's last).
fn months_after(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(months))
        .unwrap_or(date)
}

impl Services {
    /// Records the demo province's year of steering over `[from, end)` (see the module
    /// documentation), acting at `clock`'s instant, which it moves. Registers the province's
    /// People's Committee first when it is not.
    ///
    /// # Errors
    /// A storage failure, or a refusal of the real use cases (a bug of the demo).
    pub(super) async fn build_steering_demo(
        &self,
        clock: &FixedClock,
        (from, end): (DateTime<Utc>, DateTime<Utc>),
        seed: u64,
    ) -> ServiceResult<SteeringReport> {
        if self.agency(PEOPLES_COMMITTEE).await?.is_none() {
            let committee = Agency {
                code: PEOPLES_COMMITTEE.parse().map_err(invalid)?,
                name: "Ủy ban nhân dân tỉnh Bắc Ninh".into(),
                kind: AgencyKind::ProvincialPeoplesCommittee,
                unit: PROVINCE.parse().map_err(invalid)?,
                valid_from: Some(MERGED),
                valid_to: None,
            };
            self.register_agency(&Acting::cli("demo"), committee, None)
                .await?;
        }
        let mut s = Steering {
            at: self,
            clock,
            end,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5354_4545),
            report: SteeringReport::default(),
        };
        let first = local_date(from) + Days::new(6);
        let year = months_after(first, 1).year();
        let kind_doc =
            |kind, number: String, date, issuer: &str, title: String, public| SteeringDocument {
                id: String::new(),
                owner: PEOPLES_COMMITTEE.to_owned(),
                kind,
                number,
                date,
                issuer: issuer.to_owned(),
                title,
                summary: String::new(),
                meeting: None,
                public_results: public,
            };
        let committee = "Ủy ban nhân dân tỉnh Bắc Ninh";
        let Some(plan) = s
            .document(
                kind_doc(
                    DocumentKind::Plan,
                    "12/KH-UBND".into(),
                    first,
                    committee,
                    format!("Kế hoạch cải cách hành chính năm {year} của tỉnh Bắc Ninh"),
                    true,
                ),
                local(first, 9),
            )
            .await?
        else {
            return Ok(s.report);
        };
        let Some(project_06) = s
            .document(
                kind_doc(
                    DocumentKind::Decision,
                    "45/QĐ-UBND".into(),
                    first + Days::new(7),
                    committee,
                    format!(
                        "Quyết định ban hành Kế hoạch triển khai Đề án 06 năm {year} trên địa bàn tỉnh"
                    ),
                    true,
                ),
                local(first + Days::new(7), 9),
            )
            .await?
        else {
            return Ok(s.report);
        };
        let Some(directive) = s
            .document(
                kind_doc(
                    DocumentKind::Directive,
                    "03/CT-UBND".into(),
                    first + Days::new(20),
                    committee,
                    "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính trong giải quyết thủ tục hành chính".into(),
                    false,
                ),
                local(first + Days::new(20), 9),
            )
            .await?
        else {
            return Ok(s.report);
        };
        s.document(
            kind_doc(
                DocumentKind::Conclusion,
                "484/TB-VPCP".into(),
                first + Days::new(25),
                "Văn phòng Chính phủ",
                "Kết luận của Thủ tướng Chính phủ tại phiên họp Ban Chỉ đạo cải cách hành chính của Chính phủ".into(),
                false,
            ),
            local(first + Days::new(27), 9),
        )
        .await?;

        // The annual plan's tasks, with a recurring monthly and quarterly report.
        let plan_at = local(first, 10);
        let mut lived: Vec<Task> = Vec::new();
        for (i, (title, symbol, months, output)) in PLAN_TASKS.into_iter().enumerate() {
            let given = Given {
                title,
                lead: department(symbol),
                coordinators: if i % 3 == 0 {
                    vec![department("SNV")]
                } else {
                    Vec::new()
                },
                deadline: months_after(first, months),
                priority: if i % 4 == 0 {
                    Priority::High
                } else {
                    Priority::Normal
                },
                output,
            };
            let made = s
                .assign(
                    PEOPLES_COMMITTEE,
                    given,
                    Links {
                        plan: Some(&plan.id),
                        source: Some(&plan.id),
                        parent: None,
                    },
                    None,
                    plan_at,
                )
                .await?;
            lived.extend(made);
        }
        // The reports recur into next year: the latest periods are still ahead.
        let until = months_after(first, 14);
        for (title, symbol, frequency, day) in [
            (
                "Báo cáo tình hình, kết quả thực hiện cải cách hành chính",
                "SNV",
                Frequency::Monthly,
                20,
            ),
            (
                "Báo cáo kết quả kiểm soát thủ tục hành chính",
                "STP",
                Frequency::Quarterly,
                15,
            ),
        ] {
            let recurrence = Recurrence {
                frequency,
                day,
                from: first,
                until,
            };
            let given = Given {
                title,
                lead: department(symbol),
                coordinators: Vec::new(),
                deadline: until,
                priority: Priority::Normal,
                output: "Báo cáo định kỳ",
            };
            let made = s
                .assign(
                    PEOPLES_COMMITTEE,
                    given,
                    Links {
                        plan: Some(&plan.id),
                        source: Some(&plan.id),
                        parent: None,
                    },
                    Some(recurrence),
                    plan_at,
                )
                .await?;
            lived.extend(made);
        }

        // Project 06: the provincial police leads; its first task goes down to communes.
        let police = department("CAT");
        let p06_at = local(first + Days::new(7), 14);
        for (i, (title, months, output)) in PROJECT_06_TASKS.into_iter().enumerate() {
            let given = Given {
                title,
                lead: police.clone(),
                coordinators: vec![department("SKHCN")],
                deadline: months_after(first + Days::new(7), months),
                priority: Priority::Urgent,
                output,
            };
            let made = s
                .assign(
                    PEOPLES_COMMITTEE,
                    given,
                    Links {
                        plan: Some(&project_06.id),
                        source: Some(&project_06.id),
                        parent: None,
                    },
                    None,
                    p06_at,
                )
                .await?;
            if i == 0
                && let Some(parent) = made.first()
            {
                for n in 1..=8 {
                    let sub = Given {
                        title: "Thu nhận hồ sơ cấp căn cước, định danh điện tử mức 2 cho người dân trên địa bàn xã",
                        lead: commune(n),
                        coordinators: Vec::new(),
                        deadline: parent.deadline - Days::new(20),
                        priority: Priority::High,
                        output: "Số hồ sơ thu nhận",
                    };
                    let at = p06_at + TimeDelta::days(3);
                    lived.extend(
                        s.assign(
                            &police,
                            sub,
                            Links {
                                plan: None,
                                source: None,
                                parent: Some(&parent.id),
                            },
                            None,
                            at,
                        )
                        .await?,
                    );
                }
            }
            lived.extend(made);
        }

        // The directive: the Department of Justice digitizes civil status books with communes.
        let dir_at = local(first + Days::new(20), 15);
        let justice = department("STP");
        let books = s
            .assign(
                PEOPLES_COMMITTEE,
                Given {
                    title: "Số hóa sổ hộ tịch lưu trữ, cập nhật vào Cơ sở dữ liệu hộ tịch điện tử",
                    lead: justice.clone(),
                    coordinators: Vec::new(),
                    deadline: months_after(first + Days::new(20), 7),
                    priority: Priority::High,
                    output: "Số sổ, trang hộ tịch được số hóa",
                },
                Links {
                    plan: Some(&plan.id),
                    source: Some(&directive.id),
                    parent: None,
                },
                None,
                dir_at,
            )
            .await?;
        if let Some(parent) = books.first() {
            for n in 9..=14 {
                let sub = Given {
                    title: "Số hóa sổ hộ tịch lưu trữ tại xã",
                    lead: commune(n),
                    coordinators: Vec::new(),
                    deadline: parent.deadline - Days::new(30),
                    priority: Priority::Normal,
                    output: "Số sổ hộ tịch được số hóa",
                };
                lived.extend(
                    s.assign(
                        &justice,
                        sub,
                        Links {
                            plan: None,
                            source: None,
                            parent: Some(&parent.id),
                        },
                        None,
                        dir_at + TimeDelta::days(5),
                    )
                    .await?,
                );
            }
        }
        lived.extend(books);

        // A reform steering committee meeting every month, its conclusion giving tasks.
        let departments_and_police: Vec<String> = DEPARTMENTS.iter().map(|d| d.code()).collect();
        let mut month = months_after(first, 1);
        let mut n = 0_u32;
        while local(month, 8) < end {
            n += 1;
            // Meetings are held on working days: a weekend moves to the Monday.
            let held = match month.weekday() {
                chrono::Weekday::Sat => month + Days::new(2),
                chrono::Weekday::Sun => month + Days::new(1),
                _ => month,
            };
            if !s.move_to(local(held, 8)) {
                break;
            }
            let mut participants = departments_and_police.clone();
            participants
                .extend((1..=5).map(|k| commune(k + usize::try_from(n % 10).unwrap_or(0) * 5)));
            let meeting = s
                .at
                .record_meeting(
                    &actor(PEOPLES_COMMITTEE, Role::Specialist),
                    Meeting {
                        id: String::new(),
                        host: PEOPLES_COMMITTEE.to_owned(),
                        body: "Ban Chỉ đạo cải cách hành chính tỉnh Bắc Ninh".into(),
                        title: format!("Phiên họp tháng {:02}/{}", held.month(), held.year()),
                        date: held,
                        chair: "Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo".into(),
                        participants,
                        location: "Trung tâm điều hành thông minh tỉnh".into(),
                        summary: "Đánh giá kết quả cải cách hành chính trong tháng, chỉ số 766, tỷ lệ hồ sơ trực tuyến, số hóa; giao nhiệm vụ (dữ liệu mẫu).".into(),
                    },
                )
                .await?;
            s.report.meetings += 1;
            let signed = held + Days::new(2);
            let mut conclusion = kind_doc(
                DocumentKind::Conclusion,
                format!("{}/TB-UBND", 100 + n * 7),
                signed,
                committee,
                format!(
                    "Thông báo kết luận phiên họp tháng {:02}/{} của Ban Chỉ đạo cải cách hành chính tỉnh",
                    held.month(),
                    held.year()
                ),
                false,
            );
            conclusion.meeting = Some(meeting.id.clone());
            let Some(conclusion) = s.document(conclusion, local(signed, 16)).await? else {
                break;
            };
            for k in 0..s.rng.random_range(2..4) {
                let (title, lead) = MEETING_TASKS[s.rng.random_range(0..MEETING_TASKS.len())];
                let lead = if lead == "xa" {
                    commune(s.rng.random_range(1..=30))
                } else {
                    department(lead)
                };
                let given = Given {
                    title,
                    lead,
                    coordinators: Vec::new(),
                    deadline: signed + Days::new(s.rng.random_range(15..46)),
                    priority: if k == 0 {
                        Priority::High
                    } else {
                        Priority::Normal
                    },
                    output: "Báo cáo kết quả thực hiện",
                };
                let made = s
                    .assign(
                        PEOPLES_COMMITTEE,
                        given,
                        Links {
                            plan: Some(&plan.id),
                            source: Some(&conclusion.id),
                            parent: None,
                        },
                        None,
                        local(signed, 17),
                    )
                    .await?;
                lived.extend(made);
            }
            month = months_after(month, 1);
        }
        // Sub-tasks first, then their parents, which wait for them.
        let is_parent = |t: &Task| {
            lived
                .iter()
                .any(|c| c.assignment.parent.as_deref() == Some(t.id.as_str()))
        };
        for task in lived.iter().filter(|t| !is_parent(t)) {
            s.live(task, None).await?;
        }
        for parent in lived.iter().filter(|t| is_parent(t)) {
            let mut query = motcua_storage::steering::TaskQuery::all(end);
            query.parent = Some(parent.id.clone());
            query.limit = 1_000;
            let (children, _) = s.at.store().list_tasks(&query).await?;
            let done = children
                .iter()
                .map(|c| c.completed_at)
                .collect::<Option<Vec<_>>>()
                .map(|all| all.into_iter().max().unwrap_or(parent.assigned_at));
            s.live(parent, Some(done)).await?;
        }
        Ok(s.report)
    }
}
