//! Extraction: one document in, mentions and relation matches out — a pure function of
//! (document, rules), which is what makes parallel runs and shards exact.
//!
//! A sentence goes through three stages, each over the text the previous one masked:
//! 1. lexical: gazetteer names, demonyms (one Aho-Corasick pass over folded text) and money;
//! 2. entity patterns, by priority; a pattern's name may absorb lexical mentions
//!    ("Université technique de ⟨place⟩", the place masked);
//! 3. relation rules over the fully masked sentence, with typed slots.
//!
//! Between 2 and 3, an untyped proper name takes the type a pattern gave the same name elsewhere
//! in the document. Extraction never fails: a document with nothing recognisable yields nothing.
//!
//! Documents are extracted in batches ([`extract_batch`]): stages 2 and 3 run each pattern over
//! the sentences of every document of the batch before the next pattern, which keeps one
//! automaton at a time in the processor's caches. Each document still gets exactly what it gets
//! alone.

mod abbrev;
pub mod masked;
pub mod money;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use crate::graph::{Amount, DocumentInfo};
use crate::input::Document;
use crate::normalize::{
    fold_into, fold_str, fold_str_into, normalize, Folded, FoldedSheet, FoldedSpan, MapRef,
    NormalizedText,
};
use crate::rules::bounds::NameBounds;
use crate::rules::bytes::{ByteAlphabet, ByteRow, ByteText};
use crate::rules::matcher::{Haystack, Matcher, Slots};
use crate::rules::pattern::{Slot, SlotRole, TypeCodes};
use crate::rules::prefilter::{Found, Prefilter};
use crate::rules::slots::SlotLayout;
use crate::rules::{applies_to, Antecedent, FoldGate, LexicalTarget, RulePack};
use crate::sentence::{split_sentences, SentenceSpan};
use masked::{MaskItem, Masked, MaskedSheet, MaskedSpan};

/// Where a mention comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MentionSource {
    /// A name or alias of gazetteer entry `entry`.
    Gazetteer { entry: usize },
    /// A demonym of the place in gazetteer entry `place`.
    Demonym { place: usize },
    /// An amount of money read by a money pattern.
    Money { amount: Amount, pattern: String },
    /// A date read by a date pattern: ISO 8601 `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Date { value: String, pattern: String },
    /// An entity pattern.
    Pattern { pattern: String },
    /// The long form of an abbreviation defined in the text ("Caisse de dépôt et de gestion
    /// (CDG)", found by the `abbrev` module).
    Abbreviation,
}

impl MentionSource {
    /// Id of what found the mention, for `explain`.
    pub fn rule_id(&self) -> &str {
        match self {
            MentionSource::Gazetteer { .. } => "gazetteer",
            MentionSource::Demonym { .. } => "demonym",
            MentionSource::Abbreviation => "abbreviation",
            MentionSource::Money { pattern, .. }
            | MentionSource::Date { pattern, .. }
            | MentionSource::Pattern { pattern } => pattern,
        }
    }
}

/// An entity mention (or a demonym, or an amount).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Span in the normalized text.
    pub start: usize,
    pub end: usize,
    /// Span in the original text.
    pub original_start: usize,
    pub original_end: usize,
    /// Index of the sentence.
    pub sentence: usize,
    /// The normalized surface form.
    pub text: String,
    /// A declared entity type, or `Name`, `Demonym`, `Money`.
    pub mention_type: String,
    pub source: MentionSource,
    /// The mention this one names again: for a definite description ("le centre de calcul") the
    /// entity it refers back to, for an acronym ("UE") the full name it was introduced with.
    pub refers_to: Option<usize>,
    /// A definite description, not a name: it adds no alias to its entity.
    pub description: bool,
}

/// A relation rule match, expanded to the pairs it states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationMatch {
    pub rule: String,
    pub relation: String,
    /// (subject mention, object mention) pairs.
    pub pairs: Vec<(usize, usize)>,
    /// The amount mention, if the rule has an amount slot and it matched.
    pub amount: Option<usize>,
    /// The date mention, if the rule has a date slot and it matched.
    pub date: Option<usize>,
    /// The type each bound mention takes (a `Name` takes its slot's type, a demonym `Place`).
    pub bound_types: Vec<(usize, String)>,
    pub sentence: usize,
    /// Span of the whole match in the original text.
    pub original_start: usize,
    pub original_end: usize,
}

/// A sentence with its spans in both texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub original_start: usize,
    pub original_end: usize,
}

/// Everything extracted from one document.
#[derive(Debug, Clone)]
pub struct Extraction {
    pub document: DocumentInfo,
    /// The document's language: given by the input, or detected (`fr`, `en`).
    pub lang: Option<String>,
    /// The original text (evidence quotes sentences from it).
    pub original: String,
    pub normalized: NormalizedText,
    pub sentences: Vec<Sentence>,
    /// Sorted by start; non-overlapping.
    pub mentions: Vec<Mention>,
    pub relations: Vec<RelationMatch>,
}

impl Extraction {
    /// The original text of sentence `i`.
    pub fn sentence_text(&self, i: usize) -> &str {
        let s = &self.sentences[i];
        &self.original[s.original_start..s.original_end]
    }
}

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
    pub other: Duration,
    /// Stage 1's money patterns, then its date patterns.
    pub lexical_patterns: Vec<PatternCost>,
    pub entity_patterns: Vec<PatternCost>,
    pub relation_rules: Vec<PatternCost>,
}

impl Costs {
    /// Adds the run of pattern `i` over a batch, started at `started`, to the group `pick`
    /// chooses, when a profile is kept.
    fn add(
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
#[derive(Default)]
pub struct Scratch {
    /// What each stage and pattern cost, when asked for ([`Scratch::profiled`]).
    costs: Option<Box<Costs>>,
    money_and_dates: Found,
    entity: Found,
    relation: Found,
    /// The folded copy of the sentence being read by stage 1.
    folded: Folded,
    /// The sentence being read by stage 1 as one byte per character.
    bytes: ByteText,
    /// The views of stage 2's sentences, then of stage 3's.
    sheet: Sheet,
    /// Where searches write groups.
    slots: Slots,
    /// The spans of the `name` groups of an entity pattern's matches in one sentence (`None`: the
    /// match has none).
    names: Vec<Option<(usize, usize)>>,
    /// The placeholders of a relation match, with their codes, when its slots are read by
    /// position ([`crate::rules::slots`]).
    within: Vec<(usize, char)>,
    /// Read every relation rule's slots and every entity pattern's name from the groups, as if
    /// no rule had a layout nor any pattern bounds (for tests that compare both ways).
    by_groups: bool,
    /// A word folded.
    word: String,
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
    fn clock(&self) -> Option<Instant> {
        self.costs.is_some().then(Instant::now)
    }

    /// Adds the time since `started` to the stage `field` picks, and starts the next stage.
    fn lap(
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

/// The sentences of a batch as a stage's pattern group reads them, end to end in a few buffers
/// that serve batch after batch ([`Scratch`]): each masked, folded when some pattern of the group
/// reads the folded copy, with which patterns of the group run on it — those that apply to the
/// document's language and whose prefilter passes. One scan serves them all: of the folded copy
/// when there is one ([`Prefilter::scan_folded`]), else of the masked text.
#[derive(Default)]
struct Sheet {
    masked: MaskedSheet,
    folded: FoldedSheet,
    /// The masked texts and folded copies as one byte per character of the pack's alphabet.
    bytes: ByteText,
    /// Per sentence, per pattern of the group, whether it runs on the sentence.
    runs: Vec<bool>,
    /// Per pattern of the group, whether it runs on some sentence.
    runs_somewhere: Vec<bool>,
}

/// Where one sentence's views are in the [`Sheet`].
#[derive(Clone, Copy)]
struct View {
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
    /// Where the sentence's row starts in [`Sheet::runs`].
    runs: usize,
}

/// What a stage's sentences have in common in a document: the prefilter of its pattern group,
/// per pattern whether it applies to the document's language and whether it reads the folded
/// copy (known per document, not per sentence), and whether one of them reads it.
struct Group<'a> {
    prefilter: &'a Prefilter,
    patterns: &'a [(bool, bool)],
    any_folds: bool,
    alphabet: Option<&'a ByteAlphabet>,
}

impl Sheet {
    fn clear(&mut self) {
        self.masked.clear();
        self.folded.clear();
        self.bytes.clear();
        self.runs.clear();
        self.runs_somewhere.clear();
    }

    /// Adds the sentence `span` of `text` with `items` masked, and finds which patterns of
    /// `group` run on it.
    fn push(
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
        let runs = self.runs.len();
        self.runs.extend(
            group
                .patterns
                .iter()
                .enumerate()
                .map(|(i, &(applies, _))| applies && group.prefilter.may_match(i, found)),
        );
        let somewhere = &mut self.runs_somewhere;
        somewhere.resize(somewhere.len().max(group.patterns.len()), false);
        somewhere.iter_mut().zip(&self.runs[runs..]).for_each(|(any, &run)| *any |= run);
        let maybe_mapped = group.alphabet.is_none().then(|| {
            (
                Haystack::new(masked).maybe_mapped(),
                folded.and_then(|f| Haystack::new(f).maybe_mapped()),
            )
        });
        // mapped only for the patterns that run on the sentence
        let reads = |folds: bool| {
            let runs = self.runs[runs..].iter();
            runs.zip(group.patterns).any(|(&run, &(_, fold))| run && fold == folds)
        };
        let bytes = match group.alphabet {
            Some(a) => (
                reads(false).then(|| a.map_into(masked, &mut self.bytes)),
                folded.filter(|_| reads(true)).map(|f| a.map_into(f, &mut self.bytes)),
            ),
            None => (None, None),
        };
        View { masked: masked_span, folded: folded_span, maybe_mapped, bytes, runs }
    }

    /// Whether pattern `i` of the group runs on the sentence.
    fn runs(&self, view: &View, i: usize) -> bool {
        self.runs[view.runs + i]
    }

    /// Whether pattern `i` of the group runs on some sentence of the sheet.
    fn runs_somewhere(&self, i: usize) -> bool {
        self.runs_somewhere.get(i).copied().unwrap_or(false)
    }

    fn masked(&self, view: &View) -> Masked<'_> {
        self.masked.get(view.masked)
    }

    /// What a pattern with `fold` reads, with its bytes when they were mapped with `alphabet`,
    /// and the map back to the masked text when it is the folded copy.
    fn haystack<'a>(
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

/// A span of what a pattern read (the folded copy when `map` is its map) as a span of the masked
/// sentence.
pub(crate) fn to_masked(map: Option<MapRef<'_>>, start: usize, end: usize) -> (usize, usize) {
    map.map_or((start, end), |m| m.span(start, end))
}

/// Per pattern (given by its language and whether it reads the folded text), whether it applies
/// to a document in `lang`, and whether it reads the folded text.
fn applying<'p>(
    patterns: impl Iterator<Item = (&'p str, bool)>,
    lang: Option<&str>,
) -> Vec<(bool, bool)> {
    patterns.map(|(pattern_lang, fold)| (applies_to(pattern_lang, lang), fold)).collect()
}

/// Extracts mentions and relations from `document` with `rules`.
pub fn extract(document: &Document, rules: &RulePack) -> Extraction {
    let mut ex = extract_texts(&[document], rules, &mut Scratch::default())
        .pop()
        .expect("one extraction per document");
    ex.document = document.info.clone();
    ex.original = document.text.clone();
    ex
}

/// [`extract`] over several documents at once, taking them: their texts and infos move into the
/// extractions uncopied. The result is the same as extracting each alone, in the same order; but
/// each pattern runs over the sentences of all the documents before the next pattern starts, so
/// that its automaton stays in the processor's caches over more sentences.
pub fn extract_batch(documents: Vec<Document>, rules: &RulePack) -> Vec<Extraction> {
    extract_batch_with(documents, rules, &mut Scratch::default())
}

/// [`extract_batch`] with buffers kept from an earlier batch: a worker that extracts batch after
/// batch keeps one [`Scratch`], and its sentences cost no allocation once the buffers have grown.
pub fn extract_batch_with(
    documents: Vec<Document>,
    rules: &RulePack,
    scratch: &mut Scratch,
) -> Vec<Extraction> {
    let refs: Vec<&Document> = documents.iter().collect();
    let extractions = extract_texts(&refs, rules, scratch);
    extractions
        .into_iter()
        .zip(documents)
        .map(|(mut ex, document)| {
            ex.document = document.info;
            ex.original = document.text;
            ex
        })
        .collect()
}

/// A document normalized and split into sentences.
struct Prepared {
    lang: Option<String>,
    normalized: NormalizedText,
    spans: Vec<SentenceSpan>,
}

/// Everything but the documents' infos and original texts, which the callers add.
fn extract_texts(
    documents: &[&Document],
    rules: &RulePack,
    scratch: &mut Scratch,
) -> Vec<Extraction> {
    let started = scratch.clock();
    let prepared: Vec<Prepared> = documents
        .iter()
        .map(|document| {
            let lang = document
                .lang
                .clone()
                .or_else(|| crate::lang::detect(&document.text).map(String::from));
            let normalized = normalize(&document.text);
            let spans = split_sentences(&normalized.text);
            Prepared { lang, normalized, spans }
        })
        .collect();
    let started = scratch.lap(started, |c| &mut c.prepare);
    let inner_words: Vec<BTreeSet<&str>> =
        prepared.iter().map(|p| capitalized_inner_words(&p.normalized.text, &p.spans)).collect();
    let mut folds: Vec<Vec<bool>> = Vec::with_capacity(prepared.len());
    let entity_docs = prepared
        .iter()
        .zip(&inner_words)
        .map(|(p, inner_words)| {
            let text = &p.normalized.text;
            let (lexical, sentence_folds) = p
                .spans
                .iter()
                .enumerate()
                .map(|(i, span)| {
                    lexical_mentions(text, *span, i, p.lang.as_deref(), rules, scratch)
                })
                .unzip();
            folds.push(sentence_folds);
            EntityDoc { text, spans: &p.spans, lexical, inner_words, lang: p.lang.as_deref() }
        })
        .collect::<Vec<_>>();
    let started = scratch.lap(started, |c| &mut c.lexical);
    let mut mentions = pattern_mentions(entity_docs, rules, scratch);
    let started = scratch.lap(started, |c| &mut c.entities);
    for (p, mentions) in prepared.iter().zip(&mut mentions) {
        if rules.resolution.abbreviations {
            let not = &rules.resolution.not_abbreviations;
            define_abbreviations(&p.normalized.text, &p.spans, mentions, not);
        }
        propagate_types(mentions);
        resolve_antecedents(&p.normalized.text, mentions, rules);
        link_acronyms(&p.normalized.text, mentions, &rules.resolution.connectors);
        for m in mentions.iter_mut() {
            let (s, e) = p.normalized.map.span(m.start, m.end);
            m.original_start = s;
            m.original_end = e;
        }
    }
    let relation_docs: Vec<RelationDoc<'_>> = prepared
        .iter()
        .zip(&mentions)
        .zip(&folds)
        .map(|((p, mentions), folds)| RelationDoc {
            normalized: &p.normalized,
            spans: &p.spans,
            mentions,
            folds,
            lang: p.lang.as_deref(),
        })
        .collect();
    let started = scratch.lap(started, |c| &mut c.other);
    let relations = relation_matches(&relation_docs, rules, scratch);
    let started = scratch.lap(started, |c| &mut c.relations);
    drop(relation_docs);
    drop(inner_words);
    let extractions: Vec<Extraction> = prepared
        .into_iter()
        .zip(mentions)
        .zip(relations)
        .map(|((p, mentions), relations)| {
            let sentences = p
                .spans
                .iter()
                .map(|s| {
                    let (os, oe) = p.normalized.map.span(s.start, s.end);
                    Sentence { start: s.start, end: s.end, original_start: os, original_end: oe }
                })
                .collect();
            Extraction {
                document: DocumentInfo { id: Box::default(), title: None, url: None, date: None },
                lang: p.lang,
                original: String::new(),
                normalized: p.normalized,
                sentences,
                mentions,
                relations,
            }
        })
        .collect();
    scratch.lap(started, |c| &mut c.other);
    if let Some(costs) = scratch.costs.as_deref_mut() {
        costs.documents += documents.len();
        costs.bytes += documents.iter().map(|d| d.text.len()).sum::<usize>();
        costs.sentences += extractions.iter().map(|e| e.sentences.len()).sum::<usize>();
    }
    extractions
}

/// One stage at a time, for the benchmarks (`benches/stages.rs`): a document prepared up to each
/// stage, and each stage run alone over all its sentences. Not a stable interface.
#[doc(hidden)]
pub mod stages {
    use super::*;

    /// A document normalized and split, with the lexical mentions of each sentence and the
    /// document's final mentions.
    pub struct Prepared {
        pub lang: Option<String>,
        pub normalized: NormalizedText,
        pub spans: Vec<SentenceSpan>,
        pub lexical: Vec<Vec<Mention>>,
        /// Per sentence, whether a relation rule that reads the folded copy may match it.
        pub folds: Vec<bool>,
        pub mentions: Vec<Mention>,
    }

    pub fn prepare(document: &Document, rules: &RulePack) -> Prepared {
        let ex = extract(document, rules);
        let spans = split_sentences(&ex.normalized.text);
        let mut scratch = Scratch::default();
        let (lexical, folds) = spans
            .iter()
            .enumerate()
            .map(|(i, span)| {
                let lang = ex.lang.as_deref();
                lexical_mentions(&ex.normalized.text, *span, i, lang, rules, &mut scratch)
            })
            .unzip();
        let (lang, normalized, mentions) = (ex.lang, ex.normalized, ex.mentions);
        Prepared { lang, normalized, spans, lexical, folds, mentions }
    }

    /// Stage 1 over every sentence; returns the number of mentions.
    pub fn lexical(p: &Prepared, rules: &RulePack) -> usize {
        let mut scratch = Scratch::default();
        let text = &p.normalized.text;
        p.spans
            .iter()
            .enumerate()
            .map(|(i, span)| {
                lexical_mentions(text, *span, i, p.lang.as_deref(), rules, &mut scratch).0.len()
            })
            .sum()
    }

    /// Stage 2 over every sentence (from its lexical mentions); returns the number of mentions.
    pub fn entities(p: &Prepared, rules: &RulePack) -> usize {
        let mut scratch = Scratch::default();
        let text = &p.normalized.text;
        let inner_words = capitalized_inner_words(text, &p.spans);
        let doc = EntityDoc {
            text,
            spans: &p.spans,
            lexical: p.lexical.clone(),
            inner_words: &inner_words,
            lang: p.lang.as_deref(),
        };
        pattern_mentions(vec![doc], rules, &mut scratch).iter().map(Vec::len).sum()
    }

    /// Stage 3 over every sentence with two mentions or more; returns the number of matches.
    pub fn relations(p: &Prepared, rules: &RulePack) -> usize {
        let mut scratch = Scratch::default();
        let doc = RelationDoc {
            normalized: &p.normalized,
            spans: &p.spans,
            mentions: &p.mentions,
            folds: &p.folds,
            lang: p.lang.as_deref(),
        };
        relation_matches(&[doc], rules, &mut scratch).iter().map(Vec::len).sum()
    }
}

fn new_mention(
    text: &str,
    start: usize,
    end: usize,
    sentence: usize,
    t: &str,
    source: MentionSource,
) -> Mention {
    Mention {
        start,
        end,
        original_start: 0,
        original_end: 0,
        sentence,
        text: text[start..end].to_string(),
        mention_type: t.to_string(),
        source,
        refers_to: None,
        description: false,
    }
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '-')
}

/// Whether `rest` opens with an English compound participle ("-based", "-backed",
/// "-headquartered"): a gazetteer name may end before it ("Munich-based", "Nvidia-backed").
fn is_participle_suffix(rest: &str) -> bool {
    let Some(word) = rest.strip_prefix('-') else { return false };
    let word = word.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
    word.len() > 3 && word.ends_with("ed") && word.chars().all(char::is_lowercase)
}

/// Stage 1: gazetteer entries, demonyms and money, longest first, without overlaps; and whether
/// a relation rule that reads the folded copy may match the sentence, told by the same walk of
/// the folded sentence ([`FoldGate`]), so that stage 3 folds only the sentences where such a
/// rule may match.
fn lexical_mentions(
    text: &str,
    span: SentenceSpan,
    sentence: usize,
    lang: Option<&str>,
    rules: &RulePack,
    scratch: &mut Scratch,
) -> (Vec<Mention>, bool) {
    let local = &text[span.start..span.end];
    let folded = &mut scratch.folded;
    fold_into(local, folded);
    let gaz = &rules.gazetteer;
    let mut folds = matches!(rules.prefilters.relation_fold, FoldGate::Always);
    // a mention is made only for the candidates kept
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    gaz.automaton.every_match(folded.text.as_bytes(), &mut |p, start, end| {
        let pattern = &gaz.patterns[p];
        if pattern.target == LexicalTarget::FoldWord {
            folds = true;
            return;
        }
        let before = folded.text[..start].chars().next_back();
        let after = folded.text[end..].chars().next();
        if is_word_char(before)
            || (is_word_char(after) && !is_participle_suffix(&folded.text[end..]))
        {
            return;
        }
        let (s, e) = folded.map.span(start, end);
        let surface = &local[s..e];
        if pattern.exact && surface != pattern.form {
            return;
        }
        if pattern.capitalized && !surface.chars().next().is_some_and(char::is_uppercase) {
            return;
        }
        let (t, source, rank) = match pattern.target {
            LexicalTarget::Entry(entry) => {
                (gaz.entries[entry].entity_type.as_str(), MentionSource::Gazetteer { entry }, 0)
            }
            LexicalTarget::Demonym(place) => ("Demonym", MentionSource::Demonym { place }, 1),
            LexicalTarget::FoldWord => return,
        };
        candidates.push((s, e, rank, t, source));
    });
    let (prefilter, found) = (&rules.prefilters.money_and_dates, &mut scratch.money_and_dates);
    prefilter.scan(local, found);
    let patterns = rules.money_patterns.len() + rules.date_patterns.len();
    if !(0..patterns).any(|i| prefilter.may_match(i, found)) {
        return (accept(text, span, sentence, candidates), folds);
    }
    // mapped to bytes (or scanned for stand-ins) once for the money and date patterns that run
    let haystack = match rules.bytes.as_deref() {
        Some(a) => {
            scratch.bytes.clear();
            let row = a.map_into(local, &mut scratch.bytes);
            Haystack::unscanned(local).with_bytes(scratch.bytes.get(row), a)
        }
        None => Haystack::new(local),
    };
    // a run's cost, kept when profiled (a clock reading per pattern the prefilter lets run)
    let run = || PatternCost { sentences: 1, bytes: local.len(), ..PatternCost::default() };
    // the money patterns, then the date patterns, numbered so in their prefilter
    let money = rules.money_patterns.iter().map(|p| (&p.id, &p.regex, true));
    let dates = rules.date_patterns.iter().map(|p| (&p.id, &p.regex, false));
    for (i, (id, regex, is_money)) in money.chain(dates).enumerate() {
        if !prefilter.may_match(i, found) {
            continue;
        }
        let (group, rank, kind) =
            if is_money { ("amount", 2, "Money") } else { ("date", 3, "Date") };
        let (started, mut cost) = (scratch.costs.is_some().then(Instant::now), run());
        let mut matches = regex.captures(haystack, &mut scratch.slots);
        while let Some(caps) = matches.next() {
            cost.matches += 1;
            let get = |n: &str| caps.name(n).map(|m| m.as_str());
            let source = if is_money {
                money_source(get, id, lang, rules)
            } else {
                date_source(get, id, rules)
            };
            let Some(source) = source else { continue };
            let whole = caps.name(group).or_else(|| caps.get(0)).expect("group 0");
            candidates.push((whole.start(), whole.end(), rank, kind, source));
        }
        Costs::add(scratch.costs.as_deref_mut(), |c| &mut c.lexical_patterns, i, started, &cost);
    }
    (accept(text, span, sentence, candidates), folds)
}

/// The mention of a money pattern's match (groups `num` or `word`, `scale`, `cur`), when its
/// groups make an amount. In English a comma before three digits groups thousands before a
/// scale word too ("Rs 2,000 crore"); elsewhere it marks decimals there ("1,250 milliard").
fn money_source<'h>(
    get: impl Fn(&str) -> Option<&'h str>,
    id: &str,
    lang: Option<&str>,
    rules: &RulePack,
) -> Option<MentionSource> {
    let (num, word, scale) = (get("num"), get("word"), get("scale"));
    let comma_groups = lang == Some("en");
    let amount = money::amount(num, word, scale, get("cur")?, comma_groups, &rules.money_words)?;
    Some(MentionSource::Money { amount, pattern: id.to_owned() })
}

/// The mention of a date pattern's match (groups `year`, `month`, `day`), when they make a date.
fn date_source<'h>(
    get: impl Fn(&str) -> Option<&'h str>,
    id: &str,
    rules: &RulePack,
) -> Option<MentionSource> {
    let value = date_value(get("year"), get("month"), get("day"), &rules.months)?;
    Some(MentionSource::Date { value, pattern: id.to_owned() })
}

/// A mention stage 1 may make in a sentence: start, end (in the sentence), rank, type, source.
type Candidate<'t> = (usize, usize, u8, &'t str, MentionSource);

/// Stage 1's candidates of a sentence that are kept: the longest first, then the earliest, then
/// by rank (gazetteer, demonym, money, date), each unless it overlaps one kept before; as
/// mentions, in text order.
fn accept(
    text: &str,
    span: SentenceSpan,
    sentence: usize,
    mut candidates: Vec<Candidate<'_>>,
) -> Vec<Mention> {
    candidates
        .sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)).then(a.2.cmp(&b.2)));
    let mut accepted: Vec<Mention> = Vec::new();
    for (s, e, _, t, source) in candidates {
        let (s, e) = (span.start + s, span.start + e);
        if accepted.iter().all(|a| e <= a.start || s >= a.end) {
            accepted.push(new_mention(text, s, e, sentence, t, source));
        }
    }
    accepted.sort_by_key(|m| m.start);
    accepted
}

/// The mentions `indices` of `mentions` as items to mask, each with the code of its type and its
/// mention's index (which the masked sentence keeps beside the text, by position).
pub(crate) fn mask_items<'m>(
    mentions: &'m [Mention],
    indices: impl IntoIterator<Item = usize> + 'm,
    codes: &'m TypeCodes,
) -> impl Iterator<Item = MaskItem> + 'm {
    indices.into_iter().map(|i| MaskItem {
        start: mentions[i].start,
        end: mentions[i].end,
        code: codes.code(&mentions[i].mention_type),
        index: i,
    })
}

/// Trims words of `trim` from both ends of `start..end`; `None` if nothing is left.
/// `word` is a buffer for the folded words.
fn trim_words(
    text: &str,
    mut start: usize,
    mut end: usize,
    trim: &std::collections::HashSet<String>,
    word: &mut String,
) -> Option<(usize, usize)> {
    let mut trimmed = |w: &str| {
        fold_str_into(w, word);
        trim.contains(word.as_str())
    };
    loop {
        let slice = &text[start..end];
        let first_end = slice.find(' ').map_or(slice.len(), |i| i);
        let first = &slice[..first_end];
        if trimmed(first) {
            if first_end == slice.len() {
                return None;
            }
            start += first_end + 1;
            continue;
        }
        let last_start = slice.rfind(' ').map_or(0, |i| i + 1);
        if last_start > 0 && trimmed(&slice[last_start..]) {
            end = start + last_start - 1;
            continue;
        }
        return Some((start, end));
    }
}

/// ISO 8601 date from a date pattern's groups (`5`, `septembre`, `2025` → `2025-09-05`); `None`
/// when a part is not a real date.
fn date_value(
    year: Option<&str>,
    month: Option<&str>,
    day: Option<&str>,
    months: &BTreeMap<String, u32>,
) -> Option<String> {
    let year: u32 = year?.trim().parse().ok()?;
    let Some(month) = month.map(str::trim).filter(|m| !m.is_empty()) else {
        return Some(format!("{year:04}"));
    };
    let month = match month.parse::<u32>() {
        Ok(n) => n,
        Err(_) => *months.get(&fold_str(month.trim_end_matches('.')))?,
    };
    if !(1..=12).contains(&month) {
        return None;
    }
    let Some(day) = day.map(str::trim).filter(|d| !d.is_empty()) else {
        return Some(format!("{year:04}-{month:02}"));
    };
    let day: u32 =
        day.trim_end_matches("er").trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']).parse().ok()?;
    let days = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&day).then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// Capitalized words the document uses away from the start of a sentence: a sentence-initial
/// word is taken for a name when the document also capitalizes it elsewhere.
fn capitalized_inner_words<'t>(text: &'t str, spans: &[SentenceSpan]) -> BTreeSet<&'t str> {
    let mut words = BTreeSet::new();
    for span in spans {
        let sentence = &text[span.start..span.end];
        for token in sentence.split(' ').skip(1) {
            // most words start with a lower-case letter or a digit, and stay so trimmed
            if token
                .as_bytes()
                .first()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                continue;
            }
            let word = token.trim_matches(|c: char| !c.is_alphanumeric());
            if word.chars().next().is_some_and(char::is_uppercase) {
                words.insert(word);
            }
        }
    }
    words
}

/// Whether a single word looks like a name by its shape alone: an inner capital or a digit
/// (`DeepSeek`, `OpenAI`, `AI21`) or all capitals (`SAP`).
fn name_shaped(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next();
    chars.any(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Stage 2 of one sentence: its lexical mentions masked, and what entity patterns find in it.
struct EntitySentence {
    /// The document, by its index in the batch.
    doc: usize,
    index: usize,
    lexical: Vec<Mention>,
    view: View,
    /// Where the sentence's first word starts.
    first_word: usize,
    /// Per lexical mention, whether a pattern's name took it in.
    absorbed: Vec<bool>,
    found: Vec<Mention>,
}

/// A document as stage 2 reads it: its normalized text and sentences, the lexical mentions of
/// each sentence, its capitalized words that are not sentence-initial, and its language.
struct EntityDoc<'a> {
    text: &'a str,
    spans: &'a [SentenceSpan],
    lexical: Vec<Vec<Mention>>,
    inner_words: &'a BTreeSet<&'a str>,
    lang: Option<&'a str>,
}

/// Stage 2: entity patterns over each sentence with its lexical mentions masked; returns each
/// document's mentions in sentence order. Each pattern runs over all the sentences of all the
/// documents before the next one starts, so that its automaton stays in the processor's caches;
/// a sentence still sees the patterns in priority order, as if alone.
fn pattern_mentions(
    mut docs: Vec<EntityDoc<'_>>,
    rules: &RulePack,
    scratch: &mut Scratch,
) -> Vec<Vec<Mention>> {
    let prefilter = &rules.prefilters.entity;
    let mut sentences: Vec<EntitySentence> = Vec::new();
    let alphabet = rules.bytes.as_deref();
    let masking = scratch.clock();
    scratch.sheet.clear();
    for (doc, d) in docs.iter_mut().enumerate() {
        let patterns =
            applying(rules.entity_patterns.iter().map(|p| (p.lang.as_str(), p.fold)), d.lang);
        let any_folds = patterns.iter().any(|&(applies, fold)| applies && fold);
        let group = Group { prefilter, patterns: &patterns, any_folds, alphabet };
        let text = d.text;
        for (index, (&span, lexical)) in
            d.spans.iter().zip(std::mem::take(&mut d.lexical)).enumerate()
        {
            let items = mask_items(&lexical, 0..lexical.len(), &rules.type_codes);
            let view = scratch.sheet.push(text, span, items, &group, &mut scratch.entity);
            let first_word = text[span.start..span.end]
                .find(|c: char| c.is_alphanumeric())
                .map_or(span.start, |i| span.start + i);
            let absorbed = vec![false; lexical.len()];
            sentences.push(EntitySentence {
                doc,
                index,
                lexical,
                view,
                first_word,
                absorbed,
                found: Vec::new(),
            });
        }
    }
    scratch.lap(masking, |c| &mut c.entity_sheet);
    let sheet = &scratch.sheet;
    build_running(rules.entity_patterns.iter().map(|p| &p.regex), |i| sheet.runs_somewhere(i));
    for (i, p) in rules.entity_patterns.iter().enumerate() {
        let mut cost = PatternCost::default();
        let started = scratch.clock();
        for s in sentences.iter_mut().filter(|s| sheet.runs(&s.view, i)) {
            let EntitySentence { doc, index, lexical, view, first_word, absorbed, found } = s;
            let EntityDoc { text, inner_words, .. } = &docs[*doc];
            let (sentence, sentence_start, lexical) = (*index, *first_word, &*lexical);
            let masked = sheet.masked(view);
            let (haystack, map) = sheet.haystack(view, p.fold, alphabet);
            cost.sentences += 1;
            cost.bytes += haystack.as_str().len();
            // a pattern that is its name group needs no capture resolution, nor one whose
            // name the parts around it tell
            let mut name_of = if prefilter.is_name(i) {
                NameOf::Match
            } else {
                p.bounds
                    .as_ref()
                    .filter(|_| !scratch.by_groups)
                    .map_or(NameOf::Group, NameOf::Bounds)
            };
            let names = &mut scratch.names;
            loop {
                names.clear();
                let mut matches = match name_of {
                    NameOf::Group => p.regex.captures(haystack, &mut scratch.slots),
                    NameOf::Match | NameOf::Bounds(_) => p.regex.find(haystack, &mut scratch.slots),
                };
                let mut told = true;
                while let Some(groups) = matches.next() {
                    let whole = groups.get(0).expect("group 0");
                    let name = match name_of {
                        NameOf::Match => Some((whole.start(), whole.end())),
                        NameOf::Group => groups.name("name").map(|n| (n.start(), n.end())),
                        NameOf::Bounds(bounds) => {
                            let name = bounds.name(haystack.as_str(), whole.start(), whole.end());
                            told &= name.is_some();
                            if !told {
                                break; // read again with groups
                            }
                            name
                        }
                    };
                    names.push(name);
                }
                if told {
                    break;
                }
                name_of = NameOf::Group;
            }
            cost.matches += names.len();
            for &name in names.iter() {
                let Some((name_start, name_end)) = name else { continue };
                let (name_start, name_end) = to_masked(map, name_start, name_end);
                let (Some(mut s), Some(mut e)) =
                    (masked.start_of(name_start), masked.end_of(name_end))
                else {
                    continue;
                };
                // a match that runs into a mention keeps its words before it, else after it
                if p.cut_before_mentions || p.cut_after_mentions {
                    let before = p.cut_before_mentions.then(|| cut_before_found(text, s, e, found));
                    match before.flatten() {
                        Some(cut) => e = cut,
                        None if p.cut_after_mentions => match cut_after_found(text, s, e, found) {
                            Some(cut) => s = cut,
                            None => continue,
                        },
                        None => continue,
                    }
                }
                if let Some(trim) = &p.trim {
                    match trim_words(text, s, e, trim, &mut scratch.word) {
                        Some((ts, te)) => (s, e) = (ts, te),
                        None => continue,
                    }
                }
                let inner: Vec<usize> = (0..lexical.len())
                    .filter(|&i| lexical[i].start < e && lexical[i].end > s)
                    .collect();
                if inner.iter().any(|&i| lexical[i].start < s || lexical[i].end > e) {
                    continue; // trimming cut through a lexical mention
                }
                if inner.len() == 1 && lexical[inner[0]].start == s && lexical[inner[0]].end == e {
                    continue; // the pattern only confirms a lexical mention
                }
                let word = &text[s..e];
                if p.not_sentence_initial
                    && s == sentence_start
                    && !word.contains(' ')
                    && !name_shaped(word)
                    && !inner_words.contains(word)
                {
                    continue;
                }
                if found.iter().any(|f| s < f.end && e > f.start) {
                    continue;
                }
                for i in inner {
                    absorbed[i] = true;
                }
                let source = MentionSource::Pattern { pattern: p.id.clone() };
                found.push(new_mention(text, s, e, sentence, &p.entity_type, source));
            }
        }
        Costs::add(scratch.costs.as_deref_mut(), |c| &mut c.entity_patterns, i, started, &cost);
    }
    let mut all: Vec<Vec<Mention>> = docs.iter().map(|_| Vec::new()).collect();
    for s in sentences {
        let doc = &mut all[s.doc];
        let start = doc.len();
        doc.extend(s.lexical.into_iter().zip(s.absorbed).filter(|(_, a)| !a).map(|(m, _)| m));
        doc.extend(s.found);
        doc[start..].sort_by_key(|m| m.start);
    }
    all
}

/// Builds the automata of the patterns of a stage that are not built yet and that `runs` on
/// some sentence of the batch, in parallel on the rayon pool and side by side with other threads
/// doing the same for their batches ([`Matcher::build_unless_claimed`]), before the stage runs
/// them. On first use they were built one at a time: threads starting their first batches ran
/// the patterns in the same order, and each waited for the other to build the one it needed.
fn build_running<'r>(patterns: impl Iterator<Item = &'r Matcher>, runs: impl Fn(usize) -> bool) {
    use rayon::prelude::*;
    let unbuilt: Vec<&Matcher> =
        patterns.enumerate().filter(|(i, m)| !m.is_built() && runs(*i)).map(|(_, m)| m).collect();
    if !unbuilt.is_empty() {
        unbuilt.par_iter().with_max_len(1).for_each(|m| m.build_unless_claimed());
    }
}

/// The mentions slot `k` of a relation rule binds in a match: the placeholders of the slot's types
/// at its ranks among the match's placeholders (`within`) when the rule's `layout` places it,
/// else those inside its group (`group`, as masked offsets; none when the group took no part).
/// `None` when the match's placeholders do not fit the layout.
fn slot_mentions(
    layout: Option<&SlotLayout>,
    k: usize,
    slot: &Slot,
    within: &[(usize, char)],
    group: impl FnOnce() -> Option<(usize, usize)>,
    masked: Masked<'_>,
) -> Option<Vec<usize>> {
    let Some(layout) = layout else {
        let ids = group().map(|(start, end)| masked.mentions_of(start, end, &slot.codes).collect());
        return Some(ids.unwrap_or_default());
    };
    layout.holds(k, within, |code| slot.codes.contains(&code))
}

/// Where a name `s..e` ends once cut before the first mention `found` before it that it runs
/// into: `e` when it meets none; `None` when one starts at or before `s`, or when the words left
/// do not end with a capitalized word ("Exotrail Jean-Luc Maria" → "Exotrail"; "Fondation de
/// Jean Dupont" is dropped, as a name ending in "de").
fn cut_before_found(text: &str, s: usize, e: usize, found: &[Mention]) -> Option<usize> {
    let Some(first) = found.iter().filter(|f| s < f.end && e > f.start).map(|f| f.start).min()
    else {
        return Some(e);
    };
    let before = text.get(s..first.max(s))?.trim_end();
    let last_word = before.rsplit(' ').next()?;
    let capitalized = last_word.chars().next().is_some_and(|c| c.is_uppercase() || c.is_numeric());
    (capitalized && s + before.len() < first).then_some(s + before.len())
}

/// Where the words of the match `s..e` start after the mentions in `found` that it runs into:
/// the first word after the last of them that opens with a capital or a digit, when two words
/// or more are left from there, or one after a compound participle ("Kalix-backed Norvik");
/// `Some(s)` when it runs into none (`cut_after_mentions`, tried when `cut_before_mentions`
/// keeps no words before them).
fn cut_after_found(text: &str, s: usize, e: usize, found: &[Mention]) -> Option<usize> {
    let Some(last) = found.iter().filter(|f| s < f.end && e > f.start).map(|f| f.end).max() else {
        return Some(s);
    };
    let after = text.get(last..e)?;
    let start = last + after.find(' ')? + 1;
    let rest = &text[start..e];
    let opens = rest.chars().next().is_some_and(|c| c.is_uppercase() || c.is_numeric());
    let words_enough = rest.trim_end().contains(' ') || is_participle_suffix(after);
    (opens && words_enough).then_some(start)
}

/// The word that ends right before `offset` in `text`, after one space if there is one:
/// "former" in "former ⟨o⟩", "d'" in "d'⟨o⟩", "" at the start or after a punctuation mark.
fn word_before(text: &str, offset: usize) -> &str {
    let head = &text[..offset];
    let head = head.strip_suffix(' ').unwrap_or(head);
    let in_word = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '-');
    let start = head
        .char_indices()
        .rev()
        .take_while(|&(_, c)| in_word(c))
        .last()
        .map_or(head.len(), |(i, _)| i);
    &head[start..]
}

/// How an entity pattern's name is read from its matches.
#[derive(Clone, Copy)]
enum NameOf<'p> {
    /// The pattern is its `name` group.
    Match,
    /// By the parts around the group, when they leave one choice ([`NameBounds`]).
    Bounds(&'p NameBounds),
    /// From the group, by the capture engine.
    Group,
}

/// Narrows a match to its words: boundaries consume the character before or after a word,
/// which evidence spans should not show.
fn trim_span(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let edge = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '.' | '(' | ')' | '\'');
    while let Some(c) = text[start..end].chars().next().filter(|&c| edge(c)) {
        start += c.len_utf8();
    }
    while let Some(c) = text[start..end].chars().next_back().filter(|&c| edge(c)) {
        end -= c.len_utf8();
    }
    (start, end)
}

/// An untyped `Name` takes the type a pattern gave the same (folded) name in the document.
fn propagate_types(mentions: &mut [Mention]) {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for m in mentions.iter() {
        let found = matches!(m.source, MentionSource::Pattern { .. } | MentionSource::Abbreviation);
        if found && m.mention_type != "Name" {
            types.entry(fold_str(&m.text)).or_insert_with(|| m.mention_type.clone());
        }
    }
    for m in mentions.iter_mut() {
        if m.mention_type == "Name" {
            if let Some(t) = types.get(&fold_str(&m.text)) {
                m.mention_type = t.clone();
            }
        }
    }
}

/// Whether `acronym` (2 to 8 capitals) spells the initials of `name`'s words, connectors
/// ("de", "of") skipped or kept: "UE" for "Union européenne", "CEA" for "Commissariat à l'énergie
/// atomique".
fn is_acronym_of(acronym: &str, name: &str, connectors: &BTreeSet<String>) -> bool {
    let letters: Vec<char> = acronym.chars().filter(|c| c.is_alphanumeric()).collect();
    if !(2..=8).contains(&letters.len())
        || !letters.iter().all(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    let acronym: String = letters.iter().map(|c| fold_str(&c.to_string())).collect();
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold_str)
        .collect();
    let initials = |skip: bool| -> String {
        words
            .iter()
            .filter(|w| {
                !(skip
                    && (connectors.contains(*w)
                        || w.len() == 1
                        || ["a", "la", "le", "les", "l", "the"].contains(&w.as_str())))
            })
            .filter_map(|w| w.chars().next())
            .collect()
    };
    words.len() >= 2 && (initials(true) == acronym || initials(false) == acronym)
}

/// Whether a mention opens a parenthesis and is all it holds or the exchange before a ticker:
/// "Kalix (KLX)", "Kalix (SHA:600111)".
fn in_parentheses(text: &str, m: &Mention) -> bool {
    text[..m.start].ends_with(" (") && text[m.end..].starts_with([')', ':'])
}

/// Each abbreviation a sentence defines ("… Caisse de dépôt et de gestion (CDG)") makes its long
/// form one mention, in place of the mentions inside it: of type `Organization` when one of those
/// was, else `Name`. Not when the long form would take part of a mention that goes beyond it, a
/// person, an amount or a date, nor when the short form is a place, a demonym or a person, nor
/// when the short form or the long form's first word is in `not` (folded words).
fn define_abbreviations(
    text: &str,
    spans: &[SentenceSpan],
    mentions: &mut Vec<Mention>,
    not: &BTreeSet<String>,
) {
    let mut defined = Vec::new();
    for (index, span) in spans.iter().enumerate() {
        let sentence = &text[span.start..span.end];
        for (open, _) in sentence.match_indices(" (") {
            let inner = open + 2;
            // a short form has at most 10 characters of at most 4 bytes
            let Some(close) = sentence.as_bytes()[inner..].iter().take(41).position(|&b| b == b')')
            else {
                continue;
            };
            let short = &sentence[inner..inner + close];
            let Some(start) = abbrev::long_form_start(&sentence[..open], short) else {
                continue;
            };
            let first = sentence[start..].split([' ', '\'', '-']).next().unwrap_or("");
            if not.contains(&fold_str(short)) || not.contains(&fold_str(first)) {
                continue;
            }
            defined.push((index, span.start + start, span.start + open, span.start + inner));
        }
    }
    for (sentence, start, end, short_at) in defined {
        let first = mentions.partition_point(|m| m.end <= start);
        let last = mentions.partition_point(|m| m.start < end);
        let inside = &mentions[first..last];
        let crosses = inside.iter().any(|m| m.start < start || m.end > end);
        let kept = inside.iter().any(|m| {
            (m.start, m.end) == (start, end)
                || matches!(m.mention_type.as_str(), "Person" | "Money" | "Date")
        });
        let short = mentions[last..].iter().find(|m| m.start >= short_at);
        let short_is_no_name = short.is_some_and(|m| {
            m.start == short_at && matches!(m.mention_type.as_str(), "Place" | "Demonym" | "Person")
        });
        if crosses || kept || short_is_no_name {
            continue;
        }
        let organization = inside.iter().any(|m| m.mention_type == "Organization");
        let t = if organization { "Organization" } else { "Name" };
        let long = new_mention(text, start, end, sentence, t, MentionSource::Abbreviation);
        mentions.splice(first..last, [long]);
    }
}

/// "Name (ACR)": the acronym names the same entity, there and wherever the document uses it again.
fn link_acronyms(text: &str, mentions: &mut [Mention], connectors: &BTreeSet<String>) {
    let mut introduced: BTreeMap<String, usize> = BTreeMap::new();
    for i in 1..mentions.len() {
        let (full, short) = (&mentions[i - 1], &mentions[i]);
        let between = &text[full.end..short.start];
        let closes = text[short.end..].starts_with(')');
        let named = !matches!(full.mention_type.as_str(), "Demonym" | "Money");
        let spelled = is_acronym_of(&short.text, &full.text, connectors)
            || (matches!(full.source, MentionSource::Abbreviation)
                && abbrev::abbreviates(&short.text, &full.text));
        if between == " (" && closes && named && spelled {
            introduced.entry(short.text.clone()).or_insert(i - 1);
        }
    }
    if introduced.is_empty() {
        return;
    }
    for m in 0..mentions.len() {
        if let Some(&full) = introduced.get(&mentions[m].text) {
            if full != m
                && mentions[m].refers_to.is_none()
                && !matches!(mentions[m].source, MentionSource::Gazetteer { .. })
            {
                mentions[m].refers_to = Some(full);
                mentions[m].mention_type = mentions[full].mention_type.clone();
            }
        }
    }
}

/// A definite description found by an `antecedent` pattern names a preceding mention, the one
/// its pattern's [`Antecedent`] chooses in the document's normalized `text`; one with nothing to
/// name is dropped.
fn resolve_antecedents(text: &str, mentions: &mut Vec<Mention>, rules: &RulePack) {
    let choice = |m: &Mention| match &m.source {
        MentionSource::Pattern { pattern } => {
            let pattern =
                rules.entity_patterns.iter().find(|p| p.antecedent.is_some() && p.id == *pattern);
            pattern.and_then(|p| p.antecedent)
        }
        _ => None,
    };
    let choices: Vec<Option<Antecedent>> = mentions.iter().map(choice).collect();
    if choices.iter().all(Option::is_none) {
        return;
    }
    let mut keep = vec![true; mentions.len()];
    let mut refers: Vec<Option<usize>> = vec![None; mentions.len()];
    for i in 0..mentions.len() {
        let Some(choice) = choices[i] else { continue };
        let t = &mentions[i].mention_type;
        let found = match choice {
            Antecedent::Nearest => {
                (0..i).rev().find(|&j| choices[j].is_none() && mentions[j].mention_type == *t)
            }
            Antecedent::MostMentioned => {
                let openers = &rules.resolution.apposition_openers;
                introduced_with(text, &mentions[i], &mentions[..i], &choices[..i], t, openers)
                    .or_else(|| most_mentioned(text, &mentions[..i], &choices[..i], t, rules))
            }
            Antecedent::MostMentionedOnly => {
                // only the sentences before: a pronoun or a determiner that stands for the
                // article's company names no one of its own sentence ("Kalix and Orvane, two
                // funds …, joined the round")
                let sentence = mentions[i].sentence;
                let before = mentions[..i].partition_point(|m| m.sentence < sentence);
                most_mentioned(text, &mentions[..before], &choices[..before], t, rules)
            }
        };
        match found {
            Some(j) => refers[i] = Some(j),
            None => keep[i] = false,
        }
    }
    // renumber after dropping the descriptions that refer to nothing
    let mut new_index = vec![0; mentions.len()];
    let mut next = 0;
    for i in 0..mentions.len() {
        new_index[i] = next;
        if keep[i] {
            next += 1;
        }
    }
    let mut out = Vec::with_capacity(next);
    for (i, mut m) in std::mem::take(mentions).into_iter().enumerate() {
        if keep[i] {
            m.refers_to = refers[i].map(|j| new_index[j]);
            m.description = choices[i].is_some();
            out.push(m);
        }
    }
    *mentions = out;
}

/// The nearest of `mentions` of type `t` (or untyped) introduced with the noun that ends
/// `description` ("la biotech Kymeris Bio", "Kymeris Bio, une biotech basée à Boston" for "la
/// biotech"): the noun among the three words before it, or in an apposition right after it (a
/// comma, then one of `openers`).
fn introduced_with(
    text: &str,
    description: &Mention,
    mentions: &[Mention],
    choices: &[Option<Antecedent>],
    t: &str,
    openers: &BTreeSet<String>,
) -> Option<usize> {
    /// How far before a name, and after it in an apposition, its noun is looked for (bytes).
    const BEFORE: usize = 60;
    const AFTER: usize = 40;
    // the noun as written (the text is normalized, so its accents are those of the names'
    // phrases), compared with the ASCII letters' case ignored: no word is folded
    let noun = description.text.rsplit(' ').next()?;
    let is_noun = |w: &str| w.eq_ignore_ascii_case(noun);
    let not_word = |c: char| !c.is_alphanumeric() && c != '-';
    let floor = |i: usize| crate::error::floor_char_boundary(text, i);
    (0..mentions.len()).rev().find(|&j| {
        let m = &mentions[j];
        if choices[j].is_some() || (m.mention_type != t && m.mention_type != "Name") {
            return false;
        }
        let before = &text[floor(m.start.saturating_sub(BEFORE))..m.start];
        // only the words of its own sentence and clause
        let before = before.rsplit(['.', ';', '!', '?']).next().unwrap_or(before);
        // and of its own noun phrase: the noun, then at most two words ("du groupe allemand
        // Rheinmetall", not "une société dérivée de l'Université …")
        let mut last_three = before.split(not_word).rev().filter(|w| !w.is_empty()).take(3);
        let noun_before = last_three.any(is_noun);
        // an apposition before the description, not the description itself
        let after = &text[m.end..floor((m.end + AFTER).min(description.start).max(m.end))];
        let opens = |rest: &str| {
            let word = rest.split_inclusive([' ', '\'']).next().unwrap_or_default();
            openers.contains(&fold_str(word.trim_end()))
        };
        let apposition = after.strip_prefix(", ").is_some_and(opens);
        noun_before || (apposition && after.split(not_word).any(is_noun))
    })
}

/// The first mention, among `mentions`, of the entity of type `t` or the untyped name mentioned
/// most often there (a gazetteer entry by its entry, any other name by its text); descriptions and
/// news sources do not count. On ties, the entity last written as a clause's subject (a name right
/// before one of the pack's `subject_verbs`, "Mistral AI est basée à Paris", and not joined by a
/// connector to a name before it, as "Norvik" in "Kalix and Norvik raised"), else the earliest.
fn most_mentioned(
    text: &str,
    mentions: &[Mention],
    choices: &[Option<Antecedent>],
    t: &str,
    rules: &RulePack,
) -> Option<usize> {
    #[derive(PartialEq, Eq, Hash)]
    enum Key<'t> {
        Entry(usize),
        Text(&'t str),
    }
    let verbs = &rules.resolution.subject_verbs;
    // the word right after a name is one of the pack's subject verbs
    let before_verb = |m: &Mention| {
        let Some(after) = text[m.end..].strip_prefix(' ') else { return false };
        let word_end = after
            .find(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-'))
            .unwrap_or(after.len());
        word_end > 0 && verbs.contains(&fold_str(&after[..word_end]))
    };
    // per entity: its first mention, how many mentions it has, and its last mention as a subject
    let mut seen: std::collections::HashMap<Key, (usize, usize, Option<usize>)> =
        Default::default();
    // the previous name of the type, joined to the next by a connector of the pack within a
    // clause ("Kalix and its partner Norvik raised"), makes the next a later conjunct, not the
    // subject
    let connectors = &rules.resolution.connectors;
    let mut previous: Option<&Mention> = None;
    for (j, m) in mentions.iter().enumerate() {
        if choices[j].is_some() || (m.mention_type != t && m.mention_type != "Name") {
            continue;
        }
        let conjunct = previous.is_some_and(|p| {
            p.sentence == m.sentence
                && text.get(p.end..m.start).is_some_and(|gap| {
                    !gap.contains([',', ';', ':'])
                        && gap
                            .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '&'))
                            .any(|w| !w.is_empty() && connectors.contains(&fold_str(w)))
                })
        });
        previous = Some(m);
        let key = match &m.source {
            MentionSource::Gazetteer { entry } if rules.gazetteer.entries[*entry].news_source => {
                continue
            }
            MentionSource::Gazetteer { entry } => Key::Entry(*entry),
            _ => Key::Text(&m.text),
        };
        let entry = seen.entry(key).or_insert((j, 0, None));
        entry.1 += 1;
        if !conjunct && before_verb(m) {
            entry.2 = Some(j);
        }
    }
    let best = seen
        .into_values()
        .max_by_key(|&(first, count, subject)| (count, subject, std::cmp::Reverse(first)));
    best.map(|(first, _, _)| first)
}

/// Stage 3 of one sentence: the sentence with every mention masked, and the matches found in it
/// with their rule's priority and span.
struct RelationSentence {
    /// The document, by its index in the batch.
    doc: usize,
    index: usize,
    view: View,
    out: Vec<(i32, usize, usize, RelationMatch)>,
}

/// A document as stage 3 reads it: its normalized text and sentences, its mentions (sorted by
/// start) and its language.
struct RelationDoc<'a> {
    normalized: &'a NormalizedText,
    spans: &'a [SentenceSpan],
    mentions: &'a [Mention],
    /// Per sentence, whether a relation rule that reads the folded copy may match it.
    folds: &'a [bool],
    lang: Option<&'a str>,
}

/// Stage 3: relation rules over each sentence that has two mentions or more, masked;
/// returns each document's matches in sentence order. As in stage 2, each rule runs over all the
/// sentences of all the documents before the next one starts, and a sentence sees the rules in
/// priority order.
fn relation_matches(
    docs: &[RelationDoc<'_>],
    rules: &RulePack,
    scratch: &mut Scratch,
) -> Vec<Vec<RelationMatch>> {
    let prefilter = &rules.prefilters.relation;
    let mut sentences = Vec::new();
    let alphabet = rules.bytes.as_deref();
    let masking = scratch.clock();
    scratch.sheet.clear();
    for (doc, d) in docs.iter().enumerate() {
        let patterns =
            applying(rules.relation_rules.iter().map(|r| (r.lang.as_str(), r.fold)), d.lang);
        let any_folds = patterns.iter().any(|&(applies, fold)| applies && fold);
        let group = Group { prefilter, patterns: &patterns, any_folds, alphabet };
        // where no rule that reads the folded copy may match, the sentence is not folded, its
        // text is scanned instead, and those rules do not run
        let unfolded_patterns: Vec<(bool, bool)> = match any_folds {
            true => patterns.iter().map(|&(applies, fold)| (applies && !fold, fold)).collect(),
            false => Vec::new(),
        };
        let unfolded =
            Group { prefilter, patterns: &unfolded_patterns, any_folds: false, alphabet };
        let mut first = 0;
        for (index, span) in d.spans.iter().enumerate() {
            let count = d.mentions[first..].iter().take_while(|m| m.sentence == index).count();
            let range = first..first + count;
            first += count;
            if count < 2 {
                continue; // a relation binds two mentions of the sentence
            }
            let items = mask_items(d.mentions, range, &rules.type_codes);
            let group = if any_folds && !d.folds[index] { &unfolded } else { &group };
            let view =
                scratch.sheet.push(&d.normalized.text, *span, items, group, &mut scratch.relation);
            sentences.push(RelationSentence { doc, index, view, out: Vec::new() });
        }
    }
    scratch.lap(masking, |c| &mut c.relation_sheet);
    let sheet = &scratch.sheet;
    build_running(rules.relation_rules.iter().map(|r| &r.regex), |i| sheet.runs_somewhere(i));
    for (i, rule) in rules.relation_rules.iter().enumerate() {
        let mut cost = PatternCost::default();
        let started = scratch.clock();
        for s in sentences.iter_mut().filter(|s| sheet.runs(&s.view, i)) {
            let RelationSentence { doc, index, view, out } = s;
            let RelationDoc { normalized, mentions, .. } = &docs[*doc];
            let sentence = *index;
            let masked = sheet.masked(view);
            let (haystack, map) = sheet.haystack(view, rule.fold, alphabet);
            cost.sentences += 1;
            cost.bytes += haystack.as_str().len();
            let before = out.len();
            let mut layout = rule.layout.as_ref().filter(|_| !scratch.by_groups);
            loop {
                let mut matches = match layout {
                    Some(_) => rule.regex.find(haystack, &mut scratch.slots),
                    None => rule.regex.captures(haystack, &mut scratch.slots),
                };
                let (mut placed, mut found) = (true, 0);
                'matches: while let Some(caps) = matches.next() {
                    found += 1;
                    let whole = caps.get(0).expect("group 0");
                    let (whole_start, whole_end) = to_masked(map, whole.start(), whole.end());
                    if !rule.not_after.is_empty() {
                        fold_str_into(word_before(masked.text, whole_start), &mut scratch.word);
                        if rule.not_after.contains(scratch.word.as_str()) {
                            continue;
                        }
                    }
                    let within = &mut scratch.within;
                    if layout.is_some() {
                        within.clear();
                        within.extend(masked.placeholders_within(whole_start, whole_end));
                    }
                    let mut subjects = Vec::new();
                    let mut objects = Vec::new();
                    let mut parties = Vec::new();
                    let mut amount = None;
                    let mut date = None;
                    let mut bound_types = Vec::new();
                    for (k, slot) in rule.slots.iter().enumerate() {
                        let group = || {
                            caps.name(slot.role.group()).map(|g| to_masked(map, g.start(), g.end()))
                        };
                        let Some(mut ids) = slot_mentions(layout, k, slot, within, group, masked)
                        else {
                            placed = false;
                            break 'matches;
                        };
                        if slot.list {
                            // what a list item's parenthesis holds (`list_item_suffix`: its
                            // abbreviation, its town) is no item
                            ids.retain(|&id| !in_parentheses(&normalized.text, &mentions[id]));
                        }
                        for &id in &ids {
                            let m = &mentions[id];
                            let t = match m.mention_type.as_str() {
                                "Name" => slot
                                    .types
                                    .iter()
                                    .find(|t| rules.vocabulary.entity_types.contains_key(*t))
                                    .cloned(),
                                "Demonym" => Some("Place".to_string()),
                                "Money" | "Date" => None,
                                other => Some(other.to_string()),
                            };
                            if let Some(t) = t {
                                bound_types.push((id, t));
                            }
                        }
                        match slot.role {
                            SlotRole::Subject => subjects = ids,
                            SlotRole::Object => objects = ids,
                            SlotRole::Parties => parties = ids,
                            SlotRole::Amount => amount = ids.first().copied(),
                            SlotRole::Date => date = ids.first().copied(),
                        }
                    }
                    let mut pairs = Vec::new();
                    for &s in &subjects {
                        for &o in &objects {
                            if s != o {
                                pairs.push((s, o));
                            }
                        }
                    }
                    for (i, &a) in parties.iter().enumerate() {
                        for &b in &parties[i + 1..] {
                            if a != b {
                                pairs.push((a, b));
                            }
                        }
                    }
                    if pairs.is_empty() {
                        continue;
                    }
                    let (ns, ne) = masked.span_widened(whole_start, whole_end);
                    let (ns, ne) = trim_span(&normalized.text, ns, ne);
                    let (os, oe) = normalized.map.span(ns, ne);
                    bound_types.sort();
                    bound_types.dedup();
                    let m = RelationMatch {
                        rule: rule.id.clone(),
                        relation: rule.relation.clone(),
                        pairs,
                        amount,
                        date,
                        bound_types,
                        sentence,
                        original_start: os,
                        original_end: oe,
                    };
                    out.push((rule.priority, ns, ne, m));
                }
                if placed {
                    cost.matches += found;
                    break;
                }
                // a match that does not fit the layout (one with more placeholders than the
                // fewest, where a slot is placed only in those): the sentence is read again
                // with groups
                debug_assert!(
                    layout.is_some_and(|l| !l.fits_every_match()),
                    "{}: a match does not fit a layout that every match fits",
                    rule.id
                );
                out.truncate(before);
                layout = None;
            }
        }
        Costs::add(scratch.costs.as_deref_mut(), |c| &mut c.relation_rules, i, started, &cost);
    }
    let mut all: Vec<Vec<RelationMatch>> = docs.iter().map(|_| Vec::new()).collect();
    for s in sentences {
        let out = s.out;
        // a match is dropped when a match of a higher-priority rule for the same relation
        // overlaps it
        let mut kept: Vec<(i32, usize, usize, RelationMatch)> = Vec::new();
        for candidate in out {
            let beaten = kept.iter().any(|(p, s, e, m)| {
                *p > candidate.0
                    && m.relation == candidate.3.relation
                    && candidate.1 < *e
                    && candidate.2 > *s
            });
            if !beaten {
                kept.push(candidate);
            }
        }
        all[s.doc].extend(kept.into_iter().map(|(_, _, _, m)| m));
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stage 3 folds a sentence only where a rule that reads the folded copy may match: the
    /// bundled pack's one such rule (`fr.located.based-in`) needs a word of its verb list, which
    /// the gazetteer's walk looks for; the sentences where it matches are folded and it finds
    /// its relations there, in any case and with or without accents.
    #[test]
    fn only_the_sentences_where_a_folded_rule_may_match_are_folded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = RulePack::load(&root.join("rules"), &crate::rules::LoadOptions::default())
            .expect("the bundled rules load");
        let FoldGate::Words(words) = &rules.prefilters.relation_fold else {
            panic!("{:?}", rules.prefilters.relation_fold)
        };
        // the clause of the verbs, not the one of the prepositions (" a ", " en ")
        assert!(words.iter().any(|w| w == "instal"), "{words:?}");
        assert!(words.iter().all(|w| w.trim().len() >= 3), "{words:?}");
        let text = "La société Exosens SAS est basée à Brive. Exosens SAS a signé un accord avec \
                    Orange. La société Lumibird SA EST INSTALLEE A Lyon.";
        let document = Document {
            info: DocumentInfo { id: "d".into(), title: None, url: None, date: None },
            text: text.to_string(),
            source: "d.txt".into(),
            lang: Some("fr".into()),
        };
        assert_eq!(stages::prepare(&document, &rules).folds, [true, false, true]);
        let ex = extract(&document, &rules);
        let located: Vec<usize> = ex
            .relations
            .iter()
            .filter(|r| r.rule == "fr.located.based-in")
            .map(|r| r.sentence)
            .collect();
        assert_eq!(located, [0, 2], "{:?}", ex.relations);
    }

    /// Slots read by their rank among a match's placeholders (the rules with a
    /// [`crate::rules::slots::SlotLayout`]) and names read by the parts around them (the entity
    /// patterns with [`NameBounds`]) are the ones the groups give, on every document of the
    /// seeds, the article sets and the examples of the rules and entity patterns.
    #[test]
    fn slots_and_names_read_without_groups_are_those_of_the_groups() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = RulePack::load(&root.join("rules"), &crate::rules::LoadOptions::default())
            .expect("the bundled rules load");
        assert!(rules.relation_rules.iter().any(|r| r.layout.is_some()));
        assert!(rules.entity_patterns.iter().any(|p| p.bounds.is_some()));
        let mut paths = vec![root.join("seeds")];
        for set in std::fs::read_dir(root.join("tests/articles")).expect("article sets") {
            paths.push(set.expect("an entry").path().join("docs"));
        }
        let mut documents =
            crate::input::read_inputs(&paths, crate::input::InputOptions::default()).documents;
        let relation_examples = rules
            .relation_rules
            .iter()
            .flat_map(|r| r.examples.iter().map(move |x| (&r.lang, &x.text, &x.lang)));
        let entity_examples = rules
            .entity_patterns
            .iter()
            .flat_map(|p| p.examples.iter().map(move |x| (&p.lang, &x.text, &x.lang)));
        let examples = relation_examples.chain(entity_examples);
        documents.extend(examples.enumerate().map(|(i, (rule_lang, text, lang))| Document {
            info: DocumentInfo {
                id: format!("example-{i}").into(),
                title: None,
                url: None,
                date: None,
            },
            text: text.clone(),
            source: "example".into(),
            lang: lang.clone().or_else(|| Some(rule_lang.clone()).filter(|l| l != "any")),
        }));
        assert!(documents.len() > 100, "{} documents", documents.len());
        let by_position = extract_batch_with(documents.clone(), &rules, &mut Scratch::default());
        let by_groups = Scratch { by_groups: true, ..Scratch::default() };
        let by_groups = extract_batch_with(documents, &rules, &mut { by_groups });
        let relations: usize = by_position.iter().map(|e| e.relations.len()).sum();
        assert!(relations > 100, "{relations} relations");
        for (a, b) in by_position.iter().zip(&by_groups) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
    }

    #[test]
    fn a_profile_counts_what_each_pattern_did_and_changes_nothing() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = RulePack::load(&root.join("rules"), &crate::rules::LoadOptions::default())
            .expect("the bundled rules load");
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

    /// A batch of documents in both languages (seeds, French and English articles, and the same
    /// documents without their language, detected then) gives each document what it gets alone,
    /// and so do batches that reuse a scratch. Fails if a sentence is matched with another
    /// document's text, mentions or language, or with what an earlier batch left in the scratch.
    #[test]
    fn a_batch_extracts_each_document_as_alone() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = RulePack::load(&root.join("rules"), &crate::rules::LoadOptions::default())
            .expect("the bundled rules load");
        let mut documents = Vec::new();
        for (dir, lang) in [("seeds", None), ("tests/articles/en/docs", Some("en"))]
            .into_iter()
            .chain([("tests/articles/fr/docs", Some("fr")), ("tests/articles/en/docs", None)])
        {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            paths.sort();
            for path in paths.into_iter().take(4) {
                documents.push(Document {
                    info: DocumentInfo {
                        id: path.display().to_string().into(),
                        title: None,
                        url: None,
                        date: None,
                    },
                    text: std::fs::read_to_string(&path).unwrap(),
                    source: path,
                    lang: lang.map(String::from),
                });
            }
        }
        let alone: Vec<String> =
            documents.iter().map(|d| format!("{:?}", extract(d, &rules))).collect();
        // in threes, last first, with one scratch: its buffers have held other documents, in
        // the other language and with longer sentences, when they serve the next batch
        let mut scratch = Scratch::default();
        let mut reused: Vec<String> = Vec::new();
        for chunk in documents.rchunks(3) {
            let extractions = extract_batch_with(chunk.to_vec(), &rules, &mut scratch);
            reused.splice(0..0, extractions.iter().map(|ex| format!("{ex:?}")));
        }
        let batch: Vec<String> =
            extract_batch(documents, &rules).iter().map(|ex| format!("{ex:?}")).collect();
        assert_eq!(batch.len(), 14);
        assert!(batch.iter().all(|ex| ex.contains("RelationMatch")), "every document relates");
        assert_eq!(batch, alone);
        assert_eq!(reused, alone);
    }

    #[test]
    fn the_patterns_that_run_are_built_and_a_claim_is_taken_once() {
        let patterns: Vec<Matcher> =
            ["a+", "b", "(?i)c[0-9]{0,40}", "d"].iter().map(|p| Matcher::new(p).unwrap()).collect();
        // two threads prepare the same stage at once: the patterns that run are built, the other
        // is not
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| build_running(patterns.iter(), |i| i != 1));
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

    #[test]
    fn a_name_may_end_before_a_compound_participle() {
        assert!(is_participle_suffix("-based startup"));
        assert!(is_participle_suffix("-headquartered"));
        assert!(!is_participle_suffix("-Malmaison"));
        assert!(!is_participle_suffix("-sur-Mer"));
        assert!(!is_participle_suffix("-ed"));
        assert!(!is_participle_suffix(" based"));
    }

    /// Mentions of `names` (their first occurrences in `text`) as a pattern of higher priority
    /// would have found them, and the span of a name's first occurrence.
    fn found_in<'t>(
        text: &'t str,
        names: &[&str],
    ) -> (Vec<Mention>, impl Fn(&str) -> (usize, usize) + 't) {
        let span = move |name: &str| {
            let start = text.find(name).expect("the name is in the text");
            (start, start + name.len())
        };
        let found = names
            .iter()
            .map(|name| {
                let (s, e) = span(name);
                new_mention(text, s, e, 0, "Person", MentionSource::Gazetteer { entry: 0 })
            })
            .collect();
        (found, span)
    }

    #[test]
    fn a_name_is_cut_before_the_mention_it_runs_into() {
        let text = "le PDG d'Exotrail Jean-Luc Maria et la Fondation de Jean Dupont";
        let (found, span) = found_in(text, &["Jean-Luc Maria", "Jean Dupont"]);
        let (s, e) = span("Exotrail Jean-Luc Maria");
        assert_eq!(cut_before_found(text, s, e, &found).map(|e| &text[s..e]), Some("Exotrail"));
        let (s, e) = span("Fondation de Jean Dupont");
        assert_eq!(cut_before_found(text, s, e, &found), None, "a name ending in 'de'");
        let (s, e) = span("Jean-Luc Maria");
        assert_eq!(cut_before_found(text, s, e, &found), None, "the mention itself");
        let (s, e) = span("Exotrail");
        assert_eq!(cut_before_found(text, s, e, &found), Some(e), "no mention met");
    }

    #[test]
    fn a_name_is_cut_after_the_mention_it_opens_on() {
        let text =
            "the MA-based Cubist Pharmaceuticals and Jean Dupont Consulting of NY-based cars \
                    and Kalix-backed Norvik";
        let (found, span) = found_in(text, &["MA", "Jean Dupont", "NY", "Kalix"]);
        let (s, e) = span("MA-based Cubist Pharmaceuticals");
        assert_eq!(
            cut_after_found(text, s, e, &found).map(|s| &text[s..e]),
            Some("Cubist Pharmaceuticals")
        );
        let (s, e) = span("Jean Dupont Consulting");
        assert_eq!(cut_after_found(text, s, e, &found), None, "one word left");
        let (s, e) = span("NY-based cars");
        assert_eq!(cut_after_found(text, s, e, &found), None, "no capital after the mention");
        let (s, e) = span("Kalix-backed Norvik");
        let one_word = cut_after_found(text, s, e, &found).map(|s| &text[s..e]);
        assert_eq!(one_word, Some("Norvik"), "one word after a participle");
        let (s, e) = span("Cubist Pharmaceuticals");
        assert_eq!(cut_after_found(text, s, e, &found), Some(s), "no mention met");
    }

    #[test]
    fn the_word_before_a_match_is_read_across_one_space_or_an_elision() {
        let text = "le site d'⟨o⟩, the former ⟨o⟩ and (⟨o⟩) or ex-⟨o⟩";
        let at = |n: usize| text.match_indices('⟨').nth(n).unwrap().0;
        assert_eq!(word_before(text, at(0)), "d'");
        assert_eq!(word_before(text, at(1)), "former");
        assert_eq!(word_before(text, at(2)), "");
        assert_eq!(word_before(text, at(3)), "ex-");
        assert_eq!(word_before(text, 0), "");
    }

    #[test]
    fn an_abbreviation_defined_in_the_text_makes_its_long_form_one_mention() {
        let text = "Selon Paul Morel (PM), la Caisse de dépôt et de gestion (CDG) investit. \
                    La CDG signe un Memorandum of Understanding (MoU).";
        let spans = split_sentences(text);
        let at = |name: &str, from: usize| {
            let start = from + text[from..].find(name).expect("the name is in the text");
            (start, start + name.len())
        };
        let mention = |name: &str, from: usize, t: &str| {
            let (s, e) = at(name, from);
            let sentence = spans.iter().position(|span| span.start <= s && e <= span.end).unwrap();
            let source = MentionSource::Pattern { pattern: "test".into() };
            new_mention(text, s, e, sentence, t, source)
        };
        let second = text.find("La CDG").unwrap();
        let mut mentions = vec![
            mention("Paul Morel", 0, "Person"),
            mention("PM", 0, "Name"),
            mention("Caisse", 0, "Name"),
            mention("CDG", 0, "Name"),
            mention("CDG", second, "Name"),
            mention("Memorandum", 0, "Name"),
            mention("MoU", 0, "Name"),
        ];
        let not: BTreeSet<String> = ["mou".to_string()].into();
        define_abbreviations(text, &spans, &mut mentions, &not);
        let found: Vec<(&str, &str)> =
            mentions.iter().map(|m| (m.text.as_str(), m.source.rule_id())).collect();
        assert_eq!(
            found,
            [
                ("Paul Morel", "test"),
                ("PM", "test"),
                ("Caisse de dépôt et de gestion", "abbreviation"),
                ("CDG", "test"),
                ("CDG", "test"),
                ("Memorandum", "test"),
                ("MoU", "test"),
            ]
        );
        link_acronyms(text, &mut mentions, &BTreeSet::new());
        assert_eq!(mentions[3].refers_to, Some(2));
        assert_eq!(mentions[4].refers_to, Some(2), "the abbreviation used again");
    }

    #[test]
    fn acronyms_spell_initials() {
        let connectors: BTreeSet<String> =
            ["de", "d", "du", "des", "of", "for"].iter().map(|s| s.to_string()).collect();
        assert!(is_acronym_of("UE", "Union européenne", &connectors));
        assert!(is_acronym_of("CEA", "Commissariat à l'énergie atomique", &connectors));
        assert!(is_acronym_of("BPI", "Banque publique d'investissement", &connectors));
        assert!(is_acronym_of("MIT", "Massachusetts Institute of Technology", &connectors));
        assert!(!is_acronym_of("IA", "Intelligence", &connectors));
        assert!(!is_acronym_of("SAP", "Deutsche Telekom", &connectors));
        assert!(!is_acronym_of("Ue", "Union européenne", &connectors));
    }

    #[test]
    fn dates_are_iso_with_their_precision() {
        let months: BTreeMap<String, u32> = [("septembre", 9), ("sept", 9), ("february", 2)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        let d = |y, m, day| date_value(Some(y), m, day, &months);
        assert_eq!(d("2025", Some("Septembre"), Some("5")).as_deref(), Some("2025-09-05"));
        assert_eq!(d("2025", Some("sept."), Some("1er")).as_deref(), Some("2025-09-01"));
        assert_eq!(d("2024", Some("February"), Some("29th")).as_deref(), Some("2024-02-29"));
        assert_eq!(d("2025", Some("February"), Some("29")), None);
        assert_eq!(d("2025", Some("11"), None).as_deref(), Some("2025-11"));
        assert_eq!(d("2026", None, None).as_deref(), Some("2026"));
        assert_eq!(d("2025", Some("brumaire"), None), None);
    }
}
