//! Statistics of merged units (issue 5 §1), on SQLite and PostgreSQL: the same dossiers
//! shown on the map of the period (old Bắc Ninh 27 and old Bắc Giang 24 in May 2025) or
//! re-aggregated on today's map (the merged Bắc Ninh 24), with the bundled units and
//! mergers of 1 July 2025.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;

use chrono::NaiveDate;
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{Applicant, ApplicantId, ProcedureRef};
use motcua_domain::event::{Channel, Role};
use motcua_domain::kpi::counts::Month;
use motcua_domain::units::{Agency, AgencyKind};
use motcua_service::accounts::{NewAccount, Password};
use motcua_service::dossiers::NewDossier;
use motcua_service::kpi::{OnMap, UnitMap};
use motcua_service::{Acting, FixedClock, ServiceError, Services};
use motcua_storage::Store;
use motcua_test_support::contract_tests;

mod common;

use common::vn;

/// UBND of old phường Vũ Ninh (09163, Bắc Ninh city, old province 27), closed 30/06/2025.
const OLD_VU_NINH: &str = "001.00.60.H05";
/// UBND of old phường Thọ Xương (07201, Bắc Giang city, old province 24), closed too.
const OLD_THO_XUONG: &str = "002.00.60.H05";
/// UBND of the new phường Vũ Ninh (09169, formed from old 09163, 09166 and 09169).
const NEW_VU_NINH: &str = "003.00.50.H05";
/// A department of the merged province (its area straddles both old provinces).
const JUSTICE: &str = "000.00.10.H05";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dossier(agency: &str) -> NewDossier {
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
            id: ApplicantId::Person("027190123456".parse().unwrap()),
            name: "Trần Thị Bình".into(),
            phone: Some("0987654321".into()),
            email: None,
            address: None,
        },
        channel: Channel::Desk,
        components: Vec::new(),
        eid_verified: false,
    }
}

async fn a_merged_unit_is_shown_on_either_map(store: &Store) {
    let clock = FixedClock::new(vn(2025, 5, 12, 9, 0));
    let s = Services::new(store.clone(), Arc::new(clock.clone()));
    let admin = Acting::cli("test");
    s.load_reference_units(&admin).await.unwrap();
    let (before, after) = (Some(day(2025, 6, 30)), Some(day(2025, 7, 1)));
    for (code, name, kind, unit, from, to) in [
        (
            OLD_VU_NINH,
            "Ủy ban nhân dân phường Vũ Ninh (cũ)",
            AgencyKind::CommunePeoplesCommittee,
            "09163",
            Some(day(2020, 1, 1)),
            before,
        ),
        (
            OLD_THO_XUONG,
            "Ủy ban nhân dân phường Thọ Xương",
            AgencyKind::CommunePeoplesCommittee,
            "07201",
            Some(day(2020, 1, 1)),
            before,
        ),
        (
            NEW_VU_NINH,
            "Ủy ban nhân dân phường Vũ Ninh",
            AgencyKind::CommunePeoplesCommittee,
            "09169",
            after,
            None,
        ),
        (
            JUSTICE,
            "Sở Tư pháp",
            AgencyKind::Department,
            "24",
            after,
            None,
        ),
    ] {
        let agency = Agency {
            code: code.parse().unwrap(),
            name: name.into(),
            kind,
            unit: unit.parse().unwrap(),
            valid_from: from,
            valid_to: to,
        };
        s.register_agency(&admin, agency, None).await.unwrap();
    }
    // May 2025: one dossier at each old ward, two at old Vũ Ninh; August: one at the new.
    for (i, agency) in [OLD_VU_NINH, OLD_VU_NINH, OLD_THO_XUONG]
        .into_iter()
        .enumerate()
    {
        let mut new = dossier(agency);
        if i == 0 {
            // Received online, of an online service: a procedure used (766 indicator 3.2).
            new.channel = Channel::Online;
            new.procedure.counted_in.online_service = true;
        }
        s.submit_dossier(&admin, new, true).await.unwrap();
    }
    clock.set(vn(2025, 8, 12, 9, 0));
    s.submit_dossier(&admin, dossier(NEW_VU_NINH), true)
        .await
        .unwrap();
    clock.set(vn(2025, 9, 15, 9, 0));
    let may: Month = "2025-05".parse().unwrap();
    let august: Month = "2025-08".parse().unwrap();
    let on_period = |code| OnMap::new(code, UnitMap::Period);

    // The period's map: old Bắc Ninh (27) holds the agencies whose area lay in it in May
    // 2025, the new ward's included (formed from three of its wards).
    let old_bac_ninh = s.kpi_report(&admin, on_period("27"), may).await.unwrap();
    assert_eq!(old_bac_ninh.agencies, [OLD_VU_NINH, NEW_VU_NINH]);
    assert_eq!(old_bac_ninh.report06.received, 2);
    assert_eq!(old_bac_ninh.map_day, Some(day(2025, 5, 1)));
    // Code 24 was Bắc Giang then: its ward, not the merged province's own agencies, whose
    // area straddles both old provinces and which are named instead.
    let old_bac_giang = s.kpi_report(&admin, on_period("24"), may).await.unwrap();
    assert_eq!(old_bac_giang.agencies, [OLD_THO_XUONG]);
    assert_eq!(old_bac_giang.report06.received, 1);
    assert!(
        old_bac_giang.straddling.contains(&"Sở Tư pháp".to_owned()),
        "{:?}",
        old_bac_giang.straddling
    );
    assert!(
        !old_bac_giang
            .straddling
            .iter()
            .any(|n| n.contains("Vũ Ninh"))
    );
    // The units within an old province are the old map's: district 256 and old 09163.
    let every = s
        .kpi_every_unit(&admin, on_period("27"), may)
        .await
        .unwrap();
    let within: Vec<&str> = every.units.iter().map(|u| u.unit.as_str()).collect();
    assert_eq!(within, ["09163", "256"]);
    assert_eq!(every.units[0].report06.received, 2);
    // Its alerts, live, are those of the same agencies; on today's map old 27 is no unit.
    let alerts = s.kpi_alerts(&admin, on_period("27"), may).await.unwrap();
    let mut alerted: Vec<&str> = alerts.iter().map(|a| a.agency.as_str()).collect();
    alerted.sort_unstable();
    let mut wanted = [OLD_VU_NINH, NEW_VU_NINH];
    wanted.sort_unstable();
    assert_eq!(alerted, wanted);
    assert_eq!(alerts.iter().map(|a| a.open).sum::<u64>(), 3);
    assert!(s.kpi_alerts(&admin, "27", may).await.is_err());

    // Today's map: everything re-aggregated into the merged Bắc Ninh, old wards included.
    let merged = s.kpi_report(&admin, "24", may).await.unwrap();
    for agency in [OLD_VU_NINH, OLD_THO_XUONG, NEW_VU_NINH, JUSTICE] {
        assert!(merged.agencies.iter().any(|a| a == agency), "{agency}");
    }
    assert_eq!(merged.report06.received, 3);
    assert_eq!(merged.map_day, None);
    let new_ward = s.kpi_report(&admin, "09169", may).await.unwrap();
    assert_eq!(new_ward.agencies, [OLD_VU_NINH, NEW_VU_NINH]);
    // The procedure old Vũ Ninh used counts in the units its area went into on today's
    // map, where the reports read it.
    let used = store
        .procedures_used("2025-05", &["24".into(), "09169".into()])
        .await
        .unwrap();
    assert_eq!(used.get("24"), Some(&[1, 0, 0, 0]));
    assert_eq!(used.get("09169"), Some(&[1, 0, 0, 0]));
    let quarter = store
        .procedures_used("2025-Q2", &["24".into(), OLD_VU_NINH.into()])
        .await
        .unwrap();
    assert_eq!(quarter.len(), 2);
    // After the merger the period's map is today's.
    let august_24 = s.kpi_report(&admin, on_period("24"), august).await.unwrap();
    assert_eq!(august_24.map_day, None);
    // August's dossier and May's three, still open, carried over.
    assert_eq!(august_24.report06.received, 4);
    assert_eq!(august_24.report06.counts.carried_over, 3);
    assert_eq!(august_24.agencies, merged.agencies);

    // An old code on today's map, or a code on a map it is not on, is named.
    for (unit, month, wanted) in [
        (OnMap::from("27"), may, "read it on the period's map"),
        (on_period("27"), august, "no agency or administrative unit"),
    ] {
        let e = s.kpi_report(&admin, unit, month).await.unwrap_err();
        assert!(
            matches!(&e, ServiceError::Invalid(m) if m.contains(wanted)),
            "{e:?}"
        );
    }
    // Whoever reads the merged province reads its old parts; another province's
    // inspector does not.
    for (login, unit, allowed) in [("thanhtra.24", "24", true), ("thanhtra.01", "01", false)] {
        let account = s
            .create_account(
                &admin,
                NewAccount::Staff {
                    login: login.into(),
                    name: format!("Thanh tra {unit}"),
                    phone: None,
                    role: Role::Inspector,
                    agency: None,
                    unit: Some(unit.into()),
                    password: Password::new("mat-khau-dai-1"),
                },
            )
            .await
            .unwrap();
        let inspector = Acting::for_account(&account, None);
        let read = s.kpi_report(&inspector, on_period("27"), may).await;
        assert_eq!(read.is_ok(), allowed, "{login}: {read:?}");
        if !allowed {
            assert!(matches!(read, Err(ServiceError::Forbidden(_))));
        }
    }
}

contract_tests!(a_merged_unit_is_shown_on_either_map);
