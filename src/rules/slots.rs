//! Where a relation rule's slots are in its matches, told from the regex alone, so that most
//! rules need no capture engine.
//!
//! A relation rule matches a masked sentence, where every mention is a placeholder `⟨c⟩`, and the
//! normalized text holds no `⟨` of its own (`crate::normalize`), so every `⟨` of a match opens a
//! placeholder. A slot's group is placeholders (`⟨[codes]⟩`, or a list of them that begins and
//! ends with one). Cut the regex into its spine, the parts that every match goes through in
//! order (the items of its top concatenation, through groups); when every slot is one of those
//! parts, each part matches a count of `⟨` within bounds that the regex gives. A slot whose parts
//! before it, or after it, all match a fixed count of `⟨` then holds the placeholders at a known
//! rank among those of the match, counted from its start or from its end; a slot with a count
//! that varies (a list) needs fixed counts on both sides. When every slot of a rule is placed so,
//! the span of a match is all that is needed to read its slots: the lazy DFAs give it without
//! the bounded backtracker that resolves groups, which took more than half of the relation
//! rules' search time (BENCHMARKS.md).
//!
//! The slots read so are those the groups give: a group holds whole placeholders (it starts and
//! ends with one), so the placeholders inside its span are the ones whose `⟨` it matched, and
//! the caller keeps those of the slot's types, as it does with a group. A regex this analysis
//! cannot read (a slot inside a repetition or an alternation, a byte class that may match part
//! of a `⟨`) gets no layout, and its slots are read from its groups.

use regex_syntax::hir::{Class, Hir, HirKind};

use super::pattern::{Slot, PLACEHOLDER_OPEN};

/// A rank among the placeholders of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rank {
    /// The `k`-th from the start (0 is the first).
    FromStart(usize),
    /// `k` before the end (0 is just past the last).
    FromEnd(usize),
}

impl Rank {
    fn resolve(self, count: usize) -> Option<usize> {
        match self {
            Rank::FromStart(k) => (k <= count).then_some(k),
            Rank::FromEnd(k) => count.checked_sub(k),
        }
    }
}

/// Where each slot of a relation rule is among the placeholders of a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotLayout {
    /// By slot, in the order of the rule's slots: the ranks its placeholders start and end at.
    ranks: Vec<(Rank, Rank)>,
    /// Fewest and most placeholders a match holds (`None`: no bound).
    count: (usize, Option<usize>),
}

impl SlotLayout {
    /// The layout of `hir`, a relation rule's regex whose slots are `slots`; `None` when some
    /// slot is not at a rank that its matches' placeholders tell.
    pub fn of(hir: &Hir, slots: &[Slot]) -> Option<SlotLayout> {
        let mut spine = Vec::new();
        flatten(hir, slots, &mut spine)?;
        let counts: Vec<(usize, Option<usize>)> = spine.iter().map(|p| p.count).collect();
        let fixed = |parts: &[(usize, Option<usize>)]| {
            parts.iter().map(|&(min, max)| (Some(min) == max).then_some(min)).sum::<Option<usize>>()
        };
        let mut ranks = vec![None; slots.len()];
        for (at, part) in spine.iter().enumerate() {
            let Some(slot) = part.slot else { continue };
            if ranks[slot].is_some() {
                return None; // a group met twice: not a pattern that `pattern::expand` writes
            }
            let (min, max) = part.count;
            let before = fixed(&counts[..at]);
            let after = fixed(&counts[at + 1..]);
            ranks[slot] = Some(match (before, after, max) {
                (Some(b), _, Some(max)) if max == min => {
                    (Rank::FromStart(b), Rank::FromStart(b + min))
                }
                (_, Some(a), Some(max)) if max == min => (Rank::FromEnd(a + min), Rank::FromEnd(a)),
                (Some(b), Some(a), _) => (Rank::FromStart(b), Rank::FromEnd(a)),
                _ => return None,
            });
        }
        let ranks = ranks.into_iter().collect::<Option<Vec<_>>>()?;
        let min = counts.iter().map(|c| c.0).sum();
        let max = counts.iter().map(|c| c.1).sum::<Option<usize>>();
        Some(SlotLayout { ranks, count: (min, max) })
    }

    /// The ranks of slot `slot`'s placeholders among the `count` placeholders of a match (those
    /// whose `⟨` the match holds, in order); `None` when `count` is not one a match can hold.
    pub fn slot(&self, slot: usize, count: usize) -> Option<std::ops::Range<usize>> {
        if count < self.count.0 || self.count.1.is_some_and(|max| count > max) {
            return None;
        }
        let (start, end) = self.ranks[slot];
        let (start, end) = (start.resolve(count)?, end.resolve(count)?);
        (start <= end).then_some(start..end)
    }
}

/// A part of a regex's spine: how many `⟨` it matches, and the slot it is, if one.
#[derive(Debug)]
struct Part {
    count: (usize, Option<usize>),
    slot: Option<usize>,
}

/// Appends the spine of `hir` to `spine`: concatenations and groups that are no slot are cut
/// through, anything else is one part. `None` when a slot is found inside a part.
fn flatten(hir: &Hir, slots: &[Slot], spine: &mut Vec<Part>) -> Option<()> {
    match hir.kind() {
        HirKind::Concat(items) => {
            items.iter().try_for_each(|item| flatten(item, slots, spine))?;
        }
        HirKind::Capture(c) => {
            let slot =
                c.name.as_deref().and_then(|n| slots.iter().position(|s| s.role.group() == n));
            match slot {
                Some(slot) => {
                    let count = opens(&c.sub, slots)?;
                    if count.0 == 0 {
                        return None; // a slot is placeholders, so it opens at least one
                    }
                    spine.push(Part { count, slot: Some(slot) });
                }
                None => flatten(&c.sub, slots, spine)?,
            }
        }
        _ => spine.push(Part { count: opens(hir, slots)?, slot: None }),
    }
    Some(())
}

/// Fewest and most `⟨` that `hir` matches (`None` for the most: no bound). `None` when it holds a
/// slot's group, or a class of bytes that may match the first byte of a `⟨`.
fn opens(hir: &Hir, slots: &[Slot]) -> Option<(usize, Option<usize>)> {
    let mut utf8 = [0; 4];
    let open = PLACEHOLDER_OPEN.encode_utf8(&mut utf8).as_bytes();
    Some(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (0, Some(0)),
        HirKind::Literal(l) => {
            let n = l.0.windows(open.len()).filter(|w| *w == open).count();
            (n, Some(n))
        }
        HirKind::Class(Class::Unicode(c)) => {
            let any = c.ranges().iter().any(|r| (r.start()..=r.end()).contains(&PLACEHOLDER_OPEN));
            (0, Some(usize::from(any)))
        }
        HirKind::Class(Class::Bytes(c)) => {
            if c.ranges().iter().any(|r| r.end() >= 0x80) {
                return None;
            }
            (0, Some(0))
        }
        HirKind::Repetition(r) => {
            let (min, max) = opens(&r.sub, slots)?;
            let most = match (max, r.max) {
                (Some(0), _) => Some(0),
                (Some(m), Some(times)) => m.checked_mul(times as usize),
                _ => None,
            };
            (min.saturating_mul(r.min as usize), most)
        }
        HirKind::Capture(c) => {
            let name = c.name.as_deref();
            if slots.iter().any(|s| Some(s.role.group()) == name) {
                return None;
            }
            opens(&c.sub, slots)?
        }
        HirKind::Concat(items) => {
            let mut sum = (0usize, Some(0usize));
            for item in items {
                let (min, max) = opens(item, slots)?;
                sum = (sum.0 + min, sum.1.zip(max).map(|(a, b)| a + b));
            }
            sum
        }
        HirKind::Alternation(items) => {
            let mut all: Option<(usize, Option<usize>)> = None;
            for item in items {
                let (min, max) = opens(item, slots)?;
                all = Some(match all {
                    None => (min, max),
                    Some((a, b)) => (a.min(min), b.zip(max).map(|(b, m)| b.max(m))),
                });
            }
            all.unwrap_or((0, Some(0)))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pattern::SlotRole;

    fn slot(role: SlotRole, list: bool) -> Slot {
        Slot { role, types: vec!["Organization".into()], codes: vec!['\u{E001}'], list }
    }

    fn layout(pattern: &str, slots: &[Slot]) -> Option<SlotLayout> {
        let hir =
            regex_syntax::ParserBuilder::new().utf8(false).build().parse(pattern).expect("a regex");
        SlotLayout::of(&hir, slots)
    }

    const ONE: &str = "⟨[\u{E001}\u{E002}]⟩";

    fn directed() -> Vec<Slot> {
        vec![slot(SlotRole::Subject, false), slot(SlotRole::Object, false)]
    }

    #[test]
    fn slots_with_fixed_placeholders_around_them_are_placed_from_either_end() {
        let slots = directed();
        // the subject first; the object after a gap that may hold placeholders, so counted
        // from the end
        let p = format!("(?P<subject>{ONE}) a (?:[^,⟨⟩]|{ONE}){{0,80}} avec (?P<object>{ONE})!");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!(l.slot(0, 2), Some(0..1));
        assert_eq!(l.slot(1, 2), Some(1..2));
        assert_eq!(l.slot(0, 5), Some(0..1));
        assert_eq!(l.slot(1, 5), Some(4..5));
        assert_eq!(l.slot(0, 1), None, "a match holds at least its two slots");
        // a placeholder before the subject, at a fixed count
        let p = format!("{ONE} et (?P<subject>{ONE}), (?P<object>{ONE})");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.slot(0, 3), l.slot(1, 3)), (Some(1..2), Some(2..3)));
        assert_eq!(l.slot(0, 4), None, "exactly three");
    }

    #[test]
    fn a_list_takes_the_placeholders_between_fixed_counts() {
        let slots = vec![slot(SlotRole::Parties, true)];
        let p = format!("^(?:{ONE} )?(?P<parties>{ONE}(?:(?:, | et ){ONE})*) signent");
        assert_eq!(layout(&p, &slots), None, "an optional placeholder before the list");
        let p = format!("(?P<parties>{ONE}(?:(?:, | et ){ONE})*) signent (?:avec )?{ONE}");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!(l.slot(0, 4), Some(0..3));
        assert_eq!(l.slot(0, 1), None);
    }

    #[test]
    fn slots_that_no_rank_tells_get_no_layout() {
        let slots = directed();
        // a gap with placeholders on both sides of the object
        let p = format!("(?P<subject>{ONE})(?: {ONE})? a (?P<object>{ONE})(?: {ONE})?");
        let l = layout(&p, &slots);
        assert_eq!(l, None);
        // a slot inside an alternation or a repetition
        let p = format!("(?:(?P<subject>{ONE}) x|y) (?P<object>{ONE})");
        assert_eq!(layout(&p, &slots), None);
        let p = format!("(?:(?P<subject>{ONE}) x)? (?P<object>{ONE})");
        assert_eq!(layout(&p, &slots), None);
        // any character, so any count of placeholders, on both sides of the subject
        let p = format!(".*(?P<subject>{ONE}).* (?P<object>{ONE})");
        assert_eq!(layout(&p, &slots), None);
        // bytes that may start a `⟨`
        let p = format!("(?-u:[\\x80-\\xFF])(?P<subject>{ONE}) (?P<object>{ONE})");
        assert_eq!(layout(&p, &slots), None);
        // a gap that cannot hold a placeholder keeps both slots placed
        let p = format!("(?-u:[a-z])(?P<subject>{ONE}) [^⟨]* (?P<object>{ONE})");
        assert!(layout(&p, &slots).is_some());
    }

    #[test]
    fn a_literal_counts_its_placeholders() {
        let slots = directed();
        let p = format!("(?P<subject>{ONE}) ⟨\u{E003}⟩ et ⟨\u{E003}⟩ (?P<object>{ONE})");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.slot(0, 4), l.slot(1, 4)), (Some(0..1), Some(3..4)));
    }
}
