//! Every format holds the same graph: the seeds' graph is exported once per format, each file is
//! read back with a parser for that format (`util::readback`: oxttl, quick-xml, serde_json,
//! graphviz-rust's DOT parser) and must hold what the format can carry of the graph; and all
//! formats agree on the nodes (id, label, type), the edges (subject, relation, object) and, where
//! the format has them, the weights.

mod util;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use kgsmith::export::Format;
use kgsmith::graph::KnowledgeGraph;
use util::readback::{expected, export, rdf_triples, read, GraphView};

fn seeds() -> &'static KnowledgeGraph {
    static SEEDS: OnceLock<KnowledgeGraph> = OnceLock::new();
    SEEDS.get_or_init(util::seeds_graph)
}

/// What every format must agree on: id → (label, type) and (subject, relation, object) → weight.
type Summary =
    (BTreeMap<String, (String, String)>, BTreeMap<(String, String, String), Option<usize>>);

fn summary(view: &GraphView) -> Summary {
    let nodes =
        view.nodes.iter().map(|(id, n)| (id.clone(), (n.label.clone(), n.entity_type.clone())));
    let edges = view.edges.iter().map(|(key, e)| (key.clone(), e.weight));
    (nodes.collect(), edges.collect())
}

/// The graph as the model holds it.
fn model_summary() -> Summary {
    let g = seeds();
    assert!(g.entity_count() > 20 && g.relation_count() > 10, "the seeds give a real graph");
    let nodes = g.entities().map(|e| (e.id.clone(), (e.label.clone(), e.entity_type.clone())));
    let edges = g.edges().map(|e| {
        let key = (e.subject.id.clone(), e.relation.relation.clone(), e.object.id.clone());
        (key, Some(e.relation.weight()))
    });
    (nodes.collect(), edges.collect())
}

fn holds_the_graph(format: Format) {
    let view = read(format, &seeds().vocabulary, &export(seeds(), format));
    assert_eq!(view, expected(format, seeds()), "{format:?}");
    let (nodes, edges) = model_summary();
    let edges = match format {
        // DOT carries no weights.
        Format::Dot => edges.into_keys().map(|k| (k, None)).collect(),
        _ => edges,
    };
    assert_eq!(summary(&view), (nodes, edges), "{format:?}");
}

#[test]
fn turtle_holds_the_graph() {
    holds_the_graph(Format::Turtle);
}

#[test]
fn ntriples_holds_the_graph() {
    holds_the_graph(Format::NTriples);
    let ttl = rdf_triples(Format::Turtle, &export(seeds(), Format::Turtle));
    let nt = rdf_triples(Format::NTriples, &export(seeds(), Format::NTriples));
    assert_eq!(nt, ttl, "the same triples");
}

#[test]
fn graphml_holds_the_graph() {
    holds_the_graph(Format::GraphMl);
}

#[test]
fn gexf_holds_the_graph() {
    holds_the_graph(Format::Gexf);
}

#[test]
fn json_holds_the_graph() {
    holds_the_graph(Format::Json);
}

#[test]
fn dot_holds_the_graph() {
    holds_the_graph(Format::Dot);
}
