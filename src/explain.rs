//! `kgsmith explain`: what the rules saw in a document, sentence by sentence, for rule authors.
//!
//! For each sentence with something in it: every mention with its type and the rule (or
//! gazetteer) that found it; every relation match with its rule id and the matched stretch
//! highlighted; and the near misses — places where a relation rule with its slots relaxed
//! matches but the rule itself does not, with the slot that failed and why.

use std::fmt::Write as _;

use crate::extract::masked::MaskedSentence;
use crate::extract::{mask_items, to_masked, Extraction, MentionSource};
use crate::rules::pattern::PLACEHOLDER_OPEN;
use crate::rules::{applies_to, RulePack};

/// Marks around highlighted text.
const OPEN: &str = "⟦";
const CLOSE: &str = "⟧";

fn highlight(text: &str, start: usize, end: usize) -> String {
    format!("{}{OPEN}{}{CLOSE}{}", &text[..start], &text[start..end], &text[end..])
}

fn mention_label(ex: &Extraction, i: usize, rules: &RulePack) -> String {
    let m = &ex.mentions[i];
    match &m.source {
        MentionSource::Demonym { place } => {
            format!("Demonym → {}", rules.gazetteer.entries[*place].name)
        }
        MentionSource::Money { amount, .. } => {
            format!("Money {} {}", amount.value, amount.currency)
        }
        MentionSource::Date { value, .. } => format!("Date {value}"),
        MentionSource::Gazetteer { entry } if rules.gazetteer.entries[*entry].name != m.text => {
            format!("{} = {}", m.mention_type, rules.gazetteer.entries[*entry].name)
        }
        _ => m.mention_type.clone(),
    }
}

/// A mention as a relation end: a demonym shows the place it stands for.
fn shown(ex: &Extraction, i: usize, rules: &RulePack) -> String {
    let m = &ex.mentions[i];
    match &m.source {
        MentionSource::Demonym { place } => {
            format!("{} (→ {})", m.text, rules.gazetteer.entries[*place].name)
        }
        _ => m.text.clone(),
    }
}

/// The explanation of one document's extraction.
pub fn explain(ex: &Extraction, rules: &RulePack) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", ex.document.id);
    for (si, sentence) in ex.sentences.iter().enumerate() {
        let in_sentence: Vec<usize> =
            (0..ex.mentions.len()).filter(|&i| ex.mentions[i].sentence == si).collect();
        let relations: Vec<_> = ex.relations.iter().filter(|r| r.sentence == si).collect();
        let near = near_misses(ex, si, &in_sentence, rules);
        if in_sentence.is_empty() && relations.is_empty() && near.is_empty() {
            continue;
        }
        let text = ex.sentence_text(si);
        let _ = writeln!(
            out,
            "\n## sentence {} (bytes {}..{})\n{text}",
            si + 1,
            sentence.original_start,
            sentence.original_end
        );
        for &i in &in_sentence {
            let m = &ex.mentions[i];
            let _ = writeln!(
                out,
                "  mention   {:<28} [{}]  {}  {}..{}",
                format!("{:?}", m.text),
                mention_label(ex, i, rules),
                m.source.rule_id(),
                m.original_start,
                m.original_end
            );
        }
        for r in relations {
            let (s, e) = (
                r.original_start - sentence.original_start,
                r.original_end - sentence.original_start,
            );
            for &(a, b) in &r.pairs {
                let amount = r.amount.and_then(|i| match &ex.mentions[i].source {
                    MentionSource::Money { amount, .. } => {
                        Some(format!(" ({} {})", amount.value, amount.currency))
                    }
                    _ => None,
                });
                let _ = writeln!(
                    out,
                    "  relation  {} {} {}{}  [{}]",
                    shown(ex, a, rules),
                    r.relation,
                    shown(ex, b, rules),
                    amount.unwrap_or_default(),
                    r.rule
                );
            }
            let _ = writeln!(out, "            {}", highlight(text, s, e));
        }
        for n in near {
            let _ = writeln!(out, "  near miss {n}");
        }
    }
    out
}

/// Relaxed matches of relation rules that the rules themselves do not make.
fn near_misses(ex: &Extraction, si: usize, in_sentence: &[usize], rules: &RulePack) -> Vec<String> {
    let sentence = &ex.sentences[si];
    let items = mask_items(&ex.mentions, in_sentence.iter().copied(), &rules.type_codes);
    let masked = MaskedSentence::build(&ex.normalized.text, sentence.start, sentence.end, items);
    let masked = masked.as_ref();
    let folded = crate::normalize::fold(masked.text);
    let mut out = Vec::new();
    for rule in rules.relation_rules.iter().filter(|r| applies_to(&r.lang, ex.lang.as_deref())) {
        let Some(relaxed) = &rule.relaxed else { continue };
        let (haystack, map) = if rule.fold {
            (folded.text.as_str(), Some(folded.map.as_ref()))
        } else {
            (masked.text, None)
        };
        let in_masked = |s: usize, e: usize| to_masked(map, s, e);
        let strict: Vec<(usize, usize)> =
            rule.regex.find_iter(haystack).map(|m| in_masked(m.start(), m.end())).collect();
        for caps in relaxed.captures_iter(haystack) {
            let whole = caps.get(0).expect("group 0");
            let (whole_start, whole_end) = in_masked(whole.start(), whole.end());
            if strict.iter().any(|&(s, e)| s < whole_end && e > whole_start) {
                continue;
            }
            let mut reasons = Vec::new();
            let mut filled = 0;
            for slot in &rule.slots {
                let Some(g) = caps.name(slot.role.group()) else { continue };
                let got = g.as_str();
                if got.starts_with(PLACEHOLDER_OPEN) {
                    let (s, e) = in_masked(g.start(), g.end());
                    let index = masked.mentions_in(s, e).next();
                    if let Some(m) = index.and_then(|i| ex.mentions.get(i)) {
                        if slot.types.contains(&m.mention_type) {
                            filled += 1;
                        } else {
                            reasons.push(format!(
                                "{} {:?} is {}, not {}",
                                slot.role.group(),
                                m.text,
                                m.mention_type,
                                slot.types.join("|")
                            ));
                        }
                    }
                } else {
                    reasons.push(format!("{} {:?} is not a mention", slot.role.group(), got));
                }
            }
            if reasons.is_empty() || filled == 0 {
                continue; // only the span differs, or nothing of the rule's own was there
            }
            let (s, e) = masked.span_widened(whole_start, whole_end);
            let (os, oe) = ex.normalized.map.span(s, e);
            let text = ex.sentence_text(si);
            let (rs, re) = (os - sentence.original_start, oe - sentence.original_start);
            out.push(format!(
                "{}: {}\n            {}",
                rule.id,
                reasons.join("; "),
                highlight(text, rs, re)
            ));
        }
    }
    out
}
