//! Render time per document: one `render_result` (one page) and one `render_certified_copy`
//! of a two-page scan, each a full compile + PDF export, warm caches as in a server.
//! Run quickly with `cargo bench -p motcua-pdf --bench render -- --quick`.

use std::hint::black_box;

use chrono::{FixedOffset, TimeZone};
use criterion::{Criterion, criterion_group, criterion_main};
use motcua_pdf::{
    CertifiedCopy, ResultDocument, ScannedPage, render_certified_copy, render_result,
};

fn bench(c: &mut Criterion) {
    let at = FixedOffset::east_opt(7 * 3600)
        .and_then(|tz| tz.with_ymd_and_hms(2026, 12, 3, 9, 30, 0).single())
        .unwrap_or_else(|| panic!("valid date"));
    let paragraphs = vec![
        "Căn cứ hồ sơ đề nghị của công dân, Sở Tư pháp tỉnh Bắc Ninh trả kết quả giải quyết thủ \
         tục hành chính nêu trên. Kết quả có giá trị kể từ ngày ký."
            .to_owned();
        4
    ];
    let doc = ResultDocument {
        governing_body: "UBND TỈNH BẮC NINH",
        issuer: "SỞ TƯ PHÁP",
        number: "125/GP-STP",
        place: "Bắc Ninh",
        issued_at: at,
        title: "Kết quả giải quyết thủ tục hành chính",
        procedure: "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        procedure_code: "1.001234",
        dossier_code: "000.00.10.H08-261203-0001",
        recipient: "Nguyễn Thị Hồng Nhung",
        paragraphs: &paragraphs,
        signer_title: "KT. Giám đốc\nPhó Giám đốc",
        signer_name: "Trần Văn Đức",
        verification_code: "7KQ2-M9XD",
        verification_url: "https://motcua.bacninh.gov.vn/xac-minh/7KQ2-M9XD",
    };
    c.bench_function("render_result", |b| {
        b.iter(|| render_result(black_box(&doc)))
    });

    // A 1,240 x 1,754 (150 dpi A4) grey scan, as a PNG, twice.
    let image = image::GrayImage::from_fn(1240, 1754, |x, y| {
        image::Luma([if y % 40 < 8 && x > 100 && x < 1140 {
            40
        } else {
            235
        }])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap_or_else(|e| panic!("encode PNG: {e}"));
    let png = png.into_inner();
    let pages = [ScannedPage {
        bytes: &png,
        media_type: "image/png",
    }; 2];
    let copy = CertifiedCopy {
        pages: &pages,
        governing_body: "UBND THÀNH PHỐ BẮC NINH",
        certifier_agency: "UBND PHƯỜNG KINH BẮC",
        place: "Kinh Bắc",
        certified_at: at,
        register_number: "15",
        register_book: "01/2026-SCT/BS",
        certifier_title: "KT. Chủ tịch\nPhó Chủ tịch",
        certifier_name: "Lê Thị Thu Hà",
        verification_code: "CT-3F8A-22B1",
        verification_url: "https://motcua.bacninh.gov.vn/xac-minh/CT-3F8A-22B1",
    };
    c.bench_function("render_certified_copy_2_pages", |b| {
        b.iter(|| render_certified_copy(black_box(&copy)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
