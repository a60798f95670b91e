//! The portal fixture the drafts, files and petitions tests share: Bắc Ninh with two
//! departments and a ward, three procedures of the bundled catalogue, two citizens.
#![allow(dead_code, reason = "each test file uses part of it")]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use motcua_domain::catalog::shipped;
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_service::accounts::{NewAccount, Password};
use motcua_service::{Acting, FixedClock, Services};
use motcua_storage::Store;

pub const CITIZEN_A: &str = "027190123456";
pub const CITIZEN_B: &str = "024085000123";
pub const JUSTICE: &str = "000.00.10.H05";
pub const FINANCE: &str = "000.00.11.H05";
pub const KINH_BAC: &str = "001.00.50.H05";
pub const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

pub fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

pub struct Fixture {
    pub services: Services,
    pub clock: FixedClock,
    _files: tempfile::TempDir,
}

/// Bắc Ninh with Sở Tư pháp, Sở Tài chính and phường Kinh Bắc's People's Committee; three
/// procedures of the bundled catalogue; two citizens. Monday 23/11/2026 09:00.
pub async fn fixture(store: &Store) -> Fixture {
    let clock = FixedClock::new(vn(2026, 11, 23, 9, 0));
    let files = tempfile::tempdir().unwrap();
    let services = Services::new(store.clone(), Arc::new(clock.clone()))
        .with_files_dir(files.path().join("files"));
    let admin = Acting::cli("test");
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    for (code, unit_type, name, parent) in [
        ("24", UnitType::Province, "Tỉnh Bắc Ninh", None),
        ("09187", UnitType::Ward, "Phường Kinh Bắc", Some("24")),
    ] {
        services
            .record_unit(
                &admin,
                AdminUnit {
                    code: code.parse().unwrap(),
                    unit_type,
                    name: name.into(),
                    full_name: name.into(),
                    name_en: None,
                    parent: parent.map(|p: &str| p.parse().unwrap()),
                    valid_from: Some(day(2025, 7, 1)),
                    valid_to: None,
                },
            )
            .await
            .unwrap();
    }
    for (code, name, kind, unit) in [
        (JUSTICE, "Sở Tư pháp", AgencyKind::Department, "24"),
        (FINANCE, "Sở Tài chính", AgencyKind::Department, "24"),
        (
            KINH_BAC,
            "Ủy ban nhân dân phường Kinh Bắc",
            AgencyKind::CommunePeoplesCommittee,
            "09187",
        ),
    ] {
        services
            .register_agency(
                &admin,
                Agency {
                    code: code.parse().unwrap(),
                    name: name.into(),
                    kind,
                    unit: unit.parse().unwrap(),
                    valid_from: Some(day(2025, 7, 1)),
                    valid_to: None,
                },
                None,
            )
            .await
            .unwrap();
    }
    let wanted = ["1.000588", "1.001193", "2.000815"];
    let procedures = shipped::procedures()
        .unwrap()
        .into_iter()
        .filter(|p| wanted.contains(&p.code.to_string().as_str()))
        .collect();
    services.import_catalogue(&admin, procedures).await.unwrap();
    for (id, name) in [(CITIZEN_A, "Trần Thị Bình"), (CITIZEN_B, "Lê Văn Cường")] {
        services
            .register_citizen(
                NewAccount::Citizen {
                    personal_id: id.into(),
                    name: name.into(),
                    phone: Some("0912345678".into()),
                    password: Password::new("mat-khau-dai-1"),
                },
                None,
            )
            .await
            .unwrap();
    }
    Fixture {
        services,
        clock,
        _files: files,
    }
}

/// The account of `login` acting online.
pub async fn citizen(f: &Fixture, login: &str) -> Acting {
    let account = f
        .services
        .find_account_by_login(login)
        .await
        .unwrap()
        .unwrap();
    Acting::for_account(&account, None)
}

/// A staff member of `agency` with `role`, as the log records them.
pub fn staff(role: Role, agency: &str) -> Acting {
    Acting {
        actor: Actor {
            id: format!("u:{:016x}", role.as_str().len() * 7 + agency.len()),
            role,
            agency: Some(agency.into()),
        },
        channel: Channel::Desk,
        request_id: None,
    }
}
