//! The binary end to end: the seeds' graph, golden outputs, input errors, rule errors, exit codes,
//! stdin and determinism. Each test runs `kgsmith` as a user would, in a temporary directory.

mod util;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kgsmith::eval::match_key;
use oxrdf::{NamedOrBlankNode, Term, Triple};
use oxttl::TurtleParser;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn kgsmith(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kgsmith"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("the kgsmith binary runs")
}

/// The binary started with `stdin`, its stdout and stderr piped.
fn spawn_kgsmith(args: &[&str], stdin: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kgsmith"))
        .args(args)
        .current_dir(root())
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kgsmith binary runs")
}

fn kgsmith_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = spawn_kgsmith(args, Stdio::piped());
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn build_into(dir: &Path, extra: &[&str]) -> Output {
    let out = dir.to_str().unwrap();
    let mut args = vec!["build", "-o", out];
    args.extend_from_slice(extra);
    kgsmith(&args)
}

fn parse_turtle(path: &Path) -> HashSet<Triple> {
    let bytes = std::fs::read(path).unwrap();
    TurtleParser::new()
        .for_slice(&bytes)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Gold rows of the seeds: (subject, relation, object, difficulty).
fn gold_rows() -> Vec<(String, String, String, String)> {
    let text = std::fs::read_to_string(root().join("tests/gold/seeds-gold.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].into(), f[2].into(), f[3].into(), f[4].into())
        })
        .collect()
}

/// Gold canonical name → every surface form (match keys).
fn gold_forms() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("tests/gold/seeds-entities.tsv")).unwrap();
    let mut forms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let set = forms.entry(f[1].to_string()).or_default();
        set.insert(match_key(f[1]));
        for s in f.get(3).unwrap_or(&"").split('|') {
            set.insert(match_key(s));
        }
    }
    forms
}

#[test]
fn seeds_build_writes_the_three_formats_with_every_core_relation() {
    let dir = tempfile::tempdir().unwrap();
    let output = build_into(dir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("2 documents"), "{summary}");
    // the throughput of so small an input shows as more than nothing
    let speed = summary.split(" (").nth(2).and_then(|s| s.split(" MB/s)").next());
    let speed: f64 = speed.and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{summary}"));
    assert!(speed > 0.0, "{summary}");
    for ext in ["ttl", "graphml", "dot"] {
        assert!(dir.path().join(format!("kg.{ext}")).is_file(), "kg.{ext} missing");
    }
    let triples = parse_turtle(&dir.path().join("kg.ttl"));
    // entity IRIs by the match keys of their labels and aliases, read from the Turtle itself
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &triples {
        let p = t.predicate.as_str();
        if p == "http://www.w3.org/2000/01/rdf-schema#label"
            || p == "http://schema.org/alternateName"
        {
            if let (NamedOrBlankNode::NamedNode(s), Term::Literal(l)) = (&t.subject, &t.object) {
                names.entry(match_key(l.value())).or_default().insert(s.as_str().to_string());
            }
        }
    }
    let forms = gold_forms();
    let iris = |canonical: &str| -> BTreeSet<String> {
        forms[canonical].iter().flat_map(|k| names.get(k).cloned().unwrap_or_default()).collect()
    };
    let has = |s: &str, p: &str, o: &str| {
        triples.iter().any(|t| {
            t.subject.to_string() == format!("<{s}>")
                && t.predicate.as_str() == p
                && t.object.to_string() == format!("<{o}>")
        })
    };
    let mut missing = Vec::new();
    let mut core = 0;
    for (s, relation, o, difficulty) in gold_rows() {
        let four = ["partnerOf", "investsIn", "locatedIn", "foundedFrom", "leads"];
        if difficulty != "core" || !four.contains(&relation.as_str()) {
            continue;
        }
        core += 1;
        let p = format!("https://w3id.org/kgsmith/ontology#{relation}");
        let found =
            iris(&s).iter().any(|si| iris(&o).iter().any(|oi| has(si, &p, oi) || has(oi, &p, si)));
        if !found {
            missing.push(format!("{s} {relation} {o}"));
        }
    }
    assert_eq!(core, 16, "the seeds' gold has 16 core rows for these relations");
    // "Le 5 septembre 2025, le supercalculateur « Jupiter » a été mis en service …"
    let dated = triples.iter().any(|t| {
        t.predicate.as_str() == "https://w3id.org/kgsmith/ontology#date"
            && t.object.to_string() == "\"2025-09-05\"^^<http://www.w3.org/2001/XMLSchema#date>"
    });
    assert!(dated, "the Jupiter evidence has no kgo:date");
    assert!(missing.is_empty(), "core rows missing from the Turtle: {missing:#?}");
}

#[test]
fn committed_outputs_are_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let output = build_into(dir.path(), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    for ext in ["ttl", "graphml", "dot"] {
        let fresh = std::fs::read(dir.path().join(format!("kg.{ext}"))).unwrap();
        let committed = std::fs::read(root().join(format!("out/kg.{ext}"))).unwrap_or_default();
        assert!(
            fresh == committed,
            "out/kg.{ext} is stale: run `cargo run --release -- build` and commit out/ \
             (review the diff: it is the seeds' graph)"
        );
    }
}

#[test]
fn outputs_are_identical_across_runs_and_thread_counts() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let all = ["-f", "ttl,nt,graphml,gexf,dot,json"];
    assert!(build_into(a.path(), &[&all[..], &["-j", "1"]].concat()).status.success());
    assert!(build_into(b.path(), &[&all[..], &["-j", "2"]].concat()).status.success());
    for ext in ["ttl", "nt", "graphml", "gexf", "dot", "json"] {
        let name = format!("kg.{ext}");
        assert_eq!(
            std::fs::read(a.path().join(&name)).unwrap(),
            std::fs::read(b.path().join(&name)).unwrap(),
            "{name} differs between --jobs 1 and --jobs 2"
        );
    }
}

const ALL_FORMATS: [&str; 6] = ["ttl", "nt", "graphml", "gexf", "dot", "json"];

/// Builds `inputs` into a fresh directory in every format and returns the files by extension.
fn build_all_formats(inputs: &[&str], extra: &[&str]) -> BTreeMap<&'static str, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["-f", "ttl,nt,graphml,gexf,dot,json", "-q"];
    args.extend_from_slice(extra);
    args.extend_from_slice(inputs);
    let output = build_into(dir.path(), &args);
    assert!(output.status.success(), "{inputs:?}: {}", stderr(&output));
    ALL_FORMATS
        .iter()
        .map(|ext| (*ext, std::fs::read(dir.path().join(format!("kg.{ext}"))).unwrap()))
        .collect()
}

fn assert_same_outputs(
    a: &BTreeMap<&'static str, Vec<u8>>,
    b: &BTreeMap<&'static str, Vec<u8>>,
    what: &str,
) {
    for ext in ALL_FORMATS {
        assert!(a[ext] == b[ext], "kg.{ext} differs {what}");
    }
}

#[test]
fn outputs_do_not_depend_on_the_order_of_the_inputs() {
    let seeds = ["seeds/000_34d5b4ac03902eb8.txt", "seeds/003_93359ee47851f963.txt"];
    let forward = build_all_formats(&seeds, &[]);
    let backward = build_all_formats(&[seeds[1], seeds[0]], &[]);
    assert!(forward["ttl"].len() > 10_000, "the seeds give a real graph");
    assert_same_outputs(&forward, &backward, "when the input files are given in the other order");

    // Every line of the seeds as its own JSONL record (so that entities, labels and evidence
    // gather across many documents), once in order and once shuffled, with some metadata.
    let mut records = Vec::new();
    for seed in seeds {
        let stem = Path::new(seed).file_stem().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(root().join(seed)).unwrap();
        for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
            let mut record = serde_json::json!({"id": format!("{stem}-{i:02}"), "text": line});
            if i % 3 == 0 {
                record["title"] = serde_json::json!(format!("Part {i} of {stem}"));
                record["date"] = serde_json::json!("2025-11-04");
            }
            records.push(record.to_string());
        }
    }
    let n = records.len();
    assert!(n >= 20, "{n} records");
    // A fixed permutation that moves every record: i -> (7 i + 3) mod n, n not a multiple of 7.
    let step = if n % 7 == 0 { 11 } else { 7 };
    let mut shuffled = vec![String::new(); n];
    for (i, record) in records.iter().enumerate() {
        shuffled[(step * i + 3) % n] = record.clone();
    }
    assert!(shuffled.iter().all(|r| !r.is_empty()), "a permutation");
    assert_ne!(shuffled, records);
    let dir = tempfile::tempdir().unwrap();
    let in_order = dir.path().join("in-order.jsonl");
    let reordered = dir.path().join("shuffled.jsonl");
    std::fs::write(&in_order, records.join("\n") + "\n").unwrap();
    std::fs::write(&reordered, shuffled.join("\n") + "\n").unwrap();
    let (in_order, reordered) = (in_order.to_str().unwrap(), reordered.to_str().unwrap());
    // the thread count changes too: neither order nor scheduling may show in the bytes
    for (a, b) in [
        (&["-j", "1"][..], &["-j", "2"][..]),
        (&["-j", "2", "--max-evidence", "1"][..], &["-j", "1", "--max-evidence", "1"][..]),
    ] {
        let first = build_all_formats(&[in_order], a);
        let second = build_all_formats(&[reordered], b);
        assert!(first["ttl"].len() > 10_000, "the JSONL records give a real graph");
        let what = format!("when the JSONL lines are shuffled ({a:?} and {b:?})");
        assert_same_outputs(&first, &second, &what);
    }
}

#[test]
fn bad_inputs_are_listed_and_the_rest_is_processed() {
    let inputs = tempfile::tempdir().unwrap();
    let d = inputs.path();
    std::fs::copy(root().join("seeds/003_93359ee47851f963.txt"), d.join("good.txt")).unwrap();
    std::fs::write(d.join("latin1.txt"), b"Nvidia s'associe \xe0 SAP.").unwrap();
    std::fs::write(d.join("empty.txt"), b"").unwrap();
    std::fs::write(d.join("news.jsonl"), "{\"id\": \"n1\", \"text\": \"La startup allemande Helsing lève des fonds.\"}\n{not json}\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let missing = d.join("missing.txt");
    let output = kgsmith(&[
        "build",
        d.to_str().unwrap(),
        missing.to_str().unwrap(),
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    for expected in [
        "latin1.txt: byte 17: invalid UTF-8",
        "empty.txt: empty document, skipped",
        "news.jsonl:2: malformed JSON record, skipped",
        "missing.txt: cannot open: no such file or directory",
        "finished with 3 input error(s)",
    ] {
        assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
    }
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("3 documents"), "{summary}");
    let triples = parse_turtle(&out.path().join("kg.ttl"));
    let located_in_germany = triples.iter().any(|t| {
        t.subject.to_string().ends_with("/organization/helsing>")
            && t.predicate.as_str().ends_with("#locatedIn")
            && t.object.to_string().ends_with("/place/allemagne>")
    });
    assert!(located_in_germany, "the JSONL record was not processed");
}

#[test]
fn strict_mode_rejects_invalid_utf8() {
    let inputs = tempfile::tempdir().unwrap();
    let bad = inputs.path().join("bad.txt");
    std::fs::write(&bad, b"caf\xe9").unwrap();
    let out = tempfile::tempdir().unwrap();
    let output =
        kgsmith(&["build", bad.to_str().unwrap(), "--strict", "-o", out.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("bad.txt: byte 3: invalid UTF-8, skipped (--strict)"));
}

#[test]
fn rule_errors_stop_the_run_before_anything_is_written() {
    let rules = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), rules.path());
    let broken = rules.path().join("fr/broken.toml");
    std::fs::write(
        &broken,
        "[[rule]]\nid = \"fr.broken\"\nrelation = \"partnerOf\"\npattern = '''{parties:Organization+} (?:coopèrent'''\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("kg.ttl"), "previous").unwrap();
    let output = kgsmith(&[
        "build",
        "-r",
        rules.path().to_str().unwrap(),
        "-o",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    // the unclosed group opens at column 38 of line 4 (after `pattern = '''` and the slot)
    assert!(err.contains("broken.toml:4:38: fr.broken: regex error: unclosed group"), "{err}");
    assert_eq!(std::fs::read_to_string(out.path().join("kg.ttl")).unwrap(), "previous");
    assert!(!out.path().join("kg.graphml").exists());
}

#[test]
fn a_failed_write_leaves_no_partial_file() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // a directory where the GraphML file should go makes the rename of that one file fail
    std::fs::create_dir(out.join("kg.graphml")).unwrap();
    std::fs::write(out.join("kg.ttl"), "previous").unwrap();
    let output = build_into(&out, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("cannot write the outputs"), "{}", stderr(&output));
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// Builds N-Triples from `input` given on stdin, and returns them.
fn nt_from_stdin(input: &str) -> String {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let run = kgsmith_with_stdin(&["build", "-", "-o", o, "-f", "nt"], input);
    assert!(run.status.success(), "{}", stderr(&run));
    std::fs::read_to_string(out.path().join("kg.nt")).unwrap()
}

#[test]
fn stdin_takes_text_and_jsonl() {
    let nt = nt_from_stdin("L'entreprise française Mistral AI recrute.");
    assert!(nt.contains("/document/stdin>"), "{nt}");
    assert!(nt.contains("/organization/mistral-ai> <https://w3id.org/kgsmith/ontology#locatedIn> <https://w3id.org/kgsmith/id/place/france>"));
    let nt = nt_from_stdin("{\"id\":\"a1\",\"text\":\"La startup berlinoise Parloa lève des fonds.\",\"url\":\"https://example.com/a1\"}\n");
    assert!(nt.contains("<http://schema.org/url> <https://example.com/a1>"), "{nt}");
    assert!(nt.contains("/organization/parloa> <https://w3id.org/kgsmith/ontology#locatedIn> <https://w3id.org/kgsmith/id/place/berlin>"));
}

#[test]
fn usage_errors_exit_with_2() {
    let output = kgsmith(&["build", "-f", "xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown format 'xlsx'"));
    let output = kgsmith(&["build", "--base-iri", "not an iri"]);
    assert_eq!(output.status.code(), Some(2));
    let output = kgsmith(&["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    // `kgsmith explain seeds | head -1`: the pipe is closed before the explanation is written
    let mut child = spawn_kgsmith(&["explain", "seeds"], Stdio::null());
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn rules_profile_shows_the_stages_and_the_slowest_rules() {
    let output = kgsmith(&["rules", "profile", "seeds", "--top", "3"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    // the same documents and sentences as `build` counts
    let out = tempfile::tempdir().unwrap();
    let build = kgsmith(&["build", "seeds", "-o", out.path().to_str().unwrap()]);
    let summary = String::from_utf8_lossy(&build.stdout);
    let counts: Vec<&str> = summary.trim_start_matches("kgsmith: ").split(", ").take(2).collect();
    assert!(counts[0].ends_with(" documents") && counts[1].ends_with(" sentences"), "{summary}");
    assert!(text.starts_with(&format!("{}, ", counts[0])), "{text}");
    assert!(text.lines().next().unwrap().contains(&format!(", {},", counts[1])), "{text}");
    for stage in ["1 gazetteer", "2 entity patterns", "3 relation rules", "building the automata"] {
        assert!(text.contains(stage), "profile lacks {stage:?}:\n{text}");
    }
    let stage_row = |l: &&str| ["1 ", "2 ", "3 "].iter().any(|stage| l.starts_with(stage));
    let rows: Vec<&str> = text.lines().filter(stage_row).collect();
    // three rule rows, slowest first, and how many more ran
    let rules: Vec<&str> =
        rows.iter().filter(|l| l.split_whitespace().count() == 9).copied().collect();
    assert_eq!(rules.len(), 3, "{text}");
    let seconds: Vec<f64> =
        rules.iter().map(|l| l.split_whitespace().nth(5).unwrap().parse().unwrap()).collect();
    assert!(seconds.windows(2).all(|w| w[0] >= w[1]), "{text}");
    assert!(text.contains(" more rules ran)"), "{text}");
    // the stages in parts: the searches are the rule rows (all of them without --top), and the
    // parts do not add up to more than the stage
    let all = kgsmith(&["rules", "profile", "seeds"]);
    let all = String::from_utf8_lossy(&all.stdout);
    let row = |name: &str, nth: usize| -> f64 {
        let line = all.lines().filter(|l| l.starts_with(name)).nth(nth).unwrap_or_else(|| {
            panic!("profile lacks {name:?}:\n{all}");
        });
        line[name.len()..].split_whitespace().next().unwrap().parse().unwrap()
    };
    for (sheet, stage, searches, rest, prefix) in [
        (
            None,
            "1 gazetteer, demonyms, money, dates",
            "  the money and date patterns",
            "  gazetteer, prefilter scan, the rest",
            "1 ",
        ),
        (Some(0), "2 entity patterns", "  the patterns' searches", "  choosing the mentions", "2 "),
        (Some(1), "3 relation rules", "  the rules' searches", "  the rest", "3 "),
    ] {
        let rules: Vec<f64> = all
            .lines()
            .filter(|l| l.starts_with(prefix) && l.split_whitespace().count() == 9)
            .map(|l| l.split_whitespace().nth(5).unwrap().parse().unwrap())
            .collect();
        assert!(!rules.is_empty(), "{all}");
        let sum: f64 = rules.iter().sum();
        let tolerance = 0.0005 * (rules.len() + 1) as f64;
        assert!((sum - row(searches, 0)).abs() <= tolerance, "{stage}: {sum} ≠ searches\n{all}");
        let sheet = sheet.map_or(0.0, |nth| row("  masking, prefilter scan", nth));
        let parts = sheet + row(searches, 0) + row(rest, 0);
        assert!(parts <= row(stage, 0) + 0.002, "{stage}: parts {parts}\n{all}");
    }
    let bad = kgsmith(&["rules", "profile", "no/such/input"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("no/such/input"));
}

#[test]
fn explain_shows_mentions_relations_and_near_misses() {
    let inputs = tempfile::tempdir().unwrap();
    let article = inputs.path().join("a.txt");
    std::fs::write(
        &article,
        "L’entreprise chinoise DeepSeek a publié un modèle. Aleph Alpha coopère avec des PME allemandes.",
    )
    .unwrap();
    let output = kgsmith(&["explain", article.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "mention   \"DeepSeek\"",
        "[Demonym → Chine]",
        "relation  DeepSeek locatedIn chinoise (→ Chine)  [fr.located.noun-demonym-name]",
        "L’⟦entreprise chinoise DeepSeek⟧ a publié un modèle.",
        "near miss fr.partner.verb-with: object \"des\" is not a mention",
    ] {
        assert!(text.contains(expected), "explain lacks {expected:?}:\n{text}");
    }
}

#[test]
fn places_are_labelled_in_the_language_of_the_articles_and_keep_stable_ids() {
    let nt = nt_from_stdin(
        "The company said that Germany and the United States have signed the deal with China.",
    );
    let label = "<http://www.w3.org/2000/01/rdf-schema#label>";
    assert!(nt.contains(&format!("/place/allemagne> {label} \"Germany\" .")), "{nt}");
    assert!(
        nt.contains("/place/allemagne> <http://schema.org/alternateName> \"Allemagne\" ."),
        "{nt}"
    );
    let nt = nt_from_stdin("L'entreprise a déclaré que l'Allemagne et la Chine ont signé un accord avec les États-Unis.");
    assert!(nt.contains(&format!("/place/allemagne> {label} \"Allemagne\" .")), "{nt}");
}

#[test]
fn an_acronym_introduced_in_parentheses_names_the_same_entity() {
    let nt = nt_from_stdin(
        "Le Georgia Institute of Technology (GIT) a annoncé un accord. Le GIT s'associe à Nvidia.",
    );
    assert!(nt.contains("/organization/git> <http://schema.org/alternateName> \"Georgia Institute of Technology\" ."), "{nt}");
    assert!(nt.contains("/organization/git> <https://w3id.org/kgsmith/ontology#partnerOf> <https://w3id.org/kgsmith/id/organization/nvidia> ."), "{nt}");
    let organizations = nt
        .lines()
        .filter(|l| l.contains("rdf-syntax-ns#type> <http://schema.org/Organization>"))
        .count();
    assert_eq!(organizations, 2, "{nt}");
}

#[test]
fn a_full_name_bound_by_a_relation_keeps_the_acronym_introduced_after_it() {
    let nt = nt_from_stdin(
        "Selon Jacques Kalvert, président de l'Agence nationale des norvaux (ANN), tout va bien.",
    );
    let leads = "#leads> <https://w3id.org/kgsmith/id/organization/agence-nationale-des-norvaux> .";
    assert!(nt.contains(leads), "{nt}");
    assert!(nt.contains("/organization/agence-nationale-des-norvaux> <http://schema.org/alternateName> \"ANN\" ."), "{nt}");
}

#[test]
fn mixed_graph_writes_symmetric_relations_undirected() {
    let mixed = tempfile::tempdir().unwrap();
    let directed = tempfile::tempdir().unwrap();
    let all = ["-f", "gexf,graphml,json", "-q"];
    assert!(build_into(mixed.path(), &[&all[..], &["--mixed-graph"]].concat()).status.success());
    assert!(build_into(directed.path(), &["-f", "gexf,graphml", "-q"]).status.success());
    let read = |dir: &Path| std::fs::read_to_string(dir.join("kg.gexf")).unwrap();
    assert_eq!(read(mixed.path()).matches("type=\"undirected\"").count(), 1, "partnerOf");
    assert!(!read(directed.path()).contains("type=\"undirected\""));
    let graphml = |dir: &Path| std::fs::read_to_string(dir.join("kg.graphml")).unwrap();
    assert_eq!(graphml(mixed.path()).matches("directed=\"false\"").count(), 1, "partnerOf");
    assert!(!graphml(directed.path()).contains("directed=\"false\""));
    assert!(mixed.path().join("kg.json").is_file());
    assert!(!directed.path().join("kg.json").exists());
}

#[test]
fn render_draws_with_graphviz_or_says_it_is_missing() {
    let out = tempfile::tempdir().unwrap();
    if util::run("dot", ["-V"]).is_none() {
        util::skip_or_fail("dot");
    } else {
        let output = build_into(out.path(), &["--render", "svg,png", "-q"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let svg = std::fs::read_to_string(out.path().join("kg.svg")).unwrap();
        assert!(svg.contains("<svg") && svg.contains("Helsing"), "not an SVG of the seeds");
        let png = std::fs::read(out.path().join("kg.png")).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
    let missing = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kgsmith"))
        .args(["build", "-q", "--render", "svg", "-o", missing.path().to_str().unwrap()])
        .current_dir(root())
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("Graphviz's `dot` is not installed"), "{}", stderr(&output));
    assert!(missing.path().join("kg.dot").is_file(), "the other outputs are still written");
    assert!(!missing.path().join("kg.svg").exists());
    let output = kgsmith(&["build", "--render", "gif"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn evidence_is_capped_per_edge_but_the_weight_counts_every_mention() {
    let text = std::fs::read_to_string(root().join("seeds/003_93359ee47851f963.txt")).unwrap();
    let record =
        |i: usize| serde_json::json!({ "id": format!("d{i:02}"), "text": text }).to_string();
    let forward: String = (0..12).map(|i| record(i) + "\n").collect();
    let backward: String = (0..12).rev().map(|i| record(i) + "\n").collect();
    let read = |input: &str| {
        let out = tempfile::tempdir().unwrap();
        let o = out.path().to_str().unwrap();
        let run = kgsmith_with_stdin(
            &["build", "-", "-o", o, "-f", "json", "--max-evidence", "3"],
            input,
        );
        assert!(run.status.success(), "{}", stderr(&run));
        std::fs::read_to_string(out.path().join("kg.json")).unwrap()
    };
    let json = read(&forward);
    assert_eq!(json, read(&backward), "the kept evidence depends on the input order");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let partner = value["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["relation"] == "partnerOf")
        .expect("a partnerOf edge");
    // two sentences per article state the partnership: 24 mentions, 3 kept
    assert_eq!(partner["weight"], 24.0);
    let kept: Vec<&str> = partner["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["document"].as_str().unwrap())
        .collect();
    assert_eq!(kept, ["d00", "d00", "d01"]);
}

#[test]
fn merging_four_shards_gives_the_build_of_the_whole_byte_for_byte() {
    let corpus = tempfile::tempdir().unwrap();
    let seeds: Vec<String> = ["000_34d5b4ac03902eb8", "003_93359ee47851f963"]
        .iter()
        .map(|s| std::fs::read_to_string(root().join(format!("seeds/{s}.txt"))).unwrap())
        .collect();
    // 4 shards of 3 records; the same articles recur across shards, as news do
    let mut shards = Vec::new();
    for shard in 0..4 {
        let lines: String = (0..3)
            .map(|i| {
                let n = shard * 3 + i;
                let text = format!("{}\nÉdition {n}.", seeds[n % 2]);
                serde_json::json!({ "id": format!("a{n:02}"), "text": text }).to_string() + "\n"
            })
            .collect();
        let path = corpus.path().join(format!("shard{shard}.jsonl"));
        std::fs::write(&path, lines).unwrap();
        shards.push(path);
    }
    let all = "ttl,nt,graphml,gexf,dot,json";
    let whole = tempfile::tempdir().unwrap();
    let mut args =
        vec!["build", "-q", "-f", all, "-o", whole.path().to_str().unwrap(), "--max-evidence", "4"];
    let shard_args: Vec<&str> = shards.iter().map(|p| p.to_str().unwrap()).collect();
    args.extend(&shard_args);
    assert!(kgsmith(&args).status.success());

    let parts = tempfile::tempdir().unwrap();
    let mut partials = Vec::new();
    for (i, shard) in shard_args.iter().enumerate() {
        let partial = parts.path().join(format!("part{i}.kgp"));
        let out = kgsmith(&[
            "extract",
            "-q",
            shard,
            "-o",
            partial.to_str().unwrap(),
            "--max-evidence",
            "4",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        partials.push(partial.to_str().unwrap().to_string());
    }
    partials.reverse(); // the order of the partials does not matter
    let merged = tempfile::tempdir().unwrap();
    let mut args = vec!["merge", "-q", "-f", all, "-o", merged.path().to_str().unwrap()];
    args.extend(partials.iter().map(String::as_str));
    let out = kgsmith(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    for ext in all.split(',') {
        let name = format!("kg.{ext}");
        let a = std::fs::read(whole.path().join(&name)).unwrap();
        let b = std::fs::read(merged.path().join(&name)).unwrap();
        assert!(a == b, "{name} differs between build and merge of 4 shards");
    }

    // a partial made with other rules is refused
    let other_rules = tempfile::tempdir().unwrap();
    copy_dir(&root().join("rules"), other_rules.path());
    std::fs::write(other_rules.path().join("extra.toml"), "[macros]\nunused = 'x'\n").unwrap();
    let out = kgsmith(&["merge", "-r", other_rules.path().to_str().unwrap(), &partials[0]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(":1: extracted with other rules"), "{}", stderr(&out));
}

/// A scoring set in `dir`: `docs/` with the documents (file name, text) and `entities.tsv` with
/// the entity rows of the gold format after its header.
fn write_eval_set(dir: &Path, docs: &[(&str, &str)], entity_rows: &str) {
    std::fs::create_dir(dir.join("docs")).unwrap();
    for (name, text) in docs {
        std::fs::write(dir.join("docs").join(name), text).unwrap();
    }
    let header = "doc\tcanonical_name\ttype\tsurface_forms\n";
    std::fs::write(dir.join("entities.tsv"), format!("{header}{entity_rows}")).unwrap();
}

/// `kgsmith eval` of the set of `write_eval_set` against gold rows (after the header), written to
/// `gold_file`: the report, and its `overall` line's first three words ("overall 1 0": the
/// relations found and wrong).
fn eval_report(dir: &Path, gold_file: &str, gold_rows: &str, extra: &[&str]) -> (String, String) {
    let header = "doc\tsubject\trelation\tobject\tdifficulty\tamount\tevidence\n";
    let gold = dir.join(gold_file);
    std::fs::write(&gold, format!("{header}{gold_rows}")).unwrap();
    let (entities, docs) = (dir.join("entities.tsv"), dir.join("docs"));
    let mut args = vec!["eval", "--gold", gold.to_str().unwrap()];
    args.extend(["--entities", entities.to_str().unwrap()]);
    args.extend(extra);
    args.push(docs.to_str().unwrap());
    let out = kgsmith(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8(out.stdout).unwrap();
    let line = report.lines().find(|l| l.starts_with("overall")).unwrap();
    let overall = line.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    (report, overall)
}

/// `kgsmith eval` scores an edge whose relation the gold never uses as the declared relation it
/// is a sub-property of: an acquisition as the investment the six relations of the gold call it,
/// once per pair of entities; and as itself when the gold uses it.
#[test]
fn eval_scores_a_sub_property_as_the_relation_the_gold_uses() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Le groupe Kalix a racheté la start-up Norvik Labs. Le groupe Kalix investit 5 \
                millions d'euros dans Norvik Labs.\n";
    write_eval_set(
        dir.path(),
        &[("d1.txt", text)],
        "d1\tKalix\tOrganization\tKalix\n\
         d1\tNorvik Labs\tOrganization\tNorvik Labs\n",
    );
    let eval = |relation: &str| {
        let row = format!("d1\tKalix\t{relation}\tNorvik Labs\tcore\t\ta racheté\n");
        eval_report(dir.path(), &format!("gold-{relation}.tsv"), &row, &["--lang", "fr"])
    };
    // the graph holds Kalix acquires and investsIn Norvik Labs: one investsIn found, nothing wrong
    let (report, overall) = eval("investsIn");
    assert_eq!(overall, "overall 1 0", "{report}");
    // a gold that uses acquires scores both edges as themselves: the investment is then wrong
    let (report, overall) = eval("acquires");
    assert_eq!(overall, "overall 1 1", "{report}");
}

/// `kgsmith eval` maps a node to every gold entity that one of its names designates: the gold
/// names a place per document ("Royaume-Uni" in one, "Britain" in another), the graph has one
/// node for it.
#[test]
fn eval_maps_a_node_to_the_gold_entities_of_all_its_names() {
    let dir = tempfile::tempdir().unwrap();
    write_eval_set(
        dir.path(),
        &[
            ("d1.txt", "Le groupe Kalix, basé au Royaume-Uni, recrute.\n"),
            ("d2.txt", "Norvik Labs, a Britain-based start-up, raised money.\n"),
        ],
        "d1\tKalix\tOrganization\tKalix\n\
         d1\tRoyaume-Uni\tPlace\tRoyaume-Uni\n\
         d2\tNorvik Labs\tOrganization\tNorvik Labs\n\
         d2\tBritain\tPlace\tBritain\n",
    );
    let (report, overall) = eval_report(
        dir.path(),
        "gold.tsv",
        "d1\tKalix\tlocatedIn\tRoyaume-Uni\tcore\t\tbasé au Royaume-Uni\n\
         d2\tNorvik Labs\tlocatedIn\tBritain\tcore\t\ta Britain-based start-up\n",
        &[],
    );
    // both rows found through the one node, nothing wrong
    assert_eq!(overall, "overall 2 0", "{report}");
}

#[test]
fn documents_stay_in_memory_with_a_warning_when_the_temporary_directory_is_missing() {
    // more documents than a block holds, so that one is spilled, each with a title and a URL
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("many.jsonl");
    let records: String = (0..4_200)
        .map(|i| {
            format!(
                "{{\"id\":\"https://example.org/a/{i}\",\"title\":\"Titre {i}\",\"url\":\"https://example.org/a/{i}\",\"text\":\"Kalix s'associe à Norvik {i}.\"}}\n"
            )
        })
        .collect();
    std::fs::write(&input, records).unwrap();
    let run = |tmpdir: &Path, out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_kgsmith"))
            .args(["build", input.to_str().unwrap(), "-q", "-f", "ttl,json", "-o"])
            .arg(out)
            .env("TMPDIR", tmpdir)
            .current_dir(root())
            .stdin(Stdio::null())
            .output()
            .expect("the kgsmith binary runs")
    };
    let (spilled, kept) = (dir.path().join("spilled"), dir.path().join("kept"));
    let ok = run(dir.path(), &spilled);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(!stderr(&ok).contains("temporary file"), "{}", stderr(&ok));
    let missing = run(&dir.path().join("no such directory"), &kept);
    assert!(missing.status.success(), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("kept in memory"), "{}", stderr(&missing));
    for name in ["kg.ttl", "kg.json"] {
        let (a, b) =
            (std::fs::read(spilled.join(name)).unwrap(), std::fs::read(kept.join(name)).unwrap());
        assert!(a == b, "{name} differs");
        assert!(String::from_utf8(a).unwrap().contains("Titre 4199"));
    }
}
