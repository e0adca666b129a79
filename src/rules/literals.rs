//! Automata of literals, each walked once over a text: the prefilters' scans, which only need to
//! know which literals a sentence holds (`super::prefilter`), and the gazetteer's, which needs
//! where each name ends (`super::Gazetteer`).
//!
//! The automata are aho-corasick's (Aho-Corasick, standard semantics: every occurrence of every
//! literal), read over *codes* instead of bytes, and, when their states fit 15 bits, copied into a
//! table of 16-bit transitions. A walk is bound by the time it waits for each transition, which
//! is mostly not in the nearest caches: the codes make the rows half as long as rows over bytes,
//! and 16-bit transitions halve them again.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::{contiguous, noncontiguous};
use aho_corasick::{dfa, Anchored, MatchKind};

/// Whether a [`Scanner`] tells an ASCII letter's two cases apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// A literal is found in either case, and bytes may share a code: the scan may find a
    /// literal that is not there, never miss one that is (for prefilters).
    IgnoreAscii,
    /// A literal is found exactly as it is, and where it ends (for the gazetteer).
    Exact,
}

/// The automaton of a set of literals, over the bytes of the literals and of the haystack as
/// `Scanner::map` codes them: a table of 16-bit transitions when its states fit one
/// (`Table`), else aho-corasick's DFA, or its NFA when a DFA would be too large.
///
/// The codes keep the rows short. Built over the bytes themselves, ignoring case, the automaton
/// would have a column per upper- and lower-case letter and per byte of the accented letters, over
/// 64 in all, so rows of 128 transitions (aho-corasick rounds the row up to a power of two); coded,
/// at most 64.
#[derive(Debug, Clone)]
pub struct Scanner {
    /// Each byte's code: 0 for the bytes that occur in no literal, else a code of its own (the
    /// same for an ASCII letter's two cases when case is ignored); past [`MAX_CODE`] distinct
    /// bytes, the least used share the last code when case is ignored, and each byte is its own
    /// code when it is not. Coding maps a literal found in a haystack to one found in the coded
    /// haystack, so the scan finds every literal it would find without codes (and, where bytes
    /// share a code, perhaps more).
    map: Box<[u8; 256]>,
    walker: Walker,
    /// The length of each literal, in bytes.
    lengths: Box<[usize]>,
    /// The length of the longest literal, in bytes.
    longest: usize,
}

/// The highest code of a [`Scanner`]: with 0, 64 columns at most.
const MAX_CODE: usize = 63;

#[derive(Debug, Clone)]
enum Walker {
    Table(Table),
    Dfa(dfa::DFA),
    Nfa(contiguous::NFA),
    /// When not even a contiguous NFA can be built.
    Large(noncontiguous::NFA),
}

impl Scanner {
    /// The scanner of `literals` (none of them empty); the error is aho-corasick's when it
    /// cannot build their automaton. With more than `dfa_limit` literals, no DFA is tried when
    /// the table cannot hold the states: the NFA is smaller.
    pub fn new<L: AsRef<[u8]>>(
        literals: &[L],
        case: Case,
        dfa_limit: usize,
    ) -> Result<Scanner, aho_corasick::BuildError> {
        let map =
            codes(literals, case).unwrap_or_else(|| Box::new(std::array::from_fn(|b| b as u8)));
        let coded: Vec<Vec<u8>> = literals
            .iter()
            .map(|l| l.as_ref().iter().map(|&b| map[usize::from(b)]).collect())
            .collect();
        let lengths: Box<[usize]> = coded.iter().map(Vec::len).collect();
        let longest = lengths.iter().copied().max().unwrap_or(0);
        let nfa = noncontiguous::NFA::builder().match_kind(MatchKind::Standard).build(&coded)?;
        let fits = map.iter().all(|&c| usize::from(c) <= MAX_CODE);
        let walker = match fits.then(|| Table::of(&nfa)).flatten() {
            Some(table) => Walker::Table(table),
            None => {
                let dfa = (literals.len() <= dfa_limit).then(|| {
                    dfa::DFA::builder()
                        .match_kind(MatchKind::Standard)
                        .start_kind(aho_corasick::StartKind::Unanchored)
                        .build(&coded)
                });
                match dfa {
                    Some(Ok(a)) => Walker::Dfa(a),
                    _ => match contiguous::NFA::builder()
                        .match_kind(MatchKind::Standard)
                        .build(&coded)
                    {
                        Ok(a) => Walker::Nfa(a),
                        Err(_) => Walker::Large(nfa),
                    },
                }
            }
        };
        Ok(Scanner { map, walker, lengths, longest })
    }

    /// Whether the scanner walks a table of 16-bit transitions.
    #[cfg(test)]
    pub(crate) fn is_table(&self) -> bool {
        matches!(self.walker, Walker::Table(_))
    }

    /// Calls `mark` with every literal that occurs in `haystack` and where the occurrence ends,
    /// at least once per occurrence and in no set order: a scan cut in two walks side by side
    /// (`Table::every_literal`) may find an occurrence twice.
    pub fn every_literal(&self, haystack: &[u8], mark: &mut impl FnMut(usize, usize)) {
        match &self.walker {
            Walker::Table(t) => t.every_literal(&self.map, haystack, self.longest, mark),
            Walker::Dfa(a) => every_match(a, &self.map, haystack, mark),
            Walker::Nfa(a) => every_match(a, &self.map, haystack, mark),
            Walker::Large(a) => every_match(a, &self.map, haystack, mark),
        }
    }

    /// Calls `found` with each occurrence of a literal in `haystack`, as the literal's index and
    /// where the occurrence starts and ends: once each, by where they end, and the literals that
    /// end at the same place in the order of aho-corasick's overlapping search.
    pub fn every_match(&self, haystack: &[u8], found: &mut impl FnMut(usize, usize, usize)) {
        let lengths = &self.lengths;
        let mut found = |l: usize, end: usize| found(l, end - lengths[l], end);
        match &self.walker {
            Walker::Table(t) => {
                let mut row = 0;
                for (at, &byte) in haystack.iter().enumerate() {
                    t.step(&self.map, byte, &mut row, at + 1, &mut found);
                }
            }
            Walker::Dfa(a) => every_match(a, &self.map, haystack, &mut found),
            Walker::Nfa(a) => every_match(a, &self.map, haystack, &mut found),
            Walker::Large(a) => every_match(a, &self.map, haystack, &mut found),
        }
    }
}

/// The code of each byte: the bytes of the literals (an ASCII letter as its lower case when case
/// is ignored) numbered from 1, the most used first (by how many literals hold them); `None`
/// when case counts and there are more such bytes than codes.
fn codes<L: AsRef<[u8]>>(literals: &[L], case: Case) -> Option<Box<[u8; 256]>> {
    let fold = |b: u8| if case == Case::IgnoreAscii { b.to_ascii_lowercase() } else { b };
    let mut holders = [0usize; 256];
    for literal in literals {
        let mut seen = [false; 256];
        for &b in literal.as_ref() {
            let b = usize::from(fold(b));
            if !std::mem::replace(&mut seen[b], true) {
                holders[b] += 1;
            }
        }
    }
    let mut used: Vec<usize> = (0..256).filter(|&b| holders[b] > 0).collect();
    if case == Case::Exact && used.len() > MAX_CODE {
        return None;
    }
    used.sort_by_key(|&b| (std::cmp::Reverse(holders[b]), b));
    let mut map = Box::new([0u8; 256]);
    for (rank, &b) in used.iter().enumerate() {
        map[b] = u8::try_from((rank + 1).min(MAX_CODE)).expect("a code fits a byte");
    }
    if case == Case::IgnoreAscii {
        for upper in b'A'..=b'Z' {
            map[usize::from(upper)] = map[usize::from(upper.to_ascii_lowercase())];
        }
    }
    Some(map)
}

/// An Aho-Corasick automaton as a table of 16-bit transitions, a row of `MAX_CODE + 1` per
/// state, each transition the next state's row with [`Table::ENDS`] set when literals end there.
///
/// A scan is bound by the time it waits for the next transition, which is mostly not in the
/// nearest caches (the bundled pack's automata of literals have 258 to 5,033 states, 33 to
/// 644 KB as tables): at half the size of aho-corasick's 32-bit DFA, the table keeps more of its
/// rows there, and the flag in the transition tells whether literals end without a look at the
/// state.
#[derive(Debug, Clone)]
struct Table {
    next: Box<[u16]>,
    /// Where the literals that end at each state are in `literals`: state `s`'s from
    /// `ends[s]` to `ends[s + 1]`.
    ends: Box<[u32]>,
    literals: Box<[u32]>,
}

impl Table {
    /// Set on a transition to a state where literals end.
    const ENDS: u16 = 1 << 15;
    /// A row's length is `1 << ROW_BITS`.
    const ROW_BITS: u32 = 6;

    /// The table of `nfa`'s unanchored search, read from its transitions, with its states in the
    /// order a breadth-first walk from the start meets them (the start is state 0); `None` when
    /// it has more states than 15 bits tell, or a dead state.
    ///
    /// A state's row is its own transitions (an anchored step, which follows no failure
    /// transition) over the row of its failure state, which the walk met before it, being
    /// shallower; a state's failure state is where its parent's failure state's row goes on the
    /// byte that leads to it. So each transition is one step of the NFA, not a walk of failure
    /// transitions (the table is the same: a test compares it with the one stepped through).
    fn of(nfa: &noncontiguous::NFA) -> Option<Table> {
        const ROW: usize = MAX_CODE + 1;
        const _: () = assert!(MAX_CODE + 1 == 1 << Table::ROW_BITS);
        let start = nfa.start_state(Anchored::No).ok()?;
        // each NFA state's row and its failure state's, by its id
        let mut rows: Vec<Option<(u16, u16)>> = Vec::new();
        let row_of =
            |rows: &mut Vec<Option<(u16, u16)>>, order: &mut Vec<_>, sid: StateID, fail| {
                let id = sid.as_usize();
                if rows.len() <= id {
                    rows.resize(id + 1, None);
                }
                if let Some((row, _)) = rows[id] {
                    return Some(row);
                }
                let row = u16::try_from(order.len()).ok().filter(|&r| r < Table::ENDS)?;
                rows[id] = Some((row, fail));
                order.push(sid);
                Some(row)
            };
        let mut order = Vec::new();
        row_of(&mut rows, &mut order, start, 0)?;
        let (mut next, mut ends, mut literals) = (Vec::<u16>::new(), vec![0u32], Vec::new());
        let mut at = 0;
        while let Some(&sid) = order.get(at) {
            let fail = rows[sid.as_usize()]?.1;
            for code in 0..ROW {
                let byte = u8::try_from(code).ok()?;
                let transition = if sid == start {
                    // the start's unanchored step goes back to the start where no literal starts
                    let to = nfa.next_state(Anchored::No, sid, byte);
                    if nfa.is_dead(to) {
                        return None;
                    }
                    let row = row_of(&mut rows, &mut order, to, 0)?;
                    if nfa.is_match(to) {
                        row | Table::ENDS
                    } else {
                        row
                    }
                } else {
                    let failed = next[usize::from(fail) * ROW + code];
                    let to = nfa.next_state(Anchored::Yes, sid, byte);
                    if nfa.is_dead(to) {
                        failed
                    } else {
                        let row = row_of(&mut rows, &mut order, to, failed & !Table::ENDS)?;
                        if nfa.is_match(to) {
                            row | Table::ENDS
                        } else {
                            row
                        }
                    }
                };
                next.push(transition);
            }
            literals.extend((0..nfa.match_len(sid)).map(|i| nfa.match_pattern(sid, i).as_u32()));
            ends.push(u32::try_from(literals.len()).ok()?);
            at += 1;
        }
        Some(Table { next: next.into(), ends: ends.into(), literals: literals.into() })
    }

    /// [`Table::of`] stepped through the unanchored search's transitions, the failure
    /// transitions walked each time: what `of` must give.
    #[cfg(test)]
    fn stepped(nfa: &noncontiguous::NFA) -> Option<Table> {
        const ROW: usize = MAX_CODE + 1;
        let start = nfa.start_state(Anchored::No).ok()?;
        let mut rows: Vec<Option<u16>> = Vec::new();
        let row_of = |rows: &mut Vec<Option<u16>>, order: &mut Vec<_>, sid: StateID| {
            let id = sid.as_usize();
            if rows.len() <= id {
                rows.resize(id + 1, None);
            }
            if let Some(row) = rows[id] {
                return Some(row);
            }
            let row = u16::try_from(order.len()).ok().filter(|&r| r < Table::ENDS)?;
            rows[id] = Some(row);
            order.push(sid);
            Some(row)
        };
        let mut order = Vec::new();
        row_of(&mut rows, &mut order, start)?;
        let (mut next, mut ends, mut literals) = (Vec::new(), vec![0u32], Vec::new());
        let mut at = 0;
        while let Some(&sid) = order.get(at) {
            for code in 0..ROW {
                let to = nfa.next_state(Anchored::No, sid, u8::try_from(code).ok()?);
                if nfa.is_dead(to) {
                    return None;
                }
                let row = row_of(&mut rows, &mut order, to)?;
                next.push(if nfa.is_match(to) { row | Table::ENDS } else { row });
            }
            literals.extend((0..nfa.match_len(sid)).map(|i| nfa.match_pattern(sid, i).as_u32()));
            ends.push(u32::try_from(literals.len()).ok()?);
            at += 1;
        }
        Some(Table { next: next.into(), ends: ends.into(), literals: literals.into() })
    }

    /// Calls `mark` with every literal that occurs in `haystack` and where it ends, whose
    /// literals are at most `longest` bytes long.
    fn every_literal(
        &self,
        map: &[u8; 256],
        haystack: &[u8],
        longest: usize,
        mark: &mut impl FnMut(usize, usize),
    ) {
        // Two walks side by side, each waiting for its transitions while the other's load: the
        // first half, and the second from `longest - 1` bytes before it, so that a literal that
        // ends in the second half lies whole in the second walk. A literal found twice is
        // marked twice, which marks it once. (Four walks measured no faster.)
        let split = haystack.len() / 2;
        if split < longest.max(16) {
            let mut row = 0;
            for (at, &byte) in haystack.iter().enumerate() {
                self.step(map, byte, &mut row, at + 1, mark);
            }
            return;
        }
        let offset = split + 1 - longest;
        let first = &haystack[..split];
        let second = &haystack[offset..];
        let (mut row1, mut row2) = (0, 0);
        for (at, (&byte1, &byte2)) in first.iter().zip(second).enumerate() {
            self.step(map, byte1, &mut row1, at + 1, mark);
            self.step(map, byte2, &mut row2, offset + at + 1, mark);
        }
        for (at, &byte) in second.iter().enumerate().skip(first.len()) {
            self.step(map, byte, &mut row2, offset + at + 1, mark);
        }
    }

    /// Reads `byte` from `row`, and marks the literals that end after it, at `end`.
    #[inline(always)]
    fn step(
        &self,
        map: &[u8; 256],
        byte: u8,
        row: &mut usize,
        end: usize,
        mark: &mut impl FnMut(usize, usize),
    ) {
        let next = self.next[*row + usize::from(map[usize::from(byte)])];
        let state = usize::from(next & !Table::ENDS);
        *row = state << Table::ROW_BITS;
        if next & Table::ENDS != 0 {
            let (from, to) = (self.ends[state], self.ends[state + 1]);
            for &literal in &self.literals[from as usize..to as usize] {
                mark(literal as usize, end);
            }
        }
    }
}

/// Calls `found` with every literal that occurs in `haystack` read through `map` (the codes the
/// automaton was built over) and where it ends, once per occurrence: one walk of the automaton,
/// reading the literals of each match state in place (what an overlapping search does, without
/// stopping at every match).
fn every_match<A: Automaton>(
    automaton: &A,
    map: &[u8; 256],
    haystack: &[u8],
    found: &mut impl FnMut(usize, usize),
) {
    let Ok(mut sid) = automaton.start_state(Anchored::No) else { return };
    for (at, &byte) in haystack.iter().enumerate() {
        sid = automaton.next_state(Anchored::No, sid, map[usize::from(byte)]);
        if automaton.is_special(sid) {
            if automaton.is_dead(sid) {
                return;
            }
            if automaton.is_match(sid) {
                for i in 0..automaton.match_len(sid) {
                    found(automaton.match_pattern(sid, i).as_usize(), at + 1);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The literals of `scanner` that occur in `haystack`, as a scan marks them, and as a
    /// search of each coded literal in the coded haystack finds them.
    fn marked_and_present(
        scanner: &Scanner,
        literals: &[Vec<u8>],
        haystack: &[u8],
    ) -> (Vec<usize>, Vec<usize>) {
        let mut marked = Vec::new();
        let mut ends = Vec::new();
        scanner.every_literal(haystack, &mut |l, end| {
            marked.push(l);
            ends.push((l, end));
        });
        marked.sort_unstable();
        marked.dedup();
        let code = |bytes: &[u8]| bytes.iter().map(|&b| scanner.map[usize::from(b)]).collect();
        let coded: Vec<u8> = code(haystack);
        // each occurrence is told where it ends
        for (l, end) in ends {
            let start = end.checked_sub(literals[l].len()).expect("ends after its length");
            assert_eq!(coded[start..end], code(&literals[l])[..], "literal {l} ending at {end}");
        }
        let present = (0..literals.len())
            .filter(|&i| coded.windows(literals[i].len()).any(|w| *w == code(&literals[i])[..]))
            .collect();
        (marked, present)
    }

    #[test]
    fn a_scan_in_two_walks_finds_a_literal_wherever_it_is() {
        let literals: Vec<Vec<u8>> = ["ab", "abcdef", "é", "xé", "⟨o⟩", "de", "cdef"]
            .iter()
            .map(|l| l.as_bytes().to_vec())
            .collect();
        let scanner = Scanner::new(&literals, Case::IgnoreAscii, usize::MAX).expect("a scanner");
        assert!(matches!(scanner.walker, Walker::Table(_)));
        for len in 0..90 {
            for literal in &literals {
                for at in 0..=len {
                    let mut haystack = vec![b'-'; len];
                    haystack.splice(at..at, literal.iter().copied());
                    let (marked, present) = marked_and_present(&scanner, &literals, &haystack);
                    assert_eq!(marked, present, "{:?}", String::from_utf8_lossy(&haystack));
                    assert!(!marked.is_empty());
                }
            }
        }
    }

    /// 9,000 distinct six-letter words: over 32,767 states, more than a table holds.
    fn nine_thousand_words() -> Vec<Vec<u8>> {
        let word = |i: u64| {
            let mut n = i * 104_729 % 26u64.pow(6);
            let mut letters = Vec::new();
            for _ in 0..6 {
                letters.push(b'a' + u8::try_from(n % 26).unwrap());
                n /= 26;
            }
            letters
        };
        (0..9000).map(word).collect()
    }

    /// Each occurrence of a literal in `haystack`, by aho-corasick's overlapping search: the
    /// order an exact walk gives them in.
    fn overlapping<L: AsRef<[u8]>>(
        literals: &[L],
        haystack: impl AsRef<[u8]>,
    ) -> Vec<(usize, usize, usize)> {
        aho_corasick::AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(literals)
            .unwrap()
            .find_overlapping_iter(haystack.as_ref())
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect()
    }

    #[test]
    fn literals_beyond_the_dfa_limit_and_a_table_are_scanned_by_the_nfa() {
        let literals = nine_thousand_words();
        for case in [Case::IgnoreAscii, Case::Exact] {
            let scanner = Scanner::new(&literals, case, 100).expect("a scanner");
            assert!(matches!(scanner.walker, Walker::Nfa(_)));
            let haystack =
                [b"..".as_slice(), &literals[17], b" et ", &literals[8999], b"!"].concat();
            let (marked, present) = marked_and_present(&scanner, &literals, &haystack);
            assert_eq!(marked, present);
            assert!(marked.contains(&17) && marked.contains(&8999));
            let mut found = Vec::new();
            scanner.every_match(&haystack, &mut |l, start, end| found.push((l, start, end)));
            let expected = overlapping(&literals, &haystack);
            assert_eq!(found, expected);
            assert!(found.contains(&(17, 2, 8)) && found.contains(&(8999, 12, 18)));
        }
    }

    #[test]
    fn literals_with_more_states_than_a_table_holds_are_scanned_by_a_dfa() {
        let literals = nine_thousand_words();
        let scanner = Scanner::new(&literals, Case::IgnoreAscii, usize::MAX).expect("a scanner");
        assert!(matches!(scanner.walker, Walker::Dfa(_)));
        let haystack = [b"...".as_slice(), &literals[17], b" et ", &literals[8999]].concat();
        let (marked, present) = marked_and_present(&scanner, &literals, &haystack);
        assert_eq!(marked, present);
        assert!(marked.contains(&17) && marked.contains(&8999));
    }

    #[test]
    fn coded_bytes_fit_a_short_row_and_keep_every_literal() {
        // 26 letters, then 60 accented ones (two bytes each, 61 distinct bytes): more bytes than
        // codes, so the least used share the last one
        let accented: Vec<char> = ('\u{100}'..'\u{13c}').collect();
        let mut literals: Vec<Vec<u8>> = (b'a'..=b'z').map(|b| vec![b'q', b]).collect();
        literals.extend(accented.iter().map(|c| format!("x{c}").into_bytes()));
        let map = codes(&literals, Case::IgnoreAscii).expect("codes");
        assert!(map.iter().all(|&c| usize::from(c) <= MAX_CODE));
        assert_eq!(map[usize::from(b'Q')], map[usize::from(b'q')]);
        assert_eq!(map[usize::from(b'!')], 0, "a byte of no literal has code 0");
        let letters: std::collections::BTreeSet<u8> =
            (b'a'..=b'z').map(|b| map[usize::from(b)]).collect();
        assert_eq!(letters.len(), 26, "the most used bytes keep codes of their own");
        let scanner = Scanner::new(&literals, Case::IgnoreAscii, usize::MAX).expect("a scanner");
        let marks = |text: &str| {
            let mut marked = Vec::new();
            scanner.every_literal(text.as_bytes(), &mut |l, _| marked.push(l));
            marked
        };
        for (i, literal) in literals.iter().enumerate() {
            let literal = std::str::from_utf8(literal).unwrap();
            assert!(marks(&format!("«{literal}» !")).contains(&i), "{literal}");
            if literal.is_ascii() {
                let upper = literal.to_ascii_uppercase();
                assert!(marks(&format!("«{upper}» !")).contains(&i), "{upper}");
            }
        }
        assert_eq!(marks("Qz, et xĀ."), [25, 26]);
        assert_eq!(marks("rien de cela"), Vec::<usize>::new());
    }

    /// The table of `literals` (coded as a scanner codes them, case ignored), built from the
    /// failure states' rows and stepped through: `None` when the literals do not fit a table.
    fn both_tables(literals: &[Vec<u8>]) -> Option<(Table, Table)> {
        let map = codes(literals, Case::IgnoreAscii)?;
        let coded: Vec<Vec<u8>> =
            literals.iter().map(|l| l.iter().map(|&b| map[usize::from(b)]).collect()).collect();
        let nfa =
            noncontiguous::NFA::builder().match_kind(MatchKind::Standard).build(&coded).ok()?;
        let (of, stepped) = (Table::of(&nfa), Table::stepped(&nfa));
        assert_eq!(of.is_some(), stepped.is_some());
        Some((of?, stepped?))
    }

    fn same_table(a: &Table, b: &Table) -> bool {
        a.next == b.next && a.ends == b.ends && a.literals == b.literals
    }

    #[test]
    fn a_table_built_from_failure_rows_is_the_one_stepped_through() {
        // more states than a table holds: neither is built
        assert!(both_tables(&nine_thousand_words()).is_none());
        // the bundled pack's: every prefilter's literals
        let rules = crate::rules::bundled();
        let p = &rules.prefilters;
        let mut prefilters = vec![&p.entity, &p.relation, &p.money_and_dates];
        prefilters.extend(p.by_language.iter().flat_map(|l| [&l.entity, &l.relation]));
        for prefilter in prefilters {
            let (of, stepped) = both_tables(prefilter.literals()).expect("a table");
            assert!(same_table(&of, &stepped));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn a_table_of_any_literals_is_the_one_stepped_through(
            literals in proptest::collection::vec(proptest::collection::vec(
                proptest::sample::select(b"abcAB ".to_vec()), 1..7), 1..40),
        ) {
            if let Some((of, stepped)) = both_tables(&literals) {
                prop_assert!(same_table(&of, &stepped));
            }
        }

        #[test]
        fn an_exact_scan_finds_what_the_overlapping_search_finds(
            literals in proptest::collection::vec("[abé ]{1,4}", 1..12),
            haystack in "[abéAÉ ]{0,60}",
        ) {
            let scanner = Scanner::new(&literals, Case::Exact, usize::MAX).expect("a scanner");
            let mut found = Vec::new();
            scanner.every_match(haystack.as_bytes(), &mut |l, start, end| found.push((l, start, end)));
            let expected = overlapping(&literals, &haystack);
            prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn an_exact_scan_of_more_bytes_than_codes_reads_bytes() {
        let literals: Vec<String> = ('\u{100}'..'\u{140}').map(|c| format!("a{c}")).collect();
        let scanner = Scanner::new(&literals, Case::Exact, usize::MAX).expect("a scanner");
        assert!(matches!(scanner.walker, Walker::Dfa(_)));
        let mut found = Vec::new();
        scanner.every_match("xaĀ, AĀ aĿ".as_bytes(), &mut |l, start, end| {
            found.push((l, start, end))
        });
        assert_eq!(found, [(0, 1, 4), (63, 10, 13)]);
    }
}
