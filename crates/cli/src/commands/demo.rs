//! `motcua demo`: builds the demo province through the real engine and prints its headline
//! figures, in Vietnamese and in English.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use chrono::Offset as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use motcua_service::demo::{DEFAULT_DOSSIERS, DemoConfig, DemoProgress, DemoReport, MAX_DOSSIERS};
use motcua_service::stats::Headline;
use motcua_storage::StoreConfig;
use motcua_web::i18n::{Lang, Tr};

/// How `--dossiers` maps to the load of each agency (the daily sequence has four digits).
const LOAD_HELP: &str = "\
Tải theo cơ quan / load per agency:
  Mỗi cơ quan đánh số tối đa 9.999 hồ sơ một ngày (Thông tư 01/2018/TT-VPCP, Điều 19).
  Each agency numbers at most 9,999 dossiers a day (Circular 01/2018/TT-VPCP art. 19).
  N hồ sơ trong 12 tháng ≈ N/250 mỗi ngày làm việc: Sở Nông nghiệp và Môi trường (đất đai)
  nhận ≈ 17 %, Công an tỉnh ≈ 7 %, mỗi xã 0,3–1,3 %.
  N dossiers over 12 months ≈ N/250 per working day: the Department of Agriculture and
  Environment (land) takes ≈ 17 %, the provincial police ≈ 7 %, each commune 0.3–1.3 %.
  Đến khoảng 10 triệu hồ sơ (12 tháng) không cơ quan nào vượt 9.999 hồ sơ/ngày; vượt quá thì
  mở thêm quầy tiếp nhận có mã riêng (kkk.00.DD.H05, nnn.kk.50.H05), nên N nào cũng dựng được.
  Up to about 10 million dossiers (12 months) no agency passes 9,999 a day; beyond that,
  extra intake desks with their own codes are opened (kkk.00.DD.H05, nnn.kk.50.H05), so
  any N can be built.

Thời gian và dung lượng / time and size (máy 2 nhân / 2-core machine, bản release):
  SQLite: 200.000 hồ sơ ≈ 2,5 phút, ≈ 6 KB mỗi hồ sơ; chậm dần khi tệp lớn lên.
  SQLite: 200,000 dossiers ≈ 2.5 min, ≈ 6 KB per dossier; slower as the file grows.
  PostgreSQL (cục bộ / local): ≈ 500 hồ sơ/giây / dossiers/s.

Dựng lại / building again:
  Nếu tỉnh mẫu đã có (đã đăng ký 000.00.01.H05), lệnh chỉ in số liệu.
  If the demo province exists (000.00.01.H05 is registered), the command only prints figures.";

/// Options of `motcua demo`.
#[derive(Debug, Args)]
#[command(after_long_help = LOAD_HELP)]
pub struct DemoArgs {
    /// Dossiers to generate over the months (see "load per agency" in --help).
    #[arg(long, default_value_t = DEFAULT_DOSSIERS, value_parser = clap::value_parser!(u64).range(0..=MAX_DOSSIERS))]
    dossiers: u64,
    /// Seed of the generator: the same seed, months and day give the same province.
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Months of history ending now (the merged province exists from 1 July 2025).
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=120))]
    months: u32,
    /// Build (or check) the province and print its figures and accounts, without serving.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: crate::commands::serve::ServeArgs,
}

/// Builds the demo province (or finds it built), prints the headline figures and the demo
/// accounts of each role, then serves the portal unless `--no-serve`.
pub async fn run(args: DemoArgs, config: &StoreConfig) -> anyhow::Result<()> {
    let services = crate::services(config).await?;
    let demo = DemoConfig {
        dossiers: args.dossiers,
        seed: args.seed,
        months: args.months,
        end: None,
    };
    let bar = progress_bar();
    let report = {
        let bar = bar.clone();
        services
            .build_demo(demo, move |p| show_progress(&bar, p))
            .await
    };
    bar.finish_and_clear();
    let report = report?;
    let accounts = services
        .create_demo_accounts(&motcua_service::Acting::cli("demo"))
        .await?;
    {
        let mut out = std::io::stdout().lock();
        print_report(&mut out, &report)?;
        print_accounts(&mut out, &accounts)?;
        let province = motcua_service::demo::PROVINCE;
        writeln!(
            out,
            "\nKết quả công khai / published results: /dieu-hanh?don-vi={province}  \
             (motcua kpi --unit {province})"
        )?;
    }
    services.store().close().await;
    if args.no_serve {
        return Ok(());
    }
    crate::commands::serve::run(args.serve, config).await
}

/// The demo accounts, one per role, with their shared password.
fn print_accounts(
    out: &mut impl Write,
    accounts: &[motcua_service::accounts::DemoAccount],
) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Tài khoản mẫu / demo accounts:")?;
    for a in accounts {
        writeln!(
            out,
            "  {:<24} {:<20} {:<18} {}",
            a.role.as_str(),
            a.login,
            a.password,
            a.agency.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

/// A bar on stderr, hidden when stderr is not a terminal (scripts, tests, pipes).
fn progress_bar() -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn show_progress(bar: &ProgressBar, progress: DemoProgress) {
    // A new phase restarts the bar, so that its elapsed time and estimate are its own.
    let counting = |bar: &ProgressBar, message: &'static str, done: u64, total: u64| {
        if bar.length() != Some(total) || bar.message() != message {
            bar.set_message(message);
            bar.set_length(total);
            bar.reset();
            if let Ok(style) = ProgressStyle::with_template(
                "{msg} [{bar:30}] {human_pos}/{human_len} ({elapsed}, còn/eta {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
        }
        bar.set_position(done);
    };
    let spinner = |bar: &ProgressBar, message: &'static str| {
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message);
    };
    match progress {
        DemoProgress::ReferenceData => spinner(
            bar,
            "Nạp đơn vị hành chính và danh mục thủ tục / loading units and the catalogue",
        ),
        DemoProgress::Agencies { done, total } => {
            counting(bar, "Đăng ký cơ quan / registering agencies", done, total);
        }
        DemoProgress::Dossiers { done, total } => {
            counting(bar, "Hồ sơ / dossiers", done, total);
        }
        DemoProgress::Statistics => spinner(bar, "Tính số liệu / computing the figures"),
    }
}

/// `1234567` → `1.234.567`, as the web pages write it.
fn int_vi(n: u64) -> String {
    Tr::new(Lang::Vi).num(n)
}

/// `1234567` → `1,234,567`.
fn int_en(n: u64) -> String {
    Tr::new(Lang::En).num(n)
}

/// `0.99623` → `99,62 %`; `—` when there is nothing to divide by.
fn pct_vi(r: Option<f64>) -> String {
    Tr::new(Lang::Vi).pct(r)
}

/// `0.99623` → `99.62%`.
fn pct_en(r: Option<f64>) -> String {
    Tr::new(Lang::En).pct(r)
}

/// `12.3456` → `12,3` (Vietnamese decimal comma).
fn dec_vi(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

fn print_report(out: &mut impl Write, report: &DemoReport) -> std::io::Result<()> {
    let h: &Headline = &report.headline;
    if report.already_built {
        writeln!(
            out,
            "Tỉnh mẫu Bắc Ninh đã có trong cơ sở dữ liệu, không dựng lại; số liệu của các hồ sơ đã lưu:"
        )?;
        writeln!(
            out,
            "The demo province of Bắc Ninh is already in the database and was not built again; figures of the stored dossiers:"
        )?;
    } else {
        // Dates as the province reads them, at UTC+7.
        let vietnam = chrono::FixedOffset::east_opt(7 * 3600).unwrap_or(chrono::Utc.fix());
        let end = report.end.with_timezone(&vietnam).format("%Y-%m-%d %H:%M");
        let from = report.from.map_or_else(String::new, |f| {
            f.with_timezone(&vietnam).format("%Y-%m-%d").to_string()
        });
        writeln!(
            out,
            "Tỉnh mẫu Bắc Ninh: {} cơ quan, {} thủ tục, {} hồ sơ từ {from} đến {end} (giờ Việt Nam)",
            int_vi(report.agencies as u64),
            int_vi(report.procedures as u64),
            int_vi(report.dossiers),
        )?;
        writeln!(
            out,
            "Demo province of Bắc Ninh: {} agencies, {} procedures, {} dossiers from {from} to {end} (Vietnam time)",
            int_en(report.agencies as u64),
            int_en(report.procedures as u64),
            int_en(report.dossiers),
        )?;
    }
    let st = &report.steering;
    if st.tasks > 0 {
        writeln!(
            out,
            "Chỉ đạo, điều hành: {} cuộc họp, {} văn bản, {} nhiệm vụ được giao (/can-bo/nhiem-vu)",
            int_vi(st.meetings),
            int_vi(st.documents),
            int_vi(st.tasks)
        )?;
        writeln!(
            out,
            "Steering: {} meetings, {} documents, {} assigned tasks (/can-bo/nhiem-vu)",
            int_en(st.meetings),
            int_en(st.documents),
            int_en(st.tasks)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Đã tiếp nhận: {} (trực tuyến {}, trực tiếp {}, bưu chính {})",
        int_vi(h.received),
        int_vi(h.online),
        int_vi(h.desk),
        int_vi(h.post)
    )?;
    writeln!(
        out,
        "Received: {} (online {}, desk {}, post {})",
        int_en(h.received),
        int_en(h.online),
        int_en(h.desk),
        int_en(h.post)
    )?;
    writeln!(
        out,
        "Đã giải quyết: {} (trước hạn {}, đúng hạn {}, quá hạn {})",
        int_vi(h.resolved),
        int_vi(h.early),
        int_vi(h.on_time),
        int_vi(h.late)
    )?;
    writeln!(
        out,
        "Resolved: {} (early {}, on time {}, late {})",
        int_en(h.resolved),
        int_en(h.early),
        int_en(h.on_time),
        int_en(h.late)
    )?;
    writeln!(
        out,
        "Đang giải quyết: {} (trong hạn {}, quá hạn {})",
        int_vi(h.in_progress),
        int_vi(h.within_time),
        int_vi(h.overdue)
    )?;
    writeln!(
        out,
        "In progress: {} (within time {}, overdue {})",
        int_en(h.in_progress),
        int_en(h.within_time),
        int_en(h.overdue)
    )?;
    if h.without_limit > 0 {
        writeln!(
            out,
            "Thủ tục không quy định thời hạn (không xếp loại): {}",
            int_vi(h.without_limit)
        )?;
        writeln!(
            out,
            "Procedures without a time limit (not classified): {}",
            int_en(h.without_limit)
        )?;
    }
    writeln!(out)?;
    let rates: [(&str, &str, Option<f64>); 4] = [
        (
            "Tỷ lệ đúng hạn (766: (trước hạn + đúng hạn + đang giải quyết trong hạn) ÷ đã tiếp nhận)",
            "On-time rate (766: (early + on time + in progress within time) ÷ received)",
            h.on_time_rate_766(),
        ),
        (
            "Tỷ lệ đúng hạn (Thông tư 01: (trước hạn + đúng hạn) ÷ đã giải quyết)",
            "On-time rate (Circular 01: (early + on time) ÷ resolved)",
            h.on_time_rate_resolved(),
        ),
        (
            "Tỷ lệ quá hạn (766: (quá hạn đã giải quyết + đang giải quyết quá hạn) ÷ đã tiếp nhận)",
            "Overdue rate (766: (late + in progress overdue) ÷ received)",
            h.overdue_rate_766(),
        ),
        (
            "Tỷ lệ quá hạn (Thông tư 01: quá hạn ÷ đã giải quyết)",
            "Overdue rate (Circular 01: late ÷ resolved)",
            h.overdue_rate_resolved(),
        ),
    ];
    for (vi, en, r) in rates {
        writeln!(out, "{vi}: {}", pct_vi(r))?;
        writeln!(out, "{en}: {}", pct_en(r))?;
    }
    writeln!(
        out,
        "Tỷ lệ trực tuyến (trực tuyến ÷ đã tiếp nhận): {}",
        pct_vi(h.online_rate())
    )?;
    writeln!(
        out,
        "Online rate (online ÷ received): {}",
        pct_en(h.online_rate())
    )?;
    let electronic = ratio(h.electronic_results, h.resolved);
    writeln!(
        out,
        "Tỷ lệ kết quả điện tử (kết quả điện tử ÷ đã giải quyết): {} ({} hồ sơ)",
        pct_vi(electronic),
        int_vi(h.electronic_results)
    )?;
    writeln!(
        out,
        "Electronic-result rate (electronic results ÷ resolved): {} ({} dossiers)",
        pct_en(electronic),
        int_en(h.electronic_results)
    )?;
    if !report.already_built {
        let per_second = report.dossiers as f64 / report.seconds.max(1e-9);
        let events_per_second = report.events as f64 / report.write_seconds.max(1e-9);
        writeln!(out)?;
        writeln!(
            out,
            "Thời gian dựng: {} giây ({} hồ sơ/giây; ghi {} sự kiện trong {} giây, {} sự kiện/giây)",
            dec_vi(report.seconds),
            int_vi(per_second.round() as u64),
            int_vi(report.events),
            dec_vi(report.write_seconds),
            int_vi(events_per_second.round() as u64)
        )?;
        writeln!(
            out,
            "Build time: {:.1} s ({} dossiers/s; {} events written in {:.1} s, {} events/s)",
            report.seconds,
            int_en(per_second.round() as u64),
            int_en(report.events),
            report.write_seconds,
            int_en(events_per_second.round() as u64)
        )?;
    }
    if let Some(code) = &report.sample_code {
        writeln!(out)?;
        writeln!(
            out,
            "Xem một hồ sơ / see one dossier: motcua dossier show {code}"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_vietnamese_and_english_style() {
        assert_eq!(int_vi(200_000), "200.000");
        assert_eq!(int_en(1_234_567), "1,234,567");
        assert_eq!(int_vi(999), "999");
        assert_eq!(int_vi(0), "0");
        assert_eq!(pct_vi(Some(0.99623)), "99,62 %");
        assert_eq!(pct_en(Some(0.99623)), "99.62%");
        assert_eq!(pct_vi(None), "—");
        assert_eq!(dec_vi(12.34), "12,3");
    }
}
