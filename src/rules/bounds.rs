//! Where an entity pattern's `name` group is in a match, told by two small automata instead of
//! the capture engine.
//!
//! A pattern such as `{wb}(?P<name>…){we}` is a concatenation: what comes before the group,
//! the group, what comes after it. Given a match `s..e` of the whole pattern, the group starts at
//! an end `p` of a match of the part before it anchored at `s`, and ends at a start `r` of a
//! match of the part after it anchored at `e`. When the part before can end at one place only,
//! and the part after can start at one place only, those are the group's bounds, whatever the
//! engine that resolves groups would choose, since its choice is one of them. Both sets come
//! from anchored overlapping searches of lazy DFAs built from those parts alone, which are small
//! (a word boundary, a title from a list); a match where either set has another size is left to
//! the groups. In stage 2, resolving the `name` group took about a quarter of the patterns'
//! search time (BENCHMARKS.md).

use std::sync::OnceLock;

use regex_automata::hybrid::dfa::{Cache, OverlappingState, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, MatchError, MatchKind};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

type Caches = Pool<(Cache, Cache), Box<dyn Fn() -> (Cache, Cache) + Send + Sync>>;

/// What comes before and after a pattern's `name` group, and their automata, built on first use.
#[derive(Debug)]
pub struct NameBounds {
    before: Hir,
    after: Hir,
    /// The characters the group may start and end with, and whether it may be empty: an end of
    /// the part before where the group cannot start is no choice.
    first: ClassUnicode,
    last: ClassUnicode,
    nullable: bool,
    automata: OnceLock<Option<Automata>>,
}

impl Clone for NameBounds {
    /// The parts and edges; the automata are built again on first use.
    fn clone(&self) -> Self {
        NameBounds {
            before: self.before.clone(),
            after: self.after.clone(),
            first: self.first.clone(),
            last: self.last.clone(),
            nullable: self.nullable,
            automata: OnceLock::new(),
        }
    }
}

struct Automata {
    /// Matches of the part before the group, forward.
    before: DFA,
    /// Matches of the part after the group, backward.
    after: DFA,
    caches: Caches,
}

impl std::fmt::Debug for Automata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Automata").finish_non_exhaustive()
    }
}

impl NameBounds {
    /// The parts of `hir` before and after its group `group`, when the group is on its spine
    /// (reached through concatenations and unnamed groups) and is not the whole pattern.
    pub fn of(hir: &Hir, group: &str) -> Option<NameBounds> {
        let spine = spine(hir);
        let named =
            |h: &&Hir| matches!(h.kind(), HirKind::Capture(c) if c.name.as_deref() == Some(group));
        let at = spine.iter().position(named)?;
        if spine.len() == 1 {
            return None; // the group is the match
        }
        let part = |parts: &[&Hir]| Hir::concat(parts.iter().map(|&h| h.clone()).collect());
        let (first, nullable) = edge(spine[at], Edge::First);
        let (last, _) = edge(spine[at], Edge::Last);
        Some(NameBounds {
            before: part(&spine[..at]),
            after: part(&spine[at + 1..]),
            first,
            last,
            nullable,
            automata: OnceLock::new(),
        })
    }

    fn automata(&self) -> Option<&Automata> {
        self.automata
            .get_or_init(|| {
                let dfa = |hir: &Hir, reverse: bool| {
                    let nfa = thompson::Compiler::new()
                        .configure(
                            thompson::Config::new()
                                .reverse(reverse)
                                .which_captures(thompson::WhichCaptures::None),
                        )
                        .build_from_hir(hir)
                        .ok()?;
                    DFA::builder()
                        .configure(DFA::config().match_kind(MatchKind::All))
                        .build_from_nfa(nfa)
                        .ok()
                };
                let (before, after) = (dfa(&self.before, false)?, dfa(&self.after, true)?);
                let (b, a) = (before.clone(), after.clone());
                let create: Box<dyn Fn() -> (Cache, Cache) + Send + Sync> =
                    Box::new(move || (b.create_cache(), a.create_cache()));
                Some(Automata { before, after, caches: Pool::new(create) })
            })
            .as_ref()
    }

    /// The bounds of the group in the match `start..end` of `text`, when the parts around it
    /// leave one choice; `None` otherwise.
    pub fn name(&self, text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
        let automata = self.automata()?;
        let mut caches = automata.caches.get();
        let (before_cache, after_cache) = &mut *caches;
        let input = Input::new(text).span(start..end).anchored(Anchored::Yes);
        // (an offset inside a character, which a class of bytes could give, rules nothing out)
        let may_start = |p: usize| match text.get(p..end) {
            Some(rest) => {
                self.nullable || rest.chars().next().is_some_and(|c| holds(&self.first, c))
            }
            None => true,
        };
        let may_end = |r: usize| match text.get(start..r) {
            Some(head) => {
                self.nullable || head.chars().next_back().is_some_and(|c| holds(&self.last, c))
            }
            None => true,
        };
        let name_start = only(may_start, |state| {
            automata.before.try_search_overlapping_fwd(before_cache, &input, state)
        })?;
        let name_end = only(may_end, |state| {
            automata.after.try_search_overlapping_rev(after_cache, &input, state)
        })?;
        (name_start <= name_end).then_some((name_start, name_end))
    }
}

/// The one offset of the matches that `search` reports one by one that `keep` keeps; `None`
/// when there is none, more than one, or the search fails.
fn only(
    keep: impl Fn(usize) -> bool,
    mut search: impl FnMut(&mut OverlappingState) -> Result<(), MatchError>,
) -> Option<usize> {
    let (mut only, mut state) = (None, OverlappingState::start());
    loop {
        search(&mut state).ok()?;
        let Some(m) = state.get_match() else { return only };
        if keep(m.offset()) && only.replace(m.offset()).is_some() {
            return None;
        }
    }
}

fn holds(class: &ClassUnicode, c: char) -> bool {
    let ranges = class.ranges();
    let i = ranges.partition_point(|r| r.end() < c);
    ranges.get(i).is_some_and(|r| r.start() <= c)
}

#[derive(Clone, Copy, PartialEq)]
enum Edge {
    First,
    Last,
}

/// The characters a match of `hir` may start (or end) with, and whether it may be empty
/// (a look-around counts as empty: it reads no character).
fn edge(hir: &Hir, side: Edge) -> (ClassUnicode, bool) {
    let any = || ClassUnicode::new([ClassUnicodeRange::new('\0', char::MAX)]);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (ClassUnicode::empty(), true),
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(text) => {
                let c = if side == Edge::First {
                    text.chars().next()
                } else {
                    text.chars().next_back()
                };
                match c {
                    Some(c) => (ClassUnicode::new([ClassUnicodeRange::new(c, c)]), false),
                    None => (ClassUnicode::empty(), true),
                }
            }
            Err(_) => (any(), false),
        },
        HirKind::Class(Class::Unicode(class)) => (class.clone(), false),
        HirKind::Class(Class::Bytes(_)) => (any(), false),
        HirKind::Repetition(r) => {
            let (class, nullable) = edge(&r.sub, side);
            (class, nullable || r.min == 0)
        }
        HirKind::Capture(c) => edge(&c.sub, side),
        HirKind::Concat(items) => {
            let mut class = ClassUnicode::empty();
            let ordered: Vec<&Hir> = match side {
                Edge::First => items.iter().collect(),
                Edge::Last => items.iter().rev().collect(),
            };
            for item in ordered {
                let (c, nullable) = edge(item, side);
                class.union(&c);
                if !nullable {
                    return (class, false);
                }
            }
            (class, true)
        }
        HirKind::Alternation(items) => {
            let mut class = ClassUnicode::empty();
            let mut any_nullable = false;
            for item in items {
                let (c, nullable) = edge(item, side);
                class.union(&c);
                any_nullable |= nullable;
            }
            (class, any_nullable)
        }
    }
}

/// The spine of `hir`, the parts every match goes through in order: its concatenations and
/// unnamed groups are cut through, anything else is one part.
pub(super) fn spine(hir: &Hir) -> Vec<&Hir> {
    fn flatten<'h>(hir: &'h Hir, spine: &mut Vec<&'h Hir>) {
        match hir.kind() {
            HirKind::Concat(items) => items.iter().for_each(|item| flatten(item, spine)),
            HirKind::Capture(c) if c.name.is_none() => flatten(&c.sub, spine),
            _ => spine.push(hir),
        }
    }
    let mut parts = Vec::new();
    flatten(hir, &mut parts);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(pattern: &str) -> Option<NameBounds> {
        NameBounds::of(&regex_syntax::Parser::new().parse(pattern).unwrap(), "name")
    }

    /// The name's bounds, for the first match of `pattern` in `text`, by the automata and by the
    /// regex crate's groups.
    fn both(pattern: &str, text: &str) -> (Option<(usize, usize)>, (usize, usize)) {
        let caps = regex::Regex::new(pattern).unwrap().captures(text).unwrap();
        let (whole, name) = (caps.get(0).unwrap(), caps.name("name").unwrap());
        let told = bounds(pattern).unwrap().name(text, whole.start(), whole.end());
        (told, (name.start(), name.end()))
    }

    #[test]
    fn one_choice_on_each_side_gives_the_groups_bounds() {
        let p = r"(?:^|[^\p{L}\p{N}])(?P<name>\p{Lu}\p{L}+(?: \p{Lu}\p{L}+)*)(?:[^\p{L}\p{N}]|$)";
        // a word boundary at the text's start or end, or a quote: the group cannot start or end
        // with a quote, so the part before or after has one choice left
        for text in ["Il a vu Émile Zola.", "Émile Zola", "«Émile»", "x «Émile»", "Émile."]
        {
            let (told, groups) = both(p, text);
            assert_eq!(told, Some(groups), "{text}");
        }
        let p = r"(?i:le président|la ministre) (?P<name>\p{Lu}\p{L}+)";
        let (told, groups) = both(p, "Selon la ministre Borne, oui.");
        assert_eq!(told, Some(groups));
    }

    #[test]
    fn two_choices_are_left_to_the_groups() {
        // at the start of the text, a boundary may be the start or the quote: the groups tell
        let p = r#"(?:^|[^\p{L}])(?P<name>"?\p{Lu}\p{L}+)"#;
        let (told, groups) = both(p, "\"Zola\"");
        assert_eq!((told, groups), (None, (0, 5)));
        // a group that may be empty: a boundary that may be empty is a second choice
        let p = r"(?:^|[^\p{L}\p{N}])(?P<name>\p{Lu}*)x";
        let (told, groups) = both(p, "«x");
        assert_eq!((told, groups), (None, (2, 2)));
    }

    #[test]
    fn a_group_that_is_the_match_or_off_the_spine_has_no_bounds() {
        assert!(bounds(r"(?P<name>\p{Lu}\p{L}+)").is_none());
        assert!(bounds(r"(?:a (?P<name>\p{Lu}\p{L}+)|b)").is_none());
        assert!(bounds(r"(?:x(?P<name>\p{Lu}))? y").is_none());
        assert!(bounds(r"x (?P<name>\p{Lu}\p{L}+)").is_some());
    }
}
