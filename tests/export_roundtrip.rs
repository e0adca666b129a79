//! Arbitrary graph → every exporter → a parser for the format → the same graph.
//!
//! The graphs come from `util::arbitrary_graph` (hostile and colliding names, the symmetric
//! relation, self-loops, amounts, evidence with spans, rules and dates); `util::readback` reads
//! each export back (oxttl, quick-xml, serde_json, graphviz-rust's DOT parser) and compares it with
//! what the format can carry of the graph: node ids, labels, types, aliases, Wikidata ids and
//! mentions; edges (subject, relation, object) with their direction, weight, amount and currency;
//! every piece of evidence (RDF, JSON) or the joined sentences and rules (GraphML, GEXF, DOT); and
//! the documents (RDF, JSON). The fuzz target `fuzz/fuzz_targets/export_roundtrip.rs` runs the same
//! check; its seed corpus and every input it ever crashed on are replayed here.

mod util;

use std::path::Path;

use kgsmith::export::Format;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use util::arbitrary_graph::graph_from_bytes;
use util::readback::{assert_round_trips, expected, export, read, EvidenceView};

/// Graphs of up to 10 entities and 12 relation parts, from random bytes.
fn arbitrary_graph() -> impl Strategy<Value = kgsmith::graph::KnowledgeGraph> {
    proptest::collection::vec(any::<u8>(), 0..1500).prop_map(|bytes| graph_from_bytes(&bytes))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_format_reads_back_as_the_graph(graph in arbitrary_graph()) {
        assert_round_trips(&graph);
    }
}

/// The generator gives what the round trip is about: it is no use if every graph is empty.
#[test]
fn generated_graphs_have_every_feature() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut entities, mut symmetric, mut amounts, mut dates, mut collisions, mut hostile) =
        (0, 0, 0, 0, 0, 0);
    for _ in 0..64 {
        let graph = arbitrary_graph().new_tree(&mut runner).unwrap().current();
        entities += graph.entity_count();
        for e in graph.edges() {
            symmetric += usize::from(e.relation.symmetric);
            amounts += usize::from(e.relation.amount.is_some());
            dates += e.relation.evidence.iter().filter(|e| e.date.is_some()).count();
        }
        collisions += graph.entities().filter(|e| e.id.ends_with("-2")).count();
        hostile += graph
            .entities()
            .filter(|e| e.label.contains(['"', '\\', '<', '&', '\n', '\t', '\u{1}']))
            .count();
    }
    assert!(entities > 100, "{entities} entities");
    for (what, n) in [
        ("symmetric edges", symmetric),
        ("amounts", amounts),
        ("dates", dates),
        ("slug collisions", collisions),
        ("hostile labels", hostile),
    ] {
        assert!(n >= 5, "only {n} {what} in 64 graphs");
    }
}

/// The comparison is not vacuous: a changed label, weight or sentence is seen in every format.
#[test]
fn a_changed_graph_does_not_compare_equal() {
    let graph = kgsmith::graph::sample::sample_graph();
    for format in Format::ALL {
        let read = read(format, &graph.vocabulary, &export(&graph, format));
        let mut wrong = expected(format, &graph);
        assert_eq!(read, wrong, "{format:?}");
        wrong.nodes.values_mut().next().unwrap().label.push('x');
        assert_ne!(read, wrong, "{format:?}: label");
        let mut wrong = expected(format, &graph);
        let edge = wrong.edges.values_mut().next().unwrap();
        match &mut edge.evidence {
            EvidenceView::Full(evidence) => evidence[0].sentence.push('x'),
            EvidenceView::Joined { sentences, .. } => sentences.push('x'),
        }
        assert_ne!(read, wrong, "{format:?}: sentence");
        if format != Format::Dot {
            let mut wrong = expected(format, &graph);
            *wrong.edges.values_mut().next().unwrap().weight.as_mut().unwrap() += 1;
            assert_ne!(read, wrong, "{format:?}: weight");
        }
    }
}

#[test]
fn the_sample_and_hostile_graphs_round_trip() {
    assert_round_trips(&kgsmith::graph::sample::sample_graph());
    assert_round_trips(&util::hostile_graph());
}

/// The fuzz target's seed corpus and regressions (`fuzz/corpus/export_roundtrip/`).
#[test]
fn the_fuzz_corpus_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/export_roundtrip");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "a seed corpus in {}", dir.display());
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let graph = graph_from_bytes(&bytes);
        let outcome = std::panic::catch_unwind(|| assert_round_trips(&graph));
        assert!(outcome.is_ok(), "{} does not round-trip", file.display());
    }
}

/// Found by the round trip: two documents whose ids share a slug (`Doc A`, `doc-a`) had one IRI,
/// so RDF merged them. Each now has its own IRI, and the evidence points at the right one.
#[test]
fn documents_whose_ids_share_a_slug_keep_apart() {
    use kgsmith::graph::{DocumentInfo, Entity, Evidence, KnowledgeGraph, Relation, RelationPart};
    let document = |id: &str| DocumentInfo { id: id.into(), title: None, url: None, date: None };
    let entity = |kind: &str, slug: &str| Entity {
        id: format!("{}:{slug}", kind.to_lowercase()),
        iri_path: format!("{}/{slug}", kind.to_lowercase()),
        label: slug.into(),
        entity_type: kind.into(),
        aliases: vec![],
        wikidata: None,
        mentions: 1,
    };
    let evidence = |document: &str| Evidence {
        document: document.into(),
        start: 0,
        end: 1,
        sentence: format!("in {document}"),
        rule: "r".into(),
        date: None,
    };
    let relation = RelationPart {
        subject: "organization:a".into(),
        object: "place:b".into(),
        relation: Relation {
            relation: "locatedIn".into(),
            symmetric: false,
            amount: None,
            evidence: vec![evidence("Doc A"), evidence("doc-a"), evidence("other")],
            support: 3,
        },
    };
    let graph = KnowledgeGraph::from_parts(
        kgsmith::graph::sample::sample_vocabulary(),
        vec![document("Doc A"), document("doc-a"), document("other")],
        vec![entity("Organization", "a"), entity("Place", "b")],
        vec![relation],
    )
    .unwrap();
    let iris = kgsmith::export::ExportOptions::default().document_iris(&graph).unwrap();
    let base = "https://w3id.org/kgsmith/id/document/";
    assert_eq!(iris["other"], format!("{base}other"), "a slug of its own stays as it was");
    assert!(iris["Doc A"].starts_with(&format!("{base}doc-a-")), "{}", iris["Doc A"]);
    assert!(iris["doc-a"].starts_with(&format!("{base}doc-a-")), "{}", iris["doc-a"]);
    assert_ne!(iris["Doc A"], iris["doc-a"]);
    assert_round_trips(&graph);
}
