//! GraphML (placeholder until written).
use std::io::{self, Write};

use crate::export::ExportOptions;
use crate::graph::KnowledgeGraph;

pub fn write_graphml(
    _g: &KnowledgeGraph,
    _o: &ExportOptions,
    _w: &mut dyn Write,
) -> io::Result<()> {
    Err(io::Error::other("graphml exporter not written yet"))
}
