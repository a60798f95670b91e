//! From a command to the events it yields: where deadlines are computed.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Decision, Dossier, DossierError, DossierEvent, FeeLine, FileRef, OutcomeRules, Rating,
    ResultForm, ReturnMethod, Status, Submission, apply,
};
use crate::calendar::Calendar;
use crate::catalog::TimeLimit;

/// A request to change a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Create the dossier (online submission, or the first half of a desk/post intake).
    Submit(Box<Submission>),
    /// Receive the complete, valid dossier: the clock starts and the appointment is set.
    Receive,
    /// Give the one-time written guidance to complete the dossier (Form 02).
    RequestIntakeSupplement {
        /// What is missing or wrong.
        reasons: String,
    },
    /// The applicant completed the dossier after the guidance.
    ProvideIntakeSupplement,
    /// Refuse at reception with written reasons (Form 03).
    RefuseAtIntake {
        /// The reasons.
        reasons: String,
    },
    /// Move the dossier to a processing step, in this or another agency.
    Transfer {
        /// Step name.
        step: String,
        /// Agency identifier code of the step.
        agency: String,
        /// Assignee account id.
        assignee: Option<String>,
        /// The step's time budget, if it has one.
        budget: Option<TimeLimit>,
    },
    /// Ask the applicant for a supplement during processing (the clock pauses).
    RequestSupplement {
        /// What is missing or wrong.
        reasons: String,
    },
    /// The applicant supplied (the clock resumes).
    ProvideSupplement,
    /// Ask the applicant to pay fees or taxes.
    RequestPayment {
        /// What to pay.
        lines: Vec<FeeLine>,
    },
    /// Record the applicant's payment.
    RecordPayment {
        /// Paid online.
        online: bool,
    },
    /// Finish processing with a decision.
    Finish {
        /// Granted or refused.
        decision: Decision,
    },
    /// Issue the result document.
    IssueResult {
        /// Electronic or paper.
        form: ResultForm,
        /// Document number.
        number: Option<String>,
    },
    /// Record the scan of the paper result.
    ScanResult {
        /// The scan, stored.
        file: FileRef,
    },
    /// Hand the result to the applicant.
    ReturnResult {
        /// How.
        method: ReturnMethod,
    },
    /// The applicant withdraws the dossier.
    Withdraw {
        /// The applicant's reasons.
        reasons: String,
    },
    /// Stop processing (Form 05).
    Stop {
        /// The reasons.
        reasons: String,
    },
    /// Apologize and set a new appointment (Form 04), once.
    Extend {
        /// Reason for the delay.
        reasons: String,
        /// The new appointment.
        due: DateTime<Utc>,
    },
    /// The applicant rates the service.
    Rate {
        /// The rating.
        rating: Rating,
    },
}

/// Rules of the dossier life cycle that the sources leave open; each is configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierRules {
    /// Classification rules (also used for statistics).
    pub outcome: OutcomeRules,
    /// The apology must reach the applicant at least this many working days before the
    /// appointment (Decree 61/2018/NĐ-CP art. 19: no later than 1 day before; ✅ baolamdong.vn).
    pub apology_lead_working_days: u32,
}

impl Default for DossierRules {
    fn default() -> Self {
        DossierRules {
            outcome: OutcomeRules::default(),
            apology_lead_working_days: 1,
        }
    }
}

/// What a decision needs besides the dossier: the time and the agency's calendar.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The instant of the command.
    pub now: DateTime<Utc>,
    /// The responsible agency's working-day calendar.
    pub calendar: &'a Calendar,
    /// Open rules.
    pub rules: &'a DossierRules,
}

/// Calendar operations on UTC instants: the calendar works at the agency's offset, events
/// record UTC.
mod utc {
    use chrono::{DateTime, TimeDelta, Utc};

    use crate::calendar::{Calendar, CalendarError};
    use crate::catalog::TimeLimit;

    pub fn add_limit(
        c: &Calendar,
        t: DateTime<Utc>,
        limit: &TimeLimit,
    ) -> Result<DateTime<Utc>, CalendarError> {
        Ok(c.add_limit(t.fixed_offset(), limit)?.to_utc())
    }

    pub fn add_working_time(
        c: &Calendar,
        t: DateTime<Utc>,
        d: TimeDelta,
    ) -> Result<DateTime<Utc>, CalendarError> {
        Ok(c.add_working_time(t.fixed_offset(), d)?.to_utc())
    }

    pub fn working_time_between(
        c: &Calendar,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<TimeDelta, CalendarError> {
        c.working_time_between(a.fixed_offset(), b.fixed_offset())
    }

    pub fn certification_due(
        c: &Calendar,
        t: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, CalendarError> {
        Ok(c.certification_due(t.fixed_offset())?.to_utc())
    }

    pub fn effective_receipt(
        c: &Calendar,
        t: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, CalendarError> {
        Ok(c.effective_receipt(t.fixed_offset())?.to_utc())
    }
}

/// Decides the events a command yields on the current state, and the resulting state.
///
/// Deadlines are computed here and recorded in the events, so replaying the log never needs
/// the calendar and a later calendar change never rewrites an old appointment.
pub fn decide(
    state: Option<&Dossier>,
    command: &Command,
    ctx: &Context<'_>,
) -> Result<(Vec<DossierEvent>, Dossier), DossierError> {
    let now = ctx.now;
    let event = match (command, state) {
        (Command::Submit(submission), _) => DossierEvent::Submitted(submission.clone()),
        (_, None) => {
            return Err(DossierError::Existence(
                "hồ sơ chưa tồn tại / the dossier does not exist".into(),
            ));
        }
        (Command::Receive, Some(d)) => {
            let clock_start = clock_start(d, ctx)?;
            let due = appointment(d, clock_start, ctx)?;
            DossierEvent::Received { clock_start, due }
        }
        (Command::RequestIntakeSupplement { reasons }, _) => {
            DossierEvent::IntakeSupplementRequested {
                reasons: required(reasons, "lý do", "reasons")?,
            }
        }
        (Command::ProvideIntakeSupplement, _) => DossierEvent::IntakeSupplementProvided,
        (Command::RefuseAtIntake { reasons }, _) => DossierEvent::RefusedAtIntake {
            reasons: required(reasons, "lý do từ chối", "refusal reasons")?,
        },
        (
            Command::Transfer {
                step,
                agency,
                assignee,
                budget,
            },
            _,
        ) => DossierEvent::Transferred {
            step: required(step, "tên bước", "step name")?,
            agency: required(agency, "cơ quan", "agency")?,
            assignee: assignee.clone(),
            step_due: match budget {
                Some(limit) => Some(add_limit(ctx.calendar, now, limit)?),
                None => None,
            },
        },
        (Command::RequestSupplement { reasons }, _) => DossierEvent::SupplementRequested {
            reasons: required(reasons, "nội dung yêu cầu bổ sung", "supplement request")?,
        },
        (Command::ProvideSupplement, Some(d)) => {
            let (paused_minutes, due, statistical_due) = resumed(d, ctx, true)?;
            DossierEvent::SupplementProvided {
                paused_minutes,
                due,
                statistical_due,
            }
        }
        (Command::RequestPayment { lines }, _) => {
            if lines.is_empty() || lines.iter().any(|l| l.amount_vnd == 0) {
                return Err(DossierError::Invalid(
                    "nghĩa vụ tài chính phải có ít nhất một khoản với số tiền lớn hơn 0 / a financial obligation needs at least one line with an amount above 0".into(),
                ));
            }
            DossierEvent::PaymentRequested {
                lines: lines.clone(),
            }
        }
        (Command::RecordPayment { online }, Some(d)) => {
            let pauses = ctx.rules.outcome.payment_pauses_clock;
            let (paused_minutes, due, statistical_due) = resumed(d, ctx, pauses)?;
            DossierEvent::PaymentMade {
                amount_vnd: d.payment_due_vnd.unwrap_or(0),
                online: *online,
                paused_minutes,
                due,
                statistical_due,
            }
        }
        (Command::Finish { decision }, _) => {
            if let Decision::Refused { reasons } = decision {
                required(reasons, "lý do từ chối", "refusal reasons")?;
            }
            DossierEvent::ProcessingFinished {
                decision: decision.clone(),
            }
        }
        (Command::IssueResult { form, number }, _) => DossierEvent::ResultIssued {
            form: *form,
            number: number.clone(),
        },
        (Command::ScanResult { file }, _) => DossierEvent::ResultScanned { file: file.clone() },
        (Command::ReturnResult { method }, _) => DossierEvent::ResultReturned { method: *method },
        (Command::Withdraw { reasons }, _) => DossierEvent::Withdrawn {
            reasons: reasons.trim().to_owned(),
        },
        (Command::Stop { reasons }, _) => DossierEvent::Stopped {
            reasons: required(reasons, "lý do dừng xử lý", "reasons to stop")?,
        },
        (Command::Extend { reasons, due }, Some(d)) => {
            check_apology_lead(d, ctx)?;
            DossierEvent::Extended {
                reasons: required(reasons, "lý do chậm", "reason for the delay")?,
                due: *due,
            }
        }
        (Command::Rate { rating }, _) => DossierEvent::Rated { rating: *rating },
    };
    let next = apply(state.cloned(), &event, now)?;
    Ok((vec![event], next))
}

fn required(text: &str, field_vi: &str, field_en: &str) -> Result<String, DossierError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DossierError::Invalid(format!(
            "thiếu {field_vi} / {field_en} is required"
        )));
    }
    Ok(text.to_owned())
}

/// The instant the time limit counts from: the receipt itself, except that an online
/// submission received outside office hours counts from the next working session (🔶 common
/// provincial practice, regulations §2.7; the calendar makes it configurable).
fn clock_start(d: &Dossier, ctx: &Context<'_>) -> Result<DateTime<Utc>, DossierError> {
    if d.submission.channel == crate::event::Channel::Online {
        let start = utc::effective_receipt(ctx.calendar, ctx.now)
            .map_err(|e| DossierError::Rule(e.to_string()))?;
        Ok(start)
    } else {
        Ok(ctx.now)
    }
}

/// The appointment for a dossier received with the clock starting at `start`.
fn appointment(
    d: &Dossier,
    start: DateTime<Utc>,
    ctx: &Context<'_>,
) -> Result<Option<DateTime<Utc>>, DossierError> {
    let procedure = &d.submission.procedure;
    if procedure.same_day_certification {
        return utc::certification_due(ctx.calendar, start)
            .map(Some)
            .map_err(|e| DossierError::Rule(e.to_string()));
    }
    match &procedure.limit {
        Some(limit) => add_limit(ctx.calendar, start, limit).map(Some),
        None => Ok(None),
    }
}

/// Adds a time limit to an instant on the agency's calendar ([`Calendar::add_limit`]).
pub fn add_limit(
    calendar: &Calendar,
    from: DateTime<Utc>,
    limit: &TimeLimit,
) -> Result<DateTime<Utc>, DossierError> {
    utc::add_limit(calendar, from, limit).map_err(|e| DossierError::Rule(e.to_string()))
}

/// Working minutes paused since the open pause began, and the due instants moved by them.
fn resumed(
    d: &Dossier,
    ctx: &Context<'_>,
    pauses_clock: bool,
) -> Result<(i64, DateTime<Utc>, DateTime<Utc>), DossierError> {
    let expected = if pauses_clock {
        d.pauses.last().filter(|p| p.until.is_none())
    } else {
        None
    };
    let (Some(due), Some(statistical_due)) = (d.due, d.statistical_due) else {
        // No time limit: nothing to move.
        let t = ctx.now;
        return Ok((0, d.due.unwrap_or(t), d.statistical_due.unwrap_or(t)));
    };
    let Some(pause) = expected else {
        return Ok((0, due, statistical_due));
    };
    let rule = |e: crate::calendar::CalendarError| DossierError::Rule(e.to_string());
    let paused = utc::working_time_between(ctx.calendar, pause.from, ctx.now).map_err(rule)?;
    Ok((
        paused.num_minutes(),
        utc::add_working_time(ctx.calendar, due, paused).map_err(rule)?,
        utc::add_working_time(ctx.calendar, statistical_due, paused).map_err(rule)?,
    ))
}

/// Decree 61/2018/NĐ-CP art. 19 (✅ regulations §2.5): the apology and new appointment reach
/// the applicant no later than the lead time before the appointment.
fn check_apology_lead(d: &Dossier, ctx: &Context<'_>) -> Result<(), DossierError> {
    if !matches!(
        d.status,
        Status::Received
            | Status::InProgress
            | Status::SupplementRequested
            | Status::AwaitingPayment
    ) {
        return Ok(()); // apply() explains the illegal transition.
    }
    let Some(due) = d.due else {
        return Err(DossierError::Rule(
            "hồ sơ không có ngày hẹn trả nên không cần gia hạn / the dossier has no appointment to extend".into(),
        ));
    };
    let lead = ctx.calendar.config().working_hours.daily_total()
        * i32::try_from(ctx.rules.apology_lead_working_days).unwrap_or(i32::MAX);
    let left = if ctx.now < due {
        utc::working_time_between(ctx.calendar, ctx.now, due)
            .map_err(|e| DossierError::Rule(e.to_string()))?
    } else {
        TimeDelta::zero()
    };
    if left < lead {
        return Err(DossierError::Rule(format!(
            "thư xin lỗi và hẹn lại phải gửi chậm nhất {} ngày làm việc trước ngày hẹn trả (Nghị định 61/2018/NĐ-CP, Điều 19) / the apology and new appointment must be sent at least {} working day(s) before the appointment (Decree 61/2018, art. 19)",
            ctx.rules.apology_lead_working_days, ctx.rules.apology_lead_working_days
        )));
    }
    Ok(())
}
