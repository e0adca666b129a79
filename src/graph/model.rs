//! The knowledge graph as data: entities, relations with evidence, documents and the vocabulary.
//!
//! It knows no syntax (exporters do) and no rules (the builder does). A [`KnowledgeGraph`] is always
//! canonical: nodes sorted by id, edges sorted by (subject id, relation, object id), symmetric edges
//! stored once with subject id < object id, evidence sorted and deduplicated. Exporters can therefore
//! walk it in order and get byte-identical output for the same input.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::graph::{DocumentList, Documents};
use crate::vocab::Vocabulary;

/// An amount of money stated with an investment.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Amount {
    /// Canonical `xsd:decimal` lexical form: no exponent, no leading zeros, no trailing `.0`
    /// (`1000000000`, `2500000000`, `0.5`).
    pub value: String,
    /// ISO 4217 code (`EUR`, `USD`).
    pub currency: String,
}

/// One real-world entity: all its aliases merged into one node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entity {
    /// Stable node id, unique in the graph: `{type in lower case}:{slug}` (`organization:aleph-alpha`).
    /// Only ASCII letters, digits, `-`, `_`, `.` and one `:`, so it is an XML NMTOKEN and safe in DOT.
    pub id: String,
    /// IRI path below the base IRI: `{type in lower case}/{slug}` (`organization/aleph-alpha`).
    pub iri_path: String,
    /// Canonical label: for a gazetteer entry, its label in the language of most of its mentions,
    /// else its canonical name in the language of the canonical names, else the form of it the
    /// texts write most; for another entity, the most frequent surface form.
    pub label: String,
    /// Declared entity type name (`Organization`).
    pub entity_type: String,
    /// Other surface forms seen in the text, sorted, without the label.
    pub aliases: Vec<String>,
    /// Wikidata QID (`Q42`) when the gazetteer gives one.
    pub wikidata: Option<String>,
    /// Number of mentions in the corpus.
    pub mentions: u32,
}

/// Where a relation was read: one evidence per supporting match.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Evidence {
    /// Document id.
    pub document: String,
    /// Byte offset of the match start in the document's original text.
    pub start: usize,
    /// Byte offset of the match end (exclusive) in the original text.
    pub end: usize,
    /// The sentence, as it stands in the original text.
    pub sentence: String,
    /// Id of the rule that matched.
    pub rule: String,
    /// When it happened, as the sentence dates it (a rule's `date` slot): ISO 8601 `YYYY`,
    /// `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// One edge: (subject, relation, object) with everything that supports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Relation {
    /// Declared relation name (`partnerOf`).
    pub relation: String,
    /// Symmetric relations are undirected; stored once with subject id < object id.
    pub symmetric: bool,
    /// Amount stated with the relation, if any.
    pub amount: Option<Amount>,
    /// Sorted, distinct, never empty; at most the first `--max-evidence` of them in that order.
    pub evidence: Vec<Evidence>,
    /// Number of supporting mentions, all of them, kept or not as evidence (≥ evidence count).
    pub support: usize,
}

impl Relation {
    /// Number of supporting mentions (≥ 1).
    pub fn weight(&self) -> usize {
        self.support.max(self.evidence.len())
    }
}

/// A source document as it appears in the graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct DocumentInfo {
    /// Document id (file stem, or the `id` of a JSONL record); unique.
    pub id: Box<str>,
    pub title: Option<Box<str>>,
    pub url: Option<Box<str>>,
    pub date: Option<Box<str>>,
}

/// An edge seen from the exporters: both ends and the relation.
#[derive(Debug, Clone, Copy)]
pub struct EdgeView<'g> {
    pub subject: &'g Entity,
    pub object: &'g Entity,
    pub relation: &'g Relation,
}

/// Why parts could not form a graph. These are bugs of the caller, never of the input text.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GraphError {
    #[error("two entities have the id {0:?}")]
    DuplicateEntity(String),
    #[error("a relation names the unknown entity {0:?}")]
    UnknownEntity(String),
    #[error("relation {relation:?} between {subject:?} and {object:?} has no evidence")]
    NoEvidence { subject: String, object: String, relation: String },
    #[error("two documents have the id {0:?}")]
    DuplicateDocument(String),
    /// The documents' spill file could not be read back (see [`Documents::spilling`]).
    #[error("cannot read the documents back from their temporary file: {0}")]
    Documents(String),
}

/// A relation given to [`KnowledgeGraph::from_parts`] by entity ids.
#[derive(Debug, Clone)]
pub struct RelationPart {
    pub subject: String,
    pub object: String,
    pub relation: Relation,
}

/// The graph every exporter reads. See the module docs for its invariants.
#[derive(Debug, Clone)]
pub struct KnowledgeGraph {
    pub vocabulary: Vocabulary,
    documents: Documents,
    /// The documents' positions in `documents`, sorted by id: sorted when first asked for, so
    /// that the ids a graph being built spilled are read back only by the exports.
    order: std::sync::OnceLock<Vec<u32>>,
    graph: DiGraph<Entity, Relation>,
}

impl KnowledgeGraph {
    /// Builds the canonical graph. Relations with the same (subject, relation, object) are merged
    /// (evidence united, weight summed); symmetric ones are oriented subject id < object id first.
    pub fn from_parts(
        vocabulary: Vocabulary,
        documents: impl Into<Documents>,
        mut entities: Vec<Entity>,
        mut relations: Vec<RelationPart>,
    ) -> Result<Self, GraphError> {
        let documents = documents.into();
        let duplicate =
            documents.duplicate_id().map_err(|e| GraphError::Documents(e.to_string()))?;
        if let Some(id) = duplicate {
            return Err(GraphError::DuplicateDocument(id));
        }
        let order = std::sync::OnceLock::new();
        entities.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(pair) = entities.windows(2).find(|pair| pair[0].id == pair[1].id) {
            return Err(GraphError::DuplicateEntity(pair[0].id.clone()));
        }
        let mut graph = DiGraph::with_capacity(entities.len(), relations.len());
        for mut entity in entities {
            entity.aliases.retain(|a| *a != entity.label);
            entity.aliases.sort();
            entity.aliases.dedup();
            graph.add_node(entity);
        }
        // the nodes are in id order, so an id's node is found by binary search, with no map of
        // the ids beside them
        let node_of = |graph: &DiGraph<Entity, Relation>, id: &str| {
            graph
                .raw_nodes()
                .binary_search_by(|n| n.weight.id.as_str().cmp(id))
                .ok()
                .map(NodeIndex::new)
        };
        for part in &mut relations {
            for id in [&part.subject, &part.object] {
                if node_of(&graph, id).is_none() {
                    return Err(GraphError::UnknownEntity(id.clone()));
                }
            }
            if part.relation.evidence.is_empty() {
                return Err(GraphError::NoEvidence {
                    subject: part.subject.clone(),
                    object: part.object.clone(),
                    relation: part.relation.relation.clone(),
                });
            }
            if part.relation.symmetric && part.object < part.subject {
                std::mem::swap(&mut part.subject, &mut part.object);
            }
        }
        // the parts in (subject, relation, object) order, those of one edge merged in place:
        // counts add, evidence unites, the larger amount stays (none depends on their order)
        relations.sort_unstable_by(|a, b| part_key(a).cmp(&part_key(b)));
        let mut parts = relations.into_iter().peekable();
        while let Some(RelationPart { subject, object, mut relation }) = parts.next() {
            let same = |n: &RelationPart| {
                part_key(n) == (subject.as_str(), relation.relation.as_str(), object.as_str())
            };
            while let Some(next) = parts.next_if(same) {
                relation.support += next.relation.support;
                relation.evidence.extend(next.relation.evidence);
                relation.amount = relation.amount.take().max(next.relation.amount);
            }
            let evidence: BTreeSet<Evidence> = relation.evidence.drain(..).collect();
            relation.evidence = evidence.into_iter().collect();
            relation.support = relation.support.max(relation.evidence.len());
            let (s, o) = (node_of(&graph, &subject), node_of(&graph, &object));
            graph.add_edge(s.expect("checked above"), o.expect("checked above"), relation);
        }
        Ok(Self { vocabulary, documents, order, graph })
    }

    /// Documents, sorted by id. The first call sorts them, reading their ids from the spill
    /// file when the graph was built with them spilled, and panics if it cannot
    /// ([`KnowledgeGraph::sort_documents`] reports that instead).
    pub fn documents(&self) -> DocumentList<'_> {
        if let Err(e) = self.sort_documents() {
            panic!("cannot read the documents' ids back from their temporary file: {e}");
        }
        DocumentList::new(&self.documents, self.order.get().expect("sorted just above"))
    }

    /// Sorts the documents by id, if they are not yet: their ids are read from the spill file
    /// when the graph was built with them spilled (see [`Documents::spilling`]), once the
    /// automata are gone, and dropped after the sort.
    pub fn sort_documents(&self) -> std::io::Result<()> {
        if self.order.get().is_none() {
            let order = self.documents.order_by_id()?;
            let _ = self.order.set(order);
        }
        Ok(())
    }

    /// Entities, sorted by id.
    pub fn entities(&self) -> impl Iterator<Item = &Entity> + '_ {
        self.graph.node_weights()
    }

    /// Edges, sorted by (subject id, relation, object id).
    pub fn edges(&self) -> impl ExactSizeIterator<Item = EdgeView<'_>> + '_ {
        self.graph.edge_indices().map(move |e| {
            let (s, o) = self.graph.edge_endpoints(e).expect("edge index from this graph");
            EdgeView { subject: &self.graph[s], object: &self.graph[o], relation: &self.graph[e] }
        })
    }

    /// The underlying petgraph, for graph algorithms. Node and edge indices follow the sorted order.
    pub fn petgraph(&self) -> &DiGraph<Entity, Relation> {
        &self.graph
    }

    pub fn entity_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn relation_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Number of edges per relation name.
    pub fn relation_counts(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for edge in self.graph.edge_weights() {
            *counts.entry(edge.relation.as_str()).or_insert(0) += 1;
        }
        counts
    }
}

/// The (subject, relation, object) an edge part is ordered and merged by.
fn part_key(p: &RelationPart) -> (&str, &str, &str) {
    (p.subject.as_str(), p.relation.relation.as_str(), p.object.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::sample::sample_vocabulary;
    use crate::graph::DocumentInfo;

    fn entity(id: &str) -> Entity {
        Entity {
            id: id.into(),
            iri_path: id.replacen(':', "/", 1),
            label: id.into(),
            entity_type: "Organization".into(),
            aliases: vec![],
            wikidata: None,
            mentions: 1,
        }
    }

    fn part(subject: &str, relation: &str, object: &str, documents: &[&str]) -> RelationPart {
        let evidence = documents
            .iter()
            .map(|d| Evidence {
                document: d.to_string(),
                start: 0,
                end: 1,
                sentence: "s".into(),
                rule: "r".into(),
                date: None,
            })
            .collect();
        RelationPart {
            subject: subject.into(),
            object: object.into(),
            relation: Relation {
                relation: relation.into(),
                symmetric: relation == "partnerOf",
                amount: None,
                evidence,
                support: documents.len(),
            },
        }
    }

    fn graph(entities: &[&str], parts: Vec<RelationPart>) -> Result<KnowledgeGraph, GraphError> {
        let documents = ["d1", "d2"].map(|id| DocumentInfo {
            id: id.into(),
            title: None,
            url: None,
            date: None,
        });
        let entities = entities.iter().map(|id| entity(id)).collect();
        KnowledgeGraph::from_parts(sample_vocabulary(), documents.to_vec(), entities, parts)
    }

    /// The parts of one edge (a symmetric one written both ways) make one edge, their support
    /// added and their evidence united; edges come in (subject, relation, object) order.
    #[test]
    fn parts_of_one_edge_make_one_edge() {
        let parts = vec![
            part("organization:b", "partnerOf", "organization:a", &["d1", "d2"]),
            part("organization:a", "investsIn", "organization:b", &["d1"]),
            part("organization:a", "partnerOf", "organization:b", &["d2"]),
        ];
        let g = graph(&["organization:b", "organization:a"], parts).unwrap();
        let edges: Vec<(&str, &str, &str, usize, usize)> = g
            .edges()
            .map(|e| {
                let r = e.relation;
                (
                    e.subject.id.as_str(),
                    r.relation.as_str(),
                    e.object.id.as_str(),
                    r.support,
                    r.evidence.len(),
                )
            })
            .collect();
        assert_eq!(
            edges,
            [
                ("organization:a", "investsIn", "organization:b", 1, 1),
                ("organization:a", "partnerOf", "organization:b", 3, 2),
            ]
        );
    }

    #[test]
    fn a_repeated_entity_an_unknown_entity_and_an_edge_without_evidence_are_errors() {
        let duplicate = graph(&["organization:a", "organization:a"], vec![]);
        assert!(
            matches!(duplicate, Err(GraphError::DuplicateEntity(id)) if id == "organization:a")
        );
        let unknown = graph(
            &["organization:a"],
            vec![part("organization:a", "investsIn", "organization:z", &["d1"])],
        );
        assert!(matches!(unknown, Err(GraphError::UnknownEntity(id)) if id == "organization:z"));
        let bare = graph(
            &["organization:a", "organization:b"],
            vec![part("organization:a", "investsIn", "organization:b", &[])],
        );
        assert!(matches!(bare, Err(GraphError::NoEvidence { .. })));
    }
}
