//! GraphML for Gephi, networkx, igraph and yEd: one `<node>` per entity, one `<edge>` per relation.
//!
//! Everything goes through quick-xml events, so escaping is never done by hand; user text lives in
//! `<data>` element content (never in attributes, where XML would fold tabs and newlines into
//! spaces), characters XML 1.0 cannot carry are dropped and a carriage return is written as `&#13;`
//! so parsers do not fold it into a newline. See <http://graphml.graphdrawing.org/specification.html>.
//!
//! Choices a reader may want to know: `amount` is a `string` holding the exact `xsd:decimal`
//! lexical form (a `double` would round large amounts); node `size` is the type's size scaled by
//! mentions, `size * (1 + ln(max(mentions, 1)))`; `aliases` and `rules` are joined with `|`,
//! `evidence` sentences with ` | `.

use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use crate::export::xml::xml_text;
use crate::export::{ExportOptions, SymmetricEdges};
use crate::graph::{Entity, KnowledgeGraph};

const GRAPHML_NS: &str = "http://graphml.graphdrawing.org/xmlns";
const SCHEMA_LOCATION: &str =
    "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd";

/// Declared keys: (id, for, attr.name, attr.type).
const KEYS: [(&str, &str, &str, &str); 18] = [
    ("label", "node", "label", "string"),
    ("type", "node", "type", "string"),
    ("iri", "node", "iri", "string"),
    ("aliases", "node", "aliases", "string"),
    ("wikidata", "node", "wikidata", "string"),
    ("mentions", "node", "mentions", "int"),
    ("r", "node", "r", "int"),
    ("g", "node", "g", "int"),
    ("b", "node", "b", "int"),
    ("size", "node", "size", "double"),
    ("edge_label", "edge", "label", "string"),
    ("relation", "edge", "relation", "string"),
    ("weight", "edge", "weight", "double"),
    ("symmetric", "edge", "symmetric", "boolean"),
    ("amount", "edge", "amount", "string"),
    ("currency", "edge", "currency", "string"),
    ("evidence", "edge", "evidence", "string"),
    ("rules", "edge", "rules", "string"),
];

/// Writes the graph as GraphML 1.0 with `edgedefault="directed"`.
pub fn write_graphml(g: &KnowledgeGraph, o: &ExportOptions, w: &mut dyn Write) -> io::Result<()> {
    let mut x = Writer::new_with_indent(w, b' ', 2);
    x.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    x.write_event(Event::Start(BytesStart::new("graphml").with_attributes([
        ("xmlns", GRAPHML_NS),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("xsi:schemaLocation", SCHEMA_LOCATION),
    ])))?;
    for (id, domain, name, kind) in KEYS {
        x.write_event(Event::Empty(BytesStart::new("key").with_attributes([
            ("id", id),
            ("for", domain),
            ("attr.name", name),
            ("attr.type", kind),
        ])))?;
    }
    x.write_event(Event::Start(
        BytesStart::new("graph").with_attributes([("id", "kg"), ("edgedefault", "directed")]),
    ))?;
    for entity in g.entities() {
        write_node(&mut x, g, o, entity)?;
    }
    for (i, edge) in g.edges().enumerate() {
        let relation = edge.relation;
        let decl = super::relation_decl(g, &relation.relation)?;
        let id = format!("e{i}");
        let mut start = BytesStart::new("edge").with_attributes([
            ("id", id.as_str()),
            ("source", edge.subject.id.as_str()),
            ("target", edge.object.id.as_str()),
        ]);
        let symmetric = relation.symmetric || decl.symmetric;
        if symmetric && o.symmetric_edges == SymmetricEdges::Undirected {
            start.push_attribute(("directed", "false"));
        }
        x.write_event(Event::Start(start))?;
        data(&mut x, "edge_label", &decl.label)?;
        data(&mut x, "relation", &relation.relation)?;
        data(&mut x, "symmetric", if symmetric { "true" } else { "false" })?;
        data(&mut x, "weight", &relation.weight().to_string())?;
        if let Some(amount) = &relation.amount {
            data(&mut x, "amount", &amount.value)?;
            data(&mut x, "currency", &amount.currency)?;
        }
        let sentences: Vec<&str> = relation.evidence.iter().map(|e| e.sentence.as_str()).collect();
        data(&mut x, "evidence", &sentences.join(" | "))?;
        let mut rules: Vec<&str> = relation.evidence.iter().map(|e| e.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        data(&mut x, "rules", &rules.join("|"))?;
        x.write_event(Event::End(BytesEnd::new("edge")))?;
    }
    x.write_event(Event::End(BytesEnd::new("graph")))?;
    x.write_event(Event::End(BytesEnd::new("graphml")))?;
    x.get_mut().write_all(b"\n")
}

/// Node size for an entity of the given base size: grows with the log of its mentions.
pub fn node_size(base: f64, mentions: u32) -> f64 {
    base * (1.0 + f64::from(mentions.max(1)).ln())
}

fn write_node<W: Write>(
    x: &mut Writer<W>,
    g: &KnowledgeGraph,
    o: &ExportOptions,
    entity: &Entity,
) -> io::Result<()> {
    let decl = super::type_decl(g, entity)?;
    x.write_event(Event::Start(
        BytesStart::new("node").with_attributes([("id", entity.id.as_str())]),
    ))?;
    data(x, "label", &entity.label)?;
    data(x, "type", &entity.entity_type)?;
    data(x, "iri", &o.entity_iri(entity))?;
    if !entity.aliases.is_empty() {
        data(x, "aliases", &entity.aliases.join("|"))?;
    }
    if let Some(qid) = &entity.wikidata {
        data(x, "wikidata", qid)?;
    }
    data(x, "mentions", &entity.mentions.to_string())?;
    data(x, "r", &decl.color.0.to_string())?;
    data(x, "g", &decl.color.1.to_string())?;
    data(x, "b", &decl.color.2.to_string())?;
    data(x, "size", &node_size(decl.size, entity.mentions).to_string())?;
    x.write_event(Event::End(BytesEnd::new("node")))
}

/// `<data key="...">text</data>`, with text made safe for XML 1.0.
fn data<W: Write>(x: &mut Writer<W>, key: &str, text: &str) -> io::Result<()> {
    x.write_event(Event::Start(BytesStart::new("data").with_attributes([("key", key)])))?;
    let text = xml_text(text);
    let mut pieces = text.split('\r');
    // Always one text event, even when empty, so the writer never indents inside `<data>`.
    x.write_event(Event::Text(BytesText::new(pieces.next().unwrap_or(""))))?;
    for piece in pieces {
        // A literal CR would be read back as LF (XML end-of-line handling); a reference is not.
        x.write_event(Event::Text(BytesText::from_escaped("&#13;")))?;
        x.write_event(Event::Text(BytesText::new(piece)))?;
    }
    x.write_event(Event::End(BytesEnd::new("data")))
}

/// One GraphML `<node>` or `<edge>`: its attributes and `<data>` values by key id.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GraphMlElement {
    pub attributes: BTreeMap<String, String>,
    pub data: BTreeMap<String, String>,
}

/// Nodes and edges of a GraphML document, read with quick-xml.
#[derive(Debug, Default)]
pub struct GraphMl {
    pub keys: Vec<BTreeMap<String, String>>,
    pub nodes: Vec<GraphMlElement>,
    pub edges: Vec<GraphMlElement>,
}

/// Reads a GraphML document back (keys, nodes, edges with their data), for round-trip tests and
/// for tools that post-process our files. Only what [`write_graphml`] writes is understood.
pub fn read(xml: &[u8]) -> Result<GraphMl, String> {
    use quick_xml::events::Event;
    use quick_xml::Reader;

    use super::xml::attributes;

    let mut reader = Reader::from_reader(xml);
    let mut graph = GraphMl::default();
    let mut current: Option<(bool, GraphMlElement)> = None;
    let mut data: Option<(String, String)> = None;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        match event {
            Event::Eof => break,
            Event::Empty(e) if e.name().as_ref() == b"key" => graph.keys.push(attributes(&e)?),
            Event::Start(e) => match e.name().as_ref() {
                b"node" | b"edge" => {
                    let element =
                        GraphMlElement { attributes: attributes(&e)?, data: BTreeMap::new() };
                    current = Some((e.name().as_ref() == b"node", element));
                }
                b"data" => {
                    let key = attributes(&e)?.remove("key").ok_or("<data> without key")?;
                    data = Some((key, String::new()));
                }
                _ => {}
            },
            Event::Text(t) => {
                if let Some((_, text)) = data.as_mut() {
                    text.push_str(&t.xml10_content().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(r) => {
                let (_, text) = data.as_mut().ok_or("a character reference outside <data>")?;
                super::xml::push_reference(&r, text)?;
            }
            Event::End(e) => match e.name().as_ref() {
                b"data" => {
                    let (key, text) = data.take().ok_or("</data> without <data>")?;
                    let (_, element) = current.as_mut().ok_or("<data> outside a node or edge")?;
                    element.data.insert(key, text);
                }
                b"node" | b"edge" => {
                    let (is_node, element) = current.take().ok_or("unbalanced <node>/<edge>")?;
                    if is_node {
                        graph.nodes.push(element);
                    } else {
                        graph.edges.push(element);
                    }
                }
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use quick_xml::events::Event;

    use super::*;
    use crate::graph::sample::sample_graph;

    /// Parses our GraphML back: (keys, nodes, edges).
    fn parse(
        xml: &str,
    ) -> (Vec<BTreeMap<String, String>>, Vec<GraphMlElement>, Vec<GraphMlElement>) {
        let g = read(xml.as_bytes()).unwrap();
        (g.keys, g.nodes, g.edges)
    }

    fn graphml() -> String {
        let mut out = Vec::new();
        write_graphml(&sample_graph(), &ExportOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn nodes_carry_ids_labels_and_styles() {
        let (_, nodes, _) = parse(&graphml());
        let ids: Vec<&str> = nodes.iter().map(|n| n.attributes["id"].as_str()).collect();
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
        let telekom = &nodes[1].data;
        assert_eq!(telekom["label"], "Deutsche Telekom");
        assert_eq!(telekom["type"], "Organization");
        assert_eq!(telekom["iri"], "https://w3id.org/kgsmith/id/organization/deutsche-telekom");
        assert_eq!(telekom["aliases"], "Telekom");
        assert_eq!(telekom["wikidata"], "Q9396");
        assert_eq!(telekom["mentions"], "3");
        assert_eq!((&*telekom["r"], &*telekom["g"], &*telekom["b"]), ("78", "121", "167"));
        let size: f64 = telekom["size"].parse().unwrap();
        assert!((size - 10.0 * (1.0 + 3f64.ln())).abs() < 1e-9, "{size}");
        assert_eq!(nodes[0].data["label"], "usine d'IA souveraine");
        assert!(!nodes[0].data.contains_key("wikidata"));
    }

    #[test]
    fn edges_are_directed_except_symmetric_ones() {
        let (_, _, edges) = parse(&graphml());
        assert_eq!(edges.len(), 4);
        let ids: Vec<&str> = edges.iter().map(|e| e.attributes["id"].as_str()).collect();
        assert_eq!(ids, ["e0", "e1", "e2", "e3"]);
        let partner: Vec<&GraphMlElement> =
            edges.iter().filter(|e| e.data["relation"] == "partnerOf").collect();
        assert_eq!(partner.len(), 1);
        assert!(!partner[0].attributes.contains_key("directed"));
        assert_eq!(partner[0].data["symmetric"], "true");
        let mixed =
            ExportOptions { symmetric_edges: SymmetricEdges::Undirected, ..Default::default() };
        let mut out = Vec::new();
        write_graphml(&sample_graph(), &mixed, &mut out).unwrap();
        let (_, _, mixed_edges) = parse(&String::from_utf8(out).unwrap());
        let undirected: Vec<&str> = mixed_edges
            .iter()
            .filter(|e| e.attributes.get("directed").map(String::as_str) == Some("false"))
            .map(|e| e.data["relation"].as_str())
            .collect();
        assert_eq!(undirected, ["partnerOf"]);
        assert_eq!(partner[0].data["edge_label"], "partner of");
        let others = edges.iter().filter(|e| e.data["relation"] != "partnerOf");
        assert!(others.into_iter().all(|e| !e.attributes.contains_key("directed")));
        let invest = edges.iter().find(|e| e.data["relation"] == "investsIn").unwrap();
        assert_eq!(invest.attributes["source"], "organization:deutsche-telekom");
        assert_eq!(invest.attributes["target"], "facility:usine-d-ia-souveraine");
        assert_eq!(invest.data["weight"], "2");
        assert_eq!(invest.data["amount"], "1000000000");
        assert_eq!(invest.data["currency"], "EUR");
        assert_eq!(
            invest.data["evidence"],
            "Nvidia et Deutsche Telekom vont lancer une \"usine IA souveraine\" \
             | un investissement d'un milliard d'euros"
        );
        assert_eq!(invest.data["rules"], "fr.invest.apposition|fr.invest.launch-for-amount");
    }

    #[test]
    fn keys_are_declared_with_distinct_ids() {
        let (keys, _, _) = parse(&graphml());
        assert_eq!(keys.len(), KEYS.len());
        let labels: Vec<(&str, &str)> = keys
            .iter()
            .filter(|k| k["attr.name"] == "label")
            .map(|k| (k["id"].as_str(), k["for"].as_str()))
            .collect();
        assert_eq!(labels, [("label", "node"), ("edge_label", "edge")]);
        assert!(keys.iter().all(|k| k.contains_key("attr.type")));
    }

    #[test]
    fn text_keeps_everything_xml_can_carry() {
        let mut out = Vec::new();
        let mut x = Writer::new_with_indent(&mut out, b' ', 2);
        x.write_event(Event::Start(BytesStart::new("node"))).unwrap();
        data(&mut x, "label", "a\r\nb\u{1}<&>").unwrap();
        x.write_event(Event::End(BytesEnd::new("node"))).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains("<data key=\"label\">a&#13;\nb&lt;&amp;&gt;</data>"), "{xml}");
        let (_, nodes, _) = parse(&xml);
        assert_eq!(nodes[0].data["label"], "a\r\nb<&>");
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(graphml(), graphml());
    }
}
