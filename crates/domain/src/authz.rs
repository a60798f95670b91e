//! Who may do what: the permission rules, written once.
//!
//! A pure predicate over the actor (role and agency) and the action. The service layer asks
//! it before every change; the web faces never decide permissions themselves.

use crate::event::{Actor, Role};

/// Something an actor may attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Import or edit procedures of the catalogue.
    ManageCatalogue,
    /// Publish or withdraw a procedure version.
    PublishProcedure,
    /// Propose, approve or reject a simplification plan.
    ManageSimplification,
    /// Record administrative units, reorganizations and agencies.
    ManageUnits,
    /// Import an official working-day schedule.
    ImportSchedule,
    /// Submit a dossier (online or on the applicant's behalf at the desk).
    SubmitDossier,
    /// Receive, refuse at intake, give intake guidance, return results.
    ReceiveDossier,
    /// Process: transfer, request supplements or payment, finish.
    ProcessDossier,
    /// Approve and sign results; stop processing; apologize and extend.
    DecideDossier,
    /// Act as the applicant on one's own dossier (supplements, payment, withdrawal, rating).
    ActAsApplicant,
    /// Read a dossier.
    ReadDossier,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "vai trò {role} không được phép {action_vi} / role {role} may not {action_en}",
    role = .role.as_str()
)]
pub struct Denied {
    /// The actor's role.
    pub role: Role,
    /// The action, in Vietnamese.
    pub action_vi: &'static str,
    /// The action, in English.
    pub action_en: &'static str,
}

impl Action {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Action::ManageCatalogue => {
                ("quản lý danh mục thủ tục", "manage the procedure catalogue")
            }
            Action::PublishProcedure => ("công bố thủ tục", "publish procedures"),
            Action::ManageSimplification => (
                "quản lý phương án đơn giản hóa",
                "manage simplification plans",
            ),
            Action::ManageUnits => ("quản lý đơn vị hành chính", "manage administrative units"),
            Action::ImportSchedule => ("nhập lịch làm việc", "import working-day schedules"),
            Action::SubmitDossier => ("nộp hồ sơ", "submit dossiers"),
            Action::ReceiveDossier => ("tiếp nhận hồ sơ", "receive dossiers"),
            Action::ProcessDossier => ("xử lý hồ sơ", "process dossiers"),
            Action::DecideDossier => ("phê duyệt hồ sơ", "decide dossiers"),
            Action::ActAsApplicant => ("thao tác thay chủ hồ sơ", "act as the applicant"),
            Action::ReadDossier => ("xem hồ sơ", "read dossiers"),
        }
    }
}

/// Whether `actor` may perform `action` (scope checks — which agency, whose dossier — are the
/// caller's second question, asked with [`in_scope`]).
pub fn may(actor: &Actor, action: Action) -> Result<(), Denied> {
    use Action::*;
    use Role::*;
    let allowed = match actor.role {
        System | SystemAdmin => true,
        AgencyAdmin => matches!(action, ManageCatalogue | ManageSimplification | ReadDossier),
        Leader => matches!(
            action,
            PublishProcedure | ManageSimplification | ProcessDossier | DecideDossier | ReadDossier
        ),
        Specialist => matches!(action, ProcessDossier | ReadDossier),
        DeskOfficer => matches!(action, SubmitDossier | ReceiveDossier | ReadDossier),
        Inspector => matches!(action, ReadDossier),
        Citizen | Business => matches!(action, SubmitDossier | ActAsApplicant | ReadDossier),
    };
    if allowed {
        Ok(())
    } else {
        let (action_vi, action_en) = action.names();
        Err(Denied {
            role: actor.role,
            action_vi,
            action_en,
        })
    }
}

/// Whether a staff actor's agency covers `agency` (staff act only for their own agency;
/// the system and system administrators act everywhere).
pub fn in_scope(actor: &Actor, agency: &str) -> bool {
    match actor.role {
        Role::System | Role::SystemAdmin | Role::Inspector => true,
        Role::Citizen | Role::Business => true,
        _ => actor.agency.as_deref() == Some(agency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, agency: Option<&str>) -> Actor {
        Actor {
            id: "u:1".into(),
            role,
            agency: agency.map(str::to_owned),
        }
    }

    #[test]
    fn desk_officers_receive_but_do_not_decide() {
        let desk = actor(Role::DeskOfficer, Some("A"));
        assert!(may(&desk, Action::ReceiveDossier).is_ok());
        let denied = may(&desk, Action::DecideDossier).unwrap_err();
        assert!(
            denied
                .to_string()
                .contains("desk_officer may not decide dossiers")
        );
    }

    #[test]
    fn staff_act_only_for_their_agency() {
        let specialist = actor(Role::Specialist, Some("A"));
        assert!(in_scope(&specialist, "A"));
        assert!(!in_scope(&specialist, "B"));
        assert!(in_scope(&Actor::system("demo"), "B"));
    }
}
