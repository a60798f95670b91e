//! Renders both documents and reads them back with poppler (`pdftotext`, `pdffonts`): the
//! text a person or a search index gets out of the PDF must be the Vietnamese we put in.
#![expect(clippy::expect_used, reason = "a failed step fails the test")]

use std::io::Cursor;
use std::process::Command;

use chrono::{DateTime, FixedOffset, TimeZone};
use motcua_pdf::{
    CertifiedCopy, PdfError, ResultDocument, ScannedPage, page_count, render_certified_copy,
    render_result, scanned_page_count,
};

/// Text with every character that means something in Typst markup or code.
const INJECTION: &str = r#"Ghi chú #set text(red) *đậm* _nghiêng_ $x^2$ [a] \ <nhan> @ref // không phải chú thích "trích dẫn" #eval("1+1")"#;

fn issued_at() -> DateTime<FixedOffset> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    tz.with_ymd_and_hms(2026, 12, 3, 9, 30, 0)
        .single()
        .expect("valid date")
}

fn paragraphs() -> Vec<String> {
    vec![
        "Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014 và hồ sơ đề nghị của công dân, Sở Tư pháp \
         tỉnh Bắc Ninh trả kết quả giải quyết thủ tục hành chính nêu trên. Kết quả có giá trị kể \
         từ ngày ký và được lưu trong kho dữ liệu điện tử của tổ chức, cá nhân."
            .to_owned(),
        INJECTION.to_owned(),
        "Đề nghị ông (bà) kiểm tra thông tin; nếu có sai sót, liên hệ Bộ phận Một cửa trong thời \
         hạn 05 ngày làm việc."
            .to_owned(),
    ]
}

fn result_document(paragraphs: &[String]) -> ResultDocument<'_> {
    ResultDocument {
        governing_body: "UBND TỈNH BẮC NINH",
        issuer: "SỞ TƯ PHÁP",
        number: "125/GP-STP",
        place: "Bắc Ninh",
        issued_at: issued_at(),
        title: "Kết quả giải quyết thủ tục hành chính",
        procedure: "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        procedure_code: "1.001234",
        dossier_code: "000.00.10.H08-261203-0001",
        recipient: "Nguyễn Thị Hồng Nhung",
        paragraphs,
        signer_title: "KT. Giám đốc\nPhó Giám đốc",
        signer_name: "Trần Văn Đức",
        verification_code: "7KQ2-M9XD",
        verification_url: "https://motcua.bacninh.gov.vn/xac-minh/7KQ2-M9XD",
    }
}

fn copy_of<'a>(pages: &'a [ScannedPage<'a>]) -> CertifiedCopy<'a> {
    CertifiedCopy {
        pages,
        governing_body: "UBND THÀNH PHỐ BẮC NINH",
        certifier_agency: "UBND PHƯỜNG KINH BẮC",
        place: "Kinh Bắc",
        certified_at: issued_at(),
        register_number: "15",
        register_book: "01/2026-SCT/BS",
        certifier_title: "KT. Chủ tịch\nPhó Chủ tịch",
        certifier_name: "Lê Thị Thu Hà",
        verification_code: "CT-3F8A-22B1",
        verification_url: "https://motcua.bacninh.gov.vn/xac-minh/CT-3F8A-22B1",
    }
}

/// A grey "scan" of an A4 page at a low resolution: a frame and a few dark bars of "text".
fn scan_image() -> image::RgbImage {
    image::RgbImage::from_fn(420, 594, |x, y| {
        let frame = !(12..408).contains(&x) || !(12..582).contains(&y);
        let bar = (40..380).contains(&x) && y > 60 && y < 540 && y % 24 < 6;
        if frame || bar {
            image::Rgb([40, 40, 60])
        } else {
            image::Rgb([236, 232, 222])
        }
    })
}

fn png_scan() -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    scan_image()
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode PNG");
    out.into_inner()
}

fn jpeg_scan() -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&scan_image())
        .expect("encode JPEG");
    out
}

fn tool(name: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write PDF");
    let path = path.to_str().expect("UTF-8 temp path");
    let output = Command::new(name)
        .args(args)
        .arg(path)
        .args(if name == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output();
    match output {
        Ok(output) if output.status.success() => {
            String::from_utf8(output.stdout).expect("UTF-8 output")
        }
        Ok(output) => panic!("{name} failed: {}", String::from_utf8_lossy(&output.stderr)),
        Err(err) => panic!("cannot run {name} ({err}): apt-get install poppler-utils"),
    }
}

/// The text of the PDF with every run of white space made one space, since line breaks
/// and justification spacing are layout, not text.
fn text_of(pdf: &[u8]) -> String {
    tool("pdftotext", &["-enc", "UTF-8"], pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_contains(text: &str, expected: &str) {
    assert!(
        text.contains(expected),
        "missing {expected:?} in extracted text:\n{text}"
    );
}

#[test]
fn result_is_a_pdf() {
    let paragraphs = paragraphs();
    let pdf = render_result(&result_document(&paragraphs)).expect("render");
    assert!(
        pdf.starts_with(b"%PDF-"),
        "not a PDF: {:?}",
        &pdf[..pdf.len().min(16)]
    );
    assert_eq!(page_count(&pdf).expect("page count"), 1);
}

#[test]
fn result_is_deterministic_and_depends_on_its_input() {
    let paragraphs = paragraphs();
    let doc = result_document(&paragraphs);
    let first = render_result(&doc).expect("render");
    let second = render_result(&doc).expect("render again");
    assert!(first == second, "two renders of the same document differ");

    let other = ResultDocument {
        verification_code: "7KQ2-M9XE",
        ..doc
    };
    assert!(
        render_result(&other).expect("render other") != first,
        "a different code gave the same bytes"
    );
}

#[test]
fn result_pdf_date_is_the_issue_instant() {
    let paragraphs = paragraphs();
    let pdf = render_result(&result_document(&paragraphs)).expect("render");
    let pdf = String::from_utf8_lossy(&pdf);
    assert!(
        pdf.contains("D:20261203093000+07'00"),
        "no creation date of the issue instant in the PDF"
    );
}

#[test]
fn result_text_survives_in_vietnamese() {
    let paragraphs = paragraphs();
    let text = text_of(&render_result(&result_document(&paragraphs)).expect("render"));
    for expected in [
        "UBND TỈNH BẮC NINH",
        "SỞ TƯ PHÁP",
        "Số: 125/GP-STP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bắc Ninh, ngày 03 tháng 12 năm 2026",
        "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "Nguyễn Thị Hồng Nhung",
        "000.00.10.H08-261203-0001",
        "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC",
        "(Đã ký số)",
        "Trần Văn Đức",
        "Mã xác minh / Verification code: 7KQ2-M9XD",
        "Kiểm tra tính xác thực tại / Verify at: https://motcua.bacninh.gov.vn/xac-minh/7KQ2-M9XD",
    ] {
        assert_contains(&text, expected);
    }
}

#[test]
fn markup_in_user_text_comes_out_literally() {
    let paragraphs = vec![INJECTION.to_owned()];
    let doc = ResultDocument {
        recipient: r#"Nguyễn "Văn" #A *B* _C_ $D$ [E] \ <F> @G // H"#,
        title: "#eval(\"2*3\") [x]",
        ..result_document(&paragraphs)
    };
    let text = text_of(&render_result(&doc).expect("render"));
    assert_contains(&text, INJECTION);
    assert_contains(&text, r#"Nguyễn "Văn" #A *B* _C_ $D$ [E] \ <F> @G // H"#);
    assert_contains(&text, "#EVAL(\"2*3\") [X]");
}

#[test]
fn result_fonts_are_embedded() {
    let paragraphs = paragraphs();
    let listing = tool(
        "pdffonts",
        &[],
        &render_result(&result_document(&paragraphs)).expect("render"),
    );
    let rows: Vec<&str> = listing
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(!rows.is_empty(), "no fonts listed:\n{listing}");
    for face in [
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
    ] {
        assert!(
            rows.iter().any(|r| r
                .split_whitespace()
                .next()
                .is_some_and(|n| n.ends_with(&format!("+{face}")) || n == face)),
            "{face} not in the PDF:\n{listing}"
        );
    }
    for row in &rows {
        // Columns: name type encoding emb sub uni object-id generation.
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            cols.get(cols.len().saturating_sub(5)),
            Some(&"yes"),
            "font not embedded: {row}"
        );
    }
}

#[test]
fn certified_copy_has_the_scans_then_the_statement() {
    let (png, jpeg) = (png_scan(), jpeg_scan());
    let paragraphs = paragraphs();
    let original_pdf = render_result(&result_document(&paragraphs)).expect("render the original");
    let pages = [
        ScannedPage {
            bytes: &png,
            media_type: "image/png",
        },
        ScannedPage {
            bytes: &jpeg,
            media_type: "image/jpeg",
        },
        ScannedPage {
            bytes: &original_pdf,
            media_type: "application/pdf",
        },
    ];
    assert_eq!(scanned_page_count(&pages).expect("count"), 3);
    let pdf = render_certified_copy(&copy_of(&pages)).expect("render");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(page_count(&pdf).expect("page count"), 4);

    let text = text_of(&pdf);
    for expected in [
        "Bản sao điện tử được chứng thực từ bản chính — trang 1/4",
        "Bản sao điện tử được chứng thực từ bản chính — trang 2/4",
        "Bản sao điện tử được chứng thực từ bản chính — trang 4/4",
        "UBND PHƯỜNG KINH BẮC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Kinh Bắc, ngày 03 tháng 12 năm 2026",
        "Chứng thực bản sao đúng với bản chính.",
        "Số chứng thực: 15",
        "Quyển số: 01/2026-SCT/BS",
        "Ngày 03 tháng 12 năm 2026",
        "KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
        "(Đã ký số)",
        "Lê Thị Thu Hà",
        "Mã xác minh / Verification code: CT-3F8A-22B1",
    ] {
        assert_contains(&text, expected);
    }
}

#[test]
fn certified_copy_is_deterministic() {
    let (png, jpeg) = (png_scan(), jpeg_scan());
    let pages = [
        ScannedPage {
            bytes: &png,
            media_type: "image/png",
        },
        ScannedPage {
            bytes: &jpeg,
            media_type: "image/jpeg",
        },
    ];
    let first = render_certified_copy(&copy_of(&pages)).expect("render");
    let second = render_certified_copy(&copy_of(&pages)).expect("render again");
    assert!(first == second, "two renders of the same copy differ");
}

#[test]
fn garbage_scan_is_an_error_naming_the_page() {
    let png = png_scan();
    let garbage = b"\x89PNG\r\n\x1a\n this is not really a PNG".to_vec();
    let pages = [
        ScannedPage {
            bytes: &png,
            media_type: "image/png",
        },
        ScannedPage {
            bytes: &garbage,
            media_type: "image/png",
        },
    ];
    match render_certified_copy(&copy_of(&pages)) {
        Err(PdfError::BadImage { page: 2, reason }) => assert!(!reason.is_empty()),
        other => panic!("expected BadImage on page 2, got {other:?}"),
    }
}

#[test]
fn scan_whose_bytes_are_not_its_media_type_is_rejected() {
    let jpeg = jpeg_scan();
    let pages = [ScannedPage {
        bytes: &jpeg,
        media_type: "image/png",
    }];
    assert!(matches!(
        render_certified_copy(&copy_of(&pages)),
        Err(PdfError::BadImage { page: 1, .. })
    ));
}

#[test]
fn unsupported_media_type_is_rejected() {
    let pages = [ScannedPage {
        bytes: b"GIF89a",
        media_type: "image/gif",
    }];
    assert!(matches!(
        render_certified_copy(&copy_of(&pages)),
        Err(PdfError::UnsupportedMediaType { page: 1, .. })
    ));
}

#[test]
fn unreadable_pdf_scan_is_rejected() {
    let pages = [ScannedPage {
        bytes: b"%PDF-1.7\n garbage",
        media_type: "application/pdf",
    }];
    assert!(matches!(
        render_certified_copy(&copy_of(&pages)),
        Err(PdfError::BadImage { page: 1, .. })
    ));
}

#[test]
fn copy_without_pages_is_rejected() {
    assert!(matches!(
        render_certified_copy(&copy_of(&[])),
        Err(PdfError::NoPages)
    ));
}

#[test]
fn truncated_and_mangled_scans_never_panic() {
    let (png, jpeg) = (png_scan(), jpeg_scan());
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for (source, media_type) in [(&png, "image/png"), (&jpeg, "image/jpeg")] {
        // Cut inside the header: the decoder must say so. Cut in the pixel data it may
        // still decode (zune-jpeg fills in a truncated JPEG), which is fine.
        for cut in [8, 33, 100, source.len() / 2, source.len() - 1] {
            let mut bytes = source[..cut].to_vec();
            let pages = [ScannedPage {
                bytes: &bytes,
                media_type,
            }];
            let rendered = render_certified_copy(&copy_of(&pages));
            if cut <= 100 {
                assert!(rendered.is_err(), "{media_type} cut at {cut} accepted");
            }
            // Flip a few bytes past the header: the decoder may or may not notice, but
            // either way it must answer, not panic.
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let index = 16 + (seed as usize) % (cut.max(17) - 16);
                if let Some(byte) = bytes.get_mut(index) {
                    *byte ^= (seed >> 32) as u8 | 1;
                }
            }
            let pages = [ScannedPage {
                bytes: &bytes,
                media_type,
            }];
            let _ = render_certified_copy(&copy_of(&pages));
        }
    }
}

#[test]
fn non_http_verification_url_is_rejected() {
    let paragraphs = paragraphs();
    let doc = ResultDocument {
        verification_url: "javascript:alert(1)",
        ..result_document(&paragraphs)
    };
    assert!(matches!(
        render_result(&doc),
        Err(PdfError::InvalidVerificationUrl { .. })
    ));
}

#[test]
fn long_body_flows_onto_more_pages() {
    let paragraphs: Vec<String> = (1..=40)
        .map(|i| format!("Đoạn {i}: {}", paragraphs()[0]))
        .collect();
    let pdf = render_result(&result_document(&paragraphs)).expect("render");
    let pages = page_count(&pdf).expect("page count");
    assert!(pages >= 3, "40 paragraphs on {pages} pages");
    assert_contains(&text_of(&pdf), "Đoạn 40:");
}

#[test]
fn result_is_the_same_after_the_caches_are_cleared() {
    // A certified copy clears typst's memoisation cache: the second render of the result
    // then starts from nothing, so equality cannot come from reusing the first layout.
    let paragraphs = paragraphs();
    let doc = result_document(&paragraphs);
    let first = render_result(&doc).expect("render");
    let png = png_scan();
    let pages = [ScannedPage {
        bytes: &png,
        media_type: "image/png",
    }];
    render_certified_copy(&copy_of(&pages)).expect("render a copy");
    assert!(
        render_result(&doc).expect("render again") == first,
        "bytes changed after the cache was cleared"
    );
}

#[test]
fn empty_and_unusual_fields_still_render() {
    let paragraphs = vec![
        String::new(),
        "x".repeat(3_000),
        "漢字 😀 \u{0}\u{7} tab\tend".to_owned(),
    ];
    let doc = ResultDocument {
        governing_body: "",
        issuer: "",
        number: "",
        place: "",
        title: "",
        recipient: "",
        signer_title: "",
        signer_name: "",
        verification_code: "",
        ..result_document(&paragraphs)
    };
    let pdf = render_result(&doc).expect("render");
    assert_contains(&text_of(&pdf), "Ngày 03 tháng 12 năm 2026");
}
