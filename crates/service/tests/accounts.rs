//! Accounts, passwords, sessions and the citizen-owns-dossier rule through the real
//! services, on SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use motcua_domain::authz::{Action, Principal, Scope, Target};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{Applicant, ApplicantId, Command, ProcedureRef};
use motcua_domain::event::{Channel, Role};
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_service::accounts::{
    self, AccountKind, BAD_CREDENTIALS, DEMO_PASSWORD, NewAccount, Password, SessionPolicy,
};
use motcua_service::dossiers::NewDossier;
use motcua_service::{Acting, FixedClock, ServiceError, Services};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

const STP: &str = "000.00.10.H05";
const STC: &str = "000.00.11.H05";
const COMMUNE: &str = "001.00.50.H05";
const CITIZEN: &str = "027190123456";
const OTHER_CITIZEN: &str = "024085000123";
const PASSWORD: &str = "mat-khau-dai-1";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn services(store: &Store) -> (Services, FixedClock) {
    let clock = FixedClock::new(vn(2026, 11, 23, 9, 0));
    (Services::new(store.clone(), Arc::new(clock.clone())), clock)
}

/// Bắc Ninh (24), one of its communes, the two departments and the commune's committee.
async fn province(svc: &Services) {
    let admin = Acting::cli("test");
    for (code, unit_type, name, parent) in [
        ("24", UnitType::Province, "Bắc Ninh", None),
        ("25000", UnitType::Commune, "Kinh Bắc", Some("24")),
    ] {
        svc.record_unit(
            &admin,
            AdminUnit {
                code: code.parse().unwrap(),
                unit_type,
                name: name.into(),
                full_name: name.into(),
                name_en: None,
                parent: parent.map(|p| p.parse().unwrap()),
                valid_from: Some(day(2025, 7, 1)),
                valid_to: None,
            },
        )
        .await
        .unwrap();
    }
    for (code, name, kind, unit) in [
        (STP, "Sở Tư pháp", AgencyKind::Department, "24"),
        (STC, "Sở Tài chính", AgencyKind::Department, "24"),
        (
            COMMUNE,
            "UBND xã Kinh Bắc",
            AgencyKind::CommunePeoplesCommittee,
            "25000",
        ),
        (
            "000.00.00.H05",
            "UBND tỉnh Bắc Ninh",
            AgencyKind::ProvincialPeoplesCommittee,
            "24",
        ),
        ("000.00.20.H05", "Công an tỉnh", AgencyKind::Other, "24"),
    ] {
        let agency = Agency {
            code: code.parse().unwrap(),
            name: name.into(),
            kind,
            unit: unit.parse().unwrap(),
            valid_from: Some(day(2025, 7, 1)),
            valid_to: None,
        };
        svc.register_agency(&admin, agency, None).await.unwrap();
    }
}

fn citizen(personal_id: &str) -> NewAccount {
    NewAccount::Citizen {
        personal_id: personal_id.into(),
        name: "Trần Thị Bình".into(),
        phone: Some("0987 654 321".into()),
        password: Password::new(PASSWORD),
    }
}

fn staff(login: &str, role: Role, agency: Option<&str>, unit: Option<&str>) -> NewAccount {
    NewAccount::Staff {
        login: login.into(),
        name: format!("Cán bộ {login}"),
        phone: None,
        role,
        agency: agency.map(str::to_owned),
        unit: unit.map(str::to_owned),
        password: Password::new(PASSWORD),
    }
}

fn new_dossier(agency: &str, applicant: &str) -> NewDossier {
    NewDossier {
        agency: agency.into(),
        procedure: ProcedureRef {
            code: "1.001193".into(),
            name: "Đăng ký khai sinh".into(),
            limit: Some(TimeLimit {
                value: TimeValue::whole(1),
                unit: TimeUnit::WorkingDays,
            }),
            same_day_certification: false,
            document_result: true,
            full_process_online: false,
            counted_in: Default::default(),
        },
        applicant: Applicant {
            id: ApplicantId::Person(applicant.parse().unwrap()),
            name: "Trần Thị Bình".into(),
            phone: Some("0987654321".into()),
            email: None,
            address: None,
        },
        channel: Channel::Online,
        components: Vec::new(),
        eid_verified: false,
    }
}

async fn citizens_register_and_sign_in_with_one_answer_for_every_mistake(store: &Store) {
    let (svc, _) = services(store);
    let account = svc.register_citizen(citizen(CITIZEN), None).await.unwrap();
    assert_eq!(account.kind, AccountKind::Citizen);
    assert_eq!(account.login, CITIZEN);
    assert_eq!(account.eid_level, 1);
    assert_eq!(account.phone.as_deref(), Some("0987654321"));
    assert!(accounts::is_account_id(&account.id), "{}", account.id);
    assert!(!format!("{account:?}").contains(CITIZEN));
    let hash = store.password_hash(&account.id).await.unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    let ok = svc
        .authenticate(&format!(" {CITIZEN} "), &Password::new(PASSWORD))
        .await
        .unwrap();
    assert_eq!(ok.id, account.id);

    let wrong_password = svc
        .authenticate(CITIZEN, &Password::new("sai-mat-khau"))
        .await
        .unwrap_err();
    let unknown_login = svc
        .authenticate(OTHER_CITIZEN, &Password::new(PASSWORD))
        .await
        .unwrap_err();
    for err in [&wrong_password, &unknown_login] {
        assert!(matches!(err, ServiceError::Refused(_)), "{err:?}");
        assert_eq!(err.to_string(), BAD_CREDENTIALS);
    }
    let taken = svc
        .register_citizen(citizen(CITIZEN), None)
        .await
        .unwrap_err();
    assert!(
        matches!(taken, ServiceError::Store(StoreError::Duplicate { .. })),
        "{taken:?}"
    );
    assert!(!taken.to_string().contains(CITIZEN), "{taken}");
}

async fn field_errors_name_the_field_in_both_languages(store: &Store) {
    let (svc, _) = services(store);
    let err = svc
        .register_citizen(
            NewAccount::Citizen {
                personal_id: CITIZEN.into(),
                name: "An".into(),
                phone: None,
                password: Password::new("ngan"),
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    assert!(
        err.to_string().contains(
            "mật khẩu phải có ít nhất 8 ký tự / the password must have at least 8 characters"
        ),
        "{err}"
    );
    let problems = accounts::check_new_account(&NewAccount::Citizen {
        personal_id: "12345".into(),
        name: " ".into(),
        phone: Some("12".into()),
        password: Password::new(format!("x{CITIZEN}x")),
    });
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["personal_id", "name", "phone"], "{problems:?}");
    assert!(problems[0].vi.contains("số định danh cá nhân"));
    assert!(problems[0].en.contains("personal identification number"));
    let valid = accounts::check_new_account(&citizen(CITIZEN));
    assert!(valid.is_empty(), "{valid:?}");
    let contains_login = accounts::check_password(&Password::new(format!("a{CITIZEN}")), CITIZEN);
    assert_eq!(contains_login[0].field, "password");
    assert!(
        store
            .find_account_by_login(CITIZEN)
            .await
            .unwrap()
            .is_none()
    );
}

async fn disabled_accounts_are_refused_and_lose_their_sessions(store: &Store) {
    let (svc, _) = services(store);
    province(&svc).await;
    let system = Acting::cli("test");
    let desk = svc
        .create_account(
            &system,
            staff("MotCua.STP", Role::DeskOfficer, Some(STP), None),
        )
        .await
        .unwrap();
    assert_eq!(desk.login, "motcua.stp");
    assert_eq!(desk.eid_level, 0);
    let policy = SessionPolicy::default();
    let (token, session) = svc
        .sign_in("motcua.stp", &Password::new(PASSWORD), &policy, None)
        .await
        .unwrap();
    assert_eq!(
        session.principal(),
        Principal::new(Role::DeskOfficer, Scope::Agency(STP.into()))
    );
    assert_eq!(session.acting(None).channel, Channel::Desk);
    // Found once, the session is kept for a moment: disabling must still end it at once.
    assert!(svc.find_session(token.as_str()).await.unwrap().is_some());

    let disabled = svc
        .set_account_disabled(&system, &desk.id, true, None)
        .await
        .unwrap();
    assert!(disabled.disabled);
    assert!(svc.find_session(token.as_str()).await.unwrap().is_none());
    let err = svc
        .authenticate("motcua.stp", &Password::new(PASSWORD))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("the account is disabled"), "{err}");
    // Without the password, a disabled account looks like any wrong attempt.
    let err = svc
        .authenticate("motcua.stp", &Password::new("doan-bua-1"))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), BAD_CREDENTIALS);

    let stale = svc
        .set_account_disabled(&system, &desk.id, false, Some(1))
        .await
        .unwrap_err();
    assert!(
        matches!(stale, ServiceError::Store(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    svc.set_account_disabled(&system, &desk.id, false, None)
        .await
        .unwrap();
    svc.authenticate("motcua.stp", &Password::new(PASSWORD))
        .await
        .unwrap();
}

async fn sessions_end_when_idle_or_too_old(store: &Store) {
    let (svc, clock) = services(store);
    let account = svc.register_citizen(citizen(CITIZEN), None).await.unwrap();
    let policy = SessionPolicy {
        idle_secs: 30 * 60,
        absolute_secs: 2 * 3600,
    };
    let t0 = vn(2026, 11, 23, 9, 0);

    // Idle: unused for 31 minutes, the session is gone (and deleted).
    clock.set(t0);
    let (idle, _) = svc.open_session(&account, &policy, None).await.unwrap();
    clock.set(t0 + TimeDelta::minutes(31));
    assert!(svc.find_session(idle.as_str()).await.unwrap().is_none());
    assert!(svc.find_session(idle.as_str()).await.unwrap().is_none());

    // Used every 25 minutes it lives on — until the absolute limit.
    clock.set(t0);
    let (busy, first) = svc.open_session(&account, &policy, None).await.unwrap();
    assert_eq!(first.expires_at, t0 + TimeDelta::minutes(30));
    let mut at = t0;
    for _ in 0..3 {
        at += TimeDelta::minutes(25);
        clock.set(at);
        let s = svc.find_session(busy.as_str()).await.unwrap().unwrap();
        assert_eq!(s.expires_at, at + TimeDelta::minutes(30));
    }
    clock.set(t0 + TimeDelta::minutes(100));
    let late = svc.find_session(busy.as_str()).await.unwrap().unwrap();
    assert_eq!(late.expires_at, t0 + TimeDelta::hours(2));
    clock.set(t0 + TimeDelta::minutes(119));
    assert!(svc.find_session(busy.as_str()).await.unwrap().is_some());
    clock.set(t0 + TimeDelta::hours(2));
    assert!(svc.find_session(busy.as_str()).await.unwrap().is_none());

    // A forged or empty token finds nothing; expired rows are purged.
    assert!(svc.find_session("").await.unwrap().is_none());
    assert!(svc.find_session(&"0".repeat(64)).await.unwrap().is_none());
    clock.set(t0);
    let (stale, _) = svc.open_session(&account, &policy, None).await.unwrap();
    clock.set(t0 + TimeDelta::hours(3));
    assert_eq!(svc.purge_sessions().await.unwrap(), 1);
    assert!(svc.find_session(stale.as_str()).await.unwrap().is_none());
}

async fn sign_in_and_out_are_in_the_log_and_no_password_is_anywhere(store: &Store) {
    let (svc, _) = services(store);
    let account = svc.register_citizen(citizen(CITIZEN), None).await.unwrap();
    let policy = SessionPolicy::default();
    let (token, session) = svc
        .sign_in(
            CITIZEN,
            &Password::new(PASSWORD),
            &policy,
            Some("req-1".into()),
        )
        .await
        .unwrap();
    assert!(!format!("{token:?} {session:?}").contains(token.as_str()));
    let (other, _) = svc
        .sign_in(CITIZEN, &Password::new(PASSWORD), &policy, None)
        .await
        .unwrap();
    // Both sessions found (and kept for a moment) before the password changes.
    assert!(svc.find_session(other.as_str()).await.unwrap().is_some());
    assert!(svc.find_session(token.as_str()).await.unwrap().is_some());
    let new_password = Password::new("mat-khau-moi-2");
    let err = svc
        .change_password(&session, &Password::new("sai"), &new_password, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("current password"), "{err}");
    svc.change_password(&session, &Password::new(PASSWORD), &new_password, None)
        .await
        .unwrap();
    // The other session ended with the old password; this one lives on.
    assert!(svc.find_session(other.as_str()).await.unwrap().is_none());
    assert!(svc.find_session(token.as_str()).await.unwrap().is_some());
    assert!(svc.close_session(token.as_str(), None).await.unwrap());
    assert!(!svc.close_session(token.as_str(), None).await.unwrap());
    assert!(svc.find_session(token.as_str()).await.unwrap().is_none());
    svc.authenticate(CITIZEN, &new_password).await.unwrap();

    let log = store.load_stream("account", &account.id).await.unwrap();
    let kinds: Vec<_> = log.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "signed_in",
            "signed_in",
            "password_changed",
            "signed_out"
        ]
    );
    let signed_in = &log[1];
    assert_eq!(signed_in.meta.actor.id, account.id);
    assert_eq!(signed_in.meta.actor.role, Role::Citizen);
    assert_eq!(signed_in.meta.channel, Channel::Online);
    assert_eq!(signed_in.meta.request_id.as_deref(), Some("req-1"));
    assert_eq!(
        store
            .find_account(&account.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        5
    );
    let everything = serde_json::to_string(
        &log.iter()
            .map(|e| (&e.payload, &e.meta.actor.id))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for secret in [
        PASSWORD,
        new_password.expose(),
        "$argon2",
        token.as_str(),
        &session.csrf,
    ] {
        assert!(!everything.contains(secret), "{secret} in the log");
    }
}

async fn agency_admins_manage_their_own_agency_only(store: &Store) {
    let (svc, _) = services(store);
    province(&svc).await;
    let system = Acting::cli("test");
    let admin = svc
        .create_account(
            &system,
            staff("quantri.stp", Role::AgencyAdmin, Some(STP), None),
        )
        .await
        .unwrap();
    let as_admin = Acting::for_account(&admin, None);
    svc.create_account(
        &as_admin,
        staff("chuyenvien.stp", Role::Specialist, Some(STP), None),
    )
    .await
    .unwrap();
    for new in [
        staff("chuyenvien.stc", Role::Specialist, Some(STC), None),
        staff("quantri.all", Role::SystemAdmin, None, None),
        staff("thanhtra.24", Role::Inspector, None, Some("24")),
        citizen(OTHER_CITIZEN),
    ] {
        let err = svc.create_account(&as_admin, new).await.unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    }
    let own = svc.list_accounts(&as_admin, Some(STP)).await.unwrap();
    assert_eq!(own.len(), 2);
    assert!(svc.list_accounts(&as_admin, Some(STC)).await.is_err());
    assert!(svc.list_accounts(&as_admin, None).await.is_err());
    let err = svc
        .set_account_disabled(&as_admin, &admin.id, true, None)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");

    // Staff accounts need a registered agency, a valid role and the scope their role takes.
    let err = svc
        .create_account(
            &system,
            staff("motcua.x", Role::DeskOfficer, Some("099.00.99.H05"), None),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not registered"), "{err}");
    let problems = accounts::check_new_account(&staff("ab", Role::Inspector, Some(STP), None));
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["login", "agency", "unit"], "{problems:?}");
    let err = svc
        .create_account(&system, staff("lanh.dao", Role::Citizen, None, None))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("role citizen is not a staff role"),
        "{err}"
    );
}

async fn citizens_act_only_on_their_own_dossiers(store: &Store) {
    let (svc, _) = services(store);
    province(&svc).await;
    let mine = svc.register_citizen(citizen(CITIZEN), None).await.unwrap();
    let me = Acting::for_account(&mine, Some("req-7".into()));
    assert_eq!(
        svc.principal(&me).await.unwrap(),
        Principal::new(Role::Citizen, Scope::Applicant(CITIZEN.into()))
    );
    let own = svc
        .submit_dossier(&me, new_dossier(COMMUNE, CITIZEN), false)
        .await
        .unwrap();
    let err = svc
        .submit_dossier(&me, new_dossier(COMMUNE, OTHER_CITIZEN), false)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    assert!(!err.to_string().contains(OTHER_CITIZEN), "{err}");

    // Someone else's dossier: neither withdrawn nor read by this citizen.
    let other = svc
        .register_citizen(citizen(OTHER_CITIZEN), None)
        .await
        .unwrap();
    let theirs = svc
        .submit_dossier(
            &Acting::for_account(&other, None),
            new_dossier(COMMUNE, OTHER_CITIZEN),
            false,
        )
        .await
        .unwrap();
    let withdraw = Command::Withdraw {
        reasons: "nộp nhầm".into(),
    };
    let err = svc
        .act_on_dossier(&me, theirs.code(), withdraw.clone(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
    let session_principal = mine.principal();
    let target = svc.dossier_target(&theirs).await.unwrap();
    assert!(accounts::authorize(&session_principal, Action::ReadDossier, &target).is_err());
    let own_target = svc.dossier_target(&own).await.unwrap();
    assert_eq!(own_target.units, ["25000", "24"]);
    accounts::authorize(&session_principal, Action::ReadDossier, &own_target).unwrap();
    svc.act_on_dossier(&me, own.code(), withdraw, None)
        .await
        .unwrap();

    // A disabled citizen can no longer act, even with an Acting built before.
    svc.set_account_disabled(&Acting::cli("test"), &mine.id, true, None)
        .await
        .unwrap();
    let err = svc
        .submit_dossier(&me, new_dossier(COMMUNE, CITIZEN), false)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden(_)), "{err:?}");
}

async fn inspectors_and_commune_officers_see_only_their_units(store: &Store) {
    let (svc, _) = services(store);
    province(&svc).await;
    let system = Acting::cli("test");
    let inspector = svc
        .create_account(
            &system,
            staff("thanhtra.bacninh", Role::Inspector, None, Some("24")),
        )
        .await
        .unwrap();
    let commune_desk = svc
        .create_account(
            &system,
            staff("motcua.xa", Role::DeskOfficer, Some(COMMUNE), None),
        )
        .await
        .unwrap();
    let commune = svc.agency_target(COMMUNE).await.unwrap();
    assert_eq!(commune.units, ["25000", "24"]);
    let who = inspector.principal();
    accounts::authorize(&who, Action::ReadStatistics, &commune).unwrap();
    accounts::authorize(
        &who,
        Action::ReadStatistics,
        &svc.unit_target("24").await.unwrap(),
    )
    .unwrap();
    accounts::authorize(&who, Action::ReadStatistics, &Target::unit("01")).unwrap_err();
    accounts::authorize(&who, Action::ListWorklist, &commune).unwrap_err();
    // Through an Acting, the inspector's unit is read from the account.
    assert_eq!(
        svc.principal(&Acting::for_account(&inspector, None))
            .await
            .unwrap()
            .scope,
        Scope::Unit("24".into())
    );

    let desk = commune_desk.principal();
    accounts::authorize(&desk, Action::ListWorklist, &commune).unwrap();
    let stp = svc.agency_target(STP).await.unwrap();
    let err = accounts::authorize(&desk, Action::ListWorklist, &stp).unwrap_err();
    assert!(err.to_string().contains("outside your scope"), "{err}");
}

async fn demo_accounts_cover_every_role_once(store: &Store) {
    let (svc, _) = services(store);
    province(&svc).await;
    let system = Acting::cli("demo");
    // A dossier filed at the desk for CITIZEN makes them the demo citizen.
    let desk = svc
        .create_account(
            &system,
            staff("tmp.desk", Role::DeskOfficer, Some(COMMUNE), None),
        )
        .await
        .unwrap();
    let mut at_desk = new_dossier(COMMUNE, CITIZEN);
    at_desk.channel = Channel::Desk;
    svc.submit_dossier(&Acting::for_account(&desk, None), at_desk, true)
        .await
        .unwrap();

    let denied = svc
        .create_demo_accounts(&Acting::for_account(&desk, None))
        .await
        .unwrap_err();
    assert!(matches!(denied, ServiceError::Forbidden(_)), "{denied:?}");
    let first = svc.create_demo_accounts(&system).await.unwrap();
    let roles: Vec<_> = first.iter().map(|a| a.role).collect();
    assert_eq!(
        roles,
        [
            Role::DeskOfficer,
            Role::Specialist,
            Role::Leader,
            Role::DeskOfficer,
            Role::Leader,
            Role::Leader,
            Role::Specialist,
            Role::Leader,
            Role::AgencyAdmin,
            Role::Inspector,
            Role::SystemAdmin,
            Role::Citizen,
            Role::Business,
        ]
    );
    let citizen = first.iter().find(|a| a.role == Role::Citizen).unwrap();
    assert_eq!(citizen.login, CITIZEN);
    let again = svc.create_demo_accounts(&system).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(store.list_accounts(None).await.unwrap().len(), 14);
    for demo in &first {
        let account = svc
            .authenticate(&demo.login, &Password::new(DEMO_PASSWORD))
            .await
            .unwrap();
        assert_eq!(account.role, demo.role, "{}", demo.login);
    }
    let desk = svc
        .find_account_by_login("motcua.stp")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(desk.agency.as_deref(), Some(STP));
    let commune = svc
        .find_account_by_login("motcua.xa001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(commune.agency.as_deref(), Some(COMMUNE));
}

contract_tests!(
    citizens_register_and_sign_in_with_one_answer_for_every_mistake,
    field_errors_name_the_field_in_both_languages,
    disabled_accounts_are_refused_and_lose_their_sessions,
    sessions_end_when_idle_or_too_old,
    sign_in_and_out_are_in_the_log_and_no_password_is_anywhere,
    agency_admins_manage_their_own_agency_only,
    citizens_act_only_on_their_own_dossiers,
    inspectors_and_commune_officers_see_only_their_units,
    demo_accounts_cover_every_role_once,
);
