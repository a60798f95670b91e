//! API tokens through the real services: who may issue and revoke them, the secret shown
//! once and stored as a hash, expiry, revocation and last use, on SQLite and on PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use motcua_domain::authz::{Principal, Scope};
use motcua_domain::event::{Channel, Role};
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_service::accounts::{NewAccount, Password};
use motcua_service::api_tokens::{ApiScope, NewApiToken, TOKEN_PREFIX};
use motcua_service::{Acting, FixedClock, ServiceError, Services};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;
use sha2::{Digest, Sha256};

const STP: &str = "000.00.10.H05";
const STC: &str = "000.00.11.H05";
const PASSWORD: &str = "mat-khau-dai-1";

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()
}

/// Services over `store` with two agencies and their staff; returns the clock and the
/// acting of the first agency's administrator, its desk officer, the second agency's
/// administrator and a system administrator.
async fn setup(store: &Store) -> (Services, FixedClock, [Acting; 4]) {
    let clock = FixedClock::new(start());
    let svc = Services::new(store.clone(), Arc::new(clock.clone()));
    let cli = Acting::cli("test");
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    svc.record_unit(
        &cli,
        AdminUnit {
            code: "24".parse().unwrap(),
            unit_type: UnitType::Province,
            name: "Bắc Ninh".into(),
            full_name: "Tỉnh Bắc Ninh".into(),
            name_en: None,
            parent: None,
            valid_from: Some(day(2025, 7, 1)),
            valid_to: None,
        },
    )
    .await
    .unwrap();
    for (code, name) in [(STP, "Sở Tư pháp"), (STC, "Sở Tài chính")] {
        svc.register_agency(
            &cli,
            Agency {
                code: code.parse().unwrap(),
                name: name.into(),
                kind: AgencyKind::Department,
                unit: "24".parse().unwrap(),
                valid_from: Some(day(2025, 7, 1)),
                valid_to: None,
            },
            None,
        )
        .await
        .unwrap();
    }
    let mut acting = Vec::new();
    for (login, role, agency) in [
        ("quantri.stp", Role::AgencyAdmin, Some(STP)),
        ("motcua.stp", Role::DeskOfficer, Some(STP)),
        ("quantri.stc", Role::AgencyAdmin, Some(STC)),
        ("quantri.hethong", Role::SystemAdmin, None),
    ] {
        let account = svc
            .create_account(
                &cli,
                NewAccount::Staff {
                    login: login.into(),
                    name: login.into(),
                    phone: None,
                    role,
                    agency: agency.map(str::to_owned),
                    unit: None,
                    password: Password::new(PASSWORD),
                },
            )
            .await
            .unwrap();
        acting.push(Acting::for_account(&account, None));
    }
    let [a, b, c, d] = <[Acting; 4]>::try_from(acting).unwrap();
    (svc, clock, [a, b, c, d])
}

fn new_token(agency: &str) -> NewApiToken {
    NewApiToken {
        agency: agency.into(),
        role: Role::DeskOfficer,
        name: "Đồng bộ Cổng DVCQG".into(),
        scopes: vec![ApiScope::DossiersRead, ApiScope::CatalogRead],
        valid_days: 30,
    }
}

async fn an_agency_admin_issues_a_token_shown_once_and_stored_as_a_hash(store: &Store) {
    let (svc, _, [admin, ..]) = setup(store).await;
    let (secret, token) = svc.create_api_token(&admin, new_token(STP)).await.unwrap();
    let text = secret.expose().to_owned();
    assert!(text.starts_with(TOKEN_PREFIX) && text.len() == TOKEN_PREFIX.len() + 64);
    assert!(!format!("{secret:?}").contains(&text[4..]));
    assert!(token.id.starts_with("t:") && token.id.len() == 18);
    assert_eq!(token.expires_at, start() + TimeDelta::days(30));
    assert_eq!(token.created_by, admin.actor.id);

    let row = store.find_api_token(&token.id).await.unwrap().unwrap();
    let hash: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(row.token_hash, hash);
    assert!(!format!("{row:?}").contains(&hash));

    let log = store.load_stream("api_token", &token.id).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, "created");
    assert_eq!(log[0].meta.actor.id, admin.actor.id);
    let payload = log[0].payload.to_string();
    assert!(
        !payload.contains(&text) && !payload.contains(&hash),
        "{payload}"
    );
    assert!(payload.contains("dossiers:read"));

    let found = svc.authenticate_api_token(&text).await.unwrap().unwrap();
    assert_eq!(found.id, token.id);
    assert!(found.has_scope(ApiScope::DossiersRead));
    assert!(!found.has_scope(ApiScope::DossiersWrite));
    let acting = found.acting(Some("req-1".into()));
    assert_eq!(acting.actor.id, token.id);
    assert_eq!(acting.actor.role, Role::DeskOfficer);
    assert_eq!(acting.actor.agency.as_deref(), Some(STP));
    assert_eq!(acting.channel, Channel::Api);
    assert_eq!(
        found.principal(),
        Principal::new(Role::DeskOfficer, Scope::Agency(STP.into()))
    );
    for wrong in [
        "",
        "mct_",
        "Bearer x",
        &text[..text.len() - 1],
        &text.to_uppercase(),
    ] {
        assert!(
            svc.authenticate_api_token(wrong).await.unwrap().is_none(),
            "{wrong}"
        );
    }
}

async fn only_administrators_of_the_agency_or_the_system_manage_its_tokens(store: &Store) {
    let (svc, _, [admin, desk, other_admin, sysadmin]) = setup(store).await;
    for (who, agency) in [(&desk, STP), (&other_admin, STP), (&admin, STC)] {
        let refused = svc.create_api_token(who, new_token(agency)).await;
        assert!(
            matches!(refused, Err(ServiceError::Forbidden(_))),
            "{:?} {agency}: {refused:?}",
            who.actor.role
        );
    }
    let (_, theirs) = svc
        .create_api_token(&sysadmin, new_token(STC))
        .await
        .unwrap();
    assert_eq!(theirs.agency, STC);
    let unknown = svc
        .create_api_token(&sysadmin, new_token("000.00.99.H05"))
        .await;
    assert!(matches!(unknown, Err(ServiceError::Invalid(m)) if m.contains("not registered")));
    let invalid = svc
        .create_api_token(
            &admin,
            NewApiToken {
                role: Role::SystemAdmin,
                scopes: Vec::new(),
                valid_days: 400,
                ..new_token(STP)
            },
        )
        .await;
    let Err(ServiceError::Invalid(message)) = invalid else {
        panic!("{invalid:?}")
    };
    for field in ["role:", "scopes:", "valid_days:"] {
        assert!(message.contains(field), "{message}");
    }

    svc.create_api_token(&admin, new_token(STP)).await.unwrap();
    let mine = svc.list_api_tokens(&admin, Some(STP)).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert!(matches!(
        svc.list_api_tokens(&admin, Some(STC)).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        svc.list_api_tokens(&admin, None).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert_eq!(svc.list_api_tokens(&sysadmin, None).await.unwrap().len(), 2);
    let refused = svc.revoke_api_token(&admin, &theirs.id).await;
    assert!(
        matches!(refused, Err(ServiceError::Forbidden(_))),
        "{refused:?}"
    );
}

async fn revoked_and_expired_tokens_authenticate_nothing(store: &Store) {
    let (svc, clock, [admin, ..]) = setup(store).await;
    let (secret, token) = svc.create_api_token(&admin, new_token(STP)).await.unwrap();
    let revoked = svc.revoke_api_token(&admin, &token.id).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(start()));
    assert_eq!(revoked.version, 2);
    assert!(
        svc.authenticate_api_token(secret.expose())
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        svc.revoke_api_token(&admin, &token.id).await,
        Err(ServiceError::Refused(_))
    ));
    assert!(matches!(
        svc.revoke_api_token(&admin, "t:0000000000000000").await,
        Err(ServiceError::Store(StoreError::NotFound { .. }))
    ));
    let kinds: Vec<_> = store
        .load_stream("api_token", &token.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["created", "revoked"]);

    let (secret, token) = svc.create_api_token(&admin, new_token(STP)).await.unwrap();
    clock.set(token.expires_at - TimeDelta::seconds(1));
    assert!(
        svc.authenticate_api_token(secret.expose())
            .await
            .unwrap()
            .is_some()
    );
    clock.set(token.expires_at);
    assert!(
        svc.authenticate_api_token(secret.expose())
            .await
            .unwrap()
            .is_none()
    );
}

async fn use_is_recorded_as_last_use_at_most_once_a_minute_not_as_events(store: &Store) {
    let (svc, clock, [admin, ..]) = setup(store).await;
    let (secret, token) = svc.create_api_token(&admin, new_token(STP)).await.unwrap();
    assert_eq!(token.last_used_at, None);
    let events_before = store.count_events().await.unwrap();
    let last_used = || async {
        store
            .find_api_token(&token.id)
            .await
            .unwrap()
            .unwrap()
            .last_used_at
    };
    svc.authenticate_api_token(secret.expose()).await.unwrap();
    assert_eq!(last_used().await, Some(start()));
    clock.set(start() + TimeDelta::seconds(30));
    svc.authenticate_api_token(secret.expose()).await.unwrap();
    assert_eq!(last_used().await, Some(start()));
    clock.set(start() + TimeDelta::seconds(61));
    let found = svc
        .authenticate_api_token(secret.expose())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.last_used_at, Some(start() + TimeDelta::seconds(61)));
    assert_eq!(last_used().await, Some(start() + TimeDelta::seconds(61)));
    assert_eq!(store.count_events().await.unwrap(), events_before);
}

contract_tests!(
    an_agency_admin_issues_a_token_shown_once_and_stored_as_a_hash,
    only_administrators_of_the_agency_or_the_system_manage_its_tokens,
    revoked_and_expired_tokens_authenticate_nothing,
    use_is_recorded_as_last_use_at_most_once_a_minute_not_as_events,
);
