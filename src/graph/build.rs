//! Graph building: mentions become entities (entity resolution) and relation matches become
//! edges carrying their evidence.
//!
//! Resolution is by key, so it does not depend on the order documents are processed in:
//! a gazetteer mention's key is its entry; any other mention's key is its type plus its name
//! folded (case, accents), without leading articles, legal suffixes (GmbH, SA, Inc.) or inner
//! connectors (de, d', of) — and when that key is the key of a gazetteer alias of the same type,
//! the mention joins that entry. The same name with different types stays two entities. An
//! untyped proper name becomes an entity only when a relation rule gives it a type.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::extract::{Extraction, Mention, MentionSource};
use crate::graph::model::{Entity, Evidence, GraphError, KnowledgeGraph, Relation, RelationPart};
use crate::graph::{DocumentRef, Documents};
use crate::normalize::fold_str;
use crate::rules::{GazetteerEntry, ResolutionWords, RulePack};
use crate::slug::slugify;

/// The identity of an entity during resolution.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EntityKey {
    Gazetteer(usize),
    /// A type's name (shared by every key of the type, [`SharedNames`]) and a resolution key.
    Named {
        entity_type: Arc<str>,
        key: Box<str>,
    },
}

/// Names that many keys hold, entity types and relations, one allocation each: a key holds a
/// pointer to its name, which orders as the name does.
#[derive(Debug, Default)]
pub(crate) struct SharedNames(BTreeSet<Arc<str>>);

impl SharedNames {
    fn of<'a>(names: impl IntoIterator<Item = &'a String>) -> SharedNames {
        SharedNames(names.into_iter().map(|n| Arc::from(n.as_str())).collect())
    }

    /// The shared `name`, or a new one when it is not among them.
    pub(crate) fn get(&self, name: &str) -> Arc<str> {
        self.0.get(name).cloned().unwrap_or_else(|| Arc::from(name))
    }
}

/// Folded, article-, suffix- and connector-free form of a name.
pub fn resolution_key(name: &str, words: &ResolutionWords) -> String {
    let folded = fold_str(name);
    let tokens = tokens(&folded);
    let mut tokens = &tokens[..];
    while let [first, more @ ..] = tokens {
        if more.is_empty() || !words.articles.contains(*first) {
            break;
        }
        tokens = more;
    }
    while let [fewer @ .., last] = tokens {
        if fewer.is_empty() || !words.legal_suffixes.contains(*last) {
            break;
        }
        tokens = fewer;
    }
    let mut key = String::with_capacity(folded.len());
    for t in tokens.iter().filter(|t| !words.connectors.contains(**t)) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(t.trim_end_matches('\''));
    }
    if key.is_empty() {
        folded
    } else {
        key
    }
}

/// The words of a folded name: split on anything but letters and digits, an elided article kept
/// as its own word with its apostrophe (l', d').
fn tokens(folded: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = folded;
    while !rest.is_empty() {
        let start = rest.find(|c: char| c.is_alphanumeric()).unwrap_or(rest.len());
        rest = &rest[start..];
        let end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
        if end > 0 {
            let elided = rest[end..].starts_with('\'');
            tokens.push(if elided { &rest[..=end] } else { &rest[..end] });
        }
        rest = &rest[end..];
    }
    tokens
}

/// (subject, relation, object) of an edge during building.
pub(crate) type EdgeKey = (EntityKey, Arc<str>, EntityKey);

/// Pieces of evidence in their sort order, without repeats. Up to [`EvidenceSet::FEW`] of them
/// lie in a sorted vector of their own length: most edges have one or two, and a `BTreeSet`
/// takes a node of eleven for them (1,300 bytes with one piece against 112). More go to a
/// `BTreeSet`, so that keeping every piece (`--max-evidence 0`) of an edge that has thousands
/// stays a logarithmic insertion.
#[derive(Debug, Clone)]
pub(crate) enum EvidenceSet {
    Few(Vec<Evidence>),
    Many(BTreeSet<Evidence>),
}

impl Default for EvidenceSet {
    fn default() -> Self {
        EvidenceSet::Few(Vec::new())
    }
}

impl EvidenceSet {
    /// The most pieces kept in a vector; at least the default `--max-evidence`.
    const FEW: usize = 32;

    pub(crate) fn len(&self) -> usize {
        match self {
            EvidenceSet::Few(v) => v.len(),
            EvidenceSet::Many(s) => s.len(),
        }
    }

    pub(crate) fn last(&self) -> Option<&Evidence> {
        match self {
            EvidenceSet::Few(v) => v.last(),
            EvidenceSet::Many(s) => s.last(),
        }
    }

    /// The pieces in their sort order.
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = &Evidence> + '_> {
        match self {
            EvidenceSet::Few(v) => Box::new(v.iter()),
            EvidenceSet::Many(s) => Box::new(s.iter()),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<Evidence> {
        match self {
            EvidenceSet::Few(v) => v,
            EvidenceSet::Many(s) => s.into_iter().collect(),
        }
    }

    /// Adds `evidence` unless it is there already.
    fn insert(&mut self, evidence: Evidence) {
        match self {
            EvidenceSet::Few(v) => {
                let Err(at) = v.binary_search(&evidence) else { return };
                if v.len() < Self::FEW {
                    v.reserve_exact(1);
                    v.insert(at, evidence);
                } else {
                    let mut set: BTreeSet<Evidence> = std::mem::take(v).into_iter().collect();
                    set.insert(evidence);
                    *self = EvidenceSet::Many(set);
                }
            }
            EvidenceSet::Many(s) => {
                s.insert(evidence);
            }
        }
    }

    fn pop_last(&mut self) {
        match self {
            EvidenceSet::Few(v) => {
                v.pop();
            }
            EvidenceSet::Many(s) => {
                s.pop_last();
            }
        }
    }
}

/// What supports one edge while building.
#[derive(Debug, Clone, Default)]
pub(crate) struct EdgeSupport {
    /// The first `max_evidence` pieces of evidence in their sort order (a bounded set, so the
    /// result does not depend on the order they arrive in).
    pub(crate) evidence: EvidenceSet,
    /// Every supporting mention, kept as evidence or not.
    pub(crate) support: usize,
    /// How often each amount was stated.
    pub(crate) amounts: BTreeMap<crate::graph::Amount, usize>,
}

/// Evidence not yet copied: the fields of [`Evidence`], borrowed, compared in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EvidenceRef<'a> {
    document: &'a str,
    start: usize,
    end: usize,
    sentence: &'a str,
    rule: &'a str,
    date: Option<&'a str>,
}

impl<'a> EvidenceRef<'a> {
    fn of(e: &'a Evidence) -> Self {
        EvidenceRef {
            document: &e.document,
            start: e.start,
            end: e.end,
            sentence: &e.sentence,
            rule: &e.rule,
            date: e.date.as_deref(),
        }
    }

    fn to_owned(self) -> Evidence {
        Evidence {
            document: self.document.to_string(),
            start: self.start,
            end: self.end,
            sentence: self.sentence.to_string(),
            rule: self.rule.to_string(),
            date: self.date.map(String::from),
        }
    }
}

impl EdgeSupport {
    /// [`EdgeSupport::add_evidence`] that copies the evidence only when it is kept.
    pub(crate) fn add_evidence_ref(&mut self, evidence: EvidenceRef<'_>, max_evidence: usize) {
        let full = max_evidence > 0 && self.evidence.len() >= max_evidence;
        if full && self.evidence.last().is_some_and(|last| evidence >= EvidenceRef::of(last)) {
            return; // it would be the one dropped
        }
        self.add_evidence(evidence.to_owned(), max_evidence);
    }

    pub(crate) fn add_evidence(&mut self, evidence: Evidence, max_evidence: usize) {
        self.evidence.insert(evidence);
        if max_evidence > 0 && self.evidence.len() > max_evidence {
            self.evidence.pop_last();
        }
    }
}

/// The form of a gazetteer entry that labels its entity when the entry has no label in the
/// language of its mentions: its canonical name when a text wrote it, else the alias the texts
/// wrote most ("Abu Dhabi" in English articles for the entry "Abou Dabi"), as the entry spells it;
/// the first such alias on a tie, the canonical name when no text wrote a form of the entry (a
/// name a description or an acronym brought).
fn written_form<'e>(entry: &'e GazetteerEntry, surfaces: &Counts) -> &'e str {
    let forms: Vec<String> =
        std::iter::once(&entry.name).chain(&entry.aliases).map(|f| fold_str(f)).collect();
    let mut counts = vec![0u32; forms.len()];
    for (surface, n) in surfaces.iter() {
        let folded = fold_str(surface);
        if let Some(i) = forms.iter().position(|f| *f == folded) {
            counts[i] += n;
        }
    }
    if counts[0] > 0 {
        return &entry.name;
    }
    // the first of the most written aliases (`max_by_key` would take the last)
    let mut best: Option<(usize, u32)> = None;
    for (i, &n) in counts.iter().enumerate().skip(1) {
        if n > best.map_or(0, |(_, most)| most) {
            best = Some((i, n));
        }
    }
    best.map_or(entry.name.as_str(), |(i, _)| entry.aliases[i - 1].as_str())
}

/// Default of `--max-evidence`: evidence kept per edge (the weight still counts every mention).
pub const DEFAULT_MAX_EVIDENCE: usize = 20;

/// Counts by name, in the names' order: a vector as long as the names, sorted. An entity has a
/// few names and one or two languages, and a `BTreeMap` takes a node of eleven entries for them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Counts(Vec<(Box<str>, u32)>);

impl Counts {
    /// Adds `n` to the count of `name`, which starts at 0.
    pub(crate) fn add(&mut self, name: &str, n: u32) {
        match self.0.binary_search_by(|(k, _)| (**k).cmp(name)) {
            Ok(i) => self.0[i].1 += n,
            Err(i) => {
                self.0.reserve_exact(1);
                self.0.insert(i, (name.into(), n));
            }
        }
    }

    /// The names and their counts, in the names' order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.0.iter().map(|(k, n)| (&**k, *n))
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct EntityAcc {
    pub(crate) entity_type: Arc<str>,
    pub(crate) surfaces: Counts,
    pub(crate) mentions: u32,
    /// Mentions per document language.
    pub(crate) languages: Counts,
}

pub(crate) struct Resolver<'r> {
    rules: &'r RulePack,
    /// Entity type → resolution key of a gazetteer name or alias → its entry.
    gazetteer_keys: BTreeMap<String, BTreeMap<String, usize>>,
    /// The declared entity types, which the keys share.
    pub(crate) types: SharedNames,
    pub(crate) entities: BTreeMap<EntityKey, EntityAcc>,
}

/// The resolution keys of one document's mentions, each computed the first time it is asked for.
struct MentionKeys(Vec<Option<String>>);

impl<'r> Resolver<'r> {
    fn new(rules: &'r RulePack) -> Self {
        let mut gazetteer_keys: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (i, e) in rules.gazetteer.entries.iter().enumerate() {
            for form in std::iter::once(&e.name).chain(&e.aliases) {
                let key = resolution_key(form, &rules.resolution);
                gazetteer_keys.entry(e.entity_type.clone()).or_default().entry(key).or_insert(i);
            }
        }
        let types = SharedNames::of(rules.vocabulary.entity_types.keys());
        Self { rules, gazetteer_keys, types, entities: BTreeMap::new() }
    }

    /// The key of mention `i` taken as `entity_type`, or `None` if it names no entity.
    /// A definite description takes the key of the mention it refers to.
    fn key(
        &self,
        mentions: &[Mention],
        keys: &mut MentionKeys,
        i: usize,
        entity_type: &str,
    ) -> Option<EntityKey> {
        let mention = &mentions[i];
        if let Some(j) = mention.refers_to {
            return self.key(mentions, keys, j, entity_type);
        }
        match &mention.source {
            MentionSource::Gazetteer { entry } => Some(EntityKey::Gazetteer(*entry)),
            MentionSource::Demonym { place } => Some(EntityKey::Gazetteer(*place)),
            MentionSource::Money { .. } | MentionSource::Date { .. } => None,
            MentionSource::Pattern { .. } | MentionSource::Abbreviation => {
                let key = keys.0[i]
                    .get_or_insert_with(|| resolution_key(&mention.text, &self.rules.resolution));
                let entry = self.gazetteer_keys.get(entity_type).and_then(|k| k.get(key.as_str()));
                Some(match entry {
                    Some(&entry) => EntityKey::Gazetteer(entry),
                    None => EntityKey::Named {
                        entity_type: self.types.get(entity_type),
                        key: key.as_str().into(),
                    },
                })
            }
        }
    }

    /// Records another name of an entity without counting a mention.
    fn add_surface(&mut self, key: &EntityKey, surface: &str) {
        if let Some(acc) = self.entities.get_mut(key) {
            acc.surfaces.add(surface, 0);
        }
    }

    fn add(
        &mut self,
        key: &EntityKey,
        entity_type: &str,
        surface: Option<&str>,
        lang: Option<&str>,
    ) {
        let entity_type = match key {
            EntityKey::Gazetteer(i) => self.rules.gazetteer.entries[*i].entity_type.as_str(),
            EntityKey::Named { .. } => entity_type,
        };
        let types = &self.types;
        let update = |acc: &mut EntityAcc| {
            if let Some(l) = lang {
                acc.languages.add(l, 1);
            }
            if *acc.entity_type != *entity_type {
                acc.entity_type = types.get(entity_type);
            }
            acc.mentions += 1;
            if let Some(s) = surface {
                acc.surfaces.add(s, 1);
            }
        };
        // most adds meet an entity, a language and a name seen before: one search, and nothing is
        // copied then
        match self.entities.get_mut(key) {
            Some(acc) => update(acc),
            None => {
                let mut acc = EntityAcc::default();
                update(&mut acc);
                self.entities.insert(key.clone(), acc);
            }
        }
    }
}

/// Accumulates extractions into entities and edges, one document at a time, and turns them into
/// the canonical graph at the end. It keeps no text but evidence sentences, so memory grows with
/// the graph, not with the corpus; and its state is a sum (counts add, evidence unites), so
/// builders fed with parts of a corpus merge into the builder of the whole (`graph::partial`).
pub struct GraphBuilder<'r> {
    pub(crate) rules: &'r RulePack,
    pub(crate) resolver: Resolver<'r>,
    /// (subject key, relation, object key) -> (evidence, amounts)
    pub(crate) edges: BTreeMap<EdgeKey, EdgeSupport>,
    /// The declared relations, which the edges' keys share.
    pub(crate) relations: SharedNames,
    /// Gazetteer entries by type and name, the first of each, for the keys partial graphs
    /// write (`graph::partial`); made the first time a partial graph is merged.
    pub(crate) gazetteer_entries: OnceCell<HashMap<(&'r str, &'r str), usize>>,
    pub(crate) documents: Documents,
    /// Evidence kept per edge; 0 keeps all.
    pub(crate) max_evidence: usize,
    /// Partial graphs merged so far (the first sets `max_evidence`, the others must agree).
    pub(crate) partials: usize,
}

impl<'r> GraphBuilder<'r> {
    pub fn new(rules: &'r RulePack) -> Self {
        Self {
            rules,
            resolver: Resolver::new(rules),
            edges: BTreeMap::new(),
            relations: SharedNames::of(rules.vocabulary.relations.keys()),
            gazetteer_entries: OnceCell::new(),
            documents: Documents::spilling(),
            max_evidence: DEFAULT_MAX_EVIDENCE,
            partials: 0,
        }
    }

    /// Keeps at most `max` pieces of evidence per edge (the first in document order); 0 keeps
    /// all. The edge weight counts every supporting mention either way.
    pub fn with_max_evidence(mut self, max: usize) -> Self {
        self.max_evidence = max;
        self
    }

    /// Why the documents stay in memory instead of a temporary file, if it could not be made or
    /// written ([`Documents::spilling`]).
    pub fn spill_failure(&self) -> Option<&str> {
        self.documents.spill_failure()
    }

    /// Adds one document's mentions and relations.
    pub fn add(&mut self, ex: &Extraction) {
        self.documents.push(DocumentRef::of(&ex.document));
        let keys = &mut MentionKeys(vec![None; ex.mentions.len()]);
        // typed mentions are entities on their own
        for (i, m) in ex.mentions.iter().enumerate() {
            let declared = self.rules.vocabulary.entity_types.contains_key(&m.mention_type);
            if declared {
                if let Some(key) = self.resolver.key(&ex.mentions, keys, i, &m.mention_type) {
                    // a description ("le centre de calcul") or a demonym is not a name of the entity
                    let named =
                        !m.description && !matches!(m.source, MentionSource::Demonym { .. });
                    let surface = named.then_some(m.text.as_str());
                    self.resolver.add(&key, &m.mention_type, surface, ex.lang.as_deref());
                    // a description of an untyped name gives the entity that name
                    if let Some(name) = described_name(&ex.mentions, m) {
                        self.resolver.add_surface(&key, name);
                    }
                }
            }
        }
        // the acronyms introduced after a full name, by the full name they refer to
        let acronyms: Vec<(usize, &str)> = ex
            .mentions
            .iter()
            .filter(|a| !a.description)
            .filter_map(|a| Some((a.refers_to?, a.text.as_str())))
            .collect();
        for r in &ex.relations {
            let Some(decl) = self.rules.vocabulary.relation(&r.relation) else {
                continue;
            };
            let bound: BTreeMap<usize, &str> =
                r.bound_types.iter().map(|(i, t)| (*i, t.as_str())).collect();
            let amount = r.amount.and_then(|i| match &ex.mentions[i].source {
                MentionSource::Money { amount, .. } => Some(amount.clone()),
                _ => None,
            });
            let evidence = EvidenceRef {
                document: &ex.document.id,
                start: r.original_start,
                end: r.original_end,
                sentence: ex.sentence_text(r.sentence),
                rule: &r.rule,
                date: r.date.and_then(|i| match &ex.mentions[i].source {
                    MentionSource::Date { value, .. } => Some(value.as_str()),
                    _ => None,
                }),
            };
            for &(s, o) in &r.pairs {
                let (Some(st), Some(ot)) = (bound.get(&s), bound.get(&o)) else {
                    continue;
                };
                if !decl.domain.iter().any(|d| d == st) || !decl.range.iter().any(|d| d == ot) {
                    continue;
                }
                let (Some(sk), Some(ok)) = (
                    self.resolver.key(&ex.mentions, keys, s, st),
                    self.resolver.key(&ex.mentions, keys, o, ot),
                ) else {
                    continue;
                };
                if sk == ok {
                    continue;
                }
                // untyped names and demonyms enter the graph through the relations that bind them
                for (i, key, t) in [(s, &sk, st), (o, &ok, ot)] {
                    let m = &ex.mentions[i];
                    if !self.rules.vocabulary.entity_types.contains_key(&m.mention_type) {
                        let surface = (m.mention_type == "Name").then_some(m.text.as_str());
                        self.resolver.add(key, t, surface, ex.lang.as_deref());
                    }
                    // an acronym brings the full name it was introduced with, and the full
                    // name the acronym introduced after it
                    if let (Some(j), false) = (m.refers_to, m.description) {
                        self.resolver.add_surface(key, &ex.mentions[j].text);
                    }
                    for (_, acronym) in acronyms.iter().filter(|(full, _)| *full == i) {
                        self.resolver.add_surface(key, acronym);
                    }
                    if let Some(name) = described_name(&ex.mentions, m) {
                        self.resolver.add_surface(key, name);
                    }
                }
                let (sk, ok) = if decl.symmetric && ok < sk { (ok, sk) } else { (sk, ok) };
                let relation = self.relations.get(&r.relation);
                let entry = self.edges.entry((sk, relation, ok)).or_default();
                entry.add_evidence_ref(evidence, self.max_evidence);
                entry.support += 1;
                if let Some(a) = &amount {
                    *entry.amounts.entry(a.clone()).or_insert(0) += 1;
                }
            }
        }
    }

    /// Labels, ids and slugs, then the canonical graph.
    pub fn finish(self) -> Result<KnowledgeGraph, GraphError> {
        // entities by their rank in key order, so that nothing copies their keys
        let keys: Vec<&EntityKey> = self.resolver.entities.keys().collect();
        let rank = |key: &EntityKey| keys.binary_search(&key).expect("an edge joins entities");
        let mut by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut labels: Vec<String> = Vec::with_capacity(keys.len());
        for (key, acc) in &self.resolver.entities {
            // a gazetteer entity is labelled in the language most of its mentions are in, when the
            // entry has a label in that language, else by its canonical name when they are in the
            // language of the canonical names, else by the form of the entry its texts write; its
            // id stays that of its canonical name
            let mut slug_name = None;
            let label = match key {
                EntityKey::Gazetteer(i) => {
                    let entry = &self.rules.gazetteer.entries[*i];
                    slug_name = Some(entry.name.as_str());
                    let majority = acc
                        .languages
                        .iter()
                        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                        .map(|(l, _)| l);
                    // mentions of no known language keep the canonical name
                    let names_lang = self.rules.resolution.name_lang.as_deref();
                    let other_lang = names_lang.is_some_and(|n| majority.is_some_and(|l| l != n));
                    match majority.and_then(|l| entry.labels.get(l)) {
                        Some(label) => label.clone(),
                        None if other_lang => written_form(entry, &acc.surfaces).to_string(),
                        None => entry.name.clone(),
                    }
                }
                EntityKey::Named { .. } => acc
                    .surfaces
                    .iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(a.0.len().cmp(&b.0.len())).then(b.0.cmp(a.0)))
                    .map(|(s, _)| s.to_string())
                    .unwrap_or_default(),
            };
            let base = format!(
                "{}:{}",
                acc.entity_type.to_lowercase(),
                slugify(slug_name.unwrap_or(&label))
            );
            by_id.entry(base).or_default().push(labels.len());
            labels.push(label);
        }
        let mut ids: Vec<String> = vec![String::new(); keys.len()];
        for (i, id) in number_collisions(by_id) {
            ids[i] = id;
        }
        let mut entities = Vec::with_capacity(self.resolver.entities.len());
        for (i, (key, acc)) in self.resolver.entities.iter().enumerate() {
            let id = ids[i].clone();
            let label = std::mem::take(&mut labels[i]);
            let mut aliases: BTreeSet<String> =
                acc.surfaces.iter().map(|(s, _)| s.to_string()).collect();
            if let EntityKey::Gazetteer(i) = key {
                aliases.insert(self.rules.gazetteer.entries[*i].name.clone());
            }
            aliases.remove(&label);
            let wikidata = match key {
                EntityKey::Gazetteer(i) => self.rules.gazetteer.entries[*i].qid.clone(),
                EntityKey::Named { .. } => None,
            };
            entities.push(Entity {
                iri_path: id.replacen(':', "/", 1),
                id,
                label,
                entity_type: acc.entity_type.to_string(),
                aliases: aliases.into_iter().collect(),
                wikidata,
                mentions: acc.mentions,
            });
        }
        let mut relations = Vec::with_capacity(self.edges.len());
        for ((sk, name, ok), support) in self.edges {
            let symmetric = self.rules.vocabulary.relation(&name).is_some_and(|d| d.symmetric);
            // the amount stated most often; ties go to the larger value, then the smaller code
            let amount = support
                .amounts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| compare_amounts(a.0, b.0)))
                .map(|(a, _)| a.clone());
            relations.push(RelationPart {
                subject: ids[rank(&sk)].clone(),
                object: ids[rank(&ok)].clone(),
                relation: Relation {
                    relation: name.to_string(),
                    symmetric,
                    amount,
                    evidence: support.evidence.into_vec(),
                    support: support.support,
                },
            });
        }
        KnowledgeGraph::from_parts(
            self.rules.vocabulary.clone(),
            self.documents,
            entities,
            relations,
        )
    }
}

/// Builds the graph from the extractions of all documents.
pub fn build_graph(
    extractions: &[Extraction],
    rules: &RulePack,
) -> Result<KnowledgeGraph, GraphError> {
    let mut builder = GraphBuilder::new(rules);
    for ex in extractions {
        builder.add(ex);
    }
    builder.finish()
}

/// Ids for keys grouped by base id (`organization:acme`): the first key of each base gets the
/// base, the others `{base}-2`, `{base}-3` …, skipping any id already given, since another base
/// may itself end in `-2` (`Acme 2`).
fn number_collisions<K: Ord>(by_base: BTreeMap<String, Vec<K>>) -> BTreeMap<K, String> {
    let mut taken: BTreeSet<String> = by_base.keys().cloned().collect();
    let mut ids = BTreeMap::new();
    for (base, keys) in by_base {
        let mut n = 1;
        for (i, key) in keys.into_iter().enumerate() {
            let id = if i == 0 {
                base.clone()
            } else {
                loop {
                    n += 1;
                    let id = format!("{base}-{n}");
                    if taken.insert(id.clone()) {
                        break id;
                    }
                }
            };
            ids.insert(key, id);
        }
    }
    ids
}

fn compare_amounts(a: &crate::graph::Amount, b: &crate::graph::Amount) -> std::cmp::Ordering {
    let num = |v: &str| v.parse::<f64>().unwrap_or(0.0);
    num(&a.value).total_cmp(&num(&b.value)).then(b.currency.cmp(&a.currency))
}

/// The untyped name a definite description refers to ("la start-up" for "Kalix" found only as a
/// proper name), which the description's entity takes as its name.
fn described_name<'m>(mentions: &'m [Mention], m: &Mention) -> Option<&'m str> {
    let antecedent = &mentions[m.refers_to.filter(|_| m.description)?];
    (antecedent.mention_type == "Name").then_some(antecedent.text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;

    fn evidence() -> impl Strategy<Value = Evidence> {
        let text = "[ab]{0,2}";
        (text, 0..3usize, 0..3usize, text, text, proptest::option::of(text)).prop_map(
            |(document, start, end, sentence, rule, date)| Evidence {
                document,
                start,
                end,
                sentence,
                rule,
                date,
            },
        )
    }

    proptest! {
        /// Borrowed evidence orders as the evidence it copies into, so the bounded set keeps the
        /// same pieces whether it is given one or the other.
        #[test]
        fn borrowed_evidence_orders_as_evidence(a in evidence(), b in evidence()) {
            prop_assert_eq!(EvidenceRef::of(&a).cmp(&EvidenceRef::of(&b)), a.cmp(&b));
            prop_assert_eq!(EvidenceRef::of(&a).to_owned(), a);
        }

        /// Counts by name add up as a `BTreeMap` of them does, in the same order.
        #[test]
        fn counts_add_up_as_a_btreemap(adds in proptest::collection::vec(("[ab]{0,3}", 0..3u32), 0..40)) {
            let (mut counts, mut map) = (Counts::default(), BTreeMap::<String, u32>::new());
            for (name, n) in &adds {
                counts.add(name, *n);
                *map.entry(name.clone()).or_insert(0) += n;
            }
            let listed: Vec<(String, u32)> = counts.iter().map(|(k, n)| (k.to_string(), n)).collect();
            prop_assert_eq!(listed, map.into_iter().collect::<Vec<_>>());
        }

        /// The evidence an edge keeps is that of a `BTreeSet` bounded the same way, whatever
        /// the bound (0: every piece) and however many pieces come, in a vector or past it.
        #[test]
        fn an_edges_evidence_is_that_of_a_bounded_btreeset(
            pieces in proptest::collection::vec(evidence(), 0..120),
            max in prop_oneof![Just(0usize), 1..40usize],
        ) {
            let (mut support, mut set) = (EdgeSupport::default(), BTreeSet::new());
            for e in pieces {
                support.add_evidence_ref(EvidenceRef::of(&e), max);
                set.insert(e);
                if max > 0 && set.len() > max {
                    set.pop_last();
                }
                prop_assert_eq!(support.evidence.len(), set.len());
                prop_assert_eq!(support.evidence.last(), set.last());
            }
            let kept: Vec<&Evidence> = support.evidence.iter().collect();
            prop_assert_eq!(kept, set.iter().collect::<Vec<_>>());
            prop_assert_eq!(support.evidence.into_vec(), set.into_iter().collect::<Vec<_>>());
        }
    }

    /// The key as first written: the words in a vector that loses its leading articles one by
    /// one and its trailing suffixes, then the kept ones joined.
    fn key_as_written(name: &str, words: &ResolutionWords) -> String {
        let folded = fold_str(name);
        let mut tokens = tokens(&folded);
        while tokens.len() > 1 && words.articles.contains(tokens[0]) {
            tokens.remove(0);
        }
        while tokens.len() > 1 && words.legal_suffixes.contains(*tokens.last().unwrap()) {
            tokens.pop();
        }
        let kept: Vec<&str> = tokens
            .iter()
            .copied()
            .filter(|t| !words.connectors.contains(*t))
            .map(|t| t.trim_end_matches('\''))
            .collect();
        if kept.is_empty() {
            folded
        } else {
            kept.join(" ")
        }
    }

    fn words() -> ResolutionWords {
        ResolutionWords {
            articles: ["le", "la", "l'", "the"].iter().map(|s| s.to_string()).collect(),
            legal_suffixes: ["gmbh", "sa", "inc"].iter().map(|s| s.to_string()).collect(),
            connectors: ["de", "d'", "of"].iter().map(|s| s.to_string()).collect(),
            apposition_openers: BTreeSet::new(),
            subject_verbs: BTreeSet::new(),
            abbreviations: false,
            not_abbreviations: BTreeSet::new(),
            name_lang: None,
            name_articles: Vec::new(),
        }
    }

    proptest! {
        #[test]
        fn keys_are_those_of_the_first_way_of_making_them(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Le", "la", "L'", "l'", "The", "GmbH", "SA", "Inc.", "de", "D'", "d'", "of",
                    "Usine", "IA", "École", "x", "'", "’", " ", ", ", "-", ".", "2",
                ]),
                0..8,
            ),
            spaced in proptest::bool::ANY,
        ) {
            let name = parts.join(if spaced { " " } else { "" });
            prop_assert_eq!(resolution_key(&name, &words()), key_as_written(&name, &words()));
        }
    }

    #[test]
    fn keys_ignore_case_accents_articles_suffixes_and_connectors() {
        let words = words();
        let k = |s: &str| resolution_key(s, &words);
        assert_eq!(k("Usine d'IA souveraine"), k("usine IA souveraine"));
        assert_eq!(k("l'Université de Munich"), "universite munich");
        assert_eq!(k("Helsing GmbH"), k("HELSING"));
        assert_eq!(k("Acme, Inc."), "acme");
        assert_eq!(k("The Boring Company"), "boring company");
        assert_ne!(k("Telekom"), k("Deutsche Telekom"));
        assert_eq!(k("La"), "la");
    }

    #[test]
    fn documents_spilled_while_building_are_exported_as_kept_in_memory() {
        use crate::export::{json::write_json, turtle::write_turtle, ExportOptions};
        let rules = crate::rules::bundled();
        // enough documents to fill blocks of tests (8), some fields absent, ids not in order
        let documents: Vec<crate::input::Document> = (0..30)
            .map(|i| crate::input::Document {
                info: crate::graph::DocumentInfo {
                    id: format!("d{:02}", (i * 7) % 30).into(),
                    title: (i % 4 != 1).then(|| format!("Titre n° {i}").into()),
                    url: (i % 3 == 0).then(|| format!("https://example.org/a/{i}").into()),
                    date: (i % 2 == 0).then(|| "2026-12-06".into()),
                },
                text: format!("Brisalis s'associe à Octarine {i}."),
                source: "test".into(),
                lang: None,
            })
            .collect();
        let extractions: Vec<Extraction> =
            documents.iter().map(|d| crate::extract::extract(d, &rules)).collect();
        let exports = |builder: GraphBuilder<'_>| {
            let mut builder = builder;
            extractions.iter().for_each(|ex| builder.add(ex));
            let spilled = builder.documents.spilled_bytes();
            let graph = builder.finish().unwrap();
            let (mut ttl, mut json) = (Vec::new(), Vec::new());
            write_turtle(&graph, &ExportOptions::default(), &mut ttl).unwrap();
            write_json(&graph, &ExportOptions::default(), &mut json).unwrap();
            (spilled, String::from_utf8(ttl).unwrap(), json)
        };
        let (spilled, ttl, json) = exports(GraphBuilder::new(&rules));
        let mut in_memory = GraphBuilder::new(&rules);
        in_memory.documents = Documents::default();
        let (none, ttl_in_memory, json_in_memory) = exports(in_memory);
        assert!(spilled > 0 && none == 0, "{spilled} and {none} bytes spilled");
        assert_eq!(ttl, ttl_in_memory);
        assert_eq!(json, json_in_memory);
        assert!(ttl.contains("Titre n° 28") && ttl.contains("https://example.org/a/27"));
    }

    #[test]
    fn an_entry_without_a_label_in_its_articles_language_is_labelled_as_they_write_it() {
        let rules = crate::rules::bundled();
        let label_of = |texts: &[(&str, Option<&str>)], id: &str| {
            let mut builder = GraphBuilder::new(&rules);
            for (i, (text, lang)) in texts.iter().enumerate() {
                let document = crate::input::Document {
                    info: crate::graph::DocumentInfo {
                        id: format!("d{i}").into(),
                        title: None,
                        url: None,
                        date: None,
                    },
                    text: text.to_string(),
                    source: "test".into(),
                    lang: lang.map(str::to_string),
                };
                builder.add(&crate::extract::extract(&document, &rules));
            }
            let graph = builder.finish().unwrap();
            let entity = graph.entities().find(|e| e.id == id);
            entity.map(|e| e.label.clone()).unwrap_or_else(|| panic!("no {id}"))
        };
        let abu = "place:abou-dabi";
        // the entry "Abou Dabi" has no English label: English articles name it as they write it
        let english = "Kalix Capital, an Abu Dhabi-based fund, opened an office in Abu Dhabi.";
        assert_eq!(label_of(&[(english, Some("en"))], abu), "Abu Dhabi");
        // French articles keep the canonical name, which is French, whatever form they write
        let french = "Le fonds Kalix Capital a ouvert un bureau à Abu Dhabi.";
        assert_eq!(label_of(&[(french, Some("fr"))], abu), "Abou Dabi");
        // an entry with an English label keeps it ("UK" is one of its aliases)
        let uk = "Kalix Capital, a UK-based fund, opened an office in Abu Dhabi.";
        assert_eq!(label_of(&[(uk, Some("en"))], "place:royaume-uni"), "United Kingdom");
        // a document whose language is neither given nor told by its words keeps the canonical
        // name, whatever form it writes
        let untold = "Abu Dhabi: Kalix Capital, Abu Dhabi.";
        assert_eq!(crate::lang::detect(untold), None);
        assert_eq!(label_of(&[(untold, None)], abu), "Abou Dabi");
    }

    #[test]
    fn numbered_ids_never_take_another_base() {
        // `A&B` and `A B` share the base `a-b`; `A B 2` has the base `a-b-2` of its own
        let by_base = BTreeMap::from([
            ("organization:a-b".to_string(), vec!["A&B", "A B", "A. B."]),
            ("organization:a-b-2".to_string(), vec!["A B 2"]),
        ]);
        let ids = number_collisions(by_base);
        assert_eq!(ids["A&B"], "organization:a-b");
        assert_eq!(ids["A B 2"], "organization:a-b-2");
        assert_eq!(ids["A B"], "organization:a-b-3");
        assert_eq!(ids["A. B."], "organization:a-b-4");
        let distinct: BTreeSet<&String> = ids.values().collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
