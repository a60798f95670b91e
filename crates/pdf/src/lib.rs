//! Renders motcua's administrative documents to A4 PDF bytes with typst used as a library.
//!
//! Two documents: the result of an administrative procedure ([`render_result`]) and an
//! electronic certified copy from an original ([`render_certified_copy`]). The layout follows
//! Decree 30/2020/NĐ-CP on the format of administrative documents (Appendix I): A4, margins
//! 20/20/30/15 mm (top/bottom/left/right), a Times New Roman face at 13 pt (Liberation
//! Serif, same metrics, embedded in the binary), the two-column header with the national
//! name and motto, the number, the place and date, the title, the justified body and the
//! signer's block; at the foot a QR code of the verification address.
//!
//! Guarantees the callers rely on:
//! - **No injection.** Every user-supplied string reaches the template as a JSON virtual file
//!   read with `json(..)`; nothing is concatenated into Typst markup.
//! - **Deterministic bytes.** The same input gives the same PDF, because the bytes are
//!   signed: the PDF date is the document's own instant, the document id is derived from
//!   the verification code, and the world has no clock and no file system.
//! - **No panic, no network.** Bad input is a [`PdfError`]; fonts and templates are embedded.
//!
//! This crate depends on no other workspace crate and does no I/O.

mod world;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use serde::Serialize;
use typst::diag::Warned;
use typst::foundations::{Bytes, Datetime, Smart};
use typst::visualize::{ExchangeFormat, RasterImage};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::world::{DocumentWorld, describe};

const RESULT_TEMPLATE: &str = include_str!("../templates/result.typ");
const CERTIFIED_COPY_TEMPLATE: &str = include_str!("../templates/certified_copy.typ");

/// The most pages a certified copy may have.
///
/// Each scanned page is a virtual file whose id typst interns for the life of the process
/// (at most 2^16 of them), and a scan this long is a mistake rather than an original.
pub const MAX_SCANNED_PAGES: usize = 500;

/// The longest verification address accepted: it must fit a QR code at error correction
/// level M (2,331 bytes at version 40) and stay readable at 25 mm.
pub const MAX_VERIFICATION_URL_LEN: usize = 512;

/// The result of an administrative procedure, as issued to the applicant.
#[derive(Debug, Clone, Copy)]
pub struct ResultDocument<'a> {
    /// The governing body, e.g. "UBND TỈNH BẮC NINH"; empty when the issuer has none.
    pub governing_body: &'a str,
    /// The issuing agency, e.g. "SỞ TƯ PHÁP".
    pub issuer: &'a str,
    /// The number and symbol, e.g. "125/GP-STP" (rendered "Số: 125/GP-STP").
    pub number: &'a str,
    /// The place in the place-and-date line, e.g. "Bắc Ninh".
    pub place: &'a str,
    /// The issue instant: its local date is shown, and it is the PDF's creation date.
    pub issued_at: DateTime<FixedOffset>,
    /// The title, e.g. "Kết quả giải quyết thủ tục hành chính" (rendered upper case).
    pub title: &'a str,
    /// The procedure's name.
    pub procedure: &'a str,
    /// The procedure's code in the national catalogue, e.g. "1.001234".
    pub procedure_code: &'a str,
    /// The dossier code, e.g. "000.00.10.H08-261203-0001".
    pub dossier_code: &'a str,
    /// The applicant's name.
    pub recipient: &'a str,
    /// The body, one string per paragraph.
    pub paragraphs: &'a [String],
    /// The signer's title, one line per `\n`, e.g. "KT. Giám đốc\nPhó Giám đốc".
    pub signer_title: &'a str,
    /// The signer's name.
    pub signer_name: &'a str,
    /// The code printed beside the QR code.
    pub verification_code: &'a str,
    /// The address the QR code encodes (`http://` or `https://`).
    pub verification_url: &'a str,
}

/// An electronic certified copy from an original (Decree 45/2020/NĐ-CP art. 10).
///
/// The certification statement follows Decree 23/2015/NĐ-CP and the form of the statement
/// in Circular 01/2020/TT-BTP: "Chứng thực bản sao đúng với bản chính.", the certification
/// number and register book, the date, and the certifier.
#[derive(Debug, Clone, Copy)]
pub struct CertifiedCopy<'a> {
    /// The scan of the original, in order; each page is fitted to a full A4 page.
    pub pages: &'a [ScannedPage<'a>],
    /// The governing body, e.g. "UBND THÀNH PHỐ BẮC NINH"; may be empty.
    pub governing_body: &'a str,
    /// The certifying agency, e.g. "UBND PHƯỜNG KINH BẮC".
    pub certifier_agency: &'a str,
    /// The place in the place-and-date line.
    pub place: &'a str,
    /// The certification instant: its local date is shown, and it is the PDF's date.
    pub certified_at: DateTime<FixedOffset>,
    /// The number in the certification register, e.g. "15" ("Số chứng thực: 15").
    pub register_number: &'a str,
    /// The register book, e.g. "01/2026-SCT/BS" ("Quyển số: 01/2026-SCT/BS").
    pub register_book: &'a str,
    /// The certifier's title, one line per `\n`.
    pub certifier_title: &'a str,
    /// The certifier's name.
    pub certifier_name: &'a str,
    /// The code printed beside the QR code.
    pub verification_code: &'a str,
    /// The address the QR code encodes (`http://` or `https://`).
    pub verification_url: &'a str,
}

/// One file of the scanned original.
///
/// `media_type` is `image/jpeg`, `image/png` or `application/pdf`. A JPEG or PNG is one
/// page; a PDF contributes every page it has, each embedded as an image of that page.
#[derive(Debug, Clone, Copy)]
pub struct ScannedPage<'a> {
    /// The file's bytes.
    pub bytes: &'a [u8],
    /// Its declared media type; the bytes must match it.
    pub media_type: &'a str,
}

/// Why a document could not be rendered.
///
/// The first variants are about the input and can be shown to the clerk who uploaded it;
/// `Typeset` and `Export` mean our template or typst failed, which is our bug.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// A scanned file could not be read as what it claims to be.
    #[error(
        "Tệp quét thứ {page} không đọc được: {reason} / Scanned file {page} cannot be read: {reason}"
    )]
    BadImage {
        /// The file's position in [`CertifiedCopy::pages`], from 1.
        page: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A scanned file has a media type we do not embed.
    #[error(
        "Tệp quét thứ {page} có định dạng không được hỗ trợ ({media_type}); chỉ nhận JPEG, PNG hoặc PDF / \
         Scanned file {page} has an unsupported media type ({media_type}); only JPEG, PNG or PDF"
    )]
    UnsupportedMediaType {
        /// The file's position in [`CertifiedCopy::pages`], from 1.
        page: usize,
        /// The media type given.
        media_type: String,
    },
    /// The copy has no scanned page at all.
    #[error("Bản sao không có trang quét nào / The copy has no scanned page")]
    NoPages,
    /// The scan has more pages than [`MAX_SCANNED_PAGES`].
    #[error("Bản quét có {pages} trang, tối đa {max} / The scan has {pages} pages, at most {max}")]
    TooManyPages {
        /// Pages found.
        pages: usize,
        /// The limit.
        max: usize,
    },
    /// The verification address is not one a QR code should carry.
    #[error("Địa chỉ xác minh không hợp lệ: {reason} / Invalid verification address: {reason}")]
    InvalidVerificationUrl {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The bytes given to [`page_count`] are not a readable PDF.
    #[error("Tệp không phải PDF đọc được / Not a readable PDF: {reason}")]
    NotPdf {
        /// What the parser said.
        reason: String,
    },
    /// typst could not lay out the document: a bug in our template or in typst.
    #[error("Lỗi dàn trang tài liệu / Typesetting failed: {message}")]
    Typeset {
        /// typst's diagnostics.
        message: String,
    },
    /// typst laid the document out but could not write the PDF.
    #[error("Lỗi xuất tệp PDF / PDF export failed: {message}")]
    Export {
        /// typst's diagnostics.
        message: String,
    },
}

/// The data the result template reads from `/data.json`; field names are the template's.
#[derive(Serialize)]
struct ResultData<'a> {
    governing_body: &'a str,
    issuer: &'a str,
    number: &'a str,
    place_date: String,
    title: &'a str,
    procedure: &'a str,
    procedure_code: &'a str,
    dossier_code: &'a str,
    recipient: &'a str,
    paragraphs: &'a [String],
    signer_title: &'a str,
    signer_name: &'a str,
    verification_code: &'a str,
    verification_url: &'a str,
}

/// The data the certified-copy template reads from `/data.json`.
#[derive(Serialize)]
struct CopyData<'a> {
    pages: Vec<PageRef>,
    governing_body: &'a str,
    certifier_agency: &'a str,
    place_date: String,
    date_words: String,
    register_number: &'a str,
    register_book: &'a str,
    certifier_title: &'a str,
    certifier_name: &'a str,
    verification_code: &'a str,
    verification_url: &'a str,
}

/// One page of the copy: the virtual file holding it and, for a PDF, which of its pages.
#[derive(Serialize)]
struct PageRef {
    path: String,
    pdf_page: Option<usize>,
}

/// Renders the result of a procedure to PDF bytes.
///
/// Deterministic: the same document gives the same bytes, so they can be signed and the
/// signature checked against a re-render.
pub fn render_result(doc: &ResultDocument<'_>) -> Result<Vec<u8>, PdfError> {
    let qr = qr_svg(doc.verification_url)?;
    let data = ResultData {
        governing_body: doc.governing_body,
        issuer: doc.issuer,
        number: doc.number,
        place_date: place_date_line(doc.place, doc.issued_at),
        title: doc.title,
        procedure: doc.procedure,
        procedure_code: doc.procedure_code,
        dossier_code: doc.dossier_code,
        recipient: doc.recipient,
        paragraphs: doc.paragraphs,
        signer_title: doc.signer_title,
        signer_name: doc.signer_name,
        verification_code: doc.verification_code,
        verification_url: doc.verification_url,
    };
    let files = vec![("/data.json", json_bytes(&data)?), ("/qr.svg", qr)];
    // Small documents: keep the layout cache of the last few renders warm.
    let _evict = EvictCache(10);
    typeset(RESULT_TEMPLATE, files, doc.issued_at, doc.verification_code)
}

/// Renders an electronic certified copy to PDF bytes: the scanned pages, then a page with
/// the certification statement. Every page carries "Bản sao điện tử được chứng thực từ bản
/// chính — trang i/n", n counting the statement page.
///
/// The PDF has [`scanned_page_count`] + 1 pages, unless long titles or names push the
/// verification block onto one more page; [`page_count`] tells exactly.
pub fn render_certified_copy(copy: &CertifiedCopy<'_>) -> Result<Vec<u8>, PdfError> {
    // Decoded scans are large: drop every cached one once this copy is done, even on error.
    let _evict = EvictCache(0);
    let scans = load_scans(copy.pages)?;
    let qr = qr_svg(copy.verification_url)?;
    let mut pages = Vec::new();
    let mut files = Vec::with_capacity(scans.len() + 2);
    for scan in &scans {
        match scan.kind {
            ScanKind::Raster => pages.push(PageRef {
                path: scan.path.clone(),
                pdf_page: None,
            }),
            ScanKind::Pdf { pages: n } => pages.extend((1..=n).map(|page| PageRef {
                path: scan.path.clone(),
                pdf_page: Some(page),
            })),
        }
        files.push((scan.path.as_str(), scan.bytes.clone()));
    }
    let data = CopyData {
        pages,
        governing_body: copy.governing_body,
        certifier_agency: copy.certifier_agency,
        place_date: place_date_line(copy.place, copy.certified_at),
        date_words: capitalise_first(&date_words(copy.certified_at)),
        register_number: copy.register_number,
        register_book: copy.register_book,
        certifier_title: copy.certifier_title,
        certifier_name: copy.certifier_name,
        verification_code: copy.verification_code,
        verification_url: copy.verification_url,
    };
    files.push(("/data.json", json_bytes(&data)?));
    files.push(("/qr.svg", qr));
    typeset(
        CERTIFIED_COPY_TEMPLATE,
        files,
        copy.certified_at,
        copy.verification_code,
    )
}

/// The number of pages of the original in `pages` (a PDF counts all its pages), as the
/// certification fee is charged per page of the copy. Checks every file as the renderer does.
pub fn scanned_page_count(pages: &[ScannedPage<'_>]) -> Result<usize, PdfError> {
    let _evict = EvictCache(0);
    let scans = load_scans(pages)?;
    Ok(scans
        .iter()
        .map(|scan| match scan.kind {
            ScanKind::Raster => 1,
            ScanKind::Pdf { pages } => pages,
        })
        .sum())
}

/// The number of pages of a PDF, e.g. one this crate rendered.
pub fn page_count(pdf: &[u8]) -> Result<usize, PdfError> {
    let parsed =
        hayro_syntax::Pdf::new(Arc::new(pdf.to_vec())).map_err(|err| PdfError::NotPdf {
            reason: format!("{err:?}"),
        })?;
    Ok(parsed.pages().len())
}

/// The place-and-date line under the motto: "Bắc Ninh, ngày 03 tháng 12 năm 2026".
fn place_date_line(place: &str, at: DateTime<FixedOffset>) -> String {
    if place.trim().is_empty() {
        capitalise_first(&date_words(at))
    } else {
        format!("{place}, {}", date_words(at))
    }
}

/// "ngày 03 tháng 12 năm 2026", in the date's own offset.
///
/// Decree 30/2020/NĐ-CP, Appendix I: days below 10 and the months 1 and 2 take a leading
/// zero (so "1" cannot be turned into "11" or "12" by hand); months 3 to 12 do not.
fn date_words(at: DateTime<FixedOffset>) -> String {
    let month = at.month();
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", at.day(), at.year())
}

fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The PDF creation date: the document's own instant in its own offset, so re-rendering
/// the same document gives the same bytes.
fn pdf_timestamp(at: DateTime<FixedOffset>) -> Option<Timestamp> {
    let datetime = |t: DateTime<FixedOffset>| {
        Datetime::from_ymd_hms(
            t.year(),
            u8::try_from(t.month()).ok()?,
            u8::try_from(t.day()).ok()?,
            u8::try_from(t.hour()).ok()?,
            u8::try_from(t.minute()).ok()?,
            u8::try_from(t.second()).ok()?,
        )
    };
    let offset_seconds = at.offset().local_minus_utc();
    // PDF dates carry whole minutes; an offset with seconds is written as UTC instead.
    let local = (offset_seconds % 60 == 0)
        .then(|| Timestamp::new_local(datetime(at)?, offset_seconds / 60))
        .flatten();
    local.or_else(|| {
        Some(Timestamp::new_utc(datetime(
            at.with_timezone(&Utc).fixed_offset(),
        )?))
    })
}

/// Compiles `template` against `files` and exports it with a fixed date and document id.
fn typeset(
    template: &str,
    files: Vec<(&str, Bytes)>,
    at: DateTime<FixedOffset>,
    ident: &str,
) -> Result<Vec<u8>, PdfError> {
    let world = DocumentWorld::new(template, files).map_err(|err| PdfError::Typeset {
        message: err.to_string(),
    })?;
    let options = PdfOptions {
        // Stable per document (the verification code is unique), so the PDF's /ID is too.
        ident: Smart::Custom(format!("motcua:{ident}")),
        timestamp: pdf_timestamp(at),
        ..PdfOptions::default()
    };
    // typst is not supposed to panic, but a crafted scan reaches deep into its image
    // decoders; a panic there must become an error, not take a server worker down.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let Warned {
            output,
            warnings: _,
        } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| PdfError::Typeset {
            message: describe(&errors),
        })?;
        typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Export {
            message: describe(&errors),
        })
    }));
    outcome.unwrap_or_else(|_| {
        Err(PdfError::Typeset {
            message: "typst panicked".to_owned(),
        })
    })
}

/// Evicts typst's global memoisation cache when dropped, keeping what was used in the last
/// `.0` renders (0 clears it): without it a long-running server would keep every decoded scan.
struct EvictCache(usize);

impl Drop for EvictCache {
    fn drop(&mut self) {
        typst::comemo::evict(self.0);
    }
}

fn json_bytes<T: Serialize>(data: &T) -> Result<Bytes, PdfError> {
    serde_json::to_vec(data)
        .map(Bytes::new)
        .map_err(|err| PdfError::Typeset {
            message: err.to_string(),
        })
}

/// The QR code of the verification address, as SVG in module units (typst scales it).
fn qr_svg(url: &str) -> Result<Bytes, PdfError> {
    let invalid = |reason| Err(PdfError::InvalidVerificationUrl { reason });
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return invalid("phải bắt đầu bằng https:// / must start with https://");
    }
    if url.len() > MAX_VERIFICATION_URL_LEN {
        return invalid("quá dài / too long");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid(
            "có khoảng trắng hoặc ký tự điều khiển / contains whitespace or control characters",
        );
    }
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| PdfError::InvalidVerificationUrl {
            reason: "quá dài / too long",
        })?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .build();
    Ok(Bytes::from_string(svg))
}

enum ScanKind {
    Raster,
    Pdf { pages: usize },
}

struct Scan {
    path: String,
    bytes: Bytes,
    kind: ScanKind,
}

/// Checks every scanned file before typst sees it, so a bad one is reported by its position
/// and reason rather than as a template error.
fn load_scans(pages: &[ScannedPage<'_>]) -> Result<Vec<Scan>, PdfError> {
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let mut total = 0usize;
    let mut scans = Vec::with_capacity(pages.len());
    for (index, page) in pages.iter().enumerate() {
        let number = index + 1;
        let scan = load_scan(number, page)?;
        total += match scan.kind {
            ScanKind::Raster => 1,
            ScanKind::Pdf { pages } => pages,
        };
        if total > MAX_SCANNED_PAGES {
            return Err(PdfError::TooManyPages {
                pages: total,
                max: MAX_SCANNED_PAGES,
            });
        }
        scans.push(scan);
    }
    Ok(scans)
}

fn load_scan(number: usize, page: &ScannedPage<'_>) -> Result<Scan, PdfError> {
    let bad = |reason: String| PdfError::BadImage {
        page: number,
        reason,
    };
    // "image/jpeg; charset=binary" and "IMAGE/PNG" are the same types.
    let media_type = page
        .media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let (format, extension) = match media_type.as_str() {
        "image/jpeg" | "image/jpg" => (Some(ExchangeFormat::Jpg), "jpg"),
        "image/png" => (Some(ExchangeFormat::Png), "png"),
        "application/pdf" => (None, "pdf"),
        _ => {
            return Err(PdfError::UnsupportedMediaType {
                page: number,
                media_type: page.media_type.to_owned(),
            });
        }
    };
    let bytes = Bytes::new(page.bytes.to_vec());
    let kind = match format {
        Some(format) => {
            match ExchangeFormat::detect(page.bytes) {
                Some(found) if found == format => {}
                Some(found) => {
                    return Err(bad(format!(
                        "khai báo {media_type} nhưng nội dung là {found:?} / declared {media_type} but the bytes are {found:?}"
                    )));
                }
                None => {
                    return Err(bad(format!(
                        "nội dung không phải {media_type} / the bytes are not {media_type}"
                    )));
                }
            }
            // Decoding here (memoised, so typst reuses it) names the page when it fails.
            RasterImage::plain(bytes.clone(), format).map_err(|err| bad(err.to_string()))?;
            ScanKind::Raster
        }
        None => {
            let pdf = hayro_syntax::Pdf::new(Arc::new(bytes.clone()))
                .map_err(|err| bad(format!("PDF không đọc được / unreadable PDF ({err:?})")))?;
            match pdf.pages().len() {
                0 => {
                    return Err(bad(
                        "PDF không có trang nào / the PDF has no pages".to_owned()
                    ));
                }
                pages => ScanKind::Pdf { pages },
            }
        }
    };
    Ok(Scan {
        path: format!("/scan-{number}.{extension}"),
        bytes,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<FixedOffset> {
        let tz = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
        tz.with_ymd_and_hms(y, m, d, 9, 30, 0)
            .single()
            .expect("valid date")
    }

    #[test]
    fn place_date_pads_days_below_ten_and_months_one_and_two() {
        assert_eq!(
            place_date_line("Bắc Ninh", at(2026, 12, 3)),
            "Bắc Ninh, ngày 03 tháng 12 năm 2026"
        );
        assert_eq!(
            place_date_line("Hà Nội", at(2027, 2, 15)),
            "Hà Nội, ngày 15 tháng 02 năm 2027"
        );
        assert_eq!(
            place_date_line("Hà Nội", at(2026, 3, 5)),
            "Hà Nội, ngày 05 tháng 3 năm 2026"
        );
    }

    #[test]
    fn date_without_place_is_capitalised() {
        assert_eq!(
            place_date_line(" ", at(2026, 1, 9)),
            "Ngày 09 tháng 01 năm 2026"
        );
    }

    #[test]
    fn date_is_the_local_date_of_the_offset() {
        // 23:30 UTC on 2 December is already 3 December in Việt Nam.
        let utc = Utc
            .with_ymd_and_hms(2026, 12, 2, 23, 30, 0)
            .single()
            .expect("valid");
        let local = utc.with_timezone(&FixedOffset::east_opt(7 * 3600).expect("UTC+7"));
        assert_eq!(date_words(local), "ngày 03 tháng 12 năm 2026");
    }

    #[test]
    fn verification_url_must_be_http() {
        assert!(matches!(
            qr_svg("javascript:alert(1)"),
            Err(PdfError::InvalidVerificationUrl { .. })
        ));
        assert!(matches!(
            qr_svg("https://a b"),
            Err(PdfError::InvalidVerificationUrl { .. })
        ));
        assert!(qr_svg("https://motcua.example.vn/xac-minh/ABCD").is_ok());
    }
}
