//! Names and formats the back-office pages share: statuses with their national codes,
//! outcomes, channels, roles, events of the history.

use chrono::{DateTime, Utc};
use motcua_domain::catalog::{TimeLimit, TimeUnit};
use motcua_domain::dossier::{
    ApplicantId, Decision, DossierEvent, Outcome, PauseReason, Rating, ResultForm, ReturnMethod,
    Status,
};
use motcua_domain::event::{Channel, Role};
use motcua_service::office::{DossierFile, HistoryEntry, Urgency};

use crate::i18n::{Lang, Tr};

/// A status as the national list writes it: its code 1–10 and its name.
pub fn status(t: Tr, status: Status) -> String {
    let name = match t.lang {
        Lang::Vi => status.name_vi(),
        Lang::En => status.name_en(),
    };
    format!("{} — {name}", status.national_code())
}

/// Catalogue key of an outcome's name.
pub fn outcome_key(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Early => "office.outcome.early",
        Outcome::OnTime => "office.outcome.on_time",
        Outcome::Late => "office.outcome.late",
        Outcome::WithinTime => "office.outcome.within_time",
        Outcome::Overdue => "office.outcome.overdue",
        Outcome::NotCounted => "office.outcome.not_counted",
    }
}

/// CSS class of an outcome's badge.
pub fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Early | Outcome::OnTime => "ok",
        Outcome::Late | Outcome::Overdue => "bad",
        Outcome::WithinTime | Outcome::NotCounted => "plain",
    }
}

/// The row class and the visible mark of an urgency: never colour alone, an icon and a
/// word say it too.
pub fn urgency(t: Tr, urgency: Urgency) -> (&'static str, String) {
    match urgency {
        Urgency::Overdue => ("overdue", format!("⚠ {}", t.t("office.urgency.overdue"))),
        Urgency::DueSoon => ("due-soon", format!("⏰ {}", t.t("office.urgency.due_soon"))),
        Urgency::Normal => ("", String::new()),
    }
}

/// A procedure's time limit in words: "5 ngày làm việc", "1,5 working days".
pub fn limit(t: Tr, limit: &TimeLimit) -> String {
    let value = limit.value.to_string();
    let value = match t.lang {
        Lang::Vi => value.replace('.', ","),
        Lang::En => value,
    };
    let unit = match limit.unit {
        TimeUnit::WorkingDays => "office.unit.working_days",
        TimeUnit::WorkingHours => "office.unit.working_hours",
        TimeUnit::Days => "office.unit.days",
        TimeUnit::Months => "office.unit.months",
    };
    format!("{value} {}", t.t(unit))
}

/// Catalogue key of a channel's name.
pub fn channel_key(channel: Channel) -> &'static str {
    match channel {
        Channel::Desk => "office.channel.desk",
        Channel::Online => "office.channel.online",
        Channel::Post => "office.channel.post",
        Channel::Api => "office.channel.api",
        Channel::Cli => "office.channel.cli",
        Channel::System => "office.channel.system",
    }
}

/// Catalogue key of a role's name (the account area's names).
pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Citizen => "account.role.citizen",
        Role::Business => "account.role.business",
        Role::DeskOfficer => "account.role.desk_officer",
        Role::Specialist => "account.role.specialist",
        Role::Leader => "account.role.leader",
        Role::AgencyAdmin => "account.role.agency_admin",
        Role::Inspector => "account.role.inspector",
        Role::SystemAdmin => "account.role.system_admin",
        Role::System => "account.role.system",
    }
}

/// Catalogue key of a return method.
pub fn return_key(method: ReturnMethod) -> &'static str {
    match method {
        ReturnMethod::Desk => "office.return.desk",
        ReturnMethod::Post => "office.return.post",
        ReturnMethod::Online => "office.return.online",
    }
}

/// Catalogue key of a result form.
pub fn result_form_key(form: ResultForm) -> &'static str {
    match form {
        ResultForm::Electronic => "office.result_form.electronic",
        ResultForm::Paper => "office.result_form.paper",
    }
}

/// Catalogue key of a pause reason.
pub fn pause_key(reason: PauseReason) -> &'static str {
    match reason {
        PauseReason::Supplement => "office.pause.supplement",
        PauseReason::Payment => "office.pause.payment",
    }
}

/// Catalogue key of a rating.
pub fn rating_key(rating: Rating) -> &'static str {
    match rating {
        Rating::Satisfied => "office.rating.satisfied",
        Rating::Acceptable => "office.rating.acceptable",
        Rating::Dissatisfied => "office.rating.dissatisfied",
    }
}

/// Catalogue keys of the event kinds of a dossier's log.
pub const EVENT_KEYS: [(&str, &str); 18] = [
    ("submitted", "office.event.submitted"),
    (
        "intake_supplement_requested",
        "office.event.intake_supplement_requested",
    ),
    (
        "intake_supplement_provided",
        "office.event.intake_supplement_provided",
    ),
    ("received", "office.event.received"),
    ("refused_at_intake", "office.event.refused_at_intake"),
    ("transferred", "office.event.transferred"),
    ("supplement_requested", "office.event.supplement_requested"),
    ("supplement_provided", "office.event.supplement_provided"),
    ("payment_requested", "office.event.payment_requested"),
    ("payment_made", "office.event.payment_made"),
    ("processing_finished", "office.event.processing_finished"),
    ("result_issued", "office.event.result_issued"),
    ("result_scanned", "office.event.result_scanned"),
    ("result_returned", "office.event.result_returned"),
    ("withdrawn", "office.event.withdrawn"),
    ("stopped", "office.event.stopped"),
    ("extended", "office.event.extended"),
    ("rated", "office.event.rated"),
];

/// The name of an event kind (the stored kind itself when unknown).
pub fn event_name(t: Tr, kind: &str) -> String {
    EVENT_KEYS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or_else(|| kind.to_owned(), |(_, key)| t.t(key).to_owned())
}

/// The applicant's number as a screen shows it: a personal ID masked (screens are seen),
/// a tax code whole (it is public).
pub fn applicant_number(id: &ApplicantId) -> String {
    match id {
        ApplicantId::Person(p) => p.masked(),
        ApplicantId::Organisation(tax) => tax.to_string(),
    }
}

/// An optional instant, or a dash.
pub fn when(t: Tr, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "—".to_owned(), |at| t.datetime(&at))
}

/// What an event of the history says beyond its name, in the page's language.
pub fn event_details(t: Tr, file: &DossierFile, entry: &HistoryEntry) -> String {
    let Some(event) = &entry.event else {
        return String::new();
    };
    match event {
        DossierEvent::Submitted(submission) => {
            format!(
                "{}: {}",
                t.t("office.field.channel"),
                t.t(channel_key(submission.channel))
            )
        }
        DossierEvent::Received { due, .. } => {
            format!("{}: {}", t.t("office.dossier.due"), when(t, *due))
        }
        DossierEvent::Transferred {
            step,
            agency,
            assignee,
            step_due,
        } => {
            let mut text = format!("{step} — {}", file.agency_name(agency));
            if let Some(assignee) = assignee {
                text.push_str(&format!(
                    "; {}: {}",
                    t.t("office.field.assignee"),
                    file.person(assignee)
                ));
            }
            if let Some(due) = step_due {
                text.push_str(&format!(
                    "; {}: {}",
                    t.t("office.steps.due"),
                    t.datetime(due)
                ));
            }
            text
        }
        DossierEvent::SupplementProvided {
            paused_minutes,
            due,
            ..
        }
        | DossierEvent::PaymentMade {
            paused_minutes,
            due,
            ..
        } => format!(
            "{}: {}; {}: {}",
            t.t("office.history.paused_minutes"),
            t.num(u64::try_from(*paused_minutes).unwrap_or(0)),
            t.t("office.dossier.due"),
            t.datetime(due)
        ),
        DossierEvent::PaymentRequested { lines } => lines
            .iter()
            .map(|l| format!("{}: {}", l.name, t.vnd(l.amount_vnd)))
            .collect::<Vec<_>>()
            .join("; "),
        DossierEvent::ProcessingFinished { decision } => match decision {
            Decision::Approved => t.t("office.decision.approved").to_owned(),
            Decision::Refused { reasons } => {
                format!("{}: {reasons}", t.t("office.decision.refused"))
            }
        },
        DossierEvent::ResultIssued { form, number } => match number {
            Some(number) => format!(
                "{}, {}: {number}",
                t.t(result_form_key(*form)),
                t.t("office.field.result_number")
            ),
            None => t.t(result_form_key(*form)).to_owned(),
        },
        DossierEvent::ResultScanned { file } => file.name.clone(),
        DossierEvent::ResultReturned { method } => t.t(return_key(*method)).to_owned(),
        DossierEvent::Extended { reasons, due } => format!(
            "{reasons}; {}: {}",
            t.t("office.field.new_due"),
            t.datetime(due)
        ),
        DossierEvent::Rated { rating } => t.t(rating_key(*rating)).to_owned(),
        DossierEvent::IntakeSupplementRequested { reasons }
        | DossierEvent::RefusedAtIntake { reasons }
        | DossierEvent::SupplementRequested { reasons }
        | DossierEvent::Withdrawn { reasons }
        | DossierEvent::Stopped { reasons } => reasons.clone(),
        DossierEvent::IntakeSupplementProvided => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, VI, parse_catalogue};

    /// Keys built in code (not literally in templates) must exist in both languages.
    #[test]
    fn every_key_built_in_code_exists() {
        let vi = parse_catalogue(VI).unwrap();
        let en = parse_catalogue(EN).unwrap();
        let mut keys: Vec<&str> = EVENT_KEYS.iter().map(|(_, k)| *k).collect();
        keys.extend(
            [
                Outcome::Early,
                Outcome::OnTime,
                Outcome::Late,
                Outcome::WithinTime,
                Outcome::Overdue,
                Outcome::NotCounted,
            ]
            .map(outcome_key),
        );
        keys.extend(
            [
                Channel::Desk,
                Channel::Online,
                Channel::Post,
                Channel::Api,
                Channel::Cli,
                Channel::System,
            ]
            .map(channel_key),
        );
        keys.extend(
            [
                Role::Citizen,
                Role::Business,
                Role::DeskOfficer,
                Role::Specialist,
                Role::Leader,
                Role::AgencyAdmin,
                Role::Inspector,
                Role::SystemAdmin,
                Role::System,
            ]
            .map(role_key),
        );
        keys.extend([ReturnMethod::Desk, ReturnMethod::Post, ReturnMethod::Online].map(return_key));
        keys.extend([ResultForm::Electronic, ResultForm::Paper].map(result_form_key));
        keys.extend([PauseReason::Supplement, PauseReason::Payment].map(pause_key));
        keys.extend([Rating::Satisfied, Rating::Acceptable, Rating::Dissatisfied].map(rating_key));
        let missing: Vec<_> = keys
            .iter()
            .filter(|k| !vi.contains_key(*k) || !en.contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "missing keys: {missing:?}");
    }

    /// Every `"office.…"` literal of this area's code names a key of both languages.
    #[test]
    fn every_key_literal_in_the_code_exists() {
        let vi = parse_catalogue(VI).unwrap();
        let en = parse_catalogue(EN).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui/office");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split("\"office.").skip(1) {
                let key = format!("office.{}", piece.split('"').next().unwrap());
                // Only literals shaped like keys; prose that mentions the prefix is not one.
                let shaped = key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._".contains(&b));
                if !shaped || key.ends_with('.') {
                    continue;
                }
                if !vi.contains_key(key.as_str()) || !en.contains_key(key.as_str()) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "keys missing: {missing:?}");
    }
}
