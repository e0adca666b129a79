//! Inline examples of rules, run as tests (`kgsmith rules test`, and `cargo test`).
//!
//! An example is run through the whole pipeline with the whole pack, as a user's article would
//! be: a relation example passes when each expected triple is in the graph with evidence from the
//! rule itself, and no rejected triple is there from any rule. An entity pattern example passes
//! when the pattern itself finds exactly the expected names; a money pattern example, when the
//! pattern itself finds exactly the expected amounts, each written `text = value CUR`.

use std::fmt;
use std::path::PathBuf;

use crate::error::Location;
use crate::extract::{extract, Mention, MentionSource};
use crate::graph::build::build_graph;
use crate::graph::{DocumentInfo, KnowledgeGraph};
use crate::input::Document;
use crate::normalize::fold_str;
use crate::rules::{MentionExample, RulePack};

/// A failed example.
#[derive(Debug, Clone)]
pub struct ExampleFailure {
    pub location: Location,
    pub rule: String,
    pub message: String,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.rule, self.message)
    }
}

/// Outcome of running every example of a pack.
#[derive(Debug, Clone, Default)]
pub struct ExampleReport {
    pub total: usize,
    pub failures: Vec<ExampleFailure>,
}

/// An example as a document in the language of its rule (`any`: detected, as for articles).
fn document(text: &str, lang: &str) -> Document {
    Document {
        info: DocumentInfo { id: "example".into(), title: None, url: None, date: None },
        text: text.to_string(),
        source: PathBuf::from("example"),
        lang: (lang != "any").then(|| lang.to_string()),
    }
}

/// A triple written `Subject relation Object`, split at the first word that names a relation.
fn parse_triple<'a>(text: &'a str, rules: &RulePack) -> Option<(&'a str, &'a str, &'a str)> {
    let mut offset = 0;
    for word in text.split(' ') {
        if offset > 0 && rules.vocabulary.relations.contains_key(word) {
            let subject = text[..offset - 1].trim();
            let object = text[offset + word.len()..].trim();
            if !subject.is_empty() && !object.is_empty() {
                return Some((subject, word, object));
            }
        }
        offset += word.len() + 1;
    }
    None
}

fn names_entity(entity: &crate::graph::Entity, name: &str) -> bool {
    let n = fold_str(name);
    fold_str(&entity.label) == n || entity.aliases.iter().any(|a| fold_str(a) == n)
}

/// Whether the graph holds (s, relation, o), optionally only with evidence from `rule`.
pub fn holds(graph: &KnowledgeGraph, s: &str, relation: &str, o: &str, rule: Option<&str>) -> bool {
    graph.edges().any(|e| {
        let ends = (names_entity(e.subject, s) && names_entity(e.object, o))
            || (e.relation.symmetric && names_entity(e.subject, o) && names_entity(e.object, s));
        ends && e.relation.relation == relation
            && rule.is_none_or(|r| e.relation.evidence.iter().any(|ev| ev.rule == r))
    })
}

/// Runs the examples of one entity or money pattern: each must make exactly the expected
/// mentions of the pattern, as `found` writes them (compared folded when `folded`).
fn run_mention_examples(
    rules: &RulePack,
    (id, lang): (&str, &str),
    examples: &[MentionExample],
    found: impl Fn(&Mention) -> Option<String>,
    folded: bool,
    report: &mut ExampleReport,
) {
    let key = |s: &String| if folded { fold_str(s) } else { s.clone() };
    for ex in examples {
        report.total += 1;
        let extraction = extract(&document(&ex.text, ex.lang.as_deref().unwrap_or(lang)), rules);
        let mut got: Vec<String> = extraction.mentions.iter().filter_map(&found).collect();
        got.sort();
        let mut expected = ex.expect.clone();
        expected.sort();
        if got.iter().map(key).ne(expected.iter().map(key)) {
            report.failures.push(ExampleFailure {
                location: ex.location.clone(),
                rule: id.to_owned(),
                message: format!("expected {expected:?}, found {got:?} in {:?}", ex.text),
            });
        }
    }
}

/// Runs every example of every entity pattern, money pattern and relation rule.
pub fn run_examples(rules: &RulePack) -> ExampleReport {
    let mut report = ExampleReport::default();
    for p in &rules.entity_patterns {
        let found = |m: &Mention| match &m.source {
            MentionSource::Pattern { pattern } if *pattern == p.id => Some(m.text.clone()),
            _ => None,
        };
        let at = (p.id.as_str(), p.lang.as_str());
        run_mention_examples(rules, at, &p.examples, found, true, &mut report);
    }
    for p in &rules.money_patterns {
        let found = |m: &Mention| match &m.source {
            MentionSource::Money { amount, pattern } if *pattern == p.id => {
                Some(format!("{} = {} {}", m.text, amount.value, amount.currency))
            }
            _ => None,
        };
        let at = (p.id.as_str(), p.lang.as_str());
        run_mention_examples(rules, at, &p.examples, found, false, &mut report);
    }
    for r in &rules.relation_rules {
        for ex in &r.examples {
            report.total += 1;
            let extraction =
                extract(&document(&ex.text, ex.lang.as_deref().unwrap_or(&r.lang)), rules);
            let graph = match build_graph(std::slice::from_ref(&extraction), rules) {
                Ok(g) => g,
                Err(e) => {
                    report.failures.push(ExampleFailure {
                        location: ex.location.clone(),
                        rule: r.id.clone(),
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            let mut problems = Vec::new();
            for t in &ex.expect {
                match parse_triple(t, rules) {
                    None => problems.push(format!(
                        "'{t}' is not 'Subject relation Object' with a declared relation"
                    )),
                    Some((s, rel, o)) if !holds(&graph, s, rel, o, Some(&r.id)) => {
                        problems.push(format!("missing '{t}'"))
                    }
                    Some(_) => {}
                }
            }
            for t in &ex.reject {
                match parse_triple(t, rules) {
                    None => problems.push(format!(
                        "'{t}' is not 'Subject relation Object' with a declared relation"
                    )),
                    Some((s, rel, o)) if holds(&graph, s, rel, o, None) => {
                        problems.push(format!("found rejected '{t}'"))
                    }
                    Some(_) => {}
                }
            }
            if !problems.is_empty() {
                let got: Vec<String> = graph
                    .edges()
                    .map(|e| {
                        format!(
                            "{} {} {} [{}]",
                            e.subject.label,
                            e.relation.relation,
                            e.object.label,
                            e.relation
                                .evidence
                                .iter()
                                .map(|v| v.rule.as_str())
                                .collect::<Vec<_>>()
                                .join(",")
                        )
                    })
                    .collect();
                report.failures.push(ExampleFailure {
                    location: ex.location.clone(),
                    rule: r.id.clone(),
                    message: format!(
                        "{} in {:?}; the graph has {got:?}",
                        problems.join("; "),
                        ex.text
                    ),
                });
            }
        }
    }
    report
}
