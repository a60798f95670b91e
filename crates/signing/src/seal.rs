//! Detached CMS signatures (RFC 5652 SignedData, the `.p7s` file) over a document, and their
//! verification.
//!
//! The seal carries the signed attributes RFC 5652 §11 asks for (content type, the
//! document's SHA-256, signing time), the signer's certificate and its chain. Verification
//! checks, in order: the structure, that the document is the one signed (digest), the
//! signature over the attributes with the signer's key, the chain up to a trusted root, and
//! that every certificate of the chain was valid when the document was signed. A document
//! stays verifiable after its agency rotates keys or its certificate expires later: validity
//! is judged at the signing time, which motcua's event log also records (ADR 0013).

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode};
use ring::rand::SystemRandom;
use ring::signature::{self as rs, KeyPair as _};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::cert::{self, CertificateInfo, Credential, utc};
use crate::{SigningError, SigningResult};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Longest chain walked from the signer to a root; ours is two certificates.
const MAX_CHAIN: usize = 5;

/// A private key motcua signs with.
pub(crate) enum Signer {
    EcdsaP256(rs::EcdsaKeyPair),
    Rsa(rs::RsaKeyPair),
}

impl Signer {
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> SigningResult<Signer> {
        let rng = SystemRandom::new();
        if let Ok(key) =
            rs::EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
        {
            return Ok(Signer::EcdsaP256(key));
        }
        rs::RsaKeyPair::from_pkcs8(pkcs8)
            .map(Signer::Rsa)
            .map_err(|_| SigningError::UnsupportedKey)
    }

    /// The key of `credential` with its parsed certificate, if the key is the one the
    /// certificate certifies.
    pub(crate) fn for_credential(credential: &Credential) -> SigningResult<(Signer, Certificate)> {
        let signer = Signer::from_pkcs8(&credential.private_key)?;
        let certificate = cert::parse(&credential.certificate)?;
        let public = certificate
            .tbs_certificate()
            .subject_public_key_info()
            .subject_public_key
            .raw_bytes();
        if signer.public_key() != public {
            return Err(SigningError::KeyMismatch);
        }
        Ok((signer, certificate))
    }

    /// The public key as the certificate's subjectPublicKey bit string holds it.
    pub(crate) fn public_key(&self) -> &[u8] {
        match self {
            Signer::EcdsaP256(k) => k.public_key().as_ref(),
            Signer::Rsa(k) => k.public_key().as_ref(),
        }
    }

    fn algorithm(&self) -> ObjectIdentifier {
        match self {
            Signer::EcdsaP256(_) => ECDSA_WITH_SHA256,
            Signer::Rsa(_) => SHA256_WITH_RSA,
        }
    }

    fn sign(&self, message: &[u8]) -> SigningResult<Vec<u8>> {
        let rng = SystemRandom::new();
        match self {
            Signer::EcdsaP256(k) => k
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SigningError::Random),
            Signer::Rsa(k) => {
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(&rs::RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .map_err(|_| SigningError::Random)?;
                Ok(out)
            }
        }
    }
}

fn algorithm(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

fn encode_error(e: der::Error) -> SigningError {
    SigningError::Certificate(format!("DER: {e}"))
}

fn attribute(oid: ObjectIdentifier, value: Any) -> SigningResult<Attribute> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(encode_error)?,
    })
}

/// Seals `content`: a detached CMS SignedData (DER) signed with `signer`'s key at
/// `signing_time`, carrying the signer's certificate and `chain` (its issuers, DER; the root
/// may be left out, the verifier brings it).
pub fn seal(
    content: &[u8],
    signer: &Credential,
    chain: &[Vec<u8>],
    signing_time: DateTime<Utc>,
) -> SigningResult<Vec<u8>> {
    seal_jointly(content, &[(signer, chain)], signing_time)
}

/// Seals `content` by several signers at once (RFC 5652 parallel signatures: one SignerInfo
/// each), as a certified copy needs its certifier's and its agency's signatures (Decree
/// 45/2020/NĐ-CP art. 10(3)); `openssl cms -verify` checks them all.
pub fn seal_jointly(
    content: &[u8],
    signers: &[(&Credential, &[Vec<u8>])],
    signing_time: DateTime<Utc>,
) -> SigningResult<Vec<u8>> {
    let digest = ring::digest::digest(&ring::digest::SHA256, content);
    let seconds = u64::try_from(signing_time.timestamp()).unwrap_or(0);
    let time = x509_cert::time::Time::UtcTime(
        UtcTime::from_unix_duration(std::time::Duration::from_secs(seconds))
            .map_err(encode_error)?,
    );
    let mut infos = Vec::with_capacity(signers.len());
    let mut certificates: Vec<CertificateChoices> = Vec::new();
    for (signer, chain) in signers {
        let (key, certificate) = Signer::for_credential(signer)?;
        let signed_attrs = SetOfVec::try_from(vec![
            attribute(
                ID_CONTENT_TYPE,
                Any::encode_from(&ID_DATA).map_err(encode_error)?,
            )?,
            attribute(
                ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(digest.as_ref()).map_err(encode_error)?)
                    .map_err(encode_error)?,
            )?,
            attribute(
                ID_SIGNING_TIME,
                Any::encode_from(&time).map_err(encode_error)?,
            )?,
        ])
        .map_err(encode_error)?;
        // RFC 5652 §5.4: the signature covers the DER of the attributes as a SET OF.
        let signature = key.sign(&signed_attrs.to_der().map_err(encode_error)?)?;
        let tbs = certificate.tbs_certificate();
        infos.push(SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            }),
            digest_alg: algorithm(ID_SHA256),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: algorithm(key.algorithm()),
            signature: OctetString::new(signature).map_err(encode_error)?,
            unsigned_attrs: None,
        });
        let mut add = |c: Certificate| {
            let choice = CertificateChoices::Certificate(c);
            if !certificates.contains(&choice) {
                certificates.push(choice);
            }
        };
        add(certificate.clone());
        for der in *chain {
            add(cert::parse(der)?);
        }
    }
    if infos.is_empty() {
        return Err(SigningError::Certificate("a seal needs a signer".into()));
    }
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![algorithm(ID_SHA256)]).map_err(encode_error)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(certificates).map_err(encode_error)?),
        crls: None,
        signer_infos: SignerInfos::try_from(infos).map_err(encode_error)?,
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(encode_error)?,
    }
    .to_der()
    .map_err(encode_error)
}

/// A seal that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The signer's certificate.
    pub signer: CertificateInfo,
    /// The signer's certificate, DER.
    pub signer_certificate: Vec<u8>,
    /// The trusted root the chain ends in.
    pub root: CertificateInfo,
    /// When the signer says it signed (the signingTime attribute).
    pub signing_time: DateTime<Utc>,
}

/// Why a seal did not verify. Each says, in Vietnamese and English, what a person checking a
/// document needs to know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not a CMS signature, or one missing what a seal must carry.
    #[error("chữ ký không đúng định dạng CMS / the signature is not a valid CMS seal: {0}")]
    Malformed(String),
    /// The document is not the one that was signed.
    #[error("tài liệu đã bị thay đổi sau khi ký / the document was changed after it was signed")]
    ContentChanged,
    /// The signature does not match the signer's key.
    #[error(
        "chữ ký không khớp với chứng thư số của người ký / the signature does not match the signer's certificate"
    )]
    BadSignature,
    /// An algorithm motcua does not check.
    #[error(
        "thuật toán không được hỗ trợ / unsupported algorithm {0} (ECDSA P-256 or RSA with SHA-256 only)"
    )]
    UnsupportedAlgorithm(String),
    /// The chain does not end in a trusted root.
    #[error(
        "chứng thư số không do tổ chức được tin cậy cấp / the certificate was not issued by a trusted authority: {0}"
    )]
    Untrusted(String),
    /// A certificate of the chain was not valid when the document was signed.
    #[error(
        "chứng thư số “{subject}” không còn hiệu lực khi ký (hiệu lực {not_before} – {not_after}, ký lúc {signed}) / the certificate “{subject}” was not valid when it signed (valid {not_before} – {not_after}, signed {signed})"
    )]
    CertificateNotValid {
        /// The certificate's subject.
        subject: String,
        /// Valid from.
        not_before: DateTime<Utc>,
        /// Valid until.
        not_after: DateTime<Utc>,
        /// When it signed.
        signed: DateTime<Utc>,
    },
    /// The seal says it was made after the moment of verification.
    #[error(
        "thời điểm ký ({0}) ở sau thời điểm kiểm tra / the signing time ({0}) is after the time of verification"
    )]
    SignedInTheFuture(DateTime<Utc>),
}

fn bad(e: impl ToString) -> VerifyError {
    VerifyError::Malformed(e.to_string())
}

/// Reads a seal, DER or PEM (`-----BEGIN PKCS7-----` / `CMS`).
fn content_info(p7s: &[u8]) -> Result<ContentInfo, VerifyError> {
    if p7s.starts_with(b"-----") {
        let (_, der) = der::pem::decode_vec(p7s).map_err(bad)?;
        return ContentInfo::from_der(&der).map_err(bad);
    }
    ContentInfo::from_der(p7s).map_err(bad)
}

/// Verifies the seal `p7s` over `content`, made by one signer, against the trusted roots
/// `anchors` (DER), at the instant `at`.
pub fn verify(
    content: &[u8],
    p7s: &[u8],
    anchors: &[Vec<u8>],
    at: DateTime<Utc>,
) -> Result<Sealed, VerifyError> {
    let mut all = verify_jointly(content, p7s, anchors, at)?;
    match (all.pop(), all.is_empty()) {
        (Some(one), true) => Ok(one),
        _ => Err(bad("a seal has exactly one signer")),
    }
}

/// Verifies every signature of the seal `p7s` over `content` (see [`seal_jointly`]): all
/// must verify, each to a trusted root, for the seal to be good.
pub fn verify_jointly(
    content: &[u8],
    p7s: &[u8],
    anchors: &[Vec<u8>],
    at: DateTime<Utc>,
) -> Result<Vec<Sealed>, VerifyError> {
    let info = content_info(p7s)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(bad(format!("content type {}", info.content_type)));
    }
    let signed: SignedData = info.content.decode_as().map_err(bad)?;
    if signed.signer_infos.0.is_empty() {
        return Err(bad("no signer"));
    }
    let certificates: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let actual = ring::digest::digest(&ring::digest::SHA256, content);
    signed
        .signer_infos
        .0
        .iter()
        .map(|signer_info| verify_signer(signer_info, &certificates, actual.as_ref(), anchors, at))
        .collect()
}

/// Verifies one SignerInfo of a seal whose content has the SHA-256 `actual`.
fn verify_signer(
    signer_info: &SignerInfo,
    certificates: &[Certificate],
    actual: &[u8],
    anchors: &[Vec<u8>],
    at: DateTime<Utc>,
) -> Result<Sealed, VerifyError> {
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer_info.sid else {
        return Err(bad("signer identified by key identifier"));
    };
    let signer = certificates
        .iter()
        .find(|c| {
            c.tbs_certificate().issuer() == &sid.issuer
                && c.tbs_certificate().serial_number() == &sid.serial_number
        })
        .ok_or_else(|| bad("the signer's certificate is not in the seal"))?;
    if signer_info.digest_alg.oid != ID_SHA256 {
        return Err(VerifyError::UnsupportedAlgorithm(
            signer_info.digest_alg.oid.to_string(),
        ));
    }
    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| bad("no signed attributes"))?;
    let single = |oid: ObjectIdentifier| -> Result<&Any, VerifyError> {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
            .ok_or_else(|| bad(format!("attribute {oid} missing")))
    };
    let content_type: ObjectIdentifier = single(ID_CONTENT_TYPE)?.decode_as().map_err(bad)?;
    if content_type != ID_DATA {
        return Err(bad(format!("signed content type {content_type}")));
    }
    let digest: OctetString = single(ID_MESSAGE_DIGEST)?.decode_as().map_err(bad)?;
    if digest.as_bytes() != actual {
        return Err(VerifyError::ContentChanged);
    }
    let signing_time = match attrs.iter().find(|a| a.oid == ID_SIGNING_TIME) {
        Some(_) => {
            let t: x509_cert::time::Time = single(ID_SIGNING_TIME)?.decode_as().map_err(bad)?;
            utc(t)
        }
        None => return Err(bad("no signing time")),
    };
    if signing_time > at {
        return Err(VerifyError::SignedInTheFuture(signing_time));
    }
    let message = attrs.to_der().map_err(bad)?;
    check_signature(
        signer,
        signer_info.signature_algorithm.oid,
        &message,
        signer_info.signature.as_bytes(),
    )?;
    let root = chain_to_anchor(signer, certificates, anchors, signing_time)?;
    let signer_der = signer.to_der().map_err(bad)?;
    Ok(Sealed {
        signer: cert::info_of(signer, &signer_der),
        signer_certificate: signer_der,
        root,
        signing_time,
    })
}

/// Checks `signature` over `message` with `cert`'s public key.
fn check_signature(
    cert: &Certificate,
    algorithm: ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let key = spki.subject_public_key.raw_bytes();
    let verifier: &dyn rs::VerificationAlgorithm = match algorithm {
        ECDSA_WITH_SHA256 => &rs::ECDSA_P256_SHA256_ASN1,
        SHA256_WITH_RSA if spki.algorithm.oid == RSA_ENCRYPTION => &rs::RSA_PKCS1_2048_8192_SHA256,
        other => return Err(VerifyError::UnsupportedAlgorithm(other.to_string())),
    };
    rs::UnparsedPublicKey::new(verifier, key)
        .verify(message, signature)
        .map_err(|_| VerifyError::BadSignature)
}

fn check_validity(cert: &Certificate, at: DateTime<Utc>) -> Result<(), VerifyError> {
    let validity = cert.tbs_certificate().validity();
    let (not_before, not_after) = (utc(validity.not_before), utc(validity.not_after));
    if at < not_before || at > not_after {
        return Err(VerifyError::CertificateNotValid {
            subject: cert.tbs_certificate().subject().to_string(),
            not_before,
            not_after,
            signed: at,
        });
    }
    Ok(())
}

/// Walks from `leaf` through the seal's certificates to one of `anchors`, checking each
/// certificate's signature with its issuer's key and its validity at `signed`.
fn chain_to_anchor(
    leaf: &Certificate,
    carried: &[Certificate],
    anchors: &[Vec<u8>],
    signed: DateTime<Utc>,
) -> Result<CertificateInfo, VerifyError> {
    let anchors: Vec<(Certificate, &Vec<u8>)> = anchors
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok().map(|c| (c, der)))
        .collect();
    let mut current = leaf.clone();
    for _ in 0..MAX_CHAIN {
        check_validity(&current, signed)?;
        let tbs = current.tbs_certificate();
        let issued_by = |c: &Certificate| c.tbs_certificate().subject() == tbs.issuer();
        let signed_by = |issuer: &Certificate| -> Result<(), VerifyError> {
            let tbs_der = tbs.to_der().map_err(bad)?;
            let signature = current
                .signature()
                .as_bytes()
                .ok_or_else(|| bad("certificate signature"))?;
            check_signature(
                issuer,
                current.signature_algorithm().oid,
                &tbs_der,
                signature,
            )
        };
        // Two roots may share a name (two installations' demo roots): any that signed it.
        let mut named = anchors.iter().filter(|(a, _)| issued_by(a)).peekable();
        if named.peek().is_some() {
            let mut failure = VerifyError::BadSignature;
            for (anchor, der) in named {
                match signed_by(anchor).and_then(|()| check_validity(anchor, signed)) {
                    Ok(()) => return Ok(cert::info_of(anchor, der)),
                    Err(e) => failure = e,
                }
            }
            return Err(failure);
        }
        let next = carried
            .iter()
            .find(|c| issued_by(c) && *c != &current && cert::is_ca(c))
            .ok_or_else(|| VerifyError::Untrusted(tbs.issuer().to_string()))?;
        signed_by(next)?;
        current = next.clone();
    }
    Err(VerifyError::Untrusted("chain too long".into()))
}

/// Reads which certificate signed a seal, without verifying anything: for showing a seal that
/// failed verification.
pub fn signer_of(p7s: &[u8]) -> Result<CertificateInfo, VerifyError> {
    let info = content_info(p7s)?;
    let signed: SignedData = info.content.decode_as().map_err(bad)?;
    let sid = signed
        .signer_infos
        .0
        .iter()
        .next()
        .map(|s| s.sid.clone())
        .ok_or_else(|| bad("no signer"))?;
    let SignerIdentifier::IssuerAndSerialNumber(sid) = sid else {
        return Err(bad("signer identified by key identifier"));
    };
    signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .find_map(|c| match c {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate().serial_number() == &sid.serial_number =>
            {
                c.to_der().ok().map(|der| cert::info_of(c, &der))
            }
            _ => None,
        })
        .ok_or_else(|| bad("the signer's certificate is not in the seal"))
}
