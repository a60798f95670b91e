//! The demo province (issue "Foundation II", §3): Bắc Ninh as merged on 1 July 2025, with its
//! departments, its public administration service centre, its 99 communes, the procedures a
//! province handles and a year of dossiers — every one written through the real engine
//! ([`crate::dossiers::DossierTx`]), so the demo exercises exactly what production runs.
//!
//! # Agencies (synthetic identifier codes)
//!
//! Bắc Ninh's portal code is `H05` (`data/units`); the real lower-level identifier codes were
//! not found, so the demo uses this documented scheme of the shape `DDD.DD.DD.H05`:
//!
//! | code | agency |
//! |---|---|
//! | `000.00.01.H05` | Trung tâm Phục vụ hành chính công tỉnh (registered last: the marker) |
//! | `000.00.10.H05` … `000.00.22.H05` | the 13 departments of [`DEPARTMENTS`] |
//! | `001.00.50.H05` … `099.00.50.H05` | the communes' People's Committees, in unit-code order |
//! | `kkk.00.DD.H05`, `nnn.kk.50.H05` | extra intake desks opened when an agency's day is full |
//!
//! Department staff sit at the service centre's desks but act for their own department
//! (seconded officers), so every dossier carries the code of the agency that decides it.
//!
//! # Procedures
//!
//! From the stored catalogue, the latest published version of every procedure performed at
//! province or commune level, mapped by issuing ministry: commune level → the communes'
//! People's Committees (except the Ministry of Public Security's: commune police are units of
//! Công an tỉnh); province level → Bộ Tư pháp → Sở Tư pháp, Bộ Tài chính → Sở Tài chính
//! (investment in Vietnam → Ban Quản lý các khu công nghiệp), Bộ Xây dựng → Sở Xây dựng,
//! Bộ Nông nghiệp và Môi trường → Sở Nông nghiệp và Môi trường, Bộ Công an → Công an tỉnh,
//! Bộ Quốc phòng → Bộ Chỉ huy Quân sự tỉnh. The State Bank's procedures are skipped (its
//! regional branches are not provincial bodies), and so are the courts'.
//!
//! # Mixes
//!
//! Frequencies are skewed by hand for the procedures every commune reports as its busiest
//! (certified copies, civil status, land, building permits, household businesses,
//! residence), Zipf-like over the rest; the rates of channels, supplements, refusals,
//! electronic results and ratings are the constants below, each with its reason. Bắc Ninh
//! reports an overdue rate under 0.01 % (2023, `shared/domain/000_*.txt`); the demo aims at
//! about 0.5 % so that late dossiers exist to be found, from second supplement requests
//! (late by the 766 rule), apologies with a new appointment, and a few plain delays.
//!
//! Punctuality is drawn as 75 % early and 24 % on time wherever the appointment leaves room
//! to finish before its day; same-day certification (about a third of all dossiers) is done
//! on its appointment day and so counts on time under the date rule of 766, which brings the
//! headline closer to half early, half on time.
//!
//! Frequent procedures whose catalogue row lost its time limit get the statutory one
//! (`FALLBACK_LIMITS`), recorded in the catalogue as the province's commitment; the few others without a limit are drawn rarely and are counted
//! apart by the statistics.
//!
//! Figures that come from elsewhere (the e-ID accounts activated, public investment disbursed,
//! and the parts of 766 indicators 1.1, 1.2 and 1.4 that no record of motcua holds) are
//! imported for the province each month as such figures are, their source saying they are the
//! demo's samples ([`figures_from_elsewhere`]).
//!
//! # Time
//!
//! Submissions are spread over the local days of the history (Mondays, January and December
//! busier; days off only online), desk and post in office hours, online also in the evening
//! and at night. Every later step is placed on the agency's working-day calendar, and no
//! action is recorded after `end`: dossiers whose next step would come later stay open.
//!
//! # Idempotence
//!
//! When the service centre is already registered the province is not built again: the
//! report says so and carries the figures of the stored dossiers. A build that was
//! interrupted (agencies present, marker missing) is refused: start on a new database.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc, Weekday,
};
use motcua_domain::calendar::{Calendar, CalendarError};
use motcua_domain::catalog::{
    self, ApplicantType, FeeSchedule, Level, LifecycleState, Procedure, TimeLimit, TimeUnit,
    TimeValue,
};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Component, Decision, Dossier, FeeLine, PauseReason,
    ProcedureRef, Rating, ResultForm, ReturnMethod, Status,
};
use motcua_domain::event::{Actor, Channel, Role};
use motcua_domain::fold::fold;
use motcua_domain::ids::{PersonalId, TaxCode, tax_check_digit};
use motcua_domain::units::{AdminUnit, Agency, AgencyKind, UnitKind, in_sentence};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

mod steering;

pub use steering::{PEOPLES_COMMITTEE, SteeringReport};

use crate::dossiers::{DossierTx, NewDossier};
use crate::stats::Headline;
use crate::units::UnitFilter;
use crate::{Acting, ServiceError, ServiceResult, Services};

/// Bắc Ninh's unit code on the map of 1 July 2025 (Decision 19/2025/QĐ-TTg).
pub const PROVINCE: &str = "24";

/// The provincial Public Administration Service Centre; registered last, so its presence
/// means the demo province was built completely.
pub const SERVICE_CENTRE: &str = "000.00.01.H05";

/// Default number of dossiers.
pub const DEFAULT_DOSSIERS: u64 = 200_000;

/// Most dossiers one build accepts (tens of millions; beyond that use several seeds).
pub const MAX_DOSSIERS: u64 = 100_000_000;

/// Largest daily sequence of an agency (Circular 01/2018/TT-VPCP art. 19: 4 digits).
const DAILY_CAPACITY: u32 = motcua_domain::dossier::MAX_DAILY_SEQUENCE;

/// Bắc Ninh's portal code: the 1st-level segment of its agencies' identifier codes.
const TOP: &str = "H05";

/// The communes' People's Committees share this 2nd-level segment (synthetic scheme).
const COMMUNE_SEGMENT: &str = "50";

/// The merged province exists from this day (Resolution 202/2025/QH15).
const MERGED: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(d) => d,
    None => unreachable!(),
};

/// A department of the province after the 2025 reorganisation (Resolution 202/2025/QH15 and
/// Decree 45/2025/NĐ-CP on provincial departments, 🔶 list written from background knowledge).
#[derive(Debug, Clone, Copy)]
pub struct Department {
    /// 2nd-level segment of its identifier code (`000.00.{segment}.H05`).
    pub segment: &'static str,
    /// Name.
    pub name: &'static str,
    /// Abbreviation used in result numbers (`125/KQ-STP`).
    pub symbol: &'static str,
    /// Kind of body: the police and the military command are central bodies' local units.
    pub kind: AgencyKind,
}

/// The departments the demo registers, in code order.
pub const DEPARTMENTS: [Department; 13] = [
    dept("10", "Sở Tư pháp", "STP", AgencyKind::Department),
    dept("11", "Sở Tài chính", "STC", AgencyKind::Department),
    dept("12", "Sở Xây dựng", "SXD", AgencyKind::Department),
    dept(
        "13",
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        AgencyKind::Department,
    ),
    dept("14", "Sở Công Thương", "SCT", AgencyKind::Department),
    dept("15", "Sở Nội vụ", "SNV", AgencyKind::Department),
    dept("16", "Sở Y tế", "SYT", AgencyKind::Department),
    dept(
        "17",
        "Sở Giáo dục và Đào tạo",
        "SGDĐT",
        AgencyKind::Department,
    ),
    dept(
        "18",
        "Sở Văn hóa, Thể thao và Du lịch",
        "SVHTTDL",
        AgencyKind::Department,
    ),
    dept(
        "19",
        "Sở Khoa học và Công nghệ",
        "SKHCN",
        AgencyKind::Department,
    ),
    dept("20", "Công an tỉnh Bắc Ninh", "CAT", AgencyKind::Other),
    dept(
        "21",
        "Bộ Chỉ huy Quân sự tỉnh Bắc Ninh",
        "BCHQS",
        AgencyKind::Other,
    ),
    dept(
        "22",
        "Ban Quản lý các khu công nghiệp tỉnh Bắc Ninh",
        "BQLKCN",
        AgencyKind::Department,
    ),
];

impl Department {
    /// Its identifier code, `000.00.{segment}.H05`.
    pub fn code(&self) -> String {
        format!("000.00.{}.{TOP}", self.segment)
    }
}

const fn dept(
    segment: &'static str,
    name: &'static str,
    symbol: &'static str,
    kind: AgencyKind,
) -> Department {
    Department {
        segment,
        name,
        symbol,
        kind,
    }
}

// Indices into DEPARTMENTS of the departments procedures are mapped to.
const STP: usize = 0;
const STC: usize = 1;
const SXD: usize = 2;
const SNNMT: usize = 3;
const CAT: usize = 10;
const BCHQS: usize = 11;
const BQLKCN: usize = 12;

/// What to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Dossiers to generate, at most [`MAX_DOSSIERS`].
    pub dossiers: u64,
    /// Seed of the generator: the same seed, months and end give the same province.
    pub seed: u64,
    /// Months of history, ending at `end`; the history may not start before 1 July 2025.
    pub months: u32,
    /// The last instant of the history; `None` = the services' clock now. No action is
    /// recorded after it, so dossiers whose next step lies later stay open.
    pub end: Option<DateTime<Utc>>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            dossiers: DEFAULT_DOSSIERS,
            seed: 2025,
            months: 12,
            end: None,
        }
    }
}

/// What the build is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoProgress {
    /// Loading the reference units and the procedure catalogue.
    ReferenceData,
    /// Registering agencies: `done` of `total`.
    Agencies {
        /// Registered so far.
        done: u64,
        /// To register.
        total: u64,
    },
    /// Writing dossiers: `done` of `total` committed.
    Dossiers {
        /// Committed so far.
        done: u64,
        /// To write.
        total: u64,
    },
    /// Computing the headline figures.
    Statistics,
}

/// What [`Services::build_demo`] did, and the figures of the stored dossiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoReport {
    /// The province was already in the database: nothing was written.
    pub already_built: bool,
    /// Dossiers written by this build.
    pub dossiers: u64,
    /// Dossier events written by this build.
    pub events: u64,
    /// Agencies registered by this build (departments, communes, extra desks, centre).
    pub agencies: usize,
    /// Procedures the province handles, dossiers were drawn from.
    pub procedures: usize,
    /// Extra intake desks opened because an agency's day was full.
    pub extra_desks: usize,
    /// First instant of the history (when built).
    pub from: Option<DateTime<Utc>>,
    /// The instant the figures are classified at (the end of the history).
    pub end: DateTime<Utc>,
    /// Wall-clock seconds of the whole build.
    pub seconds: f64,
    /// Of which writing dossiers.
    pub write_seconds: f64,
    /// Headline figures of every dossier in the store, classified at `end`.
    pub headline: Headline,
    /// A dossier worth looking at (`motcua dossier show`).
    pub sample_code: Option<String>,
    /// The year of steering recorded by this build (zeros when it was there already).
    pub steering: SteeringReport,
}

fn invalid(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

fn cal_err(e: CalendarError) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

impl Services {
    /// Builds the demo province (see the module documentation) through the real use cases:
    /// reference units and the shipped catalogue (both idempotent), the agencies, then
    /// `config.dossiers` dossiers, each driven through its whole life cycle in chronological
    /// order and committed 1,000 at a time. `progress` is called as the work advances.
    ///
    /// When the province is already built (its service centre is registered), nothing is
    /// written and the report, marked `already_built`, gives the stored dossiers' figures.
    ///
    /// # Errors
    /// An invalid configuration (months reaching before 1 July 2025, too many dossiers), an
    /// interrupted earlier build, or a storage failure.
    pub async fn build_demo(
        &self,
        config: DemoConfig,
        mut progress: impl FnMut(DemoProgress) + Send,
    ) -> ServiceResult<DemoReport> {
        let started = Instant::now();
        let end = config.end.unwrap_or_else(|| self.now());
        if self.store().find_agency(SERVICE_CENTRE).await?.is_some() {
            // A province built before steering was part of the demo gets its year now.
            let steering = if self.store().list_meetings(&[], 1, 0).await?.1 == 0 {
                let probe = self.calendar().await?;
                let window = Window::new(&probe, end, config.months)?;
                let clock = crate::FixedClock::new(window.from);
                let at = Services::new(self.store().clone(), Arc::new(clock.clone()));
                at.build_steering_demo(&clock, (window.from, end), config.seed)
                    .await?
            } else {
                SteeringReport::default()
            };
            progress(DemoProgress::Statistics);
            let headline = self.headline(None, None, end).await?;
            let sample_code = self
                .store()
                .dossier_codes_after("", 1)
                .await?
                .into_iter()
                .next();
            return Ok(DemoReport {
                already_built: true,
                dossiers: 0,
                events: 0,
                agencies: 0,
                procedures: 0,
                extra_desks: 0,
                from: None,
                end,
                seconds: started.elapsed().as_secs_f64(),
                write_seconds: 0.0,
                headline,
                sample_code,
                steering,
            });
        }
        if config.dossiers > MAX_DOSSIERS {
            return Err(ServiceError::Invalid(format!(
                "tối đa {MAX_DOSSIERS} hồ sơ mỗi lần dựng / at most {MAX_DOSSIERS} dossiers per build"
            )));
        }
        // Refuse a bad configuration before anything is written.
        let probe = self.calendar().await?;
        let window = Window::new(&probe, end, config.months)?;
        let acting = Acting {
            actor: Actor::system("demo"),
            channel: Channel::System,
            request_id: None,
        };
        progress(DemoProgress::ReferenceData);
        self.load_reference_units(&acting).await?;
        let mut shipped = catalog::shipped::procedures().map_err(invalid)?;
        commit_fallback_limits(&mut shipped);
        offer_online_anyway(&mut shipped);
        self.import_catalogue(&acting, shipped).await?;

        let communes = self
            .list_units(&UnitFilter {
                on: Some(window.first),
                kind: Some(UnitKind::Commune),
                within: Some(PROVINCE.parse().map_err(invalid)?),
            })
            .await?;
        let mut agencies = planned_agencies(&communes);
        for a in &agencies {
            if self.store().find_agency(a.code.as_str()).await?.is_some() {
                return Err(ServiceError::Refused(format!(
                    "cơ quan {} đã có nhưng chưa có {SERVICE_CENTRE}: lần dựng trước bị gián đoạn; hãy dùng một cơ sở dữ liệu mới / \
                     agency {} exists but {SERVICE_CENTRE} does not: an earlier build was interrupted; use a new database",
                    a.code, a.code
                )));
            }
        }
        let total = agencies.len() as u64;
        for (i, a) in agencies.iter().enumerate() {
            self.register_agency(&acting, a.clone(), None).await?;
            progress(DemoProgress::Agencies {
                done: i as u64 + 1,
                total,
            });
        }
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let stored = self.export_catalogue().await?;
        let procedures = select_procedures(&stored, &mut rng);
        let mut infos = Vec::with_capacity(agencies.len());
        for a in &agencies {
            // Warm the calendar cache: a lookup inside the dossier transaction would need a
            // second connection.
            let calendar = self.agency_calendar(a.code.as_str()).await?;
            infos.push(Arc::new(AgencyInfo::new(a, calendar)));
        }
        let province = Province::new(procedures, &communes, &mut rng)?;
        let mut generator = Generator {
            rng,
            end,
            agencies: infos,
            overflow: BTreeMap::new(),
            today: BTreeMap::new(),
            numbers: vec![0; agencies.len()],
            sample: None,
            events: 0,
        };

        let write_started = Instant::now();
        let plan = day_plan(&probe, &window, end, config.dossiers)?;
        // Receipts' lookup secrets are drawn from the seed too, so a seed gives the same data.
        let secret_seed = |done: u64| config.seed.rotate_left(17) ^ done;
        let mut tx = self.dossier_tx().with_secret_seed(secret_seed(0));
        let (mut done, mut in_tx) = (0_u64, 0_u32);
        progress(DemoProgress::Dossiers {
            done,
            total: config.dossiers,
        });
        for (day, count) in plan {
            let mut plans = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
            for _ in 0..count {
                plans.push(generator.plan(&province, &probe, day, end)?);
            }
            plans.sort_by_key(|p| p.at);
            generator.today.clear();
            for mut p in plans {
                if let Some(desk) = generator.seat(&mut p) {
                    // An agency's day is full: open an extra desk, outside the transaction
                    // (registering an agency writes on its own connection).
                    tx.commit().await?;
                    let agency = generator.desk_agency(desk)?;
                    self.register_agency(&acting, agency.clone(), None).await?;
                    let calendar = self.agency_calendar(agency.code.as_str()).await?;
                    generator.open_desk(desk, &agency, calendar);
                    agencies.push(agency);
                    tx = self.dossier_tx().with_secret_seed(secret_seed(done));
                    in_tx = 0;
                    generator.seat(&mut p);
                }
                generator.life(&mut tx, &province, &p).await?;
                done += 1;
                in_tx += 1;
                if in_tx >= 1000 {
                    tx.commit().await?;
                    tx = self.dossier_tx().with_secret_seed(secret_seed(done));
                    in_tx = 0;
                    progress(DemoProgress::Dossiers {
                        done,
                        total: config.dossiers,
                    });
                }
            }
        }
        tx.commit().await?;
        progress(DemoProgress::Dossiers {
            done,
            total: config.dossiers,
        });
        let write_seconds = write_started.elapsed().as_secs_f64();

        let centre = Agency {
            code: SERVICE_CENTRE.parse().map_err(invalid)?,
            name: "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh".into(),
            kind: AgencyKind::ServiceCentre,
            unit: PROVINCE.parse().map_err(invalid)?,
            valid_from: Some(MERGED),
            valid_to: None,
        };
        self.register_agency(&acting, centre, None).await?;
        let clock = crate::FixedClock::new(window.from);
        let at = Services::new(self.store().clone(), Arc::new(clock.clone()));
        let petitions = (done / 100).max(24);
        feedback(
            &at,
            &acting,
            &clock,
            &agencies,
            (window.from, end),
            petitions,
            config.seed,
        )
        .await?;
        plans(&at, &acting, &stored).await?;
        self.figures_from_elsewhere(&acting, &window, end, config.seed)
            .await?;
        let steering = at
            .build_steering_demo(&clock, (window.from, end), config.seed)
            .await?;
        progress(DemoProgress::Statistics);
        let headline = self.headline(None, None, end).await?;
        Ok(DemoReport {
            already_built: false,
            dossiers: done,
            events: generator.events,
            agencies: agencies.len() + 1,
            procedures: province.procedures.len(),
            extra_desks: generator.overflow.len(),
            from: Some(window.from),
            end,
            seconds: started.elapsed().as_secs_f64(),
            write_seconds,
            headline,
            sample_code: generator.sample,
            steering,
        })
    }
}

/// The departments and the communes' People's Committees, in code order.
fn planned_agencies(communes: &[AdminUnit]) -> Vec<Agency> {
    let mut out = Vec::new();
    let Ok(unit) = PROVINCE.parse::<motcua_domain::units::UnitCode>() else {
        return out;
    };
    for d in DEPARTMENTS {
        if let Ok(code) = d.code().parse() {
            out.push(Agency {
                code,
                name: if d.name.contains("Bắc Ninh") {
                    d.name.to_owned()
                } else {
                    format!("{} tỉnh Bắc Ninh", d.name)
                },
                kind: d.kind,
                unit: unit.clone(),
                valid_from: Some(MERGED),
                valid_to: None,
            });
        }
    }
    for (i, c) in communes.iter().enumerate() {
        if let Ok(code) = format!("{:03}.00.{COMMUNE_SEGMENT}.{TOP}", i + 1).parse() {
            out.push(Agency {
                code,
                name: c.committee_name(),
                kind: AgencyKind::CommunePeoplesCommittee,
                unit: c.code.clone(),
                valid_from: Some(MERGED),
                valid_to: None,
            });
        }
    }
    out
}

/// The history's days: dossiers are submitted from `from` (local midnight of `first`) to
/// `end`.
struct Window {
    first: NaiveDate,
    last: NaiveDate,
    from: DateTime<Utc>,
    offset: FixedOffset,
}

impl Window {
    fn new(calendar: &Calendar, end: DateTime<Utc>, months: u32) -> ServiceResult<Window> {
        let offset = calendar.config().offset;
        let last = end.with_timezone(&offset).date_naive();
        if months == 0 {
            return Err(ServiceError::Invalid(
                "số tháng phải từ 1 trở lên / months must be at least 1".into(),
            ));
        }
        let first = last
            .checked_sub_months(chrono::Months::new(months))
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .ok_or_else(|| invalid("months"))?;
        if first < MERGED {
            return Err(ServiceError::Invalid(format!(
                "tỉnh Bắc Ninh mới có từ 01/07/2025; {months} tháng đến {last} bắt đầu ngày {first} / \
                 the merged province of Bắc Ninh exists from 2025-07-01; {months} months to {last} start on {first}"
            )));
        }
        let from = local(offset, first, NaiveTime::MIN)?;
        Ok(Window {
            first,
            last,
            from,
            offset,
        })
    }
}

fn local(offset: FixedOffset, date: NaiveDate, time: NaiveTime) -> ServiceResult<DateTime<Utc>> {
    date.and_time(time)
        .and_local_timezone(offset)
        .single()
        .map(|t| t.to_utc())
        .ok_or_else(|| invalid(format!("{date} {time}")))
}

/// Dossiers per day: working days weighted by weekday and month (Mondays and the months
/// before Tết and the year's end are busier), days off get a trickle of online submissions;
/// the last day only up to `end`. Largest remainders make the counts add up to `n`.
fn day_plan(
    calendar: &Calendar,
    window: &Window,
    end: DateTime<Utc>,
    n: u64,
) -> ServiceResult<Vec<(NaiveDate, u64)>> {
    let daily = calendar.config().working_hours.daily_total().num_minutes() as f64;
    let mut weights = Vec::new();
    let mut day = window.first;
    while day <= window.last {
        let mut w = if calendar.is_working_day(day) {
            let weekday = match day.weekday() {
                Weekday::Mon => 1.15,
                Weekday::Tue => 1.05,
                Weekday::Fri => 0.9,
                _ => 1.0,
            };
            let month = match day.month() {
                1 | 12 => 1.1,
                2 => 0.9,
                7 | 8 => 1.05,
                _ => 1.0,
            };
            weekday * month
        } else {
            0.08
        };
        if day == window.last {
            let midnight = local(window.offset, day, NaiveTime::MIN)?;
            let share = if calendar.is_working_day(day) {
                work_minutes(calendar, midnight, end)? as f64 / daily
            } else {
                (end - midnight).num_minutes() as f64 / 1440.0
            };
            w *= share.clamp(0.0, 1.0);
        }
        weights.push((day, w));
        day = day.succ_opt().ok_or_else(|| invalid("date"))?;
    }
    let total: f64 = weights.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return Ok(Vec::new());
    }
    let mut out: Vec<(NaiveDate, u64)> = Vec::with_capacity(weights.len());
    let mut rest: Vec<(f64, usize)> = Vec::with_capacity(weights.len());
    let mut given = 0_u64;
    for (i, (day, w)) in weights.iter().enumerate() {
        let exact = n as f64 * w / total;
        let whole = exact.floor() as u64;
        given += whole;
        out.push((*day, whole));
        rest.push((exact - exact.floor(), i));
    }
    rest.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rest
        .into_iter()
        .take(usize::try_from(n - given).unwrap_or(0))
    {
        out[i].1 += 1;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Procedures: which, where, how often.

/// The kinds of procedure whose mixes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// Certified copies from originals (same day).
    CertCopy,
    /// Certified signatures (same day; the signer must be present).
    CertSignature,
    /// Certified contracts and transactions (the parties sign in person).
    CertContract,
    /// Civil status (hộ tịch).
    CivilStatus,
    /// Land (đất đai).
    Land,
    /// Building permits and construction.
    Construction,
    /// Household businesses (hộ kinh doanh).
    HouseholdBusiness,
    /// Residence registration (cư trú).
    Residence,
    /// Customs, tax, treasury, border: central bodies' procedures rarely filed at a
    /// provincial one-stop desk.
    Remote,
    /// Everything else.
    Other,
}

/// Relative frequencies of the procedures every commune and department reports as its
/// busiest (the rest follow a Zipf-like tail). Certified copies lead, as in every
/// province's report; 🔶 the proportions are judgement, not statistics.
const FREQUENT: &[(&str, f64)] = &[
    // Certification (Decree 23/2015/NĐ-CP).
    ("2.000815", 2600.0),
    ("2.000884", 500.0),
    ("2.001008", 30.0),
    ("2.000992", 20.0),
    ("2.001035", 220.0),
    ("2.001406", 40.0),
    ("2.000908", 20.0),
    ("2.000942", 15.0),
    ("2.001016", 10.0),
    ("2.001019", 10.0),
    ("2.000913", 10.0),
    ("2.000927", 5.0),
    // Civil status (Law on Civil Status 60/2014/QH13).
    ("1.001193", 420.0),
    ("1.004873", 330.0),
    ("2.000635", 260.0),
    ("1.000894", 170.0),
    ("2.000986", 120.0),
    ("1.000656", 110.0),
    ("2.001023", 80.0),
    ("1.004859", 60.0),
    ("2.002516", 40.0),
    ("1.004884", 25.0),
    ("1.001022", 20.0),
    ("1.000689", 15.0),
    ("1.004837", 5.0),
    // Land.
    ("1.012787", 480.0),
    ("1.012784", 200.0),
    ("1.013978", 160.0),
    ("1.012783", 150.0),
    ("1.013833", 110.0),
    ("1.013980", 90.0),
    ("1.013988", 70.0),
    ("1.013992", 60.0),
    ("1.012786", 45.0),
    ("1.013995", 40.0),
    ("1.013831", 40.0),
    ("1.013949", 30.0),
    ("1.012812", 25.0),
    ("1.012790", 20.0),
    // Construction.
    ("1.013225", 200.0),
    ("1.013229", 30.0),
    ("1.013236", 15.0),
    ("1.013227", 10.0),
    ("1.013237", 10.0),
    // Household businesses.
    ("1.001612", 170.0),
    ("2.000720", 60.0),
    ("1.001266", 40.0),
    ("1.001570", 25.0),
    ("2.000575", 10.0),
    // Residence.
    ("1.004222", 140.0),
    ("1.004194", 120.0),
    ("1.010041", 70.0),
    ("2.001159", 40.0),
    ("1.002755", 30.0),
    ("1.003197", 30.0),
    ("1.010038", 25.0),
    ("1.010028", 20.0),
    ("1.003677", 15.0),
    // Social insurance.
    ("1.001613", 50.0),
    ("2.000693", 40.0),
    ("1.001667", 20.0),
];

/// Time limits, in working days, for frequent procedures whose catalogue row lost its limit
/// (data/catalogue/README.md, "Caveats"): the statutory or usual published limit, used as
/// the province's commitment so that these dossiers are classified. 🔶 From background
/// knowledge: Law on Civil Status 2014 arts. 16, 18, 25, 28, 34 ("immediately", marriage up
/// to 5 working days when verification is needed); Decree 123/2015/NĐ-CP arts. 22, 26;
/// Decree 23/2015/NĐ-CP (contracts: 2 working days); Decree 01/2021/NĐ-CP art. 87 (household
/// businesses: 3 working days).
const FALLBACK_LIMITS: &[(&str, u32)] = &[
    ("1.001193", 1),
    ("1.000656", 1),
    ("2.000635", 1),
    ("2.000942", 1),
    ("1.004873", 3),
    ("1.004859", 3),
    ("1.001022", 3),
    ("1.000689", 3),
    ("2.002516", 3),
    ("1.000894", 5),
    ("1.004884", 5),
    ("2.001035", 2),
    ("2.001406", 2),
    ("2.001016", 2),
    ("2.001019", 2),
    ("2.000913", 2),
    ("2.000927", 2),
    ("1.001612", 3),
    ("2.000720", 3),
    ("2.000575", 3),
    ("1.001266", 3),
    ("1.001570", 3),
];

/// Procedures offered online although their catalogue row lists the desk only (the source's
/// channel lists are incomplete): electronic certified copies from originals (Decree
/// 45/2020/NĐ-CP; every commune of Bắc Ninh offers them, `shared/domain/000_*.txt`) and the
/// birth-registration bundles of the national portal (🔶 Decision 06/QĐ-TTg 2022).
const ONLINE_ANYWAY: &[&str] = &["2.000815", "2.000986", "2.001023"];

/// Of those, the birth-registration bundles are the national portal's full-process
/// (toàn trình) services (🔶 Decision 06/QĐ-TTg 2022; the catalogue rows carry no online
/// level), so the demo's dossiers measure 766 indicator 3.0.
const FULL_PROCESS: &[&str] = &["2.000986", "2.001023"];

/// Weight of the `rank`-th procedure of the tail: Zipf-like, `K / (rank + K)`.
const ZIPF_K: f64 = 40.0;
/// Base weight of a tail procedure done by the communes.
const TAIL_COMMUNE: f64 = 12.0;
/// Base weight of a tail procedure done by a department.
const TAIL_PROVINCE: f64 = 6.0;
/// Procedures without a time limit (other than same-day certification) are rare: the
/// catalogue lost many limits, and an unclassified dossier says nothing about punctuality.
const NO_LIMIT_FACTOR: f64 = 0.05;

/// Where a procedure's dossiers go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// One department (index into [`DEPARTMENTS`]).
    Department(usize),
    /// The commune People's Committee of the applicant's commune.
    Commune,
}

/// A procedure as the demo uses it.
#[derive(Debug, Clone)]
struct DemoProcedure {
    reference: ProcedureRef,
    family: Family,
    target: Target,
    weight: f64,
    /// Whether the weight was set by hand ([`FREQUENT`]) rather than by the tail's rank.
    frequent: bool,
    /// Share of dossiers submitted online.
    online: f64,
    /// Share submitted by post.
    post: f64,
    /// Share of organisations among applicants.
    organisation: f64,
    /// Whether only cooperatives apply.
    cooperative: bool,
    /// Fixed fees, requested as a financial obligation for some dossiers.
    fees: Vec<FeeLine>,
    /// Component names.
    components: Vec<String>,
}

fn department_of(p: &Procedure) -> Option<usize> {
    let issuer = fold(p.issuing_agency.as_deref().unwrap_or_default());
    let sector = fold(&p.sector);
    if issuer.contains("tu phap") {
        Some(STP)
    } else if issuer.contains("tai chinh") {
        // Investors in the industrial parks, Bắc Ninh's main case, register there.
        Some(if sector.starts_with("dau tu tai viet nam") {
            BQLKCN
        } else {
            STC
        })
    } else if issuer.contains("xay dung") {
        Some(SXD)
    } else if issuer.contains("nong nghiep va moi truong") {
        Some(SNNMT)
    } else if issuer.contains("cong an") {
        Some(CAT)
    } else if issuer.contains("quoc phong") {
        Some(BCHQS)
    } else {
        None // the State Bank, the courts
    }
}

fn target_of(p: &Procedure) -> Option<Target> {
    let department = department_of(p)?;
    let commune = p.levels.contains(&Level::Commune);
    let province = p.levels.contains(&Level::Province);
    if department == CAT && (commune || province) {
        // Commune police stations are units of the provincial police.
        Some(Target::Department(CAT))
    } else if commune {
        Some(Target::Commune)
    } else if province {
        Some(Target::Department(department))
    } else {
        None
    }
}

/// Where the demo province sends the dossiers of a procedure (the mapping of the module
/// documentation), exposed so that an online submission picks the same responsible agency
/// as the generated dossiers do.
#[derive(Debug, Clone, Copy)]
pub enum Responsible {
    /// One department of [`DEPARTMENTS`].
    Department(&'static Department),
    /// The People's Committee of the applicant's commune (see [`is_commune_committee`]).
    Commune,
}

/// The responsible agency of `p` in the demo province, or `None` when the province does not
/// handle it (the State Bank's and the courts' procedures, ministry-only procedures).
pub fn responsible(p: &Procedure) -> Option<Responsible> {
    match target_of(p)? {
        Target::Department(i) => DEPARTMENTS.get(i).map(Responsible::Department),
        Target::Commune => Some(Responsible::Commune),
    }
}

/// Whether `code` is one of the demo communes' People's Committees (`nnn.00.50.H05`; extra
/// intake desks `nnn.kk.50.H05` are not).
pub fn is_commune_committee(code: &str) -> bool {
    code.parse::<motcua_domain::units::AgencyCode>()
        .is_ok_and(|c| matches!(c.segments(), [_, "00", COMMUNE_SEGMENT, TOP]))
}

/// Records [`FALLBACK_LIMITS`] as the province's local commitment on the procedures whose
/// catalogue row lost its limit, so that every face (demo, desk, portal) reads the same
/// limit from the catalogue.
fn commit_fallback_limits(procedures: &mut [Procedure]) {
    for p in procedures.iter_mut() {
        if p.effective_time_limit().is_some() {
            continue;
        }
        let code = p.code.to_string();
        if let Some((_, days)) = FALLBACK_LIMITS.iter().find(|(c, _)| *c == code) {
            p.local_time_limit = Some(TimeLimit {
                value: TimeValue::whole(*days),
                unit: TimeUnit::WorkingDays,
            });
        }
    }
}

/// Records [`ONLINE_ANYWAY`] as the province offers them: online, in part (the original is
/// still shown at the desk), so the portal takes their requests as the demo's dossiers do.
fn offer_online_anyway(procedures: &mut [Procedure]) {
    for p in procedures.iter_mut() {
        if !ONLINE_ANYWAY.contains(&p.code.to_string().as_str()) {
            continue;
        }
        if FULL_PROCESS.contains(&p.code.to_string().as_str()) {
            p.online_level = catalog::OnlineLevel::FullProcess;
        } else if p.online_level == catalog::OnlineLevel::None {
            p.online_level = catalog::OnlineLevel::Partial;
        }
        if !p.channels.is_empty() && !p.channels.contains(&catalog::Channel::Online) {
            p.channels.push(catalog::Channel::Online);
        }
    }
}

fn family_of(p: &Procedure) -> Family {
    let name = fold(&p.name);
    let sector = fold(&p.sector);
    if catalog::is_same_day_certification(p) {
        if name.contains("chung thuc ban sao") {
            Family::CertCopy
        } else {
            Family::CertSignature
        }
    } else if sector == "chung thuc" {
        Family::CertContract
    } else if sector == "ho tich" {
        Family::CivilStatus
    } else if sector == "dat dai" {
        Family::Land
    } else if sector == "hoat dong xay dung" || name.contains("giay phep xay dung") {
        Family::Construction
    } else if sector.contains("ho kinh doanh") {
        Family::HouseholdBusiness
    } else if sector.contains("cu tru") {
        Family::Residence
    } else if ["hai quan", "thue", "kho bac nha nuoc", "quan ly bien gioi"]
        .contains(&sector.as_str())
    {
        Family::Remote
    } else {
        Family::Other
    }
}

/// Shares of online and postal submissions (overall about 45 % and 5 %). Signatures and
/// contracts are certified with the signer present; certified copies need the original at
/// the desk, though electronic copies can be asked for online.
fn channel_mix(family: Family) -> (f64, f64) {
    match family {
        Family::CertCopy => (0.20, 0.0),
        Family::CertSignature | Family::CertContract => (0.0, 0.0),
        Family::CivilStatus => (0.75, 0.03),
        Family::Land => (0.50, 0.15),
        Family::Construction => (0.55, 0.08),
        Family::HouseholdBusiness => (0.80, 0.03),
        Family::Residence => (0.85, 0.0),
        Family::Remote | Family::Other => (0.70, 0.12),
    }
}

/// The procedures the province handles, with their mixes; the tail's order is drawn from
/// `rng`, so the seed decides which rare procedures are less rare.
fn select_procedures(stored: &[Procedure], rng: &mut ChaCha8Rng) -> Vec<DemoProcedure> {
    // Latest published version of each code; localised codes of other provinces are skipped.
    let mut latest: BTreeMap<String, &Procedure> = BTreeMap::new();
    for p in stored {
        if p.state != LifecycleState::Published {
            continue;
        }
        if p.code.local_agency().is_some_and(|a| a.top_level() != TOP) {
            continue;
        }
        let key = p.code.to_string();
        if latest.get(&key).is_none_or(|q| q.version < p.version) {
            latest.insert(key, p);
        }
    }
    let mut out = Vec::new();
    for p in latest.into_values() {
        let Some(target) = target_of(p) else { continue };
        out.push(demo_procedure(p, target));
    }
    // Zipf-like tail: a seeded order among the procedures without a hand-set frequency.
    let mut tail: Vec<usize> = (0..out.len()).filter(|&i| !out[i].frequent).collect();
    tail.shuffle(rng);
    for (rank, i) in tail.into_iter().enumerate() {
        let p = &mut out[i];
        let base = match p.target {
            Target::Commune => TAIL_COMMUNE,
            Target::Department(_) => TAIL_PROVINCE,
        };
        let family = if p.family == Family::Remote { 0.1 } else { 1.0 };
        p.weight = base * family * ZIPF_K / (rank as f64 + ZIPF_K);
    }
    for p in &mut out {
        if p.reference.limit.is_none() && !p.reference.same_day_certification {
            p.weight *= NO_LIMIT_FACTOR;
        }
    }
    out
}

fn demo_procedure(p: &Procedure, target: Target) -> DemoProcedure {
    let code = p.code.to_string();
    let family = family_of(p);
    let frequent = FREQUENT.iter().find(|(c, _)| *c == code).map(|(_, w)| *w);
    let (mut online, mut post) = channel_mix(family);
    if !p.channels.is_empty() && !ONLINE_ANYWAY.contains(&code.as_str()) {
        use catalog::Channel as C;
        let (desk_ok, online_ok, post_ok) = (
            p.channels.contains(&C::InPerson),
            p.channels.contains(&C::Online),
            p.channels.contains(&C::Postal),
        );
        if !online_ok {
            online = 0.0;
        }
        if !post_ok {
            post = 0.0;
        }
        if !desk_ok {
            // Only online and/or post: split what the desk would have had.
            online = if online_ok { 1.0 - post } else { 0.0 };
            post = if online_ok { post } else { 1.0 };
        }
    }
    let person_types = [
        ApplicantType::Citizen,
        ApplicantType::OverseasVietnamese,
        ApplicantType::Foreigner,
        ApplicantType::PublicServant,
        ApplicantType::PartyMember,
    ];
    let persons = p.applicants.is_empty() || p.applicants.iter().any(|a| person_types.contains(a));
    let organisations =
        p.applicants.is_empty() || p.applicants.iter().any(|a| !person_types.contains(a));
    let organisation = match (persons, organisations) {
        (true, true) => 0.10,
        (false, true) => 1.0,
        _ => 0.0,
    };
    let cooperative = !p.applicants.is_empty()
        && p.applicants
            .iter()
            .all(|a| *a == ApplicantType::Cooperative);
    let fees = match &p.fees {
        FeeSchedule::Charged(fees) => fees
            .iter()
            .filter_map(|f| {
                f.amount_vnd.filter(|a| *a > 0).map(|amount_vnd| FeeLine {
                    name: f.name.clone(),
                    amount_vnd,
                })
            })
            .collect(),
        FeeSchedule::Free | FeeSchedule::Unknown => Vec::new(),
    };
    let mut components: Vec<String> = p
        .components
        .iter()
        .filter(|c| c.required)
        .map(|c| c.name.clone())
        .take(4)
        .collect();
    if components.is_empty() {
        components = generic_components(family)
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
    }
    DemoProcedure {
        reference: crate::office::procedure_ref(p),
        family,
        target,
        weight: frequent.unwrap_or(0.0),
        frequent: frequent.is_some(),
        online,
        post,
        organisation,
        cooperative,
        fees,
        components,
    }
}

fn generic_components(family: Family) -> &'static [&'static str] {
    match family {
        Family::CertCopy => &[
            "Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao",
            "Bản sao cần chứng thực",
        ],
        Family::CertSignature => &[
            "Giấy tờ, văn bản cần chứng thực chữ ký",
            "Căn cước của người yêu cầu chứng thực",
        ],
        Family::CertContract => &[
            "Dự thảo hợp đồng, giao dịch",
            "Giấy tờ chứng minh quyền sở hữu, quyền sử dụng tài sản",
            "Căn cước của người yêu cầu chứng thực",
        ],
        Family::CivilStatus => &[
            "Tờ khai theo mẫu",
            "Giấy tờ chứng minh nhân thân",
            "Giấy tờ làm căn cứ đăng ký hộ tịch",
        ],
        Family::Land => &[
            "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (Mẫu số 11/ĐK)",
            "Giấy chứng nhận đã cấp",
            "Hợp đồng, văn bản về việc chuyển quyền",
        ],
        Family::Construction => &[
            "Đơn đề nghị cấp giấy phép xây dựng",
            "Giấy tờ chứng minh quyền sử dụng đất",
            "Bản vẽ thiết kế xây dựng",
        ],
        Family::HouseholdBusiness => &[
            "Giấy đề nghị đăng ký hộ kinh doanh",
            "Bản sao biên bản họp thành viên hộ gia đình",
        ],
        Family::Residence => &[
            "Tờ khai thay đổi thông tin cư trú (CT01)",
            "Giấy tờ chứng minh chỗ ở hợp pháp",
        ],
        Family::Remote | Family::Other => &[
            "Đơn đề nghị (theo mẫu)",
            "Giấy tờ chứng minh đủ điều kiện theo quy định",
        ],
    }
}

/// Walker's alias method: O(1) draws from a fixed discrete distribution.
struct Alias {
    probability: Vec<f64>,
    alias: Vec<usize>,
}

impl Alias {
    fn new(weights: &[f64]) -> Option<Alias> {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        if n == 0 || total <= 0.0 {
            return None;
        }
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        let mut probability = vec![1.0; n];
        let mut alias: Vec<usize> = (0..n).collect();
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            probability[s] = scaled[s];
            alias[s] = l;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Some(Alias { probability, alias })
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let i = rng.random_range(0..self.probability.len());
        if rng.random::<f64>() < self.probability[i] {
            i
        } else {
            self.alias[i]
        }
    }
}

/// The province's data for drawing dossiers.
struct Province {
    procedures: Vec<DemoProcedure>,
    /// Draws a procedure for a working day.
    working: Alias,
    /// Draws an online-capable procedure for a day off (index into `online_index`).
    day_off: Alias,
    online_index: Vec<usize>,
    /// Draws the commune of a commune-level dossier (population proxy: wards are busier).
    communes: Alias,
    /// Commune names as they read in an address ("phường Đa Mai").
    commune_names: Vec<String>,
    /// Whether each commune is a ward (phường), for addresses.
    wards: Vec<bool>,
}

impl Province {
    fn new(
        procedures: Vec<DemoProcedure>,
        communes: &[AdminUnit],
        rng: &mut ChaCha8Rng,
    ) -> ServiceResult<Province> {
        let none = || {
            ServiceError::Invalid(
                "không có thủ tục hoặc xã nào để dựng tỉnh mẫu / no procedure or commune to build the demo province from".into(),
            )
        };
        let weights: Vec<f64> = procedures.iter().map(|p| p.weight).collect();
        let working = Alias::new(&weights).ok_or_else(none)?;
        let online_index: Vec<usize> = (0..procedures.len())
            .filter(|&i| procedures[i].online > 0.0)
            .collect();
        let off: Vec<f64> = online_index
            .iter()
            .map(|&i| procedures[i].weight * procedures[i].online)
            .collect();
        let day_off = Alias::new(&off).ok_or_else(none)?;
        let mut commune_weights = Vec::with_capacity(communes.len());
        let mut wards = Vec::with_capacity(communes.len());
        for c in communes {
            let ward = fold(&c.full_name).starts_with("phuong");
            wards.push(ward);
            let base = if ward { 1.6 } else { 1.0 };
            commune_weights.push(base * rng.random_range(0.6..1.4));
        }
        let communes_alias = Alias::new(&commune_weights).ok_or_else(none)?;
        Ok(Province {
            procedures,
            working,
            day_off,
            online_index,
            communes: communes_alias,
            commune_names: communes.iter().map(|c| in_sentence(&c.full_name)).collect(),
            wards,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Agencies and their staff.

/// An agency with its calendar and staff accounts.
struct AgencyInfo {
    agency: Agency,
    symbol: String,
    calendar: Arc<Calendar>,
    desk: Vec<Actor>,
    specialists: Vec<Actor>,
    leaders: Vec<Actor>,
}

impl AgencyInfo {
    fn new(agency: &Agency, calendar: Arc<Calendar>) -> AgencyInfo {
        let code = agency.code.as_str();
        let commune = agency.kind == AgencyKind::CommunePeoplesCommittee;
        let staff = |prefix: &str, role: Role, n: usize| -> Vec<Actor> {
            (1..=n)
                .map(|k| Actor {
                    id: format!("u:{code}:{prefix}{k}"),
                    role,
                    agency: Some(code.to_owned()),
                })
                .collect()
        };
        let symbol = DEPARTMENTS
            .iter()
            .find(|d| code.ends_with(&format!(".{}.{TOP}", d.segment)))
            .map_or("UBND", |d| d.symbol)
            .to_owned();
        AgencyInfo {
            agency: agency.clone(),
            symbol,
            calendar,
            desk: staff("mc", Role::DeskOfficer, if commune { 2 } else { 4 }),
            specialists: staff("cv", Role::Specialist, if commune { 3 } else { 6 }),
            leaders: staff("ld", Role::Leader, 2),
        }
    }

    fn code(&self) -> &str {
        self.agency.code.as_str()
    }
}

// ---------------------------------------------------------------------------------------
// Dossiers.

/// One dossier to create: when, which procedure, where, through which channel.
#[derive(Debug, Clone, Copy)]
struct Plan {
    at: DateTime<Utc>,
    procedure: usize,
    /// Index into the generator's agencies (before seating: the deciding agency).
    agency: usize,
    /// Commune of the applicant (address), index into the province's communes.
    commune: usize,
    channel: Channel,
}

/// Rates of the life cycle (shares of the dossiers that reach the step).
mod rates {
    /// Online: withdrawn by the applicant before receipt.
    pub const WITHDRAWN_BEFORE_RECEIPT: f64 = 0.01;
    /// Online: refused at intake (Form 03).
    pub const REFUSED_AT_INTAKE: f64 = 0.02;
    /// Online: one-time intake guidance (Form 02) before receipt.
    pub const INTAKE_SUPPLEMENT: f64 = 0.05;
    /// Dossiers passed to a second agency for its opinion (inter-agency procedures).
    pub const INTER_AGENCY: f64 = 0.05;
    /// Supplement requested during processing (the clock pauses, 766 rule 2.1), for
    /// dossiers other than same-day certifications: about 6 % of all dossiers.
    pub const SUPPLEMENT: f64 = 0.09;
    /// Of those, a second request (late outright by the 766 rule): about 0.15 % of dossiers.
    pub const SECOND_SUPPLEMENT: f64 = 0.025;
    /// Fee-bearing procedures whose dossier gets a payment request (others pay at intake).
    pub const PAYMENT: f64 = 0.30;
    /// Withdrawn by the applicant after receipt (not for same-day certifications).
    pub const WITHDRAWN: f64 = 0.005;
    /// Processing stopped (Form 05; not for same-day certifications).
    pub const STOPPED: f64 = 0.003;
    /// Refused after appraisal.
    pub const REFUSED: f64 = 0.015;
    /// Apology and new appointment (Form 04), then finished after the first appointment;
    /// drawn for dossiers other than same-day certifications, and possible only with at
    /// least a working day left: about 0.3 % of all dossiers.
    pub const EXTENDED: f64 = 0.006;
    /// Finished late without an apology.
    pub const LATE: f64 = 0.0008;
    /// Finished before the appointment day, where the appointment leaves room for it.
    pub const EARLY: f64 = 0.75;
    /// Electronic result when the dossier came online.
    pub const ELECTRONIC_ONLINE: f64 = 0.70;
    /// Electronic result for desk and post dossiers.
    pub const ELECTRONIC_DESK: f64 = 0.27;
    /// Dossiers whose applicant rates the service.
    pub const RATED: f64 = 0.30;
    /// Desk and post dossiers whose paper components are scanned (766 indicator 4.2).
    pub const SCANNED_AT_DESK: f64 = 0.70;
    /// Components reused from an earlier dossier.
    pub const REUSED: f64 = 0.15;
    /// Components of online dossiers taken from the applicant's data store on the national
    /// portal: about 10 % of all components.
    pub const FROM_DATA_STORE: f64 = 0.20;
    /// Online applicants authenticated with the national e-ID.
    pub const EID: f64 = 0.92;
}

/// Drives dossiers through their life cycles.
struct Generator {
    rng: ChaCha8Rng,
    end: DateTime<Utc>,
    agencies: Vec<Arc<AgencyInfo>>,
    /// Extra desks: (agency, desk number) → agency index.
    overflow: BTreeMap<(usize, u32), usize>,
    /// Dossiers numbered today per agency (before seating).
    today: BTreeMap<usize, u32>,
    /// Result numbers per agency.
    numbers: Vec<u32>,
    sample: Option<String>,
    events: u64,
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn staff(actor: &Actor, channel: Channel) -> Acting {
    Acting {
        actor: actor.clone(),
        channel,
        request_id: None,
    }
}

fn add_work(c: &Calendar, t: DateTime<Utc>, minutes: i64) -> ServiceResult<DateTime<Utc>> {
    Ok(
        c.add_working_time(t.fixed_offset(), TimeDelta::minutes(minutes.max(0)))
            .map_err(cal_err)?
            .to_utc(),
    )
}

fn work_minutes(c: &Calendar, a: DateTime<Utc>, b: DateTime<Utc>) -> ServiceResult<i64> {
    Ok(c.working_time_between(a.fixed_offset(), b.fixed_offset())
        .map_err(cal_err)?
        .num_minutes())
}

/// The opening of the working day `date` (its first session's start).
fn day_open(c: &Calendar, date: NaiveDate) -> ServiceResult<DateTime<Utc>> {
    local(
        c.config().offset,
        date,
        c.config().working_hours.first_start(),
    )
}

impl Generator {
    fn daily_minutes(calendar: &Calendar) -> i64 {
        calendar.config().working_hours.daily_total().num_minutes()
    }

    /// A submission on `day`: procedure, channel, agency and instant (before `end`).
    fn plan(
        &mut self,
        province: &Province,
        calendar: &Calendar,
        day: NaiveDate,
        end: DateTime<Utc>,
    ) -> ServiceResult<Plan> {
        let working = calendar.is_working_day(day);
        let procedure = if working {
            province.working.sample(&mut self.rng)
        } else {
            province.online_index[province.day_off.sample(&mut self.rng)]
        };
        let p = &province.procedures[procedure];
        let mut channel = if !working {
            Channel::Online
        } else {
            let u: f64 = self.rng.random();
            if u < p.online {
                Channel::Online
            } else if u < p.online + p.post {
                Channel::Post
            } else {
                Channel::Desk
            }
        };
        let commune = province.communes.sample(&mut self.rng);
        let agency = match p.target {
            Target::Department(d) => d,
            Target::Commune => DEPARTMENTS.len() + commune,
        };
        let offset = calendar.config().offset;
        let mut at = match channel {
            Channel::Online => self.online_time(offset, day)?,
            _ => self.desk_time(calendar, day)?,
        };
        if at >= end {
            // The last day is cut at `end`: what remains of it is online.
            channel = Channel::Online;
            let midnight = local(offset, day, NaiveTime::MIN)?;
            let span = (end - midnight).num_seconds().max(1);
            at = midnight + TimeDelta::seconds(self.rng.random_range(0..span));
        }
        Ok(Plan {
            at,
            procedure,
            agency,
            commune,
            channel,
        })
    }

    /// An instant in office hours of working day `day`; mornings are busier.
    fn desk_time(&mut self, calendar: &Calendar, day: NaiveDate) -> ServiceResult<DateTime<Utc>> {
        let hours = &calendar.config().working_hours;
        let daily = hours.daily_total().num_seconds();
        let morning = hours
            .sessions()
            .first()
            .map_or(daily / 2, |s| (s.end - s.start).num_seconds());
        let seconds = if self.rng.random_bool(0.6) {
            self.rng.random_range(0..morning.max(1))
        } else {
            self.rng.random_range(morning..daily.max(morning + 1))
        };
        let open = day_open(calendar, day)?;
        Ok(calendar
            .add_working_time(open.fixed_offset(), TimeDelta::seconds(seconds))
            .map_err(cal_err)?
            .to_utc())
    }

    /// An online submission instant on `day`: mostly in the daytime, often in the evening.
    fn online_time(&mut self, offset: FixedOffset, day: NaiveDate) -> ServiceResult<DateTime<Utc>> {
        let u: f64 = self.rng.random();
        let (from, to) = if u < 0.03 {
            (0, 6 * 60)
        } else if u < 0.70 {
            (7 * 60, 17 * 60 + 30)
        } else if u < 0.95 {
            (17 * 60 + 30, 22 * 60)
        } else {
            (22 * 60, 24 * 60)
        };
        let minute = self.rng.random_range(from..to);
        let second = self.rng.random_range(0..60);
        let time = NaiveTime::from_num_seconds_from_midnight_opt(minute * 60 + second, 0)
            .ok_or_else(|| invalid("time"))?;
        local(offset, day, time)
    }

    /// Counts the dossier against its agency's day; when the day is full (9,999), moves it to
    /// an extra desk of the agency. Returns the desk to open when it is not registered yet.
    fn seat(&mut self, plan: &mut Plan) -> Option<(usize, u32)> {
        let n = self.today.entry(plan.agency).or_insert(0);
        let desk = *n / DAILY_CAPACITY;
        if desk == 0 {
            *n += 1;
            return None;
        }
        match self.overflow.get(&(plan.agency, desk)) {
            Some(&index) => {
                *n += 1;
                plan.agency = index;
                None
            }
            None => Some((plan.agency, desk)),
        }
    }

    /// The agency of extra desk `desk` of an agency: `kkk.00.DD.H05` for a department,
    /// `nnn.kk.50.H05` for a commune.
    fn desk_agency(&self, (agency, desk): (usize, u32)) -> ServiceResult<Agency> {
        let base = &self.agencies[agency].agency;
        let [v, _, y, top] = base.code.segments();
        let code = if v == "000" {
            format!("{desk:03}.00.{y}.{top}")
        } else {
            format!("{v}.{desk:02}.{y}.{top}")
        };
        Ok(Agency {
            code: code.parse().map_err(invalid)?,
            name: format!("{} — quầy tiếp nhận số {}", base.name, desk + 1),
            kind: base.kind,
            unit: base.unit.clone(),
            valid_from: Some(MERGED),
            valid_to: None,
        })
    }

    fn open_desk(
        &mut self,
        (agency, desk): (usize, u32),
        registered: &Agency,
        calendar: Arc<Calendar>,
    ) {
        let index = self.agencies.len();
        let mut info = AgencyInfo::new(registered, calendar);
        info.symbol.clone_from(&self.agencies[agency].symbol);
        self.agencies.push(Arc::new(info));
        self.numbers.push(0);
        self.overflow.insert((agency, desk), index);
    }

    fn person_name(&mut self) -> (String, bool) {
        let female = self.rng.random_bool(0.5);
        let family = *weighted(&mut self.rng, FAMILY_NAMES);
        let (middle, given) = if female {
            (
                pick(&mut self.rng, MIDDLE_FEMALE),
                pick(&mut self.rng, GIVEN_FEMALE),
            )
        } else {
            (
                pick(&mut self.rng, MIDDLE_MALE),
                pick(&mut self.rng, GIVEN_MALE),
            )
        };
        (format!("{family} {middle} {given}"), female)
    }

    fn applicant(
        &mut self,
        province: &Province,
        p: &DemoProcedure,
        commune: usize,
    ) -> ServiceResult<(Applicant, Role)> {
        let place = &province.commune_names[commune];
        let address = if province.wards[commune] {
            format!(
                "Tổ dân phố {}, {place}, tỉnh Bắc Ninh",
                self.rng.random_range(1..=25)
            )
        } else {
            format!(
                "Thôn {}, {place}, tỉnh Bắc Ninh",
                pick(&mut self.rng, VILLAGES)
            )
        };
        if self.rng.random_bool(p.organisation) {
            let code = self.tax_code()?;
            let name = if p.cooperative || self.rng.random_bool(0.12) {
                format!(
                    "Hợp tác xã {} {}",
                    pick(&mut self.rng, COOPERATIVE_TRADES),
                    province.commune_names[commune]
                        .split_once(' ')
                        .map_or(place.as_str(), |(_, n)| n)
                )
            } else {
                format!(
                    "{} {} {}",
                    weighted(&mut self.rng, COMPANY_FORMS),
                    pick(&mut self.rng, TRADES),
                    pick(&mut self.rng, BRANDS)
                )
            };
            let phone = format!("0222{:07}", self.rng.random_range(3_000_000..4_000_000));
            return Ok((
                Applicant {
                    id: ApplicantId::Organisation(code),
                    name,
                    phone: Some(phone),
                    email: None,
                    address: Some(address),
                },
                Role::Business,
            ));
        }
        let (name, female) = self.person_name();
        let id = self.personal_id(female)?;
        let phone = format!(
            "{}{:07}",
            pick(&mut self.rng, PHONE_PREFIXES),
            self.rng.random_range(0..10_000_000)
        );
        let email = self.rng.random_bool(0.25).then(|| {
            let folded: Vec<String> = fold(&name).split(' ').map(str::to_owned).collect();
            let given = folded.last().cloned().unwrap_or_default();
            let family = folded.first().cloned().unwrap_or_default();
            format!(
                "{given}.{family}{}@gmail.com",
                self.rng.random_range(10..100)
            )
        });
        Ok((
            Applicant {
                id: ApplicantId::Person(id),
                name,
                phone: Some(phone),
                email,
                address: Some(address),
            },
            Role::Citizen,
        ))
    }

    /// A personal identification number (regulations §5.1): place of birth registration
    /// mostly Bắc Ninh (027) or Bắc Giang (024), century-and-sex digit matching a birth year
    /// 1950–2007, then six random digits.
    fn personal_id(&mut self, female: bool) -> ServiceResult<PersonalId> {
        let u: f64 = self.rng.random();
        let place = if u < 0.55 {
            27
        } else if u < 0.88 {
            24
        } else {
            *pick(&mut self.rng, &[1_u16, 30, 19, 20, 26, 33, 22, 25, 38, 40])
        };
        // Triangular around the late 1970s: adults of working age file most dossiers.
        let year = 1950 + (self.rng.random_range(0..=29) + self.rng.random_range(0..=28));
        let century = if year >= 2000 { 2 } else { 0 } + u8::from(female);
        let text = format!(
            "{place:03}{century}{:02}{:06}",
            year % 100,
            self.rng.random_range(0..1_000_000)
        );
        text.parse().map_err(invalid)
    }

    /// A tax code of a Bắc Ninh enterprise (prefix 23; 24 for those of former Bắc Giang)
    /// with a valid check digit (regulations §5.3).
    fn tax_code(&mut self) -> ServiceResult<TaxCode> {
        loop {
            let prefix: u8 = if self.rng.random_bool(0.7) { 23 } else { 24 };
            let mut digits = [0_u8; 9];
            digits[0] = prefix / 10;
            digits[1] = prefix % 10;
            for d in &mut digits[2..] {
                *d = self.rng.random_range(0..10);
            }
            if let Some(check) = tax_check_digit(&digits) {
                let text: String = digits
                    .iter()
                    .chain(std::iter::once(&check))
                    .map(|d| char::from(b'0' + d))
                    .collect();
                return text.parse().map_err(invalid);
            }
        }
    }

    /// The submitted components: files for every online one, scans for most desk ones.
    fn components(&mut self, p: &DemoProcedure, channel: Channel) -> Vec<Component> {
        let online = channel == Channel::Online;
        let scanned = online || self.rng.random_bool(rates::SCANNED_AT_DESK);
        let n = self.rng.random_range(1..=p.components.len().max(1));
        p.components
            .iter()
            .take(n)
            .map(|name| {
                let from_data_store = online && self.rng.random_bool(rates::FROM_DATA_STORE);
                Component {
                    name: name.clone(),
                    has_file: scanned || from_data_store,
                    reused: self.rng.random_bool(rates::REUSED),
                    from_data_store,
                    files: Vec::new(),
                }
            })
            .collect()
    }

    /// The number of an issued result, in the register of the agency (certification
    /// registers use their own symbols: 🔶 Circular 01/2020/TT-BTP forms).
    fn result_number(&mut self, agency: usize, family: Family) -> String {
        self.numbers[agency] += 1;
        let n = self.numbers[agency];
        match family {
            Family::CertCopy => format!("{n}/SCT/BS"),
            Family::CertSignature => format!("{n}/SCT/CK,ĐC"),
            Family::CertContract => format!("{n}/SCT/HĐ,GD"),
            _ => format!("{n}/KQ-{}", self.agencies[agency].symbol),
        }
    }

    /// A random share, between `low` and `high`, of `minutes` of working time.
    fn part(&mut self, minutes: i64, low: f64, high: f64) -> i64 {
        (minutes.max(0) as f64 * self.rng.random_range(low..high)) as i64
    }

    /// Creates the dossier of `plan` and drives it as far as `end` allows.
    async fn life(
        &mut self,
        tx: &mut DossierTx<'_>,
        province: &Province,
        plan: &Plan,
    ) -> ServiceResult<()> {
        let p = &province.procedures[plan.procedure];
        let agency = Arc::clone(&self.agencies[plan.agency]);
        let online = plan.channel == Channel::Online;
        let (applicant, applicant_role) = self.applicant(province, p, plan.commune)?;
        let citizen = Acting {
            actor: Actor {
                id: format!("u:vneid-{:08x}", self.rng.random::<u32>()),
                role: applicant_role,
                agency: None,
            },
            channel: Channel::Online,
            request_id: None,
        };
        let desk = pick(&mut self.rng, &agency.desk).clone();
        // What the applicant does online, the desk officer records for a desk dossier.
        let applicant_acts = if online {
            citizen.clone()
        } else {
            staff(&desk, Channel::Desk)
        };
        let cast = Cast {
            specialist: pick(&mut self.rng, &agency.specialists).clone(),
            leader: pick(&mut self.rng, &agency.leaders).clone(),
            desk,
            citizen,
            applicant: applicant_acts,
        };
        let new = NewDossier {
            agency: agency.code().to_owned(),
            procedure: p.reference.clone(),
            applicant,
            channel: plan.channel,
            components: self.components(p, plan.channel),
            eid_verified: online && self.rng.random_bool(rates::EID),
        };
        let submitter = if online {
            cast.citizen.clone()
        } else {
            staff(&cast.desk, plan.channel)
        };
        let state = tx.submit(&submitter, new, !online, plan.at).await?;
        let mut life = Life {
            state,
            t: plan.at,
            end: self.end,
        };
        self.drive(tx, &mut life, p, plan, &agency, &cast).await?;
        self.events += u64::try_from(life.state.version).unwrap_or(0);
        let supplemented = life
            .state
            .pauses
            .iter()
            .any(|p| p.reason == PauseReason::Supplement);
        if self.sample.is_none()
            && life.state.status == Status::Returned
            && supplemented
            && life.state.rating.is_some()
        {
            self.sample = Some(life.state.code().to_string());
        }
        Ok(())
    }

    /// The life cycle after creation, in chronological order, until it ends or reaches
    /// `end`.
    async fn drive(
        &mut self,
        tx: &mut DossierTx<'_>,
        life: &mut Life,
        p: &DemoProcedure,
        plan: &Plan,
        agency: &AgencyInfo,
        cast: &Cast,
    ) -> ServiceResult<()> {
        let online = plan.channel == Channel::Online;
        let cal: &Calendar = &agency.calendar;
        let daily = Self::daily_minutes(cal);
        let (citizen, applicant, desk) = (&cast.citizen, &cast.applicant, &cast.desk);
        // Staff work in their agency's back office; the desk channel stands for it.
        let at_desk = staff(desk, Channel::Desk);
        let by_specialist = staff(&cast.specialist, Channel::Desk);
        let by_leader = staff(&cast.leader, Channel::Desk);

        // Intake of an online dossier, a few working hours after submission.
        if online {
            let check = add_work(cal, life.t, self.rng.random_range(20..=300))?;
            let u: f64 = self.rng.random();
            if u < rates::WITHDRAWN_BEFORE_RECEIPT {
                let at = life.t + TimeDelta::minutes(self.rng.random_range(30..=2880));
                let reasons = pick(&mut self.rng, WITHDRAW_REASONS).to_string();
                life.act(tx, citizen, Command::Withdraw { reasons }, at)
                    .await?;
                return Ok(());
            }
            if u < rates::WITHDRAWN_BEFORE_RECEIPT + rates::REFUSED_AT_INTAKE {
                let reasons = pick(&mut self.rng, INTAKE_REFUSALS).to_string();
                life.act(tx, &at_desk, Command::RefuseAtIntake { reasons }, check)
                    .await?;
                return Ok(());
            }
            let mut receive_at = check;
            if u < rates::WITHDRAWN_BEFORE_RECEIPT
                + rates::REFUSED_AT_INTAKE
                + rates::INTAKE_SUPPLEMENT
            {
                let reasons = pick(&mut self.rng, INTAKE_SUPPLEMENTS).to_string();
                if !life
                    .act(
                        tx,
                        &at_desk,
                        Command::RequestIntakeSupplement { reasons },
                        check,
                    )
                    .await?
                {
                    return Ok(());
                }
                let provided = check + TimeDelta::minutes(self.rng.random_range(120..=5760));
                if !life
                    .act(tx, citizen, Command::ProvideIntakeSupplement, provided)
                    .await?
                {
                    return Ok(());
                }
                receive_at = add_work(cal, provided, self.rng.random_range(20..=240))?;
            }
            if !life.act(tx, &at_desk, Command::Receive, receive_at).await? {
                return Ok(());
            }
        }

        // Transfer to the processing step.
        let certification = p.reference.same_day_certification;
        let pause = if certification {
            self.rng.random_range(2..=15)
        } else {
            // Short limits (one working hour for a stay notice) leave little time to wait.
            let left = self.left(cal, life, daily)?;
            self.rng.random_range(10..=240).min(left / 6)
        };
        let budget = p
            .reference
            .limit
            .and_then(|l| match (l.unit, l.value.as_whole()) {
                (TimeUnit::WorkingDays, Some(days)) if days >= 2 => Some(TimeLimit {
                    value: TimeValue::whole((days * 6 / 10).max(1)),
                    unit: TimeUnit::WorkingDays,
                }),
                _ => None,
            });
        let step = if certification {
            "Chứng thực"
        } else {
            "Thẩm định hồ sơ"
        };
        let transfer = Command::Transfer {
            step: step.into(),
            agency: agency.code().to_owned(),
            assignee: Some(cast.specialist.id.clone()),
            budget,
        };
        let at = add_work(cal, life.t, pause)?;
        if !life.act(tx, &by_specialist, transfer, at).await? {
            return Ok(());
        }

        // Fate and punctuality, drawn up front so the rates are those configured.
        let u: f64 = self.rng.random();
        let fate = if u < rates::WITHDRAWN {
            Fate::Withdrawn
        } else if u < rates::WITHDRAWN + rates::STOPPED {
            Fate::Stopped
        } else if u < rates::WITHDRAWN + rates::STOPPED + rates::REFUSED {
            Fate::Refused
        } else {
            Fate::Approved
        };
        let u: f64 = self.rng.random();
        let mut timing = if u < rates::EXTENDED {
            Timing::Extended
        } else if u < rates::EXTENDED + rates::LATE {
            Timing::Late
        } else if self.rng.random_bool(rates::EARLY) {
            Timing::Early
        } else {
            Timing::OnTime
        };

        let finish_at = if certification {
            let at = add_work(cal, life.t, self.rng.random_range(5..=90))?;
            match life.state.due {
                Some(due) if at > due && timing != Timing::Late => due.max(life.t),
                _ => at,
            }
        } else {
            // Supplements during processing: the clock pauses while the applicant works.
            if self.rng.random_bool(rates::SUPPLEMENT) {
                let rounds = if self.rng.random_bool(rates::SECOND_SUPPLEMENT) {
                    2
                } else {
                    1
                };
                for _ in 0..rounds {
                    let left = self.left(cal, life, daily)?;
                    let at = add_work(cal, life.t, self.part(left, 0.1, 0.5))?;
                    let reasons = pick(&mut self.rng, SUPPLEMENTS).to_string();
                    if !life
                        .act(
                            tx,
                            &by_specialist,
                            Command::RequestSupplement { reasons },
                            at,
                        )
                        .await?
                    {
                        return Ok(());
                    }
                    let at = self.applicant_time(cal, life.t, online, 1, 5)?;
                    if !life
                        .act(tx, applicant, Command::ProvideSupplement, at)
                        .await?
                    {
                        return Ok(());
                    }
                }
            }
            // Inter-agency: another agency gives its opinion, then the file comes back.
            if self.rng.random_bool(rates::INTER_AGENCY) {
                let partner = partner_of(p, agency.code());
                for (step, to, low, high) in [
                    ("Lấy ý kiến phối hợp", partner.clone(), 0.1, 0.4),
                    ("Tổng hợp, trình ký", agency.code().to_owned(), 0.2, 0.6),
                ] {
                    let left = self.left(cal, life, daily)?;
                    let at = add_work(cal, life.t, self.part(left, low, high))?;
                    let command = Command::Transfer {
                        step: step.into(),
                        agency: to,
                        assignee: None,
                        budget: None,
                    };
                    if !life.act(tx, &by_specialist, command, at).await? {
                        return Ok(());
                    }
                }
            }
            // Financial obligation: the clock waits for the payment (🔶 rule default).
            if !p.fees.is_empty() && fate == Fate::Approved && self.rng.random_bool(rates::PAYMENT)
            {
                let left = self.left(cal, life, daily)?;
                let at = add_work(cal, life.t, self.part(left, 0.1, 0.5))?;
                let command = Command::RequestPayment {
                    lines: p.fees.clone(),
                };
                if !life.act(tx, &by_specialist, command, at).await? {
                    return Ok(());
                }
                let at = self.applicant_time(cal, life.t, online, 0, 2)?;
                if !life
                    .act(tx, applicant, Command::RecordPayment { online }, at)
                    .await?
                {
                    return Ok(());
                }
            }
            match fate {
                Fate::Withdrawn => {
                    let left = self.left(cal, life, daily)?;
                    let at = add_work(cal, life.t, self.part(left, 0.1, 0.6))?;
                    let reasons = pick(&mut self.rng, WITHDRAW_REASONS).to_string();
                    life.act(tx, applicant, Command::Withdraw { reasons }, at)
                        .await?;
                    return Ok(());
                }
                Fate::Stopped => {
                    let left = self.left(cal, life, daily)?;
                    let at = add_work(cal, life.t, self.part(left, 0.2, 0.8))?;
                    let reasons = pick(&mut self.rng, STOP_REASONS).to_string();
                    life.act(tx, &by_leader, Command::Stop { reasons }, at)
                        .await?;
                    return Ok(());
                }
                Fate::Approved | Fate::Refused => {}
            }
            if timing == Timing::Extended {
                match self.extend(tx, life, cal, &by_leader, daily).await? {
                    Extension::Done(at) => at,
                    Extension::AfterEnd => return Ok(()),
                    Extension::NotPossible => {
                        timing = Timing::OnTime;
                        self.finish_time(cal, life, timing)?
                    }
                }
            } else {
                self.finish_time(cal, life, timing)?
            }
        };

        let decision = match fate {
            Fate::Refused => Decision::Refused {
                reasons: pick(&mut self.rng, REFUSALS).to_string(),
            },
            _ => Decision::Approved,
        };
        let approved = decision == Decision::Approved;
        if !life
            .act(tx, &by_leader, Command::Finish { decision }, finish_at)
            .await?
        {
            return Ok(());
        }

        // The result: issued (electronically for many), then returned.
        let mut electronic = false;
        if approved && p.reference.document_result {
            electronic = self.rng.random_bool(if online {
                rates::ELECTRONIC_ONLINE
            } else {
                rates::ELECTRONIC_DESK
            });
            let form = if electronic {
                ResultForm::Electronic
            } else {
                ResultForm::Paper
            };
            let at = add_work(cal, life.t, self.rng.random_range(1..=60))?;
            let number = Some(self.result_number(plan.agency, p.family));
            if !life
                .act(tx, &by_leader, Command::IssueResult { form, number }, at)
                .await?
            {
                return Ok(());
            }
        }
        let method = match plan.channel {
            Channel::Online if electronic && self.rng.random_bool(0.9) => ReturnMethod::Online,
            Channel::Online => {
                if self.rng.random_bool(0.3) {
                    ReturnMethod::Post
                } else {
                    ReturnMethod::Desk
                }
            }
            Channel::Post if self.rng.random_bool(0.8) => ReturnMethod::Post,
            _ if self.rng.random_bool(0.1) => ReturnMethod::Post,
            _ => ReturnMethod::Desk,
        };
        let (returned_at, channel) = match method {
            ReturnMethod::Online => (
                life.t + TimeDelta::minutes(self.rng.random_range(1..=30)),
                Channel::Online,
            ),
            ReturnMethod::Post => (
                add_work(cal, life.t, self.rng.random_range(daily / 2..=2 * daily))?,
                Channel::Post,
            ),
            ReturnMethod::Desk if certification => (
                add_work(cal, life.t, self.rng.random_range(5..=60))?,
                Channel::Desk,
            ),
            ReturnMethod::Desk => (
                add_work(cal, life.t, self.rng.random_range(10..=3 * daily))?,
                Channel::Desk,
            ),
        };
        if !life
            .act(
                tx,
                &staff(desk, channel),
                Command::ReturnResult { method },
                returned_at,
            )
            .await?
        {
            return Ok(());
        }

        // The applicant's rating (766 group 5): online later, at the desk's kiosk at once.
        if self.rng.random_bool(rates::RATED) {
            let u: f64 = self.rng.random();
            let rating = if u < 0.92 {
                Rating::Satisfied
            } else if u < 0.98 {
                Rating::Acceptable
            } else {
                Rating::Dissatisfied
            };
            let (at, channel) =
                if method == ReturnMethod::Online || (online && method == ReturnMethod::Post) {
                    (
                        life.t + TimeDelta::minutes(self.rng.random_range(5..=2880)),
                        Channel::Online,
                    )
                } else {
                    (
                        life.t + TimeDelta::minutes(self.rng.random_range(1..=10)),
                        Channel::Desk,
                    )
                };
            let rater = Acting {
                channel,
                ..citizen.clone()
            };
            life.act(tx, &rater, Command::Rate { rating }, at).await?;
        }
        Ok(())
    }

    /// Working minutes left until the appointment (a few days' worth when there is none).
    fn left(&mut self, cal: &Calendar, life: &Life, daily: i64) -> ServiceResult<i64> {
        match life.state.statistical_due {
            Some(due) => work_minutes(cal, life.t, due),
            None => Ok(self.rng.random_range(daily..=5 * daily)),
        }
    }

    /// When the applicant acts again after `from`: `min_days`–`max_days` later, online at
    /// any hour of the day, at the desk in office hours.
    fn applicant_time(
        &mut self,
        cal: &Calendar,
        from: DateTime<Utc>,
        online: bool,
        min_days: i64,
        max_days: i64,
    ) -> ServiceResult<DateTime<Utc>> {
        if online {
            let minutes = self
                .rng
                .random_range((min_days * 1440).max(20)..=(max_days * 1440).max(60));
            Ok(from + TimeDelta::minutes(minutes))
        } else {
            let daily = Self::daily_minutes(cal);
            add_work(
                cal,
                from,
                self.rng
                    .random_range((min_days * daily).max(20)..=(max_days * daily).max(60)),
            )
        }
    }

    /// When processing finishes, by the punctuality drawn, against the appointment that
    /// statistics measure (766: early = before the appointment day; on time = that day, not
    /// after the appointment; late = after it).
    fn finish_time(
        &mut self,
        cal: &Calendar,
        life: &Life,
        timing: Timing,
    ) -> ServiceResult<DateTime<Utc>> {
        let t = life.t;
        let Some(due) = life.state.statistical_due else {
            let daily = Self::daily_minutes(cal);
            return add_work(cal, t, self.rng.random_range(60..=8 * daily));
        };
        let offset = cal.config().offset;
        let due_day = due.with_timezone(&offset).date_naive();
        let opening = day_open(cal, due_day)?;
        if timing == Timing::Late || t >= due {
            return add_work(cal, due.max(t), self.rng.random_range(30..=960));
        }
        if timing == Timing::Early {
            let room = work_minutes(cal, t, opening)?;
            if room >= 10 {
                // Skewed towards the appointment: most dossiers use much of their time.
                let share = 0.05 + 0.92 * self.rng.random::<f64>().powf(0.7);
                return add_work(cal, t, (room as f64 * share) as i64);
            }
        }
        let from = t.max(opening);
        let room = work_minutes(cal, from, due)?;
        let at = add_work(cal, from, self.part(room, 0.05, 1.0))?;
        Ok(at.min(due).max(t))
    }

    /// The apology and new appointment (Form 04), sent at least one working day before the
    /// appointment as the engine requires; the dossier then finishes after the first
    /// appointment and before the new one.
    async fn extend(
        &mut self,
        tx: &mut DossierTx<'_>,
        life: &mut Life,
        cal: &Calendar,
        leader: &Acting,
        daily: i64,
    ) -> ServiceResult<Extension> {
        let Some(due) = life.state.due else {
            return Ok(Extension::NotPossible);
        };
        let left = work_minutes(cal, life.t, due)?;
        let spare = left - daily - 15;
        if spare < 0 {
            return Ok(Extension::NotPossible);
        }
        let at = add_work(cal, life.t, self.rng.random_range(0..=spare))?;
        let new_due = add_work(cal, due, self.rng.random_range(daily..=4 * daily))?;
        let reasons = pick(&mut self.rng, DELAYS).to_string();
        if !life
            .act(
                tx,
                leader,
                Command::Extend {
                    reasons,
                    due: new_due,
                },
                at,
            )
            .await?
        {
            return Ok(Extension::AfterEnd);
        }
        let room = work_minutes(cal, due, new_due)?;
        let at = add_work(cal, due, self.part(room, 0.1, 0.9).max(1))?;
        Ok(Extension::Done(at.max(life.t)))
    }
}

/// Who acts on one dossier.
struct Cast {
    /// The applicant's portal account (online actions, ratings).
    citizen: Acting,
    /// Whoever acts for the applicant: the applicant online, the desk officer otherwise.
    applicant: Acting,
    desk: Actor,
    specialist: Actor,
    leader: Actor,
}

/// How a dossier ends, drawn at the processing step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Approved,
    Refused,
    Stopped,
    Withdrawn,
}

/// Punctuality, drawn at the processing step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timing {
    Early,
    OnTime,
    Late,
    Extended,
}

/// What an attempted extension did.
enum Extension {
    /// Extended; processing finishes at this instant.
    Done(DateTime<Utc>),
    /// The apology would fall after `end`: the dossier stays open.
    AfterEnd,
    /// Too close to the appointment for an apology (the engine would refuse it).
    NotPossible,
}

/// The agency asked for an opinion in an inter-agency procedure.
fn partner_of(p: &DemoProcedure, own: &str) -> String {
    let department = match (p.target, p.family) {
        (Target::Commune, Family::Land) => SNNMT,
        (Target::Commune, Family::Construction) => SXD,
        (Target::Commune, _) => CAT,
        (Target::Department(STC), _) => SNNMT,
        (Target::Department(_), _) => STC,
    };
    let code = format!("000.00.{}.{TOP}", DEPARTMENTS[department].segment);
    if code == own {
        format!("000.00.{}.{TOP}", DEPARTMENTS[STP].segment)
    } else {
        code
    }
}

/// A dossier being driven: its state and the instant of its last event.
struct Life {
    state: Dossier,
    t: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Life {
    /// Applies `command` at `at` (never before the last event) through the write path;
    /// returns `false`, doing nothing, when `at` lies after the end of the history.
    async fn act(
        &mut self,
        tx: &mut DossierTx<'_>,
        acting: &Acting,
        command: Command,
        at: DateTime<Utc>,
    ) -> ServiceResult<bool> {
        let at = at.max(self.t).with_nanosecond(0).unwrap_or(at);
        if at > self.end {
            return Ok(false);
        }
        self.state = tx.act_on_state(acting, &self.state, command, at).await?;
        self.t = at;
        Ok(true)
    }
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, f64)]) -> &'a T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

// ---------------------------------------------------------------------------------------
// Names and texts.

/// Family names with rough shares in the north (Nguyễn first by far).
const FAMILY_NAMES: &[(&str, f64)] = &[
    ("Nguyễn", 38.0),
    ("Trần", 9.0),
    ("Lê", 7.0),
    ("Phạm", 6.0),
    ("Hoàng", 4.0),
    ("Vũ", 4.0),
    ("Đỗ", 3.0),
    ("Ngô", 3.0),
    ("Đặng", 2.5),
    ("Bùi", 2.5),
    ("Dương", 2.0),
    ("Đào", 2.0),
    ("Trịnh", 1.5),
    ("Phan", 1.5),
    ("Chu", 1.0),
    ("Lương", 1.0),
    ("Tạ", 1.0),
    ("Hà", 1.0),
    ("Lý", 0.5),
    ("Thân", 1.0),
    ("Giáp", 0.8),
    ("Nghiêm", 0.5),
];
const MIDDLE_MALE: &[&str] = &[
    "Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Ngọc", "Thanh", "Tiến",
    "Duy", "Mạnh", "Trọng", "Bá",
];
const MIDDLE_FEMALE: &[&str] = &[
    "Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Thùy", "Hải", "Kim",
    "Bích", "Hồng", "Mai", "Khánh",
];
const GIVEN_MALE: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Nam", "Long", "Hải", "Sơn", "Thắng", "Cường", "Phong", "Huy", "Hoàng",
    "Quân", "Đức", "Tùng", "Khánh", "Bình", "Trung", "Hiếu", "Kiên", "Toàn", "Việt", "Anh", "Minh",
    "Lâm", "Phúc", "Thành", "Đạt", "Vinh", "Hưng", "Tiến", "Quyết", "Hào",
];
const GIVEN_FEMALE: &[&str] = &[
    "Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Huyền", "Ngọc", "Thảo", "Hà", "Hằng", "Nga",
    "Yến", "Phương", "Thủy", "Dung", "Oanh", "Nhung", "Giang", "Vân", "Hạnh", "Loan", "Quỳnh",
    "Anh", "Chi", "Ly", "Thu", "Thư", "My", "Tâm", "Duyên", "Hiền",
];
const VILLAGES: &[&str] = &[
    "Đông",
    "Đoài",
    "Nam",
    "Bắc",
    "Thượng",
    "Hạ",
    "Trung",
    "Tiền",
    "Hậu",
    "Cầu",
    "Chùa",
    "Đình",
    "Mới",
    "Ngọc",
    "Phù",
    "Lạc",
    "Yên",
    "An",
    "Hòa",
    "Thịnh",
];
const PHONE_PREFIXES: &[&str] = &[
    "090", "091", "093", "094", "096", "097", "098", "086", "088", "089", "032", "033", "034",
    "035", "036", "037", "038", "039", "081", "082", "083", "084", "085", "070", "076", "077",
    "078", "079",
];
const COMPANY_FORMS: &[(&str, f64)] = &[
    ("Công ty TNHH", 50.0),
    ("Công ty Cổ phần", 28.0),
    ("Công ty TNHH MTV", 15.0),
    ("Doanh nghiệp tư nhân", 7.0),
];
const TRADES: &[&str] = &[
    "Thương mại và Dịch vụ",
    "Xây dựng",
    "Đầu tư và Phát triển",
    "Sản xuất và Thương mại",
    "Vận tải",
    "Công nghệ",
    "Điện tử",
    "Cơ khí",
    "Bao bì",
    "May mặc",
    "Thực phẩm",
    "Vật liệu xây dựng",
    "Logistics",
    "Môi trường",
];
const BRANDS: &[&str] = &[
    "Kinh Bắc",
    "Minh Phát",
    "Hưng Thịnh",
    "Đông Á",
    "Thành Công",
    "Hoàng Long",
    "Quang Minh",
    "Tân Phát",
    "An Khang",
    "Việt Hàn",
    "Phú Lâm",
    "Thuận Thành",
    "Yên Phong",
    "Tiên Du",
    "Từ Sơn",
    "Quế Võ",
    "Lục Nam",
    "Hiệp Hòa",
    "Việt Yên",
    "Sông Cầu",
    "Như Nguyệt",
    "Đình Bảng",
    "Bảo Ngọc",
    "Nam Sơn",
    "Trường Thịnh",
    "Đại Phát",
];
const COOPERATIVE_TRADES: &[&str] = &[
    "dịch vụ nông nghiệp",
    "rau an toàn",
    "vải thiều",
    "chăn nuôi",
    "môi trường",
    "điện",
];
const INTAKE_SUPPLEMENTS: &[&str] = &[
    "Bổ sung bản chụp giấy tờ chứng minh nhân thân rõ nét",
    "Tờ khai chưa ghi đủ thông tin theo mẫu",
    "Thiếu giấy tờ chứng minh chỗ ở hợp pháp",
    "Bổ sung bản sao giấy tờ về quyền sử dụng đất",
    "Tệp đính kèm không đọc được, đề nghị nộp lại",
];
const INTAKE_REFUSALS: &[&str] = &[
    "Thủ tục không thuộc thẩm quyền tiếp nhận của cơ quan",
    "Hồ sơ trùng với hồ sơ đã nộp trước đó",
    "Người nộp không thuộc đối tượng thực hiện thủ tục",
];
const SUPPLEMENTS: &[&str] = &[
    "Bổ sung bản vẽ mặt bằng đúng tỷ lệ",
    "Thiếu chữ ký của đồng sở hữu",
    "Thông tin trên tờ khai không khớp với giấy tờ tùy thân",
    "Bổ sung văn bản thỏa thuận của các thành viên hộ gia đình",
    "Bổ sung trích đo địa chính thửa đất",
    "Giấy tờ nước ngoài chưa được hợp pháp hóa lãnh sự",
];
const REFUSALS: &[&str] = &[
    "Không đủ điều kiện theo quy định của pháp luật",
    "Thửa đất đang có tranh chấp",
    "Công trình không phù hợp quy hoạch được duyệt",
    "Giấy tờ cung cấp không hợp lệ",
];
const STOP_REASONS: &[&str] = &[
    "Người yêu cầu không bổ sung hồ sơ trong thời hạn",
    "Phát sinh tranh chấp trong quá trình giải quyết",
    "Theo yêu cầu của cơ quan có thẩm quyền",
];
const WITHDRAW_REASONS: &[&str] = &[
    "Không còn nhu cầu giải quyết",
    "Xin rút để hoàn thiện hồ sơ và nộp lại sau",
    "Nộp nhầm thủ tục",
];
const DELAYS: &[&str] = &[
    "Cần xác minh thực địa",
    "Chờ ý kiến của cơ quan phối hợp",
    "Hồ sơ phức tạp, cần thêm thời gian thẩm định",
];

/// `count` feedback and petitions over `[from, end)` to the demo's agencies, handled as
/// agencies do: most answered within the limit and published, some rejected, some
/// answered late, some still open (the figures of 766 group 5). `at` acts at `clock`'s
/// instant, moved to each step's.
async fn feedback(
    at: &Services,
    acting: &Acting,
    clock: &crate::FixedClock,
    agencies: &[Agency],
    (from, end): (DateTime<Utc>, DateTime<Utc>),
    count: u64,
    seed: u64,
) -> ServiceResult<()> {
    use motcua_domain::petition::{PetitionClass, PetitionCommand, PetitionContact};

    use crate::petitions::{AboutInput, NewPetition};

    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5041_4b4e);
    let span = (end - from).num_minutes().max(1);
    let mut times: Vec<DateTime<Utc>> = (0..count)
        .map(|_| from + TimeDelta::minutes(rng.random_range(0..span)))
        .collect();
    times.sort();
    for received in times {
        let agency = &agencies[rng.random_range(0..agencies.len())];
        let staff = rng.random_bool(0.3);
        clock.set(received);
        let p = at
            .submit_petition(
                &crate::petitions::public_acting(None),
                NewPetition {
                    agency: agency.code.to_string(),
                    class: if staff {
                        PetitionClass::Staff
                    } else {
                        PetitionClass::Procedure
                    },
                    about: if staff {
                        AboutInput::Officer("Cán bộ tiếp nhận hồ sơ".into())
                    } else {
                        AboutInput::Agency
                    },
                    title: if staff {
                        "Thái độ tiếp dân chưa đúng mực".into()
                    } else {
                        "Đề nghị hướng dẫn rõ thành phần hồ sơ".into()
                    },
                    content: "Nội dung phản ánh, kiến nghị của người dân (dữ liệu mẫu).".into(),
                    contact: PetitionContact {
                        name: "Nguyễn Văn An".into(),
                        phone: Some("0912345678".into()),
                        email: None,
                        address: None,
                    },
                },
            )
            .await?;
        // Working days later, roughly: the calendar is the agency's, judged by the domain.
        let (command, days) = match rng.random_range(0..10) {
            0 => (
                Some(PetitionCommand::Reject {
                    reasons: "Không thuộc thẩm quyền giải quyết.".into(),
                }),
                1,
            ),
            1 => (None, 0),
            2 => (Some(answer()), 30),
            _ => (Some(answer()), rng.random_range(2..16)),
        };
        let Some(command) = command else { continue };
        let answered = received + TimeDelta::days(days);
        if answered >= end {
            continue;
        }
        clock.set(answered);
        let publish = matches!(command, PetitionCommand::Answer { .. });
        at.act_on_petition(acting, p.code(), command, None).await?;
        let published = answered + TimeDelta::days(1);
        if publish && published < end {
            clock.set(published);
            at.act_on_petition(acting, p.code(), PetitionCommand::Publish, None)
                .await?;
        }
    }
    Ok(())
}

fn answer() -> motcua_domain::petition::PetitionCommand {
    motcua_domain::petition::PetitionCommand::Answer {
        answer: "Cơ quan đã xem xét và trả lời nội dung phản ánh (dữ liệu mẫu).".into(),
    }
}

/// Where the demo's imported figures say they come from.
const SAMPLE_SOURCE: &str = "số liệu mẫu của bản demo / demo sample";

impl Services {
    /// Imports, for the province and each month of the history, the figures a province gets
    /// from elsewhere, drawn from `seed` and marked as samples: e-ID accounts activated
    /// (rising), public investment disbursed (the year's share so far), and the numerators
    /// and denominators of 766 indicators 1.1 and 1.2 (a few procedures published a month,
    /// nearly all on time) and 1.4 (the month's dossiers received, nearly all synced).
    async fn figures_from_elsewhere(
        &self,
        acting: &Acting,
        window: &Window,
        end: DateTime<Utc>,
        seed: u64,
    ) -> ServiceResult<()> {
        use motcua_domain::kpi::counts::Month;
        use motcua_domain::kpi::imported::{ImportedFigure, IndexPart, index_key};
        use motcua_domain::kpi::index766::Indicator;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x766);
        let first = Month::of(window.from, window.offset);
        let last = Month::of(end, window.offset);
        let figure = |month, key: String, name: &str, value: f64, measure: &str, source: &str| {
            ImportedFigure {
                unit: PROVINCE.to_owned(),
                month,
                key,
                name: name.to_owned(),
                value,
                measure: measure.to_owned(),
                source: format!("{source} ({SAMPLE_SOURCE})"),
            }
        };
        let parts = |indicator: Indicator, numerator: u64, denominator: u64| {
            let key = |part| index_key(indicator, part).unwrap_or_default();
            [
                (key(IndexPart::Numerator), numerator),
                (key(IndexPart::Denominator), denominator),
            ]
        };
        let mut figures = Vec::new();
        let mut activated = 1_850_000_u64;
        let mut month = first;
        while month <= last {
            activated += rng.random_range(9_000..16_000);
            figures.push(figure(
                month,
                "vneid.kich_hoat".into(),
                "Tài khoản định danh điện tử được kích hoạt (lũy kế)",
                activated as f64,
                "tài khoản",
                "Công an tỉnh",
            ));
            let share = f64::from(month.month()) / 12.0 * rng.random_range(0.75..0.95);
            figures.push(figure(
                month,
                "dtc.giai_ngan".into(),
                "Tỷ lệ giải ngân vốn đầu tư công (lũy kế năm)",
                (share * 1000.0).round() / 10.0,
                "%",
                "Sở Tài chính",
            ));
            let report = self.kpi_report(acting, PROVINCE, month).await?;
            let received = report.report06.counts.online
                + report.report06.counts.in_person
                + report.report06.counts.postal
                + report.unclassified;
            let synced = received - rng.random_range(0..=received / 100);
            let mut published = || {
                let all = rng.random_range(2..=9_u64);
                (all - rng.random_range(0..=1), all)
            };
            let (on_time_1, all_1) = published();
            let (on_time_2, all_2) = published();
            for (indicator, numerator, denominator, source) in [
                (
                    Indicator::PublishedOnTime,
                    on_time_1,
                    all_1,
                    "CSDLQG về TTHC",
                ),
                (Indicator::UpdatedOnTime, on_time_2, all_2, "CSDLQG về TTHC"),
                (
                    Indicator::DossiersSynced,
                    synced,
                    received,
                    "Cổng Dịch vụ công quốc gia",
                ),
            ] {
                let name = indicator.spec().name_vi;
                let [(n_key, n), (d_key, d)] = parts(indicator, numerator, denominator);
                let (n_name, d_name) = (format!("{name}: tử số"), format!("{name}: mẫu số"));
                figures.push(figure(month, n_key, &n_name, n as f64, "", source));
                figures.push(figure(month, d_key, &d_name, d as f64, "", source));
            }
            month = month.next();
        }
        self.import_kpi_figures(acting, &figures).await?;
        Ok(())
    }
}

/// Three simplification plans cutting province-level procedures' time limits by a third:
/// one implemented, one approved, one awaiting a decision.
async fn plans(at: &Services, acting: &Acting, stored: &[Procedure]) -> ServiceResult<()> {
    use motcua_domain::catalog::simplification::{ComplianceCostParams, PlanSnapshot};

    use crate::catalog::{PlanDecision, PlanProposal};

    let params = ComplianceCostParams {
        hourly_income_vnd: 30_000.0,
    };
    let candidates = stored.iter().filter(|p| {
        p.levels.contains(&catalog::Level::Province)
            && p.time_limit
                .is_some_and(|l| l.unit == catalog::TimeUnit::WorkingDays && l.value.halves() >= 6)
    });
    for (i, p) in candidates.take(3).enumerate() {
        let Some(limit) = p.time_limit else { continue };
        let shorter = catalog::TimeLimit {
            value: catalog::TimeValue::from_halves(limit.value.halves() * 2 / 3),
            unit: limit.unit,
        };
        let plan = at
            .propose_plan(
                acting,
                PlanProposal {
                    procedure: p.code.clone(),
                    description: format!("Rút ngắn thời hạn giải quyết từ {limit} xuống {shorter}"),
                    before: PlanSnapshot {
                        time_limit: Some(limit),
                        ..PlanSnapshot::default()
                    },
                    after: PlanSnapshot {
                        time_limit: Some(shorter),
                        ..PlanSnapshot::default()
                    },
                    cost_before: None,
                    cost_after: None,
                },
                &params,
            )
            .await?;
        if i < 2 {
            let decision = PlanDecision::Approve {
                decision_no: format!("{}/QĐ-UBND", 1811 + i),
            };
            at.decide_plan(acting, &plan.id, decision, &params).await?;
        }
        if i == 0 {
            at.implement_plan(acting, &plan.id, None, &params).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alias_table_follows_its_weights() {
        let alias = Alias::new(&[1.0, 3.0, 0.0, 6.0]).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut counts = [0_u32; 4];
        for _ in 0..100_000 {
            counts[alias.sample(&mut rng)] += 1;
        }
        assert_eq!(counts[2], 0);
        assert!((9_000..11_000).contains(&counts[0]), "{counts:?}");
        assert!((58_000..62_000).contains(&counts[3]), "{counts:?}");
    }

    #[test]
    fn generated_identifiers_are_valid() {
        let mut g = Generator {
            rng: ChaCha8Rng::seed_from_u64(1),
            end: DateTime::UNIX_EPOCH,
            agencies: Vec::new(),
            overflow: BTreeMap::new(),
            today: BTreeMap::new(),
            numbers: Vec::new(),
            sample: None,
            events: 0,
        };
        for _ in 0..1000 {
            let female = g.rng.random_bool(0.5);
            let id = g.personal_id(female).unwrap();
            assert!((1950..=2007).contains(&id.birth_year()));
            assert_eq!(id.sex() == motcua_domain::ids::Sex::Female, female, "{id}");
            let tax = g.tax_code().unwrap().to_string();
            assert!(tax.starts_with("23") || tax.starts_with("24"), "{tax}");
        }
    }

    fn generator(agencies: &[Agency]) -> Generator {
        let calendar = Arc::new(
            Calendar::new(
                motcua_domain::calendar::CalendarConfig::default(),
                Vec::new(),
            )
            .unwrap(),
        );
        Generator {
            rng: ChaCha8Rng::seed_from_u64(1),
            end: DateTime::UNIX_EPOCH,
            agencies: agencies
                .iter()
                .map(|a| Arc::new(AgencyInfo::new(a, calendar.clone())))
                .collect(),
            overflow: BTreeMap::new(),
            today: BTreeMap::new(),
            numbers: vec![0; agencies.len()],
            sample: None,
            events: 0,
        }
    }

    #[test]
    fn a_full_day_moves_dossiers_to_numbered_extra_desks() {
        let communes = [AdminUnit {
            code: "07210".parse().unwrap(),
            unit_type: motcua_domain::units::UnitType::Ward,
            name: "Bắc Giang".into(),
            full_name: "Phường Bắc Giang".into(),
            name_en: None,
            parent: PROVINCE.parse().ok(),
            valid_from: Some(MERGED),
            valid_to: None,
        }];
        let agencies = planned_agencies(&communes);
        let mut g = generator(&agencies);
        let land = SNNMT;
        let mut plan = Plan {
            at: DateTime::UNIX_EPOCH,
            procedure: 0,
            agency: land,
            commune: 0,
            channel: Channel::Desk,
        };
        for _ in 0..DAILY_CAPACITY {
            assert_eq!(g.seat(&mut plan.clone()), None);
        }
        let desk = g.seat(&mut plan).unwrap();
        assert_eq!(desk, (land, 1));
        let agency = g.desk_agency(desk).unwrap();
        assert_eq!(agency.code.as_str(), "001.00.13.H05");
        assert!(
            agency.name.contains("quầy tiếp nhận số 2"),
            "{}",
            agency.name
        );
        g.open_desk(desk, &agency, g.agencies[land].calendar.clone());
        assert_eq!(g.seat(&mut plan), None);
        assert_eq!(g.agencies[plan.agency].code(), "001.00.13.H05");
        assert_eq!(g.agencies[plan.agency].symbol, "SNNMT");
        // A commune's extra desk takes the 3rd-level segment.
        let commune = DEPARTMENTS.len();
        let code = g.desk_agency((commune, 2)).unwrap().code;
        assert_eq!(code.as_str(), "001.02.50.H05");
    }

    #[test]
    fn days_share_the_dossiers_exactly_and_days_off_get_few() {
        let calendar = Calendar::new(
            motcua_domain::calendar::CalendarConfig::default(),
            Vec::new(),
        )
        .unwrap();
        let end = DateTime::parse_from_rfc3339("2026-10-30T17:30:00+07:00")
            .unwrap()
            .to_utc();
        let window = Window::new(&calendar, end, 12).unwrap();
        assert_eq!(window.first, NaiveDate::from_ymd_opt(2025, 10, 31).unwrap());
        let plan = day_plan(&calendar, &window, end, 100_000).unwrap();
        assert_eq!(plan.iter().map(|(_, n)| n).sum::<u64>(), 100_000);
        let saturday = NaiveDate::from_ymd_opt(2026, 10, 24).unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 10, 26).unwrap();
        let count = |d| plan.iter().find(|(day, _)| *day == d).unwrap().1;
        assert!(
            count(saturday) * 8 < count(monday),
            "{} {}",
            count(saturday),
            count(monday)
        );
        assert!(Window::new(&calendar, end, 17).is_err());
    }

    #[test]
    fn agency_codes_follow_the_documented_scheme() {
        let communes: Vec<AdminUnit> = (0..99)
            .map(|i| AdminUnit {
                code: format!("{:05}", 7210 + i).parse().unwrap(),
                unit_type: motcua_domain::units::UnitType::Commune,
                name: format!("X{i}"),
                full_name: format!("Xã X{i}"),
                name_en: None,
                parent: PROVINCE.parse().ok(),
                valid_from: Some(MERGED),
                valid_to: None,
            })
            .collect();
        let agencies = planned_agencies(&communes);
        assert_eq!(agencies.len(), 13 + 99);
        assert_eq!(agencies[0].code.as_str(), "000.00.10.H05");
        assert_eq!(agencies[0].name, "Sở Tư pháp tỉnh Bắc Ninh");
        assert_eq!(agencies[13].code.as_str(), "001.00.50.H05");
        assert_eq!(agencies[13].name, "Ủy ban nhân dân xã X0");
        assert_eq!(agencies[111].code.as_str(), "099.00.50.H05");
    }
}
