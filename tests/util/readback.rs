//! Every export read back with a parser for its format into one comparable [`GraphView`], and the
//! view each format must give of a graph. Shared by `tests/consistency.rs`,
//! `tests/export_roundtrip.rs` and the fuzz target (which includes this file by path), so it uses
//! nothing but `kgsmith` and the parsers: oxttl for Turtle and N-Triples, quick-xml (through
//! `kgsmith::export::{graphml, gexf}::read`) for GraphML and GEXF, serde_json for JSON and
//! graphviz-rust's DOT parser for DOT.
//!
//! What a format cannot carry is projected away from the expected view, never from the read one:
//! RDF literals hold no NUL, U+FFFE or U+FFFF (rapper cuts or refuses them);
//! GraphML and GEXF hold aliases joined by `|`, evidence sentences joined by ` | ` and the sorted
//! rule ids joined by `|`, without the characters XML 1.0 forbids; DOT holds labels and the
//! sentences (one per line, in the tooltip) without control characters and with tabs as spaces,
//! and no weights, amounts, aliases or spans.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use graphviz_rust::dot_structures::{
    Attribute, EdgeTy, Graph as DotGraph, Id, NodeId, Stmt, Vertex,
};
use kgsmith::export::{write, ExportOptions, Format};
use kgsmith::graph::{DocumentInfo, Evidence, KnowledgeGraph};
use kgsmith::vocab::{ns, Vocabulary};
use oxrdf::vocab::{rdf, rdfs, xsd};
use oxrdf::{NamedOrBlankNode, Term, Triple};
use oxttl::{NTriplesParser, TurtleParser};

/// A graph as a format holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GraphView {
    /// By node id.
    pub nodes: BTreeMap<String, NodeView>,
    /// By (subject id, relation, object id).
    pub edges: BTreeMap<(String, String, String), EdgeView>,
    /// Documents with their metadata, where the format carries them.
    pub documents: Option<Vec<DocumentInfo>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeView {
    pub label: String,
    pub entity_type: String,
    /// Every alias (RDF, JSON) or their `|`-joined text (GraphML, GEXF); none in DOT.
    pub aliases: Vec<String>,
    pub wikidata: Option<String>,
    pub mentions: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeView {
    pub symmetric: bool,
    pub weight: Option<usize>,
    /// (value, currency).
    pub amount: Option<(String, String)>,
    pub evidence: EvidenceView,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceView {
    /// Every piece with document, span, sentence, rule and date (RDF, JSON).
    Full(Vec<Evidence>),
    /// The sentences as one text, and the rule ids as one text where the format has them.
    Joined { sentences: String, rules: Option<String> },
}

/// Exports `graph` in `format` with the default options.
pub fn export(graph: &KnowledgeGraph, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    write(format, graph, &ExportOptions::default(), &mut out)
        .unwrap_or_else(|e| panic!("{format:?} export failed: {e}"));
    out
}

/// Exports `graph` in every format, reads each file back and asserts it holds what the format
/// can carry of the graph; also that Turtle and N-Triples hold the same triples.
pub fn assert_round_trips(graph: &KnowledgeGraph) {
    let turtle = rdf_triples(Format::Turtle, &export(graph, Format::Turtle));
    let ntriples = rdf_triples(Format::NTriples, &export(graph, Format::NTriples));
    assert!(turtle == ntriples, "Turtle and N-Triples hold different triples");
    for format in Format::ALL {
        let read = read(format, &graph.vocabulary, &export(graph, format));
        let expected = expected(format, graph);
        if read != expected {
            panic!("{format:?} does not read back as the graph:\nread:     {read:#?}\nexpected: {expected:#?}");
        }
    }
}

/// Reads an export back.
pub fn read(format: Format, vocabulary: &Vocabulary, bytes: &[u8]) -> GraphView {
    match format {
        Format::Turtle | Format::NTriples => read_rdf(vocabulary, &rdf_triples(format, bytes)),
        Format::GraphMl => read_graphml(bytes),
        Format::Gexf => read_gexf(bytes),
        Format::Json => read_json(bytes),
        Format::Dot => read_dot(vocabulary, bytes),
    }
}

/// What `format` must hold of `graph`.
pub fn expected(format: Format, graph: &KnowledgeGraph) -> GraphView {
    let xml = matches!(format, Format::GraphMl | Format::Gexf);
    let full = matches!(format, Format::Turtle | Format::NTriples | Format::Json);
    let text = |s: &str| match format {
        Format::GraphMl | Format::Gexf => xml_text(s),
        Format::Dot => dot_text(s),
        Format::Turtle | Format::NTriples => rdf_text(s),
        Format::Json => s.to_string(),
    };
    let nodes = graph
        .entities()
        .map(|e| {
            let aliases = match format {
                Format::Dot => vec![],
                _ if xml && e.aliases.is_empty() => vec![],
                _ if xml => vec![xml_text(&e.aliases.join("|"))],
                _ => {
                    let aliases: BTreeSet<String> = e.aliases.iter().map(|a| text(a)).collect();
                    aliases.into_iter().collect()
                }
            };
            let node = NodeView {
                label: text(&e.label),
                entity_type: e.entity_type.clone(),
                aliases,
                wikidata: if format == Format::Dot { None } else { e.wikidata.clone() },
                mentions: (format != Format::Dot).then_some(e.mentions),
            };
            (e.id.clone(), node)
        })
        .collect();
    let edges = graph
        .edges()
        .map(|e| {
            let r = e.relation;
            let declared = graph.vocabulary.relation(&r.relation).is_some_and(|d| d.symmetric);
            let sentences: Vec<&str> = r.evidence.iter().map(|e| e.sentence.as_str()).collect();
            let rules: BTreeSet<&str> = r.evidence.iter().map(|e| e.rule.as_str()).collect();
            let evidence = match format {
                _ if full => {
                    let mut evidence: Vec<Evidence> = r
                        .evidence
                        .iter()
                        .map(|e| Evidence {
                            document: text(&e.document),
                            sentence: text(&e.sentence),
                            rule: text(&e.rule),
                            ..e.clone()
                        })
                        .collect();
                    evidence.sort();
                    EvidenceView::Full(evidence)
                }
                Format::Dot => {
                    EvidenceView::Joined { sentences: text(&sentences.join("\n")), rules: None }
                }
                _ => EvidenceView::Joined {
                    sentences: text(&sentences.join(" | ")),
                    rules: Some(text(&rules.into_iter().collect::<Vec<_>>().join("|"))),
                },
            };
            let edge = EdgeView {
                symmetric: r.symmetric || declared,
                weight: (format != Format::Dot).then(|| r.weight()),
                amount: match format {
                    Format::Dot => None,
                    _ => r.amount.as_ref().map(|a| (text(&a.value), text(&a.currency))),
                },
                evidence,
            };
            ((e.subject.id.clone(), r.relation.clone(), e.object.id.clone()), edge)
        })
        .collect();
    let documents = full.then(|| {
        let mut documents: Vec<DocumentInfo> = graph
            .documents()
            .infos()
            .map(|d| d.expect("the documents of a graph in memory"))
            .map(|d| DocumentInfo {
                id: text(&d.id).into(),
                title: d.title.map(|t| text(&t).into()),
                url: d.url.map(|t| text(&t).into()),
                date: d.date.map(|t| text(&t).into()),
            })
            .collect();
        documents.sort();
        documents
    });
    GraphView { nodes, edges, documents }
}

/// Drops what XML 1.0 cannot carry (C0 controls but tab, LF, CR; U+FFFE, U+FFFF), as the GraphML
/// and GEXF exporters do.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            let c0 = c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r');
            !c0 && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
        })
        .collect()
}

/// Drops NUL, U+FFFE and U+FFFF, as the RDF exporters do (rapper cuts or refuses them).
pub fn rdf_text(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '\0' | '\u{FFFE}' | '\u{FFFF}')).collect()
}

/// A text as it reads back from our DOT: tabs become spaces, other control characters but the
/// line feed are dropped.
pub fn dot_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' => Some('\n'),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// RDF

/// Parses Turtle or N-Triples with oxttl.
pub fn rdf_triples(format: Format, bytes: &[u8]) -> HashSet<Triple> {
    let parsed: Result<HashSet<Triple>, _> = match format {
        Format::Turtle => TurtleParser::new().for_slice(bytes).collect(),
        Format::NTriples => NTriplesParser::new().for_slice(bytes).collect(),
        other => panic!("{other:?} is not RDF"),
    };
    parsed.unwrap_or_else(|e| panic!("{format:?} does not parse: {e}"))
}

fn kgo(local: &str) -> String {
    format!("{}{local}", ns::KGO)
}

fn schema(local: &str) -> String {
    format!("{}{local}", ns::SCHEMA)
}

/// One value per (subject, predicate) of a set of triples, as text.
#[derive(Default)]
struct Subject {
    values: BTreeMap<String, Vec<Term>>,
}

impl Subject {
    fn all(&self, predicate: &str) -> &[Term] {
        self.values.get(predicate).map(Vec::as_slice).unwrap_or(&[])
    }

    fn one(&self, who: &str, predicate: &str) -> Option<&Term> {
        let values = self.all(predicate);
        assert!(
            values.len() <= 1,
            "{who} has {} values of <{predicate}>: {values:?}",
            values.len()
        );
        values.first()
    }

    fn literal(&self, who: &str, predicate: &str) -> Option<String> {
        self.one(who, predicate).map(|t| match t {
            Term::Literal(l) => l.value().to_string(),
            other => panic!("{who} <{predicate}> {other}: not a literal"),
        })
    }

    fn integer(&self, who: &str, predicate: &str) -> Option<usize> {
        self.one(who, predicate).map(|t| match t {
            Term::Literal(l) if l.datatype() == xsd::INTEGER => {
                l.value().parse().unwrap_or_else(|_| panic!("{who} <{predicate}> {l}"))
            }
            other => panic!("{who} <{predicate}> {other}: not an xsd:integer"),
        })
    }

    fn iri(&self, who: &str, predicate: &str) -> Option<String> {
        self.one(who, predicate).map(|t| match t {
            Term::NamedNode(n) => n.as_str().to_string(),
            other => panic!("{who} <{predicate}> {other}: not an IRI"),
        })
    }

    fn has_type(&self, class: &str) -> bool {
        self.all(rdf::TYPE.as_str())
            .iter()
            .any(|t| matches!(t, Term::NamedNode(n) if n.as_str() == class))
    }
}

/// Reads the graph back from RDF triples: entities by their IRIs, edges from the statement nodes
/// (checked against the plain triples, both ways for symmetric properties), evidence from the
/// evidence nodes, documents from the `schema:NewsArticle` nodes.
pub fn read_rdf(vocabulary: &Vocabulary, triples: &HashSet<Triple>) -> GraphView {
    let base = ExportOptions::default().base_iri;
    let mut subjects: BTreeMap<String, Subject> = BTreeMap::new();
    for t in triples {
        let subject = match &t.subject {
            NamedOrBlankNode::NamedNode(n) => n.as_str().to_string(),
            other => panic!("a blank node: {other}"),
        };
        assert!(!matches!(t.object, Term::BlankNode(_)), "a blank node: {t}");
        let entry = subjects.entry(subject).or_default();
        entry.values.entry(t.predicate.as_str().to_string()).or_default().push(t.object.clone());
    }
    let kinds: BTreeMap<String, &str> =
        vocabulary.entity_types.keys().map(|t| (t.to_lowercase(), t.as_str())).collect();
    let entity_id = |iri: &str| -> Option<String> {
        let (kind, slug) = iri.strip_prefix(base.as_str())?.split_once('/')?;
        kinds.contains_key(kind).then(|| format!("{kind}:{slug}"))
    };
    let relation_by_iri: BTreeMap<&str, &str> =
        vocabulary.relations.values().map(|r| (r.property_iri.as_str(), r.name.as_str())).collect();
    let symmetric_property = format!("{}SymmetricProperty", ns::OWL);

    let mut nodes = BTreeMap::new();
    let mut plain: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut documents = Vec::new();
    let mut document_ids: BTreeMap<String, String> = BTreeMap::new();
    for (iri, s) in &subjects {
        if let Some(id) = entity_id(iri) {
            let label =
                s.literal(iri, rdfs::LABEL.as_str()).unwrap_or_else(|| panic!("{iri}: no label"));
            assert_eq!(
                s.literal(iri, &schema("name")).as_ref(),
                Some(&label),
                "{iri}: schema:name"
            );
            let kind = &kinds[id.split(':').next().unwrap()];
            let class = s.iri(iri, rdf::TYPE.as_str()).unwrap_or_else(|| panic!("{iri}: no type"));
            let decl = &vocabulary.entity_types[*kind];
            assert_eq!(class, decl.class_iri, "{iri}: class");
            let mut aliases: Vec<String> = s
                .all(&schema("alternateName"))
                .iter()
                .map(|t| match t {
                    Term::Literal(l) => l.value().to_string(),
                    other => panic!("{iri}: alias {other}"),
                })
                .collect();
            aliases.sort();
            let wikidata = s.iri(iri, &format!("{}sameAs", ns::OWL)).map(|wd| {
                wd.strip_prefix(ns::WD).unwrap_or_else(|| panic!("{iri} sameAs {wd}")).to_string()
            });
            let mentions = s.integer(iri, &kgo("mentions")).map(|m| m as u32);
            let node =
                NodeView { label, entity_type: decl.name.clone(), aliases, wikidata, mentions };
            nodes.insert(id.clone(), node);
            for (predicate, objects) in &s.values {
                if let Some(relation) = relation_by_iri.get(predicate.as_str()) {
                    for object in objects {
                        let Term::NamedNode(object) = object else {
                            panic!("{iri} {predicate} {object}")
                        };
                        let object = entity_id(object.as_str())
                            .unwrap_or_else(|| panic!("{iri} {predicate} {object}: not an entity"));
                        plain.insert((id.clone(), relation.to_string(), object));
                    }
                }
            }
        }
        if s.has_type(&schema("NewsArticle")) {
            let id =
                s.literal(iri, &schema("identifier")).unwrap_or_else(|| panic!("{iri}: no id"));
            let url = s.one(iri, &schema("url")).map(|t| match t {
                Term::NamedNode(n) => n.as_str().to_string(),
                Term::Literal(l) => l.value().to_string(),
                other => panic!("{iri} url {other}"),
            });
            documents.push(DocumentInfo {
                id: id.clone().into(),
                title: s.literal(iri, &schema("name")).map(Into::into),
                url: url.map(Into::into),
                date: s.literal(iri, &schema("datePublished")).map(Into::into),
            });
            assert!(document_ids.insert(iri.clone(), id).is_none());
        }
    }
    documents.sort();

    let mut edges = BTreeMap::new();
    for (iri, s) in &subjects {
        if !s.has_type(rdf::STATEMENT.as_str()) {
            continue;
        }
        let end = |part: oxrdf::NamedNodeRef<'_>| {
            let value = s.iri(iri, part.as_str()).unwrap_or_else(|| panic!("{iri}: no {part}"));
            entity_id(&value).unwrap_or_else(|| panic!("{iri} {part} {value}: not an entity"))
        };
        let property =
            s.iri(iri, rdf::PREDICATE.as_str()).unwrap_or_else(|| panic!("{iri}: no predicate"));
        let relation = relation_by_iri[property.as_str()].to_string();
        let symmetric = subjects.get(&property).is_some_and(|p| p.has_type(&symmetric_property));
        let weight = s.integer(iri, &kgo("weight"));
        let amount = s.one(iri, &kgo("amount")).map(|t| match t {
            Term::Literal(l) if l.datatype() == xsd::DECIMAL => {
                let currency = s
                    .literal(iri, &kgo("currency"))
                    .unwrap_or_else(|| panic!("{iri}: amount without currency"));
                (l.value().to_string(), currency)
            }
            other => panic!("{iri} amount {other}: not an xsd:decimal"),
        });
        let mut evidence = Vec::new();
        for node in s.all(&kgo("evidence")) {
            let Term::NamedNode(node) = node else { panic!("{iri} evidence {node}") };
            let who = node.as_str();
            let e = subjects.get(who).unwrap_or_else(|| panic!("{who}: evidence without triples"));
            assert!(e.has_type(&kgo("Evidence")), "{who}: not a kgo:Evidence");
            let document = e
                .iri(who, &format!("{}wasDerivedFrom", ns::PROV))
                .unwrap_or_else(|| panic!("{who}: no document"));
            evidence.push(Evidence {
                document: document_ids
                    .get(&document)
                    .unwrap_or_else(|| panic!("{who}: unknown document {document}"))
                    .clone(),
                start: e.integer(who, &kgo("start")).unwrap_or_else(|| panic!("{who}: no start")),
                end: e.integer(who, &kgo("end")).unwrap_or_else(|| panic!("{who}: no end")),
                sentence: e
                    .literal(who, &kgo("sentence"))
                    .unwrap_or_else(|| panic!("{who}: no sentence")),
                rule: e.literal(who, &kgo("rule")).unwrap_or_else(|| panic!("{who}: no rule")),
                date: e.literal(who, &kgo("date")),
            });
        }
        evidence.sort();
        let key = (end(rdf::SUBJECT), relation, end(rdf::OBJECT));
        let edge = EdgeView { symmetric, weight, amount, evidence: EvidenceView::Full(evidence) };
        assert!(edges.insert(key.clone(), edge).is_none(), "two statements for {key:?}");
    }
    // The plain triples say what the statements say, symmetric relations both ways.
    let mut from_statements = BTreeSet::new();
    for ((s, relation, o), edge) in &edges {
        from_statements.insert((s.clone(), relation.clone(), o.clone()));
        if edge.symmetric {
            from_statements.insert((o.clone(), relation.clone(), s.clone()));
        }
    }
    assert_eq!(plain, from_statements, "plain triples and statements");
    GraphView { nodes, edges, documents: Some(documents) }
}

// ---------------------------------------------------------------------------------------------
// GraphML, GEXF

fn weight(text: &str) -> usize {
    let value: f64 = text.parse().unwrap_or_else(|_| panic!("weight {text:?}"));
    assert!(value.fract() == 0.0 && value >= 1.0, "weight {value}");
    value as usize
}

fn boolean(text: &str) -> bool {
    match text {
        "true" => true,
        "false" => false,
        other => panic!("boolean {other:?}"),
    }
}

/// Reads GraphML back with the quick-xml reader of the GraphML module.
pub fn read_graphml(bytes: &[u8]) -> GraphView {
    let doc = kgsmith::export::graphml::read(bytes)
        .unwrap_or_else(|e| panic!("GraphML does not read back: {e}"));
    let mut view = GraphView::default();
    for n in &doc.nodes {
        let d = &n.data;
        let node = NodeView {
            label: d["label"].clone(),
            entity_type: d["type"].clone(),
            aliases: d.get("aliases").cloned().into_iter().collect(),
            wikidata: d.get("wikidata").cloned(),
            mentions: Some(d["mentions"].parse().unwrap()),
        };
        assert!(view.nodes.insert(n.attributes["id"].clone(), node).is_none(), "one node per id");
    }
    for e in &doc.edges {
        let d = &e.data;
        let key =
            (e.attributes["source"].clone(), d["relation"].clone(), e.attributes["target"].clone());
        let edge = EdgeView {
            symmetric: boolean(&d["symmetric"]),
            weight: Some(weight(&d["weight"])),
            amount: d.get("amount").map(|a| (a.clone(), d["currency"].clone())),
            evidence: EvidenceView::Joined {
                sentences: d["evidence"].clone(),
                rules: Some(d["rules"].clone()),
            },
        };
        assert!(view.edges.insert(key.clone(), edge).is_none(), "one edge for {key:?}");
    }
    view
}

/// Reads GEXF back with the quick-xml reader of the GEXF module.
pub fn read_gexf(bytes: &[u8]) -> GraphView {
    let doc = kgsmith::export::gexf::read(bytes)
        .unwrap_or_else(|e| panic!("GEXF does not read back: {e}"));
    let mut view = GraphView::default();
    for n in &doc.nodes {
        let a = &n.attvalues;
        let node = NodeView {
            label: n.attributes["label"].clone(),
            entity_type: a["type"].clone(),
            aliases: a.get("aliases").cloned().into_iter().collect(),
            wikidata: a.get("wikidata").cloned(),
            mentions: Some(a["mentions"].parse().unwrap()),
        };
        assert!(view.nodes.insert(n.attributes["id"].clone(), node).is_none(), "one node per id");
    }
    for e in &doc.edges {
        let a = &e.attvalues;
        assert_eq!(e.attributes["kind"], a["relation"], "kind is the relation");
        let key =
            (e.attributes["source"].clone(), a["relation"].clone(), e.attributes["target"].clone());
        let edge = EdgeView {
            symmetric: boolean(&a["symmetric"]),
            weight: Some(weight(&e.attributes["weight"])),
            amount: a.get("amount").map(|v| (v.clone(), a["currency"].clone())),
            evidence: EvidenceView::Joined {
                sentences: a["evidence"].clone(),
                rules: Some(a["rules"].clone()),
            },
        };
        assert!(view.edges.insert(key.clone(), edge).is_none(), "one edge for {key:?}");
    }
    view
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Reads node-link JSON back with serde_json; `links` and `edges` must be the same list.
pub fn read_json(bytes: &[u8]) -> GraphView {
    let doc: kgsmith::export::json::NodeLink =
        serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("JSON does not parse: {e}"));
    assert_eq!(doc.links, doc.edges, "links and edges");
    let mut view = GraphView::default();
    for n in &doc.nodes {
        let node = NodeView {
            label: n.label.clone(),
            entity_type: n.entity_type.clone(),
            aliases: n.aliases.clone(),
            wikidata: n.wikidata.clone(),
            mentions: Some(n.mentions),
        };
        assert!(view.nodes.insert(n.id.clone(), node).is_none(), "one node per id");
    }
    for l in &doc.links {
        assert_eq!(l.key, l.relation, "key is the relation");
        let evidence = l
            .evidence
            .iter()
            .map(|e| Evidence {
                document: e.document.clone(),
                start: e.start,
                end: e.end,
                sentence: e.sentence.clone(),
                rule: e.rule.clone(),
                date: e.date.clone(),
            })
            .collect();
        let amount = match (&l.amount, &l.currency) {
            (Some(a), Some(c)) => Some((a.clone(), c.clone())),
            (None, None) => None,
            other => panic!("amount and currency go together: {other:?}"),
        };
        let edge = EdgeView {
            symmetric: l.symmetric,
            weight: Some(l.weight),
            amount,
            evidence: EvidenceView::Full(evidence),
        };
        let key = (l.source.clone(), l.relation.clone(), l.target.clone());
        assert!(view.edges.insert(key.clone(), edge).is_none(), "one edge for {key:?}");
    }
    let documents = doc
        .graph
        .documents
        .iter()
        .map(|d| DocumentInfo {
            id: d.id.clone().into(),
            title: d.title.clone().map(Into::into),
            url: d.url.clone().map(Into::into),
            date: d.date.clone().map(Into::into),
        })
        .collect();
    view.documents = Some(documents);
    view
}

// ---------------------------------------------------------------------------------------------
// DOT

/// The value of a DOT id: a quoted string unescaped as Graphviz reads an escString label
/// (`\\`, `\"`, `\n`); plain ids as they are.
pub fn dot_id(id: &Id) -> String {
    match id {
        Id::Escaped(quoted) => {
            let inner = quoted
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or_else(|| panic!("a quoted string: {quoted}"));
            let mut value = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some('\\') => value.push('\\'),
                        Some('"') => value.push('"'),
                        Some('n') => value.push('\n'),
                        other => panic!("unexpected escape \\{other:?} in {quoted}"),
                    },
                    c => value.push(c),
                }
            }
            value
        }
        Id::Plain(plain) => plain.clone(),
        other => panic!("an id we never write: {other:?}"),
    }
}

fn dot_attributes(attributes: &[Attribute]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for Attribute(key, value) in attributes {
        assert!(matches!(value, Id::Escaped(_)), "every attribute value is quoted: {value:?}");
        assert!(out.insert(dot_id(key), dot_id(value)).is_none(), "attribute {key:?} twice");
    }
    out
}

fn dot_node_id(node: &NodeId) -> String {
    assert!(node.1.is_none(), "no ports: {node:?}");
    assert!(matches!(node.0, Id::Escaped(_)), "every node id is quoted: {node:?}");
    dot_id(&node.0)
}

/// Parses DOT with graphviz-rust's parser.
pub fn parse_dot(bytes: &[u8]) -> DotGraph {
    let text = std::str::from_utf8(bytes).expect("DOT is UTF-8");
    graphviz_rust::parse(text).unwrap_or_else(|e| panic!("DOT does not parse: {e}"))
}

/// Reads DOT back: the top-level nodes (type from shape and fill colour) and edges (relation from
/// the label, `dir=none` for symmetric ones, the evidence from the tooltip); the legend cluster is
/// checked to list exactly the types and relations in use.
pub fn read_dot(vocabulary: &Vocabulary, bytes: &[u8]) -> GraphView {
    let DotGraph::DiGraph { stmts, .. } = parse_dot(bytes) else {
        panic!("not a digraph");
    };
    let mut view = GraphView::default();
    let mut legend: Option<(BTreeSet<String>, BTreeSet<String>)> = None;
    for stmt in &stmts {
        match stmt {
            Stmt::Node(node) => {
                let id = dot_node_id(&node.id);
                let a = dot_attributes(&node.attributes);
                let kind = vocabulary
                    .entity_types
                    .values()
                    .find(|t| t.shape == a["shape"] && t.color.hex() == a["fillcolor"])
                    .unwrap_or_else(|| panic!("{id}: no type with this shape and colour"));
                let node = NodeView {
                    label: a["label"].clone(),
                    entity_type: kind.name.clone(),
                    aliases: vec![],
                    wikidata: None,
                    mentions: None,
                };
                assert!(view.nodes.insert(id.clone(), node).is_none(), "{id} twice");
            }
            Stmt::Edge(edge) => {
                let EdgeTy::Pair(Vertex::N(s), Vertex::N(o)) = &edge.ty else {
                    panic!("an edge between two nodes: {edge:?}");
                };
                let a = dot_attributes(&edge.attributes);
                let relation = a["label"].clone();
                let decl = vocabulary.relation(&relation).unwrap_or_else(|| panic!("{relation}"));
                assert_eq!(a["color"], decl.color.hex());
                let symmetric = match a.get("dir").map(String::as_str) {
                    Some("none") => true,
                    None => false,
                    other => panic!("dir={other:?}"),
                };
                let key = (dot_node_id(s), relation, dot_node_id(o));
                let edge = EdgeView {
                    symmetric,
                    weight: None,
                    amount: None,
                    evidence: EvidenceView::Joined { sentences: a["tooltip"].clone(), rules: None },
                };
                assert!(view.edges.insert(key.clone(), edge).is_none(), "{key:?} twice");
            }
            Stmt::Subgraph(subgraph) => {
                assert_eq!(dot_id(&subgraph.id), "cluster_legend");
                let mut types = BTreeSet::new();
                let mut relations = BTreeSet::new();
                for stmt in &subgraph.stmts {
                    match stmt {
                        Stmt::Node(node) => {
                            let id = dot_node_id(&node.id);
                            if let Some(name) = id.strip_prefix("legend:type:") {
                                types.insert(name.to_string());
                            }
                        }
                        Stmt::Edge(edge) => {
                            relations.insert(dot_attributes(&edge.attributes)["label"].clone());
                        }
                        _ => {}
                    }
                }
                assert!(legend.replace((types, relations)).is_none(), "one legend");
            }
            Stmt::GAttribute(_) => {}
            other => panic!("a statement we never write: {other:?}"),
        }
    }
    let (types, relations) = legend.expect("a legend");
    let used_types: BTreeSet<String> = view.nodes.values().map(|n| n.entity_type.clone()).collect();
    let used_relations: BTreeSet<String> = view.edges.keys().map(|k| k.1.clone()).collect();
    assert_eq!(types, used_types, "the legend lists the types in use");
    assert_eq!(relations, used_relations, "the legend lists the relations in use");
    view
}
