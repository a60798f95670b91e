//! Writes a sample result and a sample certified copy to a folder, to look at while editing
//! the templates and to time a render:
//! `cargo run -p motcua-pdf --release --example render_samples -- /tmp/pdfcheck`
//! then `pdftoppm -r 80 -png /tmp/pdfcheck/result.pdf /tmp/pdfcheck/result`.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{FixedOffset, TimeZone};
use motcua_pdf::{
    CertifiedCopy, ResultDocument, ScannedPage, page_count, render_certified_copy, render_result,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "pdf-samples".to_owned()),
    );
    std::fs::create_dir_all(&out)?;
    let at = FixedOffset::east_opt(7 * 3600)
        .and_then(|tz| tz.with_ymd_and_hms(2026, 12, 3, 9, 30, 0).single())
        .ok_or("invalid date")?;
    let paragraphs = vec![
        "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009 và hồ sơ đề nghị của công dân, Sở Tư \
         pháp tỉnh Bắc Ninh trả kết quả giải quyết thủ tục hành chính nêu trên. Kết quả có giá trị \
         kể từ ngày ký và được lưu trong kho dữ liệu điện tử của tổ chức, cá nhân."
            .to_owned(),
        r#"Ký tự đặc biệt: #set text(red) *đậm* _nghiêng_ $x^2$ [a] \ <nhan> @ref // "trích dẫn""#.to_owned(),
        "Đề nghị ông (bà) kiểm tra thông tin; nếu có sai sót, liên hệ Bộ phận Một cửa trong thời \
         hạn 05 ngày làm việc kể từ ngày nhận kết quả."
            .to_owned(),
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
    let started = Instant::now();
    let result = render_result(&doc)?;
    let first = started.elapsed();
    let warm = median_of(20, || render_result(&doc).map(drop))?;
    eprintln!(
        "result: {} bytes, first render {first:?}, warm median of 20 {warm:?}",
        result.len()
    );
    std::fs::write(out.join("result.pdf"), &result)?;
    // A body long enough to need a second page (page number, signature and QR placement).
    let long: Vec<String> = (1..=14)
        .map(|i| format!("({i}) {}", paragraphs[0]))
        .collect();
    std::fs::write(
        out.join("result-long.pdf"),
        render_result(&ResultDocument {
            paragraphs: &long,
            ..doc
        })?,
    )?;

    // The "scan": the result itself (as a PDF original) and a generated grey page (PNG).
    let image = image::GrayImage::from_fn(1240, 1754, |x, y| {
        let frame = !(40..1200).contains(&x) || !(40..1714).contains(&y);
        image::Luma(
            [if frame || (y % 40 < 8 && x > 120 && x < 1120 && y > 150) {
                50
            } else {
                238
            }],
        )
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png)?;
    let png = png.into_inner();
    let pages = [
        ScannedPage {
            bytes: &result,
            media_type: "application/pdf",
        },
        ScannedPage {
            bytes: &png,
            media_type: "image/png",
        },
    ];
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
    let copy_pdf = render_certified_copy(&copy)?;
    let each = median_of(20, || render_certified_copy(&copy).map(drop))?;
    eprintln!(
        "certified copy: {} bytes, {} pages, median of 20 {each:?}",
        copy_pdf.len(),
        page_count(&copy_pdf)?,
    );
    std::fs::write(out.join("certified-copy.pdf"), &copy_pdf)?;
    Ok(())
}

/// The median wall time of `runs` calls of `render`.
fn median_of(
    runs: usize,
    mut render: impl FnMut() -> Result<(), motcua_pdf::PdfError>,
) -> Result<std::time::Duration, motcua_pdf::PdfError> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        render()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[runs / 2])
}
