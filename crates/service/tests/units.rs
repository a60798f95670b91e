//! Unit, merger and agency use cases through the real write path, on SQLite and PostgreSQL.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::units::{
    AdminUnit, Agency, AgencyKind, LAST_DAY_BEFORE_REFORM_2025, MergeShare, Merger, REFORM_2025,
    UnitKind, UnitType, shipped,
};
use motcua_service::units::{UnitFilter, parse_working_hours, reaggregate};
use motcua_service::{Acting, FixedClock, ServiceError, Services};
use motcua_storage::{Store, StoreError};
use motcua_test_support::contract_tests;

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn services(store: &Store) -> Services {
    let now: DateTime<Utc> = vn(2026, 11, 27, 9, 0).to_utc();
    Services::new(store.clone(), Arc::new(FixedClock::new(now)))
}

fn admin() -> Acting {
    Acting::cli("units-test")
}

fn citizen() -> Acting {
    Acting {
        actor: Actor {
            id: "u:1".into(),
            role: Role::Citizen,
            agency: None,
        },
        channel: Channel::Online,
        request_id: None,
    }
}

async fn loaded(store: &Store) -> Services {
    let services = services(store);
    services.load_reference_units(&admin()).await.unwrap();
    services
}

fn commune(code: &str, name: &str, from: NaiveDate) -> AdminUnit {
    AdminUnit {
        code: code.parse().unwrap(),
        unit_type: UnitType::Ward,
        name: name.into(),
        full_name: format!("Phường {name}"),
        name_en: None,
        parent: Some("24".parse().unwrap()),
        valid_from: Some(from),
        valid_to: None,
    }
}

fn merger(successor: &str, predecessors: &[(&str, MergeShare)], effective: NaiveDate) -> Merger {
    Merger {
        successor: successor.parse().unwrap(),
        predecessors: predecessors
            .iter()
            .map(|(c, s)| (c.parse().unwrap(), *s))
            .collect(),
        effective,
        legal_basis: "Nghị quyết thử nghiệm / test resolution".into(),
    }
}

fn agency(code: &str, unit: &str) -> Agency {
    Agency {
        code: code.parse().unwrap(),
        name: "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh".into(),
        kind: AgencyKind::ServiceCentre,
        unit: unit.parse().unwrap(),
        valid_from: None,
        valid_to: None,
    }
}

fn message(e: &ServiceError) -> String {
    e.to_string()
}

async fn loading_the_reference_data_is_idempotent(store: &Store) {
    let services = services(store);
    let denied = services.load_reference_units(&citizen()).await.unwrap_err();
    assert!(matches!(denied, ServiceError::Forbidden(_)), "{denied:?}");

    let first = services.load_reference_units(&admin()).await.unwrap();
    let shipped = shipped::registry().unwrap();
    assert_eq!(first.written.units, shipped.units().len());
    assert_eq!(first.written.mergers, 3_355);
    assert_eq!(first.written.merger_predecessors, 10_667);
    assert_eq!(first.written.agencies, 34);
    assert_eq!(first.already_present.units, 0);
    let events = store.count_events().await.unwrap();
    assert_eq!(events as usize, first.written.events);

    let second = services.load_reference_units(&admin()).await.unwrap();
    assert_eq!(second.written, Default::default());
    assert_eq!(second.already_present.units, shipped.units().len());
    assert_eq!(second.already_present.mergers, 3_355);
    assert_eq!(second.already_present.agencies, 34);
    assert_eq!(store.count_events().await.unwrap(), events);
}

async fn the_registry_from_the_store_equals_the_shipped_one(store: &Store) {
    let services = loaded(store).await;
    let stored = services.unit_registry().await.unwrap();
    let shipped = shipped::registry().unwrap();
    assert_eq!(stored.units().len(), shipped.units().len());
    assert_eq!(stored.mergers().len(), shipped.mergers().len());
    assert_eq!(stored.agencies().len(), shipped.agencies().len());
    let kinds = [
        UnitKind::Country,
        UnitKind::Ministry,
        UnitKind::Province,
        UnitKind::District,
        UnitKind::Commune,
    ];
    for day in [d(2024, 3, 15), LAST_DAY_BEFORE_REFORM_2025, REFORM_2025] {
        for kind in kinds {
            assert_eq!(
                stored.units_on(day, Some(kind)).count(),
                shipped.units_on(day, Some(kind)).count(),
                "{kind:?} on {day}"
            );
        }
    }
    let s = stored.successors_on("27", d(2024, 3, 15)).unwrap();
    assert_eq!(s[0].unit.full_name, "Tỉnh Bắc Ninh");

    // The same through the service's reads.
    let provinces = services
        .list_units(&UnitFilter {
            on: None,
            kind: Some(UnitKind::Province),
            within: None,
        })
        .await
        .unwrap();
    assert_eq!(provinces.len(), 34);
    let bac_ninh = services
        .list_units(&UnitFilter {
            on: Some(d(2026, 11, 27)),
            kind: None,
            within: Some("24".parse().unwrap()),
        })
        .await
        .unwrap();
    assert_eq!(bac_ninh.len(), 99);

    // Without a date, an old code is read on its last day.
    let old = services
        .successors_of(&"27".parse().unwrap(), None, None)
        .await
        .unwrap();
    assert_eq!(old.len(), 1);
    assert_eq!(
        (old[0].unit.code.as_str(), old[0].share),
        ("24", MergeShare::Full)
    );
    let details = services
        .unit_details(&"24".parse().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(details.versions.len(), 2);
    assert_eq!(details.unit.full_name, "Tỉnh Bắc Ninh");
    assert_eq!(details.predecessors.len(), 2);
    assert_eq!(details.agencies[0].code.as_str(), "000.00.00.H05");
    assert_eq!(details.parent.unwrap().code.as_str(), "VN");

    // Statistics of 2024 by the map of today: both Bắc Giang and Bắc Ninh count for 24.
    let counts = [
        ("24", d(2024, 3, 15), 10),
        ("27", d(2024, 3, 15), 5),
        ("00016", d(2024, 3, 15), 2),
    ];
    let tally = reaggregate(&stored, counts, None).unwrap();
    assert_eq!(tally[&"24".parse().unwrap()].whole, 15);
    assert!(tally.values().filter(|t| t.partial == 2).count() > 1);
}

async fn a_merger_is_validated_and_closes_its_predecessors(store: &Store) {
    let services = loaded(store).await;
    let effective = d(2027, 1, 1);
    let day_before = d(2026, 12, 31);
    let children = services
        .unit_registry()
        .await
        .unwrap()
        .children_on("24", d(2026, 11, 27))
        .iter()
        .map(|u| u.code.to_string())
        .take(3)
        .collect::<Vec<_>>();
    let (a, b, c) = (&children[0], &children[1], &children[2]);

    // Refusals, before anything is written.
    let unknown_successor = services
        .record_merger(
            &admin(),
            merger("99901", &[(a, MergeShare::Full)], effective),
        )
        .await
        .unwrap_err();
    assert!(matches!(unknown_successor, ServiceError::Refused(_)));
    assert!(
        message(&unknown_successor).contains("successor '99901'"),
        "{unknown_successor}"
    );
    services
        .record_unit(&admin(), commune("99901", "Thử Nghiệm", effective))
        .await
        .unwrap();
    let gone = services
        .record_merger(
            &admin(),
            merger("99901", &[("27", MergeShare::Full)], effective),
        )
        .await
        .unwrap_err();
    assert!(
        message(&gone).contains("predecessor '27' did not exist"),
        "{gone}"
    );
    let empty = services
        .record_merger(&admin(), merger("99901", &[], effective))
        .await
        .unwrap_err();
    assert!(matches!(empty, ServiceError::Invalid(_)), "{empty:?}");
    let twice = services
        .record_merger(
            &admin(),
            merger(
                "99901",
                &[(a, MergeShare::Full), (a, MergeShare::Partial)],
                effective,
            ),
        )
        .await
        .unwrap_err();
    assert!(message(&twice).contains("listed twice"), "{twice}");
    // A commune that absorbs another and lives on is not its own predecessor.
    let itself = services
        .record_merger(
            &admin(),
            merger(
                a,
                &[(a, MergeShare::Full), (b, MergeShare::Full)],
                effective,
            ),
        )
        .await
        .unwrap_err();
    assert!(matches!(itself, ServiceError::Invalid(_)), "{itself:?}");
    assert!(
        message(&itself).contains("both predecessor and successor"),
        "{itself}"
    );
    let forbidden = services
        .record_merger(
            &citizen(),
            merger("99901", &[(a, MergeShare::Full)], effective),
        )
        .await
        .unwrap_err();
    assert!(matches!(forbidden, ServiceError::Forbidden(_)));
    let events = store.count_events().await.unwrap();

    // A valid merger: a and b wholly, c partly.
    let recorded = services
        .record_merger(
            &admin(),
            merger(
                "99901",
                &[
                    (a, MergeShare::Full),
                    (b, MergeShare::Full),
                    (c, MergeShare::Partial),
                ],
                effective,
            ),
        )
        .await
        .unwrap();
    assert_eq!(recorded.id, "99901@2027-01-01");
    // One merger event and three closing events.
    assert_eq!(store.count_events().await.unwrap(), events + 4);
    let registry = services.unit_registry().await.unwrap();
    for code in [a, b, c] {
        assert_eq!(
            registry.unit_on(code, day_before).unwrap().valid_to,
            Some(day_before)
        );
        assert!(registry.unit_on(code, effective).is_none());
    }
    let s = services
        .successors_of(&a.parse().unwrap(), Some(d(2026, 11, 27)), None)
        .await
        .unwrap();
    assert_eq!(
        (s[0].unit.code.as_str(), s[0].share),
        ("99901", MergeShare::Full)
    );
    // On the map of 2026 the commune is still itself.
    let s = services
        .successors_of(&a.parse().unwrap(), Some(d(2026, 11, 27)), Some(day_before))
        .await
        .unwrap();
    assert_eq!(s[0].unit.code.as_str(), a);
    // And old communes of 2024 follow both mergers.
    let before = registry
        .predecessors_of(a, REFORM_2025)
        .unwrap()
        .first()
        .unwrap()
        .unit
        .code
        .to_string();
    let s = registry.successors_on(&before, d(2024, 3, 15)).unwrap();
    assert!(s.iter().any(|x| x.unit.code.as_str() == "99901"), "{s:?}");

    let again = services
        .record_merger(
            &admin(),
            merger("99901", &[(c, MergeShare::Partial)], effective),
        )
        .await
        .unwrap_err();
    assert!(message(&again).contains("already recorded"), "{again}");
    // c was split: another partial share of it on the same day is fine, a full one is not.
    services
        .record_unit(&admin(), commune("99902", "Thử Nghiệm Hai", effective))
        .await
        .unwrap();
    let whole = services
        .record_merger(
            &admin(),
            merger("99902", &[(c, MergeShare::Full)], effective),
        )
        .await
        .unwrap_err();
    assert!(
        message(&whole).contains("each time as 'partial'"),
        "{whole}"
    );
    services
        .record_merger(
            &admin(),
            merger("99902", &[(c, MergeShare::Partial)], effective),
        )
        .await
        .unwrap();
}

async fn unit_versions_are_validated_and_supersede(store: &Store) {
    let services = loaded(store).await;
    let day = d(2026, 9, 20);
    let mut city = services
        .unit_registry()
        .await
        .unwrap()
        .unit_on("24", d(2026, 9, 1))
        .unwrap()
        .clone();
    city.unit_type = UnitType::Municipality;
    city.full_name = "Thành phố Bắc Ninh".into();
    city.valid_from = Some(day);
    let stored = services.record_unit(&admin(), city.clone()).await.unwrap();
    assert_eq!(stored.revision, 3);
    let registry = services.unit_registry().await.unwrap();
    assert_eq!(
        registry.unit_on("24", d(2026, 9, 19)).unwrap().unit_type,
        UnitType::Province
    );
    assert_eq!(
        registry.unit_on("24", day).unwrap().full_name,
        "Thành phố Bắc Ninh"
    );
    assert_eq!(registry.children_on("24", day).len(), 99);
    // The continuity merger keeps statistics of the old revision on the new one.
    services
        .record_merger(&admin(), merger("24", &[("24", MergeShare::Full)], day))
        .await
        .unwrap();
    let s = services
        .successors_of(&"27".parse().unwrap(), Some(d(2024, 3, 15)), None)
        .await
        .unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].unit.full_name.as_str(), s[0].share),
        ("Thành phố Bắc Ninh", MergeShare::Full)
    );

    let overlapping = services
        .record_unit(&admin(), city.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(overlapping, ServiceError::Refused(_)),
        "{overlapping:?}"
    );
    assert!(
        message(&overlapping).contains("overlapping"),
        "{overlapping}"
    );
    let mut no_start = city.clone();
    no_start.valid_from = None;
    let err = services.record_unit(&admin(), no_start).await.unwrap_err();
    assert!(message(&err).contains("valid_from"), "{err}");
    let mut wrong_shape = commune("99901", "X", day);
    wrong_shape.code = "079".parse().unwrap();
    let err = services
        .record_unit(&admin(), wrong_shape)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    let mut orphan = commune("99901", "X", day);
    orphan.parent = Some("27".parse().unwrap());
    let err = services.record_unit(&admin(), orphan).await.unwrap_err();
    assert!(message(&err).contains("No unit with code '27'"), "{err}");
}

async fn agencies_are_validated(store: &Store) {
    let services = loaded(store).await;
    let taken = services
        .register_agency(&admin(), agency("000.00.00.H05", "24"), None)
        .await
        .unwrap_err();
    assert!(matches!(taken, ServiceError::Refused(_)), "{taken:?}");
    assert!(
        message(&taken).contains("'000.00.00.H05' is already registered"),
        "{taken}"
    );
    let gone = services
        .register_agency(&admin(), agency("000.00.27.H05", "27"), None)
        .await
        .unwrap_err();
    assert!(
        message(&gone).contains("unit '27', which does not exist on 2026-11-27"),
        "{gone}"
    );
    let mut old = agency("000.00.27.H05", "27");
    old.valid_from = Some(d(2020, 1, 1));
    old.valid_to = Some(LAST_DAY_BEFORE_REFORM_2025);
    services.register_agency(&admin(), old, None).await.unwrap();
    let mut unnamed = agency("000.00.28.H05", "24");
    unnamed.name = " ".into();
    let err = services
        .register_agency(&admin(), unnamed, None)
        .await
        .unwrap_err();
    assert!(message(&err).contains("name must not be empty"), "{err}");
    let err = services.agency("H05.242").await.unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err:?}");
    assert!(message(&err).contains("4 dot-separated segments"), "{err}");
    assert!(services.agency("000.00.99.H05").await.unwrap().is_none());
    // An agency found missing (and kept so for a moment) is found once registered.
    let absent = "000.00.98.H05";
    assert!(services.agency(absent).await.unwrap().is_none());
    services
        .register_agency(&admin(), agency(absent, "24"), None)
        .await
        .unwrap();
    assert!(services.agency(absent).await.unwrap().is_some());
    let err = services
        .calendar_for_agency("000.00.99.H05")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Store(StoreError::NotFound { .. })),
        "{err:?}"
    );
    let of_24 = services
        .agencies(Some(&"24".parse().unwrap()))
        .await
        .unwrap();
    assert_eq!(of_24.len(), 2);
    assert_eq!(services.agencies(None).await.unwrap().len(), 36);
}

async fn the_agency_calendar_uses_its_office_hours(store: &Store) {
    let services = loaded(store).await;
    let centre = "000.00.13.H05";
    let hours = parse_working_hours("08:00-12:00,13:00-17:00").unwrap();
    services
        .register_agency(&admin(), agency(centre, "24"), Some(hours.clone()))
        .await
        .unwrap();
    assert_eq!(
        services.agency(centre).await.unwrap().unwrap().hours,
        Some(hours)
    );
    // Monday 07:45 + 4 working hours.
    let from = vn(2026, 11, 30, 7, 45);
    let default = services.calendar().await.unwrap();
    let own = services.calendar_for_agency(centre).await.unwrap();
    assert_eq!(
        default.add_working_hours(from, 4).unwrap(),
        vn(2026, 11, 30, 13, 45)
    );
    assert_eq!(
        own.add_working_hours(from, 4).unwrap(),
        vn(2026, 11, 30, 12, 0)
    );
    // The People's Committee of the province has no hours of its own.
    let committee = services.calendar_for_agency("000.00.00.H05").await.unwrap();
    assert_eq!(
        committee.add_working_hours(from, 4).unwrap(),
        vn(2026, 11, 30, 13, 45)
    );

    let reset = services
        .set_agency_hours(&admin(), centre, None)
        .await
        .unwrap();
    assert_eq!((reset.hours, reset.version), (None, 2));
    // The agency as pages read it (kept for a moment) follows the change at once.
    let found = services.agency(centre).await.unwrap().unwrap();
    assert_eq!((found.hours, found.version), (None, 2));
    let own = services.calendar_for_agency(centre).await.unwrap();
    assert_eq!(
        own.add_working_hours(from, 4).unwrap(),
        vn(2026, 11, 30, 13, 45)
    );
    let forbidden = services
        .set_agency_hours(&citizen(), centre, None)
        .await
        .unwrap_err();
    assert!(matches!(forbidden, ServiceError::Forbidden(_)));
}

contract_tests!(
    loading_the_reference_data_is_idempotent,
    the_registry_from_the_store_equals_the_shipped_one,
    a_merger_is_validated_and_closes_its_predecessors,
    unit_versions_are_validated_and_supersede,
    agencies_are_validated,
    the_agency_calendar_uses_its_office_hours,
);
