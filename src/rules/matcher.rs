//! A compiled pattern: its regex source, checked at load, and the automata that run it, built on
//! first use.
//!
//! A pack's regexes are large (lexicons and bounded repetitions expand to tens of thousands of
//! NFA states), and a run over French text never uses the English ones: building all of them at
//! load took most of the load time and of the memory (1.8 s and 190 MB for the bundled pack). So
//! the syntax and the groups are checked when the pack loads, which is where errors are reported
//! with their position, and the automata are built the first time a pattern runs. A pattern that
//! loaded always builds (no size limit applies then); `rules check` and `rules test` build every
//! pattern at load (`LoadOptions::build_all`), under the size limit, so that a pattern too large
//! is reported there.
//!
//! The automata are `regex-automata`'s meta regex with its default configuration, which is what
//! the `regex` crate runs: same syntax, same leftmost-first matches, same groups. They are built
//! from the pattern with its classes cut down to its alphabet, and read haystacks whose other
//! characters are replaced by their stand-ins (`super::alphabet`): the matches and their offsets
//! are the same, the automata less than half as large.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex_automata::meta;
use regex_automata::util::captures::Captures;
use regex_syntax::hir::{Hir, HirKind};

use super::alphabet::{first_maybe_mapped, Alphabet};

/// Largest compiled NFA a pattern may have when `rules check` builds it (64 MiB).
const SIZE_LIMIT: usize = 64 << 20;

/// Most memory one thread's lazy DFA may take for one pattern before it starts over: the engine's
/// default, 2 MiB. With 8 MiB the largest relation rules cleared their states less often, which
/// was worth 5 % before patterns were cut down to their alphabet and run over batches of
/// documents; since then 2, 4 and 8 MiB measure the same, and 2 MiB bounds the memory of a long
/// run over varied text four times lower (BENCHMARKS.md).
const LAZY_DFA_CAPACITY: usize = 2 << 20;

/// A pattern's regex, built on first use.
#[derive(Debug, Clone)]
pub struct Matcher {
    source: String,
    /// Names of the capture groups, by group index (0 is the whole match and has none).
    names: Vec<Option<String>>,
    automata: OnceLock<Automata>,
}

/// A pattern's automata, and the characters they tell apart.
#[derive(Debug, Clone)]
struct Automata {
    regex: meta::Regex,
    /// `None` when the pattern keeps all of Unicode.
    alphabet: Option<Alphabet>,
}

/// Why a pattern's regex does not parse: the parser's message, and the byte offset in the
/// pattern where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub message: String,
    pub offset: usize,
}

/// A text to match, with where its first character that a pattern's alphabet may replace
/// starts: found once, for all the patterns that read the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Haystack<'h> {
    text: &'h str,
    maybe_mapped: Option<usize>,
}

impl<'h> Haystack<'h> {
    pub fn new(text: &'h str) -> Self {
        Haystack { text, maybe_mapped: first_maybe_mapped(text.as_bytes()) }
    }

    /// A haystack whose scan was made before: `maybe_mapped` is what [`Haystack::new`] found.
    pub(crate) fn scanned(text: &'h str, maybe_mapped: Option<usize>) -> Self {
        debug_assert_eq!(maybe_mapped, first_maybe_mapped(text.as_bytes()));
        Haystack { text, maybe_mapped }
    }

    /// Where the first character that a pattern's alphabet may replace starts.
    pub(crate) fn maybe_mapped(&self) -> Option<usize> {
        self.maybe_mapped
    }

    pub fn as_str(&self) -> &'h str {
        self.text
    }
}

impl<'h> From<&'h str> for Haystack<'h> {
    fn from(text: &'h str) -> Self {
        Haystack::new(text)
    }
}

impl Automata {
    /// The haystack the automata read: its characters replaced by those that stand for them.
    fn mapped<'h>(&self, haystack: Haystack<'h>) -> Cow<'h, str> {
        match (&self.alphabet, haystack.maybe_mapped) {
            (Some(alphabet), Some(from)) => alphabet.map_from(haystack.text, from),
            _ => Cow::Borrowed(haystack.text),
        }
    }
}

/// A match or a group of a match: a span of the haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span<'h> {
    haystack: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Span<'h> {
    pub fn start(&self) -> usize {
        self.start
    }
    pub fn end(&self) -> usize {
        self.end
    }
    pub fn as_str(&self) -> &'h str {
        &self.haystack[self.start..self.end]
    }
}

/// The groups of one match.
pub struct Groups<'h> {
    haystack: &'h str,
    caps: Captures,
}

impl<'h> Groups<'h> {
    /// Group `index` (0: the whole match), if it took part in the match.
    pub fn get(&self, index: usize) -> Option<Span<'h>> {
        self.caps.get_group(index).map(|s| self.span(s))
    }

    /// The group called `name`, if the pattern has one and it took part in the match.
    pub fn name(&self, name: &str) -> Option<Span<'h>> {
        self.caps.get_group_by_name(name).map(|s| self.span(s))
    }

    fn span(&self, s: regex_automata::Span) -> Span<'h> {
        Span { haystack: self.haystack, start: s.start, end: s.end }
    }
}

impl Matcher {
    /// Checks `source` (syntax, Unicode classes, nesting) without building automata. The error is
    /// the regex parser's message.
    pub fn new(source: &str) -> Result<Matcher, String> {
        Matcher::parse(source).map_err(|e| e.message)
    }

    /// [`Matcher::new`], with where in `source` the error is.
    pub fn parse(source: &str) -> Result<Matcher, PatternError> {
        let hir = regex_syntax::ParserBuilder::new().build().parse(source).map_err(|e| {
            let (message, offset) = match &e {
                regex_syntax::Error::Parse(e) => (e.kind().to_string(), e.span().start.offset),
                regex_syntax::Error::Translate(e) => (e.kind().to_string(), e.span().start.offset),
                _ => (last_line(&e.to_string()), 0),
            };
            PatternError { message, offset }
        })?;
        let mut names = vec![None]; // group 0, the whole match
        group_names(&hir, &mut names);
        Ok(Matcher { source: source.to_string(), names, automata: OnceLock::new() })
    }

    /// Builds the automata now, under the size limit (for `rules check`): the error says what is
    /// too large.
    pub fn build_now(&self) -> Result<(), String> {
        if self.automata.get().is_some() {
            return Ok(());
        }
        let automata = self.build(Some(SIZE_LIMIT))?;
        let _ = self.automata.set(automata);
        Ok(())
    }

    /// The regex source.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern has a group called `name`.
    pub fn has_group(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.as_deref() == Some(name))
    }

    /// Names of the pattern's named groups, in order.
    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().flatten().map(String::as_str)
    }

    fn automata(&self) -> &Automata {
        // No size limit here: a pattern that parsed always builds, and the limit is checked by
        // `rules check`.
        self.automata.get_or_init(|| self.build(None).expect("a checked pattern builds"))
    }

    /// Builds the automata, with the classes cut down to the pattern's alphabet (worked out here,
    /// not at load, so that the patterns a run never uses cost nothing more); the error is the
    /// regex engine's message.
    fn build(&self, size_limit: Option<usize>) -> Result<Automata, String> {
        let config =
            meta::Config::new().nfa_size_limit(size_limit).hybrid_cache_capacity(LAZY_DFA_CAPACITY);
        let mut builder = meta::Builder::new();
        builder.configure(config);
        let hir = regex_syntax::parse(&self.source).map_err(|e| last_line(&e.to_string()))?;
        let alphabet = Alphabet::of(&hir);
        let built = match &alphabet {
            None => builder.build_from_hir(&hir),
            Some(alphabet) => builder.build_from_hir(&alphabet.restrict(&hir)),
        };
        let regex = built.map_err(|e| last_line(&e.to_string()))?;
        Ok(Automata { regex, alphabet })
    }

    /// Successive non-overlapping matches, leftmost-first.
    pub fn find_iter<'r, 'h>(
        &'r self,
        haystack: impl Into<Haystack<'h>>,
    ) -> impl Iterator<Item = Span<'h>> + 'r
    where
        'h: 'r,
    {
        let haystack = haystack.into();
        let automata = self.automata();
        let spans = match automata.mapped(haystack) {
            Cow::Borrowed(text) => Lazy::Borrowed(automata.regex.find_iter(text)),
            // Rare (text with characters that need a stand-in): the matches are collected, since
            // the mapped text does not outlive this call. Offsets are the same in both texts.
            Cow::Owned(text) => {
                Lazy::Collected(automata.regex.find_iter(&text).collect::<Vec<_>>().into_iter())
            }
        };
        let haystack = haystack.text;
        spans.map(move |m| Span { haystack, start: m.start(), end: m.end() })
    }

    /// Successive non-overlapping matches with their groups.
    pub fn captures_iter<'r, 'h>(
        &'r self,
        haystack: impl Into<Haystack<'h>>,
    ) -> impl Iterator<Item = Groups<'h>> + 'r
    where
        'h: 'r,
    {
        let haystack = haystack.into();
        let automata = self.automata();
        let all = match automata.mapped(haystack) {
            Cow::Borrowed(text) => Lazy::Borrowed(automata.regex.captures_iter(text)),
            Cow::Owned(text) => {
                Lazy::Collected(automata.regex.captures_iter(&text).collect::<Vec<_>>().into_iter())
            }
        };
        let haystack = haystack.text;
        all.map(move |caps| Groups { haystack, caps })
    }
}

/// The matches of a borrowed haystack, found as they are asked for, or those of a mapped copy,
/// found at once.
enum Lazy<I: Iterator> {
    Borrowed(I),
    Collected(std::vec::IntoIter<I::Item>),
}

impl<I: Iterator> Iterator for Lazy<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        match self {
            Lazy::Borrowed(it) => it.next(),
            Lazy::Collected(it) => it.next(),
        }
    }
}

fn last_line(message: &str) -> String {
    message.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(message).trim().to_string()
}

/// Group names by index, as the regex engine numbers groups (group 0, the whole match, is
/// already in `names`).
fn group_names(hir: &Hir, names: &mut Vec<Option<String>>) {
    match hir.kind() {
        HirKind::Capture(c) => {
            let index = c.index as usize;
            if names.len() <= index {
                names.resize(index + 1, None);
            }
            names[index] = c.name.as_deref().map(String::from);
            group_names(&c.sub, names);
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            for sub in subs {
                group_names(sub, names);
            }
        }
        HirKind::Repetition(r) => group_names(&r.sub, names),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_found_by_name_and_index_as_in_the_regex_crate() {
        let pattern = r"(?P<subject>\w+) (?:and|et) (x)?(?P<object>\w+)";
        let m = Matcher::new(pattern).unwrap();
        assert!(m.has_group("object") && !m.has_group("amount"));
        assert_eq!(m.group_names().collect::<Vec<_>>(), ["subject", "object"]);
        let reference = regex::Regex::new(pattern).unwrap();
        // The second text has letters that the automata read through stand-ins (Greek, Cyrillic,
        // Han): its matches are found on a mapped copy and must be the same.
        for text in ["Airbus et Thales, SAP and xAI", "Ωmega et Жuk, 中国 and xΣ, ок and 𝐀"]
        {
            assert_eq!(
                matches!(m.automata().mapped(text.into()), Cow::Owned(_)),
                text.starts_with('Ω')
            );
            // every group of every match, by index, and the group named `subject`
            let ours: Vec<Vec<Option<&str>>> = m
                .captures_iter(text)
                .map(|g| {
                    let mut row: Vec<_> = (0..4).map(|i| g.get(i).map(|s| s.as_str())).collect();
                    row.push(g.name("subject").map(|s| s.as_str()));
                    row
                })
                .collect();
            let theirs: Vec<Vec<Option<&str>>> = reference
                .captures_iter(text)
                .map(|c| {
                    let mut row: Vec<_> = (0..4).map(|i| c.get(i).map(|m| m.as_str())).collect();
                    row.push(c.name("subject").map(|m| m.as_str()));
                    row
                })
                .collect();
            assert_eq!(ours, theirs);
            assert!(ours.len() >= 2);
            let spans: Vec<_> = m.find_iter(text).map(|s| s.as_str()).collect();
            let whole: Vec<_> = reference.find_iter(text).map(|m| m.as_str()).collect();
            assert_eq!(spans, whole);
        }
    }

    #[test]
    fn a_bad_pattern_is_refused_at_load_and_a_huge_one_by_build_now() {
        assert!(Matcher::new("(unclosed").is_err());
        // too large with its classes cut down, and with all of Unicode (a Unicode `\b` keeps it)
        for pattern in [r"(?:\p{L}{0,1000}){0,1000}", r"\b(?:\p{L}{0,100}){0,100}"] {
            let huge = Matcher::new(pattern).unwrap();
            let alphabet = Alphabet::of(&regex_syntax::parse(pattern).unwrap());
            assert_eq!(alphabet.is_some(), !pattern.starts_with(r"\b"));
            assert!(huge.build_now().is_err(), "{pattern}");
        }
        // the same as the first, small enough once cut down: all of Unicode would be too large
        assert!(Matcher::new(r"(?:\p{L}{0,100}){0,100}").unwrap().build_now().is_ok());
    }
}
