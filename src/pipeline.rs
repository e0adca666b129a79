//! The whole pipeline as one call: a stream of documents → extractions (in parallel) → graph.
//!
//! This is glue only: each stage lives in its own module. Documents are taken from the input
//! stream in batches; each batch is extracted on the current rayon pool (the binary sizes it with
//! `--jobs`), then added to the [`GraphBuilder`] in input order and dropped, so memory holds a few
//! batches of text per thread and the graph. The graph is built from keys, so the output does not
//! depend on the number of threads nor on the batching.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::InputDiagnostic;
use crate::extract::{extract_batch_with, Extraction, Scratch};
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

/// Most documents a worker extracts together ([`extract_batch_with`]): each pattern runs over all
/// their sentences before the next pattern starts, so the larger the batch, the longer an
/// automaton stays in the processor's caches (BENCHMARKS.md).
const BATCH_DOCUMENTS: usize = 128;

/// A batch is also closed once it holds this many bytes of text.
const BATCH_BYTES: usize = 1 << 20;

/// Batches read and not yet added to the graph, per thread: how far reading may run ahead. Each
/// batch in flight keeps its text and its sheets; four took 7.5 MiB more at the peak than two
/// and ran no faster (BENCHMARKS.md, "An eleventh round of rules").
const BATCHES_AHEAD_PER_THREAD: usize = 2;

/// Takes the next batch of documents from `inputs` (empty at the end), recording the input
/// problems met on the way.
fn next_batch(
    inputs: &mut impl Iterator<Item = InputItem>,
    diagnostics: &mut Vec<InputDiagnostic>,
) -> Vec<Document> {
    let mut batch = Vec::with_capacity(BATCH_DOCUMENTS);
    let mut bytes = 0;
    while batch.len() < BATCH_DOCUMENTS && bytes < BATCH_BYTES {
        match inputs.next() {
            None => break,
            Some(InputItem::Problem(p)) => diagnostics.push(p),
            Some(InputItem::Document(d)) => {
                bytes += d.text.len();
                batch.push(d);
            }
        }
    }
    batch
}

/// Extractions of batches, by batch number, until they are added in order (or the panic of a
/// batch's extraction, resumed by the thread that adds).
#[derive(Default)]
struct Finished {
    batches: Mutex<BTreeMap<usize, std::thread::Result<Vec<Extraction>>>>,
    /// Signalled when a batch is finished.
    ready: Condvar,
}

/// Extracts from every document of `inputs` into `builder`; `progress` is called after each
/// batch is added. Returns the input problems met.
///
/// The calling thread reads the documents in batches and hands each to the rayon pool; it adds
/// the finished batches to the graph in input order, and when it has nothing to read (reading
/// is at most `BATCHES_AHEAD_PER_THREAD` batches per thread ahead of adding) nor to add, it
/// extracts a batch itself. No thread waits for the others at any point of the stream: reading
/// files, parsing JSON lines and adding to the graph are serial, but overlap the extraction.
pub fn extract_stream(
    rules: &RulePack,
    mut inputs: impl Iterator<Item = InputItem> + Send,
    builder: &mut GraphBuilder<'_>,
    stats: &mut Stats,
    progress: &mut dyn FnMut(&Stats),
) -> Vec<InputDiagnostic> {
    let started = Instant::now();
    let mut diagnostics = Vec::new();
    let ahead = BATCHES_AHEAD_PER_THREAD * rayon::current_num_threads();
    let finished = Finished::default();
    // buffers a batch leaves for the next one (one per batch being extracted at a time), so that
    // sentences cost no allocation; dropped with the stream
    let scratches: Mutex<Vec<Scratch>> = Mutex::default();
    let (mut read, mut added, mut end) = (0, 0, false);
    rayon::in_place_scope(|scope| loop {
        // add the finished batches that come next, in order; documents moved into their
        // extractions (no copy of the text), which are dropped once added
        let next = finished.batches.lock().expect("no extraction panics").remove(&added);
        if let Some(extractions) = next {
            let extractions = extractions.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for ex in &extractions {
                stats.sentences += ex.sentences.len();
                stats.mentions += ex.mentions.len();
                builder.add(ex);
            }
            added += 1;
            stats.elapsed = started.elapsed();
            progress(stats);
            continue;
        }
        if end && added == read {
            break;
        }
        if !end && read - added < ahead {
            let batch = next_batch(&mut inputs, &mut diagnostics);
            if batch.is_empty() {
                end = true;
                continue;
            }
            stats.documents += batch.len();
            stats.bytes += batch.iter().map(|d| d.text.len() as u64).sum::<u64>();
            let (number, finished, scratches) = (read, &finished, &scratches);
            read += 1;
            scope.spawn(move |_| {
                let taken = scratches.lock().expect("no extraction panics").pop();
                let mut scratch = taken.unwrap_or_default();
                let extract =
                    std::panic::AssertUnwindSafe(|| extract_batch_with(batch, rules, &mut scratch));
                let extractions = std::panic::catch_unwind(extract);
                // what a first batch needs is built: what loading kept to build it goes long
                // before the run's peak
                rules.release_build_caches();
                if extractions.is_ok() {
                    scratches.lock().expect("no extraction panics").push(scratch);
                }
                finished.batches.lock().expect("no extraction panics").insert(number, extractions);
                finished.ready.notify_all();
            });
            continue;
        }
        // nothing to read or add yet: extract a batch here, or wait for one to finish
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            let batches = finished.batches.lock().expect("no extraction panics");
            if !batches.contains_key(&added) {
                let wait = Duration::from_millis(1);
                drop(finished.ready.wait_timeout(batches, wait).expect("no extraction panics"));
            }
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{InputPosition, Severity};
    use crate::export::{turtle::write_turtle, ExportOptions};
    use crate::graph::DocumentInfo;

    /// Many small documents (a sentence of the bundled articles each, French and English: twelve
    /// batches, more than reading runs ahead with one or two threads) with input problems among
    /// them.
    fn items() -> Vec<InputItem> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sentences = Vec::new();
        for dir in ["tests/articles/fr/docs", "tests/articles/en/docs"] {
            let mut paths: Vec<_> =
                std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(path).unwrap();
                sentences.extend(text.split(". ").map(|s| format!("{s}.")));
            }
        }
        (0..1500)
            .map(|i| {
                if i % 97 == 5 {
                    return InputItem::Problem(InputDiagnostic {
                        path: format!("problem-{i}").into(),
                        position: InputPosition::Line(i),
                        severity: Severity::Warning,
                        message: "skipped".into(),
                    });
                }
                InputItem::Document(Document {
                    info: DocumentInfo {
                        id: format!("d{i}").into(),
                        title: None,
                        url: None,
                        date: None,
                    },
                    text: sentences[i % sentences.len()].clone(),
                    source: format!("d{i}").into(),
                    lang: None,
                })
            })
            .collect()
    }

    /// The stream gives the same graph, counts and problems (in input order) with 1, 2 or 3
    /// threads. Fails if a batch is lost or added twice, or if the problems are reordered.
    #[test]
    fn any_number_of_threads_gives_the_same_graph_counts_and_problems() {
        let rules = crate::rules::bundled();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let output = pool.install(|| run_stream(&rules, items().into_iter(), 2, &mut |_| {}));
            let output = output.unwrap();
            let mut turtle = Vec::new();
            write_turtle(&output.graph, &ExportOptions::default(), &mut turtle).unwrap();
            let s = &output.stats;
            let problems: Vec<String> = output.diagnostics.iter().map(|d| d.to_string()).collect();
            (
                String::from_utf8(turtle).unwrap(),
                (s.documents, s.sentences, s.mentions, s.bytes),
                problems,
            )
        };
        let one = run(1);
        assert_eq!(one.1 .0, 1500 - 16);
        assert_eq!(one.2.len(), 16);
        let evidence = one.0.matches("a kgo:Evidence").count();
        assert!(evidence > 50, "a real graph: {evidence} pieces of evidence");
        assert_eq!(run(2), one);
        assert_eq!(run(3), one);
    }
}
