//! Every format holds the same graph: the seeds' graph is exported once per format, each file is
//! read back with a parser for that format, and all must give the same nodes (id, label, type),
//! the same edges (subject, relation, object) and the same weights. DOT carries no weights, so
//! only its nodes and edges are compared.

mod util;

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use kgsmith::export::{write, ExportOptions, Format};
use kgsmith::graph::KnowledgeGraph;
use oxrdf::vocab::{rdf, rdfs};
use oxrdf::{NamedOrBlankNode, Term, Triple};
use oxttl::{NTriplesParser, TurtleParser};

/// What every format must agree on.
#[derive(Debug, PartialEq)]
struct Summary {
    /// id → (label, type).
    nodes: BTreeMap<String, (String, String)>,
    /// (subject id, relation, object id) → weight (`None` where the format has no weights).
    edges: BTreeMap<(String, String, String), Option<usize>>,
}

impl Summary {
    fn without_weights(&self) -> Summary {
        Summary {
            nodes: self.nodes.clone(),
            edges: self.edges.keys().map(|k| (k.clone(), None)).collect(),
        }
    }
}

fn seeds() -> &'static KnowledgeGraph {
    static SEEDS: OnceLock<KnowledgeGraph> = OnceLock::new();
    SEEDS.get_or_init(util::seeds_graph)
}

fn exported(format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    write(format, seeds(), &ExportOptions::default(), &mut out)
        .unwrap_or_else(|e| panic!("{format:?}: {e}"));
    out
}

/// The graph as the model holds it.
fn expected() -> Summary {
    let g = seeds();
    assert!(g.entity_count() > 20 && g.relation_count() > 10, "the seeds give a real graph");
    Summary {
        nodes: g
            .entities()
            .map(|e| (e.id.clone(), (e.label.clone(), e.entity_type.clone())))
            .collect(),
        edges: g
            .edges()
            .map(|e| {
                let key = (e.subject.id.clone(), e.relation.relation.clone(), e.object.id.clone());
                (key, Some(e.relation.weight()))
            })
            .collect(),
    }
}

/// `{base}organization/aleph-alpha` → `organization:aleph-alpha`; `None` for other IRIs.
fn entity_id(iri: &str) -> Option<String> {
    let path = iri.strip_prefix(&ExportOptions::default().base_iri)?;
    let (kind, slug) = path.split_once('/')?;
    let is_type = seeds().vocabulary.entity_types.keys().any(|t| t.to_lowercase() == kind);
    is_type.then(|| format!("{kind}:{slug}"))
}

fn rdf_summary(triples: &HashSet<Triple>) -> Summary {
    let vocabulary = &seeds().vocabulary;
    let named = |s: &NamedOrBlankNode| match s {
        NamedOrBlankNode::NamedNode(n) => n.as_str().to_string(),
        other => panic!("a blank node: {other}"),
    };
    let mut nodes: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    let mut direct: HashSet<(String, String, String)> = HashSet::new();
    let mut statements: BTreeMap<String, BTreeMap<&str, String>> = BTreeMap::new();
    let relation_by_iri: BTreeMap<&str, &str> =
        vocabulary.relations.values().map(|r| (r.property_iri.as_str(), r.name.as_str())).collect();
    for t in triples {
        let subject = named(&t.subject);
        let predicate = t.predicate.as_str();
        if let Some(id) = entity_id(&subject) {
            let entry = nodes.entry(id.clone()).or_default();
            match (&t.object, predicate) {
                (Term::Literal(l), p) if p == rdfs::LABEL.as_str() => {
                    assert!(entry.0.replace(l.value().to_string()).is_none(), "one label")
                }
                (Term::NamedNode(class), p) if p == rdf::TYPE.as_str() => {
                    // Types sharing a class (Place, Facility) are told apart by the IRI path.
                    let kind = id.split(':').next().unwrap();
                    let name = vocabulary
                        .entity_types
                        .values()
                        .find(|d| d.class_iri == class.as_str() && d.name.to_lowercase() == kind)
                        .unwrap_or_else(|| panic!("{subject} a {class}: no such type"));
                    assert!(entry.1.replace(name.name.clone()).is_none(), "one type");
                }
                (Term::NamedNode(object), p) => {
                    if let (Some(relation), Some(object)) =
                        (relation_by_iri.get(p), entity_id(object.as_str()))
                    {
                        direct.insert((id, relation.to_string(), object));
                    }
                }
                _ => {}
            }
        }
        let statement_part = match predicate {
            p if p == rdf::SUBJECT.as_str() => Some("subject"),
            p if p == rdf::PREDICATE.as_str() => Some("predicate"),
            p if p == rdf::OBJECT.as_str() => Some("object"),
            "https://w3id.org/kgsmith/ontology#weight" => Some("weight"),
            _ => None,
        };
        if let Some(part) = statement_part {
            let value = match &t.object {
                Term::NamedNode(n) => n.as_str().to_string(),
                Term::Literal(l) => l.value().to_string(),
                other => panic!("{other}"),
            };
            statements.entry(subject).or_default().insert(part, value);
        }
    }
    let mut edges = BTreeMap::new();
    for (iri, parts) in statements {
        let id = |part: &str| {
            entity_id(&parts[part]).unwrap_or_else(|| panic!("{iri}: {part} is not an entity"))
        };
        let relation = relation_by_iri[parts["predicate"].as_str()].to_string();
        let key = (id("subject"), relation, id("object"));
        let weight = parts["weight"].parse().unwrap();
        assert!(edges.insert(key, Some(weight)).is_none(), "one statement per edge");
    }
    // The plain triples say the same as the statements (symmetric relations both ways).
    let mut from_statements: HashSet<(String, String, String)> = HashSet::new();
    for (s, relation, o) in edges.keys() {
        from_statements.insert((s.clone(), relation.clone(), o.clone()));
        if vocabulary.relation(relation).unwrap().symmetric {
            from_statements.insert((o.clone(), relation.clone(), s.clone()));
        }
    }
    assert_eq!(direct, from_statements);
    let nodes = nodes
        .into_iter()
        .map(|(id, (label, kind))| {
            let label = label.unwrap_or_else(|| panic!("{id} has no label"));
            (id.clone(), (label, kind.unwrap_or_else(|| panic!("{id} has no type"))))
        })
        .collect();
    Summary { nodes, edges }
}

fn rdf_triples(format: Format) -> HashSet<Triple> {
    let bytes = exported(format);
    let parsed: Result<HashSet<Triple>, _> = match format {
        Format::Turtle => TurtleParser::new().for_slice(&bytes).collect(),
        Format::NTriples => NTriplesParser::new().for_slice(&bytes).collect(),
        other => panic!("{other:?} is not RDF"),
    };
    parsed.unwrap_or_else(|e| panic!("{format:?}: {e}"))
}

fn weight(text: &str) -> Option<usize> {
    let value: f64 = text.parse().unwrap_or_else(|_| panic!("weight {text:?}"));
    assert!(value.fract() == 0.0 && value >= 1.0, "weight {value}");
    Some(value as usize)
}

#[test]
fn turtle_holds_the_graph() {
    assert_eq!(rdf_summary(&rdf_triples(Format::Turtle)), expected());
}

#[test]
fn ntriples_holds_the_graph() {
    assert_eq!(rdf_summary(&rdf_triples(Format::NTriples)), expected());
}

#[test]
fn graphml_holds_the_graph() {
    let doc = kgsmith::export::graphml::read(&exported(Format::GraphMl)).unwrap();
    let nodes = doc
        .nodes
        .iter()
        .map(|n| (n.attributes["id"].clone(), (n.data["label"].clone(), n.data["type"].clone())))
        .collect();
    let edges = doc
        .edges
        .iter()
        .map(|e| {
            let key = (
                e.attributes["source"].clone(),
                e.data["relation"].clone(),
                e.attributes["target"].clone(),
            );
            (key, weight(&e.data["weight"]))
        })
        .collect();
    assert_eq!(doc.edges.len(), seeds().relation_count());
    assert_eq!(Summary { nodes, edges }, expected());
}

#[test]
fn gexf_holds_the_graph() {
    let doc = kgsmith::export::gexf::read(&exported(Format::Gexf)).unwrap();
    let nodes = doc
        .nodes
        .iter()
        .map(|n| {
            let id = n.attributes["id"].clone();
            (id, (n.attributes["label"].clone(), n.attvalues["type"].clone()))
        })
        .collect();
    let edges = doc
        .edges
        .iter()
        .map(|e| {
            assert_eq!(e.attributes["kind"], e.attvalues["relation"]);
            let key = (
                e.attributes["source"].clone(),
                e.attributes["kind"].clone(),
                e.attributes["target"].clone(),
            );
            (key, weight(&e.attributes["weight"]))
        })
        .collect();
    assert_eq!(doc.edges.len(), seeds().relation_count());
    assert_eq!(Summary { nodes, edges }, expected());
}

#[test]
fn json_holds_the_graph() {
    let doc: kgsmith::export::json::NodeLink =
        serde_json::from_slice(&exported(Format::Json)).unwrap();
    let nodes = doc
        .nodes
        .iter()
        .map(|n| (n.id.clone(), (n.label.clone(), n.entity_type.clone())))
        .collect();
    let edges = doc
        .links
        .iter()
        .map(|l| {
            assert_eq!(l.key, l.relation);
            ((l.source.clone(), l.relation.clone(), l.target.clone()), Some(l.weight))
        })
        .collect();
    assert_eq!(doc.links.len(), seeds().relation_count());
    assert_eq!(doc.links, doc.edges);
    assert_eq!(Summary { nodes, edges }, expected());
}

/// Reads one DOT quoted string at the start of `s`; returns its value and the rest.
fn read_quoted(s: &str) -> (String, &str) {
    let mut chars = s.char_indices();
    assert_eq!(chars.next(), Some((0, '"')), "a quoted string: {s}");
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (value, &s[i + 1..]),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('\\') => value.push('\\'),
                Some('"') => value.push('"'),
                Some('n') => value.push('\n'),
                other => panic!("unexpected escape \\{other:?} in {s}"),
            },
            c => value.push(c),
        }
    }
    panic!("unterminated quoted string: {s}");
}

/// `[a="x", b=y];` → {a: x, b: y}.
fn dot_attributes(s: &str) -> BTreeMap<String, String> {
    let mut rest = s.trim_start().strip_prefix('[').unwrap_or_else(|| panic!("attributes: {s}"));
    let mut out = BTreeMap::new();
    loop {
        rest = rest.trim_start_matches([',', ' ']);
        if rest.starts_with(']') {
            return out;
        }
        let (key, tail) = rest.split_once('=').unwrap_or_else(|| panic!("attribute: {rest}"));
        let (value, tail) = if tail.starts_with('"') {
            read_quoted(tail)
        } else {
            let end = tail.find([',', ']']).unwrap();
            (tail[..end].to_string(), &tail[end..])
        };
        out.insert(key.trim().to_string(), value);
        rest = tail;
    }
}

#[test]
fn dot_holds_the_graph() {
    let dot = String::from_utf8(exported(Format::Dot)).unwrap();
    let vocabulary = &seeds().vocabulary;
    let mut nodes = BTreeMap::new();
    let mut edges = BTreeMap::new();
    // Top-level statements are indented by two spaces; the legend cluster's by four.
    for line in dot.lines().filter_map(|l| l.strip_prefix("  ")) {
        if !line.starts_with('"') {
            continue;
        }
        let (id, rest) = read_quoted(line);
        if let Some(rest) = rest.strip_prefix(" -> ") {
            let (target, rest) = read_quoted(rest);
            let attributes = dot_attributes(rest);
            edges.insert((id, attributes["label"].clone(), target), None);
        } else {
            let attributes = dot_attributes(rest);
            let kind = vocabulary
                .entity_types
                .values()
                .find(|t| {
                    t.shape == attributes["shape"] && t.color.hex() == attributes["fillcolor"]
                })
                .unwrap_or_else(|| panic!("{id}: no type with this shape and colour"));
            nodes.insert(id, (attributes["label"].clone(), kind.name.clone()));
        }
    }
    assert_eq!(Summary { nodes, edges }, expected().without_weights());
}
