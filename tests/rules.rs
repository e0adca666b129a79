//! Every inline example of the bundled rule pack passes, and the seeds score as the README says.

use std::path::PathBuf;

use kgsmith::eval::{evaluate, Gold};
use kgsmith::input::{read_inputs, InputOptions};
use kgsmith::rules::slots::SlotLayout;
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
    let rules = pack.relation_rules.iter().map(|r| (r.id.as_str(), r.layout().is_some()));
    at_least(74, rules, "relation rules with a layout");
}

/// A relation rule's slot layout is worked out when it is first needed, not at load: from the
/// tree the rule's automata are built from when the stage builds them (`build_unless_claimed`),
/// else from the tree made again, through the pack's pieces or, once they are freed, by a parse
/// of the whole pattern; with every automaton built at load (`rules check`, `rules test`), from
/// the tree parsed at load. Each way gives what the rule's whole parse gives.
#[test]
fn a_relation_rules_layout_is_the_same_whichever_way_it_is_made() {
    let (built, asked, released) = (pack(), pack(), pack());
    released.pieces.release();
    let options = LoadOptions { build_all: true, ..LoadOptions::default() };
    let at_load = RulePack::load(&root().join("rules"), &options).unwrap();
    {
        use rayon::prelude::*;
        built.relation_rules.par_iter().for_each(|r| r.build_unless_claimed());
    }
    let rules = (built.relation_rules.iter().zip(&asked.relation_rules))
        .zip(released.relation_rules.iter().zip(&at_load.relation_rules));
    let mut placed = 0;
    for ((b, a), (r, l)) in rules {
        assert!(b.regex.is_built(), "{}", b.id);
        let whole = regex_syntax::parse(&b.regex.source()).unwrap();
        let expected = SlotLayout::of(&whole, &b.slots);
        placed += usize::from(expected.is_some());
        assert_eq!(b.layout(), expected.as_ref(), "{}, built", b.id);
        assert_eq!(a.layout(), expected.as_ref(), "{}, asked", a.id);
        assert!(!a.regex.is_built(), "{}: asking for the layout builds nothing", a.id);
        assert_eq!(r.layout(), expected.as_ref(), "{}, pieces freed", r.id);
        assert!(l.regex.is_built(), "{}: built at load", l.id);
        assert_eq!(l.layout(), expected.as_ref(), "{}, read at load", l.id);
    }
    assert!(placed >= 74, "{placed} relation rules with a layout");
}

/// The entity patterns whose `name` group is not the whole match read it from the parts around
/// it (`rules::bounds`) rather than from the capture engine, as long as the group stays on the
/// pattern's spine (not inside an alternation or a repetition); the others (listed) are their
/// name group, which needs no engine either.
#[test]
fn the_bundled_entity_patterns_read_their_names_by_bounds() {
    let pack = pack();
    let patterns = pack.entity_patterns.iter().map(|p| (p.id.as_str(), p.bounds.is_some()));
    at_least(32, patterns, "entity patterns with bounds");
}

/// Asserts that at least `floor` of `items` (id, whether it has the property) have it, and shows
/// the ones that do not.
fn at_least<'a>(floor: usize, items: impl Iterator<Item = (&'a str, bool)>, what: &str) {
    let (with, without): (Vec<_>, Vec<_>) = items.partition(|&(_, has)| has);
    let without: Vec<&str> = without.into_iter().map(|(id, _)| id).collect();
    println!("{} {what}; without: {without:?}", with.len());
    assert!(with.len() >= floor, "{} {what}; without: {without:?}", with.len());
}
