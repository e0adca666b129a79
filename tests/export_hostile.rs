//! Names that break naive exporters (quotes, backslashes, markup, control characters, emoji,
//! right-to-left scripts, very long and case-only-different names) must come back exactly from
//! every format; only the XML formats (GraphML, GEXF) drop the control characters XML cannot carry,
//! and RDF drops NUL, U+FFFE and U+FFFF (rapper cuts or refuses them).

mod util;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use kgsmith::export::{write, ExportOptions, Format};
use oxrdf::vocab::rdfs;
use oxrdf::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxttl::{NTriplesParser, TurtleParser};
use util::readback::{dot_text, rdf_text, read_dot};
use util::{hostile_entities, hostile_graph, parse_graphml, without_xml_controls};

fn export(format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    write(format, &hostile_graph(), &ExportOptions::default(), &mut out)
        .unwrap_or_else(|e| panic!("{format:?} export failed: {e}"));
    out
}

fn turtle_triples() -> HashSet<Triple> {
    TurtleParser::new()
        .for_slice(&export(Format::Turtle))
        .collect::<Result<_, _>>()
        .expect("the Turtle output parses")
}

fn literal_objects(triples: &HashSet<Triple>, subject: &str, predicate: &str) -> BTreeSet<String> {
    let subject = NamedOrBlankNode::from(NamedNode::new(subject).unwrap());
    triples
        .iter()
        .filter(|t| t.subject == subject && t.predicate.as_str() == predicate)
        .map(|t| match &t.object {
            Term::Literal(l) => l.value().to_string(),
            other => panic!("expected a literal, got {other}"),
        })
        .collect()
}

#[test]
fn the_hostile_graph_has_every_kind_of_name() {
    let entities = hostile_entities();
    let labels: Vec<&str> = entities.iter().map(|e| e.label.as_str()).collect();
    for needle in ["\"", "\\", "<", "&", "'", "\n", "\t", "\u{1}", "🚀", "ח", "ش"] {
        assert!(labels.iter().any(|l| l.contains(needle)), "{needle:?}");
    }
    assert!(labels.iter().any(|l| l.chars().count() == 300));
    assert!(labels.contains(&"acme") && labels.contains(&"ACME"));
    let acme: BTreeSet<&str> = entities
        .iter()
        .filter(|e| e.label.eq_ignore_ascii_case("acme"))
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(acme, BTreeSet::from(["organization:acme", "organization:acme-2"]));
    let ids: BTreeSet<&str> = entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), entities.len(), "ids are unique");
}

#[test]
fn turtle_labels_round_trip_exactly() {
    let triples = turtle_triples();
    let options = ExportOptions::default();
    let schema_name = "http://schema.org/name";
    let alternate = "http://schema.org/alternateName";
    for entity in hostile_entities() {
        let iri = options.entity_iri(&entity);
        let expected = BTreeSet::from([entity.label.clone()]);
        assert_eq!(literal_objects(&triples, &iri, rdfs::LABEL.as_str()), expected);
        assert_eq!(literal_objects(&triples, &iri, schema_name), expected);
        let aliases: BTreeSet<String> = entity.aliases.iter().cloned().collect();
        assert_eq!(literal_objects(&triples, &iri, alternate), aliases);
    }
    let sentences: BTreeSet<String> = triples
        .iter()
        .filter(|t| t.predicate.as_str() == "https://w3id.org/kgsmith/ontology#sentence")
        .map(|t| match &t.object {
            Term::Literal(l) => l.value().to_string(),
            other => panic!("{other}"),
        })
        .collect();
    assert!(sentences
        .contains("Quote \"Inc\" \"with\" Back\\slash \\N \\l \\G Corp\\\n\tand\r\u{1} 😀 שלום"));
    let url = Term::from(Literal::new_simple_literal("not a url <with spaces>"));
    assert!(
        triples.iter().any(|t| t.predicate.as_str() == "http://schema.org/url" && t.object == url),
        "an URL that is not an IRI is kept as a string"
    );
    assert!(triples.iter().all(|t| !matches!(t.subject, NamedOrBlankNode::BlankNode(_))
        && !matches!(t.object, Term::BlankNode(_))));
}

#[test]
fn ntriples_has_the_same_triples_as_turtle() {
    let nt: HashSet<Triple> = NTriplesParser::new()
        .for_slice(&export(Format::NTriples))
        .collect::<Result<_, _>>()
        .expect("the N-Triples output parses");
    let ttl = turtle_triples();
    assert!(ttl.len() > 100, "{}", ttl.len());
    assert_eq!(nt, ttl);
}

#[test]
fn graphml_labels_round_trip_without_control_characters() {
    let graph = parse_graphml(&export(Format::GraphMl));
    let hostile = hostile_graph();
    let entities: Vec<_> = hostile.entities().collect();
    let mut by_id: BTreeMap<&str, &util::GraphMlElement> = BTreeMap::new();
    for node in &graph.nodes {
        by_id.insert(node.attributes["id"].as_str(), node);
    }
    assert_eq!(by_id.len(), entities.len());
    for entity in entities.iter().copied() {
        let node = by_id[entity.id.as_str()];
        assert_eq!(node.data["label"], without_xml_controls(&entity.label));
        assert_eq!(node.data["aliases"], without_xml_controls(&entity.aliases.join("|")));
    }
    let ctrl = by_id.values().find(|n| n.data["label"].starts_with("Ctrl")).unwrap();
    assert_eq!(ctrl.data["label"], "CtrlCharEnd");
    let crlf = by_id.values().find(|n| n.data["label"].starts_with("Line")).unwrap();
    assert_eq!(crlf.data["label"], "Line\nBreak\tTab\r\nCRLF");
    assert_eq!(graph.edges.len(), entities.len() - 1);
    let symmetric = graph
        .edges
        .iter()
        .filter(|e| e.data.get("symmetric").map(String::as_str) == Some("true"))
        .count();
    assert_eq!(symmetric, entities.len() / 2);
    for edge in &graph.edges {
        assert!(!edge.data["evidence"].contains('\u{1}'));
        assert!(edge.data["evidence"].contains("\"with\""));
    }
}

#[test]
fn gexf_labels_round_trip_without_control_characters() {
    let doc = kgsmith::export::gexf::read(&export(Format::Gexf)).expect("the GEXF output reads");
    let hostile = hostile_graph();
    let entities: Vec<_> = hostile.entities().collect();
    let by_id: BTreeMap<&str, &kgsmith::export::gexf::GexfElement> =
        doc.nodes.iter().map(|n| (n.attributes["id"].as_str(), n)).collect();
    assert_eq!(by_id.len(), entities.len());
    for entity in entities.iter().copied() {
        let node = by_id[entity.id.as_str()];
        assert_eq!(node.attributes["label"], without_xml_controls(&entity.label));
        assert_eq!(node.attvalues["aliases"], without_xml_controls(&entity.aliases.join("|")));
    }
    let ctrl = by_id.values().find(|n| n.attributes["label"].starts_with("Ctrl")).unwrap();
    assert_eq!(ctrl.attributes["label"], "CtrlCharEnd");
    let crlf = by_id.values().find(|n| n.attributes["label"].starts_with("Line")).unwrap();
    assert_eq!(crlf.attributes["label"], "Line\nBreak\tTab\r\nCRLF");
    assert_eq!(doc.edges.len(), entities.len() - 1);
    for (edge, expected) in doc.edges.iter().zip(hostile.edges()) {
        assert_eq!(edge.attributes["source"], expected.subject.id);
        assert_eq!(edge.attributes["target"], expected.object.id);
        assert_eq!(edge.attributes["kind"], expected.relation.relation);
        let sentences: Vec<&str> =
            expected.relation.evidence.iter().map(|e| e.sentence.as_str()).collect();
        assert_eq!(edge.attvalues["evidence"], without_xml_controls(&sentences.join(" | ")));
        assert!(!edge.attvalues["evidence"].contains('\u{1}'));
    }
}

#[test]
fn json_labels_round_trip_exactly() {
    let doc: kgsmith::export::json::NodeLink =
        serde_json::from_slice(&export(Format::Json)).expect("the JSON output parses");
    let hostile = hostile_graph();
    let entities: Vec<_> = hostile.entities().collect();
    assert_eq!(doc.nodes.len(), entities.len());
    for (node, entity) in doc.nodes.iter().zip(entities.iter().copied()) {
        assert_eq!(node.id, entity.id);
        assert_eq!(node.label, entity.label, "control characters included");
        assert_eq!(node.aliases, entity.aliases);
    }
    assert!(doc.nodes.iter().any(|n| n.label == "Ctrl\u{1}Char\u{1f}End"));
    assert_eq!(doc.links.len(), entities.len() - 1);
    for (link, expected) in doc.links.iter().zip(hostile.edges()) {
        assert_eq!(link.source, expected.subject.id);
        assert_eq!(link.target, expected.object.id);
        let sentences: Vec<&str> = link.evidence.iter().map(|e| e.sentence.as_str()).collect();
        let expected: Vec<&str> =
            expected.relation.evidence.iter().map(|e| e.sentence.as_str()).collect();
        assert_eq!(sentences, expected);
    }
    let documents: Vec<&str> = doc.graph.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(documents, ["doc \"hostile\" <1>"]);
}

/// Entity labels by node id, as graphviz-rust's DOT parser reads them.
fn dot_labels(dot: &[u8]) -> BTreeMap<String, String> {
    let view = read_dot(&hostile_graph().vocabulary, dot);
    view.nodes.into_iter().map(|(id, node)| (id, node.label)).collect()
}

#[test]
fn dot_quotes_and_escapes_every_label() {
    let dot = String::from_utf8(export(Format::Dot)).unwrap();
    assert!(dot.chars().all(|c| !c.is_control() || c == '\n'), "no raw control character");
    let labels = dot_labels(dot.as_bytes());
    for entity in hostile_entities() {
        let expected = dot_text(&entity.label);
        assert_eq!(labels.get(&entity.id), Some(&expected), "{}", entity.id);
    }
    assert!(dot.contains(r#"label="Back\\slash \\N \\l \\G Corp\\""#));
}

#[test]
fn dot_renders_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.dot");
    std::fs::write(&path, export(Format::Dot)).unwrap();
    let Some(output) = util::run_or_skip("dot", [std::ffi::OsStr::new("-Tsvg"), path.as_os_str()])
    else {
        return;
    };
    util::assert_success("dot -Tsvg", &output);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let svg = String::from_utf8(output.stdout).unwrap();
    assert!(svg.contains("Emoji 🚀🤖 Labs"));
    assert!(svg.contains("חברת בינה מלאכותית"));
    assert!(svg.contains(r"Back\slash \N \l \G Corp\"), "backslashes stay literal");
}

/// A two-entity graph whose label, alias, sentence and title are the given strings.
fn graph_with_text(label: &str, alias: &str, sentence: &str) -> kgsmith::graph::KnowledgeGraph {
    use kgsmith::graph::{DocumentInfo, Entity, Evidence, Relation, RelationPart};
    let entity = |id: &str, entity_type: &str, label: &str| Entity {
        id: id.replace('/', ":"),
        iri_path: id.to_string(),
        label: label.to_string(),
        entity_type: entity_type.to_string(),
        aliases: vec![alias.to_string()],
        wikidata: None,
        mentions: 1,
    };
    let relation = RelationPart {
        subject: "organization:a".to_string(),
        object: "place:b".to_string(),
        relation: Relation {
            relation: "locatedIn".to_string(),
            symmetric: false,
            amount: None,
            support: 1,
            evidence: vec![Evidence {
                date: None,
                document: "d".to_string(),
                start: 0,
                end: sentence.len(),
                sentence: sentence.to_string(),
                rule: "r".to_string(),
            }],
        },
    };
    let document =
        DocumentInfo { id: "d".into(), title: Some(sentence.into()), url: None, date: None };
    kgsmith::graph::KnowledgeGraph::from_parts(
        kgsmith::graph::sample::sample_vocabulary(),
        vec![document],
        vec![entity("organization/a", "Organization", label), entity("place/b", "Place", "B")],
        vec![relation],
    )
    .unwrap()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// Any text survives every format: exactly in JSON, in RDF but for NUL, U+FFFE and U+FFFF,
    /// minus what XML forbids in GraphML and GEXF, and as the documented DOT escaping.
    #[test]
    fn any_text_round_trips(label in "\\PC*|.*", alias in ".*", sentence in "(.|\n|\r|\t)*") {
        let graph = graph_with_text(&label, &alias, &sentence);
        let options = ExportOptions::default();
        let iri = "https://w3id.org/kgsmith/id/organization/a";

        let mut ttl = Vec::new();
        write(Format::Turtle, &graph, &options, &mut ttl).unwrap();
        let triples: HashSet<Triple> =
            TurtleParser::new().for_slice(&ttl).collect::<Result<_, _>>().unwrap();
        proptest::prop_assert_eq!(
            literal_objects(&triples, iri, rdfs::LABEL.as_str()),
            BTreeSet::from([rdf_text(&label)])
        );
        let mut nt = Vec::new();
        write(Format::NTriples, &graph, &options, &mut nt).unwrap();
        let nt: HashSet<Triple> =
            NTriplesParser::new().for_slice(&nt).collect::<Result<_, _>>().unwrap();
        proptest::prop_assert_eq!(&nt, &triples);

        let mut xml = Vec::new();
        write(Format::GraphMl, &graph, &options, &mut xml).unwrap();
        let parsed = parse_graphml(&xml);
        proptest::prop_assert_eq!(&parsed.nodes[0].data["label"], &without_xml_controls(&label));
        // The model drops an alias equal to the label; GraphML omits empty alias lists.
        let aliases = (alias != label).then(|| without_xml_controls(&alias));
        proptest::prop_assert_eq!(parsed.nodes[0].data.get("aliases"), aliases.as_ref());
        proptest::prop_assert_eq!(
            &parsed.edges[0].data["evidence"],
            &without_xml_controls(&sentence)
        );

        let mut gexf = Vec::new();
        write(Format::Gexf, &graph, &options, &mut gexf).unwrap();
        let parsed = kgsmith::export::gexf::read(&gexf).unwrap();
        proptest::prop_assert_eq!(
            &parsed.nodes[0].attributes["label"],
            &without_xml_controls(&label)
        );
        proptest::prop_assert_eq!(parsed.nodes[0].attvalues.get("aliases"), aliases.as_ref());
        proptest::prop_assert_eq!(
            &parsed.edges[0].attvalues["evidence"],
            &without_xml_controls(&sentence)
        );

        let mut json = Vec::new();
        write(Format::Json, &graph, &options, &mut json).unwrap();
        let parsed: kgsmith::export::json::NodeLink = serde_json::from_slice(&json).unwrap();
        proptest::prop_assert_eq!(&parsed.nodes[0].label, &label);
        proptest::prop_assert_eq!(&parsed.links[0].evidence[0].sentence, &sentence);
        proptest::prop_assert_eq!(&parsed.graph.documents[0].title, &Some(sentence.clone()));

        let mut dot = Vec::new();
        write(Format::Dot, &graph, &options, &mut dot).unwrap();
        let dot = String::from_utf8(dot).unwrap();
        proptest::prop_assert!(dot.chars().all(|c| !c.is_control() || c == '\n'));
        let labels = dot_labels(dot.as_bytes());
        let read = &labels["organization:a"];
        let expected = dot_text(&label);
        proptest::prop_assert_eq!(read, &expected);
    }
}

#[test]
fn empty_texts_export_in_every_format() {
    let graph = graph_with_text("", "", "");
    for format in Format::ALL {
        let mut out = Vec::new();
        write(format, &graph, &ExportOptions::default(), &mut out).unwrap();
        assert!(!out.is_empty(), "{format:?}");
    }
    let mut xml = Vec::new();
    write(Format::GraphMl, &graph, &ExportOptions::default(), &mut xml).unwrap();
    let parsed = parse_graphml(&xml);
    assert_eq!(parsed.nodes[0].data["label"], "");
    assert!(!parsed.nodes[0].data.contains_key("aliases"));
    assert_eq!(parsed.edges[0].data["evidence"], "");
    let mut gexf = Vec::new();
    write(Format::Gexf, &graph, &ExportOptions::default(), &mut gexf).unwrap();
    let parsed = kgsmith::export::gexf::read(&gexf).unwrap();
    assert_eq!(parsed.nodes[0].attributes["label"], "");
    assert!(!parsed.nodes[0].attvalues.contains_key("aliases"));
    assert_eq!(parsed.edges[0].attvalues["evidence"], "");
}
