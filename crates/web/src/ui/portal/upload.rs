//! Reading a `multipart/form-data` form: its text fields and its files, each file kept up to
//! the service's limit (the bytes beyond are counted, not kept, so an oversized file is
//! refused with a message naming it instead of filling memory).

use std::collections::BTreeMap;

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use motcua_service::files::{MAX_FILE_BYTES, Upload};

use crate::auth::SignedIn;
use crate::error::{AppError, PageError};

/// Longest text field kept, in bytes (a petition or a reason is far shorter).
const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Most parts a form may have.
const MAX_PARTS: usize = 200;

/// A multipart form, read whole.
#[derive(Debug, Default)]
pub struct MultipartForm {
    /// Text fields by name (the last value wins).
    pub fields: BTreeMap<String, String>,
    /// Files by field name; inputs left empty are absent.
    pub files: BTreeMap<String, Upload>,
}

impl MultipartForm {
    /// A text field, trimmed, or empty.
    pub fn text(&self, name: &str) -> String {
        self.fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// Checks the form's `csrf` field against the session (403 otherwise). Call it before
    /// acting on anything the form carries.
    pub fn verify_csrf(&self, user: &SignedIn) -> Result<(), PageError> {
        user.verify_csrf(self.fields.get("csrf").map_or("", String::as_str))
            .map_err(PageError)
    }
}

fn unreadable(e: &MultipartError) -> PageError {
    let status = e.status();
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        PageError(AppError::TooLarge(
            "biểu mẫu quá lớn: tổng dung lượng các tệp vượt giới hạn của máy chủ; hãy gửi ít tệp hơn mỗi lần / \
             the form is too large: the files together exceed the server's limit; send fewer files at a time"
                .into(),
        ))
    } else {
        PageError(AppError::Invalid {
            message: format!(
                "không đọc được biểu mẫu (multipart/form-data) / the form (multipart/form-data) could not be read: {}",
                e.body_text()
            ),
            field: None,
        })
    }
}

/// Reads every part of `multipart`.
///
/// # Errors
/// 413 when the body exceeds the server's limit, 422 for a malformed body or too many parts.
pub async fn read(mut multipart: Multipart) -> Result<MultipartForm, PageError> {
    let mut form = MultipartForm::default();
    let mut parts = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(PageError(AppError::invalid(
                "form",
                "biểu mẫu có quá nhiều trường",
                "the form has too many fields",
            )));
        }
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let mut bytes = Vec::new();
                let mut size: u64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
                    size += chunk.len() as u64;
                    // Keep up to one byte past the limit; count the rest.
                    if (bytes.len() as u64) <= MAX_FILE_BYTES {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                // An input left empty is sent as a part without a name or bytes.
                if file_name.is_empty() && size == 0 {
                    continue;
                }
                bytes.truncate(usize::try_from(MAX_FILE_BYTES + 1).unwrap_or(usize::MAX));
                form.files.insert(
                    name,
                    Upload {
                        name: file_name,
                        size,
                        bytes,
                    },
                );
            }
            None => {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
                    if text.len() + chunk.len() > MAX_TEXT_BYTES {
                        return Err(PageError(AppError::invalid(
                            &name,
                            "nội dung quá dài",
                            "the text is too long",
                        )));
                    }
                    text.extend_from_slice(&chunk);
                }
                form.fields
                    .insert(name, String::from_utf8_lossy(&text).into_owned());
            }
        }
    }
    Ok(form)
}
