//! `kgsmith rules profile`: where extraction spends its time, per stage and per rule, so that a
//! rule author sees which pattern is slow and why (how many sentences its prefilter let through,
//! how many bytes it read, how many matches it found).
//!
//! The documents are extracted on one thread with a [`Scratch::profiled`], whose few clock
//! readings (per stage and batch, per pattern and batch in stages 2 and 3, per run of a money or
//! date pattern in stage 1, where its prefilter let a sentence through) change no result.
//! Building the automata is timed apart, before extraction, so that a pattern's time is its
//! searches alone.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::error::InputDiagnostic;
use crate::extract::{extract_batch_with, Costs, PatternCost, Scratch};
use crate::input::{Document, InputItem};
use crate::rules::RulePack;

/// Documents extracted together, as `build` batches them.
const BATCH: usize = 128;

/// What a profile run measured.
#[derive(Debug, Clone)]
pub struct Profile {
    pub costs: Costs,
    /// Building the automata of every pattern, before extraction.
    pub build: Duration,
    /// The whole extraction, reading included.
    pub elapsed: Duration,
    pub diagnostics: Vec<InputDiagnostic>,
}

/// Extracts every document of `inputs` with `rules` on this thread, keeping what each stage and
/// pattern cost.
pub fn run(rules: &RulePack, inputs: impl Iterator<Item = InputItem>) -> Profile {
    let started = Instant::now();
    rules.build_automata();
    let build = started.elapsed();
    let started = Instant::now();
    let mut scratch = Scratch::profiled();
    let mut diagnostics = Vec::new();
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
    for item in inputs {
        match item {
            InputItem::Document(d) => batch.push(d),
            InputItem::Problem(p) => diagnostics.push(p),
        }
        if batch.len() == BATCH {
            extract_batch_with(std::mem::take(&mut batch), rules, &mut scratch);
        }
    }
    if !batch.is_empty() {
        extract_batch_with(batch, rules, &mut scratch);
    }
    let costs = scratch.costs().cloned().unwrap_or_default();
    Profile { costs, build, elapsed: started.elapsed(), diagnostics }
}

/// The profile as a table: the stages, then the rules that ran, slowest first (at most `top`).
pub fn report(profile: &Profile, rules: &RulePack, top: Option<usize>) -> String {
    let c = &profile.costs;
    let mut out = String::new();
    let seconds = |d: Duration| d.as_secs_f64();
    let extraction = c.prepare + c.lexical + c.entities + c.relations + c.other;
    let share = |d: Duration| 100.0 * seconds(d) / seconds(extraction).max(f64::MIN_POSITIVE);
    let _ = writeln!(
        out,
        "{} documents, {:.2} MB, {} sentences, one thread: {:.3} s of extraction ({:.2} MB/s), \
         {:.3} s with reading",
        c.documents,
        c.bytes as f64 / 1e6,
        c.sentences,
        seconds(extraction),
        c.bytes as f64 / 1e6 / seconds(extraction).max(f64::MIN_POSITIVE),
        seconds(profile.elapsed)
    );
    let _ =
        writeln!(out, "building the automata of every pattern: {:.3} s", seconds(profile.build));
    let _ = writeln!(out, "\n{:<35} {:>9} {:>7}", "stage", "seconds", "share");
    let runs = |costs: &[PatternCost]| costs.iter().map(|p| p.time).sum::<Duration>();
    let lexical_runs = runs(&c.lexical_patterns);
    let (entity_runs, relation_runs) = (runs(&c.entity_patterns), runs(&c.relation_rules));
    for (name, d) in [
        ("language, normalization, sentences", c.prepare),
        ("1 gazetteer, demonyms, money, dates", c.lexical),
        ("  gazetteer, prefilter scan, the rest", c.lexical.saturating_sub(lexical_runs)),
        ("  the money and date patterns", lexical_runs),
        ("2 entity patterns", c.entities),
        ("  masking, prefilter scan", c.entity_sheet),
        ("  the patterns' searches", entity_runs),
        ("  choosing the mentions", c.entities.saturating_sub(c.entity_sheet + entity_runs)),
        ("3 relation rules", c.relations),
        ("  masking, prefilter scan", c.relation_sheet),
        ("  the rules' searches", relation_runs),
        ("  the rest", c.relations.saturating_sub(c.relation_sheet + relation_runs)),
        ("types, antecedents, acronyms, spans", c.other),
    ] {
        let _ = writeln!(out, "{name:<35} {:>9.3} {:>6.1} %", seconds(d), share(d));
    }
    let mut rows: Vec<(&str, &str, &PatternCost)> = Vec::new();
    let money = rules.money_patterns.iter().map(|p| p.id.as_str());
    let lexical = money.chain(rules.date_patterns.iter().map(|p| p.id.as_str()));
    rows.extend(lexical.zip(&c.lexical_patterns).map(|(id, cost)| ("1", id, cost)));
    let entity = rules.entity_patterns.iter().map(|p| p.id.as_str()).zip(&c.entity_patterns);
    rows.extend(entity.map(|(id, cost)| ("2", id, cost)));
    let relation = rules.relation_rules.iter().map(|r| r.id.as_str()).zip(&c.relation_rules);
    rows.extend(relation.map(|(id, cost)| ("3", id, cost)));
    rows.retain(|(_, _, cost)| cost.sentences > 0);
    rows.sort_by(|a, b| b.2.time.cmp(&a.2.time).then(a.1.cmp(b.1)));
    let _ = writeln!(
        out,
        "\n{:<5} {:<44} {:>9} {:>9} {:>8} {:>9} {:>8} {:>7}",
        "stage", "rule", "sentences", "MB read", "matches", "seconds", "ns/byte", "share"
    );
    for (stage, id, cost) in rows.iter().take(top.unwrap_or(usize::MAX)) {
        let _ = writeln!(
            out,
            "{stage:<5} {id:<44} {:>9} {:>9.2} {:>8} {:>9.3} {:>8.1} {:>5.1} %",
            cost.sentences,
            cost.bytes as f64 / 1e6,
            cost.matches,
            seconds(cost.time),
            1e9 * seconds(cost.time) / (cost.bytes.max(1) as f64),
            share(cost.time)
        );
    }
    if let Some(top) = top.filter(|&t| t < rows.len()) {
        let _ = writeln!(out, "({} more rules ran)", rows.len() - top);
    }
    out
}
