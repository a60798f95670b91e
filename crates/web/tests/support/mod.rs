//! Test support for the e-ID, API token and rate-limit tests: a local OpenID provider and
//! the application under test with a clock the test can move.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the support code"
)]
#![allow(clippy::unwrap_used, reason = "test support fails the test loudly")]

pub mod oidc_provider;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::event::Role;
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_service::accounts::{NewAccount, Password};
use motcua_service::{Acting, FixedClock, Services};
use motcua_storage::Store;
use motcua_web::{AppState, WebConfig};

use crate::common::App;

/// The agency of the tests (Sở Tư pháp Bắc Ninh).
pub const AGENCY: &str = "000.00.10.H05";
/// Another agency.
pub const OTHER_AGENCY: &str = "000.00.11.H05";
/// Every test account's password.
pub const PASSWORD: &str = "mat-khau-dai-1";

/// Monday 23/11/2026 09:00 in Vietnam, when the tests start.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()
}

/// The application over `store` with `config`, and its clock.
pub fn app(store: &Store, config: WebConfig) -> (App, FixedClock) {
    let clock = FixedClock::new(start_time());
    let services = Services::new(store.clone(), Arc::new(clock.clone()));
    let state = AppState::new(services.clone(), config);
    (
        App {
            router: motcua_web::router(state.clone()),
            services,
            state,
        },
        clock,
    )
}

/// Bắc Ninh, two of its agencies, and the staff: an agency administrator (`quantri.stp`), a
/// desk officer (`motcua.stp`) of the first agency, and a system administrator
/// (`quantri.hethong`).
pub async fn province(services: &Services) {
    let admin = Acting::cli("test");
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    services
        .record_unit(
            &admin,
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
    for (code, name) in [(AGENCY, "Sở Tư pháp"), (OTHER_AGENCY, "Sở Tài chính")] {
        services
            .register_agency(
                &admin,
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
    for (login, role, agency) in [
        ("quantri.stp", Role::AgencyAdmin, Some(AGENCY)),
        ("motcua.stp", Role::DeskOfficer, Some(AGENCY)),
        ("quantri.hethong", Role::SystemAdmin, None),
    ] {
        services
            .create_account(
                &admin,
                NewAccount::Staff {
                    login: login.into(),
                    name: format!("Cán bộ {login}"),
                    phone: None,
                    role,
                    agency: agency.map(str::to_owned),
                    unit: None,
                    password: Password::new(PASSWORD),
                },
            )
            .await
            .unwrap();
    }
}
