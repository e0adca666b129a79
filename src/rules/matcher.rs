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
//! the `regex` crate runs: same syntax, same leftmost-first matches, same groups.

use std::sync::OnceLock;

use regex_automata::meta;
use regex_automata::util::captures::Captures;
use regex_syntax::hir::{Hir, HirKind};

/// Largest compiled NFA a pattern may have when `rules check` builds it (64 MiB).
const SIZE_LIMIT: usize = 64 << 20;

/// Most memory one thread's lazy DFA may take for one pattern before it starts over (the engine's
/// default is 2 MiB). Bounded gaps between a rule's words make a DFA state per position in the gap,
/// and the largest relation rules outgrew the default: their DFA kept clearing its states and
/// building them again. The cache only grows as states are built, so the small patterns' caches
/// stay small; the peak RSS measured the same (BENCHMARKS.md).
const LAZY_DFA_CAPACITY: usize = 8 << 20;

/// A pattern's regex, built on first use.
#[derive(Debug, Clone)]
pub struct Matcher {
    source: String,
    /// Names of the capture groups, by group index (0 is the whole match and has none).
    names: Vec<Option<String>>,
    regex: OnceLock<meta::Regex>,
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
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(source)
            .map_err(|e| last_line(&e.to_string()))?;
        let mut names = vec![None]; // group 0, the whole match
        group_names(&hir, &mut names);
        Ok(Matcher { source: source.to_string(), names, regex: OnceLock::new() })
    }

    /// Builds the automata now, under the size limit (for `rules check`): the error says what is
    /// too large.
    pub fn build_now(&self) -> Result<(), String> {
        if self.regex.get().is_some() {
            return Ok(());
        }
        let regex = build(&self.source, Some(SIZE_LIMIT))?;
        let _ = self.regex.set(regex);
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

    fn regex(&self) -> &meta::Regex {
        // No size limit here: a pattern that parsed always builds, and the limit is checked by
        // `rules check`.
        self.regex.get_or_init(|| build(&self.source, None).expect("a checked pattern builds"))
    }

    /// Successive non-overlapping matches, leftmost-first.
    pub fn find_iter<'r, 'h>(&'r self, haystack: &'h str) -> impl Iterator<Item = Span<'h>> + 'r
    where
        'h: 'r,
    {
        self.regex().find_iter(haystack).map(move |m| Span {
            haystack,
            start: m.start(),
            end: m.end(),
        })
    }

    /// Successive non-overlapping matches with their groups.
    pub fn captures_iter<'r, 'h>(
        &'r self,
        haystack: &'h str,
    ) -> impl Iterator<Item = Groups<'h>> + 'r
    where
        'h: 'r,
    {
        self.regex().captures_iter(haystack).map(move |caps| Groups { haystack, caps })
    }
}

/// Builds the automata; the error is the regex engine's message.
fn build(source: &str, size_limit: Option<usize>) -> Result<meta::Regex, String> {
    let config =
        meta::Config::new().nfa_size_limit(size_limit).hybrid_cache_capacity(LAZY_DFA_CAPACITY);
    meta::Builder::new().configure(config).build(source).map_err(|e| last_line(&e.to_string()))
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
        let text = "Airbus et Thales, SAP and xAI";
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
        assert_eq!(ours.len(), 2);
    }

    #[test]
    fn a_bad_pattern_is_refused_at_load_and_a_huge_one_by_build_now() {
        assert!(Matcher::new("(unclosed").is_err());
        let huge = Matcher::new(r"(?:\p{L}{0,100}){0,100}").unwrap();
        assert!(huge.build_now().is_err());
    }
}
