//! X.509 certificates: a root authority, agency certificates it issues, and what a
//! certificate says.
//!
//! An installation with no licensed certification authority (the demo, a test bench) makes
//! its own root with [`new_authority`] and issues each agency a certificate with [`issue`].
//! Production imports an agency's certificate and key from a licensed CA instead; both are
//! used the same way. Keys are ECDSA P-256 (what openssl and every PDF reader check).

use chrono::{DateTime, TimeZone, Utc};
use der::{Decode, Encode};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SerialNumber,
};
use x509_cert::Certificate;
use x509_cert::ext::pkix::BasicConstraints as X509BasicConstraints;

use crate::{SigningError, SigningResult, malformed, sha256_hex, to_hex};

/// A certificate with its private key.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The certificate, DER.
    pub certificate: Vec<u8>,
    /// The private key, PKCS#8 DER. Kept only wrapped at rest ([`crate::wrap`]).
    pub private_key: Vec<u8>,
}

impl std::fmt::Debug for Credential {
    // Never print a private key, even in a test failure.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("certificate", &sha256_hex(&self.certificate))
            .finish_non_exhaustive()
    }
}

/// Whom a certificate names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The name shown as the signer, e.g. "Sở Tư pháp tỉnh Bắc Ninh".
    pub common_name: String,
    /// The organisation, e.g. "UBND tỉnh Bắc Ninh".
    pub organization: String,
    /// The agency's identifier code (mã định danh), kept as the organisational unit.
    pub unit_code: Option<String>,
}

fn to_offset(at: DateTime<Utc>) -> SigningResult<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp(at.timestamp())
        .map_err(|e| SigningError::Certificate(e.to_string()))
}

fn distinguished_name(subject: &Subject) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, subject.organization.as_str());
    if let Some(code) = &subject.unit_code {
        dn.push(DnType::OrganizationalUnitName, code.as_str());
    }
    dn.push(DnType::CommonName, subject.common_name.as_str());
    dn
}

/// The parameters of an authority's certificate. Rebuilt from the subject when the authority
/// issues, so the issuer name of what it signs encodes exactly as its own subject.
fn authority_params(subject: &Subject) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(subject);
    // Path length 0: the root signs agency certificates and nothing that could sign further.
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn certificate_error(e: rcgen::Error) -> SigningError {
    SigningError::Certificate(e.to_string())
}

/// Makes a self-signed root authority valid from `not_before` to `not_after`.
pub fn new_authority(
    subject: &Subject,
    serial: u64,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> SigningResult<Credential> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(certificate_error)?;
    let mut params = authority_params(subject);
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = to_offset(not_before)?;
    params.not_after = to_offset(not_after)?;
    let cert = params.self_signed(&key).map_err(certificate_error)?;
    Ok(Credential {
        certificate: cert.der().to_vec(),
        private_key: key.serialize_der(),
    })
}

/// Issues `subject` a signing certificate from the authority `authority` (made by
/// [`new_authority`] for `authority_subject`), with a fresh key.
pub fn issue(
    authority: &Credential,
    authority_subject: &Subject,
    subject: &Subject,
    serial: u64,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> SigningResult<Credential> {
    let authority_key =
        KeyPair::try_from(authority.private_key.as_slice()).map_err(certificate_error)?;
    let issuer = Issuer::new(authority_params(authority_subject), authority_key);
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(certificate_error)?;
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(subject);
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = to_offset(not_before)?;
    params.not_after = to_offset(not_after)?;
    params.is_ca = IsCa::ExplicitNoCa;
    // Digital signature and non-repudiation (content commitment): a seal on a document.
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, &issuer).map_err(certificate_error)?;
    let issued = Credential {
        certificate: cert.der().to_vec(),
        private_key: key.serialize_der(),
    };
    let info = certificate_info(&issued.certificate)?;
    if info.issuer != certificate_info(&authority.certificate)?.subject {
        return Err(SigningError::Certificate(
            "issuer name differs from the authority's subject".into(),
        ));
    }
    Ok(issued)
}

/// Checks that `credential`'s private key is the one its certificate certifies, and that the
/// key is one motcua signs with (imported credentials).
pub fn check_credential(credential: &Credential) -> SigningResult<()> {
    crate::seal::Signer::for_credential(credential).map(|_| ())
}

/// Parses a certificate, DER.
pub(crate) fn parse(der: &[u8]) -> SigningResult<Certificate> {
    Certificate::from_der(der).map_err(|e| malformed("chứng thư số", "certificate", e))
}

/// What a certificate says, for people: who it names, who issued it, when it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The subject's common name.
    pub common_name: String,
    /// The subject, RFC 4514 (`CN=…,O=…,C=VN`).
    pub subject: String,
    /// The issuer, RFC 4514.
    pub issuer: String,
    /// The serial number, hex.
    pub serial: String,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
    /// SHA-256 of the DER, hex: how people compare certificates.
    pub fingerprint: String,
    /// Whether it is a certification authority's certificate.
    pub is_authority: bool,
}

pub(crate) fn utc(time: x509_cert::time::Time) -> DateTime<Utc> {
    let secs = i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    Utc.timestamp_opt(secs, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Reads what a certificate (DER) says.
pub fn certificate_info(der: &[u8]) -> SigningResult<CertificateInfo> {
    let cert = parse(der)?;
    Ok(info_of(&cert, der))
}

pub(crate) fn info_of(cert: &Certificate, der: &[u8]) -> CertificateInfo {
    let tbs = cert.tbs_certificate();
    let common_name = tbs
        .subject()
        .common_name()
        .ok()
        .flatten()
        .map(String::from)
        .unwrap_or_default();
    let is_authority = is_ca(cert);
    CertificateInfo {
        common_name,
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        serial: to_hex(tbs.serial_number().as_bytes()),
        not_before: utc(tbs.validity().not_before),
        not_after: utc(tbs.validity().not_after),
        fingerprint: sha256_hex(der),
        is_authority,
    }
}

/// A certificate as PEM (`-----BEGIN CERTIFICATE-----`), for openssl and browsers.
pub fn to_pem(der: &[u8]) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).unwrap_or_default()
}

/// A certificate from PEM or DER.
pub fn certificate_from_pem_or_der(bytes: &[u8]) -> SigningResult<Vec<u8>> {
    let der = from_pem_or_der(bytes, "CERTIFICATE")?;
    parse(&der)?
        .to_der()
        .map_err(|e| malformed("chứng thư số", "certificate", e))
}

/// Every certificate of a PEM bundle (or one DER certificate).
pub fn certificates_from_pem_or_der(bytes: &[u8]) -> SigningResult<Vec<Vec<u8>>> {
    if !bytes.starts_with(b"-----") {
        return Ok(vec![certificate_from_pem_or_der(bytes)?]);
    }
    let certs = Certificate::load_pem_chain(bytes)
        .map_err(|e| malformed("chứng thư số", "certificate", e))?;
    certs
        .iter()
        .map(|c| {
            c.to_der()
                .map_err(|e| malformed("chứng thư số", "certificate", e))
        })
        .collect()
}

/// A PKCS#8 private key from PEM (`-----BEGIN PRIVATE KEY-----`) or DER.
pub fn private_key_from_pem_or_der(bytes: &[u8]) -> SigningResult<Vec<u8>> {
    from_pem_or_der(bytes, "PRIVATE KEY")
}

fn from_pem_or_der(bytes: &[u8], label: &'static str) -> SigningResult<Vec<u8>> {
    if !bytes.starts_with(b"-----") {
        return Ok(bytes.to_vec());
    }
    let (found, der) = der::pem::decode_vec(bytes).map_err(|e| malformed("PEM", "PEM", e))?;
    if found != label {
        return Err(malformed(
            "PEM",
            "PEM",
            format!("expected {label}, found {found}"),
        ));
    }
    Ok(der)
}

/// Whether `cert`'s BasicConstraints mark a CA.
pub(crate) fn is_ca(cert: &Certificate) -> bool {
    matches!(
        cert.tbs_certificate().get_extension::<X509BasicConstraints>(),
        Ok(Some((_, bc))) if bc.ca
    )
}
