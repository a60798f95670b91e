//! `motcua calendar …`: holidays, lunar dates, due instants, official schedules.

use std::io::{BufRead, Write};

use anyhow::{Context as _, bail};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta};
use clap::{ArgGroup, Subcommand};
use motcua_domain::calendar::{LunarDate, lunar_to_solar, solar_to_lunar};
use motcua_service::Acting;
use motcua_storage::StoreConfig;

/// Working-day calendar commands.
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// List the holidays and other non-working days of a year (and make-up working days).
    Holidays {
        /// The year, e.g. 2026.
        year: i32,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Read lunar dates YYYY-MM-DD (trailing L = leap month) on stdin, print solar dates.
    LunarToSolar,
    /// Read solar dates YYYY-MM-DD on stdin, print lunar dates (trailing L = leap month).
    SolarToLunar,
    /// Print the due instant of a time limit counted from an instant.
    #[command(group(ArgGroup::new("limit").required(true).args(["working_days", "working_hours"])))]
    Due {
        /// Start instant, RFC 3339 (e.g. 2026-11-27T10:00:00+07:00).
        #[arg(long)]
        from: String,
        /// Number of working days.
        #[arg(long)]
        working_days: Option<u32>,
        /// Number of working hours.
        #[arg(long)]
        working_hours: Option<u32>,
    },
    /// Import a year's official schedule (CSV; see data/calendar/README.md).
    Import {
        /// The schedule file.
        file: std::path::PathBuf,
    },
}

/// Runs a calendar command.
pub async fn run(command: CalendarCommand, config: &StoreConfig) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        CalendarCommand::LunarToSolar => convert_lines(std::io::stdin().lock(), &mut out, |line| {
            let lunar: LunarDate = line.parse()?;
            Ok(lunar_to_solar(lunar)?.to_string())
        }),
        CalendarCommand::SolarToLunar => convert_lines(std::io::stdin().lock(), &mut out, |line| {
            let solar = parse_date(line)?;
            Ok(solar_to_lunar(solar)?.to_string())
        }),
        CalendarCommand::Holidays { year, json } => {
            let services = crate::services(config).await?;
            let calendar = services.calendar().await?;
            let days = calendar.non_working_days(year)?;
            if json {
                serde_json::to_writer_pretty(&mut out, &days)?;
                writeln!(out)?;
            } else {
                let official = if calendar.has_official_schedule(year) {
                    "lịch chính thức / official schedule"
                } else {
                    "theo quy tắc Bộ luật Lao động / by the Labour Code rules"
                };
                writeln!(out, "# {year}: {official}")?;
                for day in days {
                    let state = if day.is_working() {
                        "làm việc / working"
                    } else {
                        "nghỉ / off"
                    };
                    writeln!(
                        out,
                        "{}  {:<8}  {:<20}  {:<18}  {} / {}",
                        day.date,
                        weekday_vi(day.date),
                        day.kind.as_str(),
                        state,
                        day.name_vi,
                        day.name_en
                    )?;
                }
            }
            Ok(())
        }
        CalendarCommand::Due {
            from,
            working_days,
            working_hours,
        } => {
            let from = DateTime::parse_from_rfc3339(from.trim()).with_context(|| {
                format!("--from '{from}' không phải thời điểm RFC 3339 / is not an RFC 3339 instant (e.g. 2026-11-27T10:00:00+07:00)")
            })?;
            let services = crate::services(config).await?;
            let calendar = services.calendar().await?;
            let due: DateTime<FixedOffset> = match (working_days, working_hours) {
                (Some(days), _) => calendar.add_working_days(from, days)?,
                (None, Some(hours)) => {
                    calendar.add_working_time(from, TimeDelta::hours(i64::from(hours)))?
                }
                (None, None) => bail!(
                    "cần --working-days hoặc --working-hours / give --working-days or --working-hours"
                ),
            };
            writeln!(out, "{}", due.to_rfc3339())?;
            Ok(())
        }
        CalendarCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("không đọc được tệp / cannot read {}", file.display()))?;
            let services = crate::services(config).await?;
            let schedule = services
                .import_schedule(&Acting::cli("calendar-import"), &text)
                .await?;
            let off = schedule.days().iter().filter(|d| !d.is_working()).count();
            writeln!(
                out,
                "Đã nhập lịch năm {} ({} ngày nghỉ, {} ngày làm bù) / imported the {} schedule ({} days off, {} make-up working days)",
                schedule.year(),
                off,
                schedule.days().len() - off,
                schedule.year(),
                off,
                schedule.days().len() - off
            )?;
            Ok(())
        }
    }
}

fn parse_date(text: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("'{text}' không phải ngày YYYY-MM-DD / is not a YYYY-MM-DD date"))
}

/// Converts stdin line by line, in order; stops at the first bad line, naming it.
fn convert_lines(
    input: impl BufRead,
    out: &mut impl Write,
    convert: impl Fn(&str) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let converted =
            convert(text).with_context(|| format!("dòng {} / line {}", index + 1, index + 1))?;
        writeln!(out, "{converted}")?;
    }
    out.flush()?;
    Ok(())
}

fn weekday_vi(date: NaiveDate) -> &'static str {
    match date.weekday() {
        chrono::Weekday::Mon => "Thứ Hai",
        chrono::Weekday::Tue => "Thứ Ba",
        chrono::Weekday::Wed => "Thứ Tư",
        chrono::Weekday::Thu => "Thứ Năm",
        chrono::Weekday::Fri => "Thứ Sáu",
        chrono::Weekday::Sat => "Thứ Bảy",
        chrono::Weekday::Sun => "Chủ Nhật",
    }
}
