//! Vietnamese folding and ranking with real names from the shipped data.

use motcua_domain::fold::{MatchKind, Query, SearchIndex, fold, score};

const PROVINCES: &str = include_str!("../../../data/units/provinces.csv");
const COMMUNES: &str = include_str!("../../../data/units/communes.csv");

fn names(csv: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn every_shipped_unit_name_folds_to_its_english_name() {
    // The upstream English names are the ASCII transliteration, so fold must agree with
    // them (modulo a few exonyms such as "Hanoi").
    let mut mismatches = Vec::new();
    for line in PROVINCES.lines().chain(COMMUNES.lines().skip(1)).skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (name, en) = (cells[1], cells[2]);
        if fold(name) != fold(en) {
            mismatches.push(format!("{name} / {en}"));
        }
    }
    assert!(
        mismatches.len() < 40,
        "{} mismatches: {mismatches:?}",
        mismatches.len()
    );
}

#[test]
fn folded_names_are_ascii_for_vietnamese() {
    for n in names(COMMUNES) {
        let f = fold(&n);
        assert!(f.is_ascii(), "{n} → {f}");
        assert_eq!(f, f.trim());
    }
}

#[test]
fn commune_search_ignores_diacritics_and_tone_placement() {
    let communes = names(COMMUNES);
    let index = SearchIndex::new(communes.iter().enumerate().map(|(i, n)| (i, n.clone())));
    let hits = index.search("dong da", 5);
    assert_eq!(hits[0].name, "Đống Đa");
    assert_eq!(hits[0].kind, MatchKind::FoldedPhrase);
    let hits = index.search("Đống Đa", 5);
    assert_eq!(hits[0].kind, MatchKind::AccentedPhrase);
    assert!(index.search("xyzzy", 5).is_empty());
}

#[test]
fn query_reuse_matches_score() {
    let q = Query::new("cap doi giay phep").unwrap();
    assert_eq!(q.tokens(), ["cap", "doi", "giay", "phep"]);
    let name = "Cấp đổi giấy phép lái xe";
    assert_eq!(q.score(name), score("cap doi giay phep", name));
    assert!(Query::new(" \t").is_none());
}
