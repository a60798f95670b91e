//! The synthetic fill of `motcua bench kpi` on SQLite and on PostgreSQL: the counters derived
//! from the projection give the same figures as the GROUP BY reference, for every unit of the
//! province and for its twelve-month trend.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::sync::Arc;

use motcua_service::bench::kpi;
use motcua_service::{FixedClock, Services};
use motcua_storage::Store;
use motcua_test_support::contract_tests;

async fn the_counters_and_the_group_by_agree(store: &Store) {
    let services = Services::new(store.clone(), Arc::new(FixedClock::new(kpi::bench_now())));
    let filled = kpi::fill(&services, 5_000, |_, _| {}).await.unwrap();
    assert_eq!(filled.dossiers, 5_000);
    assert!(!filled.reused && filled.agencies > 100 && filled.procedures > 100);
    // The derived counters are complete: reports read them without a rebuild.
    assert!(store.kpi_counts_complete().await.unwrap());
    // `measure` checks every figure before it times anything.
    let report = kpi::measure(&services, 1, 1).await.unwrap();
    assert_eq!(report.unit, "24");
    assert!(report.reports > 200 && report.units >= 99, "{report:?}");
    assert_eq!(report.every_unit.ratios.len(), 1);
    // A second fill of the same size finds it there.
    assert!(kpi::fill(&services, 5_000, |_, _| {}).await.unwrap().reused);
}

contract_tests!(the_counters_and_the_group_by_agree);
