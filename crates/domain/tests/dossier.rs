//! The dossier life cycle: transitions, deadlines and outcomes, on the real calendar.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Utc};
use motcua_domain::calendar::{Calendar, CalendarConfig, bundled_schedules};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Context, Decision, Dossier, DossierCode, DossierError,
    DossierEvent, DossierRules, FileRef, Outcome, ProcedureRef, Rating, ResultForm, ReturnMethod,
    Status, Submission, apply, decide,
};
use motcua_domain::event::Channel;
use proptest::prelude::*;

static CALENDAR: LazyLock<Calendar> = LazyLock::new(|| {
    Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap_or_else(|e| panic!("{e}"))
});

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

fn limit(value: u32, unit: TimeUnit) -> TimeLimit {
    TimeLimit {
        value: TimeValue::whole(value),
        unit,
    }
}

fn submission(channel: Channel, limit: Option<TimeLimit>) -> Submission {
    Submission {
        code: DossierCode::new(
            "000.00.13.H05",
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            1,
        )
        .unwrap(),
        agency: "000.00.13.H05".into(),
        procedure: ProcedureRef {
            code: "1.001234".into(),
            name: "Cấp giấy phép".into(),
            limit,
            same_day_certification: false,
            document_result: true,
            full_process_online: false,
            counted_in: Default::default(),
        },
        applicant: Applicant {
            id: ApplicantId::Person("001090123456".parse().unwrap()),
            name: "Nguyễn Văn An".into(),
            phone: Some("0912345678".into()),
            email: None,
            address: None,
        },
        channel,
        components: Vec::new(),
        eid_verified: false,
        lookup_secret: "K7M2QX9P".into(),
    }
}

struct Run {
    state: Option<Dossier>,
    events: Vec<(DossierEvent, DateTime<Utc>)>,
    rules: DossierRules,
}

impl Run {
    fn new() -> Run {
        Run {
            state: None,
            events: Vec::new(),
            rules: DossierRules::default(),
        }
    }

    fn try_do(&mut self, at: DateTime<Utc>, command: Command) -> Result<&Dossier, DossierError> {
        let ctx = Context {
            now: at,
            calendar: &CALENDAR,
            rules: &self.rules,
        };
        let (events, next) = decide(self.state.as_ref(), &command, &ctx)?;
        self.events.extend(events.into_iter().map(|e| (e, at)));
        self.state = Some(next);
        Ok(self.state.as_ref().unwrap())
    }

    fn did(&mut self, at: DateTime<Utc>, command: Command) -> &Dossier {
        self.try_do(at, command).unwrap_or_else(|e| panic!("{e}"))
    }

    fn state(&self) -> &Dossier {
        self.state.as_ref().unwrap()
    }

    fn replay(&self) -> Dossier {
        let mut state = None;
        for (event, at) in &self.events {
            state = Some(apply(state, event, *at).unwrap());
        }
        state.unwrap()
    }
}

fn desk_received(limit_days: u32, at: DateTime<Utc>) -> Run {
    let mut run = Run::new();
    run.did(
        at,
        Command::Submit(Box::new(submission(
            Channel::Desk,
            Some(limit(limit_days, TimeUnit::WorkingDays)),
        ))),
    );
    run.did(at, Command::Receive);
    run
}

fn transfer(run: &mut Run, at: DateTime<Utc>) {
    run.did(
        at,
        Command::Transfer {
            step: "Thẩm định".into(),
            agency: "000.00.13.H05".into(),
            assignee: Some("u:9".into()),
            budget: Some(limit(16, TimeUnit::WorkingHours)),
        },
    );
}

#[test]
fn desk_receipt_sets_the_appointment_in_working_days() {
    // Monday 23/11/2026 10:00 + 5 working days; Tuesday 24/11 is Vietnam Culture Day.
    let run = desk_received(5, vn(2026, 11, 23, 10, 0));
    let d = run.state();
    assert_eq!(d.status, Status::Received);
    assert_eq!(d.status.national_code(), 2);
    assert_eq!(d.due, Some(vn(2026, 12, 1, 10, 0)));
    assert_eq!(d.statistical_due, d.due);
    assert_eq!(run.replay(), *d);
}

#[test]
fn online_submission_after_hours_counts_from_the_next_session() {
    let mut run = Run::new();
    let limits = Some(limit(3, TimeUnit::WorkingDays));
    run.did(
        vn(2026, 11, 27, 21, 0),
        Command::Submit(Box::new(submission(Channel::Online, limits))),
    );
    // Received by the desk on Monday morning; the clock started at Monday 07:30 either way.
    run.did(vn(2026, 11, 27, 22, 0), Command::Receive);
    let d = run.state();
    assert_eq!(d.clock_start, Some(vn(2026, 11, 30, 7, 30)));
    assert_eq!(d.due, Some(vn(2026, 12, 3, 7, 30)));
}

#[test]
fn intake_guidance_is_given_once_and_does_not_start_the_clock() {
    let mut run = Run::new();
    run.did(
        vn(2026, 11, 23, 9, 0),
        Command::Submit(Box::new(submission(
            Channel::Online,
            Some(limit(5, TimeUnit::WorkingDays)),
        ))),
    );
    run.did(
        vn(2026, 11, 23, 9, 30),
        Command::RequestIntakeSupplement {
            reasons: "Thiếu bản sao giấy khai sinh".into(),
        },
    );
    assert_eq!(run.state().status, Status::Submitted);
    assert!(run.state().received_at.is_none());
    let again = run
        .try_do(
            vn(2026, 11, 23, 9, 40),
            Command::RequestIntakeSupplement {
                reasons: "Thiếu ảnh".into(),
            },
        )
        .unwrap_err();
    assert!(again.to_string().contains("một lần"), "{again}");
    run.did(vn(2026, 11, 25, 8, 0), Command::ProvideIntakeSupplement);
    run.did(vn(2026, 11, 25, 8, 30), Command::Receive);
    assert_eq!(run.state().due, Some(vn(2026, 12, 2, 8, 30)));
}

#[test]
fn a_supplement_pauses_the_clock_and_moves_the_appointment_by_the_working_time_paused() {
    let mut run = desk_received(5, vn(2026, 11, 23, 10, 0));
    transfer(&mut run, vn(2026, 11, 23, 14, 0));
    run.did(
        vn(2026, 11, 25, 9, 0),
        Command::RequestSupplement {
            reasons: "Bổ sung bản vẽ".into(),
        },
    );
    assert_eq!(run.state().status.national_code(), 5);
    // While waiting, the dossier is measured at the request: never overdue for waiting.
    let long_after = vn(2027, 1, 15, 9, 0);
    assert_eq!(
        run.state().outcome_at(long_after, &run.rules.outcome),
        Outcome::WithinTime
    );
    // Supplied Friday 27/11 09:00: paused Wed 09:00 → Fri 09:00 = 2 working days (15 h).
    run.did(vn(2026, 11, 27, 9, 0), Command::ProvideSupplement);
    let d = run.state();
    assert_eq!(d.status, Status::InProgress);
    assert_eq!(d.pauses[0].working_minutes, 15 * 60);
    assert_eq!(d.due, Some(vn(2026, 12, 3, 10, 0)));
    assert_eq!(run.replay(), *d);
}

#[test]
fn a_second_supplement_request_makes_the_dossier_late() {
    let mut run = desk_received(10, vn(2026, 11, 23, 10, 0));
    transfer(&mut run, vn(2026, 11, 23, 14, 0));
    for (ask, give) in [(25, 26), (30, 30)] {
        run.did(
            vn(2026, 11, ask, 9, 0),
            Command::RequestSupplement {
                reasons: "Thiếu".into(),
            },
        );
        run.did(vn(2026, 11, give, 15, 0), Command::ProvideSupplement);
    }
    run.did(
        vn(2026, 12, 1, 9, 0),
        Command::Finish {
            decision: Decision::Approved,
        },
    );
    assert_eq!(run.state().supplement_requests, 2);
    assert_eq!(
        run.state()
            .outcome_at(vn(2026, 12, 1, 10, 0), &run.rules.outcome),
        Outcome::Late
    );
}

#[test]
fn finished_dossiers_are_early_on_time_or_late_by_the_appointment_day() {
    let received = vn(2026, 11, 23, 10, 0); // due Tue 01/12 10:00
    let cases = [
        (vn(2026, 11, 30, 16, 0), Outcome::Early),
        (vn(2026, 12, 1, 8, 0), Outcome::OnTime),
        (vn(2026, 12, 1, 10, 0), Outcome::OnTime),
        (vn(2026, 12, 1, 10, 1), Outcome::Late),
    ];
    for (finished, expected) in cases {
        let mut run = desk_received(5, received);
        transfer(&mut run, vn(2026, 11, 23, 11, 0));
        run.did(
            finished,
            Command::Finish {
                decision: Decision::Approved,
            },
        );
        assert_eq!(run.state().status.national_code(), 9);
        assert_eq!(
            run.state().outcome_at(finished, &run.rules.outcome),
            expected,
            "{finished}"
        );
    }
}

#[test]
fn open_dossiers_are_within_time_until_the_appointment_passes() {
    let run = desk_received(5, vn(2026, 11, 23, 10, 0));
    let d = run.state();
    assert_eq!(
        d.outcome_at(vn(2026, 12, 1, 10, 0), &run.rules.outcome),
        Outcome::WithinTime
    );
    assert_eq!(
        d.outcome_at(vn(2026, 12, 1, 10, 1), &run.rules.outcome),
        Outcome::Overdue
    );
}

#[test]
fn the_apology_extends_once_and_statistics_keep_the_first_appointment() {
    let mut run = desk_received(5, vn(2026, 11, 23, 10, 0)); // due Tue 01/12 10:00
    transfer(&mut run, vn(2026, 11, 23, 11, 0));
    // Less than one working day before the appointment: too late to apologize.
    let late = run
        .try_do(
            vn(2026, 11, 30, 14, 0),
            Command::Extend {
                reasons: "Chờ ý kiến phối hợp".into(),
                due: vn(2026, 12, 8, 10, 0),
            },
        )
        .unwrap_err();
    assert!(late.to_string().contains("Decree 61/2018"), "{late}");
    run.did(
        vn(2026, 11, 27, 9, 0),
        Command::Extend {
            reasons: "Chờ ý kiến phối hợp".into(),
            due: vn(2026, 12, 8, 10, 0),
        },
    );
    let second = run
        .try_do(
            vn(2026, 11, 27, 10, 0),
            Command::Extend {
                reasons: "Lần nữa".into(),
                due: vn(2026, 12, 15, 10, 0),
            },
        )
        .unwrap_err();
    assert!(second.to_string().contains("một lần"), "{second}");
    run.did(
        vn(2026, 12, 7, 9, 0),
        Command::Finish {
            decision: Decision::Approved,
        },
    );
    let d = run.state().clone();
    assert_eq!(d.due, Some(vn(2026, 12, 8, 10, 0)));
    assert_eq!(
        d.outcome_at(vn(2026, 12, 7, 9, 0), &run.rules.outcome),
        Outcome::Late
    );
    let mut counting = run.rules.outcome;
    counting.extension_counts = true;
    assert_eq!(
        d.outcome_at(vn(2026, 12, 7, 9, 0), &counting),
        Outcome::Early
    );
}

#[test]
fn a_document_result_is_issued_before_it_is_returned_and_rated_once() {
    let mut run = desk_received(5, vn(2026, 11, 23, 10, 0));
    transfer(&mut run, vn(2026, 11, 23, 11, 0));
    run.did(
        vn(2026, 11, 26, 9, 0),
        Command::Finish {
            decision: Decision::Approved,
        },
    );
    let err = run
        .try_do(
            vn(2026, 11, 26, 10, 0),
            Command::ReturnResult {
                method: ReturnMethod::Desk,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("chưa ban hành"), "{err}");
    run.did(
        vn(2026, 11, 26, 10, 0),
        Command::IssueResult {
            form: ResultForm::Electronic,
            number: Some("123/GP-SXD".into()),
        },
    );
    run.did(
        vn(2026, 11, 26, 11, 0),
        Command::ReturnResult {
            method: ReturnMethod::Online,
        },
    );
    assert_eq!(run.state().status.national_code(), 10);
    run.did(
        vn(2026, 11, 26, 12, 0),
        Command::Rate {
            rating: Rating::Satisfied,
        },
    );
    assert!(
        run.try_do(
            vn(2026, 11, 26, 13, 0),
            Command::Rate {
                rating: Rating::Dissatisfied
            }
        )
        .is_err()
    );
    // Finished Thursday, due Tuesday: early, and it stays early after the return.
    assert_eq!(
        run.state()
            .outcome_at(vn(2026, 12, 30, 0, 0), &run.rules.outcome),
        Outcome::Early
    );
    assert_eq!(run.replay(), *run.state());
}

#[test]
fn each_step_is_measured_against_its_own_budget() {
    let mut run = desk_received(5, vn(2026, 11, 23, 10, 0));
    // 16 working hours from Mon 11:00, Tuesday 24/11 being a holiday: Thu 26/11 14:00.
    transfer(&mut run, vn(2026, 11, 23, 11, 0));
    run.did(
        vn(2026, 11, 26, 15, 0),
        Command::Transfer {
            step: "Phê duyệt".into(),
            agency: "000.00.13.H05".into(),
            assignee: None,
            budget: Some(limit(4, TimeUnit::WorkingHours)),
        },
    );
    let rules = run.rules.outcome;
    let steps = &run.state().steps;
    assert_eq!(steps[0].due, Some(vn(2026, 11, 26, 14, 0)));
    assert_eq!(
        steps[0].outcome_at(vn(2026, 11, 26, 15, 0), &rules),
        Outcome::Late
    );
    // 4 working hours from Thu 15:00: Fri 27/11 09:30.
    assert_eq!(steps[1].due, Some(vn(2026, 11, 27, 9, 30)));
    assert_eq!(
        steps[1].outcome_at(vn(2026, 11, 27, 9, 0), &rules),
        Outcome::WithinTime
    );
    assert_eq!(
        steps[1].outcome_at(vn(2026, 11, 27, 10, 0), &rules),
        Outcome::Overdue
    );
}

#[test]
fn payment_pauses_the_clock_by_default() {
    let mut run = desk_received(5, vn(2026, 11, 23, 10, 0));
    transfer(&mut run, vn(2026, 11, 23, 11, 0));
    run.did(
        vn(2026, 11, 25, 10, 0),
        Command::RequestPayment {
            lines: vec![motcua_domain::dossier::FeeLine {
                name: "Lệ phí cấp phép".into(),
                amount_vnd: 150_000,
            }],
        },
    );
    assert_eq!(run.state().status.national_code(), 6);
    run.did(
        vn(2026, 11, 26, 10, 0),
        Command::RecordPayment { online: true },
    );
    let d = run.state();
    assert_eq!(d.paid_online, Some(true));
    assert_eq!(d.due, Some(vn(2026, 12, 2, 10, 0)));
}

#[test]
fn withdrawal_stop_and_refusal_close_the_dossier() {
    let mut run = Run::new();
    run.did(
        vn(2026, 11, 23, 9, 0),
        Command::Submit(Box::new(submission(
            Channel::Online,
            Some(limit(5, TimeUnit::WorkingDays)),
        ))),
    );
    run.did(
        vn(2026, 11, 23, 9, 5),
        Command::RefuseAtIntake {
            reasons: "Không thuộc thẩm quyền".into(),
        },
    );
    assert_eq!(run.state().status.national_code(), 3);
    assert_eq!(
        run.state()
            .outcome_at(vn(2026, 11, 24, 0, 0), &run.rules.outcome),
        Outcome::NotCounted
    );
    assert!(
        run.try_do(vn(2026, 11, 23, 9, 10), Command::Receive)
            .is_err()
    );

    let mut run = desk_received(5, vn(2026, 11, 23, 10, 0));
    run.did(
        vn(2026, 11, 24, 10, 0),
        Command::Withdraw {
            reasons: "Không còn nhu cầu".into(),
        },
    );
    assert_eq!(run.state().status.national_code(), 7);
    assert_eq!(run.state().finished_at, Some(vn(2026, 11, 24, 10, 0)));

    let mut run = desk_received(5, vn(2026, 11, 23, 10, 0));
    transfer(&mut run, vn(2026, 11, 23, 11, 0));
    let empty = run
        .try_do(
            vn(2026, 11, 24, 10, 0),
            Command::Stop {
                reasons: "  ".into(),
            },
        )
        .unwrap_err();
    assert!(empty.to_string().contains("required"), "{empty}");
    run.did(
        vn(2026, 11, 24, 10, 0),
        Command::Stop {
            reasons: "Có tranh chấp".into(),
        },
    );
    assert_eq!(run.state().status.national_code(), 8);
    let after = run
        .try_do(
            vn(2026, 11, 24, 11, 0),
            Command::Finish {
                decision: Decision::Approved,
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            after,
            DossierError::IllegalTransition {
                status: Status::Stopped,
                ..
            }
        ),
        "{after}"
    );
    assert!(
        after
            .to_string()
            .contains("cannot finish processing while the dossier is \"Stopped\""),
        "{after}"
    );
}

#[test]
fn certification_is_due_the_same_day_or_the_next_after_three_pm() {
    for (received, due) in [
        (vn(2026, 11, 23, 14, 59), vn(2026, 11, 23, 17, 0)),
        (vn(2026, 11, 23, 15, 1), vn(2026, 11, 25, 17, 0)), // 24/11 is a holiday
    ] {
        let mut run = Run::new();
        let mut s = submission(Channel::Desk, None);
        s.procedure.same_day_certification = true;
        run.did(received, Command::Submit(Box::new(s)));
        run.did(received, Command::Receive);
        assert_eq!(run.state().due, Some(due), "{received}");
    }
}

#[test]
fn commands_on_a_missing_dossier_are_refused() {
    let ctx_rules = DossierRules::default();
    let ctx = Context {
        now: vn(2026, 11, 23, 9, 0),
        calendar: &CALENDAR,
        rules: &ctx_rules,
    };
    assert!(matches!(
        decide(None, &Command::Receive, &ctx),
        Err(DossierError::Existence(_))
    ));
}

fn any_command() -> impl Strategy<Value = Command> {
    let reasons = Just("Lý do".to_string());
    prop_oneof![
        Just(Command::Receive),
        reasons
            .clone()
            .prop_map(|reasons| Command::RequestIntakeSupplement { reasons }),
        Just(Command::ProvideIntakeSupplement),
        reasons
            .clone()
            .prop_map(|reasons| Command::RefuseAtIntake { reasons }),
        Just(Command::Transfer {
            step: "Xử lý".into(),
            agency: "000.00.13.H05".into(),
            assignee: None,
            budget: Some(limit(8, TimeUnit::WorkingHours)),
        }),
        reasons
            .clone()
            .prop_map(|reasons| Command::RequestSupplement { reasons }),
        Just(Command::ProvideSupplement),
        Just(Command::RequestPayment {
            lines: vec![motcua_domain::dossier::FeeLine {
                name: "Lệ phí".into(),
                amount_vnd: 50_000
            }]
        }),
        any::<bool>().prop_map(|online| Command::RecordPayment { online }),
        Just(Command::Finish {
            decision: Decision::Approved
        }),
        reasons.clone().prop_map(|reasons| Command::Finish {
            decision: Decision::Refused { reasons }
        }),
        Just(Command::IssueResult {
            form: ResultForm::Paper,
            number: None
        }),
        Just(Command::ReturnResult {
            method: ReturnMethod::Desk
        }),
        reasons
            .clone()
            .prop_map(|reasons| Command::Withdraw { reasons }),
        reasons.prop_map(|reasons| Command::Stop { reasons }),
        (1u32..30).prop_map(|days| Command::Extend {
            reasons: "Chậm".into(),
            due: vn(2026, 12, 1, 10, 0) + TimeDelta::days(i64::from(days)),
        }),
        Just(Command::Rate {
            rating: Rating::Acceptable
        }),
    ]
}

proptest! {
    /// Any sequence of commands: refused ones change nothing, accepted ones replay to the
    /// same state, the version counts the events, and the outcome is always defined.
    #[test]
    fn every_command_sequence_replays_to_the_same_state(
        commands in prop::collection::vec((any_command(), 1i64..3000), 1..25),
        online in any::<bool>(),
    ) {
        let mut run = Run::new();
        let channel = if online { Channel::Online } else { Channel::Desk };
        let mut at = vn(2026, 11, 23, 8, 0);
        run.did(at, Command::Submit(Box::new(submission(channel, Some(limit(5, TimeUnit::WorkingDays))))));
        for (command, minutes) in commands {
            at += TimeDelta::minutes(minutes);
            let before = run.state().clone();
            if run.try_do(at, command).is_err() {
                prop_assert_eq!(run.state(), &before);
            }
        }
        let d = run.state().clone();
        prop_assert_eq!(d.version, run.events.len() as i64);
        prop_assert_eq!(&run.replay(), &d);
        prop_assert!((1..=10).contains(&d.status.national_code()));
        let outcome = d.outcome_at(at, &run.rules.outcome);
        if d.received_at.is_none() {
            prop_assert_eq!(outcome, Outcome::NotCounted);
        }
        if d.finished_at.is_some() {
            prop_assert!(matches!(outcome, Outcome::Early | Outcome::OnTime | Outcome::Late));
        }
    }
}

#[test]
fn only_an_issued_paper_result_is_scanned_into_the_dossier() {
    let scan = FileRef {
        sha256: "d".repeat(64),
        name: "ket-qua.pdf".into(),
        media_type: "application/pdf".into(),
        size: 1_000,
    };
    let mut run = desk_received(5, vn(2026, 11, 23, 10, 0));
    run.did(
        vn(2026, 11, 26, 9, 0),
        Command::Finish {
            decision: Decision::Approved,
        },
    );
    let early = run
        .try_do(
            vn(2026, 11, 26, 9, 30),
            Command::ScanResult { file: scan.clone() },
        )
        .unwrap_err();
    assert!(early.to_string().contains("paper result"), "{early}");
    run.did(
        vn(2026, 11, 26, 10, 0),
        Command::IssueResult {
            form: ResultForm::Paper,
            number: None,
        },
    );
    run.did(
        vn(2026, 11, 26, 10, 5),
        Command::ScanResult { file: scan.clone() },
    );
    assert_eq!(run.state().result_scan.as_ref(), Some(&scan));
    // Scanning changes nothing else: the result is still to be returned.
    assert_eq!(run.state().returned, None);
}
