//! Due-date computations per second on the working-day calendar.
//!
//! Each measured iteration runs one operation over the same 1,000 varied instants (2024–2027,
//! official and rule-based years), so criterion's throughput line reads directly as
//! "due-date computations per second". Run quickly with
//! `cargo bench -p motcua-domain --bench calendar -- --quick`.

use std::hint::black_box;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use motcua_domain::calendar::{
    Calendar, CalendarConfig, bundled_schedules, lunar_to_solar, solar_to_lunar,
};

const SAMPLES: usize = 1_000;

fn calendar() -> Calendar {
    Calendar::new(CalendarConfig::default(), bundled_schedules()).unwrap_or_else(|e| panic!("{e}"))
}

/// Deterministic pseudo-random instants spread over 2024-01-01..2028-01-01 at +07:00.
fn instants() -> Vec<DateTime<FixedOffset>> {
    let offset = calendar().config().offset;
    let start = 1_704_042_000_i64; // 2024-01-01T00:00:00+07:00
    let span = 4 * 365 * 86_400_i64;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..SAMPLES)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let secs = i64::from_ne_bytes(state.to_ne_bytes()).rem_euclid(span);
            (DateTime::UNIX_EPOCH + TimeDelta::seconds(start + secs)).with_timezone(&offset)
        })
        .collect()
}

fn due_dates(c: &mut Criterion) {
    let calendar = calendar();
    let instants = instants();
    let mut group = c.benchmark_group("due_dates");
    group.throughput(Throughput::Elements(SAMPLES as u64));
    // The reference measured in the same run: adding 15 calendar days with chrono alone, so
    // the figures below read as "times the cost of plain date arithmetic" on any machine.
    group.bench_function("reference_chrono_add_15_days", |b| {
        b.iter(|| {
            instants
                .iter()
                .filter(|t| {
                    black_box(black_box(**t).checked_add_days(chrono::Days::new(15))).is_some()
                })
                .count()
        });
    });
    group.bench_function("add_working_days_15", |b| {
        b.iter(|| {
            instants
                .iter()
                .filter(|t| black_box(calendar.add_working_days(black_box(**t), 15)).is_ok())
                .count()
        });
    });
    group.bench_function("add_working_hours_8", |b| {
        b.iter(|| {
            instants
                .iter()
                .filter(|t| black_box(calendar.add_working_hours(black_box(**t), 8)).is_ok())
                .count()
        });
    });
    group.bench_function("working_time_between_a_month", |b| {
        b.iter(|| {
            instants
                .iter()
                .filter(|t| {
                    let end = **t + TimeDelta::days(30);
                    black_box(calendar.working_time_between(black_box(**t), end)).is_ok()
                })
                .count()
        });
    });
    group.bench_function("certification_due", |b| {
        b.iter(|| {
            instants
                .iter()
                .filter(|t| black_box(calendar.certification_due(black_box(**t))).is_ok())
                .count()
        });
    });
    group.finish();
}

fn lunar(c: &mut Criterion) {
    let dates: Vec<NaiveDate> = instants().iter().map(DateTime::date_naive).collect();
    let lunar_dates: Vec<_> = dates
        .iter()
        .filter_map(|d| solar_to_lunar(*d).ok())
        .collect();
    let mut group = c.benchmark_group("lunar");
    group.throughput(Throughput::Elements(SAMPLES as u64));
    group.bench_function("solar_to_lunar", |b| {
        b.iter(|| {
            dates
                .iter()
                .filter(|d| black_box(solar_to_lunar(black_box(**d))).is_ok())
                .count()
        });
    });
    group.bench_function("lunar_to_solar", |b| {
        b.iter(|| {
            lunar_dates
                .iter()
                .filter(|d| black_box(lunar_to_solar(black_box(**d))).is_ok())
                .count()
        });
    });
    group.finish();
}

fn build(c: &mut Criterion) {
    c.bench_function("calendar_build_1900_2199", |b| {
        b.iter(|| Calendar::new(CalendarConfig::default(), bundled_schedules()));
    });
}

criterion_group!(benches, due_dates, lunar, build);
criterion_main!(benches);
