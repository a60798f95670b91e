//! Following a dossier without an account: its code plus a second factor from the receipt.

use motcua_domain::dossier::{Dossier, DossierCode};
use motcua_storage::StoreError;

use crate::portal::TimelineEntry;
use crate::{ServiceError, ServiceResult, Services};

/// The one answer for every failed lookup, so a stranger cannot tell a wrong code from a
/// wrong second factor.
fn no_match() -> ServiceError {
    ServiceError::Store(StoreError::NotFound {
        what: "hồ sơ với mã và thông tin xác minh này / a dossier with this code and verification"
            .into(),
    })
}

/// A code as typed, or what is wrong with it.
fn parse_code(code: &str) -> ServiceResult<DossierCode> {
    code.trim()
        .parse()
        .map_err(|e: motcua_domain::dossier::DossierError| ServiceError::Invalid(e.to_string()))
}

/// Digits of a phone number, without a leading country code 84 (0912… and +84 912… match).
fn phone_digits(text: &str) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("84") {
        Some(rest) if digits.len() > 10 => format!("0{rest}"),
        _ => digits,
    }
}

/// Compares without stopping at the first difference, so timing does not leak the secret.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether `factor` is the dossier's lookup secret or the applicant's phone number.
pub fn second_factor_matches(dossier: &Dossier, factor: &str) -> bool {
    let factor = factor.trim();
    if factor.is_empty() {
        return false;
    }
    let secret = &dossier.submission.lookup_secret;
    if !secret.is_empty() && same(&factor.to_uppercase(), secret) {
        return true;
    }
    let given = phone_digits(factor);
    dossier
        .submission
        .applicant
        .phone
        .as_deref()
        .is_some_and(|phone| given.len() >= 9 && same(&phone_digits(phone), &given))
}

impl Services {
    /// A dossier by its code and the lookup secret printed on the receipt, or the phone
    /// number given at submission. Any mismatch gets the same "not found" answer.
    pub async fn track_dossier(&self, code: &str, factor: &str) -> ServiceResult<Dossier> {
        let code = parse_code(code)?;
        let dossier = match self.find_dossier(&code).await {
            Ok(d) => d,
            Err(ServiceError::Store(StoreError::NotFound { .. })) => return Err(no_match()),
            Err(e) => return Err(e),
        };
        if second_factor_matches(&dossier, factor) {
            Ok(dossier)
        } else {
            Err(no_match())
        }
    }

    /// [`Services::track_dossier`] with the dossier's public history
    /// ([`Services::dossier_timeline`]), read together.
    ///
    /// # Errors
    /// As [`Services::track_dossier`].
    pub async fn track_dossier_with_timeline(
        &self,
        code: &str,
        factor: &str,
    ) -> ServiceResult<(Dossier, Vec<TimelineEntry>)> {
        let code = parse_code(code)?;
        let Some((dossier, timeline)) = self
            .store()
            .dossier_with_timeline(&code.to_string())
            .await?
        else {
            return Err(no_match());
        };
        if !second_factor_matches(&dossier, factor) {
            return Err(no_match());
        }
        let timeline = timeline
            .into_iter()
            .map(|(kind, at)| TimelineEntry { kind, at })
            .collect();
        Ok((dossier, timeline))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_match_with_or_without_the_country_code() {
        assert_eq!(phone_digits("+84 912 345 678"), "0912345678");
        assert_eq!(phone_digits("0912.345.678"), "0912345678");
        assert!(same("ABC", "ABC"));
        assert!(!same("ABC", "ABD"));
        assert!(!same("ABC", "ABCD"));
    }
}
