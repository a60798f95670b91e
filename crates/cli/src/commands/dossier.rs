//! `motcua dossier …`: a dossier and its whole history.

use std::io::Write;

use chrono::{DateTime, FixedOffset, Utc};
use clap::Subcommand;
use motcua_domain::dossier::{ApplicantId, Dossier, DossierCode};
use motcua_storage::StoreConfig;
use serde_json::json;

/// Dossier commands.
#[derive(Debug, Subcommand)]
pub enum DossierCommand {
    /// Print a dossier with its whole history (the audit trail).
    Show {
        /// Dossier code, e.g. 000.00.13.H05-261127-0001.
        code: String,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a dossier command.
pub async fn run(command: DossierCommand, config: &StoreConfig) -> anyhow::Result<()> {
    match command {
        DossierCommand::Show { code, json } => {
            let code: DossierCode = code.parse()?;
            let services = crate::services(config).await?;
            let dossier = services.find_dossier(&code).await?;
            let history = services.dossier_history(&code).await?;
            let now = services.now();
            let outcome = dossier.outcome_at(now, &services.rules().outcome);
            let calendar = services.dossier_calendar(code.agency()).await?;
            let offset = calendar.config().offset;
            let mut out = std::io::stdout().lock();
            if json {
                let events: Vec<_> = history
                    .iter()
                    .map(|e| {
                        json!({
                            "version": e.version,
                            "kind": e.kind,
                            "at": e.meta.at,
                            "actor": e.meta.actor,
                            "channel": e.meta.channel,
                            "request_id": e.meta.request_id,
                            "event": e.payload,
                        })
                    })
                    .collect();
                let doc = json!({
                    "dossier": dossier,
                    "status_code": dossier.status.national_code(),
                    "outcome": outcome.as_str(),
                    "history": events,
                });
                serde_json::to_writer_pretty(&mut out, &doc)?;
                writeln!(out)?;
            } else {
                print_dossier(&mut out, &dossier, outcome.as_str(), offset)?;
                writeln!(out, "\nLịch sử / history:")?;
                for e in &history {
                    let agency = e.meta.actor.agency.as_deref().unwrap_or("-");
                    writeln!(
                        out,
                        "  {:>3}  {}  {:<28}  {} ({}, {}) qua/via {}",
                        e.version,
                        local(e.meta.at, offset),
                        e.kind,
                        e.meta.actor.id,
                        e.meta.actor.role.as_str(),
                        agency,
                        e.meta.channel.as_str()
                    )?;
                }
            }
            Ok(())
        }
    }
}

fn local(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

fn print_dossier(
    out: &mut impl Write,
    d: &Dossier,
    outcome: &str,
    offset: FixedOffset,
) -> std::io::Result<()> {
    let s = &d.submission;
    let applicant = match &s.applicant.id {
        ApplicantId::Person(id) => id.masked(),
        ApplicantId::Organisation(tax) => tax.to_string(),
    };
    let opt = |t: Option<DateTime<Utc>>| t.map_or_else(|| "-".to_owned(), |t| local(t, offset));
    writeln!(out, "Hồ sơ / dossier      {}", d.code())?;
    writeln!(
        out,
        "Thủ tục / procedure  {} {}",
        s.procedure.code, s.procedure.name
    )?;
    if let Some(limit) = &s.procedure.limit {
        writeln!(out, "Thời hạn / limit     {limit}")?;
    }
    writeln!(out, "Cơ quan / agency     {}", s.agency)?;
    writeln!(
        out,
        "Chủ hồ sơ / applicant {} ({applicant})",
        s.applicant.name
    )?;
    writeln!(out, "Kênh / channel       {}", s.channel.as_str())?;
    writeln!(
        out,
        "Trạng thái / status  {} — {} / {}",
        d.status.national_code(),
        d.status.name_vi(),
        d.status.name_en()
    )?;
    writeln!(out, "Tiếp nhận / received {}", opt(d.received_at))?;
    writeln!(out, "Hẹn trả / due        {}", opt(d.due))?;
    if d.statistical_due != d.due {
        writeln!(
            out,
            "Hẹn trả thống kê / due for statistics {}",
            opt(d.statistical_due)
        )?;
    }
    writeln!(out, "Kết thúc / finished  {}", opt(d.finished_at))?;
    writeln!(out, "Đánh giá / outcome   {outcome}")?;
    for step in &d.steps {
        writeln!(
            out,
            "  bước / step  {} @ {}  {} → {}",
            step.name,
            step.agency,
            local(step.started_at, offset),
            opt(step.ended_at)
        )?;
    }
    for pause in &d.pauses {
        writeln!(
            out,
            "  tạm dừng / paused {:?} {} → {} ({} phút làm việc / working minutes)",
            pause.reason,
            local(pause.from, offset),
            opt(pause.until),
            pause.working_minutes
        )?;
    }
    Ok(())
}
