//! The buffers that extraction reuses from one sentence and one batch to the next, and the
//! clocks of a profile. They live in one [`Scratch`] that the caller hands from batch to batch, so
//! that once they have grown a sentence that yields nothing costs no allocation; the clocks are
//! read only in a [`Scratch::profiled`], so a plain run reads none, and either way the
//! extractions are the same.

use std::time::{Duration, Instant};

use super::sheet::Sheet;
use crate::normalize::Folded;
use crate::rules::bytes::ByteText;
use crate::rules::matcher::Slots;
use crate::rules::prefilter::Found;

/// What one pattern cost over the batches a [`Scratch::profiled`] served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternCost {
    /// Sentences the pattern ran on: those of its language that its prefilter let through.
    pub sentences: usize,
    /// Bytes of those sentences, as the pattern read them (masked, folded when it folds).
    pub bytes: usize,
    /// Matches its regex found, before the stage kept or dropped them (in a sentence read again
    /// with groups, those of the second reading).
    pub matches: usize,
    /// Time spent searching and reading its matches.
    pub time: Duration,
}

/// Where extraction spent its time, kept by a [`Scratch::profiled`]: per stage, and per pattern
/// (stage 1's money then date patterns, by index in [`RulePack::money_patterns`] then
/// [`RulePack::date_patterns`]; stage 2's and 3's by index in [`RulePack::entity_patterns`] and
/// [`RulePack::relation_rules`]). Times are those of the thread that used the scratch.
///
/// [`RulePack::money_patterns`]: crate::rules::RulePack::money_patterns
/// [`RulePack::date_patterns`]: crate::rules::RulePack::date_patterns
/// [`RulePack::entity_patterns`]: crate::rules::RulePack::entity_patterns
/// [`RulePack::relation_rules`]: crate::rules::RulePack::relation_rules
#[derive(Debug, Clone, Default)]
pub struct Costs {
    pub documents: usize,
    pub sentences: usize,
    /// Bytes of the documents' texts as read.
    pub bytes: usize,
    /// Language, normalization and sentences.
    pub prepare: Duration,
    /// Stage 1: gazetteer names, demonyms, money, dates.
    pub lexical: Duration,
    /// Stage 2, with the masking and prefilter scans of its sentences.
    pub entities: Duration,
    /// Of stage 2: masking its sentences and scanning them for the prefilter's literals.
    pub entity_sheet: Duration,
    /// Stage 3, with the masking and prefilter scans of its sentences.
    pub relations: Duration,
    /// Of stage 3: masking its sentences and scanning them for the prefilter's literals.
    pub relation_sheet: Duration,
    /// Everything else of [`extract_batch_with`] (types, antecedents, acronyms, spans).
    ///
    /// [`extract_batch_with`]: super::extract_batch_with
    pub other: Duration,
    /// Stage 1's money patterns, then its date patterns.
    pub lexical_patterns: Vec<PatternCost>,
    pub entity_patterns: Vec<PatternCost>,
    pub relation_rules: Vec<PatternCost>,
}

impl Costs {
    /// Adds the run of pattern `i` over a batch, started at `started`, to the group `pick`
    /// chooses, when a profile is kept.
    pub(super) fn add(
        costs: Option<&mut Costs>,
        pick: fn(&mut Costs) -> &mut Vec<PatternCost>,
        i: usize,
        started: Option<Instant>,
        run: &PatternCost,
    ) {
        let (Some(costs), Some(started)) = (costs, started) else { return };
        let group = pick(costs);
        if group.len() <= i {
            group.resize(i + 1, PatternCost::default());
        }
        let c = &mut group[i];
        c.sentences += run.sentences;
        c.bytes += run.bytes;
        c.matches += run.matches;
        c.time += started.elapsed();
    }
}

/// Buffers reused from one sentence to the next, and from one batch to the next when the caller
/// keeps them ([`extract_batch_with`]): once they have grown, a sentence that yields nothing
/// costs no allocation (`tests/alloc.rs`).
///
/// [`extract_batch_with`]: super::extract_batch_with
#[derive(Default)]
pub struct Scratch {
    /// What each stage and pattern cost, when asked for ([`Scratch::profiled`]).
    pub(super) costs: Option<Box<Costs>>,
    pub(super) money_and_dates: Found,
    /// What stage 2's and stage 3's scans found, per prefilter (by the number that
    /// [`Prefilters::for_language`](crate::rules::Prefilters::for_language) gives it).
    pub(super) entity: Vec<Found>,
    pub(super) relation: Vec<Found>,
    /// The folded copy of the sentence being read by stage 1.
    pub(super) folded: Folded,
    /// The sentence being read by stage 1 as one byte per character.
    pub(super) bytes: ByteText,
    /// The views of stage 2's sentences, then of stage 3's.
    pub(super) sheet: Sheet,
    /// Where searches write groups.
    pub(super) slots: Slots,
    /// The spans of the `name` groups of an entity pattern's matches in one sentence (`None`: the
    /// match has none).
    pub(super) names: Vec<Option<(usize, usize)>>,
    /// The placeholders of a relation match, with their codes, when its slots are read by
    /// position ([`crate::rules::slots`]).
    pub(super) within: Vec<(usize, char)>,
    /// Read every relation rule's slots and every entity pattern's name from the groups, as if
    /// no rule had a layout nor any pattern bounds (for tests that compare both ways).
    pub(super) by_groups: bool,
    /// A word folded.
    pub(super) word: String,
}

impl Scratch {
    /// A scratch that also keeps what each stage and pattern cost ([`Costs`]): a few clock
    /// readings per pattern and batch, and one per run of a money or date pattern (those run
    /// only where their prefilter let a sentence through). The extractions are the same.
    pub fn profiled() -> Scratch {
        Scratch { costs: Some(Box::default()), ..Scratch::default() }
    }

    /// What the batches extracted with this scratch cost, if it is [`Scratch::profiled`].
    pub fn costs(&self) -> Option<&Costs> {
        self.costs.as_deref()
    }

    /// The clock, when a profile is kept.
    pub(super) fn clock(&self) -> Option<Instant> {
        self.costs.is_some().then(Instant::now)
    }

    /// Adds the time since `started` to the stage `field` picks, and starts the next stage.
    pub(super) fn lap(
        &mut self,
        started: Option<Instant>,
        field: impl FnOnce(&mut Costs) -> &mut Duration,
    ) -> Option<Instant> {
        let (Some(costs), Some(started)) = (self.costs.as_deref_mut(), started) else {
            return None;
        };
        let now = Instant::now();
        *field(costs) += now - started;
        Some(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{extract_batch, extract_batch_with};
    use crate::graph::DocumentInfo;
    use crate::input::Document;

    #[test]
    fn a_profile_counts_what_each_pattern_did_and_changes_nothing() {
        let rules = crate::rules::bundled();
        let text = "Le fournisseur Quantum Brilliance GmbH livre. La société Exosens SAS, basée \
                    à Brive, recrute. Il pleut le 5 mars 2025.";
        let document = Document {
            info: DocumentInfo { id: "d".into(), title: None, url: None, date: None },
            text: text.to_string(),
            source: "d.txt".into(),
            lang: Some("fr".into()),
        };
        let plain = extract_batch(vec![document.clone()], &rules);
        let mut scratch = Scratch::profiled();
        assert!(Scratch::default().costs().is_none());
        for _ in 0..2 {
            let profiled = extract_batch_with(vec![document.clone()], &rules, &mut scratch);
            assert_eq!(format!("{profiled:?}"), format!("{plain:?}"));
        }
        let costs = scratch.costs().expect("profiled");
        assert_eq!((costs.documents, costs.bytes, costs.sentences), (2, 2 * text.len(), 6));
        let legal = rules.entity_patterns.iter().position(|p| p.id == "org.legal-form").unwrap();
        let cost = &costs.entity_patterns[legal];
        // the two names with a legal form, in each of the two runs; the sentences its
        // prefilter let through are the two with one, and maybe the third
        assert_eq!(cost.matches, 4);
        assert!((4..=6).contains(&cost.sentences), "{cost:?}");
        assert!(cost.bytes >= 2 * "Le fournisseur Quantum Brilliance GmbH livre.".len());
        assert!(costs.relation_rules.iter().all(|c| c.matches <= c.sentences * 4));
        // stage 1: the date, once in each run; the money patterns find nothing, though
        // "livre" (a currency word) lets the first sentence through their prefilter (and "mars"
        // the date's, to the pattern of codes before the number, which reads "Rs")
        let date = rules.date_patterns.iter().position(|p| p.id == "date.day-month-year");
        let date = &costs.lexical_patterns[rules.money_patterns.len() + date.unwrap()];
        assert_eq!((date.matches, date.sentences), (2, 2), "{date:?}");
        assert_eq!(date.bytes, 2 * "Il pleut le 5 mars 2025.".len());
        let money = &costs.lexical_patterns[..rules.money_patterns.len()];
        let first = "Le fournisseur Quantum Brilliance GmbH livre.".len();
        let codes = rules.money_patterns.iter().position(|p| p.id == "money.code-number-scale");
        let mut words = money.iter().enumerate().filter(|&(i, _)| Some(i) != codes);
        assert!(money.iter().all(|c| c.matches == 0), "{money:?}");
        assert!(words.all(|(_, c)| c.bytes <= 2 * first), "{money:?}");
        assert!(money.iter().any(|c| c.sentences == 2), "{money:?}");
        let stages = costs.prepare + costs.lexical + costs.entities + costs.relations;
        assert!(cost.time > Duration::ZERO && stages >= cost.time);
        // stages 2 and 3 each spent some time masking and scanning, apart from the searches
        let searches = |c: &[PatternCost]| c.iter().map(|p| p.time).sum::<Duration>();
        assert!(date.time > Duration::ZERO && searches(&costs.lexical_patterns) <= costs.lexical);
        let entity = (costs.entity_sheet, searches(&costs.entity_patterns), costs.entities);
        let relation = (costs.relation_sheet, searches(&costs.relation_rules), costs.relations);
        for (sheet, searches, stage) in [entity, relation] {
            assert!(sheet > Duration::ZERO && sheet + searches <= stage, "{costs:?}");
        }
    }
}
