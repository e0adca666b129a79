//! Graphviz DOT: a picture of the graph, styled from the vocabulary, with a legend.
//!
//! Every id and attribute value is written as a quoted string through [`quote`], so no user text
//! ever reaches the DOT grammar unquoted; inside it a backslash is doubled (Graphviz would otherwise
//! read `\N`, `\l`, `\G` … as label escapes), newlines become `\n` and other control characters
//! are dropped. See <https://graphviz.org/doc/info/lang.html> and
//! <https://graphviz.org/docs/attr-types/escString/>.

use std::collections::BTreeSet;
use std::io::{self, Write};

use crate::export::ExportOptions;
use crate::graph::KnowledgeGraph;

/// Writes the graph as a `digraph`; symmetric relations are drawn without arrow heads.
pub fn write_dot(g: &KnowledgeGraph, o: &ExportOptions, w: &mut dyn Write) -> io::Result<()> {
    let mut types: BTreeSet<&str> = BTreeSet::new();
    let mut relations: BTreeSet<&str> = BTreeSet::new();
    writeln!(w, "digraph kg {{")?;
    writeln!(
        w,
        "  graph [rankdir=\"LR\", charset=\"UTF-8\", fontname=\"Helvetica\", \
         label=\"kgsmith knowledge graph\", labelloc=\"t\"];"
    )?;
    writeln!(w, "  node [style=\"filled\", fontname=\"Helvetica\", fontcolor=\"#000000\"];")?;
    writeln!(w, "  edge [fontname=\"Helvetica\", fontsize=\"10\"];")?;
    for entity in g.entities() {
        let decl = super::type_decl_named(g, &entity.entity_type)?;
        types.insert(decl.name.as_str());
        writeln!(
            w,
            "  {} [label={}, shape={}, fillcolor={}, tooltip={}];",
            quote(&entity.id),
            quote(&entity.label),
            quote(&decl.shape),
            quote(&decl.color.hex()),
            quote(&o.entity_iri(entity)),
        )?;
    }
    for edge in g.edges() {
        let decl = super::relation_decl(g, &edge.relation.relation)?;
        relations.insert(decl.name.as_str());
        let sentences: Vec<&str> =
            edge.relation.evidence.iter().map(|e| e.sentence.as_str()).collect();
        write!(
            w,
            "  {} -> {} [label={}, color={}, fontcolor={}, tooltip={}",
            quote(&edge.subject.id),
            quote(&edge.object.id),
            quote(&decl.name),
            quote(&decl.color.hex()),
            quote(&decl.color.hex()),
            quote(&sentences.join("\n")),
        )?;
        if edge.relation.symmetric || decl.symmetric {
            write!(w, ", dir=\"none\"")?;
        }
        writeln!(w, "];")?;
    }
    write_legend(g, &types, &relations, w)?;
    writeln!(w, "}}")
}

/// A cluster with one sample node per entity type and one sample edge per relation in use.
fn write_legend(
    g: &KnowledgeGraph,
    types: &BTreeSet<&str>,
    relations: &BTreeSet<&str>,
    w: &mut dyn Write,
) -> io::Result<()> {
    writeln!(w, "  subgraph cluster_legend {{")?;
    writeln!(w, "    graph [label=\"Legend\", style=\"rounded\", color=\"#999999\"];")?;
    for name in types {
        let decl = super::type_decl_named(g, name)?;
        writeln!(
            w,
            "    {} [label={}, shape={}, fillcolor={}, tooltip={}];",
            quote(&format!("legend:type:{name}")),
            quote(name),
            quote(&decl.shape),
            quote(&decl.color.hex()),
            quote(&decl.class_iri),
        )?;
    }
    for name in relations {
        let decl = super::relation_decl(g, name)?;
        let from = quote(&format!("legend:relation:{name}:from"));
        let to = quote(&format!("legend:relation:{name}:to"));
        for id in [&from, &to] {
            writeln!(
                w,
                "    {id} [label=\"\", shape=\"point\", width=\"0.08\", style=\"filled\", \
                 fillcolor=\"#999999\"];"
            )?;
        }
        write!(
            w,
            "    {from} -> {to} [label={}, color={}, fontcolor={}, tooltip={}",
            quote(name),
            quote(&decl.color.hex()),
            quote(&decl.color.hex()),
            quote(&decl.comment),
        )?;
        if decl.symmetric {
            write!(w, ", dir=\"none\"")?;
        }
        writeln!(w, "];")?;
    }
    writeln!(w, "  }}")
}

/// A DOT quoted string: `\` and `"` escaped, newline as `\n`, tab as a space, other control
/// characters (CR included) dropped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::sample::sample_graph;

    fn dot() -> String {
        let mut out = Vec::new();
        write_dot(&sample_graph(), &ExportOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quoting_escapes_backslashes_quotes_and_newlines() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote(r#"a "b" \N \l"#), r#""a \"b\" \\N \\l""#);
        assert_eq!(quote("one\r\ntwo\tthree\u{1}\u{7f}"), r#""one\ntwo three""#);
        assert_eq!(quote("ends with \\"), r#""ends with \\""#);
        assert_eq!(quote("😀 שלום <&>"), "\"😀 שלום <&>\"");
    }

    #[test]
    fn nodes_are_quoted_and_styled_per_type() {
        let dot = dot();
        assert!(dot.starts_with("digraph kg {\n"), "{dot}");
        assert!(dot.trim_end().ends_with('}'));
        assert!(dot.contains(
            "  \"organization:deutsche-telekom\" [label=\"Deutsche Telekom\", shape=\"box\", \
             fillcolor=\"#4e79a7\", \
             tooltip=\"https://w3id.org/kgsmith/id/organization/deutsche-telekom\"];"
        ));
        assert!(dot.contains("\"place:allemagne\" [label=\"Allemagne\", shape=\"house\""));
        assert!(dot.contains("\"person:jensen-huang\" [label=\"Jensen Huang\", shape=\"ellipse\""));
    }

    #[test]
    fn edges_carry_relation_colour_and_evidence() {
        let dot = dot();
        assert!(dot.contains(
            "  \"organization:deutsche-telekom\" -> \"organization:nvidia\" [label=\"partnerOf\", \
             color=\"#e15759\", fontcolor=\"#e15759\", \
             tooltip=\"Nvidia et Deutsche Telekom vont lancer une \\\"usine IA souveraine\\\"\", \
             dir=\"none\"];"
        ), "{dot}");
        let invest =
            dot.lines().find(|l| l.contains("[label=\"investsIn\"")).expect("the investsIn edge");
        assert!(invest
            .contains("\\\"usine IA souveraine\\\"\\nun investissement d'un milliard d'euros\""));
        assert!(!invest.contains("dir="));
        assert_eq!(dot.matches(" -> ").count(), 4 + 4, "4 edges and 4 legend edges");
    }

    #[test]
    fn legend_lists_the_types_and_relations_in_use() {
        let dot = dot();
        let legend = &dot[dot.find("subgraph cluster_legend {").expect("a legend")..];
        for name in ["Organization", "Person", "Place", "Facility"] {
            assert!(legend.contains(&format!("\"legend:type:{name}\" [label=\"{name}\"")));
        }
        for name in ["partnerOf", "investsIn", "locatedIn", "leads"] {
            assert!(legend.contains(&format!("[label=\"{name}\"")), "{name}");
        }
        assert!(!legend.contains("foundedFrom"), "unused relations stay out");
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(dot(), dot());
    }
}
