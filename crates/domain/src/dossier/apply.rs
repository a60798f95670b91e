//! The one function that decides whether an event may follow a dossier's state.

use chrono::{DateTime, Utc};

use super::{
    Decision, Dossier, DossierError, DossierEvent, Pause, PauseReason, ResultForm, Status, Step,
    Submission,
};

/// Applies `event`, which happened at `at`, to `state` (`None` before the first event).
///
/// Returns the next state, or the reason the event cannot follow: an illegal transition names
/// the current status and what was attempted. Replaying a dossier's log through this function
/// rebuilds its state exactly.
pub fn apply(
    state: Option<Dossier>,
    event: &DossierEvent,
    at: DateTime<Utc>,
) -> Result<Dossier, DossierError> {
    let Some(mut d) = state else {
        return match event {
            DossierEvent::Submitted(submission) => Ok(created(submission, at)),
            _ => Err(DossierError::Existence(format!(
                "hồ sơ chưa tồn tại nên không thể ghi sự kiện '{}' / the dossier does not exist, so '{}' cannot be recorded",
                event.kind(),
                event.kind()
            ))),
        };
    };
    use Status::*;
    let status = d.status;
    let refuse = |action: &'static str, action_en: &'static str| {
        Err(DossierError::IllegalTransition {
            action,
            action_en,
            status,
        })
    };
    let processing = matches!(status, Received | InProgress);
    let open_after_receipt = matches!(
        status,
        Received | InProgress | SupplementRequested | AwaitingPayment
    );
    match event {
        DossierEvent::Submitted(_) => {
            return Err(DossierError::Existence(format!(
                "hồ sơ {} đã tồn tại / dossier {} already exists",
                d.code(),
                d.code()
            )));
        }
        DossierEvent::IntakeSupplementRequested { .. } => {
            if status != Submitted {
                return refuse(
                    "yêu cầu bổ sung khi tiếp nhận",
                    "request an intake supplement",
                );
            }
            if d.intake_supplement_at.is_some() {
                return Err(DossierError::Rule(
                    "chỉ được hướng dẫn bổ sung hồ sơ một lần bằng văn bản khi tiếp nhận (Nghị định 118/2025/NĐ-CP; Mẫu 02) / intake guidance to complete a dossier is given once, in writing (Decree 118/2025; Form 02)".into(),
                ));
            }
            d.intake_supplement_at = Some(at);
        }
        DossierEvent::IntakeSupplementProvided => {
            if status != Submitted
                || d.intake_supplement_at.is_none()
                || d.intake_supplement_provided_at.is_some()
            {
                return refuse(
                    "nhận bổ sung khi chưa có yêu cầu bổ sung tiếp nhận",
                    "accept an intake supplement that was not requested",
                );
            }
            d.intake_supplement_provided_at = Some(at);
        }
        DossierEvent::Received { clock_start, due } => {
            if status != Submitted {
                return refuse("tiếp nhận hồ sơ", "receive the dossier");
            }
            d.status = Received;
            d.received_at = Some(at);
            d.clock_start = Some(*clock_start);
            d.original_due = *due;
            d.due = *due;
            d.statistical_due = *due;
        }
        DossierEvent::RefusedAtIntake { .. } => {
            if status != Submitted {
                return refuse("từ chối tiếp nhận", "refuse at intake");
            }
            d.status = NotReceived;
        }
        DossierEvent::Transferred {
            step,
            agency,
            assignee,
            step_due,
        } => {
            if !processing {
                return refuse("chuyển xử lý", "transfer the dossier");
            }
            close_step(&mut d, at);
            d.steps.push(Step {
                name: step.clone(),
                agency: agency.clone(),
                assignee: assignee.clone(),
                started_at: at,
                due: *step_due,
                ended_at: None,
            });
            d.status = InProgress;
        }
        DossierEvent::SupplementRequested { .. } => {
            if !processing {
                return refuse("yêu cầu bổ sung hồ sơ", "request a supplement");
            }
            d.supplement_requests += 1;
            d.pauses.push(Pause {
                reason: PauseReason::Supplement,
                from: at,
                until: None,
                working_minutes: 0,
            });
            d.status = SupplementRequested;
        }
        DossierEvent::SupplementProvided {
            paused_minutes,
            due,
            statistical_due,
        } => {
            if status != SupplementRequested {
                return refuse("nhận hồ sơ bổ sung", "accept a supplement");
            }
            resume(&mut d, at, *paused_minutes, *due, *statistical_due);
        }
        DossierEvent::PaymentRequested { lines } => {
            if !processing {
                return refuse("yêu cầu thực hiện nghĩa vụ tài chính", "request payment");
            }
            d.payment_due_vnd = Some(lines.iter().map(|l| l.amount_vnd).sum());
            d.paid_online = None;
            d.pauses.push(Pause {
                reason: PauseReason::Payment,
                from: at,
                until: None,
                working_minutes: 0,
            });
            d.status = AwaitingPayment;
        }
        DossierEvent::PaymentMade {
            online,
            paused_minutes,
            due,
            statistical_due,
            ..
        } => {
            if status != AwaitingPayment {
                return refuse("ghi nhận thanh toán", "record a payment");
            }
            d.paid_online = Some(*online);
            resume(&mut d, at, *paused_minutes, *due, *statistical_due);
        }
        DossierEvent::ProcessingFinished { decision } => {
            if !processing {
                return refuse("kết thúc xử lý", "finish processing");
            }
            close_step(&mut d, at);
            d.decision = Some(decision.clone());
            d.finished_at = Some(at);
            d.status = Processed;
        }
        DossierEvent::ResultIssued { form, .. } => {
            if status != Processed {
                return refuse("ban hành kết quả", "issue the result");
            }
            if d.result.is_some() {
                return Err(DossierError::Rule(
                    "kết quả đã được ban hành / the result was already issued".into(),
                ));
            }
            d.result = Some((*form, at));
        }
        DossierEvent::ResultScanned { file } => {
            if !matches!(d.result, Some((ResultForm::Paper, _))) {
                return Err(DossierError::Rule(
                    "chỉ quét được kết quả giấy đã ban hành / only an issued paper result can be scanned".into(),
                ));
            }
            d.result_scan = Some(file.clone());
        }
        DossierEvent::ResultReturned { method } => {
            if status != Processed {
                return refuse("trả kết quả", "return the result");
            }
            let needs_document = d.submission.procedure.document_result
                && matches!(d.decision, Some(Decision::Approved));
            if needs_document && d.result.is_none() {
                return Err(DossierError::Rule(
                    "chưa ban hành kết quả nên chưa thể trả / the result has not been issued yet, so it cannot be returned".into(),
                ));
            }
            d.returned = Some((*method, at));
            d.status = Returned;
        }
        DossierEvent::Withdrawn { .. } => {
            if !(status == Submitted || open_after_receipt) {
                return refuse("rút hồ sơ", "withdraw the dossier");
            }
            if open_after_receipt {
                // 766 counts a withdrawal as the end of processing only for received dossiers.
                close_pause(&mut d, at);
                close_step(&mut d, at);
                d.finished_at = Some(at);
            }
            d.status = Withdrawn;
        }
        DossierEvent::Stopped { .. } => {
            if !open_after_receipt {
                return refuse("dừng xử lý", "stop processing");
            }
            close_pause(&mut d, at);
            close_step(&mut d, at);
            d.finished_at = Some(at);
            d.status = Stopped;
        }
        DossierEvent::Extended { due, .. } => {
            if !open_after_receipt {
                return refuse("gia hạn (thư xin lỗi)", "extend the time limit (apology)");
            }
            if d.extended_at.is_some() {
                return Err(DossierError::Rule(
                    "chỉ được xin lỗi và hẹn lại ngày trả kết quả một lần / the apology and new appointment may be given only once".into(),
                ));
            }
            if d.due.is_some_and(|current| *due <= current) {
                return Err(DossierError::Rule(
                    "ngày hẹn mới phải sau ngày hẹn hiện tại / the new appointment must be after the current one".into(),
                ));
            }
            d.extended_at = Some(at);
            d.due = Some(*due);
        }
        DossierEvent::Rated { .. } => {
            if !matches!(status, Processed | Returned) {
                return refuse("đánh giá", "rate the service");
            }
            if d.rating.is_some() {
                return Err(DossierError::Rule(
                    "hồ sơ đã được đánh giá / the dossier was already rated".into(),
                ));
            }
        }
    }
    if let DossierEvent::Rated { rating } = event {
        d.rating = Some(*rating);
    }
    d.version += 1;
    Ok(d)
}

fn created(submission: &Submission, at: DateTime<Utc>) -> Dossier {
    Dossier {
        submission: submission.clone(),
        status: Status::Submitted,
        version: 1,
        submitted_at: at,
        intake_supplement_at: None,
        intake_supplement_provided_at: None,
        received_at: None,
        clock_start: None,
        original_due: None,
        due: None,
        statistical_due: None,
        pauses: Vec::new(),
        supplement_requests: 0,
        extended_at: None,
        steps: Vec::new(),
        payment_due_vnd: None,
        paid_online: None,
        decision: None,
        finished_at: None,
        result: None,
        result_scan: None,
        returned: None,
        rating: None,
    }
}

fn close_step(d: &mut Dossier, at: DateTime<Utc>) {
    if let Some(step) = d.steps.last_mut()
        && step.ended_at.is_none()
    {
        step.ended_at = Some(at);
    }
}

fn close_pause(d: &mut Dossier, at: DateTime<Utc>) {
    if let Some(pause) = d.pauses.last_mut()
        && pause.until.is_none()
    {
        pause.until = Some(at);
    }
}

fn resume(
    d: &mut Dossier,
    at: DateTime<Utc>,
    paused_minutes: i64,
    due: DateTime<Utc>,
    statistical_due: DateTime<Utc>,
) {
    if let Some(pause) = d.pauses.last_mut() {
        pause.until = Some(at);
        pause.working_minutes = paused_minutes;
    }
    d.due = Some(due);
    d.statistical_due = Some(statistical_due);
    d.status = Status::InProgress;
}
