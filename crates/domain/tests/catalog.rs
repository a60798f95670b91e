//! The procedure catalogue against the shipped data: import, round trips, errors, search.

use motcua_domain::catalog::codec::{
    COLUMNS, CsvRecords, Location, export_csv, export_json, import_csv, import_csv_with_progress,
    import_json,
};
use motcua_domain::catalog::{
    AgencyRef, ApplicantType, Channel, DossierComponent, Fee, FeeSchedule, LegalDocument, Level,
    LifecycleState, OnlineLevel, Problem, Procedure, ProcedureCode, ProcedureKind, ProcedureResult,
    Publication, TimeLimit, TimeUnit, TimeValue, shipped,
};
use motcua_domain::fold::SearchIndex;
use proptest::prelude::*;

const SHIPPED: &str = include_str!("../../../data/catalogue/procedures.csv");

fn header() -> String {
    COLUMNS.join(",")
}

#[test]
fn shipped_catalogue_imports_completely() {
    let all = import_csv(SHIPPED).unwrap();
    assert_eq!(all.len(), 2_849);
    assert_eq!(shipped::procedures().unwrap(), all);
    let with_limit = all.iter().filter(|p| p.time_limit.is_some()).count();
    assert_eq!(with_limit, 2_324);
    assert!(all.iter().all(|p| p.state == LifecycleState::Published));
    assert!(all.iter().all(|p| p.publication.is_some()));

    let p = all
        .iter()
        .find(|p| p.code.national() == "2.000815")
        .unwrap();
    assert!(p.name.starts_with("Chứng thực bản sao từ bản chính"));
    assert!(p.levels.contains(&Level::Commune));

    // The half-day limit of 1.013097 survives as 3 half units.
    let half = all
        .iter()
        .find(|p| p.code.national() == "1.013097")
        .unwrap();
    assert_eq!(
        half.time_limit,
        Some(TimeLimit {
            value: TimeValue::from_halves(3),
            unit: TimeUnit::WorkingDays
        })
    );

    // Ministry of Defence rows carry structured components, fees and legal basis.
    let bqp = all
        .iter()
        .find(|p| p.code.national() == "1.013124")
        .unwrap();
    assert_eq!(bqp.components.len(), 2);
    assert_eq!(bqp.components[1].form.as_deref(), Some("5-PHLCII.doc"));
    assert_eq!(bqp.fees, FeeSchedule::Free);
    assert_eq!(bqp.legal_basis[0].number, "12/2021/QĐ-TTg");
    assert_eq!(
        bqp.time_limit.map(|t| t.to_string()).as_deref(),
        Some("30 working_days")
    );
}

#[test]
fn shipped_catalogue_round_trips_byte_for_byte() {
    let all = import_csv(SHIPPED).unwrap();
    let csv = export_csv(&all).unwrap();
    assert!(
        csv == SHIPPED,
        "export of the shipped catalogue differs from the file"
    );
    let json = export_json(&all).unwrap();
    assert_eq!(import_json(&json).unwrap(), all);
}

#[test]
fn progress_reaches_the_end() {
    let mut last = None;
    let mut calls = 0;
    import_csv_with_progress(SHIPPED, |p| {
        if let Some(prev) = last {
            assert!(p.done >= prev);
        }
        last = Some(p.done);
        calls += 1;
        assert_eq!(p.total, SHIPPED.len() as u64);
    })
    .unwrap();
    assert_eq!(calls, 2_849);
    assert_eq!(last, Some(SHIPPED.len() as u64));
}

#[test]
fn streaming_records_report_their_lines() {
    let records = CsvRecords::new(SHIPPED).unwrap();
    let lines: Vec<u64> = records.take(3).map(|r| r.line).collect();
    assert_eq!(lines[0], 2);
    assert!(lines[1] > lines[0] && lines[2] > lines[1]);
}

#[test]
fn csv_errors_name_every_line_and_field() {
    let h = header();
    let row = |code: &str, name: &str, value: &str, unit: &str, levels: &str| {
        let mut cells = vec![String::new(); COLUMNS.len()];
        cells[0] = code.into();
        cells[2] = name.into();
        cells[4] = levels.into();
        cells[12] = value.into();
        cells[13] = unit.into();
        cells.join(",")
    };
    let input = [
        h,
        row(
            "2.000815",
            "Chứng thực bản sao",
            "5",
            "working_days",
            "commune",
        ),
        row("2.000816", "B", "mười", "working_days", "commune"),
        row("20008", "", "3", "tuần", "province|huyện"),
        row("2.000815", "Trùng mã", "", "", ""),
        row("2.000817", "Thiếu đơn vị", "7", "", ""),
    ]
    .join("\n");
    let err = import_csv(&input).unwrap_err();
    let msgs: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs[0],
        "Dòng 3, cột time_limit_value: 'mười' không phải là số nguyên hoặc nửa đơn vị (như 15 hay 1.5) / Line 3, field time_limit_value: 'mười' is not a whole or half number (like 15 or 1.5)"
    );
    let places: Vec<(Location, &str)> = err
        .errors
        .iter()
        .map(|e| (e.location, e.field.as_str()))
        .collect();
    assert_eq!(
        places,
        [
            (Location::Line(3), "time_limit_value"),
            (Location::Line(4), "code"),
            (Location::Line(4), "name"),
            (Location::Line(4), "levels"),
            (Location::Line(4), "time_limit_unit"),
            (Location::Line(5), "code"),
            (Location::Line(6), "time_limit_unit"),
        ],
        "{msgs:#?}"
    );
    assert!(matches!(
        err.errors[5].problem,
        Problem::DuplicateProcedure { .. }
    ));
    assert!(msgs.iter().all(|m| m.contains(" / Line ")));
}

#[test]
fn csv_header_problems_are_reported_on_line_one() {
    let err = import_csv("code,ten,name,name\n").unwrap_err();
    let got: Vec<_> = err
        .errors
        .iter()
        .map(|e| (e.location, e.field.as_str()))
        .collect();
    assert_eq!(
        got,
        [(Location::Line(1), "ten"), (Location::Line(1), "name")]
    );
    let err = import_csv("name\nX\n").unwrap_err();
    assert!(matches!(err.errors[0].problem, Problem::MissingColumn(_)));
    assert!(import_csv("").is_err());
}

#[test]
fn csv_accepts_spreadsheet_conventions() {
    // Byte-order mark, CRLF, a subset of columns in another order, Vietnamese labels.
    let input = "\u{feff}name,code,levels,time_limit_unit,time_limit_value,fees\r\n\
                 \"Cấp bản sao, trích lục\",2.000908,Cấp tỉnh|Cấp xã,Ngày làm việc,\"1,5\",Miễn phí\r\n";
    let all = import_csv(input).unwrap();
    let p = &all[0];
    assert_eq!(p.name, "Cấp bản sao, trích lục");
    assert_eq!(p.levels, [Level::Province, Level::Commune]);
    assert_eq!(p.time_limit.unwrap().to_string(), "1.5 working_days");
    assert_eq!(p.fees, FeeSchedule::Free);
    assert_eq!(p.version, 1);
    assert_eq!(p.state, LifecycleState::Draft);
}

#[test]
fn multiline_cells_keep_the_starting_line() {
    let mut cells = vec![String::new(); COLUMNS.len()];
    cells[0] = "1.000001".into();
    cells[2] = "\"Tên\ncó xuống dòng\"".into();
    let good = cells.join(",");
    cells[0] = "x".into();
    let bad = cells.join(",");
    let input = format!("{}\n{good}\n{bad}\n", header());
    let err = import_csv(&input).unwrap_err();
    assert_eq!(err.errors[0].location, Location::Line(4));
}

#[test]
fn json_errors_name_index_and_field() {
    let input = r#"[
        {"code": "2.000815", "name": "A", "time_limit": {"value": 1.5, "unit": "working_days"}},
        {"code": "2.0008", "name": "B", "levels": ["province", "district"], "colour": 1},
        7,
        {"name": "C", "state": "published"}
    ]"#;
    let err = import_json(input).unwrap_err();
    let got: Vec<_> = err
        .errors
        .iter()
        .map(|e| (e.location, e.field.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Location::Index(1), "colour"),
            (Location::Index(1), "code"),
            (Location::Index(1), "levels"),
            (Location::Index(2), "*"),
            (Location::Index(3), "code"),
        ]
    );
    assert!(
        err.errors[0]
            .to_string()
            .starts_with("Phần tử [1], trường colour: ")
    );
    let err = import_json("[{\"code\": ").unwrap_err();
    assert!(matches!(err.errors[0].problem, Problem::InvalidJson(_)));
    let err = import_json("{}").unwrap_err();
    assert_eq!(err.errors[0].problem, Problem::NotAnArray);
}

#[test]
fn search_finds_real_procedures() {
    let all = import_csv(SHIPPED).unwrap();
    let index = SearchIndex::new(all.iter().map(|p| (p.code.to_string(), p.name.clone())));
    let hits = index.search("chung thuc ban sao", 5);
    assert_eq!(hits[0].key, "2.000815", "{hits:#?}");
    let hits = index.search("thu tuc ban sao", 10);
    assert!(hits.iter().any(|h| h.key == "2.000908"), "{hits:#?}");
    assert!(
        hits.iter()
            .all(|h| h.name.contains("bản sao") || h.name.contains("Bản sao"))
    );
    // Accented input ranks the exact accented phrase first.
    let hits = index.search("Thủ tục cấp bản sao từ sổ gốc", 3);
    assert_eq!(hits[0].key, "2.000908");
    // đ folds to d.
    assert!(!index.search("dang ky khai sinh", 5).is_empty());
}

// --- property: export then import gives back the same procedures ------------------------------

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,;\"|\\\\\\n\\rđĐăâệỹ.:-]{0,24}"
}

fn non_blank() -> impl Strategy<Value = String> {
    text().prop_filter("non-blank", |s| !s.trim().is_empty())
}

fn date() -> impl Strategy<Value = chrono::NaiveDate> {
    (2000_i32..2035, 1_u32..=365)
        .prop_filter_map("valid date", |(y, d)| chrono::NaiveDate::from_yo_opt(y, d))
}

fn limit() -> impl Strategy<Value = TimeLimit> {
    (1_u32..2_000, prop::sample::select(TimeUnit::ALL.to_vec())).prop_map(|(h, unit)| TimeLimit {
        value: TimeValue::from_halves(h),
        unit,
    })
}

fn fees() -> impl Strategy<Value = FeeSchedule> {
    let fee = (
        non_blank(),
        prop::option::of(any::<u64>()),
        prop::option::of(text()),
    )
        .prop_map(|(name, amount_vnd, note)| Fee {
            name,
            amount_vnd,
            note,
        });
    prop_oneof![
        Just(FeeSchedule::Unknown),
        Just(FeeSchedule::Free),
        prop::collection::vec(fee, 1..3).prop_map(FeeSchedule::Charged),
    ]
}

fn component() -> impl Strategy<Value = DossierComponent> {
    (
        non_blank(),
        0_u32..5,
        0_u32..5,
        any::<bool>(),
        prop::option::of(text()),
    )
        .prop_map(
            |(name, originals, copies, required, form)| DossierComponent {
                name,
                originals,
                copies,
                required,
                form,
            },
        )
}

fn legal() -> impl Strategy<Value = LegalDocument> {
    (
        non_blank(),
        text(),
        prop::option::of(date()),
        prop::option::of(text()),
    )
        .prop_map(|(number, summary, date, issuer)| LegalDocument {
            number,
            summary,
            date,
            issuer,
        })
}

fn code() -> impl Strategy<Value = ProcedureCode> {
    (
        "[0-9]\\.[0-9]{6}",
        prop::option::of("[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}"),
    )
        .prop_filter_map("valid code", |(n, local)| {
            let s = match local {
                Some(l) => format!("{n}.{l}"),
                None => n,
            };
            s.parse().ok()
        })
}

fn procedure() -> impl Strategy<Value = Procedure> {
    let head = (
        code(),
        1_u32..5,
        non_blank(),
        text(),
        prop::sample::subsequence(Level::ALL.to_vec(), 0..=4).prop_shuffle(),
        prop::sample::select(ProcedureKind::ALL.to_vec()),
        prop::option::of(non_blank()),
        prop::sample::subsequence(ApplicantType::ALL.to_vec(), 0..=5),
        prop::option::of(non_blank()),
        prop::option::of(non_blank()),
        prop::collection::vec(non_blank(), 0..3),
        prop::sample::subsequence(Channel::ALL.to_vec(), 0..=3),
    );
    let tail = (
        prop::option::of(limit()),
        prop::option::of(limit()),
        prop::sample::select(OnlineLevel::ALL.to_vec()),
        fees(),
        prop::collection::vec(component(), 0..3),
        (
            text(),
            prop::collection::vec(non_blank(), 0..3),
            any::<bool>(),
        ),
        prop::collection::vec(legal(), 0..2),
        prop::option::of((non_blank(), prop::option::of(date()))),
        prop::sample::select(LifecycleState::ALL.to_vec()),
        prop::option::of(date()),
        prop::option::of(date()),
        prop::option::of(non_blank()),
    );
    (head, tail)
        .prop_map(|(h, t)| Procedure {
            code: h.0,
            version: h.1,
            name: h.2,
            sector: h.3,
            levels: h.4,
            kind: h.5,
            procedure_type: h.6,
            applicants: h.7,
            issuing_agency: h.8,
            competent_authority: h.9,
            implementing_agencies: h.10.iter().map(|a| AgencyRef::parse(a)).collect(),
            channels: h.11,
            time_limit: t.0,
            local_time_limit: t.1,
            online_level: t.2,
            fees: t.3,
            components: t.4,
            result: ProcedureResult {
                name: t.5.0,
                codes: t.5.1,
                document_required: t.5.2,
            },
            legal_basis: t.6,
            publication: t
                .7
                .map(|(decision_no, date)| Publication { decision_no, date }),
            state: t.8,
            valid_from: t.9,
            valid_to: t.10,
            source_url: t.11,
        })
        .prop_filter("valid procedure", |p| p.validate().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn csv_export_import_round_trips(procs in prop::collection::vec(procedure(), 0..4)) {
        // Distinct (code, version) keys: duplicates are an import error by design.
        let mut procs = procs;
        for (i, p) in procs.iter_mut().enumerate() {
            p.version = u32::try_from(i).unwrap() + 1;
        }
        let csv = export_csv(&procs).unwrap();
        let back = import_csv(&csv).unwrap();
        prop_assert_eq!(&back, &procs);
        prop_assert_eq!(export_csv(&back).unwrap(), csv);
    }

    #[test]
    fn json_export_import_round_trips(procs in prop::collection::vec(procedure(), 0..4)) {
        let mut procs = procs;
        for (i, p) in procs.iter_mut().enumerate() {
            p.version = u32::try_from(i).unwrap() + 1;
        }
        let json = export_json(&procs).unwrap();
        prop_assert_eq!(import_json(&json).unwrap(), procs);
    }

    #[test]
    fn csv_import_never_panics(input in "[a-z_,\"|\\n0-9.\\[\\]{}:]{0,200}") {
        let _ = import_csv(&format!("{}\n{input}", header()));
        let _ = import_json(&input);
    }
}
