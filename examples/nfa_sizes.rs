//! How large the pack's automata are: the Thompson NFA states of every relation rule and entity
//! pattern, compiled from its expanded regex over UTF-8 text (the automata kgsmith runs read the
//! pack's byte alphabet and are smaller; the count compares packs and rules, BENCHMARKS.md).
//!
//! `cargo run --release --example nfa_sizes [RULES_DIR]`

use regex_automata::nfa::thompson::NFA;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "rules".to_string());
    let pack = match kgsmith::rules::RulePack::load(std::path::Path::new(&dir), &Default::default())
    {
        Ok(pack) => pack,
        Err(errors) => {
            eprintln!("{errors}");
            std::process::exit(2);
        }
    };
    let states = |regex: &str| {
        NFA::compiler()
            .configure(NFA::config().nfa_size_limit(None).shrink(false))
            .build(regex)
            .map_or(0, |nfa| nfa.states().len())
    };
    let report = |what: &str, mut sizes: Vec<(usize, &str)>| {
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let total: usize = sizes.iter().map(|s| s.0).sum();
        println!("{what}: {total} NFA states in {}", sizes.len());
        for (n, id) in sizes.iter().take(8) {
            println!("  {n:>8} {id}");
        }
    };
    report(
        "relation rules",
        pack.relation_rules.iter().map(|r| (states(&r.regex.source()), r.id.as_str())).collect(),
    );
    report(
        "entity patterns",
        pack.entity_patterns.iter().map(|p| (states(&p.regex.source()), p.id.as_str())).collect(),
    );
}
