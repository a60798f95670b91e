//! Electronic seals of motcua: the agency's signature on a result document or an electronic
//! certified copy, in formats that common tools check without motcua (ADR 0013).
//!
//! - [`cert`]: X.509 certificates — a root authority for an installation without one
//!   (the demo), an agency's certificate issued by it, and reading any certificate.
//! - [`seal`]: a detached CMS SignedData (RFC 5652, the `.p7s` that PAdES also embeds) over a
//!   document, signed with ECDSA P-256 or RSA and SHA-256, and its verification against the
//!   trusted roots. `openssl cms -verify -binary -inform DER -in X.p7s -content X.pdf -CAfile
//!   root.pem` checks the same thing.
//! - [`wrap`]: AES-256-GCM under a master key, for private keys at rest.
//!
//! No I/O and no clock: instants are arguments, randomness comes from the operating system.

pub mod cert;
pub mod seal;
pub mod wrap;

pub use cert::{CertificateInfo, Credential, Subject};
pub use seal::{Sealed, VerifyError};
pub use wrap::MasterKey;

/// What went wrong making a certificate, a seal or a wrapped key.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// A certificate could not be made.
    #[error("không tạo được chứng thư số / could not make the certificate: {0}")]
    Certificate(String),
    /// Bytes that should be a certificate or a key are not one.
    #[error("dữ liệu không phải {what_vi} hợp lệ / not a valid {what_en}: {detail}")]
    Malformed {
        /// What was expected, in Vietnamese.
        what_vi: &'static str,
        /// What was expected, in English.
        what_en: &'static str,
        /// The parser's complaint.
        detail: String,
    },
    /// The private key is of a kind motcua does not sign with.
    #[error(
        "khóa bí mật không được hỗ trợ (chỉ ECDSA P-256 hoặc RSA) / unsupported private key (ECDSA P-256 or RSA only)"
    )]
    UnsupportedKey,
    /// The private key does not belong to the certificate.
    #[error(
        "khóa bí mật không khớp với chứng thư số / the private key does not match the certificate"
    )]
    KeyMismatch,
    /// The operating system's random source failed.
    #[error("không lấy được số ngẫu nhiên / the random source failed")]
    Random,
    /// A wrapped key could not be opened: a wrong master key or changed bytes.
    #[error(
        "không mở được khóa đã mã hóa (sai khóa chủ hoặc dữ liệu bị sửa) / cannot unwrap the key (wrong master key or altered data)"
    )]
    Unwrap,
    /// A master key of the wrong length.
    #[error("khóa chủ phải dài 32 byte, có {0} / the master key must be 32 bytes, got {0}")]
    MasterKeyLength(usize),
}

/// Shorthand for this crate's results.
pub type SigningResult<T> = Result<T, SigningError>;

fn malformed(what_vi: &'static str, what_en: &'static str, e: impl ToString) -> SigningError {
    SigningError::Malformed {
        what_vi,
        what_en,
        detail: e.to_string(),
    }
}

/// The SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// `bytes` as lower-case hex digits.
pub fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// The bytes [`to_hex`] wrote; `None` for anything else.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
