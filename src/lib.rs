//! kgsmith turns news articles into a knowledge graph with transparent, editable rules.
//!
//! The pipeline (SPEC §1) is one module per stage; see `ARCHITECTURE.md` for the code map.

pub mod export;
pub mod graph;
pub mod slug;
pub mod vocab;
