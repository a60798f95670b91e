//! The procedure catalogue shipped in `data/catalogue/procedures.csv`, embedded at compile
//! time.
//!
//! 2,849 procedures of the national catalogue (6 ministries, the State Bank, the Supreme
//! People's Court and the Ministry of Defence), derived by `tools/derive-data.py`. Sources,
//! licences and caveats (e.g. time limits missing for some rows, derived online levels) are
//! in `data/catalogue/README.md`. It is reference data, not the legal record.

use super::Procedure;
use super::codec::{ImportError, import_csv};

/// The text of `data/catalogue/procedures.csv`.
pub const PROCEDURES_CSV: &str = include_str!("../../../../data/catalogue/procedures.csv");

/// Parses the embedded catalogue (tens of milliseconds; call once and share it).
pub fn procedures() -> Result<Vec<Procedure>, ImportError> {
    import_csv(PROCEDURES_CSV)
}
