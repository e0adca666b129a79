//! Node-link JSON for networkx (`node_link_graph`) and Cytoscape.js: `nodes` with ids and
//! attributes, edges with `source`, `target` and `key`. See
//! <https://networkx.org/documentation/stable/reference/readwrite/generated/networkx.readwrite.json_graph.node_link_graph.html>
//! and <https://js.cytoscape.org/#notation/elements-json>.
//!
//! The document is built from structs with serde derives, so key order is fixed and the output is
//! deterministic. The edge list is written twice, as `links` and as `edges`: networkx up to 3.5
//! reads `links` by default (and with `edges="links"`), networkx 3.6 and later reads `edges` by
//! default. `key` is the relation, so the multigraph keeps parallel edges of different relations.
//! JSON carries every character, so unlike the XML formats nothing is dropped.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::export::graphml::node_size;
use crate::export::{DocumentIris, ExportOptions};
use crate::graph::KnowledgeGraph;

/// The whole node-link document. [`write_json`] writes it with its documents, nodes and edges
/// made one at a time while they are written (`D`, `N` and `L` then serialize as sequences
/// without being collected), so that an archive of millions of documents never holds them all
/// in memory at once; [`node_link`] collects them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeLink<D = Vec<DocumentInfo>, N = Vec<Node>, L = Vec<Link>> {
    pub directed: bool,
    pub multigraph: bool,
    pub graph: GraphInfo<D>,
    pub nodes: N,
    /// The edges, under the name networkx ≤ 3.5 reads by default.
    pub links: L,
    /// The same edges, under the name networkx ≥ 3.6 reads by default.
    pub edges: L,
}

/// Graph attributes: who wrote it, the vocabulary in use and the source documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphInfo<D = Vec<DocumentInfo>> {
    pub creator: String,
    pub base_iri: String,
    pub entity_types: Vec<EntityTypeInfo>,
    pub relations: Vec<RelationInfo>,
    pub documents: D,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityTypeInfo {
    pub name: String,
    pub class_iri: String,
    pub color: String,
    pub shape: String,
    pub size: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationInfo {
    pub name: String,
    pub label: String,
    pub property_iri: String,
    pub symmetric: bool,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub id: String,
    pub iri: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub date: Option<String>,
}

/// One entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub entity_type: String,
    pub iri: String,
    pub aliases: Vec<String>,
    pub wikidata: Option<String>,
    pub mentions: u32,
    /// `#rrggbb` of the entity type.
    pub color: String,
    /// Same scale as the GraphML and GEXF node size.
    pub size: f64,
}

/// One relation between two entities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Stable edge id (`e0`, `e1` …, as in GraphML and GEXF).
    pub id: String,
    pub source: String,
    pub target: String,
    /// The multigraph key: the relation name.
    pub key: String,
    pub relation: String,
    /// The relation's human label.
    pub label: String,
    pub symmetric: bool,
    /// Number of supporting mentions.
    pub weight: usize,
    /// Exact `xsd:decimal` lexical form, as a string so no reader rounds it.
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// `#rrggbb` of the relation.
    pub color: String,
    pub evidence: Vec<EvidenceInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceInfo {
    pub document: String,
    pub start: usize,
    pub end: usize,
    pub sentence: String,
    pub rule: String,
    /// ISO 8601 date the sentence gives the relation, if a rule read one.
    pub date: Option<String>,
}

/// The node-link document of `g`, its documents, nodes and edges made by `documents`, `nodes`
/// and `links` from the graph's (collected by [`node_link`], made while written by
/// [`write_json`]).
fn document_of<D, N, L>(
    g: &KnowledgeGraph,
    o: &ExportOptions,
    documents: D,
    nodes: N,
    links: L,
) -> NodeLink<D, N, L>
where
    L: Clone,
{
    let vocabulary = &g.vocabulary;
    let graph = GraphInfo {
        creator: "kgsmith".to_string(),
        base_iri: o.base_iri.clone(),
        entity_types: vocabulary
            .entity_types
            .values()
            .map(|t| EntityTypeInfo {
                name: t.name.clone(),
                class_iri: t.class_iri.clone(),
                color: t.color.hex(),
                shape: t.shape.clone(),
                size: t.size,
            })
            .collect(),
        relations: vocabulary
            .relations
            .values()
            .map(|r| RelationInfo {
                name: r.name.clone(),
                label: r.label.clone(),
                property_iri: r.property_iri.clone(),
                symmetric: r.symmetric,
                color: r.color.hex(),
            })
            .collect(),
        documents,
    };
    NodeLink { directed: true, multigraph: true, graph, nodes, edges: links.clone(), links }
}

/// The graph's documents in order, as the node-link document describes them.
fn documents<'g>(
    g: &'g KnowledgeGraph,
    namer: &'g DocumentIris,
) -> impl ExactSizeIterator<Item = io::Result<DocumentInfo>> + 'g {
    g.documents().infos().map(|d| {
        let d = d?;
        Ok(DocumentInfo {
            iri: namer.iri(&d.id),
            id: d.id.into(),
            title: d.title.map(String::from),
            url: d.url.map(String::from),
            date: d.date.map(String::from),
        })
    })
}

/// The graph's entities in order, as nodes.
fn nodes<'g>(
    g: &'g KnowledgeGraph,
    o: &'g ExportOptions,
) -> impl Iterator<Item = io::Result<Node>> + 'g {
    g.entities().map(|entity| {
        let decl = super::type_decl(g, entity)?;
        Ok(Node {
            id: entity.id.clone(),
            label: entity.label.clone(),
            entity_type: entity.entity_type.clone(),
            iri: o.entity_iri(entity),
            aliases: entity.aliases.clone(),
            wikidata: entity.wikidata.clone(),
            mentions: entity.mentions,
            color: decl.color.hex(),
            size: node_size(decl.size, entity.mentions),
        })
    })
}

/// The graph's edges in order, as links.
fn links(g: &KnowledgeGraph) -> impl Iterator<Item = io::Result<Link>> + '_ {
    g.edges().enumerate().map(|(i, edge)| {
        let relation = edge.relation;
        let decl = super::relation_decl(g, &relation.relation)?;
        Ok(Link {
            id: format!("e{i}"),
            source: edge.subject.id.clone(),
            target: edge.object.id.clone(),
            key: relation.relation.clone(),
            relation: relation.relation.clone(),
            label: decl.label.clone(),
            symmetric: relation.symmetric || decl.symmetric,
            weight: relation.weight(),
            amount: relation.amount.as_ref().map(|a| a.value.clone()),
            currency: relation.amount.as_ref().map(|a| a.currency.clone()),
            color: decl.color.hex(),
            evidence: relation
                .evidence
                .iter()
                .map(|e| EvidenceInfo {
                    document: e.document.clone(),
                    start: e.start,
                    end: e.end,
                    sentence: e.sentence.clone(),
                    rule: e.rule.clone(),
                    date: e.date.clone(),
                })
                .collect(),
        })
    })
}

/// Builds the node-link document for `g`, every part in memory.
pub fn node_link(g: &KnowledgeGraph, o: &ExportOptions) -> io::Result<NodeLink> {
    let namer = o.document_namer(g)?;
    let documents = documents(g, &namer).collect::<io::Result<_>>()?;
    let nodes = nodes(g, o).collect::<io::Result<_>>()?;
    let links = links(g).collect::<io::Result<_>>()?;
    Ok(document_of(g, o, documents, nodes, links))
}

/// A sequence of `len` items serialized as `items` makes them, one at a time; an item that could
/// not be made stops the writing with its error.
#[derive(Clone)]
struct Lazy<F> {
    len: usize,
    items: F,
}

impl<F, I, T> Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: Iterator<Item = io::Result<T>>,
    T: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.len))?;
        for item in (self.items)() {
            seq.serialize_element(&item.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// Writes the graph as pretty-printed node-link JSON, ending with a newline: the bytes of
/// [`node_link`]'s document, its documents, nodes and edges made one at a time as they are
/// written.
pub fn write_json(g: &KnowledgeGraph, o: &ExportOptions, w: &mut dyn Write) -> io::Result<()> {
    let namer = o.document_namer(g)?;
    let documents = Lazy { len: g.documents().len(), items: || documents(g, &namer) };
    let nodes = Lazy { len: g.entity_count(), items: || nodes(g, o) };
    let links = Lazy { len: g.relation_count(), items: || links(g) };
    let document = document_of(g, o, documents, nodes, links);
    serde_json::to_writer_pretty(&mut *w, &document)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::sample::sample_graph;

    fn json() -> String {
        let mut out = Vec::new();
        write_json(&sample_graph(), &ExportOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn parse() -> NodeLink {
        serde_json::from_str(&json()).unwrap()
    }

    #[test]
    fn the_written_document_is_the_collected_one_byte_for_byte() {
        let empty = KnowledgeGraph::from_parts(
            crate::graph::sample::sample_vocabulary(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        )
        .unwrap();
        for g in [sample_graph(), empty] {
            let o = ExportOptions::default();
            let mut written = Vec::new();
            write_json(&g, &o, &mut written).unwrap();
            let mut collected = serde_json::to_vec_pretty(&node_link(&g, &o).unwrap()).unwrap();
            collected.push(b'\n');
            assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(collected).unwrap());
        }
    }

    #[test]
    fn nodes_carry_ids_labels_and_styles() {
        let doc = parse();
        assert!(doc.directed && doc.multigraph);
        let ids: Vec<&str> = doc.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "facility:usine-d-ia-souveraine",
                "organization:deutsche-telekom",
                "organization:nvidia",
                "person:jensen-huang",
                "place:allemagne"
            ]
        );
        let telekom = &doc.nodes[1];
        assert_eq!(telekom.label, "Deutsche Telekom");
        assert_eq!(telekom.entity_type, "Organization");
        assert_eq!(telekom.iri, "https://w3id.org/kgsmith/id/organization/deutsche-telekom");
        assert_eq!(telekom.aliases, ["Telekom"]);
        assert_eq!(telekom.wikidata.as_deref(), Some("Q9396"));
        assert_eq!(telekom.mentions, 3);
        assert_eq!(telekom.color, "#4e79a7");
        assert!((telekom.size - node_size(10.0, 3)).abs() < 1e-9);
        assert_eq!(doc.nodes[0].wikidata, None);
        let value: serde_json::Value = serde_json::from_str(&json()).unwrap();
        assert_eq!(value["nodes"][1]["type"], "Organization");
        assert!(value["nodes"][0]["wikidata"].is_null());
    }

    #[test]
    fn links_carry_keys_weights_amounts_and_evidence() {
        let doc = parse();
        assert_eq!(doc.links, doc.edges);
        let keys: Vec<&str> = doc.links.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["locatedIn", "investsIn", "partnerOf", "leads"]);
        let invest = &doc.links[1];
        assert_eq!(invest.id, "e1");
        assert_eq!(invest.source, "organization:deutsche-telekom");
        assert_eq!(invest.target, "facility:usine-d-ia-souveraine");
        assert_eq!(invest.relation, "investsIn");
        assert_eq!(invest.label, "invests in");
        assert_eq!(invest.weight, 2);
        assert_eq!(invest.amount.as_deref(), Some("1000000000"));
        assert_eq!(invest.currency.as_deref(), Some("EUR"));
        assert!(!invest.symmetric);
        assert_eq!(invest.evidence.len(), 2);
        assert_eq!(invest.evidence[1].sentence, "un investissement d'un milliard d'euros");
        assert_eq!(invest.evidence[1].start, 120);
        let partner = &doc.links[2];
        assert!(partner.symmetric);
        assert_eq!(partner.amount, None);
        assert_eq!(partner.evidence[0].rule, "fr.partner.coordinated-launch");
        assert_eq!(partner.evidence[0].document, "doc-b");
    }

    #[test]
    fn graph_summarizes_the_vocabulary_and_documents() {
        let doc = parse();
        assert_eq!(doc.graph.creator, "kgsmith");
        let types: Vec<&str> = doc.graph.entity_types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(types, ["Facility", "Organization", "Person", "Place"]);
        let partner = doc.graph.relations.iter().find(|r| r.name == "partnerOf").unwrap();
        assert!(partner.symmetric);
        assert_eq!(partner.label, "partner of");
        assert_eq!(doc.graph.documents.len(), 2);
        assert_eq!(doc.graph.documents[1].iri, "https://w3id.org/kgsmith/id/document/doc-b");
    }

    #[test]
    fn key_order_is_fixed_and_output_deterministic() {
        let text = json();
        assert_eq!(text, json());
        let order = ["\"directed\"", "\"multigraph\"", "\"graph\"", "\"nodes\"", "\"links\""];
        let positions: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        assert!(text.ends_with("}\n"));
    }
}
