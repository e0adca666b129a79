//! Normalization: the text the rules see, with a map back to the original bytes (SPEC §3).
//!
//! Rules are written against one spelling of typography: NFC, `'` for every apostrophe, `"` for
//! every quotation mark (« » “ ” „ with their inner spaces), a single space for any run of
//! horizontal white space, `-` for hyphen variants, no zero-width characters. Every byte of the
//! normalized text remembers the original byte it came from, so any span found by a rule maps back
//! to a valid span of the original ([`OffsetMap`]). Folding (case and accents) is a second, separate
//! view ([`Folded`]) used for case- and accent-insensitive matching.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Normalized text and, for each of its bytes, the original byte offset it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedText {
    pub text: String,
    pub map: OffsetMap,
}

/// Maps byte offsets of a derived text back to byte offsets of its source.
///
/// Derived byte `i` starts at source offset `start(i)` and the derived span ending (exclusively)
/// at `i + 1` ends at `end(i + 1)`; the derived length maps to the source length, so an exclusive
/// end maps too. Offsets are non-decreasing, so a derived span maps to a source span.
///
/// The map is stored as runs, not per byte: a run of bytes copied one for one (ASCII) is one entry,
/// and so is each character that changed length or was composed, so the map costs about a byte
/// per non-ASCII character instead of eight bytes per byte of text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OffsetMap {
    runs: Vec<Run>,
    /// Length of the derived text.
    len: u32,
    /// Length of the source text.
    src_len: u32,
}

/// Derived bytes from `at` to the next run's `at`: copied one for one from `src` on
/// (`identity`), or all coming from the source span `src..src_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    at: u32,
    src: u32,
    src_end: u32,
    identity: bool,
}

impl OffsetMap {
    fn with_capacity(n: usize) -> Self {
        Self { runs: Vec::with_capacity(n / 16 + 1), len: 0, src_len: 0 }
    }

    /// Records that `len` derived bytes come from the source span `src_start..src_end`.
    #[inline]
    fn push(&mut self, len: usize, src_start: usize, src_end: usize) {
        let mut runs = RunsBuilder { runs: &mut self.runs, first: 0, len: self.len };
        runs.push(len, src_start, src_end);
        self.len = runs.len;
    }

    /// Records that `len` derived bytes are copied one for one from `src_start` on.
    #[inline]
    fn push_identity(&mut self, src_start: usize, len: usize) {
        let mut runs = RunsBuilder { runs: &mut self.runs, first: 0, len: self.len };
        runs.push_identity(src_start, len);
        self.len = runs.len;
    }

    /// Empties the map, keeping its buffer.
    fn clear(&mut self) {
        self.runs.clear();
        self.len = 0;
        self.src_len = 0;
    }

    fn finish(&mut self, src_len: usize) {
        self.src_len = src_len as u32;
    }

    /// The map, borrowed.
    pub fn as_ref(&self) -> MapRef<'_> {
        MapRef { runs: &self.runs, len: self.len, src_len: self.src_len }
    }

    /// Source offset where derived byte `offset` starts.
    pub fn start(&self, offset: usize) -> usize {
        self.as_ref().start(offset)
    }

    /// Source offset where the derived span ending (exclusively) at `offset` ends.
    pub fn end(&self, offset: usize) -> usize {
        self.as_ref().end(offset)
    }

    /// The source span of the derived span `start..end`.
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        self.as_ref().span(start, end)
    }
}

/// An [`OffsetMap`] borrowed, or one of the maps of a [`FoldedSheet`].
#[derive(Debug, Clone, Copy)]
pub struct MapRef<'a> {
    runs: &'a [Run],
    len: u32,
    src_len: u32,
}

impl MapRef<'_> {
    /// The run holding derived byte `offset` (< len).
    #[inline]
    fn run(&self, offset: u32) -> &Run {
        let i = self.runs.partition_point(|r| r.at <= offset);
        &self.runs[i - 1]
    }

    /// Source offset where derived byte `offset` starts.
    pub fn start(&self, offset: usize) -> usize {
        let o = offset.min(self.len as usize) as u32;
        if o == self.len {
            return self.src_len as usize;
        }
        let r = self.run(o);
        (if r.identity { r.src + (o - r.at) } else { r.src }) as usize
    }

    /// Source offset where the derived span ending (exclusively) at `offset` ends.
    pub fn end(&self, offset: usize) -> usize {
        if offset == 0 {
            return self.start(0);
        }
        let o = (offset - 1).min(self.len as usize) as u32;
        if o == self.len {
            return self.src_len as usize;
        }
        let r = self.run(o);
        (if r.identity { r.src + (o - r.at) + 1 } else { r.src_end }) as usize
    }

    /// The source span of the derived span `start..end`.
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        if start >= end {
            let s = self.start(start);
            return (s, s);
        }
        (self.start(start), self.end(end))
    }
}

/// Appends the runs of one map to a vector that may hold other maps before it (from `first` on,
/// the map's own), counting the derived bytes.
struct RunsBuilder<'a> {
    runs: &'a mut Vec<Run>,
    first: usize,
    len: u32,
}

impl RunsBuilder<'_> {
    /// The map's last run, if it has one.
    #[inline]
    fn last(&self) -> Option<&Run> {
        self.runs[self.first..].last()
    }

    /// Records that `len` derived bytes come from the source span `src_start..src_end`.
    #[inline]
    fn push(&mut self, len: usize, src_start: usize, src_end: usize) {
        if len == 0 {
            return;
        }
        let (src, src_end) = (src_start as u32, src_end as u32);
        if len == 1 && src_end == src + 1 {
            if let Some(last) = self.last() {
                if last.identity && last.src + (self.len - last.at) == src {
                    self.len += 1;
                    return;
                }
            }
            self.runs.push(Run { at: self.len, src, src_end, identity: true });
        } else {
            self.runs.push(Run { at: self.len, src, src_end, identity: false });
        }
        self.len += len as u32;
    }

    /// Records that `len` derived bytes are copied one for one from `src_start` on: the same as
    /// `len` calls of `push(1, s, s + 1)`.
    fn push_identity(&mut self, src_start: usize, len: usize) {
        if len == 0 {
            return;
        }
        let src = src_start as u32;
        let extends =
            self.last().is_some_and(|last| last.identity && last.src + (self.len - last.at) == src);
        if !extends {
            self.runs.push(Run { at: self.len, src, src_end: src + 1, identity: true });
        }
        self.len += len as u32;
    }
}

/// What a single source character becomes in the normalized text.
fn replacement(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}' | '\u{00B4}' | '\u{0060}' => "'",
        '\u{00AB}' | '\u{00BB}' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => "\"",
        '\u{2039}' | '\u{203A}' => "\"",
        '\u{2010}' | '\u{2011}' => "-",
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => "",
        // The masking alphabet of relation matching; never let the text forge a placeholder.
        '\u{27E8}' => "<",
        '\u{27E9}' => ">",
        _ => return None,
    })
}

/// What normalization writes for `c` when it does not keep it, so that a pattern that looks for
/// `c` never finds it: a typographic quote or apostrophe, a dash or space it unifies, a character
/// it drops. `None` for the characters it keeps, and for `⟨` and `⟩`, which the text never keeps
/// either but masking writes into what relation rules read.
pub fn written_for(c: char) -> Option<&'static str> {
    match c {
        '\u{27E8}' | '\u{27E9}' => None,
        '\r' => Some("\n"),
        c if c != ' ' && is_horizontal_space(c) => Some(" "),
        c => replacement(c),
    }
}

/// An ASCII character that normalization copies as it is.
#[inline]
fn is_plain(c: char) -> bool {
    c.is_ascii() && c != '\r' && !is_horizontal_space(c) && replacement(c).is_none()
}

fn is_horizontal_space(c: char) -> bool {
    c != '\n' && c != '\r' && c.is_whitespace()
}

/// Normalizes `original` (see the module docs). Line breaks are kept (`\r\n` and `\r` become
/// `\n`) because paragraphs end sentences.
pub fn normalize(original: &str) -> NormalizedText {
    normalize_with(original, true)
}

/// [`normalize`], copying runs of plain ASCII at once when `runs` (else character by character,
/// which the tests compare with).
fn normalize_with(original: &str, runs: bool) -> NormalizedText {
    let nfc_needed = is_nfc_quick(original.chars()) != IsNormalized::Yes;
    let mut text = String::with_capacity(original.len());
    let mut map = OffsetMap::with_capacity(original.len());
    let mut chars = original.char_indices().peekable();
    let mut buf = [0u8; 4];
    while let Some((i, c)) = chars.next() {
        if runs && !nfc_needed && is_plain(c) {
            // a run of ASCII characters that stay as they are, copied at once (in a text that
            // needs NFC, a character may compose with marks after it, so each is looked at),
            // with the single spaces between two of them on one line, which stay as they are too
            let rest = &original.as_bytes()[i..];
            let plain =
                |at: usize| rest.get(at).is_some_and(|&b| is_plain(b as char) && b != b'\n');
            let mut run = 0;
            loop {
                // at least one: the run starts with `c`, which is plain
                run += rest[run..].iter().take_while(|&&b| is_plain(b as char)).count();
                if rest[run - 1] != b'\n' && rest.get(run) == Some(&b' ') && plain(run + 1) {
                    run += 1;
                    continue;
                }
                break;
            }
            text.push_str(&original[i..i + run]);
            map.push_identity(i, run);
            if run > 1 {
                chars.nth(run - 2);
            }
            continue;
        }
        let end = i + c.len_utf8();
        if c == '\r' {
            if chars.peek().map(|&(_, n)| n) == Some('\n') {
                continue; // the \n that follows stands for both
            }
            text.push('\n');
            map.push(1, i, end);
            continue;
        }
        if is_horizontal_space(c) {
            // one space for the whole run; drop it after an opening quote and before a closing one
            let mut run_end = end;
            while let Some(&(j, n)) = chars.peek() {
                if !is_horizontal_space(n) {
                    break;
                }
                run_end = j + n.len_utf8();
                chars.next();
            }
            let next = chars.peek().map(|&(_, n)| n);
            let after_open = text.ends_with('"') && original[..i].ends_with('\u{00AB}');
            let before_close = next == Some('\u{00BB}');
            let at_line_edge =
                text.is_empty() || text.ends_with('\n') || matches!(next, None | Some('\n'));
            if !(after_open || before_close || at_line_edge || text.ends_with(' ')) {
                text.push(' ');
                map.push(1, i, run_end);
            }
            continue;
        }
        if let Some(rep) = replacement(c) {
            text.push_str(rep);
            map.push(rep.len(), i, end);
            continue;
        }
        if nfc_needed && !is_combining_mark(c) {
            // compose this starter with the combining marks that follow it
            let mut cluster_end = end;
            while let Some(&(j, n)) = chars.peek() {
                if !is_combining_mark(n) {
                    break;
                }
                cluster_end = j + n.len_utf8();
                chars.next();
            }
            let composed: String = original[i..cluster_end].nfc().collect();
            text.push_str(&composed);
            map.push(composed.len(), i, cluster_end);
            continue;
        }
        let s = c.encode_utf8(&mut buf);
        text.push_str(s);
        map.push(s.len(), i, end);
    }
    map.finish(original.len());
    NormalizedText { text, map }
}

/// Case- and accent-folded view of a text: lower case, combining marks removed, `œ` → `oe`.
/// `map` points each folded byte back to the byte of the text it was folded from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Folded {
    pub text: String,
    pub map: OffsetMap,
}

/// Folds one character into `out` (lower case, no accents).
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(folded) = LATIN.get_or_init(latin_folds).get(c as usize - 0x80) {
        out.push_str(folded);
    } else if folds_to_itself(c) {
        out.push(c);
    } else {
        fold_char_slow(c, out);
    }
}

/// Characters of masked sentences that fold to themselves: the private use area (no case, no
/// decomposition, by Unicode's stability policy), where the codes of placeholder types are, and
/// the placeholder brackets.
fn folds_to_itself(c: char) -> bool {
    matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{27E8}' | '\u{27E9}')
}

/// The folds of U+0080 to U+024F (the Latin letters with accents of European languages), made
/// once by [`fold_char_slow`]: case and decomposition tables are searched for every character
/// otherwise.
static LATIN: std::sync::OnceLock<Vec<Box<str>>> = std::sync::OnceLock::new();

fn latin_folds() -> Vec<Box<str>> {
    (0x80..0x250u32)
        .map(|u| {
            let mut folded = String::new();
            if let Some(c) = char::from_u32(u) {
                fold_char_slow(c, &mut folded);
            }
            folded.into_boxed_str()
        })
        .collect()
}

fn fold_char_slow(c: char, out: &mut String) {
    match c {
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        _ => {
            for d in c.to_lowercase().flat_map(|l| l.nfd()) {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }
        }
    }
}

/// Folds `text` (see [`Folded`]).
pub fn fold(text: &str) -> Folded {
    let mut folded = Folded {
        text: String::with_capacity(text.len()),
        map: OffsetMap::with_capacity(text.len()),
    };
    fold_into(text, &mut folded);
    folded
}

/// [`fold`] into `out`, whose buffers are reused: what it held before is replaced.
pub fn fold_into(text: &str, out: &mut Folded) {
    let Folded { text: folded, map } = out;
    folded.clear();
    map.clear();
    folded.reserve(text.len());
    let mut runs = RunsBuilder { runs: &mut map.runs, first: 0, len: 0 };
    fold_to(text, folded, &mut runs);
    map.len = runs.len;
    map.finish(text.len());
}

/// Appends the folded copy of `text` to `out`, and its map to `runs`.
fn fold_to(text: &str, out: &mut String, runs: &mut RunsBuilder<'_>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii() {
            // a run of ASCII folds byte for byte
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii() {
                i += 1;
            }
            let before = out.len();
            out.push_str(&text[start..i]);
            out[before..].make_ascii_lowercase();
            runs.push_identity(start, i - start);
            continue;
        }
        let c = text[i..].chars().next().expect("a character at a boundary");
        let before = out.len();
        fold_char(c, out);
        runs.push(out.len() - before, i, i + c.len_utf8());
        i += c.len_utf8();
    }
}

/// The folded copies of several texts end to end, with their maps: one buffer for the text and
/// one for the maps, reused from text to text, instead of two per copy.
#[derive(Debug, Default)]
pub struct FoldedSheet {
    text: String,
    runs: Vec<Run>,
}

/// Where one folded copy is in a [`FoldedSheet`].
#[derive(Debug, Clone, Copy)]
pub struct FoldedSpan {
    text: (usize, usize),
    runs: (usize, usize),
    src_len: u32,
}

impl FoldedSheet {
    /// Empties the sheet, keeping its buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.runs.clear();
    }

    /// Appends the folded copy of `text`.
    pub fn push(&mut self, text: &str) -> FoldedSpan {
        let (text_start, runs_start) = (self.text.len(), self.runs.len());
        let mut runs = RunsBuilder { runs: &mut self.runs, first: runs_start, len: 0 };
        fold_to(text, &mut self.text, &mut runs);
        FoldedSpan {
            text: (text_start, self.text.len()),
            runs: (runs_start, self.runs.len()),
            src_len: text.len() as u32,
        }
    }

    /// A folded copy and its map back to the text it was folded from.
    pub fn get(&self, span: FoldedSpan) -> (&str, MapRef<'_>) {
        let text = &self.text[span.text.0..span.text.1];
        let runs = &self.runs[span.runs.0..span.runs.1];
        (text, MapRef { runs, len: text.len() as u32, src_len: span.src_len })
    }
}

/// Folds a short string (an alias, a key) without keeping a map.
pub fn fold_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_str_into(text, &mut out);
    out
}

/// [`fold_str`] into `out`, whose buffer is reused: what it held before is replaced.
pub fn fold_str_into(text: &str, out: &mut String) {
    out.clear();
    for c in text.chars() {
        fold_char(c, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_fast_paths_fold_as_the_tables_do() {
        let placeholders = (0xE000..=0xF8FF).chain([0x27E8, 0x27E9]);
        for u in (0..0x400u32).chain(placeholders) {
            let Some(c) = char::from_u32(u) else { continue };
            let (mut fast, mut slow) = (String::new(), String::new());
            fold_char(c, &mut fast);
            fold_char_slow(c, &mut slow);
            assert_eq!(fast, slow, "U+{u:04X}");
        }
        assert_eq!(fold_str("Œuvre Ærø Straße ÉCOLE Łódź"), "oeuvre aerø strasse ecole łodz");
    }

    fn original_of<'a>(n: &NormalizedText, original: &'a str, needle: &str) -> &'a str {
        let start = n.text.find(needle).expect("needle in normalized text");
        let (s, e) = n.map.span(start, start + needle.len());
        &original[s..e]
    }

    #[test]
    fn typography_is_unified_and_spans_map_back() {
        let original = "L’entreprise « Jupiter »\u{a0}a  levé 2,5\u{202f}milliards d’euros.";
        let n = normalize(original);
        assert_eq!(n.text, "L'entreprise \"Jupiter\" a levé 2,5 milliards d'euros.");
        assert_eq!(original_of(&n, original, "\"Jupiter\""), "« Jupiter »");
        assert_eq!(original_of(&n, original, "d'euros"), "d’euros");
        assert_eq!(original_of(&n, original, "2,5 milliards"), "2,5\u{202f}milliards");
    }

    #[test]
    fn decomposed_accents_are_composed() {
        let original = "Unive\u{301}rsite\u{301} de Munich";
        let n = normalize(original);
        assert_eq!(n.text, "Univérsité de Munich");
        assert_eq!(original_of(&n, original, "Univérsité"), "Unive\u{301}rsite\u{301}");
    }

    #[test]
    fn line_breaks_are_kept_and_unified() {
        let n = normalize("a\r\nb\rc  \n  d");
        assert_eq!(n.text, "a\nb\nc\nd");
    }

    #[test]
    fn folding_drops_case_and_accents() {
        let f = fold("États-Unis Œuvre");
        assert_eq!(f.text, "etats-unis oeuvre");
        let start = f.text.find("oeuvre").unwrap();
        assert_eq!(f.map.span(start, start + 6), ("États-Unis ".len(), "États-Unis Œuvre".len()));
    }

    /// The per-byte definition of the map, for comparison.
    fn per_byte(pushes: &[(usize, usize, usize)], src_len: usize) -> (Vec<usize>, Vec<usize>) {
        let (mut starts, mut ends) = (Vec::new(), Vec::new());
        for &(len, s, e) in pushes {
            for _ in 0..len {
                starts.push(s);
                ends.push(e);
            }
        }
        starts.push(src_len);
        ends.push(src_len);
        (starts, ends)
    }

    #[test]
    fn single_spaces_between_plain_characters_are_copied_with_their_run() {
        for original in [
            "a b",
            "a  b",
            "a \nb",
            "a\n b",
            " a b ",
            "a \"b\" c",
            "« a » b",
            "a\t b",
            "x , y",
            "l'a b",
            "a b\r\nc d",
            "a \u{a0}b",
            "a b\u{2019}c d",
        ] {
            assert_eq!(normalize(original), normalize_with(original, false), "{original:?}");
        }
        assert_eq!(normalize("Le groupe  investit ").text, "Le groupe investit");
    }

    proptest! {
        #[test]
        fn runs_answer_like_a_per_byte_map(units in proptest::collection::vec((0usize..4, 0usize..4, proptest::bool::ANY), 0..40), q in 0usize..200) {
            let mut pushes = Vec::new();
            let mut src = 0;
            for (len, width, one) in units {
                let width = if one { 1 } else { width };
                pushes.push((if one { 1 } else { len }, src, src + width));
                src += width;
            }
            let mut map = OffsetMap::default();
            for &(len, s, e) in &pushes {
                map.push(len, s, e);
            }
            map.finish(src);
            let (starts, ends) = per_byte(&pushes, src);
            let n = starts.len() - 1;
            let start = starts[q.min(n)];
            let end = if q == 0 { starts[0] } else { ends[(q - 1).min(n)] };
            prop_assert_eq!(map.start(q), start);
            prop_assert_eq!(map.end(q), end);
        }

        #[test]
        fn runs_of_plain_ascii_normalize_as_character_by_character(original in "( |[a-z]{1,3}|[ -~\t\r\n]|\u{a0}|\u{2019}|«|»|é|\u{200b}){0,60}") {
            prop_assert_eq!(normalize(&original), normalize_with(&original, false));
        }

        #[test]
        fn every_normalized_span_maps_to_a_valid_original_span(original in "\\PC{0,40}", a in 0usize..60, b in 0usize..60) {
            let n = normalize(&original);
            let (lo, hi) = (a.min(b).min(n.text.len()), a.max(b).min(n.text.len()));
            let (s, e) = n.map.span(lo, hi);
            prop_assert!(s <= e && e <= original.len());
            prop_assert!(original.is_char_boundary(s) && original.is_char_boundary(e));
        }

        #[test]
        fn fold_runs_equal_char_by_char_folding(text in "[a-zA-Z0-9 ,.éÉŒßİ\u{301}\u{2019}]{0,60}|\\PC{0,30}") {
            let f = fold(&text);
            let mut out = String::new();
            let mut map = OffsetMap::default();
            for (i, c) in text.char_indices() {
                let before = out.len();
                fold_char(c, &mut out);
                map.push(out.len() - before, i, i + c.len_utf8());
            }
            map.finish(text.len());
            prop_assert_eq!(&f.text, &out);
            for q in 0..=out.len() + 1 {
                prop_assert_eq!(f.map.start(q), map.start(q));
                prop_assert_eq!(f.map.end(q), map.end(q));
            }
        }

        /// Texts folded onto one sheet, after others, read as each folded alone: the same text
        /// and the same map. Fails if a map's runs were taken from the text before it.
        #[test]
        fn a_folded_sheet_holds_copies_as_they_are_alone(texts in proptest::collection::vec("[a-zA-Z ,éÉŒß\u{301}]{0,20}|\\PC{0,10}", 1..5)) {
            let mut sheet = FoldedSheet::default();
            let spans: Vec<FoldedSpan> = texts.iter().map(|t| sheet.push(t)).collect();
            for (text, span) in texts.iter().zip(spans) {
                let alone = fold(text);
                let (held, map) = sheet.get(span);
                prop_assert_eq!(held, alone.text.as_str());
                for q in 0..=held.len() + 1 {
                    prop_assert_eq!(map.start(q), alone.map.start(q));
                    prop_assert_eq!(map.end(q), alone.map.end(q));
                }
            }
        }

        #[test]
        fn folded_spans_map_to_char_boundaries(text in "\\PC{0,40}", a in 0usize..80) {
            let f = fold(&text);
            let a = a.min(f.text.len());
            let s = f.map.start(a);
            prop_assert!(text.is_char_boundary(s));
        }
    }
}
