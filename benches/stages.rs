//! Criterion benchmarks per pipeline stage (BENCHMARKS.md): loading the rules (alone, and with
//! the automata of every pattern built, as `rules check` does), normalization, language detection,
//! sentence splitting, lexical mentions, entity patterns, relation rules, graph building and
//! each exporter, on the seeds and on a slice of the synthetic corpus (`scripts/gen-corpus.py`,
//! skipped when python3 is missing). Throughput is in bytes of input text.
//!
//!     cargo bench --bench stages
//!     KGSMITH_BENCH_MB=4 cargo bench --bench stages -- corpus

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kgsmith::export::{self, ExportOptions, Format};
use kgsmith::extract::{extract, stages, Extraction};
use kgsmith::graph::build::GraphBuilder;
use kgsmith::input::{read_inputs, Document, InputOptions};
use kgsmith::normalize::normalize;
use kgsmith::rules::{LoadOptions, RulePack};
use kgsmith::sentence::split_sentences;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rules() -> RulePack {
    RulePack::load(&root().join("rules"), &LoadOptions::default()).expect("the rules load")
}

/// The seeds, and a generated corpus slice when python3 is there.
fn corpora() -> Vec<(&'static str, Vec<Document>)> {
    let read = |path: PathBuf| read_inputs(&[path], InputOptions::default()).documents;
    let mut out = vec![("seeds", read(root().join("seeds")))];
    let mb = std::env::var("KGSMITH_BENCH_MB").unwrap_or_else(|_| "2".to_string());
    let path = std::env::temp_dir().join(format!("kgsmith-bench-slice-{mb}.jsonl"));
    let generated = path.exists()
        || std::process::Command::new("python3")
            .arg(root().join("scripts/gen-corpus.py"))
            .args(["--mb", &mb, "--jsonl"])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if generated {
        out.push(("corpus", read(path)));
    }
    out
}

fn bytes(documents: &[Document]) -> u64 {
    documents.iter().map(|d| d.text.len() as u64).sum()
}

fn rules_bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("rules");
    g.bench_function("load", |b| b.iter(|| rules().relation_rules.len()));
    let all = LoadOptions { build_all: true, ..LoadOptions::default() };
    g.bench_function("load-and-build", |b| {
        b.iter(|| {
            RulePack::load(&root().join("rules"), &all)
                .expect("the rules load")
                .relation_rules
                .len()
        })
    });
    g.finish();
}

fn stages_bench(c: &mut Criterion) {
    let rules = rules();
    for (name, documents) in corpora() {
        let size = bytes(&documents);
        let prepared: Vec<stages::Prepared> =
            documents.iter().map(|d| stages::prepare(d, &rules)).collect();
        let extractions: Vec<Extraction> = documents.iter().map(|d| extract(d, &rules)).collect();
        let mut g = c.benchmark_group(format!("extract/{name}"));
        g.throughput(Throughput::Bytes(size));
        g.bench_function("normalize", |b| {
            b.iter(|| documents.iter().map(|d| normalize(&d.text).text.len()).sum::<usize>())
        });
        g.bench_function("language", |b| {
            b.iter(|| documents.iter().filter_map(|d| kgsmith::lang::detect(&d.text)).count())
        });
        g.bench_function("sentences", |b| {
            b.iter(|| {
                prepared.iter().map(|p| split_sentences(&p.normalized.text).len()).sum::<usize>()
            })
        });
        g.bench_function("lexical", |b| {
            b.iter(|| prepared.iter().map(|p| stages::lexical(p, &rules)).sum::<usize>())
        });
        g.bench_function("entities", |b| {
            b.iter(|| prepared.iter().map(|p| stages::entities(p, &rules)).sum::<usize>())
        });
        g.bench_function("relations", |b| {
            b.iter(|| prepared.iter().map(|p| stages::relations(p, &rules)).sum::<usize>())
        });
        g.bench_function("whole", |b| {
            b.iter(|| documents.iter().map(|d| extract(d, &rules).relations.len()).sum::<usize>())
        });
        g.finish();

        let mut g = c.benchmark_group(format!("graph/{name}"));
        g.throughput(Throughput::Bytes(size));
        g.bench_function("build", |b| {
            b.iter(|| {
                let mut builder = GraphBuilder::new(&rules);
                for ex in &extractions {
                    builder.add(ex);
                }
                builder.finish().expect("graph").relation_count()
            })
        });
        let mut builder = GraphBuilder::new(&rules);
        for ex in &extractions {
            builder.add(ex);
        }
        let graph = builder.finish().expect("graph");
        let options = ExportOptions::default();
        for format in Format::ALL {
            g.bench_with_input(BenchmarkId::new("export", format.extension()), &format, |b, &f| {
                let mut out = Vec::new();
                b.iter(|| {
                    out.clear();
                    export::write(f, &graph, &options, &mut out).expect("export");
                    out.len()
                })
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = rules_bench, stages_bench
}
criterion_main!(benches);
