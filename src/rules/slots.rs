//! Where a relation rule's slots are in its matches, told from the regex alone, so that most
//! rules need no capture engine.
//!
//! A relation rule matches a masked sentence, where every mention is a placeholder `⟨c⟩` (`c`
//! the code of its type), and nothing else: the normalized text holds no `⟨`, `⟩` or code of
//! its own (`crate::normalize`). A slot's group is placeholders: `⟨[codes]⟩`, or a list of them
//! that begins and ends with one. Cut the regex into its spine, the parts that every match goes
//! through in order (the items of its top concatenation, through unnamed groups); a
//! slot is one part, or inside one part whose other placeholders are never of its types (an
//! optional group around a date slot, say). Reading the regex over the only texts it can meet,
//! where `⟨` is always followed by a code and a code by `⟩` (an automaton of six states, run
//! over the regex's syntax tree), gives how many whole placeholders each part may hold: all of
//! them, or those of the slot's types. A slot whose parts before it, or after it, hold a fixed
//! count then holds the placeholders at a known rank among those of the match, counted from its
//! start or from its end; a slot whose own count varies (a list, an optional slot) needs fixed
//! counts on both sides. When every slot of a rule is placed so, the span of a match is all
//! that is needed to read its slots: the lazy DFAs give it without the bounded backtracker that
//! resolves groups, which took more than half of the relation rules' search time
//! (BENCHMARKS.md).
//!
//! A slot that no rank tells in every match (a list after a gap that may hold mentions of its
//! types, say) is placed in the matches that hold the fewest counted placeholders a match may
//! hold: there every part holds the fewest it may, as none can hold fewer and together they
//! hold them all, so the slot's rank is the sum of the fewest before it. The placeholders
//! counted may be the slot's types, those with the types of some other slots, or all: a slot
//! has a place for each set of codes that tells one, tried in turn, and a match takes the first
//! it fits. A sentence with one subject, one object and no other mention in the gaps makes such
//! a match (69 % of the matches of the rules placed so, on real articles: BENCHMARKS.md); the
//! others fit none and are read with groups.
//!
//! The slots read so are the ones the groups give: the placeholders of a slot's types inside its
//! group are those at its ranks. A rule with a slot this analysis cannot place (two slots in one
//! part, a slot inside a repetition, whose group holds only the last time round) gets no layout,
//! and its slots are read from its groups.

use regex_syntax::hir::{Class, Hir, HirKind};

use super::bounds::spine;
use super::pattern::{Slot, PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN};

/// The codes of the placeholders' types: the private use area.
const CODES: std::ops::RangeInclusive<char> = '\u{E000}'..='\u{F8FF}';

/// Which placeholders a slot's ranks count.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// All the placeholders of the match.
    All,
    /// Those of the slot's types.
    OfItsTypes,
}

/// A rank among the placeholders of a match that are counted.
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

/// Where one slot is among a match's placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    /// The codes of the placeholders counted (`None`: all of them): the slot's types, and, in
    /// a place told only in the matches with the fewest, perhaps the types of other slots.
    codes: Option<Box<[char]>>,
    start: Rank,
    end: Rank,
    /// Fewest and most counted placeholders a match holds (`None`: no bound); both the
    /// fewest a match may hold when the place is told only in the matches that hold the fewest.
    total: Count,
    /// Whether the place is told only in the matches that hold the fewest.
    fewest: bool,
}

/// Where each slot of a relation rule is among the placeholders of a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotLayout {
    /// By slot, in the order of the rule's slots: one place that every match fits, or places
    /// each told in the matches with the fewest placeholders of its codes, tried in turn.
    places: Vec<Vec<Place>>,
}

impl SlotLayout {
    /// The layout of `hir`, a relation rule's regex whose slots are `slots`; `None` when some
    /// slot is not at a rank that the placeholders of its matches tell.
    pub fn of(hir: &Hir, slots: &[Slot]) -> Option<SlotLayout> {
        let spine = spine(hir);
        let special = Special::of(hir);
        let groups: Vec<&str> = slots.iter().map(|s| s.role.group()).collect();
        let mut parts: Vec<Option<usize>> = Vec::with_capacity(spine.len());
        for part in &spine {
            let mut inside = Vec::new();
            captures_of(part, &groups, &mut inside);
            match inside[..] {
                [] => parts.push(None),
                [slot] => parts.push(Some(slot)),
                _ => return None,
            }
        }
        let places = (0..slots.len())
            .map(|slot| {
                let at = parts.iter().position(|&p| p == Some(slot))?;
                if repeated(spine[at], groups[slot], false) {
                    return None; // its group holds only the last time round
                }
                let try_place = |codes: Option<&[char]>, least| {
                    let codes = codes.map_or(Codes::All, Codes::These);
                    place(&spine, &special, at, groups[slot], codes, least)
                };
                let own: &[char] = &slots[slot].codes;
                // a rank every match tells
                if let Some(place) = try_place(None, false).or_else(|| try_place(Some(own), false))
                {
                    return Some(vec![place]);
                }
                // else ranks told in the matches with the fewest placeholders of some codes: the
                // slot's, with those of other slots (a part that may hold one placeholder of
                // several types holds the fewest of them all whatever its type), or all
                let others: Vec<&[char]> = (0..slots.len())
                    .filter(|&other| other != slot)
                    .map(|other| &slots[other].codes[..])
                    .collect();
                let mut sets: Vec<Vec<char>> = Vec::new();
                for chosen in 0..1usize << others.len() {
                    let mut codes = own.to_vec();
                    for (i, other) in others.iter().enumerate() {
                        if chosen & (1 << i) != 0 {
                            codes.extend_from_slice(other);
                        }
                    }
                    codes.sort_unstable();
                    codes.dedup();
                    if !sets.contains(&codes) {
                        sets.push(codes);
                    }
                }
                let mut places: Vec<Place> =
                    sets.iter().filter_map(|codes| try_place(Some(codes), true)).collect();
                places.extend(try_place(None, true));
                places.dedup();
                (!places.is_empty()).then_some(places)
            })
            .collect::<Option<Vec<_>>>()?;
        Some(SlotLayout { places })
    }

    /// Whether every match fits the layout: no slot is placed only in the matches that hold the
    /// fewest placeholders.
    pub fn fits_every_match(&self) -> bool {
        self.places.iter().flatten().all(|p| !p.fewest)
    }

    /// What the placeholders of a match that slot `slot` holds stand for, those whose code `keep`
    /// keeps (`within`: the match's whole placeholders in order, each with what it stands for and
    /// its code): the placeholders at the slot's ranks among those counted by its first place
    /// that the match fits, which may be of other types too; `None` when the match fits none.
    pub fn holds(
        &self,
        slot: usize,
        within: &[(usize, char)],
        keep: impl Fn(char) -> bool,
    ) -> Option<Vec<usize>> {
        self.places[slot].iter().find_map(|place| place.holds(within, &keep))
    }

    /// What slot `slot` holds in a match by each of its places (`None` where the match does
    /// not fit the place).
    #[cfg(test)]
    fn each_place_holds(
        &self,
        slot: usize,
        within: &[(usize, char)],
        keep: impl Fn(char) -> bool,
    ) -> Vec<Option<Vec<usize>>> {
        self.places[slot].iter().map(|place| place.holds(within, &keep)).collect()
    }

    /// Which placeholders slot `slot`'s first place counts.
    #[cfg(test)]
    pub fn counted(&self, slot: usize) -> Counted {
        match self.places[slot][0].codes {
            None => Counted::All,
            Some(_) => Counted::OfItsTypes,
        }
    }

    /// How many places slot `slot` has.
    #[cfg(test)]
    fn place_count(&self, slot: usize) -> usize {
        self.places[slot].len()
    }

    /// The ranks of slot `slot`'s placeholders among the `count` placeholders of a match that
    /// its first place counts (whole placeholders inside the match, in order); `None` when
    /// `count` is not one a match can hold.
    #[cfg(test)]
    pub fn slot(&self, slot: usize, count: usize) -> Option<std::ops::Range<usize>> {
        self.places[slot][0].ranks(count)
    }
}

impl Place {
    /// What the placeholders at the place's ranks among those it counts stand for, those whose
    /// code `keep` keeps; `None` when the match does not fit the place.
    fn holds(&self, within: &[(usize, char)], keep: impl Fn(char) -> bool) -> Option<Vec<usize>> {
        let counted = |p: &&(usize, char)| self.codes.as_ref().is_none_or(|c| c.contains(&p.1));
        let ranks = self.ranks(within.iter().filter(counted).count())?;
        let at_ranks = within.iter().filter(counted).skip(ranks.start).take(ranks.len());
        Some(at_ranks.filter(|p| keep(p.1)).map(|&(at, _)| at).collect())
    }

    /// The ranks of the slot's placeholders among the `count` placeholders of a match that the
    /// place counts; `None` when `count` is not one a match the place tells can hold.
    fn ranks(&self, count: usize) -> Option<std::ops::Range<usize>> {
        let (min, max) = self.total;
        if count < min as usize || max.is_some_and(|max| count > max as usize) {
            return None;
        }
        let (start, end) = (self.start.resolve(count)?, self.end.resolve(count)?);
        (start <= end).then_some(start..end)
    }
}

/// Where the slot `group`, in part `at` of `spine`, is among the placeholders that `codes`
/// counts; `None` when no rank tells it. With `least`, a slot that no rank tells in every match
/// is placed in the matches that hold the fewest counted placeholders a match may hold: there
/// each part holds the fewest it may (no part can hold fewer, and they add up), so the parts
/// before the slot hold their fewest and the slot its own; other matches do not fit the place
/// and are read with groups.
fn place(
    spine: &[&Hir],
    special: &Special,
    at: usize,
    group: &str,
    codes: Codes<'_>,
    least: bool,
) -> Option<Place> {
    let part = |hir: &Hir, muted: Option<&str>| relation(hir, special, codes, muted);
    // the slot's part holds no counted placeholder but the slot's
    if part(spine[at], Some(group))?.most() != Some(0) {
        return None;
    }
    let mut before = Relation::identity();
    for hir in &spine[..at] {
        before = before.then(&part(hir, None)?);
    }
    let own = part(spine[at], None)?;
    let mut after = Relation::identity();
    for hir in &spine[at + 1..] {
        after = after.then(&part(hir, None)?);
    }
    // the states a match may start in: outside a placeholder, or inside one begun before it
    let starts = [State::Out, State::OpenedBefore, State::CodedBefore];
    let (mut b, mut o, mut a) = (None, None, None);
    for s in starts {
        for m in State::ALL {
            let Some(x) = before.get(s, m) else { continue };
            for n in State::ALL {
                let Some(y) = own.get(m, n) else { continue };
                for e in State::ALL {
                    let Some(z) = after.get(n, e) else { continue };
                    b = Some(hull(b, x));
                    o = Some(hull(o, y));
                    a = Some(hull(a, z));
                }
            }
        }
    }
    let (b, o, a) = (b?, o?, a?);
    let fixed = |c: Count| (Some(c.0) == c.1).then_some(c.0 as usize);
    let (start, end) = match (fixed(b), fixed(o), fixed(a)) {
        (Some(b), Some(o), _) => (Rank::FromStart(b), Rank::FromStart(b + o)),
        (_, Some(o), Some(a)) => (Rank::FromEnd(a + o), Rank::FromEnd(a)),
        (Some(b), None, Some(a)) => (Rank::FromStart(b), Rank::FromEnd(a)),
        _ if least => {
            let fewest = b.0.checked_add(o.0)?.checked_add(a.0)?;
            let (start, end) = (b.0 as usize, (b.0 + o.0) as usize);
            let (start, end) = (Rank::FromStart(start), Rank::FromStart(end));
            let total = (fewest, Some(fewest));
            let codes = codes.owned();
            return Some(Place { codes, start, end, total, fewest: true });
        }
        _ => return None,
    };
    let (codes, total) = (codes.owned(), add(add(b, o), a));
    Some(Place { codes, start, end, total, fewest: false })
}

/// Whether the group `group` is inside a repetition of `hir` that may go round more than once
/// (`within`: `hir` is inside one).
fn repeated(hir: &Hir, group: &str, within: bool) -> bool {
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some(group) => within,
        HirKind::Capture(c) => repeated(&c.sub, group, within),
        HirKind::Repetition(r) => repeated(&r.sub, group, within || r.max != Some(1)),
        HirKind::Concat(items) | HirKind::Alternation(items) => {
            items.iter().any(|item| repeated(item, group, within))
        }
        _ => false,
    }
}

/// The slots, by index in `groups`, whose groups are inside `hir`.
fn captures_of(hir: &Hir, groups: &[&str], found: &mut Vec<usize>) {
    match hir.kind() {
        HirKind::Capture(c) => {
            if let Some(i) = groups.iter().position(|g| Some(*g) == c.name.as_deref()) {
                found.push(i);
            }
            captures_of(&c.sub, groups, found);
        }
        HirKind::Repetition(r) => captures_of(&r.sub, groups, found),
        HirKind::Concat(items) | HirKind::Alternation(items) => {
            items.iter().for_each(|item| captures_of(item, groups, found));
        }
        _ => {}
    }
}

/// Fewest and most placeholders (`None`: no bound).
type Count = (u32, Option<u32>);

fn hull(a: Option<Count>, b: Count) -> Count {
    match a {
        None => b,
        Some(a) => (a.0.min(b.0), a.1.zip(b.1).map(|(x, y)| x.max(y))),
    }
}

fn add(a: Count, b: Count) -> Count {
    (a.0.saturating_add(b.0), a.1.zip(b.1).map(|(x, y)| x.saturating_add(y)))
}

/// Where a text is with respect to placeholders, as an automaton reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Outside a placeholder.
    Out,
    /// After a `⟨` read in the match.
    Opened,
    /// After a counted code.
    Counted,
    /// After a code that is not counted.
    Uncounted,
    /// After a `⟨` read before the match began.
    OpenedBefore,
    /// After a code, in a placeholder begun before the match.
    CodedBefore,
}

impl State {
    const ALL: [State; 6] = [
        State::Out,
        State::Opened,
        State::Counted,
        State::Uncounted,
        State::OpenedBefore,
        State::CodedBefore,
    ];
}

/// The codes whose placeholders are counted.
#[derive(Debug, Clone, Copy)]
enum Codes<'a> {
    All,
    These(&'a [char]),
    None,
}

impl Codes<'_> {
    /// The codes counted, `None` for all of them.
    fn owned(self) -> Option<Box<[char]>> {
        match self {
            Codes::All => None,
            Codes::These(codes) => Some(codes.into()),
            Codes::None => Some(Box::new([])),
        }
    }

    fn counts(self, code: char) -> bool {
        match self {
            Codes::All => true,
            Codes::These(codes) => codes.contains(&code),
            Codes::None => false,
        }
    }
}

/// For each state a piece of regex may start in and each it may end in, the counted whole
/// placeholders it may read on the way (`None`: it cannot go from the one to the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Relation([[Option<Count>; 6]; 6]);

impl Relation {
    fn empty() -> Relation {
        Relation([[None; 6]; 6])
    }

    fn identity() -> Relation {
        let mut r = Relation::empty();
        for s in 0..6 {
            r.0[s][s] = Some((0, Some(0)));
        }
        r
    }

    /// What a text without `⟨`, `⟩` or a code reads (one character or more).
    fn plain() -> Relation {
        let mut r = Relation::empty();
        r.put(State::Out, State::Out, (0, Some(0)));
        r
    }

    fn get(&self, from: State, to: State) -> Option<Count> {
        self.0[from as usize][to as usize]
    }

    fn put(&mut self, from: State, to: State, count: Count) {
        let cell = &mut self.0[from as usize][to as usize];
        *cell = Some(hull(*cell, count));
    }

    /// The most placeholders read over every way (`None`: no bound); `Some(0)` when none can
    /// be read, or no way exists.
    fn most(&self) -> Option<u32> {
        let mut most = 0;
        for cell in self.0.iter().flatten().flatten() {
            most = most.max(cell.1?);
        }
        Some(most)
    }

    /// This, then `next`.
    fn then(&self, next: &Relation) -> Relation {
        let mut r = Relation::empty();
        for s in 0..6 {
            for m in 0..6 {
                let Some(x) = self.0[s][m] else { continue };
                for e in 0..6 {
                    if let Some(y) = next.0[m][e] {
                        r.0[s][e] = Some(hull(r.0[s][e], add(x, y)));
                    }
                }
            }
        }
        r
    }

    /// This or `other`.
    fn or(&self, other: &Relation) -> Relation {
        let mut r = *self;
        for s in 0..6 {
            for e in 0..6 {
                if let Some(y) = other.0[s][e] {
                    r.0[s][e] = Some(hull(r.0[s][e], y));
                }
            }
        }
        r
    }

    /// One character of a class that holds `⟨` (`open`), `⟩` (`close`), a counted code
    /// (`counted`), a code not counted (`uncounted`), any other character (`other`).
    fn one(open: bool, close: bool, counted: bool, uncounted: bool, other: bool) -> Relation {
        use State::*;
        let mut r = Relation::empty();
        let zero = (0, Some(0));
        if open {
            r.put(Out, Opened, zero);
        }
        if other {
            r.put(Out, Out, zero);
        }
        if counted {
            r.put(Opened, Counted, zero);
        }
        if uncounted {
            r.put(Opened, Uncounted, zero);
        }
        if counted || uncounted {
            r.put(OpenedBefore, CodedBefore, zero);
        }
        if close {
            r.put(Counted, Out, (1, Some(1)));
            r.put(Uncounted, Out, zero);
            r.put(CodedBefore, Out, zero);
        }
        r
    }

    fn char(c: char, codes: Codes<'_>) -> Relation {
        let code = CODES.contains(&c);
        let (counted, uncounted) = (code && codes.counts(c), code && !codes.counts(c));
        let other = !code && c != PLACEHOLDER_OPEN && c != PLACEHOLDER_CLOSE;
        Relation::one(c == PLACEHOLDER_OPEN, c == PLACEHOLDER_CLOSE, counted, uncounted, other)
    }

    /// `count` times this, at least `min` of them.
    fn repeat(&self, min: u32, max: Option<u32>) -> Relation {
        let mut r = Relation::identity();
        for _ in 0..min {
            r = r.then(self);
        }
        let maybe = self.or(&Relation::identity());
        match max {
            Some(max) => {
                for _ in min..max {
                    let next = r.then(&maybe);
                    if next == r {
                        break;
                    }
                    r = next;
                }
                r
            }
            None => {
                // six states: a way of more than six steps goes round a loop, so twelve steps
                // hold every way without one, and a count that still grows from twelve to
                // twenty-four steps grows without bound
                let (mut twelve, mut more) = (r, r);
                for step in 0..24 {
                    more = more.then(&maybe);
                    if step == 11 {
                        twelve = more;
                    }
                }
                let mut star = twelve;
                for s in 0..6 {
                    for e in 0..6 {
                        if let (Some(a), Some(b)) = (twelve.0[s][e], more.0[s][e]) {
                            star.0[s][e] = Some((a.0, a.1.filter(|&m| Some(m) == b.1)));
                        }
                    }
                }
                star
            }
        }
    }
}

/// What `hir` reads, as a [`Relation`], counting the placeholders of `codes`, but none inside
/// the group `muted`. `None` for a class of bytes beyond ASCII, which may read part of a
/// character.
fn relation(
    hir: &Hir,
    special: &Special,
    codes: Codes<'_>,
    muted: Option<&str>,
) -> Option<Relation> {
    if !special.contains(hir) {
        // most of a rule: word lists, words and gaps of letters
        return Some(match hir.properties().minimum_len() {
            None => Relation::empty(),
            Some(0) => Relation::plain().or(&Relation::identity()),
            Some(_) => Relation::plain(),
        });
    }
    Some(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Relation::identity(),
        HirKind::Literal(l) => {
            let text = std::str::from_utf8(&l.0).ok()?;
            let mut r = Relation::identity();
            for c in text.chars() {
                r = r.then(&Relation::char(c, codes));
            }
            r
        }
        HirKind::Class(Class::Unicode(class)) => {
            let ranges = class.ranges();
            let has = |c: char| ranges.iter().any(|r| (r.start()..=r.end()).contains(&c));
            let in_codes: u32 = ranges
                .iter()
                .map(|r| {
                    let (s, e) = (r.start().max(*CODES.start()), r.end().min(*CODES.end()));
                    if s <= e {
                        e as u32 - s as u32 + 1
                    } else {
                        0
                    }
                })
                .sum();
            let (counted, uncounted) = match codes {
                Codes::All => (in_codes > 0, false),
                Codes::None => (false, in_codes > 0),
                Codes::These(these) => {
                    let held = these.iter().filter(|&&c| has(c)).count() as u32;
                    (held > 0, in_codes > held)
                }
            };
            let special = u32::from(has(PLACEHOLDER_OPEN)) + u32::from(has(PLACEHOLDER_CLOSE));
            let all: u32 = ranges.iter().map(|r| r.end() as u32 - r.start() as u32 + 1).sum();
            let other = all > in_codes + special;
            Relation::one(has(PLACEHOLDER_OPEN), has(PLACEHOLDER_CLOSE), counted, uncounted, other)
        }
        HirKind::Class(Class::Bytes(class)) => {
            if class.ranges().iter().any(|r| r.end() >= 0x80) {
                return None;
            }
            Relation::one(false, false, false, false, !class.ranges().is_empty())
        }
        HirKind::Repetition(r) => relation(&r.sub, special, codes, muted)?.repeat(r.min, r.max),
        HirKind::Capture(c) => match muted {
            Some(group) if c.name.as_deref() == Some(group) => {
                relation(&c.sub, special, Codes::None, None)?
            }
            _ => relation(&c.sub, special, codes, muted)?,
        },
        HirKind::Concat(items) => {
            let mut r = Relation::identity();
            for item in items {
                r = r.then(&relation(item, special, codes, muted)?);
            }
            r
        }
        HirKind::Alternation(items) => {
            let mut r = Relation::empty();
            for item in items {
                r = r.or(&relation(item, special, codes, muted)?);
            }
            r
        }
    })
}

/// The nodes of a syntax tree that may read a `⟨`, a `⟩`, a code, or a byte beyond ASCII on its
/// own; every other node is plain (word lists, words, gaps of letters: most of a rule).
#[derive(Debug, Default)]
struct Special(std::collections::HashSet<*const Hir>);

impl Special {
    fn of(hir: &Hir) -> Special {
        let mut special = Special::default();
        special.visit(hir);
        special
    }

    fn contains(&self, hir: &Hir) -> bool {
        self.0.contains(&(hir as *const Hir))
    }

    /// Whether `hir` is special; records it and its special nodes.
    fn visit(&mut self, hir: &Hir) -> bool {
        let special =
            |c: char| c == PLACEHOLDER_OPEN || c == PLACEHOLDER_CLOSE || CODES.contains(&c);
        let found = match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => false,
            // `⟨` and `⟩` start with the byte E2, the codes with EE or EF
            HirKind::Literal(l) => l.0.iter().any(|b| matches!(b, 0xE2 | 0xEE | 0xEF)),
            HirKind::Class(Class::Unicode(class)) => class.ranges().iter().any(|r| {
                special(r.start())
                    || special(r.end())
                    || (r.start()..=r.end()).contains(&PLACEHOLDER_OPEN)
                    || (r.start()..=r.end()).contains(&PLACEHOLDER_CLOSE)
                    || (r.start() < *CODES.start() && r.end() > *CODES.end())
            }),
            HirKind::Class(Class::Bytes(class)) => class.ranges().iter().any(|r| r.end() >= 0x80),
            HirKind::Repetition(r) => self.visit(&r.sub),
            HirKind::Capture(c) => self.visit(&c.sub),
            HirKind::Concat(items) | HirKind::Alternation(items) => {
                items.iter().fold(false, |found, item| self.visit(item) | found)
            }
        };
        if found {
            self.0.insert(hir as *const Hir);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pattern::{SlotRole, PLACEHOLDER_CLOSE, PLACEHOLDER_OPEN};
    use proptest::prelude::*;

    const ORG: char = '\u{E001}';
    const PLACE: char = '\u{E002}';
    const DATE: char = '\u{E003}';

    fn slot(role: SlotRole, codes: &[char], list: bool) -> Slot {
        let types = codes.iter().map(|c| format!("{c}")).collect();
        Slot { role, types, codes: codes.to_vec(), list }
    }

    fn layout(pattern: &str, slots: &[Slot]) -> Option<SlotLayout> {
        let parser = regex_syntax::ParserBuilder::new().utf8(false).build().parse(pattern);
        SlotLayout::of(&parser.expect("a regex"), slots)
    }

    fn one(codes: &[char]) -> String {
        let codes: String = codes.iter().collect();
        format!("⟨[{codes}]⟩")
    }

    fn directed() -> Vec<Slot> {
        vec![slot(SlotRole::Subject, &[ORG], false), slot(SlotRole::Object, &[ORG, PLACE], false)]
    }

    #[test]
    fn slots_with_fixed_placeholders_around_them_are_placed_from_either_end() {
        let slots = directed();
        let (s, o, any) = (one(&[ORG]), one(&[ORG, PLACE]), one(&[ORG, PLACE, DATE]));
        // the subject first; the object after a gap that may hold placeholders, so counted
        // from the end
        let p = format!("(?P<subject>{s}) a (?:[^,⟨⟩]|{any}){{0,80}} avec (?P<object>{o})!");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.counted(0), l.counted(1)), (Counted::All, Counted::All));
        assert_eq!((l.slot(0, 2), l.slot(1, 2)), (Some(0..1), Some(1..2)));
        assert_eq!((l.slot(0, 5), l.slot(1, 5)), (Some(0..1), Some(4..5)));
        assert_eq!(l.slot(0, 1), None, "a match holds at least its two slots");
        assert_eq!(l.slot(0, 83), None, "and at most 82 placeholders");
        // a placeholder before the subject, at a fixed count
        let p = format!("{any} et (?P<subject>{s}), (?P<object>{o})");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.slot(0, 3), l.slot(1, 3)), (Some(1..2), Some(2..3)));
        assert_eq!(l.slot(0, 4), None, "exactly three");
    }

    #[test]
    fn a_class_that_cannot_make_a_whole_placeholder_counts_none() {
        let slots = directed();
        let (s, o) = (one(&[ORG]), one(&[ORG, PLACE]));
        // a word boundary as a class may read a `⟨` at the start (never followed by a letter)
        // or cut one at the end; neither is a whole placeholder
        let p = format!(
            "(?:^|[^\\p{{L}}])le (?P<subject>{s}) (?:de (?:la )?)?(?P<object>{o})(?:[^\\p{{L}}]|$)"
        );
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.slot(0, 2), l.slot(1, 2)), (Some(0..1), Some(1..2)));
        // but any character, any number of times, may make whole placeholders: only a match
        // with no more placeholders of a slot's types than the slots' own tells it
        let p = format!(".*(?P<subject>{s}).* (?P<object>{o}).*");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.counted(0), l.counted(1)), (Counted::OfItsTypes, Counted::OfItsTypes));
        // the object may be a place: one organization is the fewest
        assert_eq!((l.slot(0, 1), l.slot(1, 2)), (Some(0..1), Some(1..2)));
        assert_eq!((l.slot(0, 2), l.slot(1, 3)), (None, None));
    }

    #[test]
    fn a_list_takes_the_placeholders_between_fixed_counts() {
        let parties = [slot(SlotRole::Parties, &[ORG], true)];
        let (p1, any) = (one(&[ORG]), one(&[ORG, PLACE, DATE]));
        let list = format!("(?P<parties>{p1}(?:(?:, | et ){p1})*)");
        // an optional placeholder of its type before it: only a match of one placeholder tells
        let p = format!("^(?:{any} )?{list} signent");
        let l = layout(&p, &parties).expect("a layout");
        assert_eq!(l.counted(0), Counted::OfItsTypes);
        assert_eq!((l.slot(0, 1), l.slot(0, 2)), (Some(0..1), None));
        let p = format!("{list} signent (?:avec )?{any}");
        let l = layout(&p, &parties).expect("a layout");
        assert_eq!(l.counted(0), Counted::All);
        assert_eq!(l.slot(0, 4), Some(0..3));
        assert_eq!(l.slot(0, 1), None);
        // placeholders of other types before it: counted among its types only
        let p = format!("^(?:(?:le |la ){{0,2}}⟨{PLACE}⟩ ){{0,3}}{list} signent");
        let l = layout(&p, &parties).expect("a layout");
        assert_eq!(l.counted(0), Counted::OfItsTypes);
        assert_eq!(l.slot(0, 2), Some(0..2));
    }

    #[test]
    fn an_optional_slot_holds_its_types_when_nothing_else_can() {
        let slots = [slot(SlotRole::Date, &[DATE], false), slot(SlotRole::Parties, &[ORG], true)];
        let (d, p1) = (one(&[DATE]), one(&[ORG]));
        let p = format!(
            "(?:(?P<date>{d}),? [^.;⟨⟩]{{0,60}}?)?(?P<parties>{p1}(?:(?:, | et ){p1})*),? signent"
        );
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.counted(0), l.counted(1)), (Counted::OfItsTypes, Counted::OfItsTypes));
        assert_eq!((l.slot(0, 0), l.slot(0, 1)), (Some(0..0), Some(0..1)));
        assert_eq!(l.slot(0, 2), None);
        assert_eq!(l.slot(1, 3), Some(0..3));
        // an optional part that holds other placeholders of the slot's types besides the slot
        let p = format!("(?:(?P<date>{d}) {d})?(?P<parties>{p1}(?:(?:, | et ){p1})*)");
        assert_eq!(layout(&p, &slots), None);
    }

    #[test]
    fn slots_that_no_rank_tells_in_every_match_are_placed_in_the_matches_with_the_fewest() {
        let slots = directed();
        let (s, o, any) = (one(&[ORG]), one(&[ORG, PLACE]), one(&[ORG, PLACE]));
        // placeholders of the object's types on both sides of it, and of the subject's after it
        let p = format!("(?P<subject>{s})(?: {any})? a (?P<object>{o})(?: {any})?");
        let l = layout(&p, &slots).expect("a layout");
        // the subject is first in every match; the object only where no optional part holds one
        assert_eq!(l.slot(0, 3), Some(0..1));
        assert_eq!((l.slot(1, 2), l.slot(1, 3), l.slot(1, 4)), (Some(1..2), None, None));
        // a list with a gap after it that may hold placeholders of its types
        let parties = [slot(SlotRole::Parties, &[ORG], true)];
        let list = format!("(?P<parties>{s}(?:(?:, | et ){s})*)");
        let p = format!("{list}(?:, [^⟨]*(?:{any} [^⟨]*)*,)? signent");
        let l = layout(&p, &parties).expect("a layout");
        assert_eq!(l.counted(0), Counted::OfItsTypes);
        assert_eq!((l.slot(0, 1), l.slot(0, 2)), (Some(0..1), None));
        // an optional slot in an alternation: empty in a match with no organization, and the
        // object alone in a match with one placeholder of its types
        let p = format!("(?:(?P<subject>{s}) x|y)? (?P<object>{o}) (?:{any} )?");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.slot(0, 0), l.slot(1, 1)), (Some(0..0), Some(0..1)));
        assert_eq!((l.slot(0, 1), l.slot(1, 2)), (None, None));
    }

    #[test]
    fn a_slot_takes_the_first_of_its_places_that_a_match_fits() {
        let slots = [
            slot(SlotRole::Date, &[DATE], false),
            slot(SlotRole::Subject, &[ORG], true),
            slot(SlotRole::Object, &[ORG, PLACE], false),
        ];
        let (d, s, o, any) = (one(&[DATE]), one(&[ORG]), one(&[ORG, PLACE]), one(&[ORG, PLACE]));
        let list = format!("(?P<subject>{s}(?:(?:, | et ){s})*)");
        let p = format!("(?:(?P<date>{d}),? )?{list} a (?P<object>{o})(?: {any})?");
        let l = layout(&p, &slots).expect("a layout");
        assert!(!l.fits_every_match());
        assert!(l.place_count(1) > 1, "the subject has places over several sets of codes");
        let holds = |slot: usize, within: &[(usize, char)]| {
            l.holds(slot, within, |code| slots[slot].codes.contains(&code))
        };
        // a date, a subject and an organization as the object: too many organizations for the
        // subject's place over its own type, the fewest of organizations and places for the
        // place over the object's types too
        let within = [(0, DATE), (1, ORG), (2, ORG)];
        assert_eq!(holds(0, &within), Some(vec![0]));
        assert_eq!(holds(1, &within), Some(vec![1]));
        assert_eq!(holds(2, &within), Some(vec![2]));
        // a place as the object: the fewest organizations
        assert_eq!(holds(1, &[(1, ORG), (2, PLACE)]), Some(vec![1]));
        // two subjects: more than the fewest of any set of codes
        assert_eq!(holds(1, &[(1, ORG), (2, ORG), (3, PLACE)]), None);
    }

    #[test]
    fn slots_that_no_rank_tells_get_no_layout() {
        let (slots, s, o) = (directed(), one(&[ORG]), one(&[ORG, PLACE]));
        // two slots in one part
        let p = format!("(?:(?P<subject>{s}) (?P<object>{o}))?");
        assert_eq!(layout(&p, &slots), None);
        // a group that may go round more than once holds only its last time round
        let p = format!("(?P<subject>{s}) a (?:(?P<object>{o}) ){{2}}");
        assert_eq!(layout(&p, &slots), None);
        let p = format!("(?P<subject>{s}) a (?:(?P<object>{o}) )?");
        assert!(layout(&p, &slots).is_some());
        // bytes that may be part of a character
        let p = format!("(?-u:[\\x80-\\xFF])(?P<subject>{s}) (?P<object>{o})");
        assert_eq!(layout(&p, &slots), None);
        let p = format!("(?-u:[a-z])(?P<subject>{s}) [^⟨]* (?P<object>{o})");
        assert!(layout(&p, &slots).is_some());
    }

    /// A part of a generated rule: a slot, a list slot, placeholders that may or may not be
    /// there, gaps of words with or without placeholders.
    fn part() -> impl Strategy<Value = String> {
        let (o, p, d) = (one(&[ORG]), one(&[ORG, PLACE]), one(&[DATE]));
        let any = one(&[ORG, PLACE, DATE]);
        prop_oneof![
            Just(format!("(?P<subject>{o})")),
            Just(format!("(?P<subject>{o}(?:(?:, | et ){o}){{0,3}})")),
            Just(format!("(?P<object>{p})")),
            Just(format!("(?P<object>{p}(?:(?:, | et ){p})*)")),
            Just(format!("(?:(?P<object>{p}) ){{1,3}}")),
            Just(format!("(?:(?P<date>{d}),? )?")),
            Just(format!("(?:{any} )?")),
            Just(format!("(?:{o}|{d})")),
            Just("[a-z ]{0,3}?".to_string()),
            Just(format!("(?:[a-z ]|{any}){{0,4}}")),
            Just(format!("(?:, (?:[a-z ]|{any}){{0,4}},)?")),
            Just(" et ".to_string()),
            Just(" a ".to_string()),
        ]
    }

    /// A masked text: placeholders of three types among words.
    fn masked_text() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            Just(format!("⟨{ORG}⟩")),
            Just(format!("⟨{PLACE}⟩")),
            Just(format!("⟨{DATE}⟩")),
            Just(" ".to_string()),
            Just(", ".to_string()),
            Just(" et ".to_string()),
            Just(" a ".to_string()),
            Just("b".to_string()),
        ];
        proptest::collection::vec(token, 0..14).prop_map(|t| t.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Wherever a layout places a match's slots, they hold what the groups hold.
        #[test]
        fn a_placed_slot_holds_what_its_group_holds(
            parts in proptest::collection::vec(part(), 1..7),
            texts in proptest::collection::vec(masked_text(), 1..6),
        ) {
            let pattern = parts.concat();
            let hir = regex_syntax::ParserBuilder::new().utf8(false).build().parse(&pattern);
            let Ok(hir) = hir else { return Ok(()) }; // a group named twice
            let roles = [SlotRole::Subject, SlotRole::Object, SlotRole::Date];
            let codes: [&[char]; 3] = [&[ORG], &[ORG, PLACE], &[DATE]];
            let lists = [true, true, false];
            let slots: Vec<Slot> = (0..3)
                .filter(|&i| pattern.contains(&format!("(?P<{}>", roles[i].group())))
                .map(|i| slot(roles[i], codes[i], lists[i]))
                .collect();
            let Some(layout) = SlotLayout::of(&hir, &slots) else { return Ok(()) };
            let regex = regex::Regex::new(&pattern).expect("a regex");
            let placeholders = |text: &str, start: usize, end: usize| -> Vec<(usize, char)> {
                let mut found = Vec::new();
                for (at, c) in text[start..end].char_indices() {
                    let rest = &text[start + at..end];
                    let mut chars = rest.chars();
                    if c == PLACEHOLDER_OPEN {
                        if let (Some(code), Some(PLACEHOLDER_CLOSE)) = (chars.nth(1), chars.next()) {
                            found.push((start + at, code));
                        }
                    }
                }
                found
            };
            for text in &texts {
                for caps in regex.captures_iter(text) {
                    let whole = caps.get(0).expect("group 0");
                    let within = placeholders(text, whole.start(), whole.end());
                    for (k, slot) in slots.iter().enumerate() {
                        let keep = |code| slot.codes.contains(&code);
                        let of_type = |&&(_, code): &&(usize, char)| keep(code);
                        let by_layout = layout.holds(k, &within, keep);
                        if by_layout.is_none() {
                            prop_assert!(!layout.fits_every_match(), "{pattern} on {text}");
                        }
                        let by_group: Vec<usize> = caps
                            .name(slot.role.group())
                            .map(|g| placeholders(text, g.start(), g.end()))
                            .unwrap_or_default()
                            .iter()
                            .filter(of_type)
                            .map(|&(at, _)| at)
                            .collect();
                        // every place the match fits, not only the first (`holds`), holds what
                        // the group holds
                        for by_place in layout.each_place_holds(k, &within, keep).iter().flatten() {
                            prop_assert_eq!(by_place, &by_group, "{} on {:?}", pattern, text);
                        }
                        if let Some(by_layout) = by_layout {
                            prop_assert_eq!(by_layout, by_group, "{} on {:?}", pattern, text);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_literal_counts_its_placeholders() {
        let slots = directed();
        let (s, o) = (one(&[ORG]), one(&[ORG, PLACE]));
        let p = format!("(?P<subject>{s}) ⟨{DATE}⟩ et ⟨{DATE}⟩ (?P<object>{o})");
        let l = layout(&p, &slots).expect("a layout");
        assert_eq!((l.slot(0, 4), l.slot(1, 4)), (Some(0..1), Some(3..4)));
    }

    #[test]
    fn the_automaton_reads_only_whole_placeholders() {
        let count = |pattern: &str, codes| {
            let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
            let r = relation(&hir, &Special::of(&hir), codes, None).unwrap();
            r.get(State::Out, State::Out)
        };
        let all = Codes::All;
        assert_eq!(count(&format!("a⟨{ORG}⟩b"), all), Some((1, Some(1))));
        assert_eq!(count(&format!("a⟨{ORG}⟩b"), Codes::These(&[PLACE])), Some((0, Some(0))));
        assert_eq!(count(&format!("(?:⟨{ORG}⟩ ){{2,5}}"), all), Some((2, Some(5))));
        assert_eq!(count(&format!("(?:⟨{ORG}⟩ )+"), all), Some((1, None)));
        assert_eq!(count("[^,]{0,9}", all), Some((0, Some(3))));
        // a placeholder begun before, then whole ones, then one begun: three characters at
        // least, any number of placeholders
        let hir = regex_syntax::Parser::new().parse("[^,]*").unwrap();
        let r = relation(&hir, &Special::of(&hir), all, None).unwrap();
        assert_eq!(r.get(State::OpenedBefore, State::Opened), Some((0, None)));
        assert_eq!(count("a⟨b", all), None, "a `⟨` is followed by a code");
        assert_eq!(count("⟨", all), None, "and does not end outside a placeholder");
    }
}
