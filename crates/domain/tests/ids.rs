//! Identification numbers: the 63 place codes and real tax codes.

use motcua_domain::ids::{IdError, PLACE_CODES, PersonalId, Sex, TaxCode, tax_check_digit};

const PROVINCES_PRE2025: &str = include_str!("../../../data/units/provinces-pre2025.csv");

#[test]
fn place_codes_are_the_63_pre2025_provinces() {
    let codes: Vec<u16> = PROVINCES_PRE2025
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next()?.parse().ok())
        .collect();
    let mut ours: Vec<u16> = PLACE_CODES.iter().map(|(c, _)| *c).collect();
    ours.sort_unstable();
    assert_eq!(ours, codes);
    for (code, _) in PLACE_CODES {
        let id: PersonalId = format!("{code:03}095000123").parse().unwrap();
        assert_eq!(id.place_code(), code);
    }
}

#[test]
fn century_digits_cover_five_centuries() {
    for (digit, start, sex) in [
        (0, 1900, Sex::Male),
        (1, 1900, Sex::Female),
        (2, 2000, Sex::Male),
        (3, 2000, Sex::Female),
        (8, 2300, Sex::Male),
        (9, 2300, Sex::Female),
    ] {
        let id: PersonalId = format!("079{digit}99123456").parse().unwrap();
        assert_eq!(id.birth_year(), start + 99);
        assert_eq!(id.sex(), sex);
        assert!(id.check_birth_year(start + 99).is_ok());
        assert!(matches!(
            id.check_birth_year(start - 1),
            Err(IdError::CenturyMismatch { .. })
        ));
    }
}

#[test]
fn debug_is_masked_even_inside_structs() {
    #[derive(Debug)]
    #[expect(dead_code, reason = "only printed")]
    struct Applicant {
        id: PersonalId,
    }
    let a = Applicant {
        id: "001203012345".parse().unwrap(),
    };
    let shown = format!("{a:?} {a:#?}");
    assert!(!shown.contains("001203012345"));
    assert!(shown.contains("001*******45"));
}

#[test]
fn real_tax_codes() {
    // Viettel (regulations.md §5.3) and its check digit.
    assert!("0100109106".parse::<TaxCode>().is_ok());
    assert_eq!(tax_check_digit(&[0, 1, 0, 0, 1, 0, 9, 1, 0]), Some(6));
    // Every single-digit change of a valid code is caught (the weights are prime to 11).
    let digits = "0100109106";
    for pos in 0..9 {
        for d in b'0'..=b'9' {
            let mut s = digits.as_bytes().to_vec();
            if s[pos] == d {
                continue;
            }
            s[pos] = d;
            let changed = String::from_utf8(s).unwrap();
            assert!(changed.parse::<TaxCode>().is_err(), "{changed}");
        }
    }
    let msg = "0100109105".parse::<TaxCode>().unwrap_err().to_string();
    assert_eq!(
        msg,
        "Chữ số kiểm tra của mã số thuế sai: là 5, phải là 6 / Wrong tax-code check digit: found 5, expected 6"
    );
}
