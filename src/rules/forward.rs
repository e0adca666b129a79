//! A pattern's automata that read forward only: one NFA, its lazy DFA and, for the groups, a
//! bounded backtracker or a PikeVM whose scratch memory each thread shares between patterns.
//!
//! `regex-automata`'s meta regex, which the `regex` crate runs, finds where a match ends with a
//! forward lazy DFA and where it starts with a reverse one, built from a second NFA; it keeps,
//! per pattern and per thread, the caches of both lazy DFAs, of its PikeVM and of its bounded
//! backtracker, each sized to its NFA. With a pack of two hundred large patterns, the reverse
//! NFAs and those caches were most of a run's memory (BENCHMARKS.md). A [`Forward`] pattern gives
//! the same matches and groups without them:
//!
//! - the forward lazy DFA, with the same prefilter of prefixes as the meta regex, finds whether
//!   a match is there and where the leftmost-first one ends, as the meta regex's does;
//! - its start is the first position from which the same DFA, anchored and stopping at the first
//!   match state it meets, finds a match within that end. Leftmost-first matching picks the
//!   leftmost start from which any match exists, so no earlier position has one, and the match
//!   itself starts at that one. Only the positions where one of the prefilter's literals starts
//!   are tried, when there is a prefilter (every match starts with one), and most of them fail
//!   on their first bytes;
//! - its groups, when asked for, come from the bounded backtracker or the PikeVM run anchored
//!   over that span, as the meta regex runs its capture engines; their scratch memory is one per
//!   thread, for every pattern, instead of one per pattern and thread.
//!
//! When the lazy DFA gives up (it may, on a text that keeps clearing its cache) the search is
//! made by the capture engines alone, as the meta regex does.

use std::cell::RefCell;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::pikevm::{self, PikeVM};
use regex_automata::util::captures::GroupInfo;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::util::prefilter::Prefilter;
use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::{Anchored, Input, MatchKind, PatternID, Span};
use regex_syntax::hir::Hir;

/// Most memory the bounded backtracker of a thread may use to remember what it visited (states
/// times bytes of the span, one bit each): 1 MiB, for all patterns. It reads spans of up to 542
/// bytes with the largest bundled rule (15,441 NFA states), more with the others; a longer span
/// is read by the PikeVM.
const VISITED_CAPACITY: usize = 1 << 20;

pub(crate) type CacheFn = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// A forward lazy DFA's cache, taken from its pattern's pool for many searches
/// ([`Forward::hold`]) and given back when dropped.
pub(crate) type HeldCache<'a> = PoolGuard<'a, Cache, CacheFn>;

/// A pattern's forward automata ([the module](self)).
pub struct Forward {
    dfa: DFA,
    /// Literals one of which every match starts with, when the pattern has such a set.
    prefilter: Option<Prefilter>,
    caches: Pool<Cache, CacheFn>,
    backtrack: BoundedBacktracker,
    pikevm: PikeVM,
}

/// The capture engines' scratch memory, one per thread for all patterns: reset to the pattern at
/// hand before each use.
#[derive(Default)]
struct Scratch {
    backtrack: Option<backtrack::Cache>,
    pikevm: Option<pikevm::Cache>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Forward {
    /// Builds the automata of `hir`, read as bytes (no UTF-8 rule on empty matches), with an NFA
    /// of at most `size_limit` bytes; the lazy DFA may use `cache_capacity` bytes per thread. The
    /// error is the engine's message.
    pub fn new(
        hir: &Hir,
        size_limit: Option<usize>,
        cache_capacity: usize,
    ) -> Result<Forward, String> {
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().utf8(false).nfa_size_limit(size_limit))
            .build_from_hir(hir)
            .map_err(|e| e.to_string())?;
        // the meta regex's prefilter: the pattern's prefixes, when they make one
        let prefilter = Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, hir);
        let config = regex_automata::hybrid::dfa::Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .specialize_start_states(prefilter.is_some())
            .prefilter(prefilter.clone())
            .cache_capacity(cache_capacity)
            .minimum_cache_clear_count(Some(3))
            .minimum_bytes_per_state(Some(10));
        let dfa = DFA::builder()
            .configure(config)
            .build_from_nfa(nfa.clone())
            .map_err(|e| e.to_string())?;
        let backtrack = BoundedBacktracker::builder()
            .configure(backtrack::Config::new().visited_capacity(VISITED_CAPACITY))
            .build_from_nfa(nfa.clone())
            .map_err(|e| e.to_string())?;
        let pikevm = PikeVM::builder().build_from_nfa(nfa).map_err(|e| e.to_string())?;
        Ok(Forward { caches: pool(&dfa), dfa, prefilter, backtrack, pikevm })
    }

    pub fn group_info(&self) -> &GroupInfo {
        self.pikevm.get_nfa().group_info()
    }

    /// The leftmost-first match of `input`, with as many of its groups' slots as `slots` holds
    /// (two: the whole match only), as the meta regex's `search_slots` gives them.
    pub fn search_slots(
        &self,
        input: &Input<'_>,
        slots: &mut [Option<NonMaxUsize>],
    ) -> Option<PatternID> {
        self.search_slots_with(&mut self.caches.get(), input, slots)
    }

    /// A lazy DFA cache of the pattern's, held for many searches ([`Forward::search_slots_with`])
    /// instead of taken from its pool and given back for each.
    pub(crate) fn hold(&self) -> HeldCache<'_> {
        self.caches.get()
    }

    /// [`Forward::search_slots`] with a cache of the pattern's ([`Forward::hold`]).
    pub(crate) fn search_slots_with(
        &self,
        cache: &mut Cache,
        input: &Input<'_>,
        slots: &mut [Option<NonMaxUsize>],
    ) -> Option<PatternID> {
        let (start, end) = match self.span(cache, input) {
            Ok(Some(span)) => span,
            Ok(None) => return None,
            Err(()) => return self.capture(input, slots),
        };
        if slots.len() <= self.group_info().implicit_slot_len() {
            for (slot, at) in slots.iter_mut().zip([start, end]) {
                *slot = NonMaxUsize::new(at);
            }
            return Some(PatternID::ZERO);
        }
        let span = input.clone().span(start..end).anchored(Anchored::Yes);
        let found = self.capture(&span, slots);
        debug_assert!(found.is_some(), "the capture engines find the lazy DFA's match");
        found
    }

    /// Where the leftmost-first match of `input` starts and ends, by the lazy DFA; `Err` when
    /// it gave up.
    fn span(&self, cache: &mut Cache, input: &Input<'_>) -> Result<Option<(usize, usize)>, ()> {
        let end = match self.dfa.try_search_fwd(cache, input).map_err(|_| ())? {
            Some(m) => m.offset(),
            None => return Ok(None),
        };
        // only where one of the prefilter's literals starts, when there is one: every match
        // starts with one
        let mut start = input.start();
        while start <= end {
            if let Some(prefilter) = &self.prefilter {
                let rest = Span { start, end: input.end() };
                match prefilter.find(input.haystack(), rest) {
                    Some(found) if found.start <= end => start = found.start,
                    _ => break,
                }
            }
            let attempt = input.clone().span(start..end).anchored(Anchored::Yes).earliest(true);
            if self.dfa.try_search_fwd(cache, &attempt).map_err(|_| ())?.is_some() {
                return Ok(Some((start, end)));
            }
            start += 1;
        }
        debug_assert!(false, "a match that ends at {end} starts somewhere before");
        Err(())
    }

    /// The match of `input` by a capture engine: the bounded backtracker when the span is short
    /// enough for it, else the PikeVM.
    fn capture(&self, input: &Input<'_>, slots: &mut [Option<NonMaxUsize>]) -> Option<PatternID> {
        SCRATCH.with(|scratch| {
            let scratch = &mut *scratch.borrow_mut();
            if input.get_span().len() <= self.backtrack.max_haystack_len() {
                let cache = scratch.backtrack.get_or_insert_with(|| self.backtrack.create_cache());
                cache.reset(&self.backtrack);
                if let Ok(found) = self.backtrack.try_search_slots(cache, input, slots) {
                    return found;
                }
            }
            let cache = scratch.pikevm.get_or_insert_with(|| self.pikevm.create_cache());
            cache.reset(&self.pikevm);
            self.pikevm.search_slots(cache, input, slots)
        })
    }
}

fn pool(dfa: &DFA) -> Pool<Cache, CacheFn> {
    let dfa = dfa.clone();
    Pool::new(Box::new(move || dfa.create_cache()))
}

impl Clone for Forward {
    fn clone(&self) -> Forward {
        Forward {
            dfa: self.dfa.clone(),
            caches: pool(&self.dfa),
            prefilter: self.prefilter.clone(),
            backtrack: self.backtrack.clone(),
            pikevm: self.pikevm.clone(),
        }
    }
}

impl fmt::Debug for Forward {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forward").field("states", &self.pikevm.get_nfa().states().len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex_automata::meta;

    /// Patterns shaped like relation rules: slots as groups, optional parts and bounded gaps
    /// before and between them, alternations preferring the first branch, look-arounds, empty
    /// matches.
    const PATTERNS: &[&str] = &[
        r"(?P<subject><[ab]>)(?: \(<[ab]>\))?(?:,[^,.<>]{0,12},)? (?:and|et|with) (?P<object><[ab]>)",
        r"(?:(?P<date><d>),? [^.<>]{0,10}?)?(?P<subject><a>)(?:(?:, | et )<a>)* (?:invests?|buys?) (?:in )?(?P<object><[ab]>)",
        r"(?i:la|le) (?:start-up|société)(?: [a-z]+){0,2} (?P<object><b>)",
        r"(?-u:\b)(?:x|xy|xyz)(?-u:\b)",
        r"(?P<a>a+?)(?P<b>a*)b?",
        r"a*",
        r"(?:)",
        r"^<a>|<b>$",
        r"(?:ab|a)(?:bc|b)?c",
    ];

    fn engines(pattern: &str, capacity: usize) -> (Forward, meta::Regex) {
        let hir = regex_syntax::parse(pattern).unwrap();
        let forward = Forward::new(&hir, None, capacity).unwrap();
        let meta = meta::Builder::new()
            .configure(meta::Config::new().utf8_empty(false))
            .build_from_hir(&hir)
            .unwrap();
        (forward, meta)
    }

    type Search<'a> = &'a dyn Fn(&Input<'_>, &mut [Option<NonMaxUsize>]) -> Option<PatternID>;

    /// Every match of `text` from `from` on, as `Matches` walks them, with `slots` slots each.
    fn walk(search: Search<'_>, text: &[u8], from: usize, slots: usize) -> Vec<Vec<Option<usize>>> {
        let (mut at, mut last_end, mut all) = (from, None, Vec::new());
        let mut row = vec![None; slots];
        while at <= text.len() {
            if search(&Input::new(text).span(at..text.len()), &mut row).is_none() {
                break;
            }
            let (start, end) = (row[0].unwrap().get(), row[1].unwrap().get());
            if start == end && last_end == Some(end) {
                at += 1;
                continue;
            }
            (at, last_end) = (end, Some(end));
            all.push(row.iter().map(|s| s.map(|s| s.get())).collect());
        }
        all
    }

    fn same_as_meta(forward: &Forward, meta: &meta::Regex, text: &[u8], from: usize) {
        let info = meta.group_info();
        for slots in [info.implicit_slot_len(), info.slot_len()] {
            let ours = walk(&|i, s| forward.search_slots(i, s), text, from, slots);
            let theirs = walk(&|i, s| meta.search_slots(i, s), text, from, slots);
            assert_eq!(ours, theirs, "{:?} from {from}", String::from_utf8_lossy(text));
        }
    }

    fn texts() -> impl Strategy<Value = Vec<u8>> {
        let words = prop::sample::select(vec![
            "<a>",
            "<b>",
            "<d>",
            " ",
            ", ",
            " et ",
            " and ",
            " with ",
            "invest",
            "s",
            " in ",
            "buys",
            "La",
            "la",
            "le",
            " start-up",
            " société",
            "x",
            "xy",
            "xyz",
            "a",
            "b",
            "c",
            "(",
            ")",
            ".",
            "mardi",
        ]);
        prop::collection::vec(words, 0..24).prop_map(|w| w.concat().into_bytes())
    }

    proptest! {
        #[test]
        fn matches_and_groups_are_the_meta_regex_s(text in texts(), from in 0usize..8) {
            for pattern in PATTERNS {
                let (forward, meta) = engines(pattern, 2 << 20);
                same_as_meta(&forward, &meta, &text, from.min(text.len()));
            }
        }
    }

    #[test]
    fn a_lazy_dfa_that_gives_up_leaves_the_search_to_the_capture_engines() {
        // a cache that holds a few states only, over a text whose every byte makes a new one (the
        // last 20 bytes are the state): the lazy DFA clears it again and again, gives up, and the
        // capture engines find the matches
        let pattern = r"(?P<x>a[ab]{20})c";
        let (forward, meta) = engines(pattern, 20_000);
        let mut cache = forward.dfa.create_cache();
        let mut seed = 1u32;
        let mut text: Vec<u8> = (0..20_000)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                [b'a', b'b'][(seed >> 16) as usize % 2]
            })
            .collect();
        text.extend_from_slice(b"aaaaaaaaaaaaaaaaaaaaac");
        assert!(forward.dfa.try_search_fwd(&mut cache, &Input::new(&text)).is_err());
        same_as_meta(&forward, &meta, &text, 0);
    }

    #[test]
    fn spans_longer_than_the_backtracker_reads_go_to_the_pikevm() {
        let pattern = r"(?P<x>a[^z]{0,300}[^y]*b)";
        let (forward, meta) = engines(pattern, 2 << 20);
        let text = [b"a".as_slice(), &[b'c'; 100_000], b"b"].concat();
        assert!(text.len() > forward.backtrack.max_haystack_len());
        same_as_meta(&forward, &meta, &text, 0);
    }
}
