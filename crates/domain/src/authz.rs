//! Who may do what, and where: the permission rules, written once.
//!
//! One pure entry point, [`authorize`], answers "may this principal do this action to this
//! target?" in two steps:
//!
//! 1. **Role**: does the role carry the action at all ([`role_allows`], a table)?
//! 2. **Scope**: does the target belong to the principal's [`Scope`] — the staff member's
//!    agency, the inspector's unit (or a unit under it), the applicant's own dossiers? Actions
//!    on what the whole installation shares (the procedure catalogue, administrative units,
//!    working-day schedules; [`Action::is_installation_wide`]) depend on the role alone.
//!
//! Facts that need I/O — which units an agency lies within, whose dossier it is — are
//! supplied by the caller in the [`Target`], so this module stays pure. The service layer asks
//! before every change; the web faces ask before showing anything; neither decides
//! permissions by itself. `crates/service/tests/authz_matrix.rs` checks every role × action ×
//! in/out of scope against a table written by hand.

use crate::dossier::{ApplicantId, Dossier};
use crate::event::{Actor, Role};

/// Something a principal may attempt.
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
    /// Read a dossier and its history.
    ReadDossier,
    /// List an agency's dossiers to work on (the back-office worklist).
    ListWorklist,
    /// Read the statistics of an agency or of a unit (and the units under it).
    ReadStatistics,
    /// Create, disable and enable accounts (staff of an agency; any account everywhere).
    ManageAccounts,
    /// Issue and revoke API tokens for machine clients.
    ManageApiTokens,
    /// Import figures computed elsewhere (e-ID accounts, public investment, …) for an
    /// agency or a unit, shown beside the computed ones as imported.
    ImportStatistics,
    /// Record an agency's steering meetings and documents (conclusions, plans, directives).
    RecordSteering,
    /// Assign tasks for an agency, decide the extensions and completions its tasks' lead
    /// units report, cancel its tasks.
    AssignTask,
    /// Report on a task the agency leads: progress, an extension asked, completion.
    ReportTask,
    /// Read tasks: those the agency assigned, leads or coordinates, and those of the agencies
    /// under it (a task's [`Target::reach`]).
    ReadTasks,
    /// Subscribe an agency's e-mail addresses and webhooks to its task news, and follow their
    /// delivery.
    ManageNotifications,
}

impl Action {
    /// Every action, in declaration order (for tables and tests).
    pub const ALL: [Action; 21] = [
        Action::ManageCatalogue,
        Action::PublishProcedure,
        Action::ManageSimplification,
        Action::ManageUnits,
        Action::ImportSchedule,
        Action::SubmitDossier,
        Action::ReceiveDossier,
        Action::ProcessDossier,
        Action::DecideDossier,
        Action::ActAsApplicant,
        Action::ReadDossier,
        Action::ListWorklist,
        Action::ReadStatistics,
        Action::ManageAccounts,
        Action::ManageApiTokens,
        Action::ImportStatistics,
        Action::RecordSteering,
        Action::AssignTask,
        Action::ReportTask,
        Action::ReadTasks,
        Action::ManageNotifications,
    ];

    /// Whether the action changes what the whole installation shares (catalogue, units,
    /// schedules): then the role alone decides, whatever the target.
    pub fn is_installation_wide(self) -> bool {
        matches!(
            self,
            Action::ManageCatalogue
                | Action::PublishProcedure
                | Action::ManageSimplification
                | Action::ManageUnits
                | Action::ImportSchedule
        )
    }

    /// Whether a target's reach and audience widen it: reading tasks, steering and
    /// statistics only; a change is always checked against the agency it belongs to.
    pub fn reads_widely(self) -> bool {
        matches!(self, Action::ReadTasks | Action::ReadStatistics)
    }

    /// The action's name in Vietnamese and in English, as in "may not …".
    pub fn names(self) -> (&'static str, &'static str) {
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
            Action::ListWorklist => ("xem danh sách hồ sơ cần xử lý", "list worklists"),
            Action::ReadStatistics => ("xem số liệu thống kê", "read statistics"),
            Action::ManageAccounts => ("quản lý tài khoản", "manage accounts"),
            Action::ManageApiTokens => ("quản lý khóa truy cập API", "manage API tokens"),
            Action::ImportStatistics => ("nhập số liệu thống kê", "import statistics"),
            Action::RecordSteering => (
                "ghi nhận cuộc họp, văn bản chỉ đạo",
                "record steering meetings and documents",
            ),
            Action::AssignTask => ("giao nhiệm vụ", "assign tasks"),
            Action::ReportTask => ("báo cáo thực hiện nhiệm vụ", "report on tasks"),
            Action::ReadTasks => ("xem nhiệm vụ", "read tasks"),
            Action::ManageNotifications => ("quản lý thông báo nhắc việc", "manage notifications"),
        }
    }
}

/// Where a principal may act.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Everywhere: system administrators and the system itself.
    Everywhere,
    /// One agency, by identifier code (e.g. `000.00.10.H05`): desk officers, specialists,
    /// leaders and agency administrators.
    Agency(String),
    /// A unit and every unit under it, by unit code (e.g. `24` for Bắc Ninh): reform
    /// inspectors.
    Unit(String),
    /// One's own dossiers: the personal identification number of a citizen or the tax code
    /// of a business, exactly as a dossier records its applicant.
    Applicant(String),
    /// A program of this installation acting for applicants it does not name (the demo
    /// generator, benchmarks, imports from another one-stop system). Never given to an
    /// account: a signed-in citizen always has [`Scope::Applicant`].
    AnyApplicant,
    /// Nowhere (a staff actor recorded without an agency): only installation-wide actions
    /// its role carries.
    Nowhere,
}

/// Who asks: a role and where it applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    /// The role held.
    pub role: Role,
    /// Where the role applies.
    pub scope: Scope,
}

impl Principal {
    /// A principal with `role` in `scope`.
    pub fn new(role: Role, scope: Scope) -> Principal {
        Principal { role, scope }
    }

    /// What an [`Actor`] of the log can be trusted with by itself: staff act for the agency
    /// they acted for, the system and system administrators everywhere, applicants and
    /// inspectors for what the actor does not say (see [`Scope::AnyApplicant`],
    /// [`Scope::Nowhere`]).
    ///
    /// Accounts give a sharper principal (their applicant number or unit); the service
    /// derives it from the account, not from this.
    pub fn of_actor(actor: &Actor) -> Principal {
        let scope = match actor.role {
            Role::System | Role::SystemAdmin => Scope::Everywhere,
            Role::Citizen | Role::Business => Scope::AnyApplicant,
            Role::Inspector => Scope::Nowhere,
            Role::DeskOfficer | Role::Specialist | Role::Leader | Role::AgencyAdmin => {
                match &actor.agency {
                    Some(agency) => Scope::Agency(agency.clone()),
                    None => Scope::Nowhere,
                }
            }
        };
        Principal {
            role: actor.role,
            scope,
        }
    }
}

/// What an action is done to: the agency, units and applicant it belongs to.
///
/// Build it from the thing at hand ([`Target::of_dossier`], [`Target::agency`],
/// [`Target::unit`]); add the units the agency lies within with [`Target::within`] when an
/// inspector may be asking (the caller knows the map; this module does not).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    /// Identifier code of the agency the thing belongs to, if any.
    pub agency: Option<String>,
    /// Codes of the units the thing lies within: its own unit and every unit above it.
    pub units: Vec<String>,
    /// Applicant number (personal ID or tax code) the thing belongs to, if any.
    pub applicant: Option<String>,
    /// The agency handling the dossier's current step, when another agency coordinates on an
    /// inter-agency procedure (liên thông): its staff may see and process that step.
    pub step_agency: Option<String>,
    /// Other agencies whose staff may read it: a task's assigner and coordinators, and the
    /// agencies above each of its parties ([`Target::of_task`]).
    pub reach: Vec<String>,
    /// An agency whose staff, and the staff of every agency under it by identifier code, may
    /// act on it: a steering meeting or document is read across the province or ministry
    /// that holds it ([`Target::of_steering`]).
    pub audience: Option<String>,
}

impl Target {
    /// Nothing owned by an agency, unit or applicant: the installation as a whole.
    pub const INSTALLATION: Target = Target {
        agency: None,
        units: Vec::new(),
        applicant: None,
        step_agency: None,
        reach: Vec::new(),
        audience: None,
    };

    /// Something of agency `code` (its worklist, accounts, statistics, API tokens).
    pub fn agency(code: &str) -> Target {
        Target {
            agency: Some(code.to_owned()),
            ..Target::default()
        }
    }

    /// A unit's own statistics (unit code), before [`Target::within`] adds its ancestors.
    pub fn unit(code: &str) -> Target {
        Target {
            units: vec![code.to_owned()],
            ..Target::default()
        }
    }

    /// A dossier of `agency` whose applicant number is `applicant`.
    pub fn dossier(agency: &str, applicant: &str) -> Target {
        Target {
            agency: Some(agency.to_owned()),
            units: Vec::new(),
            applicant: Some(applicant.to_owned()),
            step_agency: None,
            reach: Vec::new(),
            audience: None,
        }
    }

    /// A stored dossier: its responsible agency and its applicant.
    pub fn of_dossier(dossier: &Dossier) -> Target {
        let submission = &dossier.submission;
        let mut target = Target::dossier(
            &submission.agency,
            &applicant_number(&submission.applicant.id),
        );
        target.step_agency = dossier
            .steps
            .last()
            .filter(|step| step.ended_at.is_none() && step.agency != submission.agency)
            .map(|step| step.agency.clone());
        target
    }

    /// A task: its lead agency, reached also by its assigner, its coordinators and every
    /// agency above one of them by identifier code (the province's People's Committee
    /// `000.00.00.H05` above its departments and communes). Add the units its parties lie
    /// within with [`Target::within`] for inspectors.
    pub fn of_task(task: &crate::task::Task) -> Target {
        let mut reach: Vec<String> = Vec::new();
        for party in task.parties() {
            let mut code = Some(party.to_owned());
            while let Some(c) = code {
                code = c
                    .parse::<crate::units::AgencyCode>()
                    .ok()
                    .and_then(|a| a.parent())
                    .map(|p| p.as_str().to_owned());
                if !reach.contains(&c) {
                    reach.push(c);
                }
            }
        }
        Target {
            agency: Some(task.assignment.lead.clone()),
            reach,
            ..Target::default()
        }
    }

    /// A steering meeting or document of agency `owner`: read by the staff of every agency of
    /// the same province or ministry (under its 1st-level body), and by those of `others`
    /// (a meeting's participants from elsewhere).
    pub fn of_steering(owner: &str, others: &[String]) -> Target {
        let top = owner
            .parse::<crate::units::AgencyCode>()
            .ok()
            .and_then(|c| crate::units::AgencyCode::top_level_of(c.top_level()).ok())
            .map(|c| c.as_str().to_owned());
        Target {
            agency: Some(owner.to_owned()),
            reach: others.to_vec(),
            audience: top,
            ..Target::default()
        }
    }

    /// The same target, also lying within `units` (unit codes, e.g. the agency's commune
    /// and its province).
    #[must_use]
    pub fn within<I, S>(mut self, units: I) -> Target
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.units.extend(units.into_iter().map(Into::into));
        self
    }
}

/// A dossier applicant's number as scopes and projections write it: the 12 digits of a
/// personal ID, or the tax code (`0100109106`, branches `0100109106-001`).
pub fn applicant_number(id: &ApplicantId) -> String {
    match id {
        ApplicantId::Person(p) => p.to_string(),
        ApplicantId::Organisation(t) => t.to_string(),
    }
}

/// Why an action was refused; the message is Vietnamese, then English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// The role does not carry the action anywhere.
    #[error(
        "vai trò {role} không được phép {action_vi} / role {role} may not {action_en}",
        role = .role.as_str(),
        action_vi = .action.names().0,
        action_en = .action.names().1
    )]
    Role {
        /// The principal's role.
        role: Role,
        /// The action refused.
        action: Action,
    },
    /// The role carries the action, but the target lies outside the principal's scope.
    #[error(
        "{what_vi} ngoài phạm vi của bạn ({scope_vi}): không được {action_vi} / {what_en} is outside your scope ({scope_en}): you may not {action_en}",
        action_vi = .action.names().0,
        action_en = .action.names().1
    )]
    OutOfScope {
        /// The principal's role.
        role: Role,
        /// The action refused.
        action: Action,
        /// What was targeted, in Vietnamese (e.g. "hồ sơ của cơ quan 000.00.11.H05").
        what_vi: String,
        /// What was targeted, in English.
        what_en: String,
        /// The principal's scope, in Vietnamese.
        scope_vi: String,
        /// The principal's scope, in English.
        scope_en: String,
    },
}

impl Denied {
    /// The action that was refused.
    pub fn action(&self) -> Action {
        match self {
            Denied::Role { action, .. } | Denied::OutOfScope { action, .. } => *action,
        }
    }
}

/// Whether `role` carries `action` at all, wherever it applies.
///
/// The table of the issue "Accounts, roles, security": desk officers receive and return,
/// specialists process, leaders approve and sign (Decree 118/2025/NĐ-CP), agency
/// administrators manage their agency's accounts and tokens, inspectors read, system
/// administrators run the installation but neither process nor sign dossiers (who signs is
/// a matter of law, not of IT), and the system itself (imports, generators) does anything.
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::System => true,
        Role::SystemAdmin => !matches!(
            action,
            SubmitDossier
                | ReceiveDossier
                | ProcessDossier
                | DecideDossier
                | ActAsApplicant
                | RecordSteering
                | AssignTask
                | ReportTask
        ),
        Role::AgencyAdmin => matches!(
            action,
            ManageCatalogue
                | ManageSimplification
                | ReadDossier
                | ReadStatistics
                | ManageAccounts
                | ManageApiTokens
                | ImportStatistics
                | ManageNotifications
        ),
        Role::Leader => matches!(
            action,
            PublishProcedure
                | ManageSimplification
                | ProcessDossier
                | DecideDossier
                | ReadDossier
                | ListWorklist
                | ReadStatistics
                | ImportStatistics
                | RecordSteering
                | AssignTask
                | ReportTask
                | ReadTasks
        ),
        Role::Specialist => matches!(
            action,
            ProcessDossier | ReadDossier | ListWorklist | RecordSteering | ReportTask | ReadTasks
        ),
        Role::DeskOfficer => matches!(
            action,
            SubmitDossier | ReceiveDossier | ReadDossier | ListWorklist
        ),
        Role::Inspector => matches!(action, ReadDossier | ReadStatistics | ReadTasks),
        Role::Citizen | Role::Business => {
            matches!(action, SubmitDossier | ActAsApplicant | ReadDossier)
        }
    }
}

/// Whether `target` lies within `scope`. A target's [`Target::reach`] and
/// [`Target::audience`] are not considered: they widen reading only
/// ([`Action::reads_widely`], [`authorize`]).
pub fn in_scope(scope: &Scope, target: &Target) -> bool {
    match scope {
        Scope::Everywhere => true,
        Scope::Agency(agency) => {
            target.agency.as_deref() == Some(agency.as_str())
                || target.step_agency.as_deref() == Some(agency.as_str())
        }
        Scope::Unit(unit) => target.units.iter().any(|u| u == unit),
        Scope::Applicant(number) => target.applicant.as_deref() == Some(number.as_str()),
        Scope::AnyApplicant => target.applicant.is_some(),
        Scope::Nowhere => false,
    }
}

/// Whether an agency's staff reach `target` through its [`Target::reach`] or
/// [`Target::audience`]: a task's parties and the agencies above them, a steering document's
/// province, the People's Committees over a unit.
fn reaches(scope: &Scope, target: &Target) -> bool {
    match scope {
        Scope::Agency(agency) => {
            target.reach.contains(agency)
                || target
                    .audience
                    .as_deref()
                    .is_some_and(|top| at_or_under(agency, top))
        }
        _ => false,
    }
}

/// Whether agency `code` is `top` or lies under it by identifier code.
pub fn at_or_under(code: &str, top: &str) -> bool {
    let mut current = code.parse::<crate::units::AgencyCode>().ok();
    while let Some(c) = current {
        if c.as_str() == top {
            return true;
        }
        current = c.parent();
    }
    code == top
}

/// The single entry point: may `who` do `action` to `target`?
///
/// # Errors
/// [`Denied::Role`] when the role never carries the action, [`Denied::OutOfScope`] when the
/// target lies outside the principal's scope.
pub fn authorize(who: &Principal, action: Action, target: &Target) -> Result<(), Denied> {
    if !role_allows(who.role, action) {
        return Err(Denied::Role {
            role: who.role,
            action,
        });
    }
    if action.is_installation_wide()
        || in_scope(&who.scope, target)
        || (action.reads_widely() && reaches(&who.scope, target))
    {
        return Ok(());
    }
    let (what_vi, what_en) = describe_target(target);
    let (scope_vi, scope_en) = describe_scope(&who.scope);
    Err(Denied::OutOfScope {
        role: who.role,
        action,
        what_vi,
        what_en,
        scope_vi,
        scope_en,
    })
}

/// Allowed when `who` may do any one of `actions` to `target` (a desk officer may record a
/// supplement that the applicant may also provide online). With no action, refused as the
/// first would be; the first refusal is the one reported.
///
/// # Errors
/// The refusal of the first action when none is allowed.
pub fn authorize_any(who: &Principal, actions: &[Action], target: &Target) -> Result<(), Denied> {
    let mut first = None;
    for action in actions {
        match authorize(who, *action, target) {
            Ok(()) => return Ok(()),
            Err(d) => {
                first.get_or_insert(d);
            }
        }
    }
    Err(first.unwrap_or(Denied::Role {
        role: who.role,
        action: Action::ReadDossier,
    }))
}

/// What a target is, for messages. The applicant's number is personal data and never shown.
fn describe_target(target: &Target) -> (String, String) {
    match (
        &target.agency,
        target.applicant.is_some(),
        target.units.first(),
    ) {
        (Some(agency), true, _) => (
            format!("hồ sơ thuộc cơ quan {agency}"),
            format!("the dossier belongs to agency {agency}, which"),
        ),
        (Some(agency), false, _) => (format!("cơ quan {agency}"), format!("agency {agency}")),
        (None, true, _) => ("hồ sơ này".to_owned(), "this dossier".to_owned()),
        (None, false, Some(unit)) => (format!("đơn vị {unit}"), format!("unit {unit}")),
        (None, false, None) => (
            "toàn hệ thống".to_owned(),
            "the whole installation".to_owned(),
        ),
    }
}

/// What a scope is, for messages.
fn describe_scope(scope: &Scope) -> (String, String) {
    match scope {
        Scope::Everywhere => ("toàn hệ thống".into(), "everywhere".into()),
        Scope::Agency(a) => (format!("cơ quan {a}"), format!("agency {a}")),
        Scope::Unit(u) => (
            format!("đơn vị {u} và các đơn vị trực thuộc"),
            format!("unit {u} and the units under it"),
        ),
        Scope::Applicant(_) => ("hồ sơ của chính bạn".into(), "your own dossiers".into()),
        Scope::AnyApplicant => ("hồ sơ của người nộp".into(), "applicants' dossiers".into()),
        Scope::Nowhere => ("không có cơ quan".into(), "no agency".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role, agency: &str) -> Principal {
        Principal::new(role, Scope::Agency(agency.into()))
    }

    #[test]
    fn desk_officers_receive_but_do_not_decide() {
        let desk = staff(Role::DeskOfficer, "A");
        let dossier = Target::dossier("A", "027190123456");
        assert!(authorize(&desk, Action::ReceiveDossier, &dossier).is_ok());
        let denied = authorize(&desk, Action::DecideDossier, &dossier).unwrap_err();
        assert!(
            denied
                .to_string()
                .contains("desk_officer may not decide dossiers"),
            "{denied}"
        );
    }

    #[test]
    fn staff_act_only_for_their_agency() {
        let specialist = staff(Role::Specialist, "A");
        let elsewhere = Target::dossier("B", "027190123456");
        let denied = authorize(&specialist, Action::ProcessDossier, &elsewhere).unwrap_err();
        assert!(
            denied.to_string().contains("outside your scope"),
            "{denied}"
        );
        assert!(!denied.to_string().contains("027190123456"), "{denied}");
        let system = Principal::of_actor(&Actor::system("demo"));
        assert!(authorize(&system, Action::ProcessDossier, &elsewhere).is_ok());
    }

    #[test]
    fn installation_wide_actions_ignore_the_target() {
        let admin = staff(Role::AgencyAdmin, "A");
        assert!(authorize(&admin, Action::ManageCatalogue, &Target::INSTALLATION).is_ok());
        assert!(authorize(&admin, Action::ManageAccounts, &Target::INSTALLATION).is_err());
        assert!(authorize(&admin, Action::ManageAccounts, &Target::agency("A")).is_ok());
    }

    #[test]
    fn inspectors_read_units_under_theirs() {
        let inspector = Principal::new(Role::Inspector, Scope::Unit("24".into()));
        let commune = Target::agency("001.00.50.H05").within(["25000", "24"]);
        assert!(authorize(&inspector, Action::ReadStatistics, &commune).is_ok());
        let other = Target::agency("001.00.50.H01").within(["00004", "01"]);
        assert!(authorize(&inspector, Action::ReadStatistics, &other).is_err());
        assert!(authorize(&inspector, Action::ReceiveDossier, &commune).is_err());
    }

    #[test]
    fn any_of_several_actions_suffices() {
        let desk = staff(Role::DeskOfficer, "A");
        let t = Target::dossier("A", "x");
        let both = [Action::ActAsApplicant, Action::ReceiveDossier];
        assert!(authorize_any(&desk, &both, &t).is_ok());
        let err = authorize_any(&desk, &[Action::DecideDossier], &t).unwrap_err();
        assert_eq!(err.action(), Action::DecideDossier);
    }

    #[test]
    fn a_task_reaches_its_parties_and_the_agencies_above_them() {
        use crate::task::{Assignment, Priority, TaskCommand, TaskContext, decide};
        let calendar = crate::calendar::Calendar::new(
            crate::calendar::CalendarConfig::default(),
            crate::calendar::bundled_schedules(),
        )
        .unwrap();
        let assignment = Assignment {
            title: "Số hóa".into(),
            content: String::new(),
            // A department splits its task to a commune, with another commune coordinating.
            assigner: "000.00.10.H05".into(),
            lead: "001.00.50.H05".into(),
            coordinators: vec!["002.00.50.H05".into()],
            deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            output: String::new(),
            priority: Priority::Normal,
            plan: None,
            source: None,
            parent: None,
            series: None,
        };
        let ctx = TaskContext {
            now: chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
            calendar: &calendar,
        };
        let (_, task) = decide(
            "NV-1",
            None,
            &TaskCommand::Assign(Box::new(assignment)),
            &ctx,
        )
        .unwrap();
        let target = Target::of_task(&task);
        let read = |agency: &str, role| authorize(&staff(role, agency), Action::ReadTasks, &target);
        for agency in [
            "000.00.10.H05",
            "001.00.50.H05",
            "002.00.50.H05",
            "000.00.50.H05",
            "000.00.00.H05",
        ] {
            assert!(read(agency, Role::Specialist).is_ok(), "{agency}");
        }
        // A sibling department and a third commune see nothing.
        assert!(read("000.00.11.H05", Role::Leader).is_err());
        assert!(read("003.00.50.H05", Role::Leader).is_err());
        // A steering document of the province is read in the province only.
        let document = Target::of_steering("000.00.00.H05", &["000.00.10.H01".to_owned()]);
        for agency in [
            "000.00.00.H05",
            "000.00.10.H05",
            "001.00.50.H05",
            "000.00.10.H01",
        ] {
            assert!(
                authorize(
                    &staff(Role::Specialist, agency),
                    Action::ReadTasks,
                    &document
                )
                .is_ok(),
                "{agency}"
            );
        }
        assert!(
            authorize(
                &staff(Role::Specialist, "000.00.11.H01"),
                Action::ReadTasks,
                &document
            )
            .is_err()
        );
        // Reach widens reading only: the agencies above may not report on it.
        assert!(
            authorize(
                &staff(Role::Leader, "000.00.00.H05"),
                Action::ReportTask,
                &target
            )
            .is_err()
        );
        // Only the lead reports; assigning is checked against the assigner by the caller.
        let lead = Target::agency(&task.assignment.lead);
        assert!(
            authorize(
                &staff(Role::Specialist, "001.00.50.H05"),
                Action::ReportTask,
                &lead
            )
            .is_ok()
        );
        assert!(
            authorize(
                &staff(Role::Specialist, "002.00.50.H05"),
                Action::ReportTask,
                &lead
            )
            .is_err()
        );
        assert!(
            authorize(
                &staff(Role::Specialist, "000.00.10.H05"),
                Action::AssignTask,
                &lead
            )
            .is_err()
        );
    }

    #[test]
    fn every_action_is_listed_once() {
        for (i, a) in Action::ALL.iter().enumerate() {
            // An exhaustive match: a new action fails to compile here until it is in ALL.
            let position = match a {
                Action::ManageCatalogue => 0,
                Action::PublishProcedure => 1,
                Action::ManageSimplification => 2,
                Action::ManageUnits => 3,
                Action::ImportSchedule => 4,
                Action::SubmitDossier => 5,
                Action::ReceiveDossier => 6,
                Action::ProcessDossier => 7,
                Action::DecideDossier => 8,
                Action::ActAsApplicant => 9,
                Action::ReadDossier => 10,
                Action::ListWorklist => 11,
                Action::ReadStatistics => 12,
                Action::ManageAccounts => 13,
                Action::ManageApiTokens => 14,
                Action::ImportStatistics => 15,
                Action::RecordSteering => 16,
                Action::AssignTask => 17,
                Action::ReportTask => 18,
                Action::ReadTasks => 19,
                Action::ManageNotifications => 20,
            };
            assert_eq!(position, i);
        }
    }
}
