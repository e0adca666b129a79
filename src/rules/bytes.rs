//! One byte per character: a rule pack's patterns compiled over a small alphabet of bytes, and
//! a haystack read as one byte per character.
//!
//! [`super::alphabet`] cuts a pattern's classes down so that most characters above Latin-1 are
//! read through a stand-in, but the automata still read UTF-8: every class that holds accented
//! letters or the placeholders' private-use codes takes a few states for the two- and
//! three-byte sequences, a bounded repetition of such a class (`[^.;:⟨⟩]{0,60}`) repeats them
//! each time, and resolving the groups of a match walks them all. A [`ByteAlphabet`] gives every
//! character from U+0080 up a byte from 0x80 up that stands for all the characters the pack's
//! patterns treat alike (those in exactly the same of their classes and literals), whatever
//! their length in UTF-8; ASCII stands for itself. A pattern is compiled over bytes
//! ([`ByteAlphabet::translate`]), each class a set of bytes, and a haystack is read as the bytes
//! of its characters ([`ByteAlphabet::map_into`]), with where its characters from U+0080 up
//! are, to give the matches' offsets back in the text ([`ByteView::offset`]).
//!
//! One alphabet serves a whole pack, so a sentence is mapped once for all the patterns that
//! read it. A pack whose patterns need more than 128 groups, and a pattern that depends on more
//! than its classes and literals (a Unicode word boundary, a byte class), keep UTF-8.

use std::collections::HashMap;

use regex_syntax::hir::{Capture, Class, ClassBytes, ClassBytesRange, ClassUnicodeRange, Hir};
use regex_syntax::hir::{HirKind, Literal};
use regex_syntax::hir::{Look, Repetition};

/// The first character that is given the byte of its group: the ones before it are ASCII and
/// stand for themselves.
const FIRST_GROUPED: u32 = 0x80;

/// Characters before this one (the Basic Multilingual Plane) are looked up in tables of 256
/// characters; the others in the intervals.
const TABLE_END: u32 = 0x1_0000;

/// A pattern's sets of characters from U+0080 up, as sorted inclusive ranges: one per class and
/// one per character of a literal ([`sets_of`]).
pub type CharSets = Vec<Vec<(u32, u32)>>;

/// How a pack's characters from U+0080 up are grouped, and the byte of each group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteAlphabet {
    /// Intervals covering U+0080..=U+10FFFF (less the surrogates), sorted: the first character of
    /// each, and the byte of its group.
    intervals: Vec<(u32, u8)>,
    /// Per 256 characters before `TABLE_END`: the byte of them all (below 256), or 256 plus the
    /// index of their table in `tables`.
    pages: Vec<u16>,
    /// The byte of each character of the pages whose characters have more than one.
    tables: Vec<[u8; 256]>,
    /// The classes translated so far ([`ByteAlphabet::translate`]): the same Unicode classes
    /// (`\p{L}`, `\p{Lu}`, a lexicon's letters) stand in most patterns of a pack.
    classes: ClassMemo,
}

/// A class of this many ranges or more is looked up in the memo ([`ClassMemo`]); a smaller one,
/// such as a letter in either case (`(?i:…)` makes thousands of them in a lexicon), is translated
/// at once, which costs less than looking it up.
const MEMO_RANGES: usize = 16;

/// Unicode classes and their bytes, for every thread that builds patterns of the pack, until it
/// is released ([`ByteAlphabet::release_memo`]).
#[derive(Default)]
struct ClassMemo {
    classes: std::sync::Mutex<HashMap<ClassKey, ClassBytes>>,
    released: std::sync::atomic::AtomicBool,
}

impl Clone for ClassMemo {
    /// An empty memo: it only saves work.
    fn clone(&self) -> Self {
        ClassMemo::default()
    }
}

impl PartialEq for ClassMemo {
    /// Always: the memo is no part of what an alphabet is.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ClassMemo {}

impl ClassMemo {
    fn is_released(&self) -> bool {
        self.released.load(std::sync::atomic::Ordering::Acquire)
    }
}

impl std::fmt::Debug for ClassMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClassMemo")
    }
}

/// A class's ranges, hashed by their count and ends only (a class of hundreds of ranges is
/// hashed in a few steps) and compared whole.
#[derive(PartialEq, Eq)]
struct ClassKey(Box<[(u32, u32)]>);

impl std::hash::Hash for ClassKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let ranges = &self.0;
        (ranges.len(), ranges.first(), ranges.get(ranges.len() / 2), ranges.last()).hash(state);
    }
}

impl ByteAlphabet {
    /// The alphabet that tells apart what the patterns of `sets` tell apart, or `None` when that
    /// takes more than 128 groups.
    pub fn new<'a>(sets: impl IntoIterator<Item = &'a CharSets>) -> Option<ByteAlphabet> {
        let mut sets: Vec<&[(u32, u32)]> = sets.into_iter().flatten().map(Vec::as_slice).collect();
        sets.sort();
        sets.dedup();
        let (starts, member_of) = intervals(&sets, &[FIRST_GROUPED, 0x11_0000], |_| true);
        let mut groups: HashMap<&[u32], u8> = HashMap::new();
        let mut intervals = Vec::with_capacity(starts.len());
        for (&start, members) in starts.iter().zip(&member_of) {
            let byte = match groups.get(members.as_slice()) {
                Some(&byte) => byte,
                None => {
                    let byte = u8::try_from(FIRST_GROUPED as usize + groups.len()).ok()?;
                    groups.insert(members, byte);
                    byte
                }
            };
            intervals.push((start, byte));
        }
        let mut alphabet = ByteAlphabet {
            intervals,
            pages: Vec::new(),
            tables: Vec::new(),
            classes: ClassMemo::default(),
        };
        for page in 0..TABLE_END >> 8 {
            let table: [u8; 256] = std::array::from_fn(|i| alphabet.lookup((page << 8) + i as u32));
            if table.iter().all(|&b| b == table[0]) {
                alphabet.pages.push(u16::from(table[0]));
            } else {
                alphabet.pages.push(256 + alphabet.tables.len() as u16);
                alphabet.tables.push(table);
            }
        }
        Some(alphabet)
    }

    /// The byte of `c`, from the intervals: ASCII and the surrogates (which are no characters)
    /// stand for themselves, by their low byte.
    fn lookup(&self, c: u32) -> u8 {
        if c < FIRST_GROUPED || (0xD800..0xE000).contains(&c) {
            return c as u8;
        }
        let i = self.intervals.partition_point(|&(start, _)| start <= c);
        self.intervals[i - 1].1
    }

    /// The byte that stands for `c`.
    #[inline]
    pub fn byte(&self, c: char) -> u8 {
        let c = c as u32;
        if c < FIRST_GROUPED {
            c as u8
        } else if c < TABLE_END {
            match self.pages[(c >> 8) as usize] {
                page @ 0..=255 => page as u8,
                table => self.tables[usize::from(table - 256)][(c & 0xFF) as usize],
            }
        } else {
            self.lookup(c)
        }
    }

    /// The bytes of the characters of the inclusive `ranges`.
    fn class(&self, ranges: impl Iterator<Item = (u32, u32)>) -> ClassBytes {
        let mut bytes = Vec::new();
        for (lo, hi) in ranges {
            if lo < FIRST_GROUPED {
                bytes.push(ClassBytesRange::new(lo as u8, hi.min(FIRST_GROUPED - 1) as u8));
            }
            if hi < FIRST_GROUPED {
                continue;
            }
            // a class of a pattern of the alphabet holds each interval whole or not at all
            let lo = lo.max(FIRST_GROUPED);
            let first = self.intervals.partition_point(|&(start, _)| start < lo);
            for &(start, byte) in &self.intervals[first..] {
                if start > hi {
                    break;
                }
                bytes.push(ClassBytesRange::new(byte, byte));
            }
        }
        ClassBytes::new(bytes)
    }

    /// `hir` over bytes: each character of a literal becomes its byte, each class the bytes of
    /// its characters. `hir` must be a pattern whose sets ([`sets_of`]) went into the alphabet.
    pub fn translate(&self, hir: &Hir) -> Hir {
        map_leaves(hir, &|leaf| match leaf.kind() {
            HirKind::Class(Class::Unicode(c))
                if c.ranges().len() < MEMO_RANGES || self.classes.is_released() =>
            {
                Some(Hir::class(Class::Bytes(
                    self.class(c.ranges().iter().map(|r| (r.start() as u32, r.end() as u32))),
                )))
            }
            HirKind::Class(Class::Unicode(c)) => {
                let key: Box<[(u32, u32)]> =
                    c.ranges().iter().map(|r| (r.start() as u32, r.end() as u32)).collect();
                let key = ClassKey(key);
                let memo = &self.classes.classes;
                let known = memo.lock().expect("no thread panics translating").get(&key).cloned();
                let bytes = known.unwrap_or_else(|| {
                    let bytes = self.class(key.0.iter().copied());
                    let mut memo = memo.lock().expect("no thread panics translating");
                    memo.entry(key).or_insert(bytes).clone()
                });
                Some(Hir::class(Class::Bytes(bytes)))
            }
            HirKind::Literal(Literal(bytes)) => {
                let text = std::str::from_utf8(bytes).expect("a literal of a pattern with sets");
                Some(Hir::literal(text.chars().map(|c| self.byte(c)).collect::<Vec<u8>>()))
            }
            _ => None,
        })
    }

    /// Frees the classes translated so far and translates every class anew from then on: a
    /// stream calls it once its first batch is extracted, when the patterns a run needs first
    /// are built (about 0.2 MB for the bundled pack), as it frees the parsed pieces.
    pub fn release_memo(&self) {
        let memo = &self.classes;
        if !memo.released.load(std::sync::atomic::Ordering::Acquire)
            && !memo.released.swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            memo.classes.lock().expect("no thread panics translating").clear();
        }
    }

    /// Appends the bytes of `text`'s characters to `out`, as one more row.
    pub fn map_into(&self, text: &str, out: &mut ByteText) -> ByteRow {
        let (bytes_start, wide_start) = (out.bytes.len(), out.wide.len());
        let source = text.as_bytes();
        let (mut at, mut extra) = (0, 0u32);
        while at < source.len() {
            let ascii = source[at..].iter().position(|&b| b >= 0x80).unwrap_or(source.len() - at);
            out.bytes.extend_from_slice(&source[at..at + ascii]);
            at += ascii;
            if let Some(c) = text[at..].chars().next() {
                out.bytes.push(self.byte(c));
                extra += c.len_utf8() as u32 - 1;
                let index = (out.bytes.len() - bytes_start) as u32;
                out.wide.push((index, extra));
                at += c.len_utf8();
            }
        }
        ByteRow { bytes: (bytes_start, out.bytes.len()), wide: (wide_start, out.wide.len()) }
    }
}

/// Texts as one byte per character, end to end ([`ByteAlphabet::map_into`]): their bytes, and
/// for each character from U+0080 up, where the next character starts in the bytes of its row
/// and how many more bytes its row's text has before there.
#[derive(Debug, Default)]
pub struct ByteText {
    bytes: Vec<u8>,
    wide: Vec<(u32, u32)>,
}

/// Where one text is in a [`ByteText`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRow {
    bytes: (usize, usize),
    wide: (usize, usize),
}

impl ByteText {
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.wide.clear();
    }

    /// The row's bytes and wide characters.
    pub fn get(&self, row: ByteRow) -> ByteView<'_> {
        ByteView {
            bytes: &self.bytes[row.bytes.0..row.bytes.1],
            wide: &self.wide[row.wide.0..row.wide.1],
        }
    }
}

/// One text as one byte per character, borrowed from a [`ByteText`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteView<'a> {
    pub bytes: &'a [u8],
    wide: &'a [(u32, u32)],
}

impl ByteView<'_> {
    /// The offset in the text of byte `at` of its bytes.
    #[inline]
    pub fn offset(&self, at: usize) -> usize {
        let i = self.wide.partition_point(|&(next, _)| next as usize <= at);
        at + if i == 0 { 0 } else { self.wide[i - 1].1 as usize }
    }
}

/// The intervals that `sets` (sorted inclusive ranges) and `bounds` cut the characters into,
/// from the smallest bound up, less the surrogates and the intervals whose first character
/// `keep` refuses: the first character of each, and the indices of the sets it lies in.
pub(crate) fn intervals(
    sets: &[&[(u32, u32)]],
    bounds: &[u32],
    keep: impl Fn(u32) -> bool,
) -> (Vec<u32>, Vec<Vec<u32>>) {
    let mut bounds: Vec<u32> = bounds.iter().copied().chain([0xD800, 0xE000]).collect();
    for &(lo, hi) in sets.iter().flat_map(|set| set.iter()) {
        bounds.push(lo);
        bounds.push(hi + 1);
    }
    bounds.sort_unstable();
    bounds.dedup();
    let starts: Vec<u32> = bounds
        .windows(2)
        .map(|w| w[0])
        .filter(|&lo| !(0xD800..0xE000).contains(&lo) && keep(lo))
        .collect();
    let mut member_of: Vec<Vec<u32>> = vec![Vec::new(); starts.len()];
    for (id, set) in sets.iter().enumerate() {
        for &(lo, hi) in set.iter() {
            let first = starts.partition_point(|&s| s < lo);
            for (members, _) in
                member_of[first..].iter_mut().zip(&starts[first..]).take_while(|(_, &s)| s <= hi)
            {
                members.push(id as u32);
            }
        }
    }
    (starts, member_of)
}

/// `hir` with each leaf (class, literal, look-around, empty) that `leaf` maps replaced.
pub(crate) fn map_leaves(hir: &Hir, leaf: &dyn Fn(&Hir) -> Option<Hir>) -> Hir {
    match hir.kind() {
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(map_leaves(&c.sub, leaf)),
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(|s| map_leaves(s, leaf)).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.iter().map(|s| map_leaves(s, leaf)).collect())
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(map_leaves(&r.sub, leaf)),
        }),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {
            leaf(hir).unwrap_or_else(|| hir.clone())
        }
    }
}

/// The sets of characters from U+0080 up of the pattern `hir`, or `None` when the pattern cannot
/// be read over bytes (a Unicode word boundary, a byte class, a literal that is not UTF-8).
pub fn sets_of(hir: &Hir) -> Option<CharSets> {
    sets_from(hir, FIRST_GROUPED)
}

/// [`sets_of`], for the characters from `first` up (`super::alphabet` reads them from U+0100).
///
/// The classes are gathered as the tree holds them and the characters of literals one by one,
/// each distinct one then made a set once: a pattern holds the same classes (`\p{L}`, of
/// hundreds of ranges) and the same accented letters many times over.
pub(crate) fn sets_from(hir: &Hir, first: u32) -> Option<CharSets> {
    let (mut classes, mut chars) = (Vec::new(), Vec::new());
    gather(hir, first, &mut classes, &mut chars)?;
    classes.sort_unstable();
    classes.dedup();
    chars.sort_unstable();
    chars.dedup();
    let mut sets: CharSets = (classes.into_iter())
        .map(|ranges| {
            let ranges = ranges.iter().filter(|r| r.end() as u32 >= first);
            ranges.map(|r| ((r.start() as u32).max(first), r.end() as u32)).collect::<Vec<_>>()
        })
        .filter(|set| !set.is_empty())
        .collect();
    sets.extend(chars.into_iter().map(|c| vec![(c, c)]));
    sets.sort();
    sets.dedup();
    Some(sets)
}

/// Whether an assertion reads the same over bytes: the ends of the text and of lines, and ASCII
/// word boundaries, since a byte from 0x80 up, like every byte of a character from U+0080 up in
/// UTF-8, is not a word character.
fn reads_over_bytes(look: Look) -> bool {
    matches!(
        look,
        Look::Start
            | Look::End
            | Look::StartLF
            | Look::EndLF
            | Look::StartCRLF
            | Look::EndCRLF
            | Look::WordAscii
            | Look::WordAsciiNegate
            | Look::WordStartAscii
            | Look::WordEndAscii
            | Look::WordStartHalfAscii
            | Look::WordEndHalfAscii
    )
}

/// The classes of `hir` and the characters of its literals from `first` up, for [`sets_from`];
/// `None` when the pattern cannot be read over bytes.
fn gather<'h>(
    hir: &'h Hir,
    first: u32,
    classes: &mut Vec<&'h [ClassUnicodeRange]>,
    chars: &mut Vec<u32>,
) -> Option<()> {
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            // a class below `first` (a letter in either case, `[Ee]`) gives no set
            if c.ranges().last().is_some_and(|r| r.end() as u32 >= first) {
                classes.push(c.ranges());
            }
        }
        HirKind::Class(Class::Bytes(_)) => return None,
        HirKind::Literal(Literal(bytes)) => {
            let text = std::str::from_utf8(bytes).ok()?;
            chars.extend(text.chars().map(|c| c as u32).filter(|&c| c >= first));
        }
        HirKind::Look(look) if !reads_over_bytes(*look) => return None,
        HirKind::Look(_) => {}
        HirKind::Capture(c) => gather(&c.sub, first, classes, chars)?,
        HirKind::Repetition(r) => gather(&r.sub, first, classes, chars)?,
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            for sub in subs {
                gather(sub, first, classes, chars)?;
            }
        }
        HirKind::Empty => {}
    }
    Some(())
}

/// [`sets_from`] as it was first written, one set per class and per character as the tree holds
/// them, sorted and deduplicated at the end: what [`sets_from`] must give (tests).
#[cfg(test)]
fn sets_each(hir: &Hir, first: u32) -> Option<CharSets> {
    let mut sets = Vec::new();
    collect_sets(hir, first, &mut sets)?;
    sets.sort();
    sets.dedup();
    Some(sets)
}

#[cfg(test)]
fn collect_sets(hir: &Hir, first: u32, sets: &mut CharSets) -> Option<()> {
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let set: Vec<(u32, u32)> = c
                .ranges()
                .iter()
                .filter(|r| r.end() as u32 >= first)
                .map(|r| ((r.start() as u32).max(first), r.end() as u32))
                .collect();
            if !set.is_empty() {
                sets.push(set);
            }
        }
        HirKind::Class(Class::Bytes(_)) => return None,
        HirKind::Literal(Literal(bytes)) => {
            let text = std::str::from_utf8(bytes).ok()?;
            for c in text.chars().filter(|&c| c as u32 >= first) {
                sets.push(vec![(c as u32, c as u32)]);
            }
        }
        HirKind::Look(look) if !reads_over_bytes(*look) => return None,
        HirKind::Look(_) => {}
        HirKind::Capture(c) => collect_sets(&c.sub, first, sets)?,
        HirKind::Repetition(r) => collect_sets(&r.sub, first, sets)?,
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            for sub in subs {
                collect_sets(sub, first, sets)?;
            }
        }
        HirKind::Empty => {}
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn alphabet(patterns: &[&str]) -> Option<ByteAlphabet> {
        let sets: Vec<CharSets> =
            patterns.iter().map(|p| sets_of(&regex_syntax::parse(p).unwrap()).unwrap()).collect();
        ByteAlphabet::new(&sets)
    }

    #[test]
    fn characters_share_a_byte_when_every_pattern_treats_them_alike() {
        let a = alphabet(&[r"\p{Lu}\p{Ll}+ [^.;⟨⟩]{0,9}–x", r"(?i:é)tat"]).unwrap();
        // capitals of any script and length in UTF-8 are all upper-case letters in no literal
        assert_eq!(a.byte('Ж'), a.byte('Σ'));
        assert_eq!(a.byte('Ꭰ'), a.byte('Σ'));
        assert_eq!(a.byte('𝐀'), a.byte('Σ'));
        // a capital and a small letter are told apart, and so are the literals
        assert_ne!(a.byte('Ж'), a.byte('ж'));
        assert_ne!(a.byte('é'), a.byte('è'));
        assert_ne!(a.byte('É'), a.byte('È'));
        assert_ne!(a.byte('–'), a.byte('—'));
        // both left out of the same class, and in no literal: alike
        assert_eq!(a.byte('⟨'), a.byte('⟩'));
        assert_ne!(a.byte('⟨'), a.byte('«'));
        // ASCII stands for itself, and nothing else stands for it
        assert_eq!(a.byte('x'), b'x');
        assert!(a.byte('é') >= 0x80 && a.byte('\u{E000}') >= 0x80);
        // a pattern that reads a Unicode word boundary or bytes has no sets
        assert!(sets_of(&regex_syntax::parse(r"\bx").unwrap()).is_none());
        let bytes =
            regex_syntax::ParserBuilder::new().utf8(false).build().parse(r"(?-u:[\x00-\xFF])");
        assert!(sets_of(&bytes.unwrap()).is_none());
    }

    /// Gathering each distinct class and character once gives the sets that one set per class
    /// and character as the tree holds them gives, for every bundled pattern (from U+0080 up, as
    /// the alphabet reads them, and from U+0100 up, as `super::alphabet` does) and for patterns
    /// that hold the same classes and letters many times, some below the first character.
    #[test]
    fn a_patterns_sets_are_the_same_gathered_once() {
        let rules = crate::rules::bundled();
        let entity = rules.entity_patterns.iter().map(|p| &p.regex);
        let relation = rules.relation_rules.iter().map(|r| &r.regex);
        let mut patterns: Vec<String> = entity.chain(relation).map(|m| m.source().into()).collect();
        patterns.extend(
            [
                r"\p{L}+ é \p{Lu}\p{Ll}+ (?i:été|ÉTÉ) [à-ÿ]+ \p{L}+ é",
                r"(?:a|é)[^\p{L}]{0,3}(?:ç|Ç|\x{100}|ā)+\b",
                r"[a-z]+ [0-9]",
                r"\p{Greek}|\p{Lu}|[Α-Ω]",
            ]
            .map(String::from),
        );
        assert!(patterns.len() > 400);
        for pattern in &patterns {
            let hir = regex_syntax::parse(pattern).unwrap();
            for first in [FIRST_GROUPED, 0x100] {
                assert_eq!(sets_from(&hir, first), sets_each(&hir, first), "{pattern}");
            }
        }
    }

    /// A class looked up in the memo of translated classes is the class translated anew, for
    /// every bundled pattern: translated once to fill the memo, again through it, and by an
    /// alphabet whose memo is released.
    #[test]
    fn a_class_translated_through_the_memo_is_the_class_translated_anew() {
        let rules = crate::rules::bundled();
        let alphabet = rules.bytes.as_deref().expect("the bundled pack reads bytes");
        let fresh = alphabet.clone();
        fresh.release_memo();
        let entity = rules.entity_patterns.iter().map(|p| &p.regex);
        let relation = rules.relation_rules.iter().map(|r| &r.regex);
        let trees: Vec<Hir> = (entity.chain(relation))
            .map(|m| regex_syntax::parse(&m.source()).unwrap())
            .filter(|hir| sets_of(hir).is_some())
            .collect();
        assert!(trees.len() > 400);
        let first: Vec<Hir> = trees.iter().map(|hir| alphabet.translate(hir)).collect();
        assert!(!alphabet.classes.classes.lock().unwrap().is_empty(), "the memo was filled");
        for (hir, translated) in trees.iter().zip(&first) {
            assert_eq!(&alphabet.translate(hir), translated);
            assert_eq!(&fresh.translate(hir), translated);
        }
        assert!(fresh.classes.classes.lock().unwrap().is_empty(), "a released memo stays empty");
    }

    #[test]
    fn more_than_128_groups_take_no_alphabet() {
        let letters: String = ('\u{400}'..'\u{500}').take(127).collect();
        assert!(alphabet(&[&format!("[{letters}]")]).is_some());
        // each letter its own literal: 128 groups of one and the rest, 129
        let each: Vec<String> = ('\u{400}'..'\u{500}').take(128).map(String::from).collect();
        let each: Vec<&str> = each.iter().map(String::as_str).collect();
        assert!(alphabet(&each).is_none());
        assert!(alphabet(&each[..127]).is_some());
    }

    #[test]
    fn a_translated_pattern_matches_the_mapped_text_where_the_pattern_matches_the_text() {
        let pattern = r"(?P<a>\p{Lu}\w+) (?:et|и|和) (?P<b>[^.;⟨⟩]{1,9})\.";
        let a = alphabet(&[pattern]).unwrap();
        let hir = a.translate(&regex_syntax::parse(pattern).unwrap());
        let bytes = regex_automata::meta::Builder::new()
            .configure(regex_automata::meta::Config::new().utf8_empty(false))
            .build_from_hir(&hir)
            .unwrap();
        let reference = regex::Regex::new(pattern).unwrap();
        for text in ["Jean et Marie.", "Ωmega и Жuk ⟨x⟩. Léa 和 中国人.", "Été et 𝐀b."]
        {
            let mut out = ByteText::default();
            let row = a.map_into(text, &mut out);
            let view = out.get(row);
            let ours: Vec<(usize, usize)> = bytes
                .find_iter(view.bytes)
                .map(|m| (view.offset(m.start()), view.offset(m.end())))
                .collect();
            let theirs: Vec<(usize, usize)> =
                reference.find_iter(text).map(|m| (m.start(), m.end())).collect();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    proptest! {
        #[test]
        fn every_character_offset_comes_back(texts in proptest::collection::vec(".{0,40}", 1..4)) {
            let a = alphabet(&[r"\p{L}[^.]"]).unwrap();
            let mut out = ByteText::default();
            let rows: Vec<ByteRow> = texts.iter().map(|t| a.map_into(t, &mut out)).collect();
            for (text, row) in texts.iter().zip(rows) {
                let view = out.get(row);
                prop_assert_eq!(view.bytes.len(), text.chars().count());
                let starts: Vec<usize> =
                    text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
                for (index, start) in starts.into_iter().enumerate() {
                    prop_assert_eq!(view.offset(index), start);
                }
                for (byte, c) in view.bytes.iter().zip(text.chars()) {
                    prop_assert_eq!(*byte, a.byte(c));
                }
            }
        }
    }
}
