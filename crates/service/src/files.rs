//! Uploaded documents: what is accepted (PDF, JPEG, PNG up to 10 MB, recognised by their
//! content, not their name), storing them in the content-addressed store, and reading a
//! dossier's files back — submitted, attached later, or issued for it — for those who may
//! read the dossier.

use motcua_domain::dossier::{DossierCode, FileRef};
use motcua_storage::StoreError;

use crate::{Acting, ServiceError, ServiceResult, Services};

/// Largest file accepted, in bytes (10 MB). A scanned page at 300 dpi is well under 1 MB;
/// a whole multi-page application as one PDF stays under this.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

/// The kinds of file accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// `application/pdf`.
    Pdf,
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
}

impl MediaType {
    /// The media type.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    /// Parses a media type this module wrote.
    pub fn parse(s: &str) -> Option<MediaType> {
        match s {
            "application/pdf" => Some(MediaType::Pdf),
            "image/jpeg" => Some(MediaType::Jpeg),
            "image/png" => Some(MediaType::Png),
            _ => None,
        }
    }

    /// The kind the content is, from its first bytes (the "magic numbers": `%PDF-`, the PNG
    /// signature, a JPEG start-of-image marker), whatever the file is called.
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        if bytes.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else {
            None
        }
    }

    /// The kind a file name claims by its extension.
    pub fn from_name(name: &str) -> Option<MediaType> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match extension.as_str() {
            "pdf" => Some(MediaType::Pdf),
            "jpg" | "jpeg" => Some(MediaType::Jpeg),
            "png" => Some(MediaType::Png),
            _ => None,
        }
    }
}

/// A file as received from a form. `size` counts every byte sent, even those past the limit,
/// which the reader stops keeping (so `bytes` may be shorter than `size`).
#[derive(Clone, PartialEq, Eq)]
pub struct Upload {
    /// The name the browser gave.
    pub name: String,
    /// Size of the whole file as sent.
    pub size: u64,
    /// The content (at most [`MAX_FILE_BYTES`] of it).
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Upload {
    // Never the content: files carry personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload").field("size", &self.size).finish()
    }
}

/// The name to keep: its last path segment (some browsers send a whole path), without
/// control characters, at most 120 characters.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    if cleaned.trim().is_empty() {
        "tep".to_owned()
    } else {
        cleaned.trim().to_owned()
    }
}

/// `1.5 MB`-style size for messages (one decimal, decimal comma in Vietnamese).
fn megabytes(size: u64) -> (String, String) {
    let mb = size as f64 / (1024.0 * 1024.0);
    let en = format!("{mb:.1} MB");
    (en.replace('.', ","), en)
}

/// Checks an upload for a component: not empty, at most [`MAX_FILE_BYTES`], a PDF, JPEG or
/// PNG by its content, and named like what it is. The message names the component and the
/// file, Vietnamese then English.
///
/// # Errors
/// [`ServiceError::Invalid`] saying what is wrong.
pub fn check_upload(component: &str, upload: &Upload) -> ServiceResult<MediaType> {
    let name = clean_name(&upload.name);
    if upload.size == 0 || upload.bytes.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "tệp «{name}» của thành phần «{component}» rỗng / the file “{name}” for “{component}” is empty"
        )));
    }
    if upload.size > MAX_FILE_BYTES {
        let (vi, en) = megabytes(upload.size);
        return Err(ServiceError::Invalid(format!(
            "tệp «{name}» của thành phần «{component}» có dung lượng {vi}, vượt quá giới hạn 10 MB / \
             the file “{name}” for “{component}” is {en}, over the 10 MB limit"
        )));
    }
    let sniffed = MediaType::sniff(&upload.bytes);
    let claimed = MediaType::from_name(&name);
    match (sniffed, claimed) {
        (Some(found), Some(claimed)) if found == claimed => Ok(found),
        _ => Err(ServiceError::Invalid(format!(
            "tệp «{name}» của thành phần «{component}» không phải tệp PDF, JPEG hoặc PNG hợp lệ (nội dung tệp được kiểm tra, không chỉ phần mở rộng) / \
             the file “{name}” for “{component}” is not a valid PDF, JPEG or PNG file (its content is checked, not only its extension)"
        ))),
    }
}

impl Services {
    /// Checks an upload for `component` ([`check_upload`]) and stores it; the same content
    /// uploaded twice is stored once.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming the component and the file; storage failures.
    pub async fn store_upload(&self, component: &str, upload: Upload) -> ServiceResult<FileRef> {
        let media = check_upload(component, &upload)?;
        let name = clean_name(&upload.name);
        let size = upload.bytes.len() as u64;
        let stored = self
            .file_store()
            .put(self.store(), upload.bytes, media.as_str(), self.now())
            .await?;
        tracing::info!(file.sha256 = %stored.sha256, file.size = size, file.media_type = media.as_str(), "stored an upload");
        Ok(FileRef {
            sha256: stored.sha256,
            name,
            media_type: media.as_str().to_owned(),
            size,
        })
    }

    /// A file of a dossier — submitted with a component or attached later — if `acting` may
    /// read the dossier: its reference and bytes.
    ///
    /// # Errors
    /// "Not found" when the dossier is out of reach or has no such file.
    pub async fn dossier_file(
        &self,
        acting: &Acting,
        code: &DossierCode,
        sha256: &str,
    ) -> ServiceResult<(FileRef, Vec<u8>)> {
        let dossier = self.dossier_for(acting, code).await?;
        let mut found = dossier
            .submission
            .components
            .iter()
            .flat_map(|c| c.files.iter())
            .chain(dossier.result_scan.iter())
            .find(|f| f.sha256 == sha256)
            .cloned();
        if found.is_none() {
            found = self
                .store()
                .dossier_attachments(&code.to_string())
                .await?
                .into_iter()
                .flat_map(|a| a.files)
                .find(|f| f.sha256 == sha256);
        }
        if found.is_none() {
            // The documents issued for it: each one's PDF and seal.
            found = self
                .store()
                .documents_of_dossier(&code.to_string())
                .await?
                .into_iter()
                .flat_map(|d| [d.issue.file, d.issue.seal])
                .find(|f| f.sha256 == sha256);
        }
        let file = found.ok_or_else(|| {
            ServiceError::Store(StoreError::NotFound {
                what: format!("tệp của hồ sơ / file of dossier {code}"),
            })
        })?;
        let bytes = self.file_store().read(&file.sha256).await?;
        Ok((file, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            name: name.into(),
            size: bytes.len() as u64,
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(
            check_upload("Tờ khai", &upload("a.pdf", b"%PDF-1.4 ...")).ok(),
            Some(MediaType::Pdf)
        );
        assert_eq!(
            check_upload("Tờ khai", &upload("A.PNG", b"\x89PNG\r\n\x1a\nrest")).ok(),
            Some(MediaType::Png)
        );
        let err = check_upload("Tờ khai", &upload("virus.pdf", b"MZ\x90\x00"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("«Tờ khai»") && err.contains("not a valid PDF"),
            "{err}"
        );
        // A PNG called .pdf is refused too: the name would mislead whoever opens it.
        assert!(check_upload("x", &upload("scan.pdf", b"\x89PNG\r\n\x1a\n")).is_err());
    }

    #[test]
    fn size_and_emptiness_are_named() {
        let big = Upload {
            name: "big.pdf".into(),
            size: MAX_FILE_BYTES + 1,
            bytes: b"%PDF-".to_vec(),
        };
        let err = check_upload("Bản vẽ", &big).unwrap_err().to_string();
        assert!(
            err.contains("10,0 MB") && err.contains("over the 10 MB limit"),
            "{err}"
        );
        assert!(check_upload("Bản vẽ", &upload("e.pdf", b"")).is_err());
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\a\\to khai.pdf"), "to khai.pdf");
        assert_eq!(clean_name("../../x\u{0}.png"), "x.png");
        assert_eq!(clean_name("  "), "tep");
    }
}
