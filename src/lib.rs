//! kgsmith turns news articles into a knowledge graph with transparent, editable rules.
//!
//! The pipeline (SPEC §1) is one module per stage; see `ARCHITECTURE.md` for the code map.

pub mod error;
pub mod eval;
pub mod explain;
pub mod export;
pub mod extract;
pub mod graph;
pub mod input;
pub mod lang;
pub mod normalize;
pub mod pipeline;
pub mod profile;
pub mod rules;
pub mod sentence;
pub mod slug;
pub mod vocab;
