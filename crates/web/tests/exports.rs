//! The published results as files and on paper, over in-process HTTP on SQLite and on
//! PostgreSQL: the workbook of every table (imported figures included), each table as CSV, the Biểu số 06/VPCP/KSTT
//! form, the print version, and the bilingual refusals of bad asks. Every figure read back
//! from a file is compared with `Services::published_kpi`.
#![expect(clippy::unwrap_used, reason = "a failed step fails the test")]

mod common;

use std::io::Cursor;

use axum::http::{StatusCode, header};
use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use chrono::{TimeZone, Utc};
use common::{Browser, DA_MAI, JUSTICE, KINH_BAC, Page, Portal, portal};
use motcua_domain::catalog::{TimeLimit, TimeUnit, TimeValue};
use motcua_domain::dossier::{
    Applicant, ApplicantId, Command, Decision, ProcedureRef, ResultForm, ReturnMethod,
};
use motcua_domain::event::Channel;
use motcua_domain::kpi::counts::Month;
use motcua_domain::kpi::report06::Report06Row;
use motcua_service::Acting;
use motcua_service::dossiers::NewDossier;
use motcua_service::kpi::KpiBoard;
use motcua_storage::Store;
use motcua_test_support::contract_tests;
use motcua_web::export::{FORM06_FIRST_ROW, FORM06_SHEET, Table};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A dossier of a procedure with a limit of five working days.
fn dossier(agency: &str, channel: Channel) -> NewDossier {
    NewDossier {
        agency: agency.into(),
        procedure: ProcedureRef {
            code: "1.000588".into(),
            name: "Tư vấn pháp luật".into(),
            limit: Some(TimeLimit {
                value: TimeValue::whole(5),
                unit: TimeUnit::WorkingDays,
            }),
            same_day_certification: false,
            document_result: true,
            full_process_online: false,
            counted_in: Default::default(),
        },
        applicant: Applicant {
            id: ApplicantId::Person("027190123456".parse().unwrap()),
            name: "Trần Thị Bình".into(),
            phone: Some("0912345678".into()),
            email: None,
            address: None,
        },
        channel,
        components: Vec::new(),
        eid_verified: false,
    }
}

/// The portal with dossiers in two months: two received at Sở Tư pháp on 5 October (one
/// resolved at once, one still open, so overdue by November), then in November one at
/// each ward, by post and online, and one more at the desk of Sở Tư pháp.
async fn with_dossiers(store: &Store) -> Portal {
    let p = portal(store).await;
    let s = &p.app.services;
    let system = Acting::cli("test");
    p.clock
        .set(Utc.with_ymd_and_hms(2026, 10, 5, 2, 0, 0).unwrap());
    let early = s
        .submit_dossier(&system, dossier(JUSTICE, Channel::Desk), true)
        .await
        .unwrap();
    s.submit_dossier(&system, dossier(JUSTICE, Channel::Desk), true)
        .await
        .unwrap();
    for command in [
        Command::Finish {
            decision: Decision::Approved,
        },
        Command::IssueResult {
            form: ResultForm::Electronic,
            number: Some("1/KQ".into()),
        },
        Command::ReturnResult {
            method: ReturnMethod::Online,
        },
    ] {
        s.act_on_dossier(&system, early.code(), command, None)
            .await
            .unwrap();
    }
    p.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap());
    for (agency, channel) in [
        (DA_MAI, Channel::Post),
        (KINH_BAC, Channel::Desk),
        (JUSTICE, Channel::Desk),
    ] {
        s.submit_dossier(&system, dossier(agency, channel), true)
            .await
            .unwrap();
    }
    let figures = "don_vi,thang,ma,ten,gia_tri,don_vi_tinh,nguon\n\
        24,2026-11,dtc.giai_ngan,Giải ngân vốn đầu tư công,\"61,5\",%,Sở Tài chính\n";
    s.import_kpi_csv(&system, figures).await.unwrap();
    p
}

/// The fixture, and Bắc Ninh's published November as the page shows it.
async fn published_november(store: &Store) -> (Portal, KpiBoard) {
    let p = with_dossiers(store).await;
    let board = p
        .app
        .services
        .published_kpi("24", month("2026-11"))
        .await
        .unwrap();
    (p, board)
}

fn month(text: &str) -> Month {
    text.parse().unwrap()
}

/// Opens a workbook sent over HTTP.
fn workbook(page: &Page) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(page.bytes.clone())).unwrap()
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn number(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("no number at ({row}, {col}): {other:?}"),
    }
}

/// The data row (from 2) whose first cell is `key`.
fn row_of(range: &Range<Data>, key: &str) -> u32 {
    (2..range.end().unwrap().0 + 1)
        .find(|r| text(range, *r, 0) == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}

/// A download's headers: its type and an ASCII name with the Vietnamese one beside it.
fn assert_download(page: &Page, content_type: &str, ascii: &str, utf8: &str) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.headers[header::CONTENT_TYPE], content_type);
    let disposition = page.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}")
    );
}

/// The sheet "Biểu 06" of the workbook: every count and rate as published, and the form's
/// identities between the counts.
fn check_report06_sheet(range: &Range<Data>, board: &KpiBoard) {
    assert_eq!(text(range, 0, 1), "Chỉ tiêu");
    assert_eq!(text(range, 1, 1), "Item");
    let row = &board.report.report06;
    let c = &row.counts;
    let count = |key: &str| number(range, row_of(range, key), 3) as u64;
    for (key, wanted) in [
        ("received", row.received),
        ("carried_over", c.carried_over),
        ("online_new", c.online),
        ("desk_new", c.in_person),
        ("post_new", c.postal),
        ("resolved", row.resolved),
        ("early", c.early),
        ("on_time", c.on_time),
        ("late", c.late),
        ("in_progress", row.in_progress),
        ("within_time", c.within_time),
        ("overdue", c.overdue),
        ("unclassified", board.report.unclassified),
    ] {
        assert_eq!(count(key), wanted, "{key}");
    }
    assert_eq!(count("received"), count("resolved") + count("in_progress"));
    assert_eq!(
        count("received"),
        count("carried_over") + count("online_new") + count("desk_new") + count("post_new")
    );
    assert_eq!(
        count("resolved"),
        count("early") + count("on_time") + count("late")
    );
    assert_eq!(
        count("in_progress"),
        count("within_time") + count("overdue")
    );
    let on_time = row_of(range, "on_time_766");
    let ratio = row.on_time_766();
    assert_eq!(number(range, on_time, 4), ratio.value().unwrap());
    assert_eq!(number(range, on_time, 5) as u64, ratio.numerator);
    assert_eq!(number(range, on_time, 6) as u64, ratio.denominator);
}

async fn the_workbook_has_every_table_of_the_page(store: &Store) {
    let (p, board) = published_november(store).await;
    let app = &p.app.router;
    let r = &board.report.report06;
    // The fixture gives every column something to count.
    assert!(
        r.received >= 4 && r.counts.carried_over >= 1 && r.counts.overdue >= 1,
        "{r:?}"
    );

    let mut b = Browser::default();
    let page = b
        .get(app, "/dieu-hanh/xuat.xlsx?don-vi=24&thang=2026-11")
        .await;
    assert_download(
        &page,
        XLSX,
        "ket-qua-tthc-tinh-bac-ninh-2026-11.xlsx",
        "K%E1%BA%BFt%20qu%E1%BA%A3%20TTHC%20T%E1%BB%89nh%20B%E1%BA%AFc%20Ninh%202026-11.xlsx",
    );
    let mut book = workbook(&page);
    let names: Vec<String> = Table::ALL
        .iter()
        .map(|t| t.sheet_name().to_owned())
        .collect();
    assert_eq!(book.sheet_names(), names);

    let sheet = book.worksheet_range(Table::Report06.sheet_name()).unwrap();
    check_report06_sheet(&sheet, &board);

    // The 766 index: each indicator's counts and points, the groups and the total.
    let index = book.worksheet_range(Table::Index.sheet_name()).unwrap();
    let index_rows = index.end().unwrap().0 + 1 - 2;
    assert_eq!(
        index_rows as usize,
        board.report.index.indicators.len() + board.report.index.groups.len() + 1
    );
    for (s, row) in board.report.index.indicators.iter().zip(2u32..) {
        assert_eq!(text(&index, row, 1), s.indicator.code());
        if let Some(ratio) = s.ratio {
            assert_eq!(number(&index, row, 4) as u64, ratio.numerator);
            assert_eq!(number(&index, row, 5) as u64, ratio.denominator);
        }
        match s.score.points() {
            Some(points) => assert_eq!(number(&index, row, 7), points.as_f64()),
            None => assert_eq!(text(&index, row, 7), ""),
        }
        assert_eq!(number(&index, row, 8), s.max.as_f64());
    }
    let total_row = index.end().unwrap().0;
    assert_eq!(text(&index, total_row, 0), "tổng / total");
    assert_eq!(
        number(&index, total_row, 7),
        board.report.index.total.points.as_f64()
    );
    assert_eq!(
        number(&index, total_row, 8),
        board.report.index.total.out_of.as_f64()
    );

    // Twelve months, the last one this month's row.
    let trend = book.worksheet_range(Table::Trend.sheet_name()).unwrap();
    assert_eq!(trend.end().unwrap().0 + 1 - 2, 12);
    for ((m, row), line) in board.trend.iter().zip(2u32..) {
        assert_eq!(text(&trend, line, 0), m.to_string());
        assert_eq!(number(&trend, line, 1) as u64, row.received);
        assert_eq!(number(&trend, line, 6) as u64, row.resolved);
        assert_eq!(number(&trend, line, 10) as u64, row.in_progress);
    }
    assert_eq!(text(&trend, 13, 0), "2026-11");
    assert_eq!(text(&trend, 12, 0), "2026-10");
    assert!(number(&trend, 12, 1) >= 2.0, "October's dossiers");

    // The imported figure, as given.
    let imported = book.worksheet_range(Table::Imported.sheet_name()).unwrap();
    assert_eq!(text(&imported, 0, 1), "Chỉ số");
    assert_eq!(text(&imported, 2, 0), "dtc.giai_ngan");
    assert_eq!(text(&imported, 2, 2), "2026-11");
    assert_eq!(number(&imported, 2, 3), 61.5);
    assert_eq!(text(&imported, 2, 5), "Sở Tài chính");

    // The wards' committees, ranked.
    let ranking = book.worksheet_range(Table::Ranking.sheet_name()).unwrap();
    assert_eq!(board.ranking.len(), 2);
    for ((rank, name, a), row) in board.ranking.iter().zip(2u32..) {
        assert_eq!(number(&ranking, row, 0) as usize, *rank);
        assert_eq!(text(&ranking, row, 1), a.unit);
        assert_eq!(&text(&ranking, row, 2), name);
        assert_eq!(number(&ranking, row, 3), a.total.points.as_f64());
    }
}

async fn every_table_is_a_csv_with_a_byte_order_mark(store: &Store) {
    let (p, board) = published_november(store).await;
    let app = &p.app.router;
    let mut b = Browser::default();
    for (table, rows) in [
        (Table::Report06, 17),
        (
            Table::Index,
            board.report.index.indicators.len() + board.report.index.groups.len() + 1,
        ),
        (Table::Trend, 12),
        (Table::Ranking, 2),
        (Table::Imported, 1),
        // No public plan: its total line alone.
        (Table::Tasks, 1),
    ] {
        let uri = format!(
            "/dieu-hanh/xuat.csv?don-vi=24&thang=2026-11&bang={}",
            table.slug()
        );
        let page = b.get(app, &uri).await;
        assert_download(
            &page,
            "text/csv; charset=utf-8",
            &format!("ket-qua-tthc-tinh-bac-ninh-2026-11-{}.csv", table.slug()),
            &format!(
                "K%E1%BA%BFt%20qu%E1%BA%A3%20TTHC%20T%E1%BB%89nh%20B%E1%BA%AFc%20Ninh%202026-11%20{}.csv",
                table.slug()
            ),
        );
        let body = page.bytes.strip_prefix("\u{feff}".as_bytes()).unwrap();
        let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body)
            .records()
            .map(Result::unwrap)
            .collect();
        assert_eq!(records.len(), 2 + rows, "{uri}");
        let width = records[0].len();
        assert!(records.iter().all(|r| r.len() == width), "{uri}");
        if table == Table::Report06 {
            assert_eq!(&records[0][1], "Chỉ tiêu");
            assert_eq!(&records[1][1], "Item");
            let received = records.iter().find(|r| &r[0] == "received").unwrap();
            assert_eq!(received[3], board.report.report06.received.to_string());
            let rate = records.iter().find(|r| &r[0] == "on_time_766").unwrap();
            let ratio = board.report.report06.on_time_766();
            assert_eq!(
                rate[4],
                ratio
                    .percent_en(2)
                    .unwrap()
                    .trim_end_matches('%')
                    .to_owned()
            );
            assert_eq!(rate[6], ratio.denominator.to_string());
        }
        if table == Table::Ranking {
            assert_eq!(&records[2][2], board.ranking[0].1.as_str());
        }
        if table == Table::Imported {
            let row = (&records[2][0], &records[2][2], &records[2][3]);
            assert_eq!(row, ("dtc.giai_ngan", "2026-11", "61.5"));
        }
    }
}

async fn the_form06_report_is_in_the_forms_layout(store: &Store) {
    let (p, board) = published_november(store).await;
    let app = &p.app.router;
    let mut b = Browser::default();
    let page = b
        .get(app, "/dieu-hanh/bieu-06.xlsx?don-vi=24&thang=2026-11")
        .await;
    assert_download(
        &page,
        XLSX,
        "bieu-06-vpcp-kstt-tinh-bac-ninh-2026-11.xlsx",
        "Bi%E1%BB%83u%2006-VPCP-KSTT%20T%E1%BB%89nh%20B%E1%BA%AFc%20Ninh%202026-11.xlsx",
    );
    let mut book = workbook(&page);
    assert_eq!(book.sheet_names(), [FORM06_SHEET]);
    let sheet = book.worksheet_range(FORM06_SHEET).unwrap();
    assert_eq!(text(&sheet, 0, 0), "Đơn vị báo cáo: Tỉnh Bắc Ninh");
    assert_eq!(text(&sheet, 0, 7), "Biểu số 06/VPCP/KSTT");
    assert!(text(&sheet, 3, 0).starts_with("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"));
    assert!(
        text(&sheet, 4, 0).contains("tháng 11/2026 (từ ngày 01/11/2026 đến ngày 30/11/2026)"),
        "{}",
        text(&sheet, 4, 0)
    );
    assert!(text(&sheet, 7, 2).starts_with("Số hồ sơ nhận giải quyết"));
    assert!(text(&sheet, 7, 6).starts_with("Kết quả giải quyết"));
    assert!(text(&sheet, 7, 10).starts_with("Số hồ sơ đang giải quyết"));
    for col in 0..13 {
        assert_eq!(text(&sheet, 10, col), format!("({})", col + 1));
    }
    // The column groups are merged cells, as on the form.
    let merged = book.merge_cells_by_sheet_name(FORM06_SHEET).unwrap();
    let spans: Vec<((u32, u32), (u32, u32))> = merged.iter().map(|d| (d.start, d.end)).collect();
    for span in [
        ((7, 2), (7, 5)),
        ((7, 6), (7, 9)),
        ((7, 10), (7, 12)),
        ((7, 0), (9, 0)),
    ] {
        assert!(spans.contains(&span), "{span:?} in {spans:?}");
    }

    // The unit's row: the published figures, and the form's identities between columns.
    let cells = |row: u32| -> Vec<u64> { (2..13).map(|c| number(&sheet, row, c) as u64).collect() };
    let total = cells(FORM06_FIRST_ROW);
    let r = &board.report.report06;
    assert_eq!(
        total,
        [
            r.received,
            r.counts.online,
            r.in_person_and_postal(),
            r.counts.carried_over,
            r.resolved,
            r.counts.early,
            r.counts.on_time,
            r.counts.late,
            r.in_progress,
            r.counts.within_time,
            r.counts.overdue,
        ]
    );
    assert_eq!(
        total[0],
        total[1] + total[2] + total[3],
        "(3) = (4) + (5) + (6)"
    );
    assert_eq!(
        total[4],
        total[5] + total[6] + total[7],
        "(7) = (8) + (9) + (10)"
    );
    assert_eq!(total[8], total[9] + total[10], "(11) = (12) + (13)");
    assert_eq!(total[0], total[4] + total[8], "(3) = (7) + (11)");

    // Then each level's subtotal and its agencies, which add up to the unit.
    let by_agency = p
        .app
        .services
        .published_report06("24", month("2026-11"))
        .await
        .unwrap();
    assert_eq!(by_agency.agencies.len(), 4);
    assert_eq!(
        Report06Row::total(by_agency.agencies.iter().map(|a| &a.row)),
        by_agency.report.report06
    );
    let expected = [
        ("I", "Cấp tỉnh / Provincial agencies"),
        ("1", "Sở Tài chính tỉnh Bắc Ninh"),
        ("2", "Sở Tư pháp tỉnh Bắc Ninh"),
        ("II", "Cấp xã / Communes' People's Committees"),
        ("1", "Ủy ban nhân dân phường Đa Mai"),
        ("2", "Ủy ban nhân dân phường Kinh Bắc"),
    ];
    let mut agencies = Vec::new();
    for (i, (number, name)) in expected.into_iter().enumerate() {
        let row = FORM06_FIRST_ROW + 1 + u32::try_from(i).unwrap();
        assert_eq!(
            (text(&sheet, row, 0).as_str(), text(&sheet, row, 1).as_str()),
            (number, name)
        );
        let values = cells(row);
        assert_eq!(values[0], values[4] + values[8], "{name}");
        if number.parse::<u32>().is_ok() {
            let a = by_agency.agencies.iter().find(|a| a.name == name).unwrap();
            assert_eq!(values[0], a.row.received, "{name}");
            agencies.push(values);
        }
    }
    let sum: u64 = agencies.iter().map(|v| v[0]).sum();
    assert_eq!(sum, total[0]);
    let justice = by_agency
        .agencies
        .iter()
        .find(|a| a.code == JUSTICE)
        .unwrap();
    assert!(justice.row.counts.carried_over >= 1 && justice.row.counts.overdue >= 1);

    // A quarter: the form names it and its days; the identities still hold.
    let page = b
        .get(app, "/dieu-hanh/bieu-06.xlsx?don-vi=24&ky=2026-Q4")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let mut book = workbook(&page);
    let sheet = book.worksheet_range(FORM06_SHEET).unwrap();
    assert!(
        text(&sheet, 4, 0).contains("quý IV/2026 (từ ngày 01/10/2026 đến ngày 31/12/2026)"),
        "{}",
        text(&sheet, 4, 0)
    );
    let quarter: Vec<u64> = (2..13)
        .map(|c| number(&sheet, FORM06_FIRST_ROW, c) as u64)
        .collect();
    assert_eq!(quarter[0], quarter[4] + quarter[8], "(3) = (7) + (11)");
    assert!(
        quarter[0] >= total[0] - total[3],
        "the quarter holds November's new dossiers"
    );
}

async fn the_page_links_its_files_and_prints(store: &Store) {
    let p = with_dossiers(store).await;
    let app = &p.app.router;
    let mut b = Browser::default();
    let page = b.get(app, "/dieu-hanh?don-vi=24&thang=2026-11").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // (`&` escaped as `&#38;`, as the templates escape it.)
    for link in [
        "/dieu-hanh/xuat.xlsx?don-vi=24&#38;ky=2026-11",
        "/dieu-hanh/bieu-06.xlsx?don-vi=24&#38;ky=2026-11",
        "/dieu-hanh/xuat.csv?don-vi=24&#38;ky=2026-11&#38;bang=xu-huong",
        "/dieu-hanh/xuat.csv?don-vi=24&#38;ky=2026-11&#38;bang=so-lieu-nhap",
        "/dieu-hanh/in?don-vi=24&#38;ky=2026-11",
    ] {
        assert!(
            page.body.contains(&format!("href=\"{link}\"")),
            "{link}: {}",
            page.body
        );
    }
    // One agency has no ranking to download.
    let one = b
        .get(app, &format!("/dieu-hanh?don-vi={JUSTICE}&thang=2026-11"))
        .await;
    assert!(
        one.body.contains("bang=chi-so")
            && !one.body.contains("bang=xep-hang")
            && !one.body.contains("bang=so-lieu-nhap")
    );
    // The print version: the figures, chart and tables, no form, no script.
    let print = b.get(app, "/dieu-hanh/in?don-vi=24&thang=2026-11").await;
    assert_eq!(print.status, StatusCode::OK, "{}", print.body);
    let body = &print.body;
    assert!(
        body.contains("Báo cáo kết quả giải quyết thủ tục hành chính"),
        "{body}"
    );
    assert!(body.contains("Tỉnh Bắc Ninh — Tháng 11/2026"));
    assert!(body.contains("<svg") && body.contains("Xếp hạng các xã, phường"));
    assert!(body.contains("<th scope=\"row\">Tổng số hồ sơ tiếp nhận</th>"));
    assert!(!body.contains("id=\"don-vi\"") && !body.contains("<script"));
    // In English when the reader chose English.
    b.get(app, "/lang/en?next=/").await;
    let english = b.get(app, "/dieu-hanh/in?don-vi=24&thang=2026-11").await;
    assert!(
        english
            .body
            .contains("Report on the results of administrative procedures")
    );
}

async fn bad_asks_get_the_pages_bilingual_refusal(store: &Store) {
    let p = portal(store).await;
    let app = &p.app.router;
    let mut b = Browser::default();
    for path in [
        "/dieu-hanh/xuat.xlsx",
        "/dieu-hanh/xuat.csv",
        "/dieu-hanh/bieu-06.xlsx",
        "/dieu-hanh/in",
    ] {
        let table = if path.ends_with(".csv") {
            "&bang=bieu06"
        } else {
            ""
        };
        for (query, wanted) in [
            (
                "don-vi=24&thang=11-2026",
                "the period «11-2026» must read YYYY-MM",
            ),
            ("don-vi=24&thang=2027-01", "has not begun"),
            (
                "don-vi=99999&thang=2026-11",
                "no agency or administrative unit",
            ),
            ("thang=2026-11", "enter a unit or agency code"),
        ] {
            let uri = format!("{path}?{query}{table}");
            let bad = b.get(app, &uri).await;
            assert_eq!(
                bad.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{uri}: {}",
                bad.body
            );
            assert!(
                bad.headers[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html"),
                "{uri}"
            );
            assert!(bad.body.contains(wanted), "{uri}: {}", bad.body);
        }
    }
    // The map of units: today's or the period's, nothing else; the period's map of a month
    // after the merger is today's, so its files link it on without a notice.
    let bad = b
        .get(app, "/dieu-hanh?don-vi=24&thang=2026-11&ban-do=cu")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("ban-do") && bad.body.contains("the map must be hien-nay"),
        "{}",
        bad.body
    );
    let period_map = b
        .get(app, "/dieu-hanh?don-vi=24&thang=2026-11&ban-do=ky")
        .await;
    assert_eq!(period_map.status, StatusCode::OK, "{}", period_map.body);
    assert!(
        period_map
            .body
            .contains("href=\"/dieu-hanh/xuat.xlsx?don-vi=24&#38;ky=2026-11&#38;ban-do=ky\"")
            && period_map.body.contains("value=\"ky\" checked")
            && !period_map.body.contains("class=\"notice\""),
        "{}",
        period_map.body
    );
    for table in ["", "&bang=bieu-06", "&bang=x"] {
        let uri = format!("/dieu-hanh/xuat.csv?don-vi=24&thang=2026-11{table}");
        let bad = b.get(app, &uri).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert!(
            bad.body.contains("bảng phải là bieu06")
                && bad.body.contains(
                    "the table must be bieu06, chi-so, xu-huong, xep-hang, so-lieu-nhap or nhiem-vu"
                ),
            "{uri}: {}",
            bad.body
        );
    }
}

contract_tests!(
    the_workbook_has_every_table_of_the_page,
    every_table_is_a_csv_with_a_byte_order_mark,
    the_form06_report_is_in_the_forms_layout,
    the_page_links_its_files_and_prints,
    bad_asks_get_the_pages_bilingual_refusal,
);
