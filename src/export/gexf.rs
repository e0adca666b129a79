//! GEXF 1.3, Gephi's own format: one `<node>` per entity, one `<edge>` per relation, with typed
//! `<attributes>`, `viz:color` and `viz:size`. See <https://gexf.net/schema.html>.
//!
//! GEXF puts labels and attribute values in XML attributes, where a parser folds raw tabs and line
//! breaks into spaces; so every value is escaped here, tab, LF and CR included, as character
//! references, and characters XML 1.0 cannot carry are dropped as in GraphML. Each edge's `kind` is
//! its relation, which is what keeps Gephi from merging parallel edges of different relations;
//! symmetric relations are directed edges flagged `symmetric`, or `type="undirected"` with
//! [`SymmetricEdges::Undirected`] (networkx refuses undirected edges in a directed GEXF graph).

use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;

use crate::export::graphml::node_size;
use crate::export::xml::xml_text;
use crate::export::{ExportOptions, SymmetricEdges};
use crate::graph::{Entity, KnowledgeGraph};

const GEXF_NS: &str = "http://gexf.net/1.3";
const VIZ_NS: &str = "http://gexf.net/1.3/viz";

/// Declared node attributes: (id = title, type).
const NODE_ATTRIBUTES: [(&str, &str); 5] = [
    ("type", "string"),
    ("iri", "string"),
    ("aliases", "string"),
    ("wikidata", "string"),
    ("mentions", "integer"),
];

/// Declared edge attributes: (id = title, type). `amount` is a string holding the exact
/// `xsd:decimal` lexical form.
const EDGE_ATTRIBUTES: [(&str, &str); 6] = [
    ("relation", "string"),
    ("symmetric", "boolean"),
    ("amount", "string"),
    ("currency", "string"),
    ("evidence", "string"),
    ("rules", "string"),
];

/// Writes the graph as GEXF 1.3 with `defaultedgetype="directed"`.
pub fn write_gexf(g: &KnowledgeGraph, o: &ExportOptions, w: &mut dyn Write) -> io::Result<()> {
    let mut x = Writer::new_with_indent(w, b' ', 2);
    x.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    x.write_event(Event::Start(BytesStart::new("gexf").with_attributes([
        ("xmlns", GEXF_NS),
        ("xmlns:viz", VIZ_NS),
        ("version", "1.3"),
    ])))?;
    x.write_event(Event::Start(BytesStart::new("meta")))?;
    text_element(&mut x, "creator", "kgsmith")?;
    text_element(
        &mut x,
        "description",
        "Knowledge graph extracted from news articles: entities as nodes, relations as edges \
         (kind = relation) with their evidence",
    )?;
    x.write_event(Event::End(BytesEnd::new("meta")))?;
    x.write_event(Event::Start(
        BytesStart::new("graph")
            .with_attributes([("defaultedgetype", "directed"), ("mode", "static")]),
    ))?;
    declare(&mut x, "node", &NODE_ATTRIBUTES)?;
    declare(&mut x, "edge", &EDGE_ATTRIBUTES)?;

    let nodes = g.entity_count().to_string();
    x.write_event(Event::Start(
        BytesStart::new("nodes").with_attributes([("count", nodes.as_str())]),
    ))?;
    for entity in g.entities() {
        write_node(&mut x, g, o, entity)?;
    }
    x.write_event(Event::End(BytesEnd::new("nodes")))?;

    let edges = g.relation_count().to_string();
    x.write_event(Event::Start(
        BytesStart::new("edges").with_attributes([("count", edges.as_str())]),
    ))?;
    for (i, edge) in g.edges().enumerate() {
        let relation = edge.relation;
        let decl = super::relation_decl(g, &relation.relation)?;
        let symmetric = relation.symmetric || decl.symmetric;
        let id = format!("e{i}");
        let weight = format!("{:.1}", relation.weight() as f64);
        let mut start = BytesStart::new("edge").with_attributes([
            ("id", id.as_str()),
            ("source", edge.subject.id.as_str()),
            ("target", edge.object.id.as_str()),
        ]);
        push_text_attribute(&mut start, "label", &decl.label);
        push_text_attribute(&mut start, "kind", &relation.relation);
        start.push_attribute(("weight", weight.as_str()));
        if symmetric && o.symmetric_edges == SymmetricEdges::Undirected {
            start.push_attribute(("type", "undirected"));
        }
        x.write_event(Event::Start(start))?;
        x.write_event(Event::Start(BytesStart::new("attvalues")))?;
        attvalue(&mut x, "relation", &relation.relation)?;
        attvalue(&mut x, "symmetric", if symmetric { "true" } else { "false" })?;
        if let Some(amount) = &relation.amount {
            attvalue(&mut x, "amount", &amount.value)?;
            attvalue(&mut x, "currency", &amount.currency)?;
        }
        let sentences: Vec<&str> = relation.evidence.iter().map(|e| e.sentence.as_str()).collect();
        attvalue(&mut x, "evidence", &sentences.join(" | "))?;
        let mut rules: Vec<&str> = relation.evidence.iter().map(|e| e.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        attvalue(&mut x, "rules", &rules.join("|"))?;
        x.write_event(Event::End(BytesEnd::new("attvalues")))?;
        viz_color(&mut x, decl.color)?;
        x.write_event(Event::End(BytesEnd::new("edge")))?;
    }
    x.write_event(Event::End(BytesEnd::new("edges")))?;
    x.write_event(Event::End(BytesEnd::new("graph")))?;
    x.write_event(Event::End(BytesEnd::new("gexf")))?;
    x.get_mut().write_all(b"\n")
}

fn write_node<W: Write>(
    x: &mut Writer<W>,
    g: &KnowledgeGraph,
    o: &ExportOptions,
    entity: &Entity,
) -> io::Result<()> {
    let decl = super::type_decl(g, entity)?;
    let mut start = BytesStart::new("node").with_attributes([("id", entity.id.as_str())]);
    push_text_attribute(&mut start, "label", &entity.label);
    x.write_event(Event::Start(start))?;
    x.write_event(Event::Start(BytesStart::new("attvalues")))?;
    attvalue(x, "type", &entity.entity_type)?;
    attvalue(x, "iri", &o.entity_iri(entity))?;
    if !entity.aliases.is_empty() {
        attvalue(x, "aliases", &entity.aliases.join("|"))?;
    }
    if let Some(qid) = &entity.wikidata {
        attvalue(x, "wikidata", qid)?;
    }
    attvalue(x, "mentions", &entity.mentions.to_string())?;
    x.write_event(Event::End(BytesEnd::new("attvalues")))?;
    viz_color(x, decl.color)?;
    let size = node_size(decl.size, entity.mentions).to_string();
    x.write_event(Event::Empty(
        BytesStart::new("viz:size").with_attributes([("value", size.as_str())]),
    ))?;
    x.write_event(Event::End(BytesEnd::new("node")))
}

/// `<attributes class="...">` with one `<attribute id title type/>` per declared value.
fn declare<W: Write>(
    x: &mut Writer<W>,
    class: &str,
    attributes: &[(&str, &str)],
) -> io::Result<()> {
    x.write_event(Event::Start(
        BytesStart::new("attributes").with_attributes([("class", class), ("mode", "static")]),
    ))?;
    for (id, kind) in attributes {
        x.write_event(Event::Empty(BytesStart::new("attribute").with_attributes([
            ("id", *id),
            ("title", *id),
            ("type", *kind),
        ])))?;
    }
    x.write_event(Event::End(BytesEnd::new("attributes")))
}

fn text_element<W: Write>(x: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    x.write_event(Event::Start(BytesStart::new(name)))?;
    x.write_event(Event::Text(BytesText::new(&xml_text(text))))?;
    x.write_event(Event::End(BytesEnd::new(name)))
}

/// `<attvalue for="..." value="..."/>`, the value escaped by [`escape_attribute`].
fn attvalue<W: Write>(x: &mut Writer<W>, key: &str, value: &str) -> io::Result<()> {
    let mut e = BytesStart::new("attvalue").with_attributes([("for", key)]);
    push_text_attribute(&mut e, "value", value);
    x.write_event(Event::Empty(e))
}

fn viz_color<W: Write>(x: &mut Writer<W>, color: crate::vocab::Rgb) -> io::Result<()> {
    let (r, g, b) = (color.0.to_string(), color.1.to_string(), color.2.to_string());
    x.write_event(Event::Empty(BytesStart::new("viz:color").with_attributes([
        ("r", r.as_str()),
        ("g", g.as_str()),
        ("b", b.as_str()),
    ])))
}

/// Adds an attribute holding user text, escaped by [`escape_attribute`].
fn push_text_attribute(e: &mut BytesStart<'_>, key: &str, text: &str) {
    let value = escape_attribute(text);
    e.push_attribute(Attribute { key: QName(key.as_bytes()), value: value.into_bytes().into() });
}

/// Escapes text for a double-quoted XML attribute so that it reads back exactly: markup
/// characters as entities, tab, LF and CR as character references (a parser would otherwise
/// normalize them to spaces), and characters XML 1.0 cannot carry dropped.
pub fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in xml_text(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// One GEXF `<node>` or `<edge>`: its XML attributes, its `<attvalue>`s by `for`, and its `viz:*`
/// elements by local name (`color`, `size`) with their attributes.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GexfElement {
    pub attributes: BTreeMap<String, String>,
    pub attvalues: BTreeMap<String, String>,
    pub viz: BTreeMap<String, BTreeMap<String, String>>,
}

/// A GEXF document as [`read`] sees it.
#[derive(Debug, Default)]
pub struct Gexf {
    /// Attributes of `<gexf>` (`version`, namespaces) and `<graph>`, by element name.
    pub roots: BTreeMap<String, BTreeMap<String, String>>,
    /// `<creator>`, `<description>` … from `<meta>`.
    pub meta: BTreeMap<String, String>,
    /// Declared `<attribute>`s, each with its `class` (`node` or `edge`) added.
    pub declarations: Vec<BTreeMap<String, String>>,
    pub nodes: Vec<GexfElement>,
    pub edges: Vec<GexfElement>,
}

/// Reads a GEXF document back (declarations, nodes and edges with their values), for round-trip
/// tests and for tools that post-process our files. Only what [`write_gexf`] writes is understood.
pub fn read(xml: &[u8]) -> Result<Gexf, String> {
    use quick_xml::Reader;

    use super::xml::attributes;

    let mut reader = Reader::from_reader(xml);
    let mut doc = Gexf::default();
    let mut class: Option<String> = None;
    let mut current: Option<(bool, GexfElement)> = None;
    let mut meta: Option<(String, String)> = None;
    let mut in_meta = false;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| e.to_string())?;
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.name();
                match name.as_ref() {
                    b"gexf" | b"graph" => {
                        let key = String::from_utf8_lossy(name.as_ref()).into_owned();
                        doc.roots.insert(key, attributes(e)?);
                    }
                    b"meta" => in_meta = !empty,
                    b"attributes" => {
                        class = Some(attributes(e)?.remove("class").ok_or("no class")?);
                    }
                    b"attribute" => {
                        let mut a = attributes(e)?;
                        let class = class.clone().ok_or("<attribute> outside <attributes>")?;
                        a.insert("class".to_string(), class);
                        doc.declarations.push(a);
                    }
                    b"node" | b"edge" => {
                        let element =
                            GexfElement { attributes: attributes(e)?, ..Default::default() };
                        if empty {
                            if name.as_ref() == b"node" {
                                doc.nodes.push(element);
                            } else {
                                doc.edges.push(element);
                            }
                        } else {
                            current = Some((name.as_ref() == b"node", element));
                        }
                    }
                    b"attvalue" => {
                        let mut a = attributes(e)?;
                        let key = a.remove("for").ok_or("<attvalue> without for")?;
                        let value = a.remove("value").ok_or("<attvalue> without value")?;
                        let (_, element) =
                            current.as_mut().ok_or("<attvalue> outside an element")?;
                        element.attvalues.insert(key, value);
                    }
                    n if n.starts_with(b"viz:") => {
                        let (_, element) = current.as_mut().ok_or("viz outside an element")?;
                        let local = String::from_utf8_lossy(&n[4..]).into_owned();
                        element.viz.insert(local, attributes(e)?);
                    }
                    n if in_meta && !empty => {
                        meta = Some((String::from_utf8_lossy(n).into_owned(), String::new()));
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = meta.as_mut() {
                    text.push_str(&t.xml10_content().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, text)) = meta.as_mut() {
                    super::xml::push_reference(r, text)?;
                }
            }
            Event::End(e) => match e.name().as_ref() {
                b"meta" => in_meta = false,
                b"node" | b"edge" => {
                    let (is_node, element) = current.take().ok_or("unbalanced <node>/<edge>")?;
                    if is_node {
                        doc.nodes.push(element);
                    } else {
                        doc.edges.push(element);
                    }
                }
                _ => {
                    if let Some((key, text)) = meta.take() {
                        doc.meta.insert(key, text);
                    }
                }
            },
            _ => {}
        }
        buf.clear();
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::sample::sample_graph;

    fn gexf_with(options: &ExportOptions) -> String {
        let mut out = Vec::new();
        write_gexf(&sample_graph(), options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn gexf() -> String {
        gexf_with(&ExportOptions::default())
    }

    fn parse(xml: &str) -> Gexf {
        read(xml.as_bytes()).unwrap()
    }

    #[test]
    fn header_meta_and_declarations() {
        let doc = parse(&gexf());
        assert_eq!(doc.roots["gexf"]["version"], "1.3");
        assert_eq!(doc.roots["gexf"]["xmlns"], GEXF_NS);
        assert_eq!(doc.roots["gexf"]["xmlns:viz"], VIZ_NS);
        assert!(!doc.roots["gexf"].contains_key("xsi:schemaLocation"));
        assert_eq!(doc.roots["graph"]["defaultedgetype"], "directed");
        assert_eq!(doc.roots["graph"]["mode"], "static");
        assert_eq!(doc.meta["creator"], "kgsmith");
        assert!(doc.meta["description"].starts_with("Knowledge graph"));
        let declared: Vec<(&str, &str, &str)> = doc
            .declarations
            .iter()
            .map(|d| (d["class"].as_str(), d["id"].as_str(), d["type"].as_str()))
            .collect();
        assert_eq!(declared.len(), NODE_ATTRIBUTES.len() + EDGE_ATTRIBUTES.len());
        assert!(declared.contains(&("node", "mentions", "integer")));
        assert!(declared.contains(&("edge", "symmetric", "boolean")));
        assert!(declared.contains(&("edge", "amount", "string")));
    }

    #[test]
    fn nodes_carry_ids_labels_values_and_viz() {
        let doc = parse(&gexf());
        let ids: Vec<&str> = doc.nodes.iter().map(|n| n.attributes["id"].as_str()).collect();
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
        assert_eq!(telekom.attributes["label"], "Deutsche Telekom");
        assert_eq!(telekom.attvalues["type"], "Organization");
        assert_eq!(
            telekom.attvalues["iri"],
            "https://w3id.org/kgsmith/id/organization/deutsche-telekom"
        );
        assert_eq!(telekom.attvalues["aliases"], "Telekom");
        assert_eq!(telekom.attvalues["wikidata"], "Q9396");
        assert_eq!(telekom.attvalues["mentions"], "3");
        let color = &telekom.viz["color"];
        assert_eq!((&*color["r"], &*color["g"], &*color["b"]), ("78", "121", "167"));
        let size: f64 = telekom.viz["size"]["value"].parse().unwrap();
        assert!((size - node_size(10.0, 3)).abs() < 1e-9, "{size}");
        assert_eq!(doc.nodes[0].attributes["label"], "usine d'IA souveraine");
        assert!(!doc.nodes[0].attvalues.contains_key("wikidata"));
        assert!(!doc.nodes[0].attvalues.contains_key("aliases"));
    }

    #[test]
    fn edges_have_kinds_weights_amounts_and_directions() {
        let doc = parse(&gexf());
        let ids: Vec<&str> = doc.edges.iter().map(|e| e.attributes["id"].as_str()).collect();
        assert_eq!(ids, ["e0", "e1", "e2", "e3"]);
        let kinds: Vec<&str> = doc.edges.iter().map(|e| e.attributes["kind"].as_str()).collect();
        assert_eq!(kinds, ["locatedIn", "investsIn", "partnerOf", "leads"]);
        for edge in &doc.edges {
            assert_eq!(edge.attributes["kind"], edge.attvalues["relation"]);
        }
        let invest = &doc.edges[1];
        assert_eq!(invest.attributes["source"], "organization:deutsche-telekom");
        assert_eq!(invest.attributes["target"], "facility:usine-d-ia-souveraine");
        assert_eq!(invest.attributes["label"], "invests in");
        assert_eq!(invest.attributes["weight"], "2.0");
        assert_eq!(invest.attvalues["amount"], "1000000000");
        assert_eq!(invest.attvalues["currency"], "EUR");
        assert_eq!(invest.attvalues["symmetric"], "false");
        assert_eq!(invest.attvalues["rules"], "fr.invest.apposition|fr.invest.launch-for-amount");
        assert_eq!(
            invest.attvalues["evidence"],
            "Nvidia et Deutsche Telekom vont lancer une \"usine IA souveraine\" \
             | un investissement d'un milliard d'euros"
        );
        let color = &invest.viz["color"];
        assert_eq!((&*color["r"], &*color["g"], &*color["b"]), ("118", "183", "178"));
        assert!(doc.edges.iter().all(|e| !e.attributes.contains_key("type")));
        assert_eq!(doc.edges[2].attvalues["symmetric"], "true");
        assert_eq!(doc.edges[2].attributes["weight"], "1.0");

        let mixed =
            ExportOptions { symmetric_edges: SymmetricEdges::Undirected, ..Default::default() };
        let doc = parse(&gexf_with(&mixed));
        let undirected: Vec<&str> = doc
            .edges
            .iter()
            .filter(|e| e.attributes.get("type").map(String::as_str) == Some("undirected"))
            .map(|e| e.attributes["kind"].as_str())
            .collect();
        assert_eq!(undirected, ["partnerOf"]);
        assert_eq!(doc.edges[2].attvalues["symmetric"], "true");
    }

    #[test]
    fn attribute_text_reads_back_exactly() {
        assert_eq!(
            escape_attribute("a\"b<c>&d\te\nf\rg\u{1}'😀"),
            "a&quot;b&lt;c&gt;&amp;d&#9;e&#10;f&#13;g'😀"
        );
        let mut e = BytesStart::new("node");
        push_text_attribute(&mut e, "label", "x\r\n\t\"y\" \u{0}<&>");
        let mut out = Vec::new();
        Writer::new(&mut out).write_event(Event::Empty(e)).unwrap();
        let doc = parse(&format!("<nodes>{}</nodes>", String::from_utf8(out).unwrap()));
        assert_eq!(doc.nodes[0].attributes["label"], "x\r\n\t\"y\" <&>");
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(gexf(), gexf());
    }
}
