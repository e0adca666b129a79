//! Turtle and N-Triples (placeholder until written).
use std::io::{self, Write};

use crate::export::ExportOptions;
use crate::graph::KnowledgeGraph;

pub fn write_turtle(_g: &KnowledgeGraph, _o: &ExportOptions, _w: &mut dyn Write) -> io::Result<()> {
    Err(io::Error::other("turtle exporter not written yet"))
}

pub fn write_ntriples(
    _g: &KnowledgeGraph,
    _o: &ExportOptions,
    _w: &mut dyn Write,
) -> io::Result<()> {
    Err(io::Error::other("n-triples exporter not written yet"))
}
