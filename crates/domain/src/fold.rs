//! Vietnamese search folding: match procedure and place names with or without diacritics.
//!
//! Citizens type `thu tuc dang ky` as often as `thủ tục đăng ký`, and sources disagree on
//! tone-mark placement (`hoà` / `hòa`). [`fold`] maps all of these to one ASCII-ish key, and
//! [`score`] / [`SearchIndex`] rank names against a query (see `shared/deps.md` §1.6: one fold
//! function, a folded column next to the name, and an in-memory index for type-ahead).

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for search: NFD, drop combining marks, `đ`/`Đ` → `d`, lowercase, collapse
/// whitespace (trimmed, single ASCII spaces).
///
/// `đ` needs its own rule because U+0111 has no Unicode decomposition, so NFD alone leaves
/// `đăng ký` as `đang ky` and a query `dang ky` would not match (deps.md §1.6).
///
/// ```
/// use motcua_domain::fold::fold;
/// assert_eq!(fold("Thủ tục  đăng ký"), "thu tuc dang ky");
/// assert_eq!(fold("hoà"), fold("hòa"));
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Normalises text for the "exact accented" comparison: NFC, lowercase, collapsed whitespace.
///
/// Unlike [`fold`] this keeps diacritics, so `hoà` and `hòa` stay different.
pub fn normalize_accented(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    let lower = nfc.to_lowercase();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a name matched a query, from best to worst. Used as the major part of [`score`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// Every folded token occurs somewhere in the folded name, some only inside a word.
    Substrings = 1,
    /// Every folded token occurs as a whole word of the folded name.
    Words = 2,
    /// The whole folded query occurs as one phrase in the folded name.
    FoldedPhrase = 3,
    /// The query, with its diacritics (NFC, case-insensitive), occurs as one phrase.
    AccentedPhrase = 4,
}

/// Points per [`MatchKind`] step; larger than every bonus below so kinds never overlap.
const KIND_WEIGHT: u32 = 1_000_000;
/// Bonus when the phrase or first token starts the name ("Chứng thực…" for "chung thuc").
const START_BONUS: u32 = 200_000;
/// Bonus per token that is a whole word (half for a word prefix), up to `WORD_BONUS_CAP`.
const WORD_BONUS: u32 = 10_000;
/// Cap on the accumulated whole-word bonus.
const WORD_BONUS_CAP: u32 = 100_000;
/// Names longer than this (in chars) get no extra shortness points.
const LENGTH_CAP: u32 = 9_999;

/// A query prepared once and matched against many names.
#[derive(Debug, Clone)]
pub struct Query {
    accented: String,
    folded: String,
    tokens: Vec<String>,
}

impl Query {
    /// Prepares `query`; `None` when it has no tokens (empty or only whitespace).
    pub fn new(query: &str) -> Option<Self> {
        let folded = fold(query);
        if folded.is_empty() {
            return None;
        }
        let tokens = folded.split(' ').map(str::to_owned).collect();
        Some(Self {
            accented: normalize_accented(query),
            folded,
            tokens,
        })
    }

    /// The folded query tokens.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// Scores a name given its precomputed [`normalize_accented`] and [`fold`] forms.
    ///
    /// Returns `None` unless every folded token occurs in the folded name.
    pub fn score_prepared(
        &self,
        accented_name: &str,
        folded_name: &str,
    ) -> Option<(MatchKind, u32)> {
        if !self.matches(folded_name) {
            return None;
        }
        let words: Vec<&str> = folded_name.split(' ').collect();
        self.score_words(accented_name, folded_name, &words)
    }

    /// Whether every folded token occurs in `folded_name` (the cheap test a name must pass
    /// before it is scored).
    fn matches(&self, folded_name: &str) -> bool {
        self.tokens.iter().all(|t| folded_name.contains(t.as_str()))
    }

    /// [`Query::score_prepared`] of a name that [matches](Query::matches), given its
    /// folded words too (an index splits each name once, not at every query).
    fn score_words<W: AsRef<str>>(
        &self,
        accented_name: &str,
        folded_name: &str,
        words: &[W],
    ) -> Option<(MatchKind, u32)> {
        let has_word = |t: &str| words.iter().any(|w| w.as_ref() == t);
        let whole_words = self.tokens.iter().filter(|t| has_word(t.as_str())).count();
        let (kind, starts) = if let Some(pos) = accented_name.find(&self.accented) {
            (MatchKind::AccentedPhrase, pos == 0)
        } else if let Some(pos) = folded_name.find(&self.folded) {
            (MatchKind::FoldedPhrase, pos == 0)
        } else if whole_words == self.tokens.len() {
            let first = self.tokens.first().map(String::as_str);
            (MatchKind::Words, words.first().map(AsRef::as_ref) == first)
        } else {
            let first = self.tokens.first().map(String::as_str).unwrap_or_default();
            (MatchKind::Substrings, folded_name.starts_with(first))
        };
        // Tokens that start a word ("gia" in "giấy") beat tokens found mid-word.
        let prefixes = self
            .tokens
            .iter()
            .filter(|t| {
                !has_word(t.as_str()) && words.iter().any(|w| w.as_ref().starts_with(t.as_str()))
            })
            .count();
        let word_bonus = u32::try_from(whole_words * 2 + prefixes)
            .unwrap_or(u32::MAX)
            .saturating_mul(WORD_BONUS / 2)
            .min(WORD_BONUS_CAP);
        let length = u32::try_from(folded_name.chars().count())
            .unwrap_or(u32::MAX)
            .min(LENGTH_CAP);
        let score = kind as u32 * KIND_WEIGHT
            + if starts { START_BONUS } else { 0 }
            + word_bonus
            + (LENGTH_CAP - length);
        Some((kind, score))
    }

    /// Scores a raw name (folds it first).
    pub fn score(&self, name: &str) -> Option<u32> {
        self.score_prepared(&normalize_accented(name), &fold(name))
            .map(|(_, s)| s)
    }
}

/// Ranks `name` against `query`; `None` when some folded query token is missing from the
/// folded name, or when the query is empty.
///
/// Higher is better. Ranking, most important first: exact accented phrase (NFC,
/// case-insensitive) > folded phrase > all tokens as whole words > tokens inside words;
/// then a match at the start of the name; then more tokens matching whole words (then word
/// prefixes); then shorter names.
///
/// ```
/// use motcua_domain::fold::score;
/// let a = score("chung thuc ban sao", "Chứng thực bản sao từ bản chính").unwrap();
/// let b = score("chung thuc ban sao", "Cấp bản sao trích lục, chứng thực chữ ký").unwrap();
/// assert!(a > b);
/// assert_eq!(score("hộ chiếu", "Cấp giấy phép lái xe"), None);
/// ```
pub fn score(query: &str, name: &str) -> Option<u32> {
    Query::new(query)?.score(name)
}

/// One search result: the caller's key, the name and its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<'a, K> {
    /// The key given to [`SearchIndex::new`], e.g. a procedure code.
    pub key: &'a K,
    /// The original (unfolded) name.
    pub name: &'a str,
    /// How the name matched.
    pub kind: MatchKind,
    /// The [`score`] of the name; higher is better.
    pub score: u32,
}

#[derive(Debug, Clone)]
struct Entry<K> {
    key: K,
    name: String,
    accented: String,
    folded: String,
    /// `folded` split into words.
    words: Vec<String>,
}

/// An in-memory index of (key, name) pairs, folded once, for type-ahead search.
///
/// A name matches when every folded query token occurs in its folded form, so a token of
/// three bytes or more can only occur in names holding each of its byte trigrams: the index
/// keeps, for every trigram, the names holding it, and a search scores only the names in
/// the intersection of its tokens' trigrams (a few dozen of a catalogue's thousands), with
/// the same test and [`score`] a linear scan applies. Queries whose tokens are all shorter
/// scan every name. A linear scan cost 0.15–0.42 ms per query (deps.md §1.6), which the
/// portal's search page paid at every request.
#[derive(Debug, Clone)]
pub struct SearchIndex<K> {
    entries: Vec<Entry<K>>,
    /// Byte trigrams of the folded names, each with the entries holding it, ascending.
    trigrams: HashMap<[u8; 3], Vec<u32>>,
}

/// The distinct byte trigrams of `text`.
fn trigrams(text: &str) -> impl Iterator<Item = [u8; 3]> + '_ {
    text.as_bytes().windows(3).map(|w| [w[0], w[1], w[2]])
}

impl<K> SearchIndex<K> {
    /// Builds the index, folding every name once.
    pub fn new<N: Into<String>>(items: impl IntoIterator<Item = (K, N)>) -> Self {
        let entries = items
            .into_iter()
            .map(|(key, name)| {
                let name = name.into();
                let folded = fold(&name);
                Entry {
                    key,
                    accented: normalize_accented(&name),
                    words: folded.split(' ').map(str::to_owned).collect(),
                    folded,
                    name,
                }
            })
            .collect::<Vec<Entry<K>>>();
        let mut grams: HashMap<[u8; 3], Vec<u32>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for gram in trigrams(&e.folded) {
                let list = grams.entry(gram).or_default();
                // Entries come in order, so a repeated trigram of one name is the last.
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        Self {
            entries,
            trigrams: grams,
        }
    }

    /// The entries that can match `q`, ascending: those holding every trigram of its
    /// tokens of three bytes or more; `None` (every entry) when it has no such token.
    fn candidates(&self, q: &Query) -> Option<Vec<u32>> {
        let mut lists: Vec<&[u32]> = Vec::new();
        for token in q.tokens.iter().filter(|t| t.len() >= 3) {
            for gram in trigrams(token) {
                match self.trigrams.get(&gram) {
                    Some(list) => lists.push(list),
                    None => return Some(Vec::new()),
                }
            }
        }
        lists.sort_by_key(|l| l.len());
        let (first, rest) = lists.split_first()?;
        let mut out = first.to_vec();
        for list in rest {
            if out.is_empty() {
                break;
            }
            out.retain(|i| list.binary_search(i).is_ok());
        }
        Some(out)
    }

    /// Number of indexed names.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no names.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` matches for `query`, best first; ties keep insertion order.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit<'_, K>> {
        let Some(q) = Query::new(query) else {
            return Vec::new();
        };
        let candidates: Box<dyn Iterator<Item = &Entry<K>>> = match self.candidates(&q) {
            Some(list) => Box::new(
                list.into_iter()
                    .filter_map(|i| self.entries.get(i as usize)),
            ),
            None => Box::new(self.entries.iter()),
        };
        let mut hits: Vec<Hit<'_, K>> = candidates
            .filter(|e| q.matches(&e.folded))
            .filter_map(|e| {
                q.score_words(&e.accented, &e.folded, &e.words)
                    .map(|(kind, score)| Hit {
                        key: &e.key,
                        name: &e.name,
                        kind,
                        score,
                    })
            })
            .collect();
        // Stable sort: equal scores keep the order the caller indexed them in.
        hits.sort_by_key(|h| std::cmp::Reverse(h.score));
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_diacritics_case_and_d() {
        assert_eq!(fold("Thủ tục đăng ký"), "thu tuc dang ky");
        assert_eq!(fold("ĐĂNG KÝ ĐẤT ĐAI"), "dang ky dat dai");
        assert_eq!(fold("Ưu đãi"), "uu dai");
        assert_eq!(fold("  Cấp\tđổi\n giấy  phép "), "cap doi giay phep");
        assert_eq!(fold(""), "");
        assert_eq!(fold("   "), "");
    }

    #[test]
    fn folds_both_tone_placements_and_normal_forms() {
        assert_eq!(fold("hoà"), "hoa");
        assert_eq!(fold("hòa"), "hoa");
        assert_eq!(fold("Thuỷ"), fold("Thủy"));
        let decomposed: String = "Khánh Hòa".nfd().collect();
        assert_eq!(fold(&decomposed), "khanh hoa");
    }

    #[test]
    fn fold_is_idempotent() {
        for s in ["Thủ tục", "Đắk Lắk", "Bà Rịa–Vũng Tàu", "ABC  def"] {
            assert_eq!(fold(&fold(s)), fold(s));
        }
    }

    #[test]
    fn ranks_match_kinds_in_order() {
        let accented = score("bản sao", "Chứng thực bản sao").unwrap();
        let folded = score("ban sao", "Chứng thực bản sao").unwrap();
        let words = score("sao ban", "Chứng thực bản sao").unwrap();
        let prefix = score("sa ban", "Chứng thực bản sao").unwrap();
        let partial = score("ao ban", "Chứng thực bản sao").unwrap();
        assert!(accented > folded, "{accented} > {folded}");
        assert!(folded > words, "{folded} > {words}");
        assert!(words > prefix, "{words} > {prefix}");
        assert!(prefix > partial, "{prefix} > {partial}");
    }

    #[test]
    fn shorter_names_break_ties() {
        let short = score("ban sao", "Cấp bản sao").unwrap();
        let long = score("ban sao", "Cấp bản sao từ sổ gốc kèm giấy tờ khác").unwrap();
        assert!(short > long);
    }

    #[test]
    fn every_token_must_match() {
        assert_eq!(score("ban sao ho chieu", "Chứng thực bản sao"), None);
        assert_eq!(score("", "Chứng thực bản sao"), None);
        assert!(score("CHỨNG THỰC", "Chứng thực bản sao").is_some());
    }

    #[test]
    fn index_search_orders_and_limits() {
        let index = SearchIndex::new([
            (1, "Cấp bản sao trích lục hộ tịch"),
            (2, "Chứng thực bản sao từ bản chính"),
            (3, "Đăng ký khai sinh"),
        ]);
        assert_eq!(index.len(), 3);
        let hits = index.search("chung thuc ban sao", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(*hits[0].key, 2);
        let hits = index.search("ban sao", 1);
        assert_eq!(hits.len(), 1);
        assert!(index.search("  ", 5).is_empty());
        assert_eq!(*index.search("dang ky", 5)[0].key, 3);
    }

    /// The linear scan the index replaces: every name tested and scored.
    fn scan(names: &[String], query: &str) -> Vec<(usize, u32)> {
        let Some(q) = Query::new(query) else {
            return Vec::new();
        };
        let mut hits: Vec<(usize, u32)> = names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                q.score_prepared(&normalize_accented(n), &fold(n))
                    .map(|(_, s)| (i, s))
            })
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.1));
        hits
    }

    #[test]
    fn index_finds_what_a_scan_finds() {
        let names: Vec<String> = [
            "Đăng ký khai sinh",
            "Đăng ký kết hôn",
            "Đăng ký lại khai sinh",
            "Chứng thực bản sao từ bản chính",
            "Cấp giấy phép xây dựng",
            "Đăng ký thành lập hộ kinh doanh",
            "Giao đất, cho thuê đất",
            "Đăng ký thường trú",
            "Xoá đăng ký thường trú",
            "Ký",
        ]
        .map(str::to_owned)
        .to_vec();
        let index = SearchIndex::new(names.iter().enumerate().map(|(i, n)| (i, n.as_str())));
        for query in [
            "khai sinh",
            "dang ky",
            "ĐĂNG KÝ KẾT HÔN",
            "ky",
            "k",
            "tru",
            "thuong tru",
            "xay dung",
            "dat",
            "đất đai",
            "an",
            "zzz",
            "ho kinh",
            "y",
        ] {
            let found: Vec<(usize, u32)> = index
                .search(query, usize::MAX)
                .into_iter()
                .map(|h| (*h.key, h.score))
                .collect();
            assert_eq!(found, scan(&names, query), "{query}");
        }
    }

    proptest::proptest! {
        #[test]
        fn index_agrees_with_a_scan(
            names in proptest::collection::vec("[a-dđăâ ]{0,12}", 0..24),
            query in "[a-dđăâ ]{0,6}",
        ) {
            let index = SearchIndex::new(names.iter().enumerate().map(|(i, n)| (i, n.as_str())));
            let found: Vec<(usize, u32)> = index
                .search(&query, usize::MAX)
                .into_iter()
                .map(|h| (*h.key, h.score))
                .collect();
            proptest::prop_assert_eq!(found, scan(&names, &query));
        }
    }
}
