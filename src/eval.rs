//! Scoring against hand-made gold annotations (format: `shared/gold/README.md`).
//!
//! Predicted edges are compared with gold rows as (subject, relation, object) sets over all
//! documents, after mapping each predicted entity to a gold entity through the gold canonical
//! names and surface forms, compared case-, accent- and punctuation-insensitively; a predicted
//! entity stands for every gold entity that its label or one of its aliases names, since the gold
//! names an entity per document ("UK" in one, "Britain" in another) and the graph has one node
//! for it. Symmetric relations match in either order. Precision counts core and hard rows as
//! correct and ignores `opt` rows; recall is given on core rows and on core+hard rows.
//!
//! A relation the gold never uses is scored as the declared relation it is a sub-property of,
//! when the gold uses that one: with gold written to the six relations of
//! `shared/gold/README.md`, an `acquires` edge (`rdfs:subPropertyOf kgo:investsIn`) is scored as
//! the `investsIn` it entails, once per pair of entities.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use crate::error::Location;
use crate::graph::KnowledgeGraph;
use crate::normalize::fold_str;

/// How hard a gold row is to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difficulty {
    Core,
    Hard,
    Opt,
}

/// One gold relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldRow {
    pub doc: String,
    pub subject: String,
    pub relation: String,
    pub object: String,
    pub difficulty: Difficulty,
    pub amount: Option<String>,
    pub evidence: String,
}

/// Gold relations and the surface forms of gold entities.
#[derive(Debug, Clone, Default)]
pub struct Gold {
    pub rows: Vec<GoldRow>,
    /// Folded surface form or canonical name → canonical names.
    pub forms: BTreeMap<String, BTreeSet<String>>,
}

/// A problem in a gold file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{location}: {message}")]
pub struct GoldError {
    pub location: Location,
    pub message: String,
}

/// Case-, accent- and punctuation-insensitive form of a name.
pub fn match_key(name: &str) -> String {
    let folded = fold_str(name);
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn tsv_rows<'t>(
    path: &Path,
    text: &'t str,
    columns: &[&str],
) -> Result<Vec<(usize, Vec<&'t str>)>, GoldError> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l).unwrap_or("");
    let names: Vec<&str> = header.split('\t').collect();
    if names.len() < columns.len() || names[..columns.len()] != *columns {
        return Err(GoldError {
            location: Location::at(path, text, 0),
            message: format!("header must start with {}", columns.join(", ")),
        });
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < columns.len() - 1 {
            let offset = text.lines().take(i).map(|l| l.len() + 1).sum();
            return Err(GoldError {
                location: Location::at(path, text, offset),
                message: format!(
                    "expected {} tab-separated fields, found {}",
                    columns.len(),
                    fields.len()
                ),
            });
        }
        out.push((i + 1, fields));
    }
    Ok(out)
}

impl Gold {
    /// Parses a gold relations file and a gold entities file.
    pub fn parse(
        gold_path: &Path,
        gold: &str,
        entities_path: &Path,
        entities: &str,
    ) -> Result<Gold, GoldError> {
        let mut out = Gold::default();
        let cols = ["doc", "subject", "relation", "object", "difficulty", "amount", "evidence"];
        for (line, f) in tsv_rows(gold_path, gold, &cols)? {
            let difficulty = match f[4] {
                "core" => Difficulty::Core,
                "hard" => Difficulty::Hard,
                "opt" => Difficulty::Opt,
                other => {
                    return Err(GoldError {
                        location: Location { file: gold_path.to_path_buf(), line, column: 1 },
                        message: format!("difficulty '{other}' is not core, hard or opt"),
                    })
                }
            };
            let get = |i: usize| f.get(i).map(|s| s.trim()).unwrap_or("");
            out.rows.push(GoldRow {
                doc: get(0).to_string(),
                subject: get(1).to_string(),
                relation: get(2).to_string(),
                object: get(3).to_string(),
                difficulty,
                amount: Some(get(5)).filter(|a| !a.is_empty()).map(str::to_string),
                evidence: get(6).to_string(),
            });
        }
        for (_, f) in
            tsv_rows(entities_path, entities, &["doc", "canonical_name", "type", "surface_forms"])?
        {
            let canonical = f[1].trim().to_string();
            let forms = f.get(3).map_or("", |s| s.trim());
            for form in std::iter::once(canonical.as_str()).chain(forms.split('|')) {
                if !form.trim().is_empty() {
                    out.forms.entry(match_key(form)).or_default().insert(canonical.clone());
                }
            }
        }
        for row in &out.rows {
            for name in [&row.subject, &row.object] {
                out.forms.entry(match_key(name)).or_default().insert(name.clone());
            }
        }
        Ok(out)
    }

    /// Gold canonical names a predicted entity may stand for: those its label or any of its
    /// aliases is a form of. The gold names an entity per document ("UK" in one, "Britain" in
    /// another), while the graph has one node for it.
    fn candidates(&self, label: &str, aliases: &[String]) -> BTreeSet<String> {
        std::iter::once(label)
            .chain(aliases.iter().map(String::as_str))
            .filter_map(|name| self.forms.get(&match_key(name)))
            .flatten()
            .cloned()
            .collect()
    }
}

/// Precision, recall and F1 for one relation or overall.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// Predicted edges that are core or hard gold rows.
    pub true_positives: usize,
    /// Predicted edges that match no gold row.
    pub false_positives: usize,
    /// Predicted edges that match an `opt` row (neither right nor wrong).
    pub optional: usize,
    pub core: usize,
    pub core_found: usize,
    pub core_hard: usize,
    pub core_hard_found: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positives)
    }
    pub fn recall_core(&self) -> f64 {
        ratio(self.core_found, self.core)
    }
    pub fn recall_core_hard(&self) -> f64 {
        ratio(self.core_hard_found, self.core_hard)
    }
    /// F1 of precision and core+hard recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall_core_hard());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: &Score) {
        self.true_positives += o.true_positives;
        self.false_positives += o.false_positives;
        self.optional += o.optional;
        self.core += o.core;
        self.core_found += o.core_found;
        self.core_hard += o.core_hard;
        self.core_hard_found += o.core_hard_found;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub per_relation: BTreeMap<String, Score>,
    pub overall: Score,
    /// Predicted edges matching no gold row: `subject relation object` with the rule ids.
    pub false_positives: Vec<String>,
    /// Gold core and hard rows not found.
    pub false_negatives: Vec<GoldRow>,
}

/// Scores `graph` against `gold`.
pub fn evaluate(graph: &KnowledgeGraph, gold: &Gold) -> Evaluation {
    let mut eval = Evaluation::default();
    let symmetric = |r: &str| graph.vocabulary.relation(r).is_some_and(|d| d.symmetric);
    let mut found_rows = vec![false; gold.rows.len()];
    let annotated: BTreeSet<&str> = gold.rows.iter().map(|r| r.relation.as_str()).collect();
    let vocabulary = &graph.vocabulary;
    // the relation an edge is scored as: its own, or the one it entails that the gold uses
    let scored_as = |relation: &'_ str| -> String {
        if annotated.contains(relation) {
            return relation.to_string();
        }
        let entailed = vocabulary.relation(relation).and_then(|decl| {
            decl.sub_property_of.iter().find_map(|iri| {
                vocabulary
                    .relations
                    .values()
                    .find(|r| r.property_iri == *iri && annotated.contains(r.name.as_str()))
            })
        });
        entailed.map_or(relation, |r| r.name.as_str()).to_string()
    };
    let mut scored: BTreeSet<(&str, String, &str)> = BTreeSet::new();
    for edge in graph.edges() {
        let subjects = gold.candidates(&edge.subject.label, &edge.subject.aliases);
        let objects = gold.candidates(&edge.object.label, &edge.object.aliases);
        let relation = scored_as(edge.relation.relation.as_str());
        // an edge and another that entails the same relation between the same entities count once
        if !scored.insert((edge.subject.id.as_str(), relation.clone(), edge.object.id.as_str())) {
            continue;
        }
        let relation = relation.as_str();
        let matches: Vec<usize> = gold
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| {
                row.relation == relation
                    && ((subjects.contains(&row.subject) && objects.contains(&row.object))
                        || (symmetric(relation)
                            && subjects.contains(&row.object)
                            && objects.contains(&row.subject)))
            })
            .map(|(i, _)| i)
            .collect();
        let score = eval.per_relation.entry(relation.to_string()).or_default();
        let counted = matches.iter().any(|&i| gold.rows[i].difficulty != Difficulty::Opt);
        if counted {
            score.true_positives += 1;
        } else if !matches.is_empty() {
            score.optional += 1;
        } else {
            score.false_positives += 1;
            let rules: BTreeSet<&str> =
                edge.relation.evidence.iter().map(|e| e.rule.as_str()).collect();
            let original = edge.relation.relation.as_str();
            let shown = if original == relation {
                relation.to_string()
            } else {
                format!("{original} (as {relation})")
            };
            eval.false_positives.push(format!(
                "{} {} {}  [{}]",
                edge.subject.label,
                shown,
                edge.object.label,
                rules.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        for i in matches {
            found_rows[i] = true;
        }
    }
    for (row, found) in gold.rows.iter().zip(found_rows) {
        let score = eval.per_relation.entry(row.relation.clone()).or_default();
        match row.difficulty {
            Difficulty::Core => {
                score.core += 1;
                score.core_hard += 1;
                score.core_found += usize::from(found);
                score.core_hard_found += usize::from(found);
            }
            Difficulty::Hard => {
                score.core_hard += 1;
                score.core_hard_found += usize::from(found);
            }
            Difficulty::Opt => {}
        }
        if !found && row.difficulty != Difficulty::Opt {
            eval.false_negatives.push(row.clone());
        }
    }
    let mut overall = Score::default();
    for s in eval.per_relation.values() {
        overall.add(s);
    }
    eval.overall = overall;
    eval
}

impl Evaluation {
    /// A table of the scores; with `show`, the false positives and negatives too.
    pub fn report(&self, show: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<14} {:>4} {:>4} {:>4} {:>9} {:>11} {:>16} {:>6}",
            "relation", "tp", "fp", "opt", "precision", "recall core", "recall core+hard", "f1"
        );
        let mut line = |name: &str, s: &Score| {
            let _ = writeln!(
                out,
                "{:<14} {:>4} {:>4} {:>4} {:>9.3} {:>11} {:>16} {:>6.3}",
                name,
                s.true_positives,
                s.false_positives,
                s.optional,
                s.precision(),
                format!("{:.3} {}/{}", s.recall_core(), s.core_found, s.core),
                format!("{:.3} {}/{}", s.recall_core_hard(), s.core_hard_found, s.core_hard),
                s.f1()
            );
        };
        for (name, s) in &self.per_relation {
            line(name, s);
        }
        line("overall", &self.overall);
        if show {
            let _ = writeln!(out, "\nfalse positives ({}):", self.false_positives.len());
            for fp in &self.false_positives {
                let _ = writeln!(out, "  {fp}");
            }
            let _ = writeln!(out, "\nfalse negatives ({}):", self.false_negatives.len());
            for row in &self.false_negatives {
                let d = if row.difficulty == Difficulty::Core { "core" } else { "hard" };
                let _ = writeln!(
                    out,
                    "  [{d}] {} {} {}  ({}: {})",
                    row.subject, row.relation, row.object, row.doc, row.evidence
                );
            }
        }
        out
    }
}
