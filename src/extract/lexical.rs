//! Stage 1: the names the pack lists (gazetteer entries and demonyms) and the amounts and dates
//! its money and date patterns read, one sentence at a time. The gazetteer is one automaton walked
//! once over the sentence's folded copy, and the money and date patterns run only where their
//! prefilter lets the sentence through, so this stage needs no pass pattern by pattern over the
//! batch as stages 2 and 3 do. Candidates are kept longest first, so a name wins over the names
//! inside it.

use std::collections::BTreeMap;
use std::time::Instant;

use super::scratch::{Costs, PatternCost, Scratch};
use super::{money, new_mention, Mention, MentionSource};
use crate::normalize::{fold_into, fold_str};
use crate::rules::matcher::Haystack;
use crate::rules::{FoldGate, LexicalTarget, RulePack};
use crate::sentence::SentenceSpan;

/// Stage 1: gazetteer entries, demonyms and money, longest first, without overlaps; and whether
/// a relation rule that reads the folded copy may match the sentence, told by the same walk of
/// the folded sentence ([`FoldGate`]), so that stage 3 folds only the sentences where such a
/// rule may match.
pub(super) fn lexical_mentions(
    text: &str,
    span: SentenceSpan,
    sentence: usize,
    lang: Option<&str>,
    rules: &RulePack,
    scratch: &mut Scratch,
) -> (Vec<Mention>, bool) {
    let local = &text[span.start..span.end];
    let folded = &mut scratch.folded;
    fold_into(local, folded);
    let gaz = &rules.gazetteer;
    let mut folds = matches!(rules.prefilters.relation_fold, FoldGate::Always);
    // a mention is made only for the candidates kept
    let mut candidates: Vec<Candidate<'_>> = Vec::new();
    gaz.automaton.every_match(folded.text.as_bytes(), &mut |p, start, end| {
        let pattern = &gaz.patterns[p];
        if pattern.target == LexicalTarget::FoldWord {
            folds = true;
            return;
        }
        let before = folded.text[..start].chars().next_back();
        let after = folded.text[end..].chars().next();
        if is_word_char(before)
            || (is_word_char(after) && !is_participle_suffix(&folded.text[end..]))
        {
            return;
        }
        let (s, e) = folded.map.span(start, end);
        let surface = &local[s..e];
        if pattern.exact && surface != pattern.form {
            return;
        }
        if pattern.capitalized && !surface.chars().next().is_some_and(char::is_uppercase) {
            return;
        }
        let (t, source, rank) = match pattern.target {
            LexicalTarget::Entry(entry) => {
                (gaz.entries[entry].entity_type.as_str(), MentionSource::Gazetteer { entry }, 0)
            }
            LexicalTarget::Demonym(place) => ("Demonym", MentionSource::Demonym { place }, 1),
            LexicalTarget::FoldWord => return,
        };
        candidates.push((s, e, rank, t, source));
    });
    let (prefilter, found) = (&rules.prefilters.money_and_dates, &mut scratch.money_and_dates);
    prefilter.scan(local, found);
    let patterns = rules.money_patterns.len() + rules.date_patterns.len();
    if !(0..patterns).any(|i| prefilter.may_match(i, found)) {
        return (accept(text, span, sentence, candidates), folds);
    }
    // mapped to bytes (or scanned for stand-ins) once for the money and date patterns that run
    let haystack = match rules.bytes.as_deref() {
        Some(a) => {
            scratch.bytes.clear();
            let row = a.map_into(local, &mut scratch.bytes);
            Haystack::unscanned(local).with_bytes(scratch.bytes.get(row), a)
        }
        None => Haystack::new(local),
    };
    // a run's cost, kept when profiled (a clock reading per pattern the prefilter lets run)
    let run = || PatternCost { sentences: 1, bytes: local.len(), ..PatternCost::default() };
    // the money patterns, then the date patterns, numbered so in their prefilter
    let money = rules.money_patterns.iter().map(|p| (&p.id, &p.regex, true));
    let dates = rules.date_patterns.iter().map(|p| (&p.id, &p.regex, false));
    for (i, (id, regex, is_money)) in money.chain(dates).enumerate() {
        if !prefilter.may_match(i, found) {
            continue;
        }
        let (group, rank, kind) =
            if is_money { ("amount", 2, "Money") } else { ("date", 3, "Date") };
        let (started, mut cost) = (scratch.costs.is_some().then(Instant::now), run());
        let mut matches = regex.captures(haystack, &mut scratch.slots);
        while let Some(caps) = matches.next() {
            cost.matches += 1;
            let get = |n: &str| caps.name(n).map(|m| m.as_str());
            let source = if is_money {
                money_source(get, id, lang, rules)
            } else {
                date_source(get, id, rules)
            };
            let Some(source) = source else { continue };
            let whole = caps.name(group).or_else(|| caps.get(0)).expect("group 0");
            candidates.push((whole.start(), whole.end(), rank, kind, source));
        }
        Costs::add(scratch.costs.as_deref_mut(), |c| &mut c.lexical_patterns, i, started, &cost);
    }
    (accept(text, span, sentence, candidates), folds)
}

/// A mention stage 1 may make in a sentence: start, end (in the sentence), rank, type, source.
type Candidate<'t> = (usize, usize, u8, &'t str, MentionSource);

/// Stage 1's candidates of a sentence that are kept: the longest first, then the earliest, then
/// by rank (gazetteer, demonym, money, date), each unless it overlaps one kept before; as
/// mentions, in text order.
fn accept(
    text: &str,
    span: SentenceSpan,
    sentence: usize,
    mut candidates: Vec<Candidate<'_>>,
) -> Vec<Mention> {
    candidates
        .sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)).then(a.2.cmp(&b.2)));
    let mut accepted: Vec<Mention> = Vec::new();
    for (s, e, _, t, source) in candidates {
        let (s, e) = (span.start + s, span.start + e);
        if accepted.iter().all(|a| e <= a.start || s >= a.end) {
            accepted.push(new_mention(text, s, e, sentence, t, source));
        }
    }
    accepted.sort_by_key(|m| m.start);
    accepted
}

/// The mention of a money pattern's match (groups `num` or `word`, `scale`, `cur`), when its
/// groups make an amount. In English a comma before three digits groups thousands before a
/// scale word too ("Rs 2,000 crore"); elsewhere it marks decimals there ("1,250 milliard").
fn money_source<'h>(
    get: impl Fn(&str) -> Option<&'h str>,
    id: &str,
    lang: Option<&str>,
    rules: &RulePack,
) -> Option<MentionSource> {
    let (num, word, scale) = (get("num"), get("word"), get("scale"));
    let comma_groups = lang == Some("en");
    let amount = money::amount(num, word, scale, get("cur")?, comma_groups, &rules.money_words)?;
    Some(MentionSource::Money { amount, pattern: id.to_owned() })
}

/// The mention of a date pattern's match (groups `year`, `month`, `day`), when they make a date.
fn date_source<'h>(
    get: impl Fn(&str) -> Option<&'h str>,
    id: &str,
    rules: &RulePack,
) -> Option<MentionSource> {
    let value = date_value(get("year"), get("month"), get("day"), &rules.months)?;
    Some(MentionSource::Date { value, pattern: id.to_owned() })
}

/// ISO 8601 date from a date pattern's groups (`5`, `septembre`, `2025` → `2025-09-05`); `None`
/// when a part is not a real date.
fn date_value(
    year: Option<&str>,
    month: Option<&str>,
    day: Option<&str>,
    months: &BTreeMap<String, u32>,
) -> Option<String> {
    let year: u32 = year?.trim().parse().ok()?;
    let Some(month) = month.map(str::trim).filter(|m| !m.is_empty()) else {
        return Some(format!("{year:04}"));
    };
    let month = match month.parse::<u32>() {
        Ok(n) => n,
        Err(_) => *months.get(&fold_str(month.trim_end_matches('.')))?,
    };
    if !(1..=12).contains(&month) {
        return None;
    }
    let Some(day) = day.map(str::trim).filter(|d| !d.is_empty()) else {
        return Some(format!("{year:04}-{month:02}"));
    };
    let day: u32 =
        day.trim_end_matches("er").trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']).parse().ok()?;
    let days = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&day).then(|| format!("{year:04}-{month:02}-{day:02}"))
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '-')
}

/// Whether `rest` opens with an English compound participle ("-based", "-backed",
/// "-headquartered"): a gazetteer name may end before it ("Munich-based", "Nvidia-backed").
pub(super) fn is_participle_suffix(rest: &str) -> bool {
    let Some(word) = rest.strip_prefix('-') else { return false };
    let word = word.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
    word.len() > 3 && word.ends_with("ed") && word.chars().all(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_may_end_before_a_compound_participle() {
        assert!(is_participle_suffix("-based startup"));
        assert!(is_participle_suffix("-headquartered"));
        assert!(!is_participle_suffix("-Malmaison"));
        assert!(!is_participle_suffix("-sur-Mer"));
        assert!(!is_participle_suffix("-ed"));
        assert!(!is_participle_suffix(" based"));
    }

    #[test]
    fn dates_are_iso_with_their_precision() {
        let months: BTreeMap<String, u32> = [("septembre", 9), ("sept", 9), ("february", 2)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        let d = |y, m, day| date_value(Some(y), m, day, &months);
        assert_eq!(d("2025", Some("Septembre"), Some("5")).as_deref(), Some("2025-09-05"));
        assert_eq!(d("2025", Some("sept."), Some("1er")).as_deref(), Some("2025-09-01"));
        assert_eq!(d("2024", Some("February"), Some("29th")).as_deref(), Some("2024-02-29"));
        assert_eq!(d("2025", Some("February"), Some("29")), None);
        assert_eq!(d("2025", Some("11"), None).as_deref(), Some("2025-11"));
        assert_eq!(d("2026", None, None).as_deref(), Some("2026"));
        assert_eq!(d("2025", Some("brumaire"), None), None);
    }
}
