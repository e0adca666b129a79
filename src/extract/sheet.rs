//! What stages 2 and 3 read: a batch's sentences end to end in a few buffers, masked, folded
//! where a pattern reads the folded copy and, when the pack reads bytes, mapped to them, with
//! which patterns run on each. Both stages run one pattern over every sentence of the batch before
//! the next, so each sentence is masked, scanned by the prefilter and mapped once for all the
//! patterns of its stage, and its views wait in the sheet for the patterns that read them.

use super::masked::{MaskItem, Masked, MaskedSheet, MaskedSpan};
use crate::normalize::{FoldedSheet, FoldedSpan, MapRef};
use crate::rules::applies_to;
use crate::rules::bytes::{ByteAlphabet, ByteRow, ByteText};
use crate::rules::matcher::{Haystack, Matcher};
use crate::rules::prefilter::{Found, Prefilter};
use crate::sentence::SentenceSpan;

/// The sentences of a batch as a stage's pattern group reads them, end to end in a few buffers
/// that serve batch after batch ([`Scratch`]): each masked, folded when some pattern of the group
/// reads the folded copy, with which patterns of the group run on it — those that apply to the
/// document's language and whose prefilter passes. One scan serves them all: of the folded copy
/// when there is one ([`Prefilter::scan_folded`]), else of the masked text.
///
/// [`Scratch`]: super::Scratch
#[derive(Default)]
pub(super) struct Sheet {
    masked: MaskedSheet,
    folded: FoldedSheet,
    /// The masked texts and folded copies as one byte per character of the pack's alphabet.
    bytes: ByteText,
    /// Per pattern of the group, the numbers of the sentences it runs on, in the order they were
    /// pushed: a pattern's pass over the sheet visits those alone, instead of asking every
    /// sentence whether it runs (a sentence runs a few of the hundreds of relation rules).
    running: Vec<Vec<u32>>,
    /// How many sentences the sheet holds.
    count: u32,
}

/// Where one sentence's views are in the [`Sheet`].
#[derive(Clone, Copy)]
pub(super) struct View {
    masked: MaskedSpan,
    /// The folded copy, when some pattern of the group reads it.
    folded: Option<FoldedSpan>,
    /// Where the first character that an alphabet may replace starts, in the masked text and in
    /// the folded copy ([`Haystack`]): scanned once for all the patterns, or not at all when the
    /// pack has an alphabet of bytes (a pattern that keeps UTF-8 then scans for itself).
    maybe_mapped: Option<(Option<usize>, Option<usize>)>,
    /// The masked text and the folded copy as one byte per character, when the pack has an
    /// alphabet of bytes: mapped once for all the patterns.
    bytes: (Option<ByteRow>, Option<ByteRow>),
}

/// What a stage's sentences have in common in a document: the prefilter of its pattern group,
/// per pattern whether it applies to the document's language and whether it reads the folded
/// copy (known per document, not per sentence), and whether one of them reads it.
pub(super) struct Group<'a> {
    prefilter: &'a Prefilter,
    /// The patterns that apply, each with whether it reads the folded copy.
    applying: Vec<(u32, bool)>,
    pub(super) any_folds: bool,
    alphabet: Option<&'a ByteAlphabet>,
}

impl<'a> Group<'a> {
    /// The group of the `patterns` (each with its language and whether it reads the folded copy)
    /// that apply to documents in `lang`, scanned with `prefilter`; it reads the folded copy
    /// where one of them does.
    pub(super) fn new<'p>(
        prefilter: &'a Prefilter,
        patterns: impl Iterator<Item = (&'p str, bool)>,
        lang: Option<&str>,
        alphabet: Option<&'a ByteAlphabet>,
    ) -> Group<'a> {
        let applying: Vec<(u32, bool)> = (patterns.enumerate())
            .filter(|&(_, (pattern_lang, _))| applies_to(pattern_lang, lang))
            .map(|(i, (_, fold))| (u32::try_from(i).expect("fewer than 2^32 patterns"), fold))
            .collect();
        let any_folds = applying.iter().any(|&(_, fold)| fold);
        Group { prefilter, applying, any_folds, alphabet }
    }

    /// The group without its patterns that read the folded copy: for a sentence where none of
    /// them may match, which is then not folded.
    pub(super) fn unfolded(&self) -> Group<'a> {
        let applying = self.applying.iter().copied().filter(|&(_, fold)| !fold).collect();
        Group { applying, any_folds: false, ..*self }
    }
}

/// A stage's groups for a batch of documents: one per language of theirs, in the order first
/// met, each with the number of its language's prefilter (`prefilter_of`, as
/// [`Prefilters::for_language`](crate::rules::Prefilters::for_language) gives them) under which
/// `finds` keeps what its scans found; and for each document the index of its language's group.
/// What depends on a document's language alone is so worked out once per language of the batch.
pub(super) fn language_groups<'a, 'p>(
    langs: impl Iterator<Item = Option<&'a str>>,
    patterns: impl Iterator<Item = (&'p str, bool)> + Clone,
    prefilter_of: impl Fn(Option<&str>) -> (usize, &'a Prefilter),
    alphabet: Option<&'a ByteAlphabet>,
    finds: &mut Vec<Found>,
) -> (Vec<(usize, Group<'a>)>, Vec<usize>) {
    let mut distinct: Vec<Option<&str>> = Vec::new();
    let lang_of = langs
        .map(|lang| match distinct.iter().position(|&l| l == lang) {
            Some(k) => k,
            None => {
                distinct.push(lang);
                distinct.len() - 1
            }
        })
        .collect();
    let groups: Vec<(usize, Group<'a>)> = (distinct.iter())
        .map(|&lang| {
            let (number, prefilter) = prefilter_of(lang);
            (number, Group::new(prefilter, patterns.clone(), lang, alphabet))
        })
        .collect();
    let most = groups.iter().map(|&(number, _)| number + 1).max().unwrap_or(0);
    if finds.len() < most {
        finds.resize_with(most, Found::default);
    }
    (groups, lang_of)
}

impl Sheet {
    pub(super) fn clear(&mut self) {
        self.masked.clear();
        self.folded.clear();
        self.bytes.clear();
        self.running.iter_mut().for_each(Vec::clear);
        self.count = 0;
    }

    /// Adds the sentence `span` of `text` with `items` masked, and finds which patterns of
    /// `group` run on it. Its number in [`Sheet::running`] is the number of sentences pushed
    /// before it since the sheet was cleared.
    pub(super) fn push(
        &mut self,
        text: &str,
        span: SentenceSpan,
        items: impl IntoIterator<Item = MaskItem>,
        group: &Group<'_>,
        found: &mut Found,
    ) -> View {
        let masked_span = self.masked.push(text, span.start, span.end, items);
        let masked = self.masked.get(masked_span).text;
        let folded_span = group.any_folds.then(|| self.folded.push(masked));
        let folded = folded_span.map(|f| self.folded.get(f).0);
        match folded {
            Some(folded) => group.prefilter.scan_folded(folded, found),
            None => group.prefilter.scan(masked, found),
        }
        let number = self.count;
        self.count += 1;
        let running = &mut self.running;
        let count = group.applying.last().map_or(0, |&(i, _)| i as usize + 1);
        running.resize_with(running.len().max(count), Vec::new);
        // whether a pattern that runs reads the masked text, and one the folded copy
        let mut reads = [false; 2];
        for &(i, fold) in &group.applying {
            if group.prefilter.may_match(i as usize, found) {
                running[i as usize].push(number);
                reads[usize::from(fold)] = true;
            }
        }
        let maybe_mapped = group.alphabet.is_none().then(|| {
            (
                Haystack::new(masked).maybe_mapped(),
                folded.and_then(|f| Haystack::new(f).maybe_mapped()),
            )
        });
        // mapped only for the patterns that run on the sentence
        let bytes = match group.alphabet {
            Some(a) => (
                reads[0].then(|| a.map_into(masked, &mut self.bytes)),
                folded.filter(|_| reads[1]).map(|f| a.map_into(f, &mut self.bytes)),
            ),
            None => (None, None),
        };
        View { masked: masked_span, folded: folded_span, maybe_mapped, bytes }
    }

    /// The numbers of the sentences pattern `i` of the group runs on, in the order they were
    /// pushed ([`Sheet::push`]).
    pub(super) fn running(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.running.get(i).into_iter().flatten().map(|&n| n as usize)
    }

    /// Whether pattern `i` of the group runs on some sentence of the sheet.
    pub(super) fn runs_somewhere(&self, i: usize) -> bool {
        self.running.get(i).is_some_and(|n| !n.is_empty())
    }

    pub(super) fn masked(&self, view: &View) -> Masked<'_> {
        self.masked.get(view.masked)
    }

    /// What a pattern with `fold` reads, with its bytes when they were mapped with `alphabet`,
    /// and the map back to the masked text when it is the folded copy.
    pub(super) fn haystack<'a>(
        &'a self,
        view: &View,
        fold: bool,
        alphabet: Option<&'a ByteAlphabet>,
    ) -> (Haystack<'a>, Option<MapRef<'a>>) {
        let haystack = |text, scanned: Option<Option<usize>>| match scanned {
            Some(maybe_mapped) => Haystack::scanned(text, maybe_mapped),
            None => Haystack::unscanned(text),
        };
        let (haystack, bytes, map) = match view.folded {
            Some(f) if fold => {
                let (text, map) = self.folded.get(f);
                (haystack(text, view.maybe_mapped.map(|m| m.1)), view.bytes.1, Some(map))
            }
            _ => {
                let text = self.masked(view).text;
                (haystack(text, view.maybe_mapped.map(|m| m.0)), view.bytes.0, None)
            }
        };
        match (bytes, alphabet) {
            (Some(row), Some(a)) => (haystack.with_bytes(self.bytes.get(row), a), map),
            _ => (haystack, map),
        }
    }
}

/// Builds the automata of the patterns of a stage that are not built yet and that `runs` on
/// some sentence of the batch, in parallel on the rayon pool and side by side with other threads
/// doing the same for their batches ([`Matcher::build_unless_claimed`]), before the stage runs
/// them. On first use they were built one at a time: threads starting their first batches ran
/// the patterns in the same order, and each waited for the other to build the one it needed.
///
/// `regex` gives a pattern's [`Matcher`], and `build` builds it unless it is claimed
/// ([`Matcher::build_unless_claimed`], or what a pattern builds with its automata:
/// [`RelationRule::build_unless_claimed`](crate::rules::RelationRule::build_unless_claimed)).
pub(super) fn build_running<'r, P: Sync + 'r>(
    patterns: impl Iterator<Item = &'r P>,
    runs: impl Fn(usize) -> bool,
    regex: impl Fn(&P) -> &Matcher,
    build: impl Fn(&P) + Sync + Send,
) {
    use rayon::prelude::*;
    let unbuilt: Vec<&P> = (patterns.enumerate())
        .filter(|(i, p)| !regex(p).is_built() && runs(*i))
        .map(|(_, p)| p)
        .collect();
    if !unbuilt.is_empty() {
        unbuilt.par_iter().with_max_len(1).for_each(|p| build(p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patterns_that_run_are_built_and_a_claim_is_taken_once() {
        let patterns: Vec<Matcher> =
            ["a+", "b", "(?i)c[0-9]{0,40}", "d"].iter().map(|p| Matcher::new(p).unwrap()).collect();
        // two threads prepare the same stage at once: the patterns that run are built, the other
        // is not
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    build_running(patterns.iter(), |i| i != 1, |m| m, Matcher::build_unless_claimed)
                });
            }
        });
        let built: Vec<bool> = patterns.iter().map(Matcher::is_built).collect();
        assert_eq!(built, [true, false, true, true]);
        let claim = crate::rules::Claim::default();
        let taken = std::thread::scope(|scope| {
            let takers: Vec<_> = (0..4).map(|_| scope.spawn(|| claim.take())).collect();
            takers.into_iter().map(|t| t.join().unwrap()).filter(|&t| t).count()
        });
        assert_eq!(taken, 1);
    }
}
