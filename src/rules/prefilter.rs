//! Literal prefilters: one Aho-Corasick scan of a sentence tells which regexes of a group cannot
//! match it, so that a sentence without any rule's trigger words costs one scan, not one regex
//! search per rule.
//!
//! For every regex, literal extraction (regex-syntax) over the parts every match must go through
//! gives *clauses*: sets of literals, one of which any match contains. A relation rule gets one
//! clause per required placeholder (`⟨c⟩` for the codes of the slot types it needs) and one
//! per required word ("investit", "s'associe"). A regex whose clauses are not all met by the scan
//! is skipped; a regex with no clause always runs. Literals are compared ignoring ASCII case, which
//! only lets more regexes run, never fewer: the prefilter never changes a result.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Repetition};

use super::literals::{Case, Scanner};
use crate::normalize::fold_str;

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
const MAX_LITERAL: usize = 6;
/// A clause with more literals than this is dropped.
const MAX_CLAUSE: usize = 400;

/// The prefilter of a group of regexes (in the group's order).
#[derive(Debug, Clone)]
pub struct Prefilter {
    automaton: Option<Scanner>,
    /// The literals folded, to scan a folded copy instead of the text ([`Prefilter::scan_folded`]):
    /// built the first time a folded copy is scanned.
    folded: OnceLock<FoldedScanner>,
    literals: Vec<Vec<u8>>,
    /// Per literal, whether it holds a capital, which a scan of the text checks where it finds
    /// the literal ([`holds_case`]); the scan itself ignores case.
    cased: Vec<bool>,
    /// The distinct clauses of the group, as literal ids.
    clauses: Vec<Vec<usize>>,
    /// Per literal, the clauses it meets: a scan marks them as it finds the literal, so that
    /// asking whether a regex may match costs one look per clause, not one per literal.
    meets: Lists,
    /// Per regex, its clauses as clause ids.
    regex_clauses: Lists,
    /// Per regex, whether the whole regex is one group named `name` (its matches are the group's).
    name: Vec<bool>,
}

/// Lists of ids end to end in one buffer, list `i` from `starts[i]` to `starts[i + 1]`: what a
/// scan reads for every literal it finds and [`Prefilter::may_match`] for every regex of the
/// group, for every sentence, without a load of the list's own header first.
#[derive(Debug, Clone, Default)]
struct Lists {
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl Lists {
    fn new<L: AsRef<[usize]>>(lists: &[L]) -> Lists {
        let id = |i: usize| u32::try_from(i).expect("fewer than 2^32 ids");
        let mut all = Lists { starts: vec![0], ids: Vec::new() };
        for list in lists {
            all.ids.extend(list.as_ref().iter().map(|&i| id(i)));
            all.starts.push(id(all.ids.len()));
        }
        all
    }

    #[inline]
    fn get(&self, i: usize) -> &[u32] {
        &self.ids[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// The automaton of the folded literals, with the literal id of each of its patterns, and the
/// literals that count as found in any folded copy: those that fold to nothing (a lone combining
/// mark) or to a literal too common to look for (`à` to `a`), or all of them if no automaton
/// could be built.
#[derive(Debug, Clone)]
struct FoldedScanner {
    automaton: Option<Scanner>,
    ids: Vec<usize>,
    always: Vec<usize>,
}

/// A literal folded, without the character it may be cut in.
fn fold_literal(literal: &[u8]) -> String {
    let whole = match std::str::from_utf8(literal) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&literal[..e.valid_up_to()]).expect("valid prefix"),
    };
    fold_str(whole)
}

/// Which literals and clauses a scan found; reused from one sentence to the next without
/// clearing (something was found by the last scan when its stamp is the scan's).
#[derive(Debug, Clone, Default)]
pub struct Found {
    literals: Vec<u32>,
    clauses: Vec<u32>,
    scan: u32,
}

/// What the prefilter needs of one regex: whether it is one group named `name`, and its clauses
/// as literal sets, before `reduce`. A [`Matcher`](super::matcher::Matcher) works it out from
/// the syntax tree it parses anyway ([`Required::of`]), so that a pack's prefilters parse nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Required {
    name: bool,
    clauses: Vec<Vec<Vec<u8>>>,
}

impl Required {
    /// What the prefilter needs of the regex whose syntax tree is `hir`, as parsed with the
    /// configuration of `regex_syntax::Parser::new()`.
    pub fn of(hir: &Hir) -> Required {
        let name = matches!(hir.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("name"));
        let pruned = prune_hir(hir);
        let mut clauses = Vec::new();
        required(&simplify(&pruned), &mut clauses);
        Required { name, clauses }
    }
}

impl Prefilter {
    /// Builds the prefilter of `patterns` (regex source texts, as given to `regex::Regex`).
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Prefilter {
        // parsing is most of the cost, and the patterns are parsed in parallel on the current
        // rayon pool (in their order: the ids are given in order)
        let patterns: Vec<&str> = patterns.into_iter().collect();
        let analyzed: Vec<Required> = {
            use rayon::prelude::*;
            patterns.par_iter().with_max_len(1).map(|p| analyze(p)).collect()
        };
        Prefilter::of(analyzed.iter())
    }

    /// Builds the prefilter of regexes from what it needs of each ([`Required`]), in order.
    pub fn of<'a>(regexes: impl IntoIterator<Item = &'a Required>) -> Prefilter {
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut ids: std::collections::HashMap<Vec<u8>, usize> = Default::default();
        let mut regex_literal_clauses: Vec<Vec<Vec<usize>>> = Vec::new();
        let mut name = Vec::new();
        for Required { name: is_name, clauses: raw } in regexes {
            let mut own = Vec::new();
            name.push(*is_name);
            for clause in reduce(raw.clone()) {
                let mut lits: Vec<usize> = clause
                    .into_iter()
                    .map(|l| {
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
            own.sort();
            own.dedup();
            regex_literal_clauses.push(own);
        }
        let automaton = if literals.is_empty() {
            None
        } else {
            Scanner::new(&literals, Case::IgnoreAscii, usize::MAX).ok()
        };
        if automaton.is_none() {
            regex_literal_clauses.iter_mut().for_each(Vec::clear);
        }
        // number the distinct clauses, and list for each literal the clauses it meets
        let mut clauses: Vec<Vec<usize>> = Vec::new();
        let mut clause_ids: std::collections::HashMap<Vec<usize>, usize> = Default::default();
        let mut regex_clauses: Vec<Vec<usize>> = regex_literal_clauses
            .into_iter()
            .map(|own| {
                own.into_iter()
                    .map(|clause| {
                        let next = clauses.len();
                        *clause_ids.entry(clause.clone()).or_insert_with(|| {
                            clauses.push(clause);
                            next
                        })
                    })
                    .collect()
            })
            .collect();
        let mut meets = vec![Vec::new(); literals.len()];
        for (id, clause) in clauses.iter().enumerate() {
            for &l in clause {
                meets[l].push(id);
            }
        }
        // the most selective clause first: asking whether a regex may match stops at the first
        // clause not met, and a clause of placeholders (`⟩`) is met in every sentence of stage 3
        let rarity: Vec<_> = clauses
            .iter()
            .map(|c| selectivity(&c.iter().map(|&l| &literals[l][..]).collect::<Vec<_>>()))
            .collect();
        for own in &mut regex_clauses {
            own.sort_by(|&a, &b| rarity[b].cmp(&rarity[a]).then(a.cmp(&b)));
        }
        let (meets, regex_clauses) = (Lists::new(&meets), Lists::new(&regex_clauses));
        let folded = OnceLock::new();
        let cased = literals.iter().map(|l| l.iter().any(u8::is_ascii_uppercase)).collect();
        Prefilter { automaton, folded, literals, cased, clauses, meets, regex_clauses, name }
    }

    /// Scans `haystack` once, recording which literals, and so which clauses, occur in it.
    pub fn scan(&self, haystack: &str, found: &mut Found) {
        self.scan_with(self.automaton.as_ref(), haystack, found, |l| l, &[], true);
    }

    /// Scans `folded`, the folded copy of a text ([`crate::normalize::fold`]), as [`Self::scan`]
    /// would scan the text, so that one scan serves the regexes that read the text and those
    /// that read its folded copy.
    ///
    /// Each literal is looked for folded. Folding works character by character, so a text that
    /// holds a literal (up to ASCII case) has a folded copy that holds the folded literal; and
    /// folding a folded text changes nothing, so a regex of the folded copy loses nothing either.
    /// A literal cut inside a character (at `MAX_LITERAL` bytes) is folded without the cut
    /// character. The folded scan can only find more literals than the scan of the text.
    pub fn scan_folded(&self, folded: &str, found: &mut Found) {
        let f = self.folded.get_or_init(|| self.folded_scanner());
        self.scan_with(f.automaton.as_ref(), folded, found, |l| f.ids[l], &f.always, false);
    }

    fn folded_scanner(&self) -> FoldedScanner {
        let (mut literals, mut ids, mut always) = (Vec::new(), Vec::new(), Vec::new());
        for (id, literal) in self.literals.iter().enumerate() {
            let folded = fold_literal(literal);
            if too_common(folded.as_bytes()) {
                // found in nearly every folded copy ("à" folds to "a"): counted as found, so
                // that the scan does not stop at every occurrence
                always.push(id);
            } else {
                literals.push(folded.into_bytes());
                ids.push(id);
            }
        }
        if literals.is_empty() {
            return FoldedScanner { automaton: None, ids, always };
        }
        match Scanner::new(&literals, Case::IgnoreAscii, usize::MAX).ok() {
            Some(automaton) => FoldedScanner { automaton: Some(automaton), ids, always },
            None => FoldedScanner {
                automaton: None,
                ids: Vec::new(),
                always: (0..self.literals.len()).collect(),
            },
        }
    }

    /// Scans `haystack` with `automaton`, whose pattern `i` is literal `id(i)`; the literals of
    /// `always` count as found. With `check_case`, a literal with a capital counts as found only
    /// where the text has its capitals ([`holds_case`]).
    fn scan_with(
        &self,
        automaton: Option<&Scanner>,
        haystack: &str,
        found: &mut Found,
        id: impl Fn(usize) -> usize,
        always: &[usize],
        check_case: bool,
    ) {
        if found.literals.len() != self.literals.len()
            || found.clauses.len() != self.clauses.len()
            || found.scan == u32::MAX
        {
            found.literals.clear();
            found.literals.resize(self.literals.len(), 0);
            found.clauses.clear();
            found.clauses.resize(self.clauses.len(), 0);
            found.scan = 0;
        }
        found.scan += 1;
        let text = haystack.as_bytes();
        for &l in always {
            self.mark(l, found);
        }
        if let Some(a) = automaton {
            a.every_literal(text, &mut |i, end| {
                let l = id(i);
                if found.literals[l] != found.scan
                    && (!check_case || !self.cased[l] || self.holds_case_at(l, text, end))
                {
                    self.mark(l, found);
                }
            });
        }
    }

    /// Marks literal `l` and its clauses as found by the current scan.
    #[inline(always)]
    fn mark(&self, l: usize, found: &mut Found) {
        found.literals[l] = found.scan;
        for &c in self.meets.get(l) {
            found.clauses[c as usize] = found.scan;
        }
    }

    /// Whether the text has literal `l`'s capitals where the literal ends at `end`.
    #[inline(never)]
    fn holds_case_at(&self, l: usize, text: &[u8], end: usize) -> bool {
        let literal = &self.literals[l];
        holds_case(literal, &text[end - literal.len()..end])
    }

    /// The literals of regex `i`'s most selective clause whose literals `keep` accepts (the one
    /// whose shortest literal, folded and without spaces around it, is longest), folded
    /// ([`crate::normalize::fold_str`]): a folded text that the regex matches holds one of them.
    /// `None` when no such clause is worth looking for (a literal folds to a letter, say).
    pub fn folded_clause(&self, i: usize, keep: impl Fn(&[u8]) -> bool) -> Option<Vec<String>> {
        self.regex_clauses
            .get(i)
            .iter()
            .map(|&c| &self.clauses[c as usize])
            .filter(|clause| clause.iter().all(|&l| keep(&self.literals[l])))
            .filter_map(|clause| {
                let folded: Vec<String> =
                    clause.iter().map(|&l| fold_literal(&self.literals[l])).collect();
                (!folded.iter().any(|f| too_common(f.as_bytes()))).then_some(folded)
            })
            .max_by_key(|folded| folded.iter().map(|f| f.trim().len()).min())
    }

    /// The literals looked for, by id.
    #[cfg(test)]
    pub(crate) fn literals(&self) -> &[Vec<u8>] {
        &self.literals
    }

    /// Whether the scan walks a table of 16-bit transitions ([`Scanner`]).
    #[cfg(test)]
    pub(crate) fn walks_a_table(&self) -> bool {
        self.automaton.as_ref().is_some_and(Scanner::is_table)
    }

    /// Whether regex `i` may match the scanned haystack (every one of its clauses met).
    #[inline]
    pub fn may_match(&self, i: usize, found: &Found) -> bool {
        self.regex_clauses.get(i).iter().all(|&c| found.clauses[c as usize] == found.scan)
    }

    /// Whether regex `i` is one capture group named `name`, so that its matches are the group's.
    pub fn is_name(&self, i: usize) -> bool {
        self.name[i]
    }

    /// The clauses of regex `i`, as literal strings (for inspection).
    pub fn describe(&self, i: usize) -> Vec<Vec<String>> {
        let lits: Vec<String> =
            self.literals.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect();
        self.regex_clauses
            .get(i)
            .iter()
            .map(|&c| self.clauses[c as usize].iter().map(|&l| lits[l].clone()).collect())
            .collect()
    }

    /// Number of clauses of regex `i` (0: it always runs).
    pub fn clause_count(&self, i: usize) -> usize {
        self.regex_clauses.get(i).len()
    }
}

/// What the prefilter needs of `pattern` (nothing when it does not parse).
fn analyze(pattern: &str) -> Required {
    regex_syntax::Parser::new()
        .parse(pattern)
        .map_or_else(|_| Required::default(), |hir| Required::of(&hir))
}

/// Every repetition that may match zero times, on the path [`required`] walks (groups,
/// concatenations, repetitions that match at least once; not into alternations, which the
/// literal extractor reads whole), with a one-letter body (an empty one when its body can only
/// match the empty string), so that [`simplify`] does not rebuild the word lists it holds. The
/// rest is borrowed.
///
/// [`required`] reads nothing of such a repetition but its kind: it is not literal-like, so it
/// only ends a run of literals. And the HIR constructors decide the same for the pruned
/// repetition and everything around it: `Hir::repetition` looks at its bounds, which are kept,
/// and at whether its body can only match the empty string, which is kept too; `Hir::concat`
/// merges literals and drops empty parts, which a repetition is neither. The tests check it
/// against the clauses of the whole tree.
fn prune_hir(hir: &Hir) -> Cow<'_, Hir> {
    let rebuilt = |sub: Cow<'_, Hir>, make: &dyn Fn(Hir) -> Hir| match sub {
        Cow::Borrowed(_) => Cow::Borrowed(hir),
        Cow::Owned(sub) => Cow::Owned(make(sub)),
    };
    match hir.kind() {
        HirKind::Capture(c) => rebuilt(prune_hir(&c.sub), &|sub| {
            Hir::capture(Capture { index: c.index, name: c.name.clone(), sub: Box::new(sub) })
        }),
        HirKind::Concat(xs) => {
            let pruned: Vec<Cow<'_, Hir>> = xs.iter().map(prune_hir).collect();
            if pruned.iter().all(|x| matches!(x, Cow::Borrowed(_))) {
                return Cow::Borrowed(hir);
            }
            Cow::Owned(Hir::concat(pruned.into_iter().map(Cow::into_owned).collect()))
        }
        HirKind::Repetition(r) if r.min >= 1 => rebuilt(prune_hir(&r.sub), &|sub| {
            Hir::repetition(Repetition {
                min: r.min,
                max: r.max,
                greedy: r.greedy,
                sub: Box::new(sub),
            })
        }),
        HirKind::Repetition(r) => {
            let body = match r.sub.properties().maximum_len() {
                Some(0) => Hir::empty(),
                _ => Hir::literal(*b"x"),
            };
            let (min, max, greedy) = (r.min, r.max, r.greedy);
            Cow::Owned(Hir::repetition(Repetition { min, max, greedy, sub: Box::new(body) }))
        }
        _ => Cow::Borrowed(hir),
    }
}

/// The same language for literal extraction, with ASCII case classes (`[Ee]`) made lower-case
/// literals: literals are compared ignoring ASCII case anyway, and this keeps case-insensitive
/// words from multiplying into case variants.
///
/// Only the parts with such a class are rebuilt (with the HIR constructors, which merge the new
/// literals with their neighbours); the rest is borrowed. Rebuilding an unchanged part with the
/// constructors would give it back as it is, since it was built by them.
fn simplify(hir: &Hir) -> Cow<'_, Hir> {
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let chars: Vec<char> =
                c.ranges().iter().flat_map(|r| r.start()..=r.end()).take(3).collect();
            match chars[..] {
                [a, b] if a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b) => {
                    let lower = a.to_ascii_lowercase().to_string();
                    Cow::Owned(Hir::literal(lower.into_bytes()))
                }
                _ => Cow::Borrowed(hir),
            }
        }
        HirKind::Concat(xs) => {
            simplify_all(xs).map_or(Cow::Borrowed(hir), |xs| Cow::Owned(Hir::concat(xs)))
        }
        HirKind::Alternation(xs) => {
            simplify_all(xs).map_or(Cow::Borrowed(hir), |xs| Cow::Owned(Hir::alternation(xs)))
        }
        HirKind::Capture(c) => match simplify(&c.sub) {
            Cow::Borrowed(_) => Cow::Borrowed(hir),
            Cow::Owned(sub) => Cow::Owned(Hir::capture(Capture {
                index: c.index,
                name: c.name.clone(),
                sub: Box::new(sub),
            })),
        },
        HirKind::Repetition(r) => match simplify(&r.sub) {
            Cow::Borrowed(_) => Cow::Borrowed(hir),
            Cow::Owned(sub) => Cow::Owned(Hir::repetition(Repetition {
                min: r.min,
                max: r.max,
                greedy: r.greedy,
                sub: Box::new(sub),
            })),
        },
        _ => Cow::Borrowed(hir),
    }
}

/// The simplified `xs`, or `None` when [`simplify`] changes none of them.
fn simplify_all(xs: &[Hir]) -> Option<Vec<Hir>> {
    let simple: Vec<Cow<'_, Hir>> = xs.iter().map(simplify).collect();
    if simple.iter().all(|x| matches!(x, Cow::Borrowed(_))) {
        return None;
    }
    Some(simple.into_iter().map(Cow::into_owned).collect())
}

/// Literal sets every match of `hir` contains one of (pushed to `out`).
fn required(hir: &Hir, out: &mut Vec<Vec<Vec<u8>>>) {
    match hir.kind() {
        HirKind::Capture(c) => required(&c.sub, out),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub, out),
        HirKind::Concat(children) => {
            // runs of literal-like parts give longer literals together, across the bounds of
            // groups (`(?P<cur>R)(?P<num>[1-9]…)` starts with `R1` to `R9`)
            let mut run: Vec<Hir> = Vec::new();
            let mut parts = Vec::new();
            ungroup(children, &mut parts);
            for child in parts {
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
            if let Some(clause) = clause_of(hir) {
                out.push(clause);
            }
        }
        _ => {}
    }
}

/// `children` with each group replaced by what it holds, a concatenation by its parts: the
/// sequence every match reads, whose neighbouring literals and classes make longer literals.
fn ungroup<'h>(children: &'h [Hir], out: &mut Vec<&'h Hir>) {
    for child in children {
        match child.kind() {
            HirKind::Capture(c) => match c.sub.kind() {
                HirKind::Concat(inner) => ungroup(inner, out),
                _ => ungroup(std::slice::from_ref(&*c.sub), out),
            },
            HirKind::Concat(inner) => ungroup(inner, out),
            _ => out.push(child),
        }
    }
}

/// A clause of a literal-like part: the literals its matches start with, or for an alternation,
/// one required literal set of each branch, united (every match goes through one branch, and
/// contains a literal of that branch's set), whichever of the two is more selective
/// ([`selectivity`]). Each branch gives its most selective set. The union is what an alternation
/// whose branches do not all start with a few literals has (`lancent|(?:\p{Ll}+ ){1,2}ensemble`);
/// it is also what one whose branches open on common words needs: `(?:a|avait) (?:investi dans|
/// soutenu)` starts with ` a`, found in nearly every sentence, and holds ` inves` or ` soute`.
fn clause_of(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let prefix = prefixes(hir);
    let union = match hir.kind() {
        HirKind::Alternation(branches) if branches.len() <= MAX_CLAUSE => branches_united(branches),
        _ => None,
    };
    match (prefix, union) {
        (Some(p), Some(u)) => Some(if selectivity(&u) > selectivity(&p) { u } else { p }),
        (p, u) => p.or(u),
    }
}

/// One required literal set of each branch, united: each branch's most selective.
fn branches_united(branches: &[Hir]) -> Option<Vec<Vec<u8>>> {
    let mut union = Vec::new();
    for branch in branches {
        let mut clauses = Vec::new();
        required(branch, &mut clauses);
        let best = reduce(clauses).into_iter().max_by_key(|c| selectivity(c))?;
        union.extend(best);
    }
    (union.len() <= MAX_CLAUSE).then_some(union)
}

/// How selective a clause is, larger meaning met in fewer texts: its shortest literal's length
/// first (a short literal is met nearly everywhere), then fewer literals.
fn selectivity<L: AsRef<[u8]>>(clause: &[L]) -> (usize, std::cmp::Reverse<usize>) {
    // in characters: `né` is as common as a word of two letters, not three
    let chars = |l: &L| l.as_ref().iter().filter(|&&b| b & 0xC0 != 0x80).count();
    let shortest = clause.iter().map(chars).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(clause.len()))
}

fn flush(run: &mut Vec<Hir>, out: &mut Vec<Vec<Vec<u8>>>) {
    if run.is_empty() {
        return;
    }
    let whole = Hir::concat(std::mem::take(run));
    let parts = match whole.kind() {
        HirKind::Concat(parts) => parts.as_slice(),
        _ => std::slice::from_ref(&whole),
    };
    match prefixes(&whole) {
        Some(clause) => out.push(clause),
        // a run that opens with a part of no few literals (`(?:^|[^\p{L}])R[1-9]`): the
        // literals of the first part on from which there are
        None => {
            let rest = (1..parts.len()).find_map(|i| prefixes(&Hir::concat(parts[i..].to_vec())));
            out.extend(rest);
        }
    }
    // literals are cut to MAX_LITERAL bytes: the parts further on are required too
    for part in parts {
        match part.kind() {
            HirKind::Literal(lit) => {
                for piece in lit.0.chunks(MAX_LITERAL).filter(|p| p.len() >= 3) {
                    out.push(vec![piece.to_vec()]);
                }
            }
            _ => {
                if let Some(clause) = clause_of(part) {
                    out.push(clause);
                }
            }
        }
    }
}

/// The clauses of one regex in their smallest equivalent form: a literal that holds another
/// literal of its clause ([`covers`]) is dropped (wherever it occurs, the shorter one does too),
/// then a clause met whenever another one is (each literal of the other holds one of its
/// literals). Fewer literals make the scan cheaper and mark fewer clauses; the verdicts stay the
/// same.
fn reduce(clauses: Vec<Vec<Vec<u8>>>) -> Vec<Vec<Vec<u8>>> {
    let upper = |l: &[u8]| l.iter().filter(|b| b.is_ascii_uppercase()).count();
    let mut clauses: Vec<Vec<Vec<u8>>> = clauses
        .into_iter()
        .map(|clause| {
            let mut lits = clause;
            // the shorter first, and of two of a length the one with fewer capitals, which
            // covers more
            lits.sort_by(|a, b| a.len().cmp(&b.len()).then(upper(a).cmp(&upper(b))).then(a.cmp(b)));
            lits.dedup();
            let mut kept: Vec<Vec<u8>> = Vec::with_capacity(lits.len());
            for l in lits {
                if !kept.iter().any(|k| covers(&l, k)) {
                    kept.push(l);
                }
            }
            kept.sort();
            kept
        })
        .collect();
    clauses.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    clauses.dedup();
    // `k` implies `c` when each literal of `k` contains one of `c`'s: wherever `k` is met, so is
    // `c`, which can go, whichever of the two comes first (of two that imply each other, the
    // first stays)
    let implies = |k: &[Vec<u8>], c: &[Vec<u8>]| k.iter().all(|l| c.iter().any(|x| covers(l, x)));
    let mut kept: Vec<Vec<Vec<u8>>> = Vec::with_capacity(clauses.len());
    for (i, c) in clauses.iter().enumerate() {
        let implied = clauses
            .iter()
            .enumerate()
            .any(|(j, k)| j != i && implies(k, c) && (j < i || !implies(c, k)));
        if !implied {
            kept.push(c.clone());
        }
    }
    kept
}

/// Whether `literal` is found wherever `holder` is, as a scan finds them: somewhere in `holder`,
/// with its capitals there as they are ([`holds_case`]) and its other letters in either case.
fn covers(holder: &[u8], literal: &[u8]) -> bool {
    literal.len() <= holder.len() && holder.windows(literal.len()).any(|w| holds_case(literal, w))
}

/// Whether `text` is `literal` as a scan finds it: the same bytes, but for an ASCII letter that
/// is in lower case in the literal, which the text may have in either case.
///
/// A literal's capitals come from the parts of its regex that tell case apart. A part that does
/// not (`(?i:…)`, `[Ee]`) gives lower-case letters ([`simplify`]), or, for a letter with a third
/// form (`k`, `K` and the Kelvin sign), every form, so that the clause also holds the literal
/// with the lower-case letter. So a text that a regex matches holds each capital of the literal
/// it holds, and the scan need not take `Tech` in `technologie` for the `Tech` of `Biotech`.
#[inline]
fn holds_case(literal: &[u8], text: &[u8]) -> bool {
    literal.len() == text.len()
        && literal
            .iter()
            .zip(text)
            .all(|(&l, &t)| l == t || (l.is_ascii_lowercase() && l == t.to_ascii_lowercase()))
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
    use proptest::prelude::*;

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
    fn an_alternation_that_opens_on_common_words_gives_its_branches_rarer_words() {
        // every branch starts with " a", " va" or ", qui" and an adverb may follow, so that the
        // literals the branches start with are those few bytes, met in nearly every sentence;
        // each branch also holds a rarer word, and those make the clause
        let rule = "⟨o⟩(?:,? (?:qui )?(?:a|va|avait)(?: \\p{Ll}+)? (?:investi dans|soutenu)|,? dont le portefeuille compte) ⟨o⟩";
        let p = Prefilter::new([rule]);
        let clauses = p.describe(0);
        let rare = |c: &Vec<String>| c.iter().all(|l| l.trim().len() >= 4);
        assert!(clauses.iter().filter(|c| c.len() > 1).any(rare), "{clauses:?}");
        assert!(passes(rule, "⟨o⟩, qui a déjà investi dans ⟨o⟩"));
        assert!(passes(rule, "⟨o⟩, dont le portefeuille compte ⟨o⟩"));
        assert!(!passes(rule, "⟨o⟩ a signé avec ⟨o⟩"));
    }

    #[test]
    fn optional_parts_are_not_required() {
        let rule = "(?:^|[^\\p{L}])(?:la |le )?(?P<name>\\p{Lu}\\w+)(?: SA)?";
        assert!(passes(rule, "Acme"));
        assert!(passes(rule, "x"));
    }

    /// The clauses without pruning: the whole pattern parsed, [`simplify`] rebuilding every
    /// part. `None` when the regex crate would reject the pattern.
    fn unpruned(pattern: &str) -> Option<Required> {
        fn rebuild(hir: &Hir) -> Hir {
            match hir.kind() {
                HirKind::Class(_) => simplify(hir).into_owned(),
                HirKind::Concat(xs) => Hir::concat(xs.iter().map(rebuild).collect()),
                HirKind::Alternation(xs) => Hir::alternation(xs.iter().map(rebuild).collect()),
                HirKind::Capture(c) => Hir::capture(Capture {
                    index: c.index,
                    name: c.name.clone(),
                    sub: Box::new(rebuild(&c.sub)),
                }),
                HirKind::Repetition(r) => Hir::repetition(Repetition {
                    min: r.min,
                    max: r.max,
                    greedy: r.greedy,
                    sub: Box::new(rebuild(&r.sub)),
                }),
                _ => hir.clone(),
            }
        }
        let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
        let name = matches!(hir.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("name"));
        let mut clauses = Vec::new();
        required(&rebuild(&hir), &mut clauses);
        Some(Required { name, clauses })
    }

    #[test]
    fn pruning_keeps_the_clauses() {
        let patterns = [
            // literals on both sides of an optional part stay apart
            "abcdef(?:xyz)?ghijkl",
            "abc(?:\\b)?def",
            "abc(?:(?:\\b)?){2}def",
            "abc(?:(?:x)?){2,3}def",
            // `x{0}` is the empty regex: the literals around it merge
            "abcdef(?:xyz){0}ghijkl",
            "abc(?:xyz){0,0}?def",
            "(?P<name>Acme)(?: SA)?",
            "(?:(?P<name>Acme))?",
            "(?:(?P<name>Acme)){1}",
            "(?i:le (?:grand )?groupe) (?:[^,]{0,80}) investit",
            "(?i)abc(?:d)?ef(?-i:GH)(?:i(?i)j)*klm",
            "(?:foo(?:x)?bar|foo(?:y)?baz) suite",
            "(?:un(?:e)? (?:très )?grande?){1,2} usine",
            "⟨(?:organization|name)#(?P<s>\\d+)⟩(?: (?:a|an|the))?? ⟨organization#(?P<o>\\d+)⟩",
            "(?:(?:(?:^)?)+)?x",
            // whether a repeated group is the whole regex depends on its body matching only ""
            "(?:(?P<name>(?:Acme)?)){2}",
            "(?:(?P<name>(?:\\b)?)){2}",
        ];
        for pattern in patterns {
            assert_eq!(Some(analyze(pattern)), unpruned(pattern), "{pattern}");
        }
    }

    /// Small patterns made of the parts that pruning and simplification treat differently.
    fn pattern() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("ab"),
            Just("Le"),
            Just("Kb"),
            Just("k"),
            Just("y"),
            Just("investissement"),
            Just("é"),
            Just("[Ee]"),
            Just("[Ss]"),
            Just("\\w"),
            Just("[^,]"),
            Just("\\b"),
            Just("^"),
            Just("(?:)"),
            Just("(?i)"),
            Just(" "),
        ]
        .prop_map(str::to_string);
        let ops = ["?", "??", "*", "+", "{0}", "{1}", "{2}", "{0,3}", "{1,2}", "{0,80}?", "{2,}"];
        let part = leaf.prop_recursive(4, 32, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..4).prop_map(|xs| xs.concat()),
                proptest::collection::vec(inner.clone(), 2..4)
                    .prop_map(|xs| format!("(?:{})", xs.join("|"))),
                inner.clone().prop_map(|x| format!("(?i:{x})")),
                inner.clone().prop_map(|x| format!("({x})")),
                (inner, proptest::sample::select(ops.to_vec()))
                    .prop_map(|(x, op)| format!("(?:{x}){op}")),
            ]
        });
        proptest::collection::vec(part, 1..8).prop_map(|xs| xs.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn pruning_keeps_the_clauses_of_any_pattern(body in pattern(), named in proptest::bool::ANY) {
            let pattern = if named { format!("(?P<name>{body})") } else { body };
            if let Some(expected) = unpruned(&pattern) {
                prop_assert_eq!(analyze(&pattern), expected, "{}", pattern);
            }
        }
    }

    /// Texts made of the pieces the patterns of [`pattern`] are made of, in any case.
    fn text() -> impl Strategy<Value = String> {
        let piece = proptest::sample::select(vec![
            "ab",
            "AB",
            "le",
            "LE",
            "y",
            "Y",
            "investissement",
            "INVESTISSEMENT",
            "é",
            "É",
            "e",
            "E",
            "s",
            "S",
            "ſ",
            "k",
            "K",
            "\u{212A}",
            "Kb",
            "kB",
            " ",
            ",",
            "x",
            "1",
        ]);
        proptest::collection::vec(piece, 0..12).prop_map(|xs| xs.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn no_pattern_is_skipped_on_a_text_it_matches(body in pattern(), texts in proptest::collection::vec(text(), 1..6)) {
            let Ok(regex) = regex::Regex::new(&body) else { return Ok(()) };
            let p = Prefilter::new([body.as_str()]);
            let mut found = Found::default();
            for text in &texts {
                p.scan(text, &mut found);
                if regex.is_match(text) {
                    prop_assert!(p.may_match(0, &found), "{} on {:?}: {:?}", body, text, p.describe(0));
                }
                // the folded copy's scan passes a regex that matches the text or its folded copy
                let folded = fold_str(text);
                p.scan_folded(&folded, &mut found);
                if regex.is_match(text) || regex.is_match(&folded) {
                    prop_assert!(p.may_match(0, &found), "{} on {:?} folded: {:?}", body, text, p.describe(0));
                }
            }
        }
    }

    #[test]
    fn a_capital_is_looked_for_as_a_capital_where_the_regex_tells_case_apart() {
        // `Biotech` holds `Tech` and `tech` holds neither: "technologie" does not pass
        let rule = "(?:Biotech|Tech|Group)(?:[^\\p{L}]|$)";
        assert!(passes(rule, "Kalix Biotech a levé"));
        assert!(passes(rule, "Norvik Group, Kalix Tech"));
        assert!(!passes(rule, "la technologie du groupe"));
        // a part that does not tell case apart finds every case
        for rule in ["(?i:biotech)s?", "[Bb]iotech", "(?i:Kalix) signe", "(?i:sas) "] {
            for text in [
                "la biotech",
                "la BIOTECH",
                "la Biotech",
                "KALIX signe",
                "kalix signe",
                "SAS ",
                "ſas ",
            ] {
                let matches = regex::Regex::new(rule).unwrap().is_match(text);
                assert!(!matches || passes(rule, text), "{rule} on {text}");
            }
        }
    }

    #[test]
    fn a_literal_that_folds_to_nothing_is_in_every_folded_copy() {
        // a lone combining mark: folding drops it, so no folded copy shows it
        let p = Prefilter::new(["x?\u{301}"]);
        assert_eq!(p.clause_count(0), 1);
        let mut found = Found::default();
        p.scan("abc", &mut found);
        assert!(!p.may_match(0, &found));
        p.scan_folded("abc", &mut found);
        assert!(p.may_match(0, &found));
    }

    #[test]
    fn a_literal_that_folds_to_a_common_letter_is_in_every_folded_copy() {
        // "à" folds to "a", found in nearly every folded copy: the scan does not look for it
        let p = Prefilter::new(["(?:à|vers)\\d"]);
        assert_eq!(p.describe(0), vec![vec!["vers", "à"]]);
        let mut found = Found::default();
        p.scan("pour 9", &mut found);
        assert!(!p.may_match(0, &found));
        p.scan_folded("pour 9", &mut found);
        assert!(p.may_match(0, &found));
        // a folded literal that is still selective is looked for
        let p = Prefilter::new(["(?:près|vers)\\d"]);
        p.scan_folded("pour 9", &mut found);
        assert!(!p.may_match(0, &found));
        p.scan_folded("pres9", &mut found);
        assert!(p.may_match(0, &found));
    }

    #[test]
    fn an_alternation_gives_a_clause_when_each_branch_has_one() {
        // a branch that starts with a class still requires a word further on
        let rule = "⟨organization#\\d+⟩ (?:lancent|signent un accord|(?:[\\p{Ll}']+ ){1,2}?(?:ensemble|en commun))";
        assert!(passes(rule, "⟨organization#1⟩ lancent"));
        assert!(passes(rule, "⟨organization#1⟩ travaillent ensemble"));
        assert!(!passes(rule, "⟨organization#1⟩ travaillent"));
        // a branch with no required literal leaves the alternation without a clause
        let open = "⟨organization#\\d+⟩ (?:lancent|[\\p{Ll}]+)";
        assert!(passes(open, "⟨organization#1⟩ travaillent"));
    }

    #[test]
    fn literals_run_across_groups_and_after_an_opening_part() {
        // "R" and a digit are each too common alone; together they make R1 to R9, though each
        // is in a group of its own and the run opens with a word boundary
        let rule =
            "(?:^|[^\\p{L}\\p{N}])(?P<amount>(?P<cur>R)(?P<num>[1-9][0-9]*) ?(?P<scale>m|bn))";
        let p = Prefilter::new([rule]);
        assert_eq!(p.clause_count(0), 1, "{p:?}");
        assert!(passes(rule, "it will spend up to R400m"));
        assert!(!passes(rule, "Rare are the rounds of 400m"));
    }

    #[test]
    fn clauses_keep_their_shortest_literals_and_drop_what_others_imply() {
        let b = |l: &[&str]| l.iter().map(|w| w.as_bytes().to_vec()).collect::<Vec<_>>();
        let reduced = reduce(vec![b(&["des", "de", "de la"]), b(&["investit", "Dans"])]);
        assert_eq!(reduced, vec![b(&["de"]), b(&["Dans", "investit"])]);
        // a capital is found only as a capital, a small letter in either case: "de" is found
        // wherever "Des" is, "De" not wherever "des" is
        assert_eq!(reduce(vec![b(&["Des", "de"])]), vec![b(&["de"])]);
        assert_eq!(reduce(vec![b(&["des", "De"])]), vec![b(&["De", "des"])]);
        // wherever {"accord-cadre"} is met, so is {"accord-cadre", "partenariat"}: the wider goes
        let reduced = reduce(vec![b(&["accord-cadre", "partenariat"]), b(&["accord-cadre"])]);
        assert_eq!(reduced, vec![b(&["accord-cadre"])]);
        // a clause met without the other is kept
        let reduced = reduce(vec![b(&["accord"]), b(&["accord-cadre", "alliance"])]);
        assert_eq!(reduced, vec![b(&["accord"]), b(&["accord-cadre", "alliance"])]);
        // the wider clause goes even when it sorts first
        let reduced = reduce(vec![b(&["vers", "à"]), b(&["vers ", "à "])]);
        assert_eq!(reduced, vec![b(&["vers ", "à "])]);
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
