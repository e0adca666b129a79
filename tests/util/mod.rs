//! Helpers shared by the integration tests: running external tools, skipping when one is missing
//! (failing instead under `CI=true`), the hostile-names graph and a small GraphML reader.
#![allow(dead_code, unused_imports)]

pub mod arbitrary_graph;
pub mod readback;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kgsmith::graph::sample::sample_vocabulary;
use kgsmith::graph::{
    Amount, DocumentInfo, Entity, Evidence, KnowledgeGraph, Relation, RelationPart,
};
use kgsmith::slug::slugify;

/// True when the environment says missing tools are errors, not skips.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Reports a missing tool: prints `skipped: ...` locally, panics under `CI=true`.
pub fn skip_or_fail(tool: &str) {
    if in_ci() {
        panic!("{tool} not installed, and CI=true requires it");
    }
    println!("skipped: {tool} not installed");
}

/// Runs a command; `None` when the program does not exist.
pub fn run<I, S>(program: &str, args: I) -> Option<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    match Command::new(program).args(args).output() {
        Ok(output) => Some(output),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => panic!("cannot run {program}: {e}"),
    }
}

/// Runs a command and returns its output, or reports the tool missing and returns `None`.
pub fn run_or_skip<I, S>(program: &str, args: I) -> Option<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = run(program, args);
    if output.is_none() {
        skip_or_fail(program);
    }
    output
}

/// Panics with the tool's stdout and stderr unless it exited with 0.
pub fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed with {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// True when `python3` exists and can import every module; otherwise reports the first missing one.
pub fn python_modules_or_skip(modules: &[&str]) -> bool {
    for module in modules {
        match run("python3", ["-c", &format!("import {module}")]) {
            None => {
                skip_or_fail("python3");
                return false;
            }
            Some(output) if !output.status.success() => {
                skip_or_fail(&format!("python3 module {module}"));
                return false;
            }
            Some(_) => {}
        }
    }
    true
}

/// Runs a Python script with arguments and returns its stdout; panics if it fails.
pub fn python(script: &str, args: &[&OsStr]) -> String {
    let mut command_args: Vec<&OsStr> = vec![OsStr::new("-c"), OsStr::new(script)];
    command_args.extend(args);
    let output = run("python3", command_args).expect("python3 was found before");
    assert_success("python3", &output);
    String::from_utf8(output.stdout).expect("UTF-8 from python")
}

/// The directory holding `schemas/`: `$KGSMITH_SHARED`, else `../shared` next to the crate.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("KGSMITH_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// The graph of the bundled seeds with the bundled rules, as `kgsmith build` makes it.
pub fn seeds_graph() -> KnowledgeGraph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = kgsmith::rules::RulePack::load(
        &root.join("rules"),
        &kgsmith::rules::LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let batch =
        kgsmith::input::read_inputs(&[root.join("seeds")], kgsmith::input::InputOptions::default());
    kgsmith::pipeline::run(&rules, &batch.documents, batch.diagnostics).unwrap().graph
}

/// Labels that have broken exporters before, one entity each.
pub const HOSTILE_LABELS: [&str; 11] = [
    "Quote \"Inc\"",
    "Back\\slash \\N \\l \\G Corp\\",
    "<A&B> 'Ltd' ]]> &amp;",
    "Line\nBreak\tTab\r\nCRLF",
    "Ctrl\u{1}Char\u{1f}End",
    "Emoji 🚀🤖 Labs 👩‍💻",
    "شركة الذكاء الاصطناعي",
    "חברת בינה מלאכותית",
    "acme",
    "ACME",
    "", // replaced by the 300-character name in `hostile_labels`
];

/// [`HOSTILE_LABELS`] with the last one replaced by a 300-character name.
pub fn hostile_labels() -> Vec<String> {
    let mut labels: Vec<String> = HOSTILE_LABELS.iter().map(|s| s.to_string()).collect();
    let long: String = "Very Long Name Industries & Co. ".chars().cycle().take(300).collect();
    assert_eq!(long.chars().count(), 300);
    *labels.last_mut().unwrap() = long;
    labels
}

/// One entity per hostile label, types in turn; slugs that collide (case-only pairs) get `-2`.
pub fn hostile_entities() -> Vec<Entity> {
    let types = ["Organization", "Person", "Place"];
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    hostile_labels()
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            // The case-only pair shares a type, so their slugs collide and must be told apart.
            let entity_type = if label.eq_ignore_ascii_case("acme") {
                "Organization"
            } else {
                types[i % types.len()]
            };
            let lower = entity_type.to_lowercase();
            let mut slug = slugify(&label);
            let n = seen.entry(format!("{lower}/{slug}")).or_insert(0);
            *n += 1;
            if *n > 1 {
                slug = format!("{slug}-{n}");
            }
            Entity {
                id: format!("{lower}:{slug}"),
                iri_path: format!("{lower}/{slug}"),
                aliases: vec![format!("alias of {label}"), "\"'<>&\\".to_string()],
                label,
                entity_type: entity_type.to_string(),
                wikidata: (i == 0).then(|| "Q42".to_string()),
                mentions: i as u32 + 1,
            }
        })
        .collect()
}

/// A graph whose every label, alias, sentence and title is hostile to some syntax.
pub fn hostile_graph() -> KnowledgeGraph {
    let entities = hostile_entities();
    let ids: Vec<String> = entities.iter().map(|e| e.id.clone()).collect();
    let evidence = |i: usize, sentence: &str| Evidence {
        date: None,
        document: "doc \"hostile\" <1>".to_string(),
        start: i * 10,
        end: i * 10 + sentence.len(),
        sentence: sentence.to_string(),
        rule: format!("rule.{i}\\\"x\""),
    };
    let mut relations = Vec::new();
    for (i, pair) in ids.windows(2).enumerate() {
        let (relation, symmetric) =
            if i % 2 == 0 { ("partnerOf", true) } else { ("investsIn", false) };
        let sentence = format!(
            "{} \"with\" {}\n\tand\r\u{1} 😀 שלום",
            hostile_labels()[i],
            hostile_labels()[i + 1]
        );
        relations.push(RelationPart {
            subject: pair[0].clone(),
            object: pair[1].clone(),
            relation: Relation {
                relation: relation.to_string(),
                symmetric,
                amount: (!symmetric).then(|| Amount {
                    value: "2500000000.5".to_string(),
                    currency: "EUR".to_string(),
                }),
                evidence: vec![evidence(i, &sentence), evidence(i + 100, "second <mention>")],
                support: 2,
            },
        });
    }
    let documents = vec![DocumentInfo {
        id: "doc \"hostile\" <1>".into(),
        title: Some("Title with \"quotes\", <tags>, \\ and\nnewline \u{1}".into()),
        url: Some("not a url <with spaces>".into()),
        date: Some("2025-11-04".into()),
    }];
    KnowledgeGraph::from_parts(sample_vocabulary(), documents, entities, relations)
        .expect("the hostile graph is well-formed")
}

pub use kgsmith::export::graphml::{GraphMl, GraphMlElement};

/// Reads a GraphML file back; panics if it is not well-formed.
pub fn parse_graphml(xml: &[u8]) -> GraphMl {
    kgsmith::export::graphml::read(xml)
        .unwrap_or_else(|e| panic!("GraphML does not read back: {e}"))
}

/// Drops what XML 1.0 cannot carry (C0 controls but tab, LF, CR; U+FFFE, U+FFFF), as the GraphML
/// exporter does.
pub fn without_xml_controls(text: &str) -> String {
    readback::xml_text(text)
}
