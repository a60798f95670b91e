//! Storage contract for units, mergers and agencies, run against SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::time::Instant;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use motcua_domain::calendar::{Session, WorkingHours};
use motcua_domain::event::{Actor, Channel, EventMeta};
use motcua_domain::units::{
    AdminUnit, Agency, AgencyKind, LAST_DAY_BEFORE_REFORM_2025, MergeShare, Merger, REFORM_2025,
    UnitKind, UnitType, shipped,
};
use motcua_storage::units::{UnitClosing, merger_id};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

fn meta() -> EventMeta {
    EventMeta {
        at: Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap(),
        actor: Actor::system("test"),
        channel: Channel::Cli,
        request_id: None,
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 11, 27)
}

fn unit(code: &str, t: UnitType, parent: Option<&str>, from: Option<NaiveDate>) -> AdminUnit {
    AdminUnit {
        code: code.parse().unwrap(),
        unit_type: t,
        name: format!("N{code}"),
        full_name: format!("{} N{code}", t.label_vi()),
        name_en: None,
        parent: parent.map(|p| p.parse().unwrap()),
        valid_from: from,
        valid_to: None,
    }
}

fn agency(code: &str, unit: &str) -> Agency {
    Agency {
        code: code.parse().unwrap(),
        name: format!("Cơ quan {code}"),
        kind: AgencyKind::Department,
        unit: unit.parse().unwrap(),
        valid_from: None,
        valid_to: None,
    }
}

fn hours(spec: &[(u32, u32, u32, u32)]) -> WorkingHours {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    WorkingHours::new(
        spec.iter()
            .map(|&(a, b, c, e)| Session {
                start: t(a, b),
                end: t(c, e),
            })
            .collect(),
    )
    .unwrap()
}

/// A small map: province 24 with two communes, valid from 2025-07-01.
async fn load_sample(store: &Store) {
    let units = vec![
        unit("VN", UnitType::Country, None, None),
        unit("24", UnitType::Province, Some("VN"), Some(REFORM_2025)),
        unit("07201", UnitType::Commune, Some("24"), Some(REFORM_2025)),
        unit("07300", UnitType::Ward, Some("24"), Some(REFORM_2025)),
    ];
    store
        .load_unit_reference(&units, &[], &[], "test", &meta())
        .await
        .unwrap();
}

async fn loads_the_shipped_reference_data_in_one_transaction(store: &Store) {
    let registry = shipped::registry().unwrap();
    let started = Instant::now();
    let loaded = store
        .load_unit_reference(
            registry.units(),
            registry.mergers(),
            registry.agencies(),
            "data/units",
            &meta(),
        )
        .await
        .unwrap();
    eprintln!("{:?}: bulk load {:?}", store.backend(), started.elapsed());
    assert_eq!(loaded.units, registry.units().len());
    assert_eq!(loaded.mergers, 34 + 3_321);
    assert_eq!(loaded.merger_predecessors, 63 + 10_604);
    assert_eq!(loaded.agencies, 34);
    assert_eq!(
        loaded.events,
        registry.units().len() + loaded.mergers + loaded.agencies
    );
    assert_eq!(store.count_events().await.unwrap() as usize, loaded.events);

    let provinces = store
        .units_on(today(), Some(UnitKind::Province), None)
        .await
        .unwrap();
    assert_eq!(provinces.len(), 34);
    let old_day = d(2024, 3, 15);
    let old = store
        .units_on(old_day, Some(UnitKind::Province), None)
        .await
        .unwrap();
    assert_eq!(old.len(), 63);
    let bac_ninh = store.units_on(today(), None, Some("24")).await.unwrap();
    assert_eq!(bac_ninh.len(), 99);
    assert_eq!(
        store
            .units_within("24", today(), Some(UnitKind::Commune))
            .await
            .unwrap()
            .len(),
        99
    );
    // Before the reform, 24 was Bắc Giang: districts, and communes below them.
    let bac_giang_communes = store
        .units_within("24", old_day, Some(UnitKind::Commune))
        .await
        .unwrap();
    let expected = registry
        .units_on(old_day, Some(UnitKind::Commune))
        .filter(|c| {
            let parent = c.parent.as_ref().unwrap().as_str();
            parent == "24"
                || registry
                    .unit_on(parent, old_day)
                    .is_some_and(|p| p.parent.as_ref().is_some_and(|g| g.as_str() == "24"))
        })
        .count();
    assert!(expected > 100);
    assert_eq!(bac_giang_communes.len(), expected);

    let versions = store.unit_versions("24").await.unwrap();
    let names: Vec<_> = versions.iter().map(|v| v.unit.full_name.as_str()).collect();
    assert_eq!(names, ["Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"]);
    assert_eq!(versions[0].unit.valid_to, Some(LAST_DAY_BEFORE_REFORM_2025));
    assert_eq!(
        versions.iter().map(|v| v.revision).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(store.load_stream("unit", "24").await.unwrap().len(), 2);

    let into = store.mergers_into("24").await.unwrap();
    assert_eq!(into.len(), 1);
    assert_eq!(into[0].id, "24@2025-07-01");
    assert_eq!(
        into[0].merger,
        *registry
            .mergers()
            .iter()
            .find(|m| m.successor.as_str() == "24")
            .unwrap()
    );
    let from = store.mergers_from("27").await.unwrap();
    assert_eq!(from.len(), 1);
    assert_eq!(from[0].merger.successor.as_str(), "24");
    assert_eq!(from[0].merger.predecessors.len(), 2);

    let all = store.all_mergers().await.unwrap();
    assert_eq!(all.len(), registry.mergers().len());
    let stored_units = store.all_units().await.unwrap();
    assert_eq!(stored_units.len(), registry.units().len());

    let h05 = store.find_agency("000.00.00.H05").await.unwrap().unwrap();
    assert_eq!(h05.agency.name, "Ủy ban nhân dân tỉnh Bắc Ninh");
    assert_eq!(h05.agency.unit.as_str(), "24");
    assert_eq!(h05.hours, None);
    assert_eq!(store.list_agencies(Some("24")).await.unwrap().len(), 1);
    assert_eq!(store.list_agencies(None).await.unwrap().len(), 34);
}

async fn a_failed_bulk_load_writes_nothing(store: &Store) {
    let units = vec![unit("VN", UnitType::Country, None, None)];
    let agencies = vec![agency("000.00.01.H05", "VN"), agency("000.00.01.H05", "VN")];
    let err = store
        .load_unit_reference(&units, &[], &agencies, "test", &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
    assert_eq!(store.count_events().await.unwrap(), 0);
    assert!(store.all_units().await.unwrap().is_empty());
    assert!(store.list_agencies(None).await.unwrap().is_empty());
    // And an existing code is refused as a whole, too.
    load_sample(store).await;
    let again = store
        .load_unit_reference(&units, &[], &[], "test", &meta())
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Duplicate { .. }), "{again:?}");
    assert_eq!(store.all_units().await.unwrap().len(), 4);
}

async fn a_new_unit_version_supersedes_the_one_in_force(store: &Store) {
    load_sample(store).await;
    let day = d(2026, 9, 20);
    let mut city = unit("24", UnitType::Municipality, Some("VN"), Some(day));
    city.name = "Bắc Ninh".into();
    city.full_name = "Thành phố Bắc Ninh".into();
    let stored = store
        .record_unit_version(&city, Some((1, day.pred_opt().unwrap())), 1, &meta())
        .await
        .unwrap();
    assert_eq!((stored.revision, stored.version), (2, 3));
    let versions = store.unit_versions("24").await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].unit.valid_to, Some(d(2026, 9, 19)));
    assert_eq!(versions[0].version, 3);
    assert_eq!(versions[1].unit.unit_type, UnitType::Municipality);
    let on = |date| async move {
        store
            .units_on(date, Some(UnitKind::Province), None)
            .await
            .unwrap()
    };
    assert_eq!(on(d(2026, 9, 19)).await[0].revision, 1);
    assert_eq!(on(day).await[0].unit.full_name, "Thành phố Bắc Ninh");
    let kinds: Vec<_> = store
        .load_stream("unit", "24")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        ["version_recorded", "version_closed", "version_recorded"]
    );
    // A writer that read the old version loses.
    let err = store
        .record_unit_version(&city, None, 1, &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                expected: 1,
                actual: 3,
                ..
            }
        ),
        "{err:?}"
    );
    // A brand-new code starts at revision 1.
    let new = unit("07400", UnitType::Commune, Some("24"), Some(day));
    let stored = store
        .record_unit_version(&new, None, 0, &meta())
        .await
        .unwrap();
    assert_eq!((stored.revision, stored.version), (1, 1));
}

async fn a_merger_closes_its_predecessors(store: &Store) {
    load_sample(store).await;
    let effective = d(2027, 1, 1);
    let successor = unit("07500", UnitType::Ward, Some("24"), Some(effective));
    store
        .record_unit_version(&successor, None, 0, &meta())
        .await
        .unwrap();
    let merger = Merger {
        successor: "07500".parse().unwrap(),
        predecessors: vec![
            ("07300".parse().unwrap(), MergeShare::Full),
            ("07201".parse().unwrap(), MergeShare::Partial),
        ],
        effective,
        legal_basis: "Nghị quyết thử / test resolution".into(),
    };
    let last = effective.pred_opt().unwrap();
    let closings: Vec<_> = ["07300", "07201"]
        .iter()
        .map(|c| UnitClosing {
            code: c.parse().unwrap(),
            revision: 1,
            valid_to: last,
            expected_version: 1,
        })
        .collect();
    let stored = store
        .record_merger(&merger, &closings, &meta())
        .await
        .unwrap();
    assert_eq!(stored.id, merger_id(&merger));
    assert_eq!(store.mergers_into("07500").await.unwrap()[0].merger, merger);
    assert_eq!(store.mergers_from("07201").await.unwrap()[0].merger, merger);
    let communes = |date| async move {
        store
            .units_on(date, Some(UnitKind::Commune), Some("24"))
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.unit.code.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(communes(last).await, ["07201", "07300"]);
    assert_eq!(communes(effective).await, ["07500"]);
    let stream = store.load_stream("unit", "07300").await.unwrap();
    assert_eq!(stream[1].kind, "version_closed");
    assert_eq!(stream[1].payload["merger"], "07500@2027-01-01");

    let again = store
        .record_merger(&merger, &[], &meta())
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Duplicate { .. }), "{again:?}");
    // A stale predecessor version rolls the whole merger back.
    let other = Merger {
        successor: "24".parse().unwrap(),
        effective: d(2028, 1, 1),
        ..merger.clone()
    };
    let err = store
        .record_merger(&other, &closings[..1], &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert!(store.mergers_into("24").await.unwrap().is_empty());
}

async fn agencies_register_once_and_keep_their_hours(store: &Store) {
    load_sample(store).await;
    let office = hours(&[(8, 0, 12, 0), (13, 0, 17, 0)]);
    let a = agency("000.00.13.H05", "24");
    let stored = store
        .register_agency(&a, Some(&office), &meta())
        .await
        .unwrap();
    assert_eq!(stored.version, 1);
    let dup = store.register_agency(&a, None, &meta()).await.unwrap_err();
    assert!(
        matches!(&dup, StoreError::Duplicate { what } if what.contains("000.00.13.H05")),
        "{dup:?}"
    );
    let found = store.find_agency("000.00.13.H05").await.unwrap().unwrap();
    assert_eq!(found.agency, a);
    assert_eq!(found.hours.as_ref(), Some(&office));
    assert!(store.find_agency("000.00.14.H05").await.unwrap().is_none());

    assert_eq!(
        store
            .set_agency_hours("000.00.13.H05", None, 1, &meta())
            .await
            .unwrap(),
        2
    );
    let found = store.find_agency("000.00.13.H05").await.unwrap().unwrap();
    assert_eq!((found.hours, found.version), (None, 2));
    let stale = store
        .set_agency_hours("000.00.13.H05", Some(&office), 1, &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(
            stale,
            StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }
        ),
        "{stale:?}"
    );
    let missing = store
        .set_agency_hours("000.00.14.H05", None, 0, &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NotFound { .. }),
        "{missing:?}"
    );
    let kinds: Vec<_> = store
        .load_stream("agency", "000.00.13.H05")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["registered", "hours_set"]);

    store
        .register_agency(&agency("000.00.00.H05", "VN"), None, &meta())
        .await
        .unwrap();
    let of_24: Vec<_> = store
        .list_agencies(Some("24"))
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.agency.code.to_string())
        .collect();
    assert_eq!(of_24, ["000.00.13.H05"]);
    assert_eq!(store.list_agencies(None).await.unwrap().len(), 2);
}

contract_tests!(
    loads_the_shipped_reference_data_in_one_transaction,
    a_failed_bulk_load_writes_nothing,
    a_new_unit_version_supersedes_the_one_in_force,
    a_merger_closes_its_predecessors,
    agencies_register_once_and_keep_their_hours,
);
