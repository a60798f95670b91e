//! Throughput measurements for `motcua bench`: the dossier write path against the raw rate
//! of the same database, in the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use motcua_domain::calendar::{Calendar, CalendarConfig, bundled_schedules};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Context, Decision, Dossier, DossierCode, DossierEvent,
    DossierRules, ProcedureRef, ResultForm, ReturnMethod, Submission, apply, decide,
};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitType};
use motcua_storage::{Store, bench as raw};

use crate::dossiers::NewDossier;
use crate::intake::IntakeQueue;
use crate::{Acting, FixedClock, ServiceError, ServiceResult, Services};

pub mod kpi;

/// Operations done in a measured time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Operations completed.
    pub operations: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Rate {
    /// Operations per second.
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.operations as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// The agency the benchmark's sample dossier belongs to.
pub const BENCH_AGENCY: &str = "000.00.99.H05";

/// The agency of a benchmark agency slot.
fn bench_agency(slot: u64) -> String {
    format!("{:03}.00.99.H05", slot % BENCH_AGENCIES)
}

/// The slot of writer `w`'s `k`-th dossier: each writer is a desk of its own agency, moving on
/// every 9,000 dossiers because an agency's daily sequence has four digits (Circular
/// 01/2018/TT-VPCP art. 19).
fn bench_slot(writers: usize, w: usize, k: u64) -> u64 {
    w as u64 + writers as u64 * (k / 9000)
}

/// Agencies the benchmark spreads its dossiers over (each takes 9,000 a day).
const BENCH_AGENCIES: u64 = 100;

/// Records the province and the benchmark agencies in a fresh store.
pub async fn prepare(services: &Services) -> ServiceResult<()> {
    let admin = Acting::cli("bench");
    let since = chrono::NaiveDate::from_ymd_opt(2025, 7, 1)
        .ok_or_else(|| ServiceError::Invalid("date".into()))?;
    let parse = |s: &str| {
        s.parse()
            .map_err(|e: motcua_domain::units::UnitError| ServiceError::Invalid(e.to_string()))
    };
    services
        .record_unit(
            &admin,
            AdminUnit {
                code: parse("24")?,
                unit_type: UnitType::Province,
                name: "Bắc Ninh".into(),
                full_name: "Tỉnh Bắc Ninh".into(),
                name_en: Some("Bac Ninh".into()),
                parent: None,
                valid_from: Some(since),
                valid_to: None,
            },
        )
        .await?;
    for n in 0..BENCH_AGENCIES {
        let agency =
            Agency {
                code: bench_agency(n).parse().map_err(
                    |e: motcua_domain::units::AgencyCodeError| ServiceError::Invalid(e.to_string()),
                )?,
                name: format!("Cơ quan thử tải {n}"),
                kind: AgencyKind::Other,
                unit: parse("24")?,
                valid_from: Some(since),
                valid_to: None,
            };
        services.register_agency(&admin, agency, None).await?;
    }
    Ok(())
}

/// A realistic online submission (one event when recorded).
pub fn sample_dossier() -> ServiceResult<NewDossier> {
    let id = "027190123456"
        .parse()
        .map_err(|e: motcua_domain::ids::IdError| ServiceError::Invalid(e.to_string()))?;
    Ok(NewDossier {
        agency: BENCH_AGENCY.into(),
        procedure: ProcedureRef {
            code: "1.004873".into(),
            name: "Cấp giấy phép xây dựng đối với công trình cấp đặc biệt, cấp I, cấp II".into(),
            limit: Some(TimeLimit {
                value: TimeValue::whole(15),
                unit: TimeUnit::WorkingDays,
            }),
            same_day_certification: false,
            document_result: true,
            full_process_online: false,
            counted_in: Default::default(),
        },
        applicant: Applicant {
            id: ApplicantId::Person(id),
            name: "Nguyễn Thị Thu Hà".into(),
            phone: Some("0912345678".into()),
            email: Some("thuha@example.vn".into()),
            address: Some("Phường Kinh Bắc, tỉnh Bắc Ninh".into()),
        },
        channel: Channel::Online,
        components: vec![motcua_domain::dossier::Component {
            name: "Đơn đề nghị cấp giấy phép xây dựng".into(),
            has_file: true,
            reused: false,
            from_data_store: false,
            files: Vec::new(),
        }],
        eid_verified: true,
    })
}

/// The bytes one intake writes as JSON (its event and the projection's state), so the raw
/// reference inserts rows of the same size.
pub fn intake_payload_bytes(new: &NewDossier, at: DateTime<Utc>) -> ServiceResult<usize> {
    let code = DossierCode::new(&new.agency, at.date_naive(), 1)?;
    let submission = Submission {
        code,
        agency: new.agency.clone(),
        procedure: new.procedure.clone(),
        applicant: new.applicant.clone(),
        channel: new.channel,
        components: new.components.clone(),
        eid_verified: new.eid_verified,
        lookup_secret: "K7M2QX9P".into(),
    };
    let event = DossierEvent::Submitted(Box::new(submission));
    let state = apply(None, &event, at)?;
    let bytes = serde_json::to_string(&event).map(|s| s.len()).unwrap_or(0)
        + serde_json::to_string(&state).map(|s| s.len()).unwrap_or(0);
    Ok(bytes)
}

/// Runs `op(writer, k)` from `writers` concurrent tasks for `duration`, where `k` counts the
/// writer's own operations; counts successes.
async fn run_concurrently<F, Fut>(writers: usize, duration: Duration, op: F) -> ServiceResult<Rate>
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ServiceResult<()>> + Send,
{
    let op = Arc::new(op);
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for writer in 0..writers.max(1) {
        let (op, done) = (op.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut k = 0;
            while Instant::now() < deadline {
                op(writer, k).await?;
                k += 1;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), ServiceError>(())
        }));
    }
    for task in tasks {
        task.await
            .map_err(|e| ServiceError::Invalid(format!("benchmark task failed: {e}")))??;
    }
    Ok(Rate {
        operations: done.load(Ordering::Relaxed),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Online submissions recorded per second by `writers` concurrent writers: one event per
/// transaction, or with `group_commit`, through an [`IntakeQueue`] where submissions that
/// arrive together share a transaction.
pub async fn intake_rate(
    store: &Store,
    writers: usize,
    duration: Duration,
    group_commit: bool,
    day: NaiveDate,
) -> ServiceResult<Rate> {
    // Each measurement is a day of its own, so every run starts its agencies' sequences at 1.
    let at = day
        .and_hms_opt(2, 0, 0)
        .ok_or_else(|| ServiceError::Invalid("day".into()))?
        .and_utc();
    let services = Services::new(store.clone(), Arc::new(FixedClock::new(at)));
    let acting = Acting {
        actor: Actor {
            id: "u:bench".into(),
            role: Role::Citizen,
            agency: None,
        },
        channel: Channel::Online,
        request_id: None,
    };
    let new = sample_dossier()?;
    for slot in 0..BENCH_AGENCIES {
        services.agency_calendar(&bench_agency(slot)).await?; // warm the calendar cache
    }
    let queue = group_commit.then(|| IntakeQueue::start(services.clone(), 64));
    run_concurrently(writers, duration, move |w, k| {
        let (services, acting, mut new) = (services.clone(), acting.clone(), new.clone());
        let queue = queue.clone();
        async move {
            new.agency = bench_agency(bench_slot(writers, w, k));
            match queue {
                Some(queue) => queue.submit(&acting, new, false).await?,
                None => services.submit_dossier(&acting, new, false).await?,
            };
            Ok(())
        }
    })
    .await
}

/// Plain inserts of `payload_bytes`-byte rows per second, one per transaction, by `writers`
/// concurrent writers: the reference for [`intake_rate`].
pub async fn raw_insert_rate(
    store: &Store,
    writers: usize,
    duration: Duration,
    payload_bytes: usize,
) -> ServiceResult<Rate> {
    raw::create_raw_table(store).await?;
    let payload: Arc<str> = "x".repeat(payload_bytes).into();
    let next_id = Arc::new(AtomicI32::new(raw::max_raw_id(store).await? + 1));
    let store = store.clone();
    run_concurrently(writers, duration, move |_, _| {
        let (store, payload, next_id) = (store.clone(), payload.clone(), next_id.clone());
        async move {
            let id = next_id.fetch_add(1, Ordering::Relaxed);
            raw::insert_raw(&store, id, &payload).await?;
            Ok(())
        }
    })
    .await
}

/// A complete dossier life cycle as events (intake to rating), for the in-memory measure.
pub fn sample_life_cycle(
    calendar: &Calendar,
    start: DateTime<Utc>,
) -> ServiceResult<Vec<(DossierEvent, DateTime<Utc>)>> {
    let rules = DossierRules::default();
    let new = sample_dossier()?;
    let submission = Submission {
        code: DossierCode::new(&new.agency, start.date_naive(), 1)?,
        agency: new.agency,
        procedure: new.procedure,
        applicant: new.applicant,
        channel: new.channel,
        components: new.components,
        eid_verified: new.eid_verified,
        lookup_secret: "K7M2QX9P".into(),
    };
    let commands = [
        Command::Submit(Box::new(submission)),
        Command::Receive,
        Command::Transfer {
            step: "Thẩm định".into(),
            agency: BENCH_AGENCY.into(),
            assignee: Some("u:7".into()),
            budget: Some(TimeLimit {
                value: TimeValue::whole(24),
                unit: TimeUnit::WorkingHours,
            }),
        },
        Command::RequestSupplement {
            reasons: "Bổ sung bản vẽ mặt bằng".into(),
        },
        Command::ProvideSupplement,
        Command::Finish {
            decision: Decision::Approved,
        },
        Command::IssueResult {
            form: ResultForm::Electronic,
            number: Some("125/GPXD".into()),
        },
        Command::ReturnResult {
            method: ReturnMethod::Online,
        },
    ];
    let mut state: Option<Dossier> = None;
    let mut events = Vec::new();
    let mut at = start;
    for command in &commands {
        at += TimeDelta::hours(20);
        let ctx = Context {
            now: at,
            calendar,
            rules: &rules,
        };
        let (new_events, next) = decide(state.as_ref(), command, &ctx)?;
        events.extend(new_events.into_iter().map(|e| (e, at)));
        state = Some(next);
    }
    Ok(events)
}

/// Dossier events applied per second in memory (replaying life cycles through `apply`).
pub fn apply_rate(duration: Duration) -> ServiceResult<Rate> {
    let calendar = Calendar::new(CalendarConfig::default(), bundled_schedules())
        .map_err(|e| ServiceError::Invalid(e.to_string()))?;
    let start = DateTime::parse_from_rfc3339("2026-11-23T09:00:00+07:00")
        .map_err(|e| ServiceError::Invalid(e.to_string()))?
        .to_utc();
    let events = sample_life_cycle(&calendar, start)?;
    let began = Instant::now();
    let mut applied = 0u64;
    while began.elapsed() < duration {
        for _ in 0..100 {
            let mut state = None;
            for (event, at) in &events {
                state = Some(apply(state, event, *at)?);
            }
            std::hint::black_box(&state);
            applied += events.len() as u64;
        }
    }
    Ok(Rate {
        operations: applied,
        seconds: began.elapsed().as_secs_f64(),
    })
}
