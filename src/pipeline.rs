//! The whole pipeline as one call: documents → extractions (in parallel) → graph.
//!
//! This is glue only: each stage lives in its own module. Extraction runs on the current rayon
//! pool (the binary sizes it with `--jobs`); results are collected in input order and the graph
//! is built from keys, so the output does not depend on the number of threads.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::InputDiagnostic;
use crate::extract::{extract, Extraction};
use crate::graph::build::build_graph;
use crate::graph::{GraphError, KnowledgeGraph};
use crate::input::Document;
use crate::rules::RulePack;

/// Counts for the summary line.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub documents: usize,
    pub sentences: usize,
    pub mentions: usize,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl Stats {
    /// Throughput in MB/s (10^6 bytes) of input text.
    pub fn megabytes_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        self.bytes as f64 / 1e6 / secs
    }
}

/// What a build produced.
#[derive(Debug)]
pub struct BuildOutput {
    pub graph: KnowledgeGraph,
    pub extractions: Vec<Extraction>,
    pub diagnostics: Vec<InputDiagnostic>,
    pub stats: Stats,
}

/// Extracts from every document and builds the graph.
pub fn run(
    rules: &RulePack,
    documents: &[Document],
    diagnostics: Vec<InputDiagnostic>,
) -> Result<BuildOutput, GraphError> {
    let started = Instant::now();
    let extractions: Vec<Extraction> = documents.par_iter().map(|d| extract(d, rules)).collect();
    let graph = build_graph(&extractions, rules)?;
    let stats = Stats {
        documents: documents.len(),
        sentences: extractions.iter().map(|e| e.sentences.len()).sum(),
        mentions: extractions.iter().map(|e| e.mentions.len()).sum(),
        bytes: documents.iter().map(|d| d.text.len() as u64).sum(),
        elapsed: started.elapsed(),
    };
    Ok(BuildOutput { graph, extractions, diagnostics, stats })
}
