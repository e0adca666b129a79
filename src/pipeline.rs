//! The whole pipeline as one call: a stream of documents → extractions (in parallel) → graph.
//!
//! This is glue only: each stage lives in its own module. Documents are taken from the input
//! stream in chunks; a chunk is extracted on the current rayon pool (the binary sizes it with
//! `--jobs`), then added to the [`GraphBuilder`] in input order and dropped, so memory holds a few
//! chunks of text and the graph. The graph is built from keys, so the output does not depend on
//! the number of threads nor on the chunking.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::InputDiagnostic;
use crate::extract::{extract_batch, Extraction};
use crate::graph::build::{GraphBuilder, DEFAULT_MAX_EVIDENCE};
use crate::graph::{GraphError, KnowledgeGraph};
use crate::input::{Document, InputItem};
use crate::rules::RulePack;

/// Counts for the summary line and the progress bar.
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
    pub diagnostics: Vec<InputDiagnostic>,
    pub stats: Stats,
}

/// Most documents a worker extracts together ([`extract_batch`]): each pattern runs over all
/// their sentences before the next pattern starts, so the larger the batch, the longer an
/// automaton stays in the processor's caches (BENCHMARKS.md).
const BATCH_DOCUMENTS: usize = 128;

/// A chunk is extracted in parallel once it holds two batches per thread, or this many bytes of
/// text.
const CHUNK_BYTES: usize = 8 << 20;

/// Takes the next chunk of up to `documents` documents from `inputs` (empty at the end),
/// recording the input problems met on the way.
fn next_chunk(
    inputs: &mut impl Iterator<Item = InputItem>,
    documents: usize,
    diagnostics: &mut Vec<InputDiagnostic>,
) -> Vec<Document> {
    let mut chunk = Vec::with_capacity(documents);
    let mut bytes = 0;
    while chunk.len() < documents && bytes < CHUNK_BYTES {
        match inputs.next() {
            None => break,
            Some(InputItem::Problem(p)) => diagnostics.push(p),
            Some(InputItem::Document(d)) => {
                bytes += d.text.len();
                chunk.push(d);
            }
        }
    }
    chunk
}

/// Extracts from every document of `inputs` into `builder`; `progress` is called after each
/// chunk. Returns the input problems met.
///
/// While a chunk is extracted on the pool, one worker adds the previous chunk's extractions to
/// the graph and then reads the next chunk (both serial), and helps extract when done: reading
/// files and parsing JSON lines no longer leave a core idle between chunks. Three chunks of text
/// are in memory at most (extracted, being extracted, read). A chunk is cut into batches, two per
/// thread or more, so that a worker that is done can take another's.
pub fn extract_stream(
    rules: &RulePack,
    mut inputs: impl Iterator<Item = InputItem> + Send,
    builder: &mut GraphBuilder<'_>,
    stats: &mut Stats,
    progress: &mut dyn FnMut(&Stats),
) -> Vec<InputDiagnostic> {
    let started = Instant::now();
    let mut diagnostics = Vec::new();
    let add = |extractions: Vec<Extraction>, builder: &mut GraphBuilder<'_>, stats: &mut Stats| {
        for ex in &extractions {
            stats.sentences += ex.sentences.len();
            stats.mentions += ex.mentions.len();
            builder.add(ex);
        }
    };
    let threads = rayon::current_num_threads();
    let chunk_documents = BATCH_DOCUMENTS * 2 * threads;
    // documents move into their extractions (no copy of the text), which are dropped once added
    let mut chunk = next_chunk(&mut inputs, chunk_documents, &mut diagnostics);
    let mut pending: Vec<Extraction> = Vec::new();
    while !chunk.is_empty() {
        stats.documents += chunk.len();
        stats.bytes += chunk.iter().map(|d| d.text.len() as u64).sum::<u64>();
        let documents = std::mem::take(&mut chunk);
        let previous = std::mem::take(&mut pending);
        let (extractions, next) = rayon::join(
            || {
                let batch = documents.len().div_ceil(2 * threads).clamp(1, BATCH_DOCUMENTS);
                let batches = documents.into_par_iter().chunks(batch);
                batches.flat_map_iter(|batch| extract_batch(batch, rules)).collect()
            },
            || {
                add(previous, builder, stats);
                next_chunk(&mut inputs, chunk_documents, &mut diagnostics)
            },
        );
        pending = extractions;
        chunk = next;
        stats.elapsed = started.elapsed();
        progress(stats);
    }
    add(pending, builder, stats);
    stats.elapsed = started.elapsed();
    diagnostics
}

/// Extracts from every document of `inputs` and builds the graph.
pub fn run_stream(
    rules: &RulePack,
    inputs: impl Iterator<Item = InputItem> + Send,
    max_evidence: usize,
    progress: &mut dyn FnMut(&Stats),
) -> Result<BuildOutput, GraphError> {
    let started = Instant::now();
    let mut builder = GraphBuilder::new(rules).with_max_evidence(max_evidence);
    let mut stats = Stats::default();
    let diagnostics = extract_stream(rules, inputs, &mut builder, &mut stats, progress);
    let graph = builder.finish()?;
    stats.elapsed = started.elapsed();
    Ok(BuildOutput { graph, diagnostics, stats })
}

/// Extracts from documents already in memory and builds the graph.
pub fn run(
    rules: &RulePack,
    documents: &[Document],
    diagnostics: Vec<InputDiagnostic>,
) -> Result<BuildOutput, GraphError> {
    let items = documents.iter().cloned().map(InputItem::Document);
    let mut output = run_stream(rules, items, DEFAULT_MAX_EVIDENCE, &mut |_| {})?;
    output.diagnostics.splice(0..0, diagnostics);
    Ok(output)
}
