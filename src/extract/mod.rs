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
//!
//! Each stage is a module: `lexical` (stage 1), `entities` (stage 2), `resolve` (what the
//! document as a whole tells between stages 2 and 3) and `relations` (stage 3). Stages 2 and 3
//! read their sentences from a `sheet`, and the three stages keep their buffers and profile clocks
//! in a `scratch` that the caller hands from one batch to the next.

mod abbrev;
mod entities;
mod lexical;
pub mod masked;
pub mod money;
mod relations;
mod resolve;
mod scratch;
mod sheet;

use std::collections::BTreeSet;

use crate::graph::{Amount, DocumentInfo};
use crate::input::Document;
use crate::normalize::{normalize, MapRef, NormalizedText};
use crate::rules::pattern::TypeCodes;
use crate::rules::RulePack;
use crate::sentence::{split_sentences, SentenceSpan};
use entities::{capitalized_inner_words, pattern_mentions, EntityDoc};
use lexical::lexical_mentions;
use masked::MaskItem;
use relations::{relation_matches, RelationDoc};
use resolve::{define_abbreviations, link_acronyms, propagate_types, resolve_antecedents};
pub use scratch::{Costs, PatternCost, Scratch};

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

/// A span of what a pattern read (the folded copy when `map` is its map) as a span of the masked
/// sentence.
pub(crate) fn to_masked(map: Option<MapRef<'_>>, start: usize, end: usize) -> (usize, usize) {
    map.map_or((start, end), |m| m.span(start, end))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::FoldGate;

    /// Stage 3 folds a sentence only where a rule that reads the folded copy may match: the
    /// bundled pack's one such rule (`fr.located.based-in`) needs a word of its verb list, which
    /// the gazetteer's walk looks for; the sentences where it matches are folded and it finds
    /// its relations there, in any case and with or without accents.
    #[test]
    fn only_the_sentences_where_a_folded_rule_may_match_are_folded() {
        let rules = crate::rules::bundled();
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
    ///
    /// [`NameBounds`]: crate::rules::bounds::NameBounds
    #[test]
    fn slots_and_names_read_without_groups_are_those_of_the_groups() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = crate::rules::bundled();
        assert!(rules.relation_rules.iter().any(|r| r.layout().is_some()));
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

    /// A batch of documents in both languages (seeds, French and English articles, and the same
    /// documents without their language, detected then) gives each document what it gets alone,
    /// and so do batches that reuse a scratch. Fails if a sentence is matched with another
    /// document's text, mentions or language, or with what an earlier batch left in the scratch.
    #[test]
    fn a_batch_extracts_each_document_as_alone() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let rules = crate::rules::bundled();
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
}
