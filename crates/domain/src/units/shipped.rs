//! The unit reference data shipped in `data/units/`, embedded at compile time.
//!
//! Sources, licences (MIT notices of thanglequoc and dvhcvn) and caveats are in
//! `data/units/README.md`. Embedding keeps the product independent of any checkout of the
//! upstream data: a fresh clone builds and runs with these files alone.

use super::UnitRegistry;
use super::data::{LoadError, ReferenceData, load};

/// `data/units/provinces.csv`.
pub const PROVINCES: &str = include_str!("../../../../data/units/provinces.csv");
/// `data/units/communes.csv`.
pub const COMMUNES: &str = include_str!("../../../../data/units/communes.csv");
/// `data/units/provinces-pre2025.csv`.
pub const PROVINCES_PRE2025: &str = include_str!("../../../../data/units/provinces-pre2025.csv");
/// `data/units/districts-pre2025.csv`.
pub const DISTRICTS_PRE2025: &str = include_str!("../../../../data/units/districts-pre2025.csv");
/// `data/units/communes-pre2025.csv`.
pub const COMMUNES_PRE2025: &str = include_str!("../../../../data/units/communes-pre2025.csv");
/// `data/units/commune-merges-2025.csv`.
pub const COMMUNE_MERGES_2025: &str =
    include_str!("../../../../data/units/commune-merges-2025.csv");
/// `data/units/ministries.csv`.
pub const MINISTRIES: &str = include_str!("../../../../data/units/ministries.csv");
/// `data/units/dvcqg-province-agency-codes.csv`.
pub const PROVINCE_AGENCY_CODES: &str =
    include_str!("../../../../data/units/dvcqg-province-agency-codes.csv");

/// The embedded files, ready for [`load`].
pub fn reference_data() -> ReferenceData<'static> {
    ReferenceData {
        provinces: PROVINCES,
        communes: COMMUNES,
        provinces_pre2025: PROVINCES_PRE2025,
        districts_pre2025: DISTRICTS_PRE2025,
        communes_pre2025: COMMUNES_PRE2025,
        commune_merges_2025: COMMUNE_MERGES_2025,
        ministries: MINISTRIES,
        province_agency_codes: PROVINCE_AGENCY_CODES,
    }
}

/// Parses the embedded files into a registry (a few milliseconds; call once and share it).
pub fn registry() -> Result<UnitRegistry, LoadError> {
    load(&reference_data())
}
