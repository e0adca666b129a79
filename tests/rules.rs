//! Every inline example of the bundled rule pack passes, and the seeds score as the README says.

use std::path::PathBuf;

use kgsmith::eval::{evaluate, Gold};
use kgsmith::input::{read_inputs, InputOptions};
use kgsmith::rules::{examples::run_examples, LoadOptions, RulePack};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pack() -> RulePack {
    RulePack::load(&root().join("rules"), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_rule_example_passes() {
    let report = run_examples(&pack());
    let failures: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
    assert!(report.total >= 50, "only {} examples", report.total);
    assert!(failures.is_empty(), "{} failing examples:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn seeds_meet_the_quality_targets() {
    let rules = pack();
    let read = |p: &str| std::fs::read_to_string(root().join(p)).unwrap();
    let gold = Gold::parse(
        &root().join("tests/gold/seeds-gold.tsv"),
        &read("tests/gold/seeds-gold.tsv"),
        &root().join("tests/gold/seeds-entities.tsv"),
        &read("tests/gold/seeds-entities.tsv"),
    )
    .unwrap();
    let batch = read_inputs(&[root().join("seeds")], InputOptions::default());
    let output = kgsmith::pipeline::run(&rules, &batch.documents, batch.diagnostics).unwrap();
    let eval = evaluate(&output.graph, &gold);
    let o = &eval.overall;
    assert_eq!(o.core_found, o.core, "core rows missed:\n{}", eval.report(true));
    assert!(o.precision() >= 0.95, "precision {:.3}:\n{}", o.precision(), eval.report(true));
    let (hard, hard_found) = (o.core_hard - o.core, o.core_hard_found - o.core_found);
    assert!(2 * hard_found >= hard, "{hard_found}/{hard} hard rows:\n{}", eval.report(true));
}

/// The bundled pack's patterns all read one byte per character, of one alphabet for the pack
/// (BENCHMARKS.md: smaller automata, a third less memory): a pattern with a Unicode word
/// boundary, or a pack with more than 128 groups of characters, would fall back to UTF-8.
#[test]
fn the_bundled_patterns_read_one_byte_per_character() {
    let pack = pack();
    assert!(pack.bytes.is_some());
    let count = pack.entity_patterns.len()
        + pack.money_patterns.len()
        + pack.date_patterns.len()
        + pack.relation_rules.len();
    assert_eq!(pack.matchers().count(), count);
    for (id, regex) in pack.matchers() {
        assert!(regex.char_sets().is_some(), "{id} keeps UTF-8");
    }
}

/// Most bundled relation rules read their slots from a match's span, by the rank of their
/// placeholders, with no capture engine (`rules::slots`; BENCHMARKS.md: more than half of the
/// relation rules' search time went to resolving groups). A rule without a layout (a slot made
/// optional, a list with a gap before it that may hold mentions of its types) still works,
/// through its groups, but slower: the test lists them.
#[test]
fn most_bundled_relation_rules_read_their_slots_by_position() {
    let pack = pack();
    let without: Vec<&str> =
        pack.relation_rules.iter().filter(|r| r.layout.is_none()).map(|r| r.id.as_str()).collect();
    let with = pack.relation_rules.len() - without.len();
    println!("{with} of {} rules with a layout; without: {without:?}", pack.relation_rules.len());
    assert!(with >= 74, "{with} rules with a layout; without: {without:?}");
}
