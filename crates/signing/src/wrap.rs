//! Private keys at rest: AES-256-GCM under a master key that never enters the database.
//!
//! A wrapped key is `version (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. The associated data
//! names the row the key belongs to (its agency and key id), so a wrapped key copied to
//! another row does not open. The master key lives in a file outside the database or in an
//! environment variable; a database dump or backup alone yields no usable key (ADR 0013).

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::{SigningError, SigningResult, to_hex};

const VERSION: u8 = 1;

/// The key that wraps every private key of an installation.
pub struct MasterKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id())
    }
}

impl MasterKey {
    /// A new random master key.
    pub fn generate() -> SigningResult<MasterKey> {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| SigningError::Random)?;
        Ok(MasterKey { bytes })
    }

    /// A master key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> SigningResult<MasterKey> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SigningError::MasterKeyLength(bytes.len()))?;
        Ok(MasterKey { bytes })
    }

    /// The 32 bytes, to write to the key file.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }

    /// A short public name of this key (the first 8 bytes of its SHA-256, hex), stored beside
    /// each wrapped key so a wrong master key is named as such.
    pub fn id(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.bytes);
        to_hex(&digest.as_ref()[..8])
    }

    fn key(&self) -> LessSafeKey {
        // A 32-byte key is always a valid AES-256 key.
        LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, &self.bytes)
                .unwrap_or_else(|_| unreachable!("AES-256-GCM takes 32-byte keys")),
        )
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. `agency/key id`).
    pub fn wrap(&self, plaintext: &[u8], context: &str) -> SigningResult<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SigningError::Random)?;
        let mut sealed = plaintext.to_vec();
        self.key()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| SigningError::Random)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what [`MasterKey::wrap`] made for the same `context`.
    pub fn unwrap(&self, wrapped: &[u8], context: &str) -> SigningResult<Vec<u8>> {
        let Some((&VERSION, rest)) = wrapped.split_first() else {
            return Err(SigningError::Unwrap);
        };
        if rest.len() < NONCE_LEN {
            return Err(SigningError::Unwrap);
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SigningError::Unwrap)?;
        let mut buffer = sealed.to_vec();
        let plain = self
            .key()
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buffer)
            .map_err(|_| SigningError::Unwrap)?;
        Ok(plain.to_vec())
    }
}
