//! The characters one pattern tells apart, so that its automata need not spell out all of Unicode.
//!
//! A class such as `\p{L}` or `[^.;:⟨⟩]` holds hundreds of ranges of Unicode. Compiled to UTF-8
//! automata, every range above Latin-1 takes a few states, and the reverse automaton
//! that finds where a match starts repeats them for every suffix: the bundled pack's patterns
//! compiled to 950,225 forward and 3,786,082 reverse NFA states, most of them for characters no
//! rule names and the text rarely holds. But a pattern only tells characters apart by the classes
//! and literals it contains. Two characters that belong to exactly the same of them are matched
//! alike, so one of them can stand for the other.
//!
//! An [`Alphabet`] splits the characters from U+0100 up (everything after ASCII and Latin-1) into
//! groups of characters that belong to the same classes and literals of the pattern and take as
//! many bytes in UTF-8, and picks the smallest character of each group to stand for the group.
//! The pattern is compiled with its classes cut down to the characters below U+0100 and the
//! representatives ([`Alphabet::restrict`]), and a haystack is matched once its other characters
//! are replaced by their representatives ([`Alphabet::map`]). Matching the cut-down pattern on
//! the mapped haystack finds exactly the matches of the pattern on the haystack, at the same byte
//! offsets: each character is replaced by one of the same length that every class and literal
//! of the pattern treats the same way. Text without characters from U+0100 up that need a
//! stand-in, which is nearly all European text, is matched as it is.
//!
//! Patterns whose meaning depends on more than their classes and literals keep all of Unicode: a
//! Unicode word boundary (`\b`, which looks at the characters around it) or a byte-oriented class
//! or literal (`(?-u)`).

use std::borrow::Cow;
use std::collections::HashMap;

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

/// The first character that may be replaced: the characters before it (ASCII and Latin-1, most
/// of the letters of Western European text) always stand for themselves. The Latin Extended
/// letters after them alternate between capitals and small letters, so that `\p{Lu}` or
/// `\p{Ll}` cut down to them would still take a range per letter.
const FIRST_MAPPED: u32 = 0x100;

/// Characters from `FIRST_MAPPED` up that always stand for themselves, as half-open ranges: the
/// punctuation, currency and other symbols of news text (U+2000..U+2BFF, with the brackets of
/// placeholders), and the private use area (the placeholders' type codes). A pattern names few
/// of them, but the text holds them often, and a haystack with a character to replace is copied
/// for every pattern that runs on it. Kept whole, each block costs the automata a few states.
const KEPT_BLOCKS: [(u32, u32); 2] = [(0x2000, 0x2C00), (0xE000, 0xF900)];

/// Whether `c` always stands for itself.
fn always_itself(c: u32) -> bool {
    c < FIRST_MAPPED || KEPT_BLOCKS.iter().any(|&(lo, end)| (lo..end).contains(&c))
}

/// The first byte of the UTF-8 encoding of every character from `FIRST_MAPPED` up (and of a few
/// before it).
const FIRST_MAPPED_LEAD_BYTE: u8 = 0xC4;

/// How one pattern's characters from U+0100 up are grouped, and who stands for each group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alphabet {
    /// Intervals covering U+0100..=U+10FFFF (less the surrogates), sorted: the first character of
    /// each, and the character that stands for all of it.
    intervals: Vec<(u32, char)>,
    /// The characters the cut-down pattern's classes keep: U+0000..U+00FF, the kept blocks and the
    /// representatives.
    kept: ClassUnicode,
}

impl Alphabet {
    /// The alphabet of the pattern `hir`, or `None` when the pattern must keep all of Unicode (a
    /// Unicode word boundary, a byte class or a literal that is not UTF-8).
    pub fn of(hir: &Hir) -> Option<Alphabet> {
        // a literal's characters that always stand for themselves add bounds only inside the
        // kept blocks, where no interval is made
        let sets = super::bytes::sets_from(hir, FIRST_MAPPED)?;

        // Elementary intervals: split at every bound of every set, and where UTF-8 lengths change.
        let mut bounds = vec![FIRST_MAPPED, 0x800, 0x1_0000, 0x11_0000];
        bounds.extend(KEPT_BLOCKS.iter().flat_map(|&(lo, end)| [lo, end]));
        let sets: Vec<&[(u32, u32)]> = sets.iter().map(Vec::as_slice).collect();
        let (starts, member_of) = super::bytes::intervals(&sets, &bounds, |lo| !always_itself(lo));

        // One representative per (sets, UTF-8 length): the group's smallest character.
        let mut reps: HashMap<(&[u32], usize), char> = HashMap::new();
        let mut intervals = Vec::with_capacity(starts.len());
        for (&start, members) in starts.iter().zip(&member_of) {
            let first = char::from_u32(start).expect("interval starts are characters");
            let rep = *reps.entry((members, first.len_utf8())).or_insert(first);
            intervals.push((start, rep));
        }
        let range = |lo: u32, end: u32| {
            ClassUnicodeRange::new(char::from_u32(lo).unwrap(), char::from_u32(end - 1).unwrap())
        };
        let mut kept = vec![range(0, FIRST_MAPPED)];
        kept.extend(KEPT_BLOCKS.iter().map(|&(lo, end)| range(lo, end)));
        kept.extend(reps.values().map(|&c| ClassUnicodeRange::new(c, c)));
        Some(Alphabet { intervals, kept: ClassUnicode::new(kept) })
    }

    /// The character that stands for `c`.
    fn rep(&self, c: char) -> char {
        if always_itself(c as u32) {
            return c;
        }
        let i = self.intervals.partition_point(|&(start, _)| start <= c as u32);
        self.intervals[i - 1].1
    }

    /// `hir` with every class cut down to the characters that stand for themselves.
    pub fn restrict(&self, hir: &Hir) -> Hir {
        super::bytes::map_leaves(hir, &|leaf| match leaf.kind() {
            HirKind::Class(Class::Unicode(c)) => {
                let mut c = c.clone();
                c.intersect(&self.kept);
                Some(Hir::class(Class::Unicode(c)))
            }
            _ => None,
        })
    }

    /// `haystack` with every character replaced by the one that stands for it: borrowed when
    /// every character stands for itself. Byte offsets are the same in both.
    pub fn map<'h>(&self, haystack: &'h str) -> Cow<'h, str> {
        match first_maybe_mapped(haystack.as_bytes()) {
            Some(from) => self.map_from(haystack, from),
            None => Cow::Borrowed(haystack),
        }
    }

    /// [`Alphabet::map`] of a haystack whose characters before `from` stand for themselves in
    /// every alphabet (`from` is where [`first_maybe_mapped`] stopped).
    pub(crate) fn map_from<'h>(&self, haystack: &'h str, from: usize) -> Cow<'h, str> {
        let mut mapped = String::new();
        match self.map_into(haystack, from, &mut mapped) {
            true => Cow::Owned(mapped),
            false => Cow::Borrowed(haystack),
        }
    }

    /// [`Alphabet::map_from`] into `out`, whose buffer is reused: `false`, and `out` left as it
    /// was, when every character stands for itself.
    pub(crate) fn map_into(&self, haystack: &str, from: usize, out: &mut String) -> bool {
        let Some(first) = haystack[from..].char_indices().find(|&(_, c)| self.rep(c) != c) else {
            return false;
        };
        let first = from + first.0;
        out.clear();
        out.push_str(&haystack[..first]);
        out.extend(haystack[first..].chars().map(|c| self.rep(c)));
        debug_assert_eq!(out.len(), haystack.len());
        true
    }
}

/// Where the first character that may not stand for itself starts, read from the UTF-8 bytes
/// alone: a first byte from 0xC4 up, except those of the kept blocks (0xE2 0x80..=0xAF is
/// U+2000..U+2BFF, 0xEE is U+E000..U+EFFF, 0xEF 0x80..=0xA3 is U+F000..U+F8FF).
pub(crate) fn first_maybe_mapped(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = bytes[from..].iter().position(|&b| b >= FIRST_MAPPED_LEAD_BYTE) {
        let i = from + at;
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let kept = match bytes[i] {
            0xE2 => next < 0xB0,
            0xEE => true,
            0xEF => next < 0xA4,
            _ => false,
        };
        if !kept {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn alphabet(pattern: &str) -> Option<Alphabet> {
        Alphabet::of(&regex_syntax::parse(pattern).unwrap())
    }

    #[test]
    fn characters_stand_for_those_the_pattern_treats_alike_with_the_same_length() {
        let a = alphabet(r"\p{Lu}\p{Ll}+ [^.;⟨⟩]{0,9}–x").unwrap();
        // Greek and Cyrillic capitals are all upper-case letters, and not in any literal
        assert_eq!(a.rep('Ж'), a.rep('Σ'));
        assert_eq!(a.rep('Ł'), a.rep('Σ'));
        assert_eq!(a.rep('Ж').len_utf8(), 2);
        // a capital and a small letter are told apart
        assert_ne!(a.rep('Ж'), a.rep('ж'));
        // a three-byte capital does not stand for a two-byte one
        assert_ne!(a.rep('Ꭰ'), a.rep('Ж'));
        // the literals stand for themselves, and nothing else stands for them
        assert_eq!(a.rep('–'), '–');
        assert_eq!(a.rep('⟨'), '⟨');
        assert_ne!(a.rep('—'), '–');
        // below U+0100, every character is itself
        assert_eq!(a.rep('é'), 'é');
        assert_eq!(a.rep('ÿ'), 'ÿ');
        assert_eq!(a.map("Été à Lyon"), Cow::Borrowed("Été à Lyon"));
    }

    #[test]
    fn unicode_word_boundaries_and_bytes_keep_all_of_unicode() {
        assert!(alphabet(r"\bAirbus\b").is_none());
        assert!(alphabet(r"(?-u:[a-z])").is_none());
        assert!(alphabet(r"(?-u:\b)x").is_some());
    }

    #[test]
    fn the_byte_scan_finds_every_character_that_may_not_stand_for_itself() {
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let found = first_maybe_mapped(c.encode_utf8(&mut buf).as_bytes());
            assert!(found == Some(0) || always_itself(c as u32), "{:?}", c);
            assert!(found.is_none() || c as u32 >= FIRST_MAPPED - 0x10, "{:?}", c);
        }
    }

    /// Text drawn from the characters a pattern may tell apart, and from far outside them.
    fn text() -> impl Strategy<Value = String> {
        let chars = prop_oneof![
            Just('a'),
            Just('B'),
            Just(' '),
            Just('.'),
            Just('é'),
            Just('–'),
            Just('—'),
            Just('⟨'),
            Just('⟩'),
            Just('\u{E000}'),
            Just('Σ'),
            Just('Œ'),
            Just('œ'),
            Just('ł'),
            Just('ж'),
            Just('中'),
            Just('𝐀'),
            Just('😀'),
            Just('٣'),
            Just('’'),
            Just('€'),
            Just('\u{2BFF}'),
            Just('\u{2C00}'),
            Just('\u{F8FF}'),
            Just('\u{F900}'),
            any::<char>(),
        ];
        proptest::collection::vec(chars, 0..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        /// The cut-down pattern on the mapped text finds the same matches, with the same groups,
        /// as the pattern on the text. Fails if a class is cut down without mapping the text, or
        /// if two characters a class tells apart share a representative.
        #[test]
        fn the_cut_down_pattern_on_mapped_text_matches_as_the_pattern(
            pattern in prop_oneof![
                Just(r"(?P<w>\p{Lu}[\p{L}\p{M}]*)(?: \p{Ll}+){0,3}"),
                Just(r"[^.;:⟨⟩]{1,6}–(?P<x>\w+)"),
                Just(r"(?i:Σigma|жар|é|œuvre)\d*"),
                Just(r"⟨[\u{E000}-\u{E0FF}]⟩(?: [\p{N}\s]+)?"),
                Just(r"[\p{Greek}\p{Han}]+|\p{Emoji}|\S{2}"),
            ],
            haystack in text(),
        ) {
            let hir = regex_syntax::parse(pattern).unwrap();
            let a = Alphabet::of(&hir).unwrap();
            let mapped = a.map(&haystack);
            prop_assert_eq!(mapped.len(), haystack.len());
            let original = regex::Regex::new(pattern).unwrap();
            let cut = regex_automata::meta::Regex::builder().build_from_hir(&a.restrict(&hir)).unwrap();
            let theirs: Vec<Vec<Option<(usize, usize)>>> = original
                .captures_iter(&haystack)
                .map(|c| c.iter().map(|g| g.map(|g| (g.start(), g.end()))).collect())
                .collect();
            let ours: Vec<Vec<Option<(usize, usize)>>> = cut
                .captures_iter(mapped.as_ref())
                .map(|c| c.iter().map(|g| g.map(|g| (g.start, g.end))).collect())
                .collect();
            prop_assert_eq!(ours, theirs);
        }
    }
}
