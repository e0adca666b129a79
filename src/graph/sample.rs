//! A small hand-made graph with every feature the exporters must carry (each entity type, a
//! symmetric relation, an amount, several pieces of evidence, a Wikidata QID, a document with
//! metadata). Used by exporter tests and examples; not part of the extraction pipeline.

use crate::graph::model::{
    Amount, DocumentInfo, Entity, Evidence, KnowledgeGraph, Relation, RelationPart,
};
use crate::vocab::{ns, EntityTypeDecl, RelationDecl, Rgb, Vocabulary};

/// The default vocabulary of SPEC §3, as the bundled rules declare it.
pub fn sample_vocabulary() -> Vocabulary {
    let mut v = Vocabulary::default();
    let types = [
        ("Organization", Rgb(0x4e, 0x79, 0xa7), "box"),
        ("Person", Rgb(0xf2, 0x8e, 0x2b), "ellipse"),
        ("Place", Rgb(0x59, 0xa1, 0x4f), "house"),
        ("Facility", Rgb(0x9c, 0x75, 0x5f), "component"),
    ];
    for (name, color, shape) in types {
        v.entity_types.insert(
            name.to_string(),
            EntityTypeDecl {
                name: name.to_string(),
                class_iri: format!("{}{name}", ns::SCHEMA),
                color,
                shape: shape.to_string(),
                size: 10.0,
            },
        );
    }
    let relations = [
        ("partnerOf", "partner of", true, vec![], Rgb(0xe1, 0x57, 0x59)),
        ("investsIn", "invests in", false, vec![], Rgb(0x76, 0xb7, 0xb2)),
        (
            "locatedIn",
            "located in",
            false,
            vec![format!("{}location", ns::SCHEMA)],
            Rgb(0x59, 0xa1, 0x4f),
        ),
        ("foundedFrom", "founded from", false, vec![], Rgb(0xb0, 0x7a, 0xa1)),
        ("leads", "leads", false, vec![], Rgb(0xed, 0xc9, 0x48)),
    ];
    for (name, label, symmetric, sub_property_of, color) in relations {
        v.relations.insert(
            name.to_string(),
            RelationDecl {
                name: name.to_string(),
                property_iri: format!("{}{name}", ns::KGO),
                label: label.to_string(),
                comment: format!("The subject {label} the object."),
                symmetric,
                sub_property_of,
                domain: vec!["Organization".into(), "Person".into(), "Facility".into()],
                range: vec!["Organization".into(), "Place".into(), "Facility".into()],
                color,
            },
        );
    }
    v
}

fn entity(entity_type: &str, slug: &str, label: &str, aliases: &[&str]) -> Entity {
    let lower = entity_type.to_lowercase();
    Entity {
        id: format!("{lower}:{slug}"),
        iri_path: format!("{lower}/{slug}"),
        label: label.to_string(),
        entity_type: entity_type.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        wikidata: None,
        mentions: 1,
    }
}

fn evidence(document: &str, start: usize, sentence: &str, rule: &str) -> Evidence {
    Evidence {
        document: document.to_string(),
        start,
        end: start + sentence.len(),
        sentence: sentence.to_string(),
        rule: rule.to_string(),
        date: None,
    }
}

/// A graph of five entities and four relations over two documents.
pub fn sample_graph() -> KnowledgeGraph {
    let mut telekom = entity("Organization", "deutsche-telekom", "Deutsche Telekom", &["Telekom"]);
    telekom.wikidata = Some("Q9396".into());
    telekom.mentions = 3;
    let entities = vec![
        telekom,
        entity("Organization", "nvidia", "Nvidia", &["NVIDIA"]),
        entity("Place", "allemagne", "Allemagne", &["allemand"]),
        entity("Facility", "usine-d-ia-souveraine", "usine d'IA souveraine", &[]),
        entity("Person", "jensen-huang", "Jensen Huang", &[]),
    ];
    let title = "Nvidia et Deutsche Telekom vont lancer une \"usine IA souveraine\"";
    let relation = |name: &str, symmetric: bool, amount: Option<Amount>, ev: Vec<Evidence>| {
        Relation { relation: name.to_string(), symmetric, amount, support: ev.len(), evidence: ev }
    };
    let part = |s: &str, o: &str, relation: Relation| RelationPart {
        subject: s.to_string(),
        object: o.to_string(),
        relation,
    };
    let relations = vec![
        part(
            "organization:nvidia",
            "organization:deutsche-telekom",
            relation(
                "partnerOf",
                true,
                None,
                vec![evidence("doc-b", 0, title, "fr.partner.coordinated-launch")],
            ),
        ),
        part(
            "organization:deutsche-telekom",
            "facility:usine-d-ia-souveraine",
            relation(
                "investsIn",
                false,
                Some(Amount { value: "1000000000".into(), currency: "EUR".into() }),
                vec![
                    evidence("doc-b", 0, title, "fr.invest.launch-for-amount"),
                    evidence(
                        "doc-b",
                        120,
                        "un investissement d'un milliard d'euros",
                        "fr.invest.apposition",
                    ),
                ],
            ),
        ),
        part(
            "facility:usine-d-ia-souveraine",
            "place:allemagne",
            relation(
                "locatedIn",
                false,
                None,
                vec![evidence(
                    "doc-b",
                    30,
                    "une \"usine IA souveraine\" en Allemagne",
                    "fr.located.in-place",
                )],
            ),
        ),
        part(
            "person:jensen-huang",
            "organization:nvidia",
            relation(
                "leads",
                false,
                None,
                vec![evidence("doc-a", 7, "Jensen Huang, patron de Nvidia", "fr.leads.apposition")],
            ),
        ),
    ];
    let documents = vec![
        DocumentInfo { id: "doc-a".into(), title: None, url: None, date: None },
        DocumentInfo {
            id: "doc-b".into(),
            title: Some(title.into()),
            url: Some("https://example.com/news/telekom?x=1&y=2".into()),
            date: Some("2025-11-04".into()),
        },
    ];
    KnowledgeGraph::from_parts(sample_vocabulary(), documents, entities, relations)
        .expect("the sample graph is well-formed")
}
