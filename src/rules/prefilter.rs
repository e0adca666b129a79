//! Literal prefilters: one Aho-Corasick scan of a sentence tells which regexes of a group cannot
//! match it, so that a sentence without any rule's trigger words costs one scan, not one regex
//! search per rule.
//!
//! For every regex, literal extraction (regex-syntax) over the parts every match must go through
//! gives *clauses*: sets of literals, one of which any match contains. A relation rule gets one
//! clause per required placeholder (`⟨organization#`, `⟨name#`: the slot types it needs) and one
//! per required word ("investit", "s'associe"). A regex whose clauses are not all met by the scan
//! is skipped; a regex with no clause always runs. Literals are compared ignoring ASCII case, which
//! only lets more regexes run, never fewer: the prefilter never changes a result.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Repetition};

/// A clause with a one-byte literal that is this common in text (letters, digits, white space,
/// punctuation) is dropped: it would be met nearly everywhere and only slow the scan.
fn too_common(literal: &[u8]) -> bool {
    literal.is_empty()
        || (literal.len() == 1
            && (literal[0].is_ascii_alphanumeric()
                || literal[0].is_ascii_whitespace()
                || b",.;:'\"()-".contains(&literal[0])))
}
/// Literals are cut to this many bytes: long enough to be selective, short enough to keep the
/// automaton small (it is scanned for every sentence).
const MAX_LITERAL: usize = 10;
/// A clause with more literals than this is dropped.
const MAX_CLAUSE: usize = 400;

/// The prefilter of a group of regexes (in the group's order).
#[derive(Debug, Clone)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    literal_count: usize,
    literals: Vec<Vec<u8>>,
    /// Per regex, its clauses as literal ids.
    clauses: Vec<Vec<Vec<usize>>>,
    /// Per regex, whether the whole regex is one group named `name` (its matches are the group's).
    name: Vec<bool>,
}

/// Which literals a scan found; reused from one sentence to the next without clearing (a literal
/// was found by the last scan when its stamp is the scan's).
#[derive(Debug, Clone, Default)]
pub struct Found {
    stamps: Vec<u32>,
    scan: u32,
}

impl Prefilter {
    /// Builds the prefilter of `patterns` (regex source texts, as given to `regex::Regex`).
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Prefilter {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut ids: std::collections::HashMap<Vec<u8>, usize> = Default::default();
        let mut clauses = Vec::new();
        let mut name = Vec::new();
        for pattern in patterns {
            let mut own = Vec::new();
            let hir = regex_syntax::Parser::new().parse(pattern);
            name.push(matches!(
                hir.as_ref().map(|h| h.kind()),
                Ok(HirKind::Capture(c)) if c.name.as_deref() == Some("name")
            ));
            if let Ok(hir) = hir {
                let mut raw = Vec::new();
                required(&simplify(&hir), &mut raw);
                for clause in raw {
                    let mut lits: Vec<usize> = clause
                        .into_iter()
                        .map(|l| {
                            let l = l.to_ascii_lowercase();
                            let next = literals.len();
                            *ids.entry(l.clone()).or_insert_with(|| {
                                literals.push(l);
                                next
                            })
                        })
                        .collect();
                    lits.sort_unstable();
                    lits.dedup();
                    own.push(lits);
                }
            }
            own.sort();
            own.dedup();
            clauses.push(own);
        }
        let automaton = if literals.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&literals)
                .or_else(|_| {
                    AhoCorasick::builder()
                        .match_kind(MatchKind::Standard)
                        .ascii_case_insensitive(true)
                        .build(&literals)
                })
                .ok()
        };
        if automaton.is_none() {
            clauses.iter_mut().for_each(Vec::clear);
        }
        Prefilter { automaton, literal_count: literals.len(), literals, clauses, name }
    }

    /// Scans `haystack` once, recording which literals occur in it.
    pub fn scan(&self, haystack: &str, found: &mut Found) {
        if found.stamps.len() != self.literal_count || found.scan == u32::MAX {
            found.stamps.clear();
            found.stamps.resize(self.literal_count, 0);
            found.scan = 0;
        }
        found.scan += 1;
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(haystack) {
                found.stamps[m.pattern().as_usize()] = found.scan;
            }
        }
    }

    /// Whether regex `i` may match the scanned haystack (every one of its clauses met).
    pub fn may_match(&self, i: usize, found: &Found) -> bool {
        self.clauses[i].iter().all(|clause| clause.iter().any(|&l| found.stamps[l] == found.scan))
    }

    /// Whether regex `i` is one capture group named `name`, so that its matches are the group's.
    pub fn is_name(&self, i: usize) -> bool {
        self.name[i]
    }

    /// The clauses of regex `i`, as literal strings (for inspection).
    pub fn describe(&self, i: usize) -> Vec<Vec<String>> {
        let lits: Vec<String> =
            self.literals.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect();
        self.clauses[i].iter().map(|c| c.iter().map(|&l| lits[l].clone()).collect()).collect()
    }

    /// Number of clauses of regex `i` (0: it always runs).
    pub fn clause_count(&self, i: usize) -> usize {
        self.clauses[i].len()
    }
}

/// The same language for literal extraction, with ASCII case classes (`[Ee]`) made lower-case
/// literals: literals are compared ignoring ASCII case anyway, and this keeps case-insensitive
/// words from multiplying into case variants.
fn simplify(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let chars: Vec<char> =
                c.ranges().iter().flat_map(|r| r.start()..=r.end()).take(3).collect();
            if let [a, b] = chars[..] {
                if a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b) {
                    let lower = a.to_ascii_lowercase().to_string();
                    return Hir::literal(lower.into_bytes());
                }
            }
            hir.clone()
        }
        HirKind::Concat(xs) => Hir::concat(xs.iter().map(simplify).collect()),
        HirKind::Alternation(xs) => Hir::alternation(xs.iter().map(simplify).collect()),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(simplify(&c.sub)),
        }),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(simplify(&r.sub)),
        }),
        _ => hir.clone(),
    }
}

/// Literal sets every match of `hir` contains one of (pushed to `out`).
fn required(hir: &Hir, out: &mut Vec<Vec<Vec<u8>>>) {
    match hir.kind() {
        HirKind::Capture(c) => required(&c.sub, out),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub, out),
        HirKind::Concat(children) => {
            // runs of literal-like parts give longer literals together
            let mut run: Vec<Hir> = Vec::new();
            for child in children {
                if matches!(
                    child.kind(),
                    HirKind::Literal(_) | HirKind::Class(_) | HirKind::Alternation(_)
                ) {
                    run.push(child.clone());
                    continue;
                }
                flush(&mut run, out);
                required(child, out);
            }
            flush(&mut run, out);
        }
        HirKind::Literal(_) | HirKind::Class(_) | HirKind::Alternation(_) => {
            if let Some(clause) = prefixes(hir) {
                out.push(clause);
            }
        }
        _ => {}
    }
}

fn flush(run: &mut Vec<Hir>, out: &mut Vec<Vec<Vec<u8>>>) {
    if run.is_empty() {
        return;
    }
    let whole = Hir::concat(std::mem::take(run));
    if let Some(clause) = prefixes(&whole) {
        out.push(clause);
    }
    // literals are cut to MAX_LITERAL bytes: the parts further on are required too
    let parts = match whole.kind() {
        HirKind::Concat(parts) => parts.as_slice(),
        _ => std::slice::from_ref(&whole),
    };
    for part in parts {
        match part.kind() {
            HirKind::Literal(lit) => {
                for piece in lit.0.chunks(MAX_LITERAL).filter(|p| p.len() >= 3) {
                    out.push(vec![piece.to_vec()]);
                }
            }
            _ => {
                if let Some(clause) = prefixes(part) {
                    out.push(clause);
                }
            }
        }
    }
}

/// The literals every match of `hir` starts with, when there are few and none is too short.
fn prefixes(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix).limit_total(MAX_CLAUSE).limit_literal_len(MAX_LITERAL);
    let seq = extractor.extract(hir);
    let literals = seq.literals()?;
    if literals.is_empty()
        || literals.len() > MAX_CLAUSE
        || literals.iter().any(|l| too_common(l.as_bytes()))
    {
        return None;
    }
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(pattern: &str, text: &str) -> bool {
        let p = Prefilter::new([pattern]);
        let mut found = Found::default();
        p.scan(text, &mut found);
        p.may_match(0, &found)
    }

    #[test]
    fn slots_and_words_are_required() {
        let rule = "⟨(?:organization|name)#(?P<s>\\d+)⟩ (?:investit|injecte) (?i:dans) ⟨organization#(?P<o>\\d+)⟩";
        let p = Prefilter::new([rule]);
        assert!(p.clause_count(0) >= 3, "{p:?}");
        assert!(passes(rule, "⟨name#1⟩ investit DANS ⟨organization#2⟩"));
        assert!(!passes(rule, "⟨name#1⟩ investit dans ⟨place#2⟩"));
        assert!(!passes(rule, "⟨name#1⟩ achète ⟨organization#2⟩"));
    }

    #[test]
    fn optional_parts_are_not_required() {
        let rule = "(?:^|[^\\p{L}])(?:la |le )?(?P<name>\\p{Lu}\\w+)(?: SA)?";
        assert!(passes(rule, "Acme"));
        assert!(passes(rule, "x"));
    }

    #[test]
    fn the_prefilter_never_rejects_a_match() {
        let patterns = [
            "(?i:universit[ée]) de (?P<x>\\w+)",
            "(?P<cur>US\\$|\\$|€|£)\\s?\\d+",
            "\\d+ (?:millions|milliards) d'euros",
            "(?:janvier|février|mars) (?:19|20)\\d{2}",
        ];
        let texts = [
            "L'UNIVERSITÉ de Lyon",
            "l'Université de Lyon",
            "pour $ 5",
            "US$3 et €4",
            "2 milliards d'euros",
            "en Février 2024",
            "en février 2024",
        ];
        let p = Prefilter::new(patterns);
        let mut found = Found::default();
        for text in texts {
            p.scan(text, &mut found);
            for (i, pattern) in patterns.iter().enumerate() {
                if regex::Regex::new(pattern).unwrap().is_match(text) {
                    assert!(p.may_match(i, &found), "{pattern} on {text}");
                }
            }
        }
    }
}
