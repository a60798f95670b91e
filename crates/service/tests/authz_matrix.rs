//! The permission matrix: every role × every action × in scope and out of scope, compared
//! with a table written here by hand (not computed by the code under test).
//!
//! Columns, in `Action::ALL` order:
//!
//! | # | action | # | action | # | action |
//! |---|---|---|---|---|---|
//! | 1 | ManageCatalogue | 6 | SubmitDossier | 11 | ReadDossier |
//! | 2 | PublishProcedure | 7 | ReceiveDossier | 12 | ListWorklist |
//! | 3 | ManageSimplification | 8 | ProcessDossier | 13 | ReadStatistics |
//! | 4 | ManageUnits | 9 | DecideDossier | 14 | ManageAccounts |
//! | 5 | ImportSchedule | 10 | ActAsApplicant | 15 | ManageApiTokens |
//! | | | | | 16 | ImportStatistics |
//! | 17 | RecordSteering | 19 | ReportTask | 21 | ManageNotifications |
//! | 18 | AssignTask | 20 | ReadTasks | | |
//!
//! Cells: `Y` allowed, `.` the role never carries the action, `s` refused as out of scope.
//! Columns 17–21 (steering, issue 7) are grouped after a space for reading; the space is
//! not a column.
//! Actions 1–5 change what the installation shares, so scope does not matter for them.

use motcua_domain::authz::{Action, Denied, Principal, Scope, Target, authorize};
use motcua_domain::event::Role;

const CITIZEN: &str = "027190123456";
const OTHER_CITIZEN: &str = "024085000123";
const BUSINESS: &str = "2300100014";

/// (role, scope, in-scope target, out-of-scope target, expected in, expected out).
struct Row {
    role: Role,
    scope: Scope,
    inside: Target,
    outside: Target,
    expected_in: &'static str,
    expected_out: &'static str,
}

/// A dossier of agency `A` (a commune `C` of province `U`) filed by `applicant`.
fn at_a(applicant: &str) -> Target {
    Target::dossier("A", applicant).within(["C", "U"])
}

fn table() -> Vec<Row> {
    // Staff of agency A; "outside" is agency B of the same province: a commune officer never
    // sees another commune's dossiers.
    let staff = |role, expected_in, expected_out| Row {
        role,
        scope: Scope::Agency("A".into()),
        inside: at_a(CITIZEN),
        outside: Target::dossier("B", CITIZEN).within(["D", "U"]),
        expected_in,
        expected_out,
    };
    // Everywhere: "outside" is another province's agency and applicant; still in scope.
    let everywhere = |role, expected| Row {
        role,
        scope: Scope::Everywhere,
        inside: at_a(CITIZEN),
        outside: Target::dossier("Z", OTHER_CITIZEN).within(["E", "V"]),
        expected_in: expected,
        expected_out: expected,
    };
    vec![
        Row {
            role: Role::Citizen,
            scope: Scope::Applicant(CITIZEN.into()),
            inside: at_a(CITIZEN),
            // The same agency, someone else's dossier.
            outside: at_a(OTHER_CITIZEN),
            expected_in: ".....Y...YY..... .....",
            expected_out: ".....s...ss..... .....",
        },
        Row {
            role: Role::Business,
            scope: Scope::Applicant(BUSINESS.into()),
            inside: at_a(BUSINESS),
            outside: at_a(CITIZEN),
            expected_in: ".....Y...YY..... .....",
            expected_out: ".....s...ss..... .....",
        },
        staff(
            Role::DeskOfficer,
            ".....YY...YY.... .....",
            ".....ss...ss.... .....",
        ),
        staff(
            Role::Specialist,
            ".......Y..YY.... Y.YY.",
            ".......s..ss.... s.ss.",
        ),
        staff(
            Role::Leader,
            ".YY....YY.YYY..Y YYYY.",
            ".YY....ss.sss..s ssss.",
        ),
        staff(
            Role::AgencyAdmin,
            "Y.Y.......Y.YYYY ....Y",
            "Y.Y.......s.ssss ....s",
        ),
        Row {
            role: Role::Inspector,
            scope: Scope::Unit("U".into()),
            // Agency A lies in commune C of province U.
            inside: at_a(CITIZEN),
            outside: Target::dossier("A2", CITIZEN).within(["E", "V"]),
            expected_in: "..........Y.Y... ...Y.",
            expected_out: "..........s.s... ...s.",
        },
        everywhere(Role::SystemAdmin, "YYYYY.....YYYYYY ...YY"),
        everywhere(Role::System, "YYYYYYYYYYYYYYYY YYYYY"),
    ]
}

/// Every role, with an exhaustive match so a new role fails to compile until it is here.
fn every_role() -> Vec<Role> {
    let all = [
        Role::Citizen,
        Role::Business,
        Role::DeskOfficer,
        Role::Specialist,
        Role::Leader,
        Role::AgencyAdmin,
        Role::Inspector,
        Role::SystemAdmin,
        Role::System,
    ];
    for role in all {
        match role {
            Role::Citizen
            | Role::Business
            | Role::DeskOfficer
            | Role::Specialist
            | Role::Leader
            | Role::AgencyAdmin
            | Role::Inspector
            | Role::SystemAdmin
            | Role::System => {}
        }
    }
    all.to_vec()
}

fn cell(principal: &Principal, action: Action, target: &Target) -> char {
    match authorize(principal, action, target) {
        Ok(()) => 'Y',
        Err(Denied::Role { .. }) => '.',
        Err(Denied::OutOfScope { .. }) => 's',
    }
}

#[test]
fn every_role_every_action_in_and_out_of_scope() {
    let table = table();
    let roles: Vec<Role> = table.iter().map(|r| r.role).collect();
    assert_eq!(roles, every_role(), "the table must list every role once");
    let mut mismatches = Vec::new();
    for row in &table {
        let principal = Principal::new(row.role, row.scope.clone());
        for (side, target, expected) in [
            ("in", &row.inside, row.expected_in),
            ("out", &row.outside, row.expected_out),
        ] {
            let expected: String = expected.chars().filter(|c| *c != ' ').collect();
            assert_eq!(expected.len(), Action::ALL.len(), "{:?} {side}", row.role);
            for (action, want) in Action::ALL.iter().zip(expected.chars()) {
                let got = cell(&principal, *action, target);
                if got != want {
                    mismatches.push(format!(
                        "{} {side} scope, {action:?}: expected {want}, got {got}",
                        row.role.as_str()
                    ));
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn refusals_say_why_in_both_languages_without_personal_numbers() {
    let citizen = Principal::new(Role::Citizen, Scope::Applicant(CITIZEN.into()));
    let err = authorize(&citizen, Action::ReadDossier, &at_a(OTHER_CITIZEN)).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("ngoài phạm vi của bạn"), "{text}");
    assert!(
        text.contains("outside your scope (your own dossiers)"),
        "{text}"
    );
    assert!(
        !text.contains(CITIZEN) && !text.contains(OTHER_CITIZEN),
        "{text}"
    );

    let desk = Principal::new(Role::DeskOfficer, Scope::Agency("A".into()));
    let err = authorize(&desk, Action::DecideDossier, &at_a(CITIZEN)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "vai trò desk_officer không được phép phê duyệt hồ sơ / role desk_officer may not decide dossiers"
    );
    let err = authorize(&desk, Action::ListWorklist, &Target::agency("B")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cơ quan B ngoài phạm vi của bạn (cơ quan A): không được xem danh sách hồ sơ cần xử lý / \
         agency B is outside your scope (agency A): you may not list worklists"
    );
}

#[test]
fn programs_and_scopeless_staff() {
    // The demo generator's applicants act for whoever the dossier names, nothing else.
    let program = Principal::new(Role::Citizen, Scope::AnyApplicant);
    authorize(&program, Action::ActAsApplicant, &at_a(OTHER_CITIZEN)).unwrap();
    authorize(&program, Action::ReadStatistics, &Target::agency("A")).unwrap_err();
    authorize(&program, Action::ReadDossier, &Target::agency("A")).unwrap_err();
    // A staff actor recorded without an agency acts nowhere, but keeps installation-wide rights.
    let nowhere = Principal::new(Role::Leader, Scope::Nowhere);
    authorize(&nowhere, Action::DecideDossier, &at_a(CITIZEN)).unwrap_err();
    authorize(&nowhere, Action::PublishProcedure, &Target::INSTALLATION).unwrap();
    // The installation as a target is nobody's scope but everywhere's.
    let admin = Principal::new(Role::AgencyAdmin, Scope::Agency("A".into()));
    authorize(&admin, Action::ManageAccounts, &Target::INSTALLATION).unwrap_err();
    let root = Principal::new(Role::SystemAdmin, Scope::Everywhere);
    authorize(&root, Action::ManageAccounts, &Target::INSTALLATION).unwrap();
}
