//! The vocabulary a rule pack declares: entity types and relations with their RDF terms and styles.
//!
//! It is plain data shared by the rule loader (which fills it from `rules/`) and the exporters (which
//! turn it into classes, properties, colours and shapes). Keeping it here, apart from both, is what
//! makes "adding a relation is a rule-file change" true: no exporter names a relation.

use std::collections::BTreeMap;

/// An RGB colour used by the visual formats (GraphML `r`/`g`/`b`, GEXF `viz:color`, DOT fill).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, the form Graphviz and CSS read.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// An entity type such as `Organization`, declared in the rules with its RDF class.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityTypeDecl {
    /// The name used in rules and ids (`Organization`).
    pub name: String,
    /// Full IRI of the RDF class (`http://schema.org/Organization`).
    pub class_iri: String,
    /// Node colour in the visual formats.
    pub color: Rgb,
    /// Graphviz node shape (`box`, `ellipse`, `house`, ...).
    pub shape: String,
    /// Node size in GraphML/GEXF before scaling by mentions.
    pub size: f64,
}

/// A relation such as `partnerOf`, declared in the rules with its RDF property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationDecl {
    /// The name used in rules (`partnerOf`).
    pub name: String,
    /// Full IRI of the property (`https://w3id.org/kgsmith/ontology#partnerOf`).
    pub property_iri: String,
    /// Human label (`partner of`).
    pub label: String,
    /// One-sentence definition, written as `rdfs:comment`.
    pub comment: String,
    /// Symmetric relations are one undirected edge and written both ways in RDF.
    pub symmetric: bool,
    /// Full IRIs of super-properties (`http://schema.org/location` for `locatedIn`).
    pub sub_property_of: Vec<String>,
    /// Entity types allowed as subject.
    pub domain: Vec<String>,
    /// Entity types allowed as object.
    pub range: Vec<String>,
    /// Edge colour in the visual formats.
    pub color: Rgb,
}

/// Every type and relation of a rule pack, by name (sorted, so exports are deterministic).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    pub entity_types: BTreeMap<String, EntityTypeDecl>,
    pub relations: BTreeMap<String, RelationDecl>,
}

impl Vocabulary {
    pub fn entity_type(&self, name: &str) -> Option<&EntityTypeDecl> {
        self.entity_types.get(name)
    }

    pub fn relation(&self, name: &str) -> Option<&RelationDecl> {
        self.relations.get(name)
    }
}

/// Namespaces used by the RDF exports (SPEC §5).
pub mod ns {
    pub const KGO: &str = "https://w3id.org/kgsmith/ontology#";
    pub const SCHEMA: &str = "http://schema.org/";
    pub const WD: &str = "http://www.wikidata.org/entity/";
    pub const PROV: &str = "http://www.w3.org/ns/prov#";
    pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
    pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
    pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
    /// Default `--base-iri` for entities, documents, statements and evidence.
    pub const DEFAULT_BASE: &str = "https://w3id.org/kgsmith/id/";
}
