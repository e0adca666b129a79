//! Arbitrary knowledge graphs from bytes, built through the public API (`Entity`, `Relation`,
//! `KnowledgeGraph::from_parts`). Shared by the proptest round trip (`tests/export_roundtrip.rs`)
//! and the fuzz target (`fuzz/fuzz_targets/export_roundtrip.rs`, which includes this file by path),
//! so it uses nothing but `kgsmith` and `arbitrary`.
//!
//! Every input gives a well-formed graph: the declared entity types and relations of the sample
//! vocabulary, names that are hostile to some syntax (quotes, backslashes, `<>&`, line breaks,
//! tabs, control characters, emoji, right-to-left text, very long names) or that collide with an
//! earlier one by case, accents or slug, random edges (the symmetric relation and self-loops
//! included), weights above the evidence count, exact decimal amounts with a currency, and
//! evidence with arbitrary sentences, spans, rule ids and dates. Like the builder, it gives each
//! entity the id `{type}:{slug of its label}`, numbered `-2`, `-3` … on a collision, and a match
//! (document, span, rule) always has one sentence and one date.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::Unstructured;
use kgsmith::graph::sample::sample_vocabulary;
use kgsmith::graph::{
    Amount, DocumentInfo, Entity, Evidence, KnowledgeGraph, Relation, RelationPart,
};
use kgsmith::slug::slugify;

/// Fragments names are made of: each breaks some syntax or some reader.
pub const FRAGMENTS: &[&str] = &[
    "Acme",
    "ACME",
    "acmé",
    "Åcme",
    "a-c-m-e",
    "Quote \"Inc\"",
    "\"",
    "'",
    "\\",
    "\\N",
    "\\l",
    "\\\"",
    "<A&B>",
    "&amp;",
    "]]>",
    "<!--",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\u{0}",
    "\u{1}",
    "\u{1f}",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{200b}",
    "\u{feff}",
    "\u{fffe}",
    "\u{ffff}",
    "🚀",
    "👩‍💻",
    "🇫🇷",
    "شركة الذكاء",
    "חברת בינה",
    "\u{202e}rtl override",
    "Électricité",
    "e\u{301}",
    "ＡＢＣ",
    "ﬁ",
    "ß",
    "İstanbul",
    " ",
    "  ",
    "|",
    " | ",
    "-",
    "_",
    ":",
    "/",
    "#",
    "%20",
    "{}",
    "[]",
    ";",
    ",",
    "=",
    "->",
    "--",
    "digraph",
    "@prefix",
    "^^",
    "\"\"\"",
    "'''",
    "0",
    "1.0e3",
    "-2",
    "Q42",
    "Munich",
    "Deutsche Telekom",
];

/// Infallible reading of choices from fuzz bytes: once the bytes run out every choice is the
/// smallest, so any input gives a (possibly small) graph.
pub struct Choices<'a>(Unstructured<'a>);

impl<'a> Choices<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self(Unstructured::new(data))
    }

    pub fn int(&mut self, range: std::ops::RangeInclusive<usize>) -> usize {
        let start = *range.start();
        self.0.int_in_range(range).unwrap_or(start)
    }

    pub fn bool(&mut self) -> bool {
        self.0.arbitrary().unwrap_or(false)
    }

    pub fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        &items[self.int(0..=items.len() - 1)]
    }

    pub fn char(&mut self) -> char {
        self.0.arbitrary().unwrap_or('a')
    }

    /// A text made of fragments, arbitrary characters and ASCII letters.
    pub fn text(&mut self, max_pieces: usize) -> String {
        let pieces = self.int(0..=max_pieces);
        let mut text = String::new();
        for _ in 0..pieces {
            match self.int(0..=3) {
                0 => text.push_str(self.pick::<&str>(FRAGMENTS)),
                1 => text.push(self.char()),
                2 => text.push(char::from(b'a' + self.int(0..=25) as u8)),
                _ => text.push(char::from(b'A' + self.int(0..=25) as u8)),
            }
        }
        text
    }

    /// A name: new text, a variant of an earlier name (same slug or same folded form), or a long
    /// name.
    pub fn name(&mut self, earlier: &[String]) -> String {
        match self.int(0..=5) {
            0 if !earlier.is_empty() => {
                let base = self.pick(earlier).clone();
                match self.int(0..=3) {
                    0 => base.to_uppercase(),
                    1 => base.to_lowercase(),
                    2 => format!("{base}é"),
                    _ => base.replace(' ', "-"),
                }
            }
            1 => {
                let piece = self.text(3);
                let n = self.int(1..=300);
                let long: String = format!("{piece} Very Long Name & Co. ")
                    .chars()
                    .cycle()
                    .take(n + 100)
                    .collect();
                long
            }
            _ => self.text(6),
        }
    }

    /// An exact decimal in canonical `xsd:decimal` form (`0`, `12`, `2500000000.5`).
    pub fn decimal(&mut self) -> String {
        let digits = self.int(1..=20);
        let mut whole: String =
            (0..digits).map(|_| char::from(b'0' + self.int(0..=9) as u8)).collect();
        let trimmed = whole.trim_start_matches('0');
        whole = if trimmed.is_empty() { "0".to_string() } else { trimmed.to_string() };
        let fraction_digits = self.int(0..=4);
        let fraction: String =
            (0..fraction_digits).map(|_| char::from(b'0' + self.int(0..=9) as u8)).collect();
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            whole
        } else {
            format!("{whole}.{fraction}")
        }
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn date(&mut self) -> String {
        let year = self.int(1900..=2099);
        match self.int(0..=2) {
            0 => format!("{year:04}"),
            1 => format!("{year:04}-{:02}", self.int(1..=12)),
            _ => format!("{year:04}-{:02}-{:02}", self.int(1..=12), self.int(1..=28)),
        }
    }
}

/// The graph the bytes describe. Never fails.
pub fn graph_from_bytes(data: &[u8]) -> KnowledgeGraph {
    let mut c = Choices::new(data);
    let vocabulary = sample_vocabulary();
    let types: Vec<String> = vocabulary.entity_types.keys().cloned().collect();
    let relations: Vec<(String, bool)> =
        vocabulary.relations.values().map(|r| (r.name.clone(), r.symmetric)).collect();

    // Documents, ids unique (the input layer numbers repeats), slugs possibly colliding.
    let mut documents: Vec<DocumentInfo> = Vec::new();
    let mut document_ids: BTreeSet<String> = BTreeSet::new();
    let mut names: Vec<String> = Vec::new();
    for _ in 0..c.int(1..=3) {
        let id = match c.int(0..=2) {
            0 => c.pick(&["doc-a", "Doc A", "doc_a", "DOC-A", "doc-á", "000_34d5"]).to_string(),
            _ => c.name(&names),
        };
        if !document_ids.insert(id.clone()) {
            continue;
        }
        names.push(id.clone());
        let title = c.bool().then(|| c.text(6));
        let url = c.bool().then(|| match c.bool() {
            true => format!("https://example.com/{}?q=1&r=2", c.int(0..=999)),
            false => c.text(4),
        });
        let date = c.bool().then(|| c.date());
        documents.push(DocumentInfo {
            id: id.into(),
            title: title.map(Into::into),
            url: url.map(Into::into),
            date: date.map(Into::into),
        });
    }

    // Entities: ids from type and slug, numbered on a collision.
    let mut entities: Vec<Entity> = Vec::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for _ in 0..c.int(0..=10) {
        let entity_type = c.pick(&types).clone();
        let label = c.name(&names);
        names.push(label.clone());
        let base = format!("{}:{}", entity_type.to_lowercase(), slugify(&label));
        let mut id = base.clone();
        let mut n = 1;
        while ids.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        ids.insert(id.clone());
        let aliases = (0..c.int(0..=3)).map(|_| c.name(&names)).collect();
        let wikidata = c.bool().then(|| format!("Q{}", c.int(1..=99_999_999)));
        let mentions = c.int(0..=5000) as u32;
        entities.push(Entity {
            iri_path: id.replacen(':', "/", 1),
            id,
            label,
            entity_type,
            aliases,
            wikidata,
            mentions,
        });
    }

    // Relations between them; a match (document, span, rule) has one sentence and one date.
    type Match = (String, usize, usize, String);
    let mut matches: BTreeMap<Match, (String, Option<String>)> = BTreeMap::new();
    let mut parts = Vec::new();
    if !entities.is_empty() {
        for _ in 0..c.int(0..=12) {
            let subject = c.pick(&entities).id.clone();
            let object = c.pick(&entities).id.clone();
            let (relation, symmetric) = c.pick(&relations).clone();
            let mut evidence = Vec::new();
            for _ in 0..c.int(1..=3) {
                let document = c.pick(&documents).id.to_string();
                let start = c.int(0..=100_000);
                let sentence = c.text(8);
                let end = start + c.int(0..=sentence.len());
                let rule = match c.bool() {
                    true => format!("fr.{}.rule-{}", relation.to_lowercase(), c.int(0..=3)),
                    false => c.text(3),
                };
                let date = c.bool().then(|| c.date());
                let key = (document.clone(), start, end, rule.clone());
                let (sentence, date) = matches.entry(key).or_insert((sentence, date)).clone();
                evidence.push(Evidence { document, start, end, sentence, rule, date });
            }
            let support = evidence.len() + c.int(0..=3);
            let amount = c.bool().then(|| Amount {
                value: c.decimal(),
                currency: match c.bool() {
                    true => c.pick(&["EUR", "USD", "GBP", "CHF"]).to_string(),
                    false => c.text(2),
                },
            });
            parts.push(RelationPart {
                subject,
                object,
                relation: Relation { relation, symmetric, amount, evidence, support },
            });
        }
    }
    KnowledgeGraph::from_parts(vocabulary, documents, entities, parts)
        .unwrap_or_else(|e| panic!("the generated parts form a graph: {e}"))
}
