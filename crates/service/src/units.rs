//! Administrative units, reorganisations and agencies (issue "Foundation I", §3).
//!
//! The bundled 63→34 map of 1 July 2025 (`motcua_domain::units::shipped`) is loaded into the
//! store once; from then on the store is the truth, so units, mergers and agencies recorded
//! by operators count in [`Services::unit_registry`] and everything built on it. Every change
//! is validated against the whole registry (the domain's [`UnitRegistry::new`]) before it is
//! written, and written as events with their projections in one transaction.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{FixedOffset, NaiveDate, NaiveTime};
use motcua_domain::authz::Action;
use motcua_domain::calendar::{Calendar, CalendarConfig, Session, WorkingHours};
use motcua_domain::units::{
    AdminUnit, Agency, AgencyCode, MergeShare, Merger, UnitCode, UnitError, UnitKind, UnitRegistry,
    shipped,
};
use motcua_storage::StoreError;
use motcua_storage::units::{
    BulkLoad, StoredAgency, StoredMerger, StoredUnit, UnitClosing, merger_id,
};
use serde::Serialize;

use crate::{Acting, ServiceError, ServiceResult, Services};

/// Where the events of a reference load say their rows came from.
pub const REFERENCE_SOURCE: &str = "data/units";

/// Vietnam's offset, +07:00: "today" for validity checks is the local date there.
const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// Counts of reference rows that a load found already in the store and left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AlreadyPresent {
    /// Unit revisions whose code already had a stream.
    pub units: usize,
    /// Mergers already recorded.
    pub mergers: usize,
    /// Agencies already registered.
    pub agencies: usize,
}

/// What [`Services::load_reference_units`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReferenceLoad {
    /// Rows and events written by this call (all zero when everything was there).
    pub written: BulkLoad,
    /// Reference rows skipped because the store already had them.
    pub already_present: AlreadyPresent,
}

/// Which units [`Services::list_units`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFilter {
    /// The map of this day; `None` = today (in Vietnam).
    pub on: Option<NaiveDate>,
    /// Only this level.
    pub kind: Option<UnitKind>,
    /// Only units below this one, at any depth (a province's communes; before 2025 also its
    /// districts and their communes).
    pub within: Option<UnitCode>,
}

/// A unit another one maps onto, or was formed from, with the share that moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitShare {
    /// The unit.
    pub unit: AdminUnit,
    /// `full`: the whole unit; `partial`: part of it.
    pub share: MergeShare,
}

/// A predecessor of a unit and the merger that absorbed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PredecessorShare {
    /// The old unit and how much of it went into the successor.
    #[serde(flatten)]
    pub of: UnitShare,
    /// The merger's stream id, e.g. `24@2025-07-01`.
    pub merger: String,
    /// The merger's legal basis.
    pub legal_basis: String,
}

/// Everything `motcua units show` prints about one code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitDetails {
    /// Every revision of the code, oldest validity first.
    pub versions: Vec<AdminUnit>,
    /// The day the details below refer to.
    pub on: NaiveDate,
    /// The revision valid on that day.
    pub unit: AdminUnit,
    /// Its parent on that day.
    pub parent: Option<AdminUnit>,
    /// The units that formed it (one step back).
    pub predecessors: Vec<PredecessorShare>,
    /// The units it maps onto on the latest map (itself while still valid).
    pub successors: Vec<UnitShare>,
    /// Agencies that belong to the code.
    pub agencies: Vec<Agency>,
}

/// Statistics of one current unit re-aggregated by [`reaggregate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    /// From historical units that went wholly into this unit.
    pub whole: u64,
    /// From historical units split between this and other units: counted in each of them,
    /// so the column does not add up across units and must be read as "up to".
    pub partial: u64,
}

/// Re-aggregates counts kept per historical unit (code, day the count refers to) onto the
/// map of `as_of` (`None` = the latest map), e.g. dossiers of 2024 by the province of 2026.
///
/// Pure: give it [`Services::unit_registry`] or `shipped::registry()`.
///
/// # Errors
/// A code that named no unit on its day.
pub fn reaggregate<'a>(
    registry: &UnitRegistry,
    counts: impl IntoIterator<Item = (&'a str, NaiveDate, u64)>,
    as_of: Option<NaiveDate>,
) -> Result<BTreeMap<UnitCode, Tally>, UnitError> {
    let mut out: BTreeMap<UnitCode, Tally> = BTreeMap::new();
    for (code, date, n) in counts {
        let successors = match as_of {
            Some(as_of) => registry.successors_as_of(code, date, as_of)?,
            None => registry.successors_on(code, date)?,
        };
        for s in successors {
            let tally = out.entry(s.unit.code.clone()).or_default();
            match s.share {
                MergeShare::Full => tally.whole += n,
                MergeShare::Partial => tally.partial += n,
            }
        }
    }
    Ok(out)
}

/// Parses office hours written as `07:30-11:30,13:30-17:00` (sessions in order, 24-hour
/// `HH:MM`); the sessions are validated by [`WorkingHours::new`].
///
/// # Errors
/// [`ServiceError::Invalid`] naming the session that is malformed.
pub fn parse_working_hours(text: &str) -> ServiceResult<WorkingHours> {
    let mut sessions = Vec::new();
    for (i, part) in text.split(',').map(str::trim).enumerate() {
        let n = i + 1;
        let invalid = || {
            ServiceError::Invalid(format!(
                "giờ làm việc: buổi {n} '{part}' phải có dạng HH:MM-HH:MM (như 07:30-11:30) / \
                 office hours: session {n} '{part}' must look like HH:MM-HH:MM (e.g. 07:30-11:30)"
            ))
        };
        let (start, end) = part.split_once('-').ok_or_else(invalid)?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| invalid());
        sessions.push(Session {
            start: time(start)?,
            end: time(end)?,
        });
    }
    WorkingHours::new(sessions)
        .map_err(|e| ServiceError::Invalid(format!("giờ làm việc / office hours '{text}': {e}")))
}

/// Writes office hours as [`parse_working_hours`] reads them.
pub fn format_working_hours(hours: &WorkingHours) -> String {
    hours
        .sessions()
        .iter()
        .map(|s| format!("{}-{}", s.start.format("%H:%M"), s.end.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses an agency identifier code, naming the field in the error.
fn agency_code(code: &str) -> ServiceResult<AgencyCode> {
    code.parse()
        .map_err(|e| ServiceError::Invalid(format!("mã cơ quan / agency code: {e}")))
}

/// The code shape of each level (Decision 19/2025/QĐ-TTg: 2-digit provinces, 5-digit
/// communes; GSO: 3-digit districts; ministries use letter slugs, see `data/units/README.md`).
fn code_fits_kind(code: &UnitCode, kind: UnitKind) -> bool {
    let s = code.as_str();
    let digits = s.bytes().all(|b| b.is_ascii_digit());
    match kind {
        UnitKind::Country | UnitKind::Ministry => !digits,
        UnitKind::Province => digits && s.len() == 2,
        UnitKind::District => digits && s.len() == 3,
        UnitKind::Commune => digits && s.len() == 5,
    }
}

fn registry_of(
    units: Vec<AdminUnit>,
    mergers: Vec<Merger>,
    agencies: Vec<Agency>,
) -> Result<UnitRegistry, String> {
    UnitRegistry::new(units, mergers, agencies).map_err(|e| e.to_string())
}

/// A change the registry's rules refuse.
fn refused(e: UnitError) -> ServiceError {
    ServiceError::Refused(e.to_string())
}

/// A lookup that names no unit (a code on a day when it did not exist).
fn no_such(e: UnitError) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

/// The code's stream version: the largest row version over its revisions.
fn stream_version<'a>(versions: impl IntoIterator<Item = &'a StoredUnit>) -> i64 {
    versions.into_iter().map(|v| v.version).max().unwrap_or(0)
}

/// The stored state read once, for validating a change against all of it.
struct Snapshot {
    units: Vec<StoredUnit>,
    mergers: Vec<StoredMerger>,
    agencies: Vec<StoredAgency>,
}

impl Snapshot {
    fn units(&self) -> Vec<AdminUnit> {
        self.units.iter().map(|u| u.unit.clone()).collect()
    }

    fn mergers(&self) -> Vec<Merger> {
        self.mergers.iter().map(|m| m.merger.clone()).collect()
    }

    fn agencies(&self) -> Vec<Agency> {
        self.agencies.iter().map(|a| a.agency.clone()).collect()
    }

    fn registry(&self) -> ServiceResult<UnitRegistry> {
        registry_of(self.units(), self.mergers(), self.agencies()).map_err(|e| {
            ServiceError::Invalid(format!(
                "dữ liệu đơn vị đã lưu không nhất quán / the stored unit data is inconsistent:\n{e}"
            ))
        })
    }
}

impl Services {
    /// Local date in Vietnam now.
    pub(crate) fn today(&self) -> NaiveDate {
        self.now().with_timezone(&VIETNAM).date_naive()
    }

    async fn snapshot(&self) -> ServiceResult<Snapshot> {
        let store = self.store();
        Ok(Snapshot {
            units: store.all_units().await?,
            mergers: store.all_mergers().await?,
            agencies: store.list_agencies(None).await?,
        })
    }

    /// Loads the bundled reference data (34 provinces, 3,321 communes, the pre-2025 map,
    /// the mergers of 1 July 2025, 18 ministries, 34 provincial People's Committees) in one
    /// transaction.
    ///
    /// Idempotent: only codes, mergers and agencies the store does not have yet are written,
    /// so a second call writes and appends nothing, and data recorded by operators is never
    /// overwritten. What is added must fit the stored data (checked as one registry first).
    pub async fn load_reference_units(&self, acting: &Acting) -> ServiceResult<ReferenceLoad> {
        acting.require(Action::ManageUnits)?;
        let reference = shipped::registry().map_err(|e| {
            ServiceError::Invalid(format!(
                "dữ liệu tham chiếu đi kèm bị hỏng / the bundled reference data is broken:\n{e}"
            ))
        })?;
        let stored = self.snapshot().await?;
        let codes: HashSet<&str> = stored.units.iter().map(|u| u.unit.code.as_str()).collect();
        let merger_ids: HashSet<&str> = stored.mergers.iter().map(|m| m.id.as_str()).collect();
        let agency_codes: HashSet<&str> = stored
            .agencies
            .iter()
            .map(|a| a.agency.code.as_str())
            .collect();
        let (present_units, units): (Vec<&AdminUnit>, Vec<&AdminUnit>) = reference
            .units()
            .iter()
            .partition(|u| codes.contains(u.code.as_str()));
        let (present_mergers, mergers): (Vec<&Merger>, Vec<&Merger>) = reference
            .mergers()
            .iter()
            .partition(|m| merger_ids.contains(merger_id(m).as_str()));
        let (present_agencies, agencies): (Vec<&Agency>, Vec<&Agency>) = reference
            .agencies()
            .iter()
            .partition(|a| agency_codes.contains(a.code.as_str()));
        let already_present = AlreadyPresent {
            units: present_units.len(),
            mergers: present_mergers.len(),
            agencies: present_agencies.len(),
        };
        if units.is_empty() && mergers.is_empty() && agencies.is_empty() {
            return Ok(ReferenceLoad {
                written: BulkLoad::default(),
                already_present,
            });
        }
        let units: Vec<AdminUnit> = units.into_iter().cloned().collect();
        let mergers: Vec<Merger> = mergers.into_iter().cloned().collect();
        let agencies: Vec<Agency> = agencies.into_iter().cloned().collect();
        if !stored.units.is_empty() {
            let mut all = (stored.units(), stored.mergers(), stored.agencies());
            all.0.extend(units.iter().cloned());
            all.1.extend(mergers.iter().cloned());
            all.2.extend(agencies.iter().cloned());
            registry_of(all.0, all.1, all.2).map_err(|e| {
                ServiceError::Refused(format!(
                    "dữ liệu tham chiếu không khớp với dữ liệu đã ghi / the reference data does \
                     not fit the recorded data:\n{e}"
                ))
            })?;
        }
        let written = self
            .store()
            .load_unit_reference(
                &units,
                &mergers,
                &agencies,
                REFERENCE_SOURCE,
                &self.meta(acting),
            )
            .await?;
        self.forget_units();
        tracing::info!(
            units.written = written.units,
            mergers.written = written.mergers,
            agencies.written = written.agencies,
            "loaded unit reference data"
        );
        Ok(ReferenceLoad {
            written,
            already_present,
        })
    }

    /// The registry of every unit, merger and agency in the store (the shipped data once
    /// loaded, plus what operators recorded). Empty before the first load.
    pub async fn unit_registry(&self) -> ServiceResult<UnitRegistry> {
        self.snapshot().await?.registry()
    }

    /// Units on the map of one day, by code.
    pub async fn list_units(&self, filter: &UnitFilter) -> ServiceResult<Vec<AdminUnit>> {
        let on = filter.on.unwrap_or_else(|| self.today());
        let rows = match &filter.within {
            Some(code) => {
                self.store()
                    .units_within(code.as_str(), on, filter.kind)
                    .await?
            }
            None => self.store().units_on(on, filter.kind, None).await?,
        };
        Ok(rows.into_iter().map(|r| r.unit).collect())
    }

    /// The day to read a code on when none is given: today if the code names a unit today,
    /// else the last day of its most recent revision (old codes such as Bắc Giang's `27`).
    pub async fn default_day_for(&self, code: &UnitCode) -> ServiceResult<NaiveDate> {
        let today = self.today();
        let versions = self.store().unit_versions(code.as_str()).await?;
        if versions.iter().any(|v| v.unit.is_valid_on(today)) {
            return Ok(today);
        }
        versions
            .iter()
            .filter_map(|v| v.unit.valid_to)
            .filter(|t| *t < today)
            .max()
            .ok_or_else(|| {
                no_such(UnitError::UnknownUnit {
                    code: code.to_string(),
                    date: today,
                })
            })
    }

    /// Versions, parent, predecessors, successors and agencies of `code`, on `on` (default:
    /// [`Services::default_day_for`]).
    pub async fn unit_details(
        &self,
        code: &UnitCode,
        on: Option<NaiveDate>,
    ) -> ServiceResult<UnitDetails> {
        let on = match on {
            Some(d) => d,
            None => self.default_day_for(code).await?,
        };
        let registry = self.unit_registry().await?;
        let c = code.as_str();
        let unit = registry.unit_on(c, on).ok_or_else(|| {
            no_such(UnitError::UnknownUnit {
                code: c.to_owned(),
                date: on,
            })
        })?;
        let parent = unit
            .parent
            .as_ref()
            .and_then(|p| registry.unit_on(p.as_str(), on))
            .cloned();
        let predecessors = registry
            .predecessors_of(c, on)
            .map_err(no_such)?
            .into_iter()
            .map(|p| PredecessorShare {
                of: UnitShare {
                    unit: p.unit.clone(),
                    share: p.share,
                },
                merger: merger_id(p.merger),
                legal_basis: p.merger.legal_basis.clone(),
            })
            .collect();
        let successors = owned(registry.successors_on(c, on).map_err(no_such)?);
        let mut versions: Vec<AdminUnit> = registry.versions(c).into_iter().cloned().collect();
        versions.sort_by_key(|v| v.valid_from);
        Ok(UnitDetails {
            versions,
            on,
            unit: unit.clone(),
            parent,
            predecessors,
            successors,
            agencies: registry.agencies_of(c).into_iter().cloned().collect(),
        })
    }

    /// The unit(s) that the unit with `code` on `date` maps onto on the latest map (or on the
    /// map of `as_of`): for statistics of merged units. `date` defaults as in
    /// [`Services::default_day_for`].
    pub async fn successors_of(
        &self,
        code: &UnitCode,
        date: Option<NaiveDate>,
        as_of: Option<NaiveDate>,
    ) -> ServiceResult<Vec<UnitShare>> {
        let date = match date {
            Some(d) => d,
            None => self.default_day_for(code).await?,
        };
        let registry = self.unit_registry().await?;
        let found = match as_of {
            Some(as_of) => registry.successors_as_of(code.as_str(), date, as_of),
            None => registry.successors_on(code.as_str(), date),
        };
        Ok(owned(found.map_err(no_such)?))
    }

    /// Records a new revision of a unit, valid from `unit.valid_from` (required).
    ///
    /// A revision of the same code in force on that day with no end is superseded: it ends
    /// the day before, in the same transaction (how a code gets a new name or type, or how
    /// a code is reused by a merged unit). The parent must exist on that day, the code must
    /// have its level's shape, and the result must not overlap another revision.
    ///
    /// A superseded revision ends without a merger, so until one is recorded (for a rename,
    /// `code ← code (full)` with its legal basis) statistics map it through its children.
    pub async fn record_unit(&self, acting: &Acting, unit: AdminUnit) -> ServiceResult<StoredUnit> {
        acting.require(Action::ManageUnits)?;
        let from = unit.valid_from.ok_or_else(|| {
            ServiceError::Invalid(format!(
                "đơn vị '{}': cần ngày bắt đầu hiệu lực (valid_from) / unit '{}': valid_from is required",
                unit.code, unit.code
            ))
        })?;
        if unit.valid_to.is_some_and(|t| t < from) {
            return Err(ServiceError::Invalid(format!(
                "đơn vị '{}': valid_to trước valid_from / unit '{}': valid_to is before valid_from",
                unit.code, unit.code
            )));
        }
        if unit.name.trim().is_empty() || unit.full_name.trim().is_empty() {
            return Err(ServiceError::Invalid(format!(
                "đơn vị '{}': tên (name, full_name) không được để trống / unit '{}': name and full_name must not be empty",
                unit.code, unit.code
            )));
        }
        if !code_fits_kind(&unit.code, unit.kind()) {
            return Err(ServiceError::Invalid(format!(
                "đơn vị '{}': mã không hợp với cấp {} (tỉnh 2 chữ số, huyện 3, xã 5, bộ chữ in hoa) / \
                 unit '{}': the code does not fit level {} (province 2 digits, district 3, commune 5, ministry letters)",
                unit.code,
                unit.unit_type.label_vi(),
                unit.code,
                motcua_storage::units::kind_str(unit.kind())
            )));
        }
        let snapshot = self.snapshot().await?;
        let registry = snapshot.registry()?;
        if let Some(parent) = &unit.parent
            && registry.unit_on(parent.as_str(), from).is_none()
        {
            return Err(refused(UnitError::UnknownUnit {
                code: parent.to_string(),
                date: from,
            }));
        }
        let versions: Vec<&StoredUnit> = snapshot
            .units
            .iter()
            .filter(|u| u.unit.code == unit.code)
            .collect();
        let expected = stream_version(versions.iter().copied());
        let last_day = from.pred_opt().unwrap_or(from);
        let superseded = versions
            .iter()
            .find(|v| v.unit.is_valid_on(from) && v.unit.valid_to.is_none())
            .filter(|v| v.unit.valid_from.is_none_or(|f| f < from))
            .map(|v| (v.revision, last_day));
        let mut units = Vec::with_capacity(snapshot.units.len() + 1);
        for s in &snapshot.units {
            let mut u = s.unit.clone();
            if u.code == unit.code && superseded.is_some_and(|(r, _)| r == s.revision) {
                u.valid_to = Some(last_day);
            }
            units.push(u);
        }
        units.push(unit.clone());
        registry_of(units, snapshot.mergers(), snapshot.agencies())
            .map_err(ServiceError::Refused)?;
        Ok(self
            .store()
            .record_unit_version(&unit, superseded, expected, &self.meta(acting))
            .await
            .inspect(|_| self.forget_units())?)
    }

    /// Records a reorganisation: `merger.predecessors` (valid the day before
    /// `merger.effective`) formed `merger.successor` (valid on that day).
    ///
    /// Decision: every predecessor ends the day before the merger (its revision's
    /// `valid_to` is set, in the same transaction), whether its share is `full` or
    /// `partial`. A unit that keeps existing after giving up part of its territory is not a
    /// predecessor; and the registry maps a predecessor only through its mergers, so an open
    /// predecessor would be counted twice. A unit split between several new units appears
    /// as a `partial` predecessor of each; a `full` share may not be given to two mergers of
    /// the same day. The successor keeps a predecessor's code only as a new revision
    /// ([`Services::record_unit`] first).
    pub async fn record_merger(
        &self,
        acting: &Acting,
        merger: Merger,
    ) -> ServiceResult<StoredMerger> {
        acting.require(Action::ManageUnits)?;
        let id = merger_id(&merger);
        if merger.predecessors.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "sáp nhập {id}: cần ít nhất một đơn vị cũ (predecessors) / merger {id}: at least one predecessor is required"
            )));
        }
        if merger.legal_basis.trim().is_empty() {
            return Err(ServiceError::Invalid(format!(
                "sáp nhập {id}: cần căn cứ pháp lý (legal_basis) / merger {id}: legal_basis is required"
            )));
        }
        let mut seen = HashSet::new();
        if let Some((dup, _)) = merger
            .predecessors
            .iter()
            .find(|(c, _)| !seen.insert(c.as_str()))
        {
            return Err(ServiceError::Invalid(format!(
                "sáp nhập {id}: đơn vị cũ '{dup}' được kê hai lần / merger {id}: predecessor '{dup}' is listed twice"
            )));
        }
        let day_before = merger.effective.pred_opt().ok_or_else(|| {
            ServiceError::Invalid(format!(
                "sáp nhập {id}: ngày hiệu lực không hợp lệ / merger {id}: invalid effective date"
            ))
        })?;
        let snapshot = self.snapshot().await?;
        let registry = snapshot.registry()?;
        if snapshot.mergers.iter().any(|m| m.id == id) {
            return Err(ServiceError::Refused(format!(
                "sáp nhập {id} đã được ghi nhận / merger {id} is already recorded"
            )));
        }
        let successor = registry
            .unit_on(merger.successor.as_str(), merger.effective)
            .ok_or_else(|| {
                refused(UnitError::UnknownSuccessor {
                    code: merger.successor.to_string(),
                    effective: merger.effective,
                })
            })?;
        let mut by_code: HashMap<&str, Vec<&StoredUnit>> = HashMap::new();
        for s in &snapshot.units {
            by_code.entry(s.unit.code.as_str()).or_default().push(s);
        }
        let mut closings = Vec::new();
        for (code, share) in &merger.predecessors {
            let versions = by_code
                .get(code.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let Some(old) = versions.iter().find(|v| v.unit.is_valid_on(day_before)) else {
                return Err(refused(UnitError::UnknownPredecessor {
                    code: code.to_string(),
                    successor: merger.successor.to_string(),
                    effective: merger.effective,
                }));
            };
            if old.unit == *successor {
                return Err(ServiceError::Invalid(format!(
                    "sáp nhập {id}: '{code}' vẫn là cùng một đơn vị sau ngày {}, không thể vừa là đơn vị cũ vừa là đơn vị mới; bỏ nó khỏi danh sách đơn vị cũ hoặc ghi phiên bản mới trước / \
                     merger {id}: '{code}' is the same unit after {}, so it cannot be both predecessor and successor; leave it out of the predecessors or record a new version first",
                    merger.effective, merger.effective
                )));
            }
            let same_day = snapshot.mergers.iter().find(|m| {
                m.merger.effective == merger.effective
                    && m.merger.predecessors.iter().any(|(p, s)| {
                        p == code && (*s == MergeShare::Full || *share == MergeShare::Full)
                    })
            });
            if let Some(other) = same_day {
                return Err(ServiceError::Refused(format!(
                    "sáp nhập {id}: đơn vị '{code}' đã vào sáp nhập {} cùng ngày; chỉ đơn vị bị chia tách mới được kê ở nhiều sáp nhập, mỗi lần là 'partial' / \
                     merger {id}: unit '{code}' already went into merger {} on the same day; only a split unit may appear in several mergers, each time as 'partial'",
                    other.id, other.id
                )));
            }
            if old.unit.valid_to.is_none_or(|t| t > day_before) {
                closings.push(UnitClosing {
                    code: code.clone(),
                    revision: old.revision,
                    valid_to: day_before,
                    expected_version: stream_version(versions.iter().copied()),
                });
            }
        }
        let mut units = Vec::with_capacity(snapshot.units.len());
        for s in &snapshot.units {
            let mut u = s.unit.clone();
            if let Some(c) = closings
                .iter()
                .find(|c| c.code == u.code && c.revision == s.revision)
            {
                u.valid_to = Some(c.valid_to);
            }
            units.push(u);
        }
        let mut mergers = snapshot.mergers();
        mergers.push(merger.clone());
        registry_of(units, mergers, snapshot.agencies()).map_err(ServiceError::Refused)?;
        let stored = self
            .store()
            .record_merger(&merger, &closings, &self.meta(acting))
            .await?;
        self.forget_units();
        tracing::info!(merger = %stored.id, closed = closings.len(), "recorded a merger");
        Ok(stored)
    }

    /// Registers an agency with its identifier code and, optionally, its own office hours.
    ///
    /// The identifier code must be new, and the unit must exist on `valid_from` (today when
    /// the start is unknown).
    pub async fn register_agency(
        &self,
        acting: &Acting,
        agency: Agency,
        hours: Option<WorkingHours>,
    ) -> ServiceResult<StoredAgency> {
        acting.require(Action::ManageUnits)?;
        let code = agency.code.as_str();
        if agency.name.trim().is_empty() {
            return Err(ServiceError::Invalid(format!(
                "cơ quan '{code}': tên (name) không được để trống / agency '{code}': name must not be empty"
            )));
        }
        if let (Some(from), Some(to)) = (agency.valid_from, agency.valid_to)
            && to < from
        {
            return Err(ServiceError::Invalid(format!(
                "cơ quan '{code}': valid_to trước valid_from / agency '{code}': valid_to is before valid_from"
            )));
        }
        let taken = || {
            ServiceError::Refused(format!(
                "mã định danh cơ quan '{code}' đã được đăng ký / agency identifier code '{code}' is already registered"
            ))
        };
        if self.store().find_agency(code).await?.is_some() {
            return Err(taken());
        }
        let day = agency.valid_from.unwrap_or_else(|| self.today());
        let versions = self.store().unit_versions(agency.unit.as_str()).await?;
        if !versions.iter().any(|v| v.unit.is_valid_on(day)) {
            return Err(ServiceError::Refused(format!(
                "cơ quan '{code}' thuộc đơn vị '{unit}', đơn vị này không tồn tại ngày {day} / \
                 agency '{code}' belongs to unit '{unit}', which does not exist on {day}",
                unit = agency.unit
            )));
        }
        let stored = self
            .store()
            .register_agency(&agency, hours.as_ref(), &self.meta(acting))
            .await
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => taken(),
                other => other.into(),
            })?;
        self.forget_units();
        tracing::info!(agency = %stored.agency.code, "registered an agency");
        Ok(stored)
    }

    /// The agency with this identifier code, if registered. Pages name agencies at every
    /// request (a tracked dossier's step), so an answer is kept for two seconds; changes to
    /// units and agencies made through these services drop it at once.
    pub async fn agency(&self, code: &str) -> ServiceResult<Option<StoredAgency>> {
        let code = agency_code(code)?;
        if let Some(found) = self.agencies.get(code.as_str()) {
            return Ok(found);
        }
        let generation = self.agencies.generation();
        let found = self.store().find_agency(code.as_str()).await?;
        self.agencies.put(code.as_str(), found.clone(), generation);
        Ok(found)
    }

    /// Agencies, all or those of one unit code, by identifier code.
    pub async fn agencies(&self, unit: Option<&UnitCode>) -> ServiceResult<Vec<StoredAgency>> {
        Ok(self
            .store()
            .list_agencies(unit.map(UnitCode::as_str))
            .await?)
    }

    /// The agency as stored now (never a kept copy: its version guards a change).
    pub(crate) async fn existing_agency(&self, code: &str) -> ServiceResult<StoredAgency> {
        let code = agency_code(code)?;
        let found = self.store().find_agency(code.as_str()).await?;
        found.ok_or_else(|| {
            ServiceError::Store(StoreError::NotFound {
                what: format!("cơ quan / agency {code}"),
            })
        })
    }

    /// Sets an agency's own office hours; `None` returns it to the default hours.
    pub async fn set_agency_hours(
        &self,
        acting: &Acting,
        code: &str,
        hours: Option<WorkingHours>,
    ) -> ServiceResult<StoredAgency> {
        acting.require(Action::ManageUnits)?;
        let mut current = self.existing_agency(code).await?;
        current.version = self
            .store()
            .set_agency_hours(code, hours.as_ref(), current.version, &self.meta(acting))
            .await?;
        current.hours = hours;
        self.forget_units();
        Ok(current)
    }

    /// The working-day calendar of an agency: its own office hours (or the default ones)
    /// with the official schedules in force.
    pub async fn calendar_for_agency(&self, code: &str) -> ServiceResult<Calendar> {
        let agency = self.existing_agency(code).await?;
        self.calendar_with(CalendarConfig {
            working_hours: agency.hours.unwrap_or_default(),
            ..CalendarConfig::default()
        })
        .await
    }
}

fn owned(successors: Vec<motcua_domain::units::Successor<'_>>) -> Vec<UnitShare> {
    successors
        .into_iter()
        .map(|s| UnitShare {
            unit: s.unit.clone(),
            share: s.share,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_hours_parse_and_print() {
        let hours = parse_working_hours("08:00-12:00, 13:00-17:00").unwrap();
        assert_eq!(format_working_hours(&hours), "08:00-12:00,13:00-17:00");
        assert_eq!(
            format_working_hours(&WorkingHours::default()),
            "07:30-11:30,13:30-17:00"
        );
        let err = parse_working_hours("08:00-12:00,1300-17:00").unwrap_err();
        assert!(err.to_string().contains("session 2 '1300-17:00'"), "{err}");
        let err = parse_working_hours("13:00-17:00,08:00-12:00").unwrap_err();
        assert!(err.to_string().contains(" / office hours"), "{err}");
    }

    #[test]
    fn code_shape_follows_the_level() {
        let code = |s: &str| s.parse::<UnitCode>().unwrap();
        assert!(code_fits_kind(&code("24"), UnitKind::Province));
        assert!(!code_fits_kind(&code("240"), UnitKind::Province));
        assert!(code_fits_kind(&code("07201"), UnitKind::Commune));
        assert!(code_fits_kind(&code("BTP"), UnitKind::Ministry));
        assert!(!code_fits_kind(&code("213"), UnitKind::Commune));
    }
}
