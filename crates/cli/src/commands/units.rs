//! `motcua units …`: administrative units, their reorganisations, and agencies.

use std::io::Write;
use std::time::Instant;

use chrono::NaiveDate;
use clap::Subcommand;
use motcua_domain::calendar::WorkingHours;
use motcua_domain::units::{
    AdminUnit, Agency, AgencyCode, AgencyKind, MergeShare, UnitCode, UnitKind,
};
use motcua_service::Acting;
use motcua_service::units::{UnitFilter, UnitShare, format_working_hours, parse_working_hours};
use motcua_storage::StoreConfig;
use motcua_storage::units::StoredAgency;
use serde::Serialize;

/// Administrative units and agencies commands.
#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// Load the bundled reference data (34 provinces, 3,321 communes, the pre-2025 map, the
    /// mergers of 1 July 2025, ministries, provincial People's Committees). Safe to repeat.
    Load,
    /// List the units of one day's map.
    List {
        /// Only units below this province (or any unit), e.g. 24.
        #[arg(long, value_name = "CODE", value_parser = unit_code)]
        province: Option<UnitCode>,
        /// Only one level: province, commune, district, ministry or country.
        #[arg(long, value_parser = unit_kind)]
        kind: Option<UnitKind>,
        /// The day of the map, YYYY-MM-DD (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
        on: Option<NaiveDate>,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Show a unit: its versions, parent, predecessors, successors and agencies.
    Show {
        /// The unit code, e.g. 24 or 00004.
        #[arg(value_parser = unit_code)]
        code: UnitCode,
        /// The day to read the code on (default: today, or the last day of an old code).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
        on: Option<NaiveDate>,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// The unit(s) on today's map that a unit went into (e.g. old Bắc Giang 24 on 2025-06-30).
    Successors {
        /// The unit code.
        #[arg(value_parser = unit_code)]
        code: UnitCode,
        /// The day the code refers to (default: today, or the last day of an old code).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
        on: Option<NaiveDate>,
        /// Use the map of this day instead of the latest one.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
        as_of: Option<NaiveDate>,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// List agencies, all or those of one unit.
    Agencies {
        /// Only the agencies of this unit code.
        #[arg(long, value_name = "CODE", value_parser = unit_code)]
        unit: Option<UnitCode>,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Register an agency or set its office hours.
    #[command(subcommand)]
    Agency(AgencyCommand),
}

/// `motcua units agency …`.
#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Register an agency with its identifier code.
    Add {
        /// Identifier code (Circular 10/2016/TT-BTTTT), e.g. 000.00.13.H05.
        #[arg(long, value_parser = agency_code)]
        code: AgencyCode,
        /// Name, e.g. "Trung tâm Phục vụ hành chính công tỉnh Bắc Ninh".
        #[arg(long)]
        name: String,
        /// ministry, ministry_unit, provincial_peoples_committee, department,
        /// service_centre, commune_peoples_committee or other.
        #[arg(long, value_parser = agency_kind)]
        kind: AgencyKind,
        /// The unit it belongs to, e.g. 24.
        #[arg(long, value_parser = unit_code)]
        unit: UnitCode,
        /// Its own office hours, e.g. "07:30-11:30,13:30-17:00" (default: the common ones).
        #[arg(long, value_parser = hours)]
        hours: Option<WorkingHours>,
        /// First day of validity, YYYY-MM-DD (default: unknown).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
        from: Option<NaiveDate>,
        /// Last day of validity, YYYY-MM-DD (default: still valid).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
        to: Option<NaiveDate>,
    },
    /// Set an agency's office hours ("default" returns it to the common ones).
    Hours {
        /// Identifier code.
        #[arg(value_parser = agency_code)]
        code: AgencyCode,
        /// Sessions, e.g. "07:30-11:30,13:30-17:00", or "default".
        hours: String,
    },
}

/// Clap value parsers: each error names what is wrong, Vietnamese first; clap adds the flag.
fn unit_code(s: &str) -> Result<UnitCode, String> {
    s.parse()
        .map_err(|e: motcua_domain::units::UnitError| e.to_string())
}

fn agency_code(s: &str) -> Result<AgencyCode, String> {
    s.parse()
        .map_err(|e: motcua_domain::units::AgencyCodeError| e.to_string())
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("'{s}' không phải ngày YYYY-MM-DD / is not a YYYY-MM-DD date"))
}

const UNIT_KINDS: &str = "province, commune, district, ministry, country";

fn unit_kind(s: &str) -> Result<UnitKind, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
        format!("'{s}' không phải cấp đơn vị ({UNIT_KINDS}) / is not a unit level ({UNIT_KINDS})")
    })
}

const AGENCY_KINDS: &str = "ministry, ministry_unit, provincial_peoples_committee, department, \
     service_centre, commune_peoples_committee, other";

fn agency_kind(s: &str) -> Result<AgencyKind, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
        format!("'{s}' không phải loại cơ quan ({AGENCY_KINDS}) / is not an agency kind ({AGENCY_KINDS})")
    })
}

fn hours(s: &str) -> Result<WorkingHours, String> {
    parse_working_hours(s).map_err(|e| e.to_string())
}

/// An agency as printed in JSON: office hours in the form `agency hours` accepts.
#[derive(Serialize)]
struct AgencyOut<'a> {
    #[serde(flatten)]
    agency: &'a Agency,
    hours: Option<String>,
}

fn share_label(share: MergeShare) -> &'static str {
    match share {
        MergeShare::Full => "toàn bộ / full",
        MergeShare::Partial => "một phần / partial",
    }
}

fn validity(u: &AdminUnit) -> String {
    let show = |d: Option<NaiveDate>| d.map_or_else(|| "…".to_owned(), |d| d.to_string());
    format!("{} – {}", show(u.valid_from), show(u.valid_to))
}

fn unit_line(u: &AdminUnit) -> String {
    format!(
        "{:<6} {:<32} {:<22} {:<6} {}",
        u.code,
        u.full_name,
        u.unit_type.slug(),
        u.parent.as_ref().map_or("", UnitCode::as_str),
        validity(u)
    )
}

fn agency_line(a: &StoredAgency) -> String {
    let hours = a.hours.as_ref().map_or_else(
        || {
            format!(
                "{} (mặc định / default)",
                format_working_hours(&WorkingHours::default())
            )
        },
        format_working_hours,
    );
    format!(
        "{:<14} {:<6} {:<28} {}  [{}]",
        a.agency.code,
        a.agency.unit,
        serde_json::to_value(a.agency.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        a.agency.name,
        hours
    )
}

fn print_json(out: &mut impl Write, value: &impl Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

fn print_shares(out: &mut impl Write, shares: &[UnitShare]) -> anyhow::Result<()> {
    for s in shares {
        writeln!(out, "  {}  {}", unit_line(&s.unit), share_label(s.share))?;
    }
    Ok(())
}

/// Runs a units command.
pub async fn run(command: UnitsCommand, config: &StoreConfig) -> anyhow::Result<()> {
    let services = crate::services(config).await?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        UnitsCommand::Load => {
            let started = Instant::now();
            let load = services
                .load_reference_units(&Acting::cli("units-load"))
                .await?;
            let w = load.written;
            if w.events == 0 {
                writeln!(
                    out,
                    "Dữ liệu tham chiếu đã có, không ghi gì / reference data already loaded, nothing written \
                     ({} phiên bản đơn vị / unit versions, {} sáp nhập / mergers, {} cơ quan / agencies present)",
                    load.already_present.units,
                    load.already_present.mergers,
                    load.already_present.agencies
                )?;
            } else {
                writeln!(
                    out,
                    "Đã nạp / loaded: {} phiên bản đơn vị / unit versions, {} sáp nhập / mergers \
                     ({} đơn vị cũ / predecessor rows), {} cơ quan / agencies, {} sự kiện / events \
                     trong / in {:.2} s",
                    w.units,
                    w.mergers,
                    w.merger_predecessors,
                    w.agencies,
                    w.events,
                    started.elapsed().as_secs_f64()
                )?;
            }
        }
        UnitsCommand::List {
            province,
            kind,
            on,
            json,
        } => {
            let units = services
                .list_units(&UnitFilter {
                    on,
                    kind,
                    within: province,
                })
                .await?;
            if json {
                print_json(&mut out, &units)?;
            } else {
                for u in &units {
                    writeln!(out, "{}", unit_line(u))?;
                }
                writeln!(out, "# {} đơn vị / units", units.len())?;
            }
        }
        UnitsCommand::Show { code, on, json } => {
            let details = services.unit_details(&code, on).await?;
            if json {
                return print_json(&mut out, &details);
            }
            let u = &details.unit;
            writeln!(
                out,
                "{} — {} ({}), ngày / on {}",
                u.code,
                u.full_name,
                u.unit_type.slug(),
                details.on
            )?;
            if let Some(en) = &u.name_en {
                writeln!(out, "Tên tiếng Anh / English name: {en}")?;
            }
            writeln!(out, "Các phiên bản / versions:")?;
            for v in &details.versions {
                writeln!(out, "  {}", unit_line(v))?;
            }
            if let Some(p) = &details.parent {
                writeln!(out, "Đơn vị cha / parent:\n  {}", unit_line(p))?;
            }
            if !details.predecessors.is_empty() {
                writeln!(out, "Hình thành từ / formed from:")?;
                for p in &details.predecessors {
                    writeln!(
                        out,
                        "  {}  {}  [{}: {}]",
                        unit_line(&p.of.unit),
                        share_label(p.of.share),
                        p.merger,
                        p.legal_basis
                    )?;
                }
            }
            writeln!(out, "Nay thuộc / now part of:")?;
            print_shares(&mut out, &details.successors)?;
            if !details.agencies.is_empty() {
                writeln!(out, "Cơ quan / agencies:")?;
                for a in &details.agencies {
                    writeln!(out, "  {}  {}", a.code, a.name)?;
                }
            }
        }
        UnitsCommand::Successors {
            code,
            on,
            as_of,
            json,
        } => {
            let successors = services.successors_of(&code, on, as_of).await?;
            if json {
                print_json(&mut out, &successors)?;
            } else {
                print_shares(&mut out, &successors)?;
            }
        }
        UnitsCommand::Agencies { unit, json } => {
            let agencies = services.agencies(unit.as_ref()).await?;
            if json {
                let rows: Vec<AgencyOut<'_>> = agencies
                    .iter()
                    .map(|a| AgencyOut {
                        agency: &a.agency,
                        hours: a.hours.as_ref().map(format_working_hours),
                    })
                    .collect();
                print_json(&mut out, &rows)?;
            } else {
                for a in &agencies {
                    writeln!(out, "{}", agency_line(a))?;
                }
                writeln!(out, "# {} cơ quan / agencies", agencies.len())?;
            }
        }
        UnitsCommand::Agency(AgencyCommand::Add {
            code,
            name,
            kind,
            unit,
            hours,
            from,
            to,
        }) => {
            let agency = Agency {
                code,
                name,
                kind,
                unit,
                valid_from: from,
                valid_to: to,
            };
            let stored = services
                .register_agency(&Acting::cli("units-agency-add"), agency, hours)
                .await?;
            writeln!(
                out,
                "Đã đăng ký cơ quan / registered agency:\n{}",
                agency_line(&stored)
            )?;
        }
        UnitsCommand::Agency(AgencyCommand::Hours { code, hours }) => {
            let hours = match hours.trim() {
                "default" | "mac-dinh" => None,
                text => Some(parse_working_hours(text)?),
            };
            let stored = services
                .set_agency_hours(&Acting::cli("units-agency-hours"), code.as_str(), hours)
                .await?;
            writeln!(
                out,
                "Đã đặt giờ làm việc / office hours set:\n{}",
                agency_line(&stored)
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
