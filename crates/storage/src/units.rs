//! Administrative units, their reorganisations (mergers) and agencies.
//!
//! Three event streams, each with its projection written in the same transaction:
//!
//! - `unit`, id = the unit code: `version_recorded` adds a validity revision of the code
//!   (codes are reused across eras, so one code has several), `version_closed` ends one.
//! - `merger`, id = `{successor}@{effective}` (see [`merger_id`]): `recorded`.
//! - `agency`, id = the identifier code: `registered`, `hours_set`.
//!
//! The store checks versions and keys only; which changes are allowed (validity, existence of
//! predecessors, uniqueness of a merger's shares) is decided by `motcua-service` with the
//! domain's `UnitRegistry`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use motcua_domain::calendar::WorkingHours;
use motcua_domain::event::EventMeta;
use motcua_domain::units::{
    AdminUnit, Agency, AgencyKind, MergeShare, Merger, UnitCode, UnitKind, UnitType,
};
use serde_json::{Value, json};
use sqlx::types::Json;

use crate::error::is_unique_violation;
use crate::events::BatchEvent;
use crate::{StoreError, StoreResult, Tx, events, on_pool, on_tx};

/// Stream type of unit events (id = unit code).
pub const UNIT_STREAM: &str = "unit";
/// Stream type of merger events (id = [`merger_id`]).
pub const MERGER_STREAM: &str = "merger";
/// Stream type of agency events (id = identifier code).
pub const AGENCY_STREAM: &str = "agency";

/// Rows per multi-row `INSERT` of a bulk load: at 11 columns far below the bind-parameter
/// limits (SQLite 32,766, PostgreSQL 65,535), and few enough statements for ~45,000 rows.
const BATCH: usize = 500;

/// The stream id of a merger: successor code and effective date, e.g. `24@2025-07-01`.
/// At most one merger forms a given unit on a given day.
pub fn merger_id(merger: &Merger) -> String {
    format!("{}@{}", merger.successor, merger.effective)
}

/// One validity revision of a unit code, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUnit {
    /// The unit in this revision.
    pub unit: AdminUnit,
    /// 1, 2, … per code, in the order the revisions were recorded.
    pub revision: i32,
    /// Version of the code's stream after the last change of this row; the stream's current
    /// version is the largest over the code's revisions.
    pub version: i64,
}

/// A merger as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMerger {
    /// Stream id ([`merger_id`]).
    pub id: String,
    /// The merger, predecessors in recorded order.
    pub merger: Merger,
    /// Stream version.
    pub version: i64,
}

/// An agency as stored, with its own office hours if it has any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAgency {
    /// The agency.
    pub agency: Agency,
    /// Its office hours; `None` = the default hours of the calendar.
    pub hours: Option<WorkingHours>,
    /// Stream version.
    pub version: i64,
}

/// A unit revision to end, written with a merger that absorbed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitClosing {
    /// The unit code.
    pub code: UnitCode,
    /// The revision to end.
    pub revision: i32,
    /// Its new last day of validity (inclusive).
    pub valid_to: NaiveDate,
    /// The code's stream version the decision was based on.
    pub expected_version: i64,
}

/// What one bulk reference load wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct BulkLoad {
    /// Unit revisions inserted.
    pub units: usize,
    /// Mergers inserted.
    pub mergers: usize,
    /// Predecessor rows of those mergers.
    pub merger_predecessors: usize,
    /// Agencies inserted.
    pub agencies: usize,
    /// Events appended (one per unit revision, merger and agency).
    pub events: usize,
}

/// An event of a bulk load, before insertion.
struct NewEvent {
    stream_type: &'static str,
    stream_id: String,
    version: i64,
    kind: &'static str,
    payload: Value,
}

/// The stored identifier of a unit level.
pub fn kind_str(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Country => "country",
        UnitKind::Ministry => "ministry",
        UnitKind::Province => "province",
        UnitKind::District => "district",
        UnitKind::Commune => "commune",
    }
}

fn agency_kind_str(kind: AgencyKind) -> StoreResult<String> {
    match serde_json::to_value(kind)? {
        Value::String(s) => Ok(s),
        other => Err(StoreError::Corrupt(format!("agency kind {other}"))),
    }
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    code: String,
    revision: i32,
    unit_type: String,
    name: String,
    full_name: String,
    name_en: Option<String>,
    parent: Option<String>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    version: i64,
}

impl UnitRow {
    fn into_stored(self) -> StoreResult<StoredUnit> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("unit {}: {what}", self.code));
        let unit = AdminUnit {
            code: self.code.parse().map_err(|_| corrupt("code"))?,
            unit_type: UnitType::from_slug(&self.unit_type).ok_or_else(|| corrupt("unit_type"))?,
            name: self.name,
            full_name: self.full_name,
            name_en: self.name_en,
            parent: match self.parent {
                Some(p) => Some(p.parse().map_err(|_| corrupt("parent"))?),
                None => None,
            },
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        };
        Ok(StoredUnit {
            unit,
            revision: self.revision,
            version: self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MergerRow {
    id: String,
    successor: String,
    effective: NaiveDate,
    legal_basis: String,
    version: i64,
}

#[derive(sqlx::FromRow)]
struct PredecessorRow {
    merger_id: String,
    predecessor: String,
    share: String,
}

#[derive(sqlx::FromRow)]
struct AgencyRow {
    code: String,
    name: String,
    kind: String,
    unit: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    hours: Option<Json<Value>>,
    version: i64,
}

impl AgencyRow {
    fn into_stored(self) -> StoreResult<StoredAgency> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!("agency {}: {what}: {e}", self.code))
        };
        let agency = Agency {
            code: self.code.parse().map_err(|e| corrupt("code", &e))?,
            name: self.name.clone(),
            kind: serde_json::from_value(Value::String(self.kind.clone()))
                .map_err(|e| corrupt("kind", &e))?,
            unit: self.unit.parse().map_err(|e| corrupt("unit", &e))?,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        };
        let hours = match &self.hours {
            Some(Json(v)) => {
                Some(serde_json::from_value(v.clone()).map_err(|e| corrupt("hours", &e))?)
            }
            None => None,
        };
        Ok(StoredAgency {
            agency,
            hours,
            version: self.version,
        })
    }
}

fn share_str(share: MergeShare) -> &'static str {
    match share {
        MergeShare::Full => "full",
        MergeShare::Partial => "partial",
    }
}

/// Joins merger rows with their predecessor rows (ordered by merger and position).
fn assemble_mergers(
    rows: Vec<MergerRow>,
    predecessors: Vec<PredecessorRow>,
) -> StoreResult<Vec<StoredMerger>> {
    let mut by_merger: BTreeMap<String, Vec<(UnitCode, MergeShare)>> = BTreeMap::new();
    for p in predecessors {
        let code = p.predecessor.parse().map_err(|_| {
            StoreError::Corrupt(format!(
                "merger {}: predecessor {}",
                p.merger_id, p.predecessor
            ))
        })?;
        let share = match p.share.as_str() {
            "full" => MergeShare::Full,
            "partial" => MergeShare::Partial,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "merger {}: share {other}",
                    p.merger_id
                )));
            }
        };
        by_merger
            .entry(p.merger_id)
            .or_default()
            .push((code, share));
    }
    rows.into_iter()
        .map(|r| {
            Ok(StoredMerger {
                merger: Merger {
                    successor: r
                        .successor
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("merger {}: successor", r.id)))?,
                    predecessors: by_merger.remove(&r.id).unwrap_or_default(),
                    effective: r.effective,
                    legal_basis: r.legal_basis,
                },
                id: r.id,
                version: r.version,
            })
        })
        .collect()
}

/// Inserts events of new streams (or new versions) in multi-row statements.
async fn insert_events(tx: &mut Tx, new: &[NewEvent], meta: &EventMeta) -> StoreResult<()> {
    let batch: Vec<BatchEvent<'_>> = new
        .iter()
        .map(|e| BatchEvent {
            stream_type: e.stream_type,
            stream_id: &e.stream_id,
            version: e.version,
            kind: e.kind,
            payload: &e.payload,
        })
        .collect();
    events::append_many(tx, &batch, meta)
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Duplicate {
                what: "sự kiện của đơn vị, sáp nhập hoặc cơ quan / a unit, merger or agency event"
                    .into(),
            },
            other => other,
        })
}

/// Inserts unit rows (revision, stream version) in multi-row statements.
async fn insert_units(tx: &mut Tx, rows: &[(&AdminUnit, i32, i64)]) -> StoreResult<()> {
    const INSERT: &str = "INSERT INTO units (code, revision, unit_type, kind, name, full_name, \
         name_en, parent, valid_from, valid_to, version) ";
    for chunk in rows.chunks(BATCH) {
        on_tx!(tx, conn => {
            let mut q = sqlx::QueryBuilder::new(INSERT);
            q.push_values(chunk, |mut b, (u, revision, version)| {
                b.push_bind(u.code.as_str())
                    .push_bind(*revision)
                    .push_bind(u.unit_type.slug())
                    .push_bind(kind_str(u.kind()))
                    .push_bind(u.name.as_str())
                    .push_bind(u.full_name.as_str())
                    .push_bind(u.name_en.as_deref())
                    .push_bind(u.parent.as_ref().map(UnitCode::as_str))
                    .push_bind(u.valid_from)
                    .push_bind(u.valid_to)
                    .push_bind(*version);
            });
            q.build().execute(conn).await?;
        });
    }
    Ok(())
}

/// Inserts merger rows and their predecessor rows; returns the number of predecessor rows.
async fn insert_mergers(tx: &mut Tx, mergers: &[(&Merger, String)]) -> StoreResult<usize> {
    const INSERT: &str = "INSERT INTO mergers (id, successor, effective, legal_basis, version) ";
    const INSERT_PREDECESSORS: &str =
        "INSERT INTO merger_predecessors (merger_id, position, predecessor, share) ";
    for chunk in mergers.chunks(BATCH) {
        on_tx!(tx, conn => {
            let mut q = sqlx::QueryBuilder::new(INSERT);
            q.push_values(chunk, |mut b, (m, id)| {
                b.push_bind(id.as_str())
                    .push_bind(m.successor.as_str())
                    .push_bind(m.effective)
                    .push_bind(m.legal_basis.as_str())
                    .push_bind(1_i64);
            });
            q.build().execute(conn).await?;
        });
    }
    let predecessors: Vec<(&str, i32, &UnitCode, MergeShare)> = mergers
        .iter()
        .flat_map(|(m, id)| {
            m.predecessors
                .iter()
                .zip(1_i32..)
                .map(move |((code, share), position)| (id.as_str(), position, code, *share))
        })
        .collect();
    for chunk in predecessors.chunks(BATCH) {
        on_tx!(tx, conn => {
            let mut q = sqlx::QueryBuilder::new(INSERT_PREDECESSORS);
            q.push_values(chunk, |mut b, (id, position, code, share)| {
                b.push_bind(*id)
                    .push_bind(*position)
                    .push_bind(code.as_str())
                    .push_bind(share_str(*share));
            });
            q.build().execute(conn).await?;
        });
    }
    Ok(predecessors.len())
}

/// Inserts agency rows at stream version 1.
async fn insert_agencies(
    tx: &mut Tx,
    agencies: &[(&Agency, Option<&WorkingHours>)],
) -> StoreResult<()> {
    const INSERT: &str =
        "INSERT INTO agencies (code, name, kind, unit, valid_from, valid_to, hours, version) ";
    let kinds = agencies
        .iter()
        .map(|(a, _)| agency_kind_str(a.kind))
        .collect::<StoreResult<Vec<_>>>()?;
    for (chunk, kinds) in agencies.chunks(BATCH).zip(kinds.chunks(BATCH)) {
        let result = on_tx!(tx, conn => {
            let mut q = sqlx::QueryBuilder::new(INSERT);
            q.push_values(chunk.iter().zip(kinds), |mut b, ((a, hours), kind)| {
                b.push_bind(a.code.as_str())
                    .push_bind(a.name.as_str())
                    .push_bind(kind.as_str())
                    .push_bind(a.unit.as_str())
                    .push_bind(a.valid_from)
                    .push_bind(a.valid_to)
                    .push_bind(hours.map(Json))
                    .push_bind(1_i64);
            });
            q.build().execute(conn).await.map(|r| r.rows_affected())
        });
        result.map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Duplicate {
                    what: match agencies {
                        [(a, _)] => format!("cơ quan / agency {}", a.code),
                        _ => "một cơ quan / an agency".into(),
                    },
                }
            } else {
                e.into()
            }
        })?;
    }
    Ok(())
}

fn unit_recorded(revision: i32, unit: &AdminUnit, source: Option<&str>) -> StoreResult<Value> {
    let mut payload = json!({ "revision": revision, "unit": unit });
    if let (Some(source), Value::Object(map)) = (source, &mut payload) {
        map.insert("source".into(), Value::String(source.into()));
    }
    Ok(payload)
}

impl crate::Store {
    /// Writes reference data in ONE transaction: every unit revision (grouped by code into
    /// new `unit` streams, revisions numbered in the given order), every merger and agency,
    /// each as a new stream with one event per row, in multi-row statements.
    ///
    /// Every code, merger and agency must be new: an existing one makes the whole load fail
    /// with [`StoreError::Duplicate`] and nothing is written. Events carry
    /// `"source": source` so the log tells loaded rows from operator-recorded ones.
    pub async fn load_unit_reference(
        &self,
        units: &[AdminUnit],
        mergers: &[Merger],
        agencies: &[Agency],
        source: &str,
        meta: &EventMeta,
    ) -> StoreResult<BulkLoad> {
        let mut revisions: BTreeMap<&str, i32> = BTreeMap::new();
        let mut unit_rows = Vec::with_capacity(units.len());
        let mut new_events = Vec::with_capacity(units.len() + mergers.len() + agencies.len());
        for u in units {
            let revision = revisions.entry(u.code.as_str()).or_insert(0);
            *revision += 1;
            let version = i64::from(*revision);
            unit_rows.push((u, *revision, version));
            new_events.push(NewEvent {
                stream_type: UNIT_STREAM,
                stream_id: u.code.to_string(),
                version,
                kind: "version_recorded",
                payload: unit_recorded(*revision, u, Some(source))?,
            });
        }
        let merger_rows: Vec<(&Merger, String)> =
            mergers.iter().map(|m| (m, merger_id(m))).collect();
        for (m, id) in &merger_rows {
            new_events.push(NewEvent {
                stream_type: MERGER_STREAM,
                stream_id: id.clone(),
                version: 1,
                kind: "recorded",
                payload: json!({ "merger": m, "source": source }),
            });
        }
        let agency_rows: Vec<(&Agency, Option<&WorkingHours>)> =
            agencies.iter().map(|a| (a, None)).collect();
        for a in agencies {
            new_events.push(NewEvent {
                stream_type: AGENCY_STREAM,
                stream_id: a.code.to_string(),
                version: 1,
                kind: "registered",
                payload: json!({ "agency": a, "hours": null, "source": source }),
            });
        }
        let mut tx = self.begin().await?;
        insert_events(&mut tx, &new_events, meta).await?;
        insert_units(&mut tx, &unit_rows).await?;
        let merger_predecessors = insert_mergers(&mut tx, &merger_rows).await?;
        insert_agencies(&mut tx, &agency_rows).await?;
        tx.commit().await?;
        Ok(BulkLoad {
            units: unit_rows.len(),
            mergers: merger_rows.len(),
            merger_predecessors,
            agencies: agency_rows.len(),
            events: new_events.len(),
        })
    }

    /// Records a new revision of `unit.code` (validated by the caller). When `supersede`
    /// names a revision and a last day, that revision is ended in the same transaction
    /// (a new version of a code replaces the one in force).
    ///
    /// `expected_version` is the code's stream version the decision was based on (0 for a
    /// new code); otherwise [`StoreError::Conflict`].
    pub async fn record_unit_version(
        &self,
        unit: &AdminUnit,
        supersede: Option<(i32, NaiveDate)>,
        expected_version: i64,
        meta: &EventMeta,
    ) -> StoreResult<StoredUnit> {
        const NEXT: &str = "SELECT COALESCE(MAX(revision), 0) + 1 FROM units WHERE code = $1";
        const CLOSE: &str =
            "UPDATE units SET valid_to = $3, version = $4 WHERE code = $1 AND revision = $2";
        let code = unit.code.as_str();
        let mut tx = self.begin().await?;
        let revision: i32 = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(NEXT).bind(code).fetch_one(conn).await?
        });
        let mut payloads = Vec::new();
        if let Some((closed, valid_to)) = supersede {
            payloads.push((
                "version_closed",
                json!({ "revision": closed, "valid_to": valid_to, "superseded_by": revision }),
            ));
        }
        payloads.push(("version_recorded", unit_recorded(revision, unit, None)?));
        let version = events::append(
            &mut tx,
            UNIT_STREAM,
            code,
            expected_version,
            &payloads,
            meta,
        )
        .await?;
        if let Some((closed, valid_to)) = supersede {
            on_tx!(&mut tx, conn => {
                sqlx::query(CLOSE).bind(code).bind(closed).bind(valid_to).bind(version)
                    .execute(conn).await?;
            });
        }
        insert_units(&mut tx, &[(unit, revision, version)]).await?;
        tx.commit().await?;
        Ok(StoredUnit {
            unit: unit.clone(),
            revision,
            version,
        })
    }

    /// Records a merger (validated by the caller) and ends the predecessor revisions listed
    /// in `closings`, all in one transaction. A merger with the same id already recorded is
    /// a [`StoreError::Duplicate`]; a changed predecessor stream a [`StoreError::Conflict`].
    pub async fn record_merger(
        &self,
        merger: &Merger,
        closings: &[UnitClosing],
        meta: &EventMeta,
    ) -> StoreResult<StoredMerger> {
        const CLOSE: &str =
            "UPDATE units SET valid_to = $3, version = $4 WHERE code = $1 AND revision = $2";
        let id = merger_id(merger);
        let mut tx = self.begin().await?;
        let version = events::append(
            &mut tx,
            MERGER_STREAM,
            &id,
            0,
            &[("recorded", json!({ "merger": merger }))],
            meta,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Duplicate {
                what: format!("sáp nhập / merger {id}"),
            },
            other => other,
        })?;
        insert_mergers(&mut tx, &[(merger, id.clone())]).await?;
        for c in closings {
            let payload = json!({ "revision": c.revision, "valid_to": c.valid_to, "merger": id });
            let v = events::append(
                &mut tx,
                UNIT_STREAM,
                c.code.as_str(),
                c.expected_version,
                &[("version_closed", payload)],
                meta,
            )
            .await?;
            on_tx!(&mut tx, conn => {
                sqlx::query(CLOSE).bind(c.code.as_str()).bind(c.revision).bind(c.valid_to).bind(v)
                    .execute(conn).await?;
            });
        }
        tx.commit().await?;
        Ok(StoredMerger {
            id,
            merger: merger.clone(),
            version,
        })
    }

    /// Registers a new agency (validated by the caller); a taken identifier code is a
    /// [`StoreError::Duplicate`].
    pub async fn register_agency(
        &self,
        agency: &Agency,
        hours: Option<&WorkingHours>,
        meta: &EventMeta,
    ) -> StoreResult<StoredAgency> {
        let mut tx = self.begin().await?;
        // The row first: its primary key turns a taken code into a clear Duplicate.
        insert_agencies(&mut tx, &[(agency, hours)]).await?;
        let payload = json!({ "agency": agency, "hours": hours });
        events::append_unchecked(
            &mut tx,
            AGENCY_STREAM,
            agency.code.as_str(),
            0,
            &[("registered", payload)],
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(StoredAgency {
            agency: agency.clone(),
            hours: hours.cloned(),
            version: 1,
        })
    }

    /// Sets (or with `None` clears) an agency's office hours, at the stream version the
    /// caller read; otherwise [`StoreError::Conflict`], or [`StoreError::NotFound`].
    pub async fn set_agency_hours(
        &self,
        code: &str,
        hours: Option<&WorkingHours>,
        expected_version: i64,
        meta: &EventMeta,
    ) -> StoreResult<i64> {
        const UPDATE: &str =
            "UPDATE agencies SET hours = $2, version = $3 WHERE code = $1 AND version = $4";
        let version = expected_version + 1;
        let mut tx = self.begin().await?;
        let affected = on_tx!(&mut tx, conn => {
            sqlx::query(UPDATE).bind(code).bind(hours.map(Json)).bind(version)
                .bind(expected_version).execute(conn).await?.rows_affected()
        });
        if affected == 0 {
            const CURRENT: &str = "SELECT version FROM agencies WHERE code = $1";
            let actual: Option<i64> = on_tx!(&mut tx, conn => {
                sqlx::query_scalar(CURRENT).bind(code).fetch_optional(conn).await?
            });
            return Err(match actual {
                None => StoreError::NotFound {
                    what: format!("cơ quan / agency {code}"),
                },
                Some(actual) => StoreError::Conflict {
                    what: format!("cơ quan / agency {code}"),
                    expected: expected_version,
                    actual,
                },
            });
        }
        events::append_unchecked(
            &mut tx,
            AGENCY_STREAM,
            code,
            expected_version,
            &[("hours_set", json!({ "hours": hours }))],
            meta,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Every revision of every unit, by code and revision.
    pub async fn all_units(&self) -> StoreResult<Vec<StoredUnit>> {
        const SQL: &str = "SELECT code, revision, unit_type, name, full_name, name_en, parent, \
             valid_from, valid_to, version FROM units ORDER BY code, revision";
        let rows: Vec<UnitRow> = on_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await?);
        rows.into_iter().map(UnitRow::into_stored).collect()
    }

    /// Every revision of one code, oldest validity first.
    pub async fn unit_versions(&self, code: &str) -> StoreResult<Vec<StoredUnit>> {
        const SQL: &str = "SELECT code, revision, unit_type, name, full_name, name_en, parent, \
             valid_from, valid_to, version FROM units WHERE code = $1 \
             ORDER BY valid_from IS NOT NULL, valid_from, revision";
        let rows: Vec<UnitRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(code).fetch_all(pool).await?);
        rows.into_iter().map(UnitRow::into_stored).collect()
    }

    /// Units valid on `date`, optionally of one level and/or with a given parent, by code.
    pub async fn units_on(
        &self,
        date: NaiveDate,
        kind: Option<UnitKind>,
        parent: Option<&str>,
    ) -> StoreResult<Vec<StoredUnit>> {
        const SQL: &str = "SELECT code, revision, unit_type, name, full_name, name_en, parent, \
             valid_from, valid_to, version FROM units \
             WHERE (valid_from IS NULL OR valid_from <= $1) AND (valid_to IS NULL OR valid_to >= $1) \
             AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR parent = $3) ORDER BY code";
        let kind = kind.map(kind_str);
        let rows: Vec<UnitRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(date).bind(kind).bind(parent).fetch_all(pool).await?
        });
        rows.into_iter().map(UnitRow::into_stored).collect()
    }

    /// Units valid on `date` below `ancestor` at any depth (before 2025: the districts of a
    /// province and their communes), optionally of one level, by code.
    pub async fn units_within(
        &self,
        ancestor: &str,
        date: NaiveDate,
        kind: Option<UnitKind>,
    ) -> StoreResult<Vec<StoredUnit>> {
        // Codes of one day's map never collide across levels, so the tree is by code.
        const SQL: &str = "WITH RECURSIVE tree (code) AS (SELECT $2 UNION \
             SELECT u.code FROM units u JOIN tree t ON u.parent = t.code \
             WHERE (u.valid_from IS NULL OR u.valid_from <= $1) \
             AND (u.valid_to IS NULL OR u.valid_to >= $1)) \
             SELECT code, revision, unit_type, name, full_name, name_en, parent, valid_from, \
             valid_to, version FROM units \
             WHERE (valid_from IS NULL OR valid_from <= $1) AND (valid_to IS NULL OR valid_to >= $1) \
             AND code <> $2 AND code IN (SELECT code FROM tree) AND ($3 IS NULL OR kind = $3) \
             ORDER BY code";
        let kind = kind.map(kind_str);
        let rows: Vec<UnitRow> = on_pool!(self, pool => {
            sqlx::query_as(SQL).bind(date).bind(ancestor).bind(kind).fetch_all(pool).await?
        });
        rows.into_iter().map(UnitRow::into_stored).collect()
    }

    /// Every merger with its predecessors.
    pub async fn all_mergers(&self) -> StoreResult<Vec<StoredMerger>> {
        const SQL: &str =
            "SELECT id, successor, effective, legal_basis, version FROM mergers ORDER BY id";
        const PREDECESSORS: &str = "SELECT merger_id, predecessor, share FROM \
             merger_predecessors ORDER BY merger_id, position";
        let (rows, predecessors): (Vec<MergerRow>, Vec<PredecessorRow>) = on_pool!(self, pool => (
            sqlx::query_as(SQL).fetch_all(pool).await?,
            sqlx::query_as(PREDECESSORS).fetch_all(pool).await?,
        ));
        assemble_mergers(rows, predecessors)
    }

    /// Mergers that formed a unit with code `successor` (any era), by effective date.
    pub async fn mergers_into(&self, successor: &str) -> StoreResult<Vec<StoredMerger>> {
        const SQL: &str = "SELECT id, successor, effective, legal_basis, version FROM mergers \
             WHERE successor = $1 ORDER BY effective, id";
        const PREDECESSORS: &str = "SELECT p.merger_id, p.predecessor, p.share FROM \
             merger_predecessors p JOIN mergers m ON m.id = p.merger_id \
             WHERE m.successor = $1 ORDER BY p.merger_id, p.position";
        let (rows, predecessors): (Vec<MergerRow>, Vec<PredecessorRow>) = on_pool!(self, pool => (
            sqlx::query_as(SQL).bind(successor).fetch_all(pool).await?,
            sqlx::query_as(PREDECESSORS).bind(successor).fetch_all(pool).await?,
        ));
        assemble_mergers(rows, predecessors)
    }

    /// Mergers that absorbed (wholly or partly) a unit with code `predecessor`.
    pub async fn mergers_from(&self, predecessor: &str) -> StoreResult<Vec<StoredMerger>> {
        const SQL: &str = "SELECT id, successor, effective, legal_basis, version FROM mergers \
             WHERE id IN (SELECT merger_id FROM merger_predecessors WHERE predecessor = $1) \
             ORDER BY effective, id";
        const PREDECESSORS: &str = "SELECT merger_id, predecessor, share FROM \
             merger_predecessors WHERE merger_id IN \
             (SELECT merger_id FROM merger_predecessors WHERE predecessor = $1) \
             ORDER BY merger_id, position";
        let (rows, predecessors): (Vec<MergerRow>, Vec<PredecessorRow>) = on_pool!(self, pool => (
            sqlx::query_as(SQL).bind(predecessor).fetch_all(pool).await?,
            sqlx::query_as(PREDECESSORS).bind(predecessor).fetch_all(pool).await?,
        ));
        assemble_mergers(rows, predecessors)
    }

    /// The agency with this identifier code.
    pub async fn find_agency(&self, code: &str) -> StoreResult<Option<StoredAgency>> {
        const SQL: &str = "SELECT code, name, kind, unit, valid_from, valid_to, hours, version \
             FROM agencies WHERE code = $1";
        let row: Option<AgencyRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(code).fetch_optional(pool).await?);
        row.map(AgencyRow::into_stored).transpose()
    }

    /// Agencies, all or those of one unit code, by identifier code.
    pub async fn list_agencies(&self, unit: Option<&str>) -> StoreResult<Vec<StoredAgency>> {
        const SQL: &str = "SELECT code, name, kind, unit, valid_from, valid_to, hours, version \
             FROM agencies WHERE ($1 IS NULL OR unit = $1) ORDER BY code";
        let rows: Vec<AgencyRow> =
            on_pool!(self, pool => sqlx::query_as(SQL).bind(unit).fetch_all(pool).await?);
        rows.into_iter().map(AgencyRow::into_stored).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merger_ids_name_successor_and_day() {
        let m = Merger {
            successor: "24".parse().unwrap(),
            predecessors: vec![],
            effective: motcua_domain::units::REFORM_2025,
            legal_basis: String::new(),
        };
        assert_eq!(merger_id(&m), "24@2025-07-01");
    }
}
