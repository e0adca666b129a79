//! Parsing a pattern whose macros and lexicons each come back many times, each of them once.
//!
//! After expansion a pattern is 15 to 27 KB of regex, most of it the same macros and lexicons
//! (`{np_prefix_fr}`, `{role_fr}`, a list slot's item prefix) in rule after rule, and parsing
//! them, case folding included, was most of the time a pack took to load and to build. The
//! expansion tells where each macro and lexicon it wrote is ([`Expanded::pieces`]). Here the
//! pattern is parsed with each of those pieces written as a stand-in, `(?:` and one reserved
//! character and `)` (the skeleton), and each distinct piece is parsed once for the whole pack
//! ([`Pieces`]), as written or case-insensitively, as the flags where it stands read it.
//!
//! The skeleton's syntax is then translated as the regex parser's translator does, with the
//! translator itself for every part that holds no stand-in (given the flags it starts under) and
//! the same constructors as the translator for each node on the way to a stand-in
//! (`Hir::concat`, which merges literals, `Hir::alternation`, which factors prefixes and makes
//! classes, `Hir::repetition`, `Hir::capture`), and a stand-in's tree is its piece's. So the tree
//! is the one the parser gives for the whole pattern (tests compare them on the bundled pack
//! and on generated patterns).
//!
//! A pattern the skeleton cannot serve is parsed whole, as before: one that holds a reserved
//! character, sets a flag other than `i`, or has a piece that holds a capture group (whose index
//! depends on where it is) or is not one group; and one whose skeleton does not parse, so that an
//! error is always the whole pattern's, with its offsets. One difference remains: the parser
//! refuses a pattern nested more than 250 levels deep, and a pattern whose skeleton and pieces
//! are each within that depth while the whole is not is parsed here (the bundled ones are far
//! from it).
//!
//! [`Expanded::pieces`]: super::pattern::Expanded::pieces

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use regex_syntax::ast::{self, Ast, FlagsItemKind, GroupKind, RepetitionKind, RepetitionRange};
use regex_syntax::hir::{self, Capture, Hir, Repetition};

/// The stand-in of a pattern's piece `k` is `FIRST + k` (Supplementary Private Use Area-B).
const FIRST: u32 = 0x10_0000;
/// Most distinct pieces in one pattern.
const MAX_PIECES: usize = 0xFFFE;

fn reserved(c: char) -> bool {
    c as u32 >= FIRST
}

/// A pattern kept as its pieces and the text between them, with its pack's [`Pieces`]: the
/// text of a piece is kept once for all the patterns that hold it (the bundled patterns are
/// 2.6 MB of regex, 93 % of it in 94 distinct pieces).
#[derive(Debug, Clone)]
pub struct PatternPieces {
    parsed: Arc<Pieces>,
    /// The pattern's text outside its pieces, end to end.
    between: Box<str>,
    /// Each piece, in order: where it stands in `between`, and its text.
    pieces: Box<[(usize, Arc<str>)]>,
}

impl PatternPieces {
    /// `regex`, a pattern, with its `pieces` (byte ranges of it, sorted and apart, each the
    /// expansion of a macro or a lexicon, as [`Expanded::pieces`] gives them), to be parsed into
    /// `parsed`; `None` when there are none, or a range is not one.
    ///
    /// [`Expanded::pieces`]: super::pattern::Expanded::pieces
    pub fn new(
        parsed: &Arc<Pieces>,
        regex: &str,
        pieces: &[(usize, usize)],
    ) -> Option<PatternPieces> {
        if pieces.is_empty() {
            return None;
        }
        let (mut between, mut cuts, mut at) = (String::new(), Vec::new(), 0);
        for &(start, end) in pieces {
            let text = regex.get(start..end).filter(|_| start >= at)?;
            between.push_str(regex.get(at..start)?);
            cuts.push((between.len(), parsed.entry(text).0));
            at = end;
        }
        between.push_str(regex.get(at..)?);
        Some(PatternPieces {
            parsed: Arc::clone(parsed),
            between: between.into(),
            pieces: cuts.into(),
        })
    }

    /// The pattern's text.
    pub fn text(&self) -> String {
        let mut text = String::new();
        self.parts().for_each(|(before, piece)| {
            text.push_str(before);
            text.push_str(piece.unwrap_or_default());
        });
        text
    }

    /// The pattern's syntax tree, as `regex_syntax::Parser::new()` gives it for its text, made
    /// of its skeleton and its pieces; `None` when they cannot serve and the pattern is to be
    /// parsed whole (the module's documentation says when), or the pieces were released.
    pub fn spliced(&self) -> Option<Hir> {
        self.parsed.spliced(self.parts())
    }

    /// The text before each piece, and the piece; the text after the last one, and no piece.
    fn parts(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        let mut at = 0;
        let pieces = self.pieces.iter().map(|(cut, text)| (*cut, Some(&**text)));
        pieces.chain(std::iter::once((self.between.len(), None))).map(move |(cut, piece)| {
            let before = &self.between[at..cut];
            at = cut;
            (before, piece)
        })
    }
}

/// The pieces of a pack's patterns, each parsed the first time a pattern needs it, as written or
/// case-insensitively; shared by the threads that parse or build the pack's patterns, until
/// [`Pieces::release`].
#[derive(Debug, Default)]
pub struct Pieces {
    /// Each piece's text, one copy for all the patterns that hold it ([`PatternPieces`]), and
    /// its syntax trees.
    parsed: Mutex<HashMap<Arc<str>, Arc<Parsed>>>,
    released: AtomicBool,
}

/// One piece's syntax trees; `None` when the piece cannot stand in a skeleton.
#[derive(Debug, Default)]
struct Parsed {
    plain: OnceLock<Option<Hir>>,
    folded: OnceLock<Option<Hir>>,
}

impl Parsed {
    fn get(&self, text: &str, folded: bool) -> Option<&Hir> {
        let cell = if folded { &self.folded } else { &self.plain };
        cell.get_or_init(|| parse_piece(text, folded)).as_ref()
    }
}

impl Pieces {
    /// Frees the parsed pieces (about 5 MB for the bundled pack, most of it Unicode classes) and
    /// parses every pattern whole from then on. A stream of batches calls it once its first batch
    /// is extracted ([`RulePack::release_build_caches`](super::RulePack::release_build_caches)),
    /// when the automata a run needs first are built, so that the memory is free again long
    /// before the run's peak; other callers keep them.
    pub fn release(&self) {
        // called after every batch: only the first call writes
        if !self.released.load(Ordering::Acquire) && !self.released.swap(true, Ordering::AcqRel) {
            self.parsed.lock().expect("no thread panics holding the pieces").clear();
        }
    }

    /// The one copy of `text`, and its syntax trees.
    fn entry(&self, text: &str) -> (Arc<str>, Arc<Parsed>) {
        let mut parsed = self.parsed.lock().expect("no thread panics holding the pieces");
        if let Some((kept, entry)) = parsed.get_key_value(text) {
            return (Arc::clone(kept), Arc::clone(entry));
        }
        let (kept, entry): (Arc<str>, Arc<Parsed>) = (text.into(), Arc::default());
        parsed.insert(Arc::clone(&kept), Arc::clone(&entry));
        (kept, entry)
    }

    /// A pattern parsed as its skeleton with the pieces put in, or `None` when the skeleton
    /// cannot serve (the module's documentation says when). The pattern is `parts`: the text
    /// before each piece and the piece, then the text after the last piece and no piece.
    fn spliced<'t>(
        &self,
        parts: impl IntoIterator<Item = (&'t str, Option<&'t str>)>,
    ) -> Option<Hir> {
        if self.released.load(Ordering::Acquire) {
            return None;
        }
        let mut texts: Vec<&str> = Vec::new();
        let mut skeleton = String::new();
        for (before, piece) in parts {
            if before.chars().any(reserved) {
                return None;
            }
            skeleton.push_str(before);
            let Some(text) = piece else { continue };
            if text.chars().any(reserved) {
                return None;
            }
            let k = match texts.iter().position(|&t| t == text) {
                Some(k) => k,
                None => {
                    texts.push(text);
                    texts.len() - 1
                }
            };
            if k >= MAX_PIECES {
                return None;
            }
            skeleton.push_str("(?:");
            skeleton.push(char::from_u32(FIRST + k as u32)?);
            skeleton.push(')');
        }
        if texts.is_empty() {
            return None;
        }
        let ast = ast::parse::Parser::new().parse(&skeleton).ok()?;
        if !only_case_flags(&ast) {
            return None;
        }
        let entries: Vec<Arc<Parsed>> = texts.iter().map(|t| self.entry(t).1).collect();
        let piece = |k: usize, folded: bool| entries.get(k)?.get(texts[k], folded);
        let mut ast = ast;
        Skeleton { pattern: &skeleton, piece }.translate(&mut ast, &mut false)
    }
}

/// Whether the only flag `ast` sets is `i` and each reserved character in it is a stand-in
/// written as it is.
fn only_case_flags(ast: &Ast) -> bool {
    let case_only = |flags: &ast::Flags| {
        flags.items.iter().all(|item| {
            matches!(
                item.kind,
                FlagsItemKind::Negation | FlagsItemKind::Flag(ast::Flag::CaseInsensitive)
            )
        })
    };
    match ast {
        Ast::Flags(set) => case_only(&set.flags),
        Ast::Literal(literal) => !reserved(literal.c) || literal.kind == ast::LiteralKind::Verbatim,
        Ast::Repetition(repetition) => only_case_flags(&repetition.ast),
        Ast::Group(group) => group.flags().is_none_or(case_only) && only_case_flags(&group.ast),
        Ast::Alternation(alternation) => alternation.asts.iter().all(only_case_flags),
        Ast::Concat(concat) => concat.asts.iter().all(only_case_flags),
        Ast::Empty(_)
        | Ast::Dot(_)
        | Ast::Assertion(_)
        | Ast::ClassUnicode(_)
        | Ast::ClassPerl(_)
        | Ast::ClassBracketed(_) => true,
    }
}

/// Whether `ast` holds a stand-in (a class never does: no reserved character is written in one).
fn holds_stand_in(ast: &Ast) -> bool {
    match ast {
        Ast::Literal(literal) => reserved(literal.c),
        Ast::Repetition(repetition) => holds_stand_in(&repetition.ast),
        Ast::Group(group) => holds_stand_in(&group.ast),
        Ast::Alternation(alternation) => alternation.asts.iter().any(holds_stand_in),
        Ast::Concat(concat) => concat.asts.iter().any(holds_stand_in),
        _ => false,
    }
}

/// `folded` after the flags that `ast` sets outside its groups (which last to the end of the
/// group they are in, across its branches, as the translator reads them).
fn flags_after(ast: &Ast, folded: &mut bool) {
    match ast {
        Ast::Flags(set) => set_flags(&set.flags, folded),
        Ast::Alternation(alternation) => {
            alternation.asts.iter().for_each(|a| flags_after(a, folded))
        }
        Ast::Concat(concat) => concat.asts.iter().for_each(|a| flags_after(a, folded)),
        _ => {}
    }
}

fn set_flags(flags: &ast::Flags, folded: &mut bool) {
    let mut negated = false;
    for item in &flags.items {
        match item.kind {
            FlagsItemKind::Negation => negated = true,
            FlagsItemKind::Flag(ast::Flag::CaseInsensitive) => *folded = !negated,
            FlagsItemKind::Flag(_) => {}
        }
    }
}

/// A skeleton's translation ([the module](self)).
struct Skeleton<'s, F> {
    pattern: &'s str,
    /// Piece `k`'s tree, read case-insensitively or not.
    piece: F,
}

impl<'p, F: Fn(usize, bool) -> Option<&'p Hir>> Skeleton<'_, F> {
    /// `ast` translated under `folded`, which it leaves as the translator would.
    fn translate(&self, ast: &mut Ast, folded: &mut bool) -> Option<Hir> {
        if !holds_stand_in(ast) {
            return self.translated(ast, folded);
        }
        match ast {
            Ast::Group(group) => {
                if let Ast::Literal(literal) = &*group.ast {
                    if matches!(&group.kind, GroupKind::NonCapturing(f) if f.items.is_empty()) {
                        let k = (literal.c as u32 - FIRST) as usize;
                        return (self.piece)(k, *folded).cloned();
                    }
                }
                let mut inner = *folded;
                if let Some(flags) = group.flags() {
                    set_flags(flags, &mut inner);
                }
                let sub = self.translate(&mut group.ast, &mut inner)?;
                Some(match &group.kind {
                    &GroupKind::CaptureIndex(index) => {
                        Hir::capture(Capture { index, name: None, sub: Box::new(sub) })
                    }
                    GroupKind::CaptureName { name, .. } => Hir::capture(Capture {
                        index: name.index,
                        name: Some(name.name.as_str().into()),
                        sub: Box::new(sub),
                    }),
                    GroupKind::NonCapturing(_) => sub,
                })
            }
            Ast::Repetition(repetition) => {
                let (min, max) = match repetition.op.kind {
                    RepetitionKind::ZeroOrOne => (0, Some(1)),
                    RepetitionKind::ZeroOrMore => (0, None),
                    RepetitionKind::OneOrMore => (1, None),
                    RepetitionKind::Range(RepetitionRange::Exactly(m)) => (m, Some(m)),
                    RepetitionKind::Range(RepetitionRange::AtLeast(m)) => (m, None),
                    RepetitionKind::Range(RepetitionRange::Bounded(m, n)) => (m, Some(n)),
                };
                let greedy = repetition.greedy;
                let sub = Box::new(self.translate(&mut repetition.ast, folded)?);
                Some(Hir::repetition(Repetition { min, max, greedy, sub }))
            }
            Ast::Alternation(alternation) => {
                let mut branches = Vec::with_capacity(alternation.asts.len());
                for branch in &mut alternation.asts {
                    branches.push(self.translate(branch, folded)?);
                }
                Some(Hir::alternation(branches))
            }
            Ast::Concat(concat) => {
                // each run of items without a stand-in translated at once
                let mut items = Vec::with_capacity(concat.asts.len());
                let mut run = Vec::new();
                for mut item in std::mem::take(&mut concat.asts) {
                    if holds_stand_in(&item) {
                        if !run.is_empty() {
                            items.push(self.run(std::mem::take(&mut run), concat.span, folded)?);
                        }
                        items.push(self.translate(&mut item, folded)?);
                    } else {
                        run.push(item);
                    }
                }
                if !run.is_empty() {
                    items.push(self.run(run, concat.span, folded)?);
                }
                Some(Hir::concat(items))
            }
            // a stand-in outside its group, which the skeleton never writes
            _ => None,
        }
    }

    /// Items of a concatenation, without a stand-in, translated as one.
    fn run(&self, items: Vec<Ast>, span: ast::Span, folded: &mut bool) -> Option<Hir> {
        self.translated(&Ast::concat(ast::Concat { span, asts: items }), folded)
    }

    /// `ast`, which holds no stand-in, translated by the translator under `folded`.
    fn translated(&self, ast: &Ast, folded: &mut bool) -> Option<Hir> {
        let hir = hir::translate::TranslatorBuilder::new()
            .case_insensitive(*folded)
            .build()
            .translate(self.pattern, ast)
            .ok()?;
        flags_after(ast, folded);
        Some(hir)
    }
}

/// A piece's syntax tree, read case-insensitively when `folded`: `None` when the piece is not
/// one group, does not parse, or holds a capture group.
fn parse_piece(text: &str, folded: bool) -> Option<Hir> {
    let ast = ast::parse::Parser::new().parse(text).ok()?;
    match &ast {
        Ast::Group(group)
            if group.span.start.offset == 0 && group.span.end.offset == text.len() => {}
        _ => return None,
    }
    let hir = hir::translate::TranslatorBuilder::new()
        .case_insensitive(folded)
        .build()
        .translate(text, &ast)
        .ok()?;
    (hir.properties().explicit_captures_len() == 0).then_some(hir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The ranges of `(?:…)` groups marked by `«` and `»` in `marked`, and the regex without
    /// the marks.
    fn pieces_of(marked: &str) -> (String, Vec<(usize, usize)>) {
        let (mut regex, mut pieces, mut open) = (String::new(), Vec::new(), 0);
        for c in marked.chars() {
            match c {
                '«' => open = regex.len(),
                '»' => pieces.push((open, regex.len())),
                c => regex.push(c),
            }
        }
        (regex, pieces)
    }

    fn same_as_the_parser(marked: &str) -> bool {
        same(marked).unwrap_or(true)
    }

    /// `None` when `marked` has no pieces.
    fn same(marked: &str) -> Option<bool> {
        let (regex, pieces) = pieces_of(marked);
        let whole = regex_syntax::parse(&regex).ok();
        let pattern = PatternPieces::new(&Arc::default(), &regex, &pieces)?;
        // a pattern the pieces cannot serve is parsed whole
        let spliced = pattern.spliced();
        Some(pattern.text() == regex && (spliced.is_none() || spliced == whole))
    }

    fn served(marked: &str) -> bool {
        let (regex, pieces) = pieces_of(marked);
        PatternPieces::new(&Arc::default(), &regex, &pieces).and_then(|p| p.spliced()).is_some()
    }

    #[test]
    fn pieces_read_under_the_flags_where_they_stand() {
        for marked in [
            "a«(?:le|la)»b",
            "(?i:x«(?:le|la)» y)«(?:le|la)»",
            "(?i)x«(?:Éa|b)»(?-i:«(?:Éa|b)»)«(?:Éa|b)»",
            "(?:(?i)a«(?:k)»|«(?:k)»)«(?:k)»",
            "«(?:a|b)»|«(?:c|d)»",
            "(?:«(?:de |du )»|«(?:des )»)x",
            "(?:le «(?:a|b)» x|le «(?:a|b)» y)",
            "«(?:ab)»+c«(?:d\\p{Lu}e)»{2,3}?",
            "(?P<x>«(?:ab)»)(b«(?:cd)»)",
            "«(?i:(?:été|hiver))»",
            "(?:(?:«(?:k)»| )|le)", // one character and a space: a class, inside an alternation
        ] {
            assert!(same_as_the_parser(marked), "{marked}");
            assert!(served(marked), "{marked}");
        }
    }

    #[test]
    fn what_the_skeleton_cannot_serve_is_parsed_whole() {
        for marked in [
            "(?s)«(?:.a)»",       // a flag other than i
            "«(?:(a)|b)»c",       // a capture group in a piece
            "«(?:a)|(?:b)»",      // a piece that is not one group
            "x\u{10FFFD}«(?:a)»", // a reserved character
            "\\x{100000}«(?:a)»", // one written as an escape
            "«(?:a)»)",           // a skeleton that does not parse
        ] {
            assert!(!served(marked), "{marked}");
            assert!(same_as_the_parser(marked), "{marked}");
        }
    }

    fn word() -> impl Strategy<Value = String> {
        proptest::sample::select(vec![
            "le", "la", "les", "l'", "de", "du", "des", "d'", "k", "é", "Été", "ab", "a", "x y",
            "groupe", "Groupe", "s", "ſ", "K",
        ])
        .prop_map(str::to_string)
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::collection::vec(word(), 1..4).prop_map(|w| format!("(?:{})", w.join("|"))),
            (word(), word()).prop_map(|(a, b)| format!("(?:{a} (?:{b})?)")),
            (word(), word()).prop_map(|(a, b)| format!("(?:{a}[ -]\\p{{Ll}}+|{b})")),
            word().prop_map(|a| format!("(?i:(?:{a}))")),
        ]
    }

    fn pattern(depth: u32) -> BoxedStrategy<String> {
        let leaf = prop_oneof![
            word(),
            piece().prop_map(|p| format!("«{p}»")),
            Just("\\p{Lu}\\p{Ll}+".to_string()),
            Just(" ".to_string()),
        ];
        if depth == 0 {
            return leaf.boxed();
        }
        let inner = pattern(depth - 1);
        prop_oneof![
            leaf,
            proptest::collection::vec(inner.clone(), 1..4).prop_map(|p| p.concat()),
            proptest::collection::vec(inner.clone(), 2..4)
                .prop_map(|p| format!("(?:{})", p.join("|"))),
            inner.clone().prop_map(|p| format!("(?i:{p})")),
            inner.clone().prop_map(|p| format!("(?-i:{p})")),
            inner.clone().prop_map(|p| format!("(?:{p})?")),
            inner.clone().prop_map(|p| format!("(?:(?i){p})")),
            inner.clone().prop_map(|p| format!("({p})")),
            inner.prop_map(|p| format!("(?:{p}){{1,3}}?")),
        ]
        .boxed()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn a_spliced_tree_is_the_parsers(marked in pattern(3)) {
            prop_assert!(same_as_the_parser(&marked), "{}", marked);
            let (regex, pieces) = pieces_of(&marked);
            // every piece generated here can stand in a skeleton
            prop_assert!(pieces.is_empty() || served(&marked), "{}", marked);
            prop_assert!(regex_syntax::parse(&regex).is_ok(), "{}", marked);
        }
    }
}
