//! The literals the prefilter requires of each relation rule and entity pattern: clauses, each a
//! set of literals one of which every match holds (none: the rule runs on every sentence).
//!
//! `cargo run --release --example prefilter_clauses [RULES_DIR] [ID...]`

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "rules".to_string());
    let ids: Vec<String> = args.collect();
    let pack = match kgsmith::rules::RulePack::load(std::path::Path::new(&dir), &Default::default())
    {
        Ok(pack) => pack,
        Err(errors) => {
            eprintln!("{errors}");
            std::process::exit(2);
        }
    };
    let show = |stage: &str, id: &str, clauses: Vec<Vec<String>>| {
        if ids.is_empty() || ids.iter().any(|i| i == id) {
            let clauses: Vec<String> = clauses.iter().map(|c| format!("{c:?}")).collect();
            println!("{stage} {id}\t{}", clauses.join(" AND "));
        }
    };
    for (i, p) in pack.entity_patterns.iter().enumerate() {
        show("2", &p.id, pack.prefilters.entity.describe(i));
    }
    for (i, r) in pack.relation_rules.iter().enumerate() {
        show("3", &r.id, pack.prefilters.relation.describe(i));
    }
}
