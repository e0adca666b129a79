//! Graph stage: the data model ([`model`]) and the builder that resolves mentions into entities.

pub mod build;
pub mod documents;
pub mod model;
pub mod partial;
pub mod sample;

pub use documents::{DocumentList, DocumentRef, Documents};
pub use model::{
    Amount, DocumentInfo, EdgeView, Entity, Evidence, GraphError, KnowledgeGraph, Relation,
    RelationPart,
};
