//! Test articles beyond the seeds, scored against their gold like any corpus.
//!
//! Each directory `tests/articles/SET/` holds `docs/` (articles as `.txt` or `.jsonl`),
//! `gold.tsv` and `entities.tsv` in the format of the seeds' gold (`tests/gold/`). Every set is
//! built with the bundled rules and must reach the targets below; the report is printed, so
//! `cargo test --test articles -- --nocapture` shows the figures per relation.

use std::path::{Path, PathBuf};

use kgsmith::eval::{evaluate, Gold};
use kgsmith::input::{read_inputs, InputOptions};
use kgsmith::rules::{LoadOptions, RulePack};

/// The sets that must exist: one per bundled language pack.
const REQUIRED_SETS: &[&str] = &["en", "fr", "fr-press"];
const MIN_PRECISION: f64 = 0.9;
const MIN_CORE_RECALL: f64 = 0.9;
const MIN_RELATIONS: usize = 30;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sets() -> Vec<PathBuf> {
    let mut sets: Vec<PathBuf> = std::fs::read_dir(root().join("tests/articles"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    sets.sort();
    sets
}

fn gold(set: &Path) -> Gold {
    let (g, e) = (set.join("gold.tsv"), set.join("entities.tsv"));
    let read =
        |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    Gold::parse(&g, &read(&g), &e, &read(&e)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_article_set_meets_the_targets() {
    let rules = RulePack::load(&root().join("rules"), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let sets = sets();
    assert!(!sets.is_empty(), "no article set under tests/articles");
    for name in REQUIRED_SETS {
        assert!(sets.iter().any(|s| s.ends_with(name)), "missing tests/articles/{name}");
    }
    let mut failures = Vec::new();
    for set in &sets {
        let gold = gold(set);
        let scored = gold.rows.iter().filter(|r| r.difficulty != kgsmith::eval::Difficulty::Opt);
        assert!(
            scored.count() >= MIN_RELATIONS,
            "{}: fewer than {MIN_RELATIONS} core and hard gold rows",
            set.display()
        );
        let batch = read_inputs(&[set.join("docs")], InputOptions::default());
        assert!(batch.diagnostics.is_empty(), "{}: {:?}", set.display(), batch.diagnostics);
        let output = kgsmith::pipeline::run(&rules, &batch.documents, batch.diagnostics).unwrap();
        let eval = evaluate(&output.graph, &gold);
        let report = eval.report(true);
        println!("== {} ({} documents)\n{report}", set.display(), batch.documents.len());
        let o = &eval.overall;
        if o.precision() < MIN_PRECISION || o.recall_core() < MIN_CORE_RECALL {
            failures.push(format!(
                "{}: precision {:.3}, core recall {:.3}\n{report}",
                set.display(),
                o.precision(),
                o.recall_core()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
